/* Which meal a moment belongs to decides the subsidy. */
#include "canteen-error.h"
#include "meal-period.h"

static CanteenMealPeriod
period_at (const CanteenMealConfig *config, int hour, int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) t = g_date_time_new (tz, 2026, 11, 23, hour, minute, 0);

  return canteen_meal_config_period_at (config, t);
}

static void
test_boundaries (void)
{
  CanteenMealConfig config;

  canteen_meal_config_default (&config);
  g_assert_true (canteen_meal_config_validate (&config, NULL));
  g_assert_cmpint (period_at (&config, 6, 29), ==, CANTEEN_MEAL_NONE);
  g_assert_cmpint (period_at (&config, 6, 30), ==, CANTEEN_MEAL_BREAKFAST);
  g_assert_cmpint (period_at (&config, 8, 59), ==, CANTEEN_MEAL_BREAKFAST);
  g_assert_cmpint (period_at (&config, 9, 0), ==, CANTEEN_MEAL_NONE);
  g_assert_cmpint (period_at (&config, 11, 0), ==, CANTEEN_MEAL_LUNCH);
  g_assert_cmpint (period_at (&config, 13, 29), ==, CANTEEN_MEAL_LUNCH);
  g_assert_cmpint (period_at (&config, 13, 30), ==, CANTEEN_MEAL_NONE);
  g_assert_cmpint (period_at (&config, 18, 0), ==, CANTEEN_MEAL_DINNER);
  g_assert_cmpint (period_at (&config, 23, 59), ==, CANTEEN_MEAL_NONE);
}

static void
test_validate_refuses_overlap (void)
{
  CanteenMealConfig config;
  GError *error = NULL;

  canteen_meal_config_default (&config);
  config.times[CANTEEN_MEAL_LUNCH].start_min = 8 * 60;   /* into breakfast */
  g_assert_false (canteen_meal_config_validate (&config, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  canteen_meal_config_default (&config);
  config.times[CANTEEN_MEAL_DINNER].end_min = config.times[CANTEEN_MEAL_DINNER].start_min;
  g_assert_false (canteen_meal_config_validate (&config, &error));
  g_clear_error (&error);
}

static void
test_clock_parse (void)
{
  gint m = -1;
  const char *bad[] = { "", "11", "11:60", "25:00", "11:30x", "-1:00", "11:3:0", "aa:bb", NULL };

  g_assert_true (canteen_clock_parse ("11:30", "from", &m, NULL));
  g_assert_cmpint (m, ==, 690);
  g_assert_true (canteen_clock_parse ("24:00", "to", &m, NULL));
  g_assert_cmpint (m, ==, 1440);
  for (const char **b = bad; *b; b++)
    {
      GError *error = NULL;
      g_assert_false (canteen_clock_parse (*b, "from", &m, &error));
      g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
test_periods_parse (void)
{
  guint bits = 0;
  GError *error = NULL;

  g_assert_true (canteen_meal_periods_parse ("lunch|dinner", &bits, &error));
  g_assert_cmpuint (bits, ==, CANTEEN_MEAL_BIT (CANTEEN_MEAL_LUNCH) | CANTEEN_MEAL_BIT (CANTEEN_MEAL_DINNER));
  g_assert_false (canteen_meal_periods_parse ("lunch|supper", &bits, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/meal-period/boundaries", test_boundaries);
  g_test_add_func ("/meal-period/validate-refuses-overlap", test_validate_refuses_overlap);
  g_test_add_func ("/meal-period/clock-parse", test_clock_parse);
  g_test_add_func ("/meal-period/periods-parse", test_periods_parse);
  return g_test_run ();
}
