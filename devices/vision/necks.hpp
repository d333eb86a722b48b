/* necks.hpp — two portions the food mask joined, cut apart at the narrow
 * neck between them.
 *
 * Food filled to a compartment's thin wall, or a chopstick lying across
 * two compartments, joins two portions into one region wider than the
 * opening in food_regions() can cut: the diner would be charged for one
 * item named after a mixture of both.
 *
 * Contract: split_at_necks() replaces each region whose mask is two (or
 * more) thick blobs joined by a neck less than half as thick as the
 * thinner blob (by the distance to the mask's edge) with one region per
 * blob, every food pixel going to the nearest blob's core; a region is
 * left whole unless every part is at least `min_area` working pixels.
 * Parts keep the region's flags, share a `cut_from` no other region has,
 * and have their food boxes as boxes (the containers are found
 * afterwards). One portion cut by mistake is made whole again downstream:
 * its parts lie in one container (plates.hpp), or are named the same dish
 * (rejoin.hpp). */
#pragma once

#include <vector>

#include "vision-private.hpp"

namespace vision {

void split_at_necks (std::vector<Region> &regions, double min_area);

} // namespace vision
