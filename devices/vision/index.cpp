/* index.cpp — nearest-exemplar matching (see index.hpp).
 *
 * One nearest neighbour per dish rather than a k-NN vote over all
 * exemplars: with three photos per dish a vote is decided by how many
 * exemplars a dish has, not by how close they are. The nearest exemplar
 * by mutual_distance (both ways), not the region against the pool of all
 * of a dish's patches: the pool let dishes with varied exemplars (lemon
 * slices on a plate, a pile on sauce) attract most regions (top-1 on the
 * synthetic 20-dish trays of seed 1: 52% → 54%, at the same cost: one
 * matrix of patch distances serves both ways). The confidence is the
 * product of an absolute similarity (so a dish nobody enrolled comes out
 * unknown) and a softmax over the dishes (so two look-alikes are both
 * uncertain and the checkout asks).
 *
 * Both are calibrated per dish by its room: how far its exemplars are
 * from the nearest exemplar of another dish of today's menu (measured
 * when exemplars are added). An unenrolled dish lands near whichever
 * enrolled one looks most like it, at a distance typical of two different
 * dishes; how far "different" is varies a lot by dish (from 0.02 to 0.17
 * on the synthetic menus: a lone red soup against two greens that share
 * every bin). So a dish's radius is 1.2 times its room (kept to 0.06..0.14),
 * not one global 0.14: a region far from a crowded dish is probably
 * another dish, a region at the same distance from an isolated one is
 * still that dish on a new plate. Over regions found on the synthetic
 * trays, the distance over the room told enrolled from never-enrolled
 * dishes better than the distance alone (ROC area 0.81 → 0.92 seed 1,
 * 20 dishes; 0.77 → 0.86 seed 2, 80 dishes; 0.89 → 0.95 seed 3, 20
 * dishes), better than the room minus the distance's spread between a
 * dish's own exemplars (leave-one-out: 0.58-0.86, three photos are too few
 * to measure a spread), and better than the share of the region's patches
 * whose nearest exemplar patch belongs to the top dish (0.63-0.74).
 *
 * The ranking multiplies the distance by the fourth root of 0.1 over the
 * room: a dish with a close neighbour sits in a crowded part of the space
 * and is the nearest dish of many regions that are not it (a "hub"), so
 * its distances count a little more. Top-1 of enrolled regions found:
 * 88.7 → 89.7% (seed 1, 20 dishes), 78.3 → 81.7% (seed 2, 80 dishes),
 * 88.8 → 89.2% (seed 3, 20 dishes); the square root did less (89.2, 80.9,
 * 89.2), the mean of a dish's two nearest exemplars worse (85.0, 76.5,
 * 85.3), subtracting a share of the room instead of dividing (CSLS-like)
 * no better. With both, at the default threshold 0.33: tray exact match
 * 37 → 40% and dish F1 77.9 → 79.6% (seed 1), 32 → 40% and 71.4 → 73.7%
 * (seed 2), 51 → 54% and 78.6 → 79.8% (seed 3); never-enrolled regions
 * called unknown 19 → 42%, 23 → 50%, 23 → 50%, for enrolled ones called
 * unknown 1.4 → 8.9%, 13.5 → 19.6%, 1.7 → 4.3% (the checkout asks among
 * the top-3 for those). */
#include "index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vision {

namespace {

/* Distances (features.hpp's weighted χ², 0..1) tuned on the synthetic
 * trays of tests/vision: same-dish regions sit well below UNKNOWN_DISTANCE,
 * where the absolute similarity is one half. SOFTMAX_T sets how much closer
 * the best dish must be than the runner-up to be sure of it. */
constexpr float UNKNOWN_DISTANCE = 0.14f;
constexpr float SOFTMAX_T = 0.02f;
/* A dish's radius (distance where its absolute similarity is one half):
 * ROOM_RADIUS times its room, within these bounds (a dish alone in the
 * index has the upper one); the lower one keeps two look-alike dishes
 * from rejecting their own portions (their room is as small as 0.02).
 * Descriptor version 4 (the CNN block) moved the distances: with the old
 * 1.2 and 0.14, 30% of enrolled portions were called unknown at threshold
 * 0.33 on seed 2 (80 dishes), against 20% with 1.5 and 0.20 (exact-match
 * 34% against 41%). Without the CNN block the new values gain nothing
 * (best exact-match 51% and 41%, against 51% and 42%). */
constexpr float ROOM_RADIUS = 1.5f;
constexpr float MIN_RADIUS = 0.06f;
constexpr float MAX_RADIUS = 0.20f;
/* The ranking's score: distance x (ROOM_REFERENCE / room)^(1/4), the room
 * floored at MIN_ROOM and capped at ROOM_REFERENCE (so a lone or isolated
 * dish is not favoured without end). */
constexpr float ROOM_REFERENCE = 0.1f;
constexpr float MIN_ROOM = 0.02f;
/* The room is measured between the first exemplars of each dish only:
 * 80 dishes of 3 exemplars take about 0.2 s (4.5 patches an exemplar on
 * the synthetic trays); all 12 a dish may keep would take 16 times that. */
constexpr std::size_t ROOM_EXEMPLARS = 3;
/* Two exemplars of one dish closer than this add nothing to each other. */
constexpr float REDUNDANT_DISTANCE = 0.012f;
constexpr float MAX_CONFIDENCE = 0.999f;

/* The distance at which a region is as likely this dish as not. */
float
radius_of (float room)
{
  return std::clamp (ROOM_RADIUS * room, MIN_RADIUS, MAX_RADIUS);
}

/* What a dish's distances are multiplied by for the ranking: 1 for an
 * isolated dish, up to 1.5 for one with a look-alike. */
float
crowding_of (float room)
{
  return std::sqrt (std::sqrt (ROOM_REFERENCE / std::clamp (room, MIN_ROOM, ROOM_REFERENCE)));
}

/* The mean of the closer half of `nearest`, which it reorders. */
float
closer_half_mean (std::vector<float> &nearest)
{
  const std::size_t keep = std::max<std::size_t> (1, (nearest.size () + 1) / 2);
  std::partial_sort (nearest.begin (), nearest.begin () + static_cast<long> (keep), nearest.end ());
  float sum = 0.0f;
  for (std::size_t i = 0; i < keep; i++)
    sum += nearest[i];
  return sum / static_cast<float> (keep);
}

} // namespace

float
similarity (float distance, float radius)
{
  const float r = distance / radius;
  return 1.0f / (1.0f + r * r * r * r);
}

float
similarity (float distance)
{
  return similarity (distance, UNKNOWN_DISTANCE);
}

float
set_distance (const Patches &query, const Patches &set)
{
  if (query.empty () || set.empty ())
    return std::numeric_limits<float>::infinity ();
  std::vector<float> nearest;
  nearest.reserve (query.size ());
  for (const Descriptor &q : query)
    {
      float best = std::numeric_limits<float>::infinity ();
      for (const Descriptor &e : set)
        best = std::min (best, distance (q.data (), e.data ()));
      nearest.push_back (best);
    }
  return closer_half_mean (nearest);
}

float
mutual_distance (const Patches &a, const Patches &b)
{
  if (a.empty () || b.empty ())
    return std::numeric_limits<float>::infinity ();
  /* One matrix of patch distances serves both directions. */
  std::vector<float> row (a.size (), std::numeric_limits<float>::infinity ());
  std::vector<float> col (b.size (), std::numeric_limits<float>::infinity ());
  for (std::size_t i = 0; i < a.size (); i++)
    for (std::size_t j = 0; j < b.size (); j++)
      {
        const float d = distance (a[i].data (), b[j].data ());
        row[i] = std::min (row[i], d);
        col[j] = std::min (col[j], d);
      }
  return 0.5f * (closer_half_mean (row) + closer_half_mean (col));
}

void
Index::add (const std::string &dish, Patches exemplar)
{
  auto it = std::find_if (dishes_.begin (), dishes_.end (), [&] (const Dish &x) { return x.id == dish; });
  if (it == dishes_.end ())
    {
      dishes_.push_back (Dish { dish, {}, {}, std::numeric_limits<float>::infinity () });
      it = dishes_.end () - 1;
    }
  /* The new exemplar against the other dishes' exemplars: it may bring
   * this dish closer to another, and that one closer to it. Only each
   * dish's first ROOM_EXEMPLARS count (its enrollment photos): with the
   * corrections a dish may gather, every pair would cost seconds. */
  if (it->exemplars.size () < ROOM_EXEMPLARS)
    for (Dish &other : dishes_)
      {
        if (&other == &*it)
          continue;
        for (std::size_t k = 0; k < std::min (other.exemplars.size (), ROOM_EXEMPLARS); k++)
          {
            const float d = mutual_distance (exemplar, other.exemplars[k]);
            it->nearest_other = std::min (it->nearest_other, d);
            other.nearest_other = std::min (other.nearest_other, d);
          }
      }
  it->all.insert (it->all.end (), exemplar.begin (), exemplar.end ());
  it->exemplars.push_back (std::move (exemplar));
  count_++;
}

std::vector<Match>
Index::rank (const Patches &query) const
{
  struct Ranked
  {
    Match m;
    float radius;
  };
  std::vector<Ranked> ranked;
  ranked.reserve (dishes_.size ());
  for (const Dish &dish : dishes_)
    {
      float d = std::numeric_limits<float>::infinity ();
      for (const Patches &e : dish.exemplars)
        d = std::min (d, mutual_distance (query, e));
      ranked.push_back ({ Match { dish.id, d, d * crowding_of (dish.nearest_other), 0.0f },
                          radius_of (dish.nearest_other) });
    }
  std::stable_sort (ranked.begin (), ranked.end (),
                    [] (const Ranked &a, const Ranked &b) { return a.m.score < b.m.score; });
  std::vector<Match> out;
  out.reserve (ranked.size ());
  if (ranked.empty ())
    return out;

  const float best = ranked[0].m.score;
  double z = 0.0;
  for (const Ranked &r : ranked)
    z += std::exp (static_cast<double> (-(r.m.score - best) / SOFTMAX_T));
  float above = MAX_CONFIDENCE;
  for (Ranked &r : ranked)
    {
      const double p = std::exp (static_cast<double> (-(r.m.score - best) / SOFTMAX_T)) / z;
      /* Never quite 1 (in float, a near-identical region's similarity
       * rounds up to it): a threshold of 1 means "always ask". Never
       * above the dish ranked before it either: a wider radius must not
       * make a runner-up look surer than the best dish. */
      r.m.confidence = std::min (static_cast<float> (p) * similarity (r.m.distance, r.radius), above);
      above = r.m.confidence;
      out.push_back (std::move (r.m));
    }
  return out;
}

float
Index::closest_pair (std::string &a, std::string &b) const
{
  /* Each exemplar of one dish as if it were a region on a tray, matched
   * against the other dish: the closest such pair is the risk. */
  float best = std::numeric_limits<float>::infinity ();
  for (std::size_t i = 0; i < dishes_.size (); i++)
    for (std::size_t j = 0; j < dishes_.size (); j++)
      {
        if (i == j)
          continue;
        for (const Patches &x : dishes_[i].exemplars)
          {
            const float d = set_distance (x, dishes_[j].all);
            if (d < best)
              {
                best = d;
                a = dishes_[std::min (i, j)].id;
                b = dishes_[std::max (i, j)].id;
              }
          }
      }
  return std::isfinite (best) ? similarity (best) : -1.0f;
}

std::vector<int>
Index::redundant (const std::string &dish) const
{
  std::vector<int> out;
  auto it = std::find_if (dishes_.begin (), dishes_.end (), [&] (const Dish &x) { return x.id == dish; });
  if (it == dishes_.end ())
    return out;
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < it->exemplars.size (); i++)
    {
      /* Both ways: a small exemplar inside a big one is not a copy of it. */
      const bool near = std::any_of (kept.begin (), kept.end (), [&] (std::size_t k) {
        return std::max (set_distance (it->exemplars[i], it->exemplars[k]),
                         set_distance (it->exemplars[k], it->exemplars[i])) < REDUNDANT_DISTANCE;
      });
      if (near)
        out.push_back (static_cast<int> (i));
      else
        kept.push_back (i);
    }
  return out;
}

} // namespace vision
