/* meal-period.h — breakfast, lunch and dinner, and when they are served.
 *
 * Contract: periods are identified by a stable ASCII id ("lunch") in files,
 * the ledger and the CLI; their times are local wall-clock minutes since
 * midnight, start inclusive, end exclusive, and never overlap. A moment that
 * falls in no period is CANTEEN_MEAL_NONE: sales still work then, but no meal
 * subsidy applies.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CANTEEN_MEAL_NONE = -1,
  CANTEEN_MEAL_BREAKFAST = 0,
  CANTEEN_MEAL_LUNCH,
  CANTEEN_MEAL_DINNER,
  CANTEEN_MEAL_N_PERIODS
} CanteenMealPeriod;

#define CANTEEN_MEAL_BIT(p) (1u << (p))
#define CANTEEN_MEAL_ALL_BITS ((1u << CANTEEN_MEAL_N_PERIODS) - 1)

typedef struct {
  gint   start_min;    /* 0..1439 */
  gint   end_min;      /* start_min+1..1440 */
  gint64 subsidy_fen;  /* per own-staff diner per day in this period */
} CanteenMealTimes;

typedef struct {
  CanteenMealTimes times[CANTEEN_MEAL_N_PERIODS];
} CanteenMealConfig;

const char       *canteen_meal_period_id (CanteenMealPeriod period);      /* "lunch", "none" */
CanteenMealPeriod canteen_meal_period_from_id (const char *id);           /* NONE if unknown */
/* "lunch|dinner" or "lunch,dinner" → bits; FALSE with an error naming the bad word. */
gboolean          canteen_meal_periods_parse (const char *text, guint *out_bits, GError **error);

void              canteen_meal_config_default (CanteenMealConfig *config);
gboolean          canteen_meal_config_validate (const CanteenMealConfig *config, GError **error);
CanteenMealPeriod canteen_meal_config_period_at (const CanteenMealConfig *config, GDateTime *local_time);

/* "11:30" ↔ 690; FALSE with an error for anything else. */
gboolean          canteen_clock_parse (const char *text, const char *field, gint *out_min, GError **error);
char             *canteen_clock_format (gint minutes);

G_END_DECLS
