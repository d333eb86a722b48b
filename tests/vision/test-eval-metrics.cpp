/* test-eval-metrics — the harness scores what eval-metrics.h says it
 * scores: matches by food or container box, unknown food answered by
 * "unknown", extra and missing answers, and the rates built from them. */
#include <glib.h>

#include "eval-metrics.h"

namespace {

using evalm::Counts;
using evalm::Prediction;
using evalm::Truth;

const cv::Rect PLATE_A (100, 100, 300, 300), FOOD_A (150, 150, 200, 200);
const cv::Rect PLATE_B (600, 100, 300, 300), FOOD_B (650, 150, 200, 200);

std::vector<Truth>
two_dishes (bool second_enrolled)
{
  return { { "D01", true, FOOD_A, PLATE_A }, { second_enrolled ? "D02" : "X01", second_enrolled, FOOD_B, PLATE_B } };
}

void
test_exact (void)
{
  /* One answer boxed on the food, one on the plate: both match. */
  Counts c = evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.8f, PLATE_B, {} } });
  g_assert_cmpint (c.exact, ==, 1);
  g_assert_cmpint (c.matched, ==, 2);
  g_assert_cmpint (c.dish_tp, ==, 2);
  g_assert_cmpint (c.dish_fp + c.dish_fn, ==, 0);
  g_assert_cmpfloat (c.dish_f1 (), ==, 1.0);
}

void
test_unknown (void)
{
  /* Never-enrolled food called unknown: right, and no dish F1 at stake. */
  Counts c = evalm::score_tray (two_dishes (false), { { "D01", 0.9f, FOOD_A, {} }, { "", 0.2f, FOOD_B, { "D01" } } });
  g_assert_cmpint (c.exact, ==, 1);
  g_assert_cmpint (c.unknown_regions, ==, 1);
  g_assert_cmpint (c.unknown_rejected, ==, 1);
  g_assert_cmpint (c.dish_fp, ==, 0);
  /* Named as a dish instead: wrong, and a false positive. */
  c = evalm::score_tray (two_dishes (false), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.6f, FOOD_B, {} } });
  g_assert_cmpint (c.exact, ==, 0);
  g_assert_cmpint (c.unknown_rejected, ==, 0);
  g_assert_cmpint (c.dish_fp, ==, 1);
  /* Failed for that cause alone. */
  g_assert_cmpint (c.trays_unknown_named, ==, 1);
  g_assert_cmpint (c.trays_missed + c.trays_extra + c.trays_misnamed, ==, 0);
}

void
test_misses_and_extras (void)
{
  /* A wrong dish, a missed region and a prediction on bare tray. */
  Counts c = evalm::score_tray (two_dishes (true), { { "D02", 0.7f, FOOD_A, { "D01", "D05" } },
                                                     { "D03", 0.7f, cv::Rect (100, 500, 100, 100), {} } });
  g_assert_cmpint (c.exact, ==, 0);
  g_assert_cmpint (c.matched, ==, 1);
  g_assert_cmpint (c.dish_tp, ==, 0);
  g_assert_cmpint (c.dish_fp, ==, 2);
  g_assert_cmpint (c.dish_fn, ==, 2);
  g_assert_cmpint (c.top1, ==, 0);
  g_assert_cmpint (c.top3, ==, 1);  /* D01 second among the candidates */
  g_assert_cmpfloat (c.recall (), ==, 0.5);
  g_assert_cmpfloat (c.precision (), ==, 0.5);
  /* The tray fails for three causes at once, each counted once. */
  g_assert_cmpint (c.trays_missed, ==, 1);
  g_assert_cmpint (c.trays_extra, ==, 1);
  g_assert_cmpint (c.trays_misnamed, ==, 1);
  g_assert_cmpint (c.trays_unknown_named, ==, 0);

  /* A box overlapping too little is no match. */
  c = evalm::score_tray ({ { "D01", true, FOOD_A, PLATE_A } }, { { "D01", 0.9f, cv::Rect (300, 300, 300, 300), {} } });
  g_assert_cmpint (c.matched, ==, 0);

  /* An empty tray answered with nothing is an exact match. */
  c = evalm::score_tray ({}, {});
  g_assert_cmpint (c.exact, ==, 1);
}

void
test_totals (void)
{
  Counts all;
  all.add (evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.8f, FOOD_B, {} } }));
  all.add (evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} } }));
  g_assert_cmpint (all.trays, ==, 2);
  g_assert_cmpfloat (all.exact_match (), ==, 0.5);
  g_assert_cmpint (all.dish_tp, ==, 3);
  g_assert_cmpint (all.dish_fn, ==, 1);
  g_assert_cmpint (all.trays_missed, ==, 1);
  g_assert_cmpint (all.trays_extra + all.trays_misnamed, ==, 0);
  g_assert_cmpfloat (all.dish_f1 (), ==, 6.0 / 7.0);
  g_assert_cmpfloat (evalm::iou (FOOD_A, FOOD_A), ==, 1.0);
  g_assert_cmpfloat (evalm::iou (FOOD_A, FOOD_B), ==, 0.0);
}

/* The checkout bills a dish named at CANTEEN_VISION_SURE or above unasked
 * and asks about the rest: a tray whose every answer is among its choices
 * ends with the right bill; one with a sure wrong name or a dish left off
 * is billed wrong with nothing on the screen to say so. */
void
test_checkout (void)
{
  const float sure = CANTEEN_VISION_SURE, unsure = CANTEEN_VISION_SURE - 0.1f;

  /* Both sure and right: no question, right bill. */
  Counts c = evalm::score_tray (two_dishes (true), { { "D01", sure, FOOD_A, {} }, { "D02", 0.9f, FOOD_B, {} } });
  g_assert_cmpint (c.checkout_unasked_right, ==, 1);
  g_assert_cmpint (c.checkout_answered_right, ==, 1);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 0);
  g_assert_cmpint (c.questions, ==, 0);

  /* Named wrong but unsure, the right dish second: a question, then the
   * right bill. Not an exact match (the recogniser named it wrong). */
  c = evalm::score_tray (two_dishes (true),
                         { { "D01", 0.9f, FOOD_A, {} }, { "D05", unsure, FOOD_B, { "D02", "D07" } } });
  g_assert_cmpint (c.exact, ==, 0);
  g_assert_cmpint (c.questions, ==, 1);
  g_assert_cmpint (c.checkout_unasked_right, ==, 0);
  g_assert_cmpint (c.checkout_answered_right, ==, 1);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 0);

  /* The right dish only fourth: "none of these", and staff add it. */
  c = evalm::score_tray (two_dishes (true),
                         { { "D01", 0.9f, FOOD_A, {} }, { "", 0.1f, FOOD_B, { "D05", "D07", "D09" } } });
  g_assert_cmpint (c.questions, ==, 1);
  g_assert_cmpint (c.checkout_answered_right, ==, 0);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 0);

  /* Never-enrolled food: asked, "none of these" is right; named surely,
   * a wrong dish on the bill. */
  c = evalm::score_tray (two_dishes (false), { { "D01", 0.9f, FOOD_A, {} }, { "D02", unsure, FOOD_B, { "D03" } } });
  g_assert_cmpint (c.exact, ==, 0);
  g_assert_cmpint (c.checkout_answered_right, ==, 1);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 0);
  c = evalm::score_tray (two_dishes (false), { { "D01", 0.9f, FOOD_A, {} }, { "D02", sure, FOOD_B, { "D03" } } });
  g_assert_cmpint (c.checkout_answered_right, ==, 0);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 1);

  /* A dish left off the bill (a region missed) is wrong, asked or not. */
  c = evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} } });
  g_assert_cmpint (c.checkout_answered_right, ==, 0);
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 1);

  /* Bare tray taken for food: asked, "none of these"; sure, billed. */
  const cv::Rect bare (100, 500, 100, 100);
  c = evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.9f, FOOD_B, {} },
                                              { "D03", unsure, bare, { "D04" } } });
  g_assert_cmpint (c.questions, ==, 1);
  g_assert_cmpint (c.checkout_answered_right, ==, 1);
  g_assert_cmpint (c.checkout_unasked_right, ==, 0);
  c = evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.9f, FOOD_B, {} },
                                              { "D03", sure, bare, {} } });
  g_assert_cmpint (c.checkout_wrong_unasked, ==, 1);

  /* The rates over trays. */
  Counts all;
  all.add (evalm::score_tray (two_dishes (true), { { "D01", 0.9f, FOOD_A, {} }, { "D02", 0.9f, FOOD_B, {} } }));
  all.add (c);
  g_assert_cmpfloat (all.unasked_right (), ==, 0.5);
  g_assert_cmpfloat (all.wrong_unasked (), ==, 0.5);
  g_assert_cmpfloat (all.questions_per_tray (), ==, 0.0);
}

/* 61 trays of 100 say the rate is somewhere in 51-70%: two runs of 100
 * trays that differ by 5 points do not show one build better. */
void
test_interval (void)
{
  const evalm::Interval i = evalm::wilson_95 (61, 100);
  g_assert_cmpfloat_with_epsilon (i.low, 0.5121, 5e-4);
  g_assert_cmpfloat_with_epsilon (i.high, 0.6999, 5e-4);
  const evalm::Interval none = evalm::wilson_95 (0, 24), all = evalm::wilson_95 (24, 24);
  g_assert_cmpfloat_with_epsilon (none.low, 0.0, 1e-12);
  g_assert_cmpfloat (none.high, >, 0.1);
  g_assert_cmpfloat_with_epsilon (all.high, 1.0, 1e-12);
  g_assert_cmpfloat (all.low, <, 0.9);
  const evalm::Interval empty = evalm::wilson_95 (0, 0);
  g_assert_cmpfloat (empty.low, ==, 0.0);
  g_assert_cmpfloat (empty.high, ==, 1.0);
  /* More trays, a narrower interval around the same rate. */
  const evalm::Interval more = evalm::wilson_95 (610, 1000);
  g_assert_cmpfloat (more.high - more.low, <, 0.5 * (i.high - i.low));
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/eval-metrics/exact", test_exact);
  g_test_add_func ("/eval-metrics/unknown", test_unknown);
  g_test_add_func ("/eval-metrics/misses-and-extras", test_misses_and_extras);
  g_test_add_func ("/eval-metrics/totals", test_totals);
  g_test_add_func ("/eval-metrics/checkout", test_checkout);
  g_test_add_func ("/eval-metrics/interval", test_interval);
  return g_test_run ();
}
