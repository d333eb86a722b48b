/* What a diner is charged for a tray. */
#include "canteen-error.h"
#include "pricing.h"

static CanteenDish *
dish (const char *id, gint64 staff, gint64 visitor, gint64 per_100g)
{
  CanteenDish *d = canteen_dish_new ();

  d->id = g_strdup (id);
  d->name = g_strdup ("菜");
  d->name_en = g_strdup ("");
  d->category = g_strdup ("热菜");
  d->price_fen = staff;
  d->visitor_price_fen = visitor;
  d->portion_g = 200;
  d->price_per_100g_fen = per_100g;
  return d;
}

static void
test_staff_and_visitor_prices (void)
{
  g_autoptr(CanteenDish) pork = dish ("D01", 1200, 1500, -1);
  g_autoptr(CanteenDish) rice = dish ("D02", 50, 100, -1);
  g_autoptr(CanteenPricedTray) staff = canteen_priced_tray_new ();
  g_autoptr(CanteenPricedTray) visitor = canteen_priced_tray_new ();
  GError *error = NULL;

  g_assert_true (canteen_priced_tray_add (staff, pork, CANTEEN_PAYER_STAFF, 0, &error));
  g_assert_true (canteen_priced_tray_add (staff, rice, CANTEEN_PAYER_STAFF, 0, &error));
  g_assert_true (canteen_priced_tray_add (visitor, pork, CANTEEN_PAYER_VISITOR, 0, &error));
  g_assert_true (canteen_priced_tray_add (visitor, rice, CANTEEN_PAYER_VISITOR, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (staff->total_fen, ==, 1250);
  g_assert_cmpint (staff->due_fen, ==, 1250);
  g_assert_cmpint (visitor->total_fen, ==, 1600);
}

static void
test_weighed_rounding (void)
{
  g_autoptr(CanteenDish) salad = dish ("D03", 0, 0, 333);   /* ¥3.33 per 100 g */
  g_autoptr(CanteenPricedTray) tray = canteen_priced_tray_new ();
  GError *error = NULL;

  /* 333 × 150 / 100 = 499.5 → 500 (half up); 333 × 149 / 100 = 496.17 → 496 */
  g_assert_true (canteen_priced_tray_add (tray, salad, CANTEEN_PAYER_STAFF, 150, &error));
  g_assert_true (canteen_priced_tray_add (tray, salad, CANTEEN_PAYER_STAFF, 149, &error));
  g_assert_no_error (error);
  g_assert_cmpint (((CanteenPricedLine *) g_ptr_array_index (tray->lines, 0))->amount_fen, ==, 500);
  g_assert_cmpint (((CanteenPricedLine *) g_ptr_array_index (tray->lines, 1))->amount_fen, ==, 496);
  g_assert_cmpint (tray->total_fen, ==, 996);
}

static void
test_weight_required_and_refused (void)
{
  g_autoptr(CanteenDish) salad = dish ("D03", 0, 0, 250);
  g_autoptr(CanteenDish) pork = dish ("D01", 1200, 1500, -1);
  g_autoptr(CanteenPricedTray) tray = canteen_priced_tray_new ();
  GError *error = NULL;

  g_assert_false (canteen_priced_tray_add (tray, salad, CANTEEN_PAYER_STAFF, 0, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (canteen_priced_tray_add (tray, salad, CANTEEN_PAYER_STAFF, 5001, &error));
  g_clear_error (&error);
  g_assert_false (canteen_priced_tray_add (tray, pork, CANTEEN_PAYER_STAFF, 100, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (tray->lines->len, ==, 0);
  g_assert_cmpint (tray->total_fen, ==, 0);
}

static void
test_subsidy (void)
{
  g_autoptr(CanteenDish) pork = dish ("D01", 1200, 1500, -1);
  g_autoptr(CanteenPricedTray) tray = canteen_priced_tray_new ();
  GError *error = NULL;

  g_assert_true (canteen_priced_tray_add (tray, pork, CANTEEN_PAYER_STAFF, 0, &error));
  canteen_priced_tray_settle (tray, CANTEEN_PAYER_STAFF, 500);
  g_assert_cmpint (tray->subsidy_fen, ==, 500);
  g_assert_cmpint (tray->due_fen, ==, 700);
  /* Never more subsidy than the tray costs: the rest stays for later. */
  canteen_priced_tray_settle (tray, CANTEEN_PAYER_STAFF, 5000);
  g_assert_cmpint (tray->subsidy_fen, ==, 1200);
  g_assert_cmpint (tray->due_fen, ==, 0);
  /* Visitors pay their own meal (自行付费): no subsidy. */
  canteen_priced_tray_settle (tray, CANTEEN_PAYER_VISITOR, 500);
  g_assert_cmpint (tray->subsidy_fen, ==, 0);
  g_assert_cmpint (tray->due_fen, ==, 1200);
}

static void
test_tray_limit (void)
{
  g_autoptr(CanteenDish) rice = dish ("D02", 50, 100, -1);
  g_autoptr(CanteenPricedTray) tray = canteen_priced_tray_new ();
  GError *error = NULL;

  for (int i = 0; i < CANTEEN_TRAY_MAX_LINES; i++)
    g_assert_true (canteen_priced_tray_add (tray, rice, CANTEEN_PAYER_STAFF, 0, &error));
  g_assert_false (canteen_priced_tray_add (tray, rice, CANTEEN_PAYER_STAFF, 0, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (tray->total_fen, ==, 50 * CANTEEN_TRAY_MAX_LINES);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pricing/staff-and-visitor", test_staff_and_visitor_prices);
  g_test_add_func ("/pricing/weighed-rounding", test_weighed_rounding);
  g_test_add_func ("/pricing/weight-required-and-refused", test_weight_required_and_refused);
  g_test_add_func ("/pricing/subsidy", test_subsidy);
  g_test_add_func ("/pricing/tray-limit", test_tray_limit);
  return g_test_run ();
}
