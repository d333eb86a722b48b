/* eval-metrics.h — scoring recognised trays against their ground truth.
 *
 * Contract:
 *  - A prediction matches a true region when the intersection over union
 *    of its box with the region's food box or with its container's box
 *    (whichever is larger) is at least MATCH_IOU: the recogniser may
 *    report either. Matching is one-to-one, best overlaps first.
 *  - A true region of a never-enrolled dish is answered right by an
 *    "unknown" (empty dish) prediction; any dish named there is wrong.
 *  - Dish F1 counts, over all trays: a true positive for each matched
 *    region of an enrolled dish named correctly; a false positive for
 *    each prediction naming a dish that is not such a true positive
 *    (wrong dish, a dish on unknown food, a dish where there is no food);
 *    a false negative for each region of an enrolled dish without its
 *    true positive.
 *  - A tray is an exact match when every region is matched and answered
 *    right and no prediction is left over; a tray that is not counts
 *    once under each cause it has (trays_missed and the others).
 *  - The checkout's view (what the diner meets, app/ui/kiosk-recognition.h):
 *    a prediction naming a dish with a confidence of at least `sure` goes on
 *    the bill unasked; any other with candidates is a question offering its
 *    top 3 and "none of these". A tray's bill is right once asked when no
 *    region is missed, nothing goes on the bill unasked that is not on the
 *    tray, and each question's answer is among its choices (an enrolled
 *    dish in the top 3; "none of these" for food never enrolled and for a
 *    prediction over no food). A tray's bill is wrong unasked when a dish
 *    is left off it (a region missed) or one is put on it unasked that is
 *    not there: nothing on the screen points at the mistake.
 *  - Pure functions; no I/O.
 */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision.h"

namespace evalm {

constexpr double MATCH_IOU = 0.5;

struct Truth
{
  std::string dish;      /* its id (never-enrolled ones included) */
  bool        enrolled;
  cv::Rect    food, container;
};

struct Prediction
{
  std::string              dish;        /* "" = unknown */
  float                    confidence;
  cv::Rect                 box;
  std::vector<std::string> alternatives;
};

/* Counts over some trays; add() accumulates one tray's. */
struct Counts
{
  long trays = 0, exact = 0;
  long regions = 0, predictions = 0, matched = 0;
  long dish_tp = 0, dish_fp = 0, dish_fn = 0;
  long enrolled_matched = 0, top1 = 0, top3 = 0;
  long unknown_regions = 0, unknown_rejected = 0;
  long enrolled_called_unknown = 0;
  /* Trays that fail for each cause (a tray may fail for several): a true
   * region not found (missed, or split so that no part overlaps it
   * enough), a prediction over no region (a split part, a merge, the
   * tray's pattern), an enrolled dish named wrong or called unknown, a
   * never-enrolled dish given a name. */
  long trays_missed = 0, trays_extra = 0, trays_misnamed = 0, trays_unknown_named = 0;
  /* At the checkout (see the contract): trays right with no question,
   * right once the questions are answered (the unasked ones included),
   * wrong with nothing asked; and the questions asked. */
  long checkout_unasked_right = 0, checkout_answered_right = 0, checkout_wrong_unasked = 0;
  long questions = 0;

  void add (const Counts &tray);

  double recall () const;              /* regions found */
  double precision () const;           /* predictions that are regions */
  double dish_f1 () const;
  double exact_match () const;
  double unknown_rejection () const;   /* never-enrolled regions found and called unknown */
  double top1_rate () const;           /* found enrolled regions whose best candidate is right */
  double top3_rate () const;           /* found enrolled regions whose dish is in the top 3 */
  double false_unknown () const;       /* found enrolled regions called unknown */
  double unasked_right () const;       /* trays, of all */
  double answered_right () const;
  double wrong_unasked () const;
  double questions_per_tray () const;
};

double iou (const cv::Rect &a, const cv::Rect &b);

/* Where the true rate of `k` successes in `n` independent trials lies,
 * at 95% (Wilson's score interval; 0..1 for n = 0). Trays are generated
 * independently, so a tray rate has one; the regions of one tray do not. */
struct Interval
{
  double low, high;
};
Interval wilson_95 (long k, long n);

/* One tray's counts; `sure` is the checkout's level for naming unasked. */
Counts score_tray (const std::vector<Truth> &truth, const std::vector<Prediction> &predictions,
                   float sure = CANTEEN_VISION_SURE);

} // namespace evalm
