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
 * uncertain and the checkout asks). */
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
/* Two exemplars of one dish closer than this add nothing to each other. */
constexpr float REDUNDANT_DISTANCE = 0.012f;
constexpr float MAX_CONFIDENCE = 0.999f;

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
similarity (float distance)
{
  const float r = distance / UNKNOWN_DISTANCE;
  return 1.0f / (1.0f + r * r * r * r);
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
      dishes_.push_back (Dish { dish, {} });
      it = dishes_.end () - 1;
    }
  it->all.insert (it->all.end (), exemplar.begin (), exemplar.end ());
  it->exemplars.push_back (std::move (exemplar));
  count_++;
}

std::vector<Match>
Index::rank (const Patches &query) const
{
  std::vector<Match> out;
  out.reserve (dishes_.size ());
  for (const Dish &dish : dishes_)
    {
      float d = std::numeric_limits<float>::infinity ();
      for (const Patches &e : dish.exemplars)
        d = std::min (d, mutual_distance (query, e));
      out.push_back (Match { dish.id, d, 0.0f });
    }
  std::stable_sort (out.begin (), out.end (), [] (const Match &a, const Match &b) { return a.distance < b.distance; });
  if (out.empty ())
    return out;

  double z = 0.0;
  for (const Match &m : out)
    z += std::exp (static_cast<double> (-(m.distance - out[0].distance) / SOFTMAX_T));
  for (Match &m : out)
    {
      const double p = std::exp (static_cast<double> (-(m.distance - out[0].distance) / SOFTMAX_T)) / z;
      /* Never quite 1 (in float, a near-identical region's similarity
       * rounds up to it): a threshold of 1 means "always ask". */
      m.confidence = std::min (static_cast<float> (p) * similarity (m.distance), MAX_CONFIDENCE);
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
