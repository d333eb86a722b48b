/* eval-metrics.cpp — matching predictions to true regions, and the rates. */
#include "eval-metrics.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace evalm {

namespace {

double
ratio (long a, long b)
{
  return b > 0 ? static_cast<double> (a) / static_cast<double> (b) : 0.0;
}

/* A prediction's candidates in order, as an uncertain item's choices
 * appear on the checkout screen: the dish, then the alternatives (an
 * unknown region's alternatives start with its best guess); the top 3. */
std::vector<std::string>
choices_of (const Prediction &p)
{
  std::vector<std::string> ranked;
  if (!p.dish.empty ())
    ranked.push_back (p.dish);
  ranked.insert (ranked.end (), p.alternatives.begin (), p.alternatives.end ());
  ranked.resize (std::min<size_t> (ranked.size (), CANTEEN_VISION_TOP));
  return ranked;
}

} // namespace

double
iou (const cv::Rect &a, const cv::Rect &b)
{
  double inter = (a & b).area ();
  double uni = static_cast<double> (a.area ()) + b.area () - inter;
  return uni > 0 ? inter / uni : 0.0;
}

Interval
wilson_95 (long k, long n)
{
  if (n <= 0)
    return { 0.0, 1.0 };
  const double z = 1.959964, nn = static_cast<double> (n);
  const double p = static_cast<double> (std::clamp (k, 0L, n)) / nn;
  const double denominator = 1.0 + z * z / nn;
  const double centre = (p + z * z / (2.0 * nn)) / denominator;
  const double half = z * std::sqrt (p * (1.0 - p) / nn + z * z / (4.0 * nn * nn)) / denominator;
  return { std::max (0.0, centre - half), std::min (1.0, centre + half) };
}

void
Counts::add (const Counts &t)
{
  trays += t.trays;
  exact += t.exact;
  regions += t.regions;
  predictions += t.predictions;
  matched += t.matched;
  dish_tp += t.dish_tp;
  dish_fp += t.dish_fp;
  dish_fn += t.dish_fn;
  enrolled_matched += t.enrolled_matched;
  top1 += t.top1;
  top3 += t.top3;
  unknown_regions += t.unknown_regions;
  unknown_rejected += t.unknown_rejected;
  enrolled_called_unknown += t.enrolled_called_unknown;
  trays_missed += t.trays_missed;
  trays_extra += t.trays_extra;
  trays_misnamed += t.trays_misnamed;
  trays_unknown_named += t.trays_unknown_named;
  checkout_unasked_right += t.checkout_unasked_right;
  checkout_answered_right += t.checkout_answered_right;
  checkout_wrong_unasked += t.checkout_wrong_unasked;
  questions += t.questions;
}

double Counts::recall () const { return ratio (matched, regions); }
double Counts::precision () const { return ratio (matched, predictions); }
double Counts::dish_f1 () const { return ratio (2 * dish_tp, 2 * dish_tp + dish_fp + dish_fn); }
double Counts::exact_match () const { return ratio (exact, trays); }
double Counts::unknown_rejection () const { return ratio (unknown_rejected, unknown_regions); }
double Counts::top1_rate () const { return ratio (top1, enrolled_matched); }
double Counts::top3_rate () const { return ratio (top3, enrolled_matched); }
double Counts::false_unknown () const { return ratio (enrolled_called_unknown, enrolled_matched); }
double Counts::unasked_right () const { return ratio (checkout_unasked_right, trays); }
double Counts::answered_right () const { return ratio (checkout_answered_right, trays); }
double Counts::wrong_unasked () const { return ratio (checkout_wrong_unasked, trays); }
double Counts::questions_per_tray () const { return ratio (questions, trays); }

Counts
score_tray (const std::vector<Truth> &truth, const std::vector<Prediction> &predictions, float sure)
{
  Counts c;
  c.trays = 1;
  c.regions = static_cast<long> (truth.size ());
  c.predictions = static_cast<long> (predictions.size ());

  /* Every overlapping pair, best first; each side used once. */
  std::vector<std::tuple<double, size_t, size_t>> pairs;
  for (size_t t = 0; t < truth.size (); t++)
    for (size_t p = 0; p < predictions.size (); p++)
      {
        double o = std::max (iou (truth[t].food, predictions[p].box), iou (truth[t].container, predictions[p].box));
        if (o >= MATCH_IOU)
          pairs.emplace_back (o, t, p);
      }
  std::sort (pairs.begin (), pairs.end (), [] (const auto &a, const auto &b) { return std::get<0> (a) > std::get<0> (b); });
  std::vector<int> match_of_truth (truth.size (), -1);
  std::vector<bool> used (predictions.size (), false);
  for (const auto &[o, t, p] : pairs)
    if (match_of_truth[t] < 0 && !used[p])
      {
        match_of_truth[t] = static_cast<int> (p);
        used[p] = true;
      }

  bool exact = true;
  std::vector<bool> dish_tp_of (predictions.size (), false);
  /* The checkout: what goes on the bill unasked, and what is asked. */
  bool bill_right = true, bill_wrong_unasked = false;
  auto unasked = [sure] (const Prediction &p) { return !p.dish.empty () && p.confidence >= sure; };
  for (size_t t = 0; t < truth.size (); t++)
    {
      const Truth &g = truth[t];
      if (!g.enrolled)
        c.unknown_regions++;
      if (match_of_truth[t] < 0)
        {
          exact = false;
          bill_right = false;
          bill_wrong_unasked = true;
          c.trays_missed = 1;
          if (g.enrolled)
            c.dish_fn++;
          continue;
        }
      const Prediction &p = predictions[static_cast<size_t> (match_of_truth[t])];
      c.matched++;
      const std::vector<std::string> ranked = choices_of (p);
      const bool offered = std::find (ranked.begin (), ranked.end (), g.dish) != ranked.end ();
      if (unasked (p))
        {
          if (!g.enrolled || p.dish != g.dish)
            {
              bill_right = false;
              bill_wrong_unasked = true;
            }
        }
      else
        {
          c.questions += !ranked.empty ();
          /* "None of these" is the right answer for food never enrolled. */
          bill_right = bill_right && (!g.enrolled || offered);
        }
      if (!g.enrolled)
        {
          c.unknown_rejected += p.dish.empty ();
          exact = exact && p.dish.empty ();
          if (!p.dish.empty ())
            c.trays_unknown_named = 1;
          continue;
        }
      c.enrolled_matched++;
      c.enrolled_called_unknown += p.dish.empty ();
      const bool right = p.dish == g.dish;
      exact = exact && right;
      if (right)
        {
          c.dish_tp++;
          dish_tp_of[static_cast<size_t> (match_of_truth[t])] = true;
        }
      else
        {
          c.dish_fn++;
          c.trays_misnamed = 1;
        }
      c.top1 += !ranked.empty () && ranked[0] == g.dish;
      c.top3 += offered;
    }
  for (size_t p = 0; p < predictions.size (); p++)
    {
      if (!used[p])
        {
          exact = false;
          c.trays_extra = 1;
          /* Over no food: a dish billed unasked is wrong; asked, "none of
           * these" is the right answer. */
          if (unasked (predictions[p]))
            {
              bill_right = false;
              bill_wrong_unasked = true;
            }
          else
            c.questions += !choices_of (predictions[p]).empty ();
        }
      if (!predictions[p].dish.empty () && !dish_tp_of[p])
        c.dish_fp++;
    }
  c.exact = exact ? 1 : 0;
  c.checkout_answered_right = bill_right ? 1 : 0;
  c.checkout_unasked_right = bill_right && c.questions == 0 ? 1 : 0;
  c.checkout_wrong_unasked = bill_wrong_unasked ? 1 : 0;
  return c;
}

} // namespace evalm
