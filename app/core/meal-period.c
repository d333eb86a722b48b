#include "meal-period.h"

#include <stdio.h>

#include "canteen-error.h"
#include "money.h"
#include "validate.h"

static const char * const period_ids[CANTEEN_MEAL_N_PERIODS] = { "breakfast", "lunch", "dinner" };

const char *
canteen_meal_period_id (CanteenMealPeriod period)
{
  if (period < 0 || period >= CANTEEN_MEAL_N_PERIODS)
    return "none";
  return period_ids[period];
}

CanteenMealPeriod
canteen_meal_period_from_id (const char *id)
{
  for (int i = 0; i < CANTEEN_MEAL_N_PERIODS; i++)
    if (g_strcmp0 (id, period_ids[i]) == 0)
      return (CanteenMealPeriod) i;
  return CANTEEN_MEAL_NONE;
}

gboolean
canteen_meal_periods_parse (const char *text, guint *out_bits, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (text ? text : "", "|,", -1);
  guint bits = 0;

  for (char **w = words; *w; w++)
    {
      CanteenMealPeriod p;
      g_strstrip (*w);
      if (**w == '\0')
        continue;
      p = canteen_meal_period_from_id (*w);
      if (p == CANTEEN_MEAL_NONE)
        {
          g_autofree char *shown = canteen_text_excerpt (*w, 20);
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "periods: “%s” is not breakfast, lunch or dinner", shown);
          return FALSE;
        }
      bits |= CANTEEN_MEAL_BIT (p);
    }
  *out_bits = bits;
  return TRUE;
}

void
canteen_meal_config_default (CanteenMealConfig *config)
{
  /* Typical agency canteen hours; each canteen sets its own with
   * `canteenctl period set`. Subsidies start at zero: they are policy. */
  config->times[CANTEEN_MEAL_BREAKFAST] = (CanteenMealTimes) { 6 * 60 + 30, 9 * 60, 0 };
  config->times[CANTEEN_MEAL_LUNCH]     = (CanteenMealTimes) { 11 * 60, 13 * 60 + 30, 0 };
  config->times[CANTEEN_MEAL_DINNER]    = (CanteenMealTimes) { 17 * 60, 19 * 60 + 30, 0 };
}

gboolean
canteen_meal_config_validate (const CanteenMealConfig *config, GError **error)
{
  for (int i = 0; i < CANTEEN_MEAL_N_PERIODS; i++)
    {
      const CanteenMealTimes *t = &config->times[i];
      if (t->start_min < 0 || t->start_min >= 24 * 60 || t->end_min <= t->start_min || t->end_min > 24 * 60)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                       "%s: the period must start before it ends, within one day", period_ids[i]);
          return FALSE;
        }
      if (t->subsidy_fen < 0 || t->subsidy_fen > CANTEEN_FEN_MAX)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                       "%s: subsidy must be between 0 and %" G_GINT64_FORMAT " fen",
                       period_ids[i], CANTEEN_FEN_MAX);
          return FALSE;
        }
      for (int j = 0; j < i; j++)
        {
          const CanteenMealTimes *u = &config->times[j];
          if (t->start_min < u->end_min && u->start_min < t->end_min)
            {
              g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                           "%s: overlaps %s", period_ids[i], period_ids[j]);
              return FALSE;
            }
        }
    }
  return TRUE;
}

CanteenMealPeriod
canteen_meal_config_period_at (const CanteenMealConfig *config, GDateTime *local_time)
{
  gint minute = g_date_time_get_hour (local_time) * 60 + g_date_time_get_minute (local_time);

  for (int i = 0; i < CANTEEN_MEAL_N_PERIODS; i++)
    if (minute >= config->times[i].start_min && minute < config->times[i].end_min)
      return (CanteenMealPeriod) i;
  return CANTEEN_MEAL_NONE;
}

gboolean
canteen_clock_parse (const char *text, const char *field, gint *out_min, GError **error)
{
  guint h = 0, m = 0;
  char tail = 0;

  if (text == NULL || strlen (text) > 5 ||
      sscanf (text, "%2u:%2u%c", &h, &m, &tail) != 2 ||
      h > 24 || m > 59 || (h == 24 && m != 0))
    {
      g_autofree char *shown = canteen_text_excerpt (text, 20);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: “%s” is not a time of day like 11:30", field, shown);
      return FALSE;
    }
  *out_min = (gint) (h * 60 + m);
  return TRUE;
}

char *
canteen_clock_format (gint minutes)
{
  return g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
}
