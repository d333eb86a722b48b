/* rejoin.hpp — one portion found as several regions, made one item again.
 *
 * The food mask splits a portion wherever something smooth runs through
 * it: a chopstick or a spoon lying across, the sauce between pieces, the
 * bare floor of a wide compartment between scattered slices. Each part is
 * then a region, and the diner would be charged for each.
 *
 * Contract: `ranks[i]` is index.rank() of tray.regions[i]. Two regions are
 * joined when their best dish is the same and their food lies within
 * REJOIN_GAP working pixels of each other, unless each sits in crockery of
 * its own (two bowls of rice are two items) or the two together would be
 * bigger than any one portion is; two parts of one region cut at a neck
 * (necks.hpp) are joined whenever their best dish is the same. The joined
 * region is described and ranked again, in the place of the first;
 * regions and ranks stay parallel. */
#pragma once

#include <vector>

#include "index.hpp"
#include "tray.hpp"

namespace vision {

/* Working pixels (40 at 720p, about 3 cm of tray): wider than a
 * chopstick and than the gaps between scattered pieces, narrower than
 * most compartment walls. On the synthetic trays (tests/vision, 100 each,
 * unknown threshold 0.33), tray exact-match: 20 dishes, seed 1, 42% →
 * 49%, seed 3, 51% → 55%; 80 dishes, seed 2, 31% → 34%; regions
 * precision 93.2% → 95.9% (seed 1). A gap of 10 gained a point or two
 * less, 40 a point more on seed 1 only, and a wider gap would join two
 * portions of one dish in neighbouring compartments. */
constexpr int REJOIN_GAP = 20;

void rejoin_split_portions (Tray &tray, std::vector<std::vector<Match>> &ranks, const Index &index);

} // namespace vision
