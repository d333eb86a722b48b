/* index.hpp — today's candidates: exemplars per dish, nearest-neighbour
 * matching with χ², the unknown decision's confidence, and the two staff
 * views of the index (closest pair of dishes, redundant exemplars).
 *
 * Contract: a region and an exemplar are sets of patch descriptors
 * (features.hpp); dishes keep the order of their first exemplar, exemplars the
 * order they were added; rank() lists every dish of the index, best first,
 * with a confidence in 0..1 that is high only when the region is both close
 * to that dish (within the dish's own radius, set by how far the dish is
 * from the other dishes of the index: an unenrolled dish is far from all)
 * and clearly closer to it than to the runner-up; a runner-up's confidence
 * never exceeds that of the dish ranked above it. A dish's room is set by
 * its first three exemplars (its enrollment photos) against the other
 * dishes' first three: adding one of those costs a mutual_distance per
 * such exemplar of the other dishes (0.2 s for a menu of 80 dishes);
 * later exemplars (corrections) cost nothing more and leave rooms as they
 * are. */
#pragma once

#include <string>
#include <vector>

#include "features.hpp"

namespace vision {

struct Match
{
  std::string dish;
  float       distance;    /* to the dish's nearest exemplar */
  float       score;       /* the distance scaled by how crowded the dish is: the ranking's key */
  float       confidence;
};

class Index
{
public:
  void clear () { dishes_.clear (); count_ = 0; }
  void add (const std::string &dish, Patches exemplar);
  int  size () const { return count_; }

  std::vector<Match> rank (const Patches &query) const;
  /* -1 with fewer than two dishes. */
  float closest_pair (std::string &a, std::string &b) const;
  /* Indices (in the dish's order of addition) of exemplars nearly equal to
   * an earlier, kept one; empty for an unknown dish. */
  std::vector<int> redundant (const std::string &dish) const;

private:
  struct Dish
  {
    std::string             id;
    std::vector<Patches> exemplars;
    Patches              all;  /* every exemplar's patches, for the closest pair */
    /* Its room: the least mutual_distance between one of its first
     * exemplars and one of another dish's (index.cpp); infinite while it
     * is alone. */
    float                nearest_other;
  };
  std::vector<Dish> dishes_;
  int               count_ = 0;
};

/* How far a region's patches are from a set of patches: each query patch
 * takes its nearest, and the closer half of those distances is averaged
 * (the rest may be sauce, a chopstick, or a part of the dish the
 * exemplars did not show). */
float set_distance (const Patches &query, const Patches &set);

/* A region against one exemplar, both ways: the mean of set_distance from
 * the region to the exemplar and from the exemplar to the region. The
 * second half keeps a dish whose exemplars show many colours (a pile on a
 * sauce, a plate's rim in a patch) from being near every region: its
 * exemplar's patches must be found in the region too. */
float mutual_distance (const Patches &a, const Patches &b);

/* How alike two dishes (or a region and a dish) are at this distance:
 * 1 = identical, 0.5 at `radius` (by default the global unknown boundary;
 * rank() uses each dish's own). */
float similarity (float distance, float radius);
float similarity (float distance);

} // namespace vision
