/* rejoin.cpp — regions of one portion joined into one item (see
 * rejoin.hpp). The gap is measured between the food masks (food_within). */
#include "rejoin.hpp"

#include <opencv2/imgproc.hpp>

#include "food-mask.hpp"

namespace vision {

namespace {

/* The largest share of the working frame the box of one portion, joined,
 * may take. The largest true portions of the synthetic trays (a spread
 * filling the long compartment of a 分格餐盘, with its container's box)
 * take about a quarter; a join past that is two compartments' food, one
 * of them named wrong (a never-enrolled dish taken for its neighbour).
 * Dish F1 84.4 → 84.9%, 74.1 → 74.5%, 82.0 → 82.1% (seeds 1, 2, 3) for
 * exact match 52 → 51%, 42 → 42%, 58 → 58%; at 0.22 two trays whose long
 * compartment's parts were joined rightly failed instead. */
constexpr double MAX_PORTION_SHARE = 0.30;

bool
same_portion (const cv::Size &frame, const Region &a, const std::vector<Match> &ra, const Region &b,
              const std::vector<Match> &rb)
{
  if (ra.empty () || rb.empty () || ra[0].dish != rb[0].dish)
    return false;
  /* Cut at a neck as two portions, but both look like one dish: one
   * portion with a narrow waist (a tag's sticker over it, a lumpy pile),
   * even where the sticker's edge gave each part a container. */
  if (a.cut_from >= 0 && a.cut_from == b.cut_from)
    return true;
  if (a.container == Container::Found && b.container == Container::Found)
    return false;
  if ((a.box | b.box).area () > MAX_PORTION_SHARE * frame.area ())
    return false;
  return food_within (a, b, REJOIN_GAP);
}

} // namespace

void
rejoin_split_portions (Tray &tray, std::vector<std::vector<Match>> &ranks, const Index &index)
{
  for (std::size_t i = 0; i < tray.regions.size (); i++)
    for (std::size_t j = i + 1; j < tray.regions.size (); j++)
      {
        Region &a = tray.regions[i];
        const Region &b = tray.regions[j];
        if (!same_portion (tray.work.size (), a, ranks[i], b, ranks[j]))
          continue;
        a.mask |= b.mask;
        a.area += b.area;
        a.food_box = cv::boundingRect (a.mask);
        a.box |= b.box;
        if (b.container == Container::Found)
          a.container = Container::Found;
        ranks[i] = index.rank (describe_region (tray, a));
        tray.regions.erase (tray.regions.begin () + static_cast<long> (j));
        ranks.erase (ranks.begin () + static_cast<long> (j));
        /* The joined region may now be near one passed over. */
        j = i;
      }
}

} // namespace vision
