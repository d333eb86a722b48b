/* waste-portions.c — portion control: served weight against the standard,
 * per-dish drift and its alerts, and the advice for the next day
 * (contract: waste.h; keys: WASTE.md).
 *
 * Advice only: every recommendation carries its reasoning in words a
 * kitchen manager can check against the figures, and nothing here writes.
 */
#include "ledger-private.h"

#include <math.h>

#include "canteen-error.h"
#include "waste.h"

/* "No value" (shown as null / —): NAN is a float, the figures are doubles. */
#define NO_VALUE ((gdouble) NAN)

#define NOT_VOIDED "NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id)"
#define MIN_TRAYS_FOR_ADVICE 5       /* fewer weighed trays of a dish: keep its portion */
#define HIGH_LEFTOVER_RATE   0.10    /* more left than this: suggest a smaller portion */
#define SMALLEST_PORTION     0.70    /* never suggest below 70 % of the standard */

static const char * const weekdays[] = { "", "周一", "周二", "周三", "周四", "周五", "周六", "周日" };

static const char *
period_name (const char *id)
{
  if (g_strcmp0 (id, "breakfast") == 0)
    return "早餐";
  if (g_strcmp0 (id, "lunch") == 0)
    return "午餐";
  if (g_strcmp0 (id, "dinner") == 0)
    return "晚餐";
  return "非餐时";
}

static char *
day_string (const GDate *d)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
}

static gdouble
round_to (gdouble value, gdouble unit)
{
  /* Divide by a whole power of ten: x / 10000 is the nearest double to the
   * decimal, where x × 0.0001 may not be (0.12000000000000001). */
  gdouble scale = round (1.0 / unit);

  return round (value * scale) / scale;
}

static void
add_number (JsonBuilder *b, gdouble value)
{
  if (isnan (value))
    json_builder_add_null_value (b);
  else if (value == floor (value) && fabs (value) < 1e15)
    json_builder_add_int_value (b, (gint64) value);
  else
    json_builder_add_double_value (b, value);
}

static GDateWeekday
weekday_of (const char *day)
{
  GDate d;

  return canteen_waste_parse_day (day, "day", &d, NULL) ? g_date_get_weekday (&d) : G_DATE_BAD_WEEKDAY;
}

/* ---- trays: served weight against the sum of standard portions ---------- */

static gboolean
add_trays (CanteenLedger *l, JsonBuilder *b, const char *from, const char *to, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT count(*), COALESCE (sum (s), 0), COALESCE (sum (std), 0), "
    "       COALESCE (sum (CASE WHEN s * 10 > std * 11 THEN 1 ELSE 0 END), 0), "
    "       COALESCE (sum (CASE WHEN s * 10 < std * 9 THEN 1 ELSE 0 END), 0) "
    "  FROM (SELECT p.checkout_id, sum (p.served_g) AS s, sum (d.portion_g) AS std "
    "          FROM checkout_portions p "
    "          JOIN checkout_items i ON i.checkout_id = p.checkout_id AND i.line = p.line "
    "          JOIN dishes d ON d.id = i.dish_id JOIN checkouts c ON c.id = p.checkout_id "
    "         WHERE c.local_day BETWEEN ?1 AND ?2 AND " NOT_VOIDED " GROUP BY p.checkout_id)", error);
  gint64 trays = 0, served = 0, standard = 0, over = 0, under = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      trays = sqlite3_column_int64 (stmt, 0);
      served = sqlite3_column_int64 (stmt, 1);
      standard = sqlite3_column_int64 (stmt, 2);
      over = sqlite3_column_int64 (stmt, 3);
      under = sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      ledger_set_db_error (l, error, "computing served portions");
      return FALSE;
    }
  json_builder_set_member_name (b, "trays");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "weighed");
  json_builder_add_int_value (b, trays);
  json_builder_set_member_name (b, "served_g");
  json_builder_add_int_value (b, served);
  json_builder_set_member_name (b, "standard_g");
  json_builder_add_int_value (b, standard);
  json_builder_set_member_name (b, "ratio");
  add_number (b, standard > 0 ? round_to ((gdouble) served / (gdouble) standard, 0.0001) : NO_VALUE);
  json_builder_set_member_name (b, "over");
  json_builder_add_int_value (b, over);
  json_builder_set_member_name (b, "under");
  json_builder_add_int_value (b, under);
  json_builder_end_object (b);
  return TRUE;
}

/* ---- drift per dish -------------------------------------------------- */

typedef struct {
  char   *dish;
  char   *name;
  gint    standard_g;
  GArray *days;        /* DriftDay, oldest first */
  const char *alert;   /* "over", "under" or NULL */
  gint    days_out;
  gint    of_days;
  gdouble mean_served; /* over the alert window */
} Drift;

typedef struct {
  char   *day;
  gint64  servings;
  gdouble avg_served;
} DriftDay;

static void
drift_day_clear (gpointer p)
{
  g_free (((DriftDay *) p)->day);
}

static void
drift_free (Drift *d)
{
  g_free (d->dish);
  g_free (d->name);
  g_array_unref (d->days);
  g_free (d);
}

/* The last CANTEEN_PORTION_ALERT_WINDOW serving days: an alert when at
 * least CANTEEN_PORTION_ALERT_DAYS of them are off the same way. */
static void
drift_judge (Drift *d)
{
  guint start = d->days->len > CANTEEN_PORTION_ALERT_WINDOW ? d->days->len - CANTEEN_PORTION_ALERT_WINDOW : 0;
  gint over = 0, under = 0;
  gdouble sum = 0.0;

  for (guint i = start; i < d->days->len; i++)
    {
      const DriftDay *day = &g_array_index (d->days, DriftDay, i);
      gdouble drift = (day->avg_served - d->standard_g) / d->standard_g;
      over += drift > CANTEEN_PORTION_TOLERANCE;
      under += drift < -CANTEEN_PORTION_TOLERANCE;
      sum += day->avg_served;
    }
  d->of_days = (gint) (d->days->len - start);
  d->mean_served = d->of_days > 0 ? sum / d->of_days : NO_VALUE;
  if (over >= CANTEEN_PORTION_ALERT_DAYS)
    d->alert = "over", d->days_out = over;
  else if (under >= CANTEEN_PORTION_ALERT_DAYS)
    d->alert = "under", d->days_out = under;
}

static GPtrArray *
load_drift (CanteenLedger *l, const char *from, const char *to, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) drift_free);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT i.dish_id, d.name, d.portion_g, c.local_day, count(*), avg (p.served_g) "
    "  FROM checkout_portions p "
    "  JOIN checkout_items i ON i.checkout_id = p.checkout_id AND i.line = p.line "
    "  JOIN checkouts c ON c.id = p.checkout_id JOIN dishes d ON d.id = i.dish_id "
    " WHERE c.local_day BETWEEN ?1 AND ?2 AND " NOT_VOIDED
    " GROUP BY i.dish_id, c.local_day ORDER BY i.dish_id, c.local_day", error);
  Drift *current = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *dish = (const char *) sqlite3_column_text (stmt, 0);
      DriftDay day;
      if (current == NULL || !g_str_equal (current->dish, dish))
        {
          current = g_new0 (Drift, 1);
          current->dish = g_strdup (dish);
          current->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          current->standard_g = sqlite3_column_int (stmt, 2);
          current->days = g_array_new (FALSE, TRUE, sizeof (DriftDay));
          g_array_set_clear_func (current->days, drift_day_clear);
          g_ptr_array_add (out, current);
        }
      day.day = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      day.servings = sqlite3_column_int64 (stmt, 4);
      day.avg_served = sqlite3_column_double (stmt, 5);
      g_array_append_val (current->days, day);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "computing portion drift");
      return NULL;
    }
  for (guint i = 0; i < out->len; i++)
    drift_judge (g_ptr_array_index (out, i));
  return g_steal_pointer (&out);
}

static char *
alert_text (const Drift *d)
{
  return g_strdup_printf ("%s：最近 %d 个供应日中有 %d 天打菜份量%s标准 %d 克超过 %.0f%%（平均 %.0f 克），请核对打菜勺具和分量标准。",
                          d->name, d->of_days, d->days_out, g_str_equal (d->alert, "over") ? "高于" : "低于",
                          d->standard_g, CANTEEN_PORTION_TOLERANCE * 100.0, d->mean_served);
}

static void
add_drift (JsonBuilder *b, GPtrArray *drift)
{
  json_builder_set_member_name (b, "dishes");
  json_builder_begin_array (b);
  for (guint i = 0; i < drift->len; i++)
    {
      const Drift *d = g_ptr_array_index (drift, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dish");
      json_builder_add_string_value (b, d->dish);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, d->name);
      json_builder_set_member_name (b, "standard_g");
      json_builder_add_int_value (b, d->standard_g);
      json_builder_set_member_name (b, "alert");
      if (d->alert)
        json_builder_add_string_value (b, d->alert);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "days");
      json_builder_begin_array (b);
      for (guint k = 0; k < d->days->len; k++)
        {
          const DriftDay *day = &g_array_index (d->days, DriftDay, k);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "day");
          json_builder_add_string_value (b, day->day);
          json_builder_set_member_name (b, "servings");
          json_builder_add_int_value (b, day->servings);
          json_builder_set_member_name (b, "avg_served_g");
          add_number (b, round_to (day->avg_served, 0.1));
          json_builder_set_member_name (b, "drift_pct");
          add_number (b, round_to ((day->avg_served - d->standard_g) / d->standard_g * 100.0, 0.1));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "alerts");
  json_builder_begin_array (b);
  for (guint i = 0; i < drift->len; i++)
    {
      const Drift *d = g_ptr_array_index (drift, i);
      g_autofree char *text = NULL;
      if (d->alert == NULL)
        continue;
      text = alert_text (d);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dish");
      json_builder_add_string_value (b, d->dish);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, d->name);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, d->alert);
      json_builder_set_member_name (b, "days_out");
      json_builder_add_int_value (b, d->days_out);
      json_builder_set_member_name (b, "of_days");
      json_builder_add_int_value (b, d->of_days);
      json_builder_set_member_name (b, "standard_g");
      json_builder_add_int_value (b, d->standard_g);
      json_builder_set_member_name (b, "mean_served_g");
      add_number (b, round_to (d->mean_served, 0.1));
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, text);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* ---- recommendations ------------------------------------------------- */

typedef struct {
  char  *dish;
  char  *day;
  char  *period;
  gint64 servings;
} Served;

static void
served_clear (gpointer p)
{
  Served *s = p;
  g_free (s->dish);
  g_free (s->day);
  g_free (s->period);
}

typedef struct {
  char  *dish;
  char  *name;
  gint   standard_g;
  gint64 leftover_g;   /* from returned trays with leftover fractions */
  gint64 served_g;
  gint64 trays;
} DishHistory;

static void
dish_history_free (DishHistory *h)
{
  g_free (h->dish);
  g_free (h->name);
  g_free (h);
}

static gboolean
load_history (CanteenLedger *l, const char *from, const char *to, GArray *served, GHashTable *diners,
              GPtrArray *dishes, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ledger_stmt (l, "SELECT i.dish_id, c.local_day, c.period, count(*) FROM checkout_items i "
                         "  JOIN checkouts c ON c.id = i.checkout_id "
                         " WHERE c.local_day BETWEEN ?1 AND ?2 AND " NOT_VOIDED
                         " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Served s = { g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                   g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
                   g_strdup ((const char *) sqlite3_column_text (stmt, 2)), sqlite3_column_int64 (stmt, 3) };
      g_array_append_val (served, s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto db_fail;

  stmt = ledger_stmt (l, "SELECT c.local_day || ' ' || c.period, count(*) FROM " LEDGER_MEALS_SQL " c "
                         " WHERE c.local_day BETWEEN ?1 AND ?2 GROUP BY 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (diners, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         GINT_TO_POINTER (sqlite3_column_int (stmt, 1)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto db_fail;

  stmt = ledger_stmt (l,
    "SELECT d.id, d.name, d.portion_g, "
    "       (SELECT COALESCE (sum (t.leftover_g), 0) FROM tray_leftovers t JOIN tray_returns r ON r.id = t.return_id "
    "         WHERE t.dish_id = d.id AND r.local_day BETWEEN ?1 AND ?2), "
    "       (SELECT COALESCE (sum (t.served_g), 0) FROM tray_leftovers t JOIN tray_returns r ON r.id = t.return_id "
    "         WHERE t.dish_id = d.id AND r.local_day BETWEEN ?1 AND ?2), "
    "       (SELECT count(*) FROM tray_leftovers t JOIN tray_returns r ON r.id = t.return_id "
    "         WHERE t.dish_id = d.id AND r.local_day BETWEEN ?1 AND ?2) "
    "  FROM dishes d WHERE EXISTS (SELECT 1 FROM checkout_items i JOIN checkouts c ON c.id = i.checkout_id "
    "                               WHERE i.dish_id = d.id AND c.local_day BETWEEN ?1 AND ?2) "
    " ORDER BY d.id", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DishHistory *h = g_new0 (DishHistory, 1);
      h->dish = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      h->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      h->standard_g = sqlite3_column_int (stmt, 2);
      h->leftover_g = sqlite3_column_int64 (stmt, 3);
      h->served_g = sqlite3_column_int64 (stmt, 4);
      h->trays = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (dishes, h);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto db_fail;
  return TRUE;

db_fail:
  ledger_set_db_error (l, error, "reading the sales history");
  return FALSE;
}

/* A suggested portion from the leftover rate, with its reason. */
static gint
suggest_portion (const DishHistory *h, const Drift *drift, GString *why)
{
  gint suggested = h->standard_g;

  if (h->trays < MIN_TRAYS_FOR_ADVICE || h->served_g <= 0)
    g_string_append_printf (why, "近%d天只有 %" G_GINT64_FORMAT " 盘有剩余数据（少于 %d 盘），维持标准份量 %d 克。",
                            CANTEEN_WASTE_HISTORY_DAYS, h->trays, MIN_TRAYS_FOR_ADVICE, h->standard_g);
  else
    {
      gdouble rate = (gdouble) h->leftover_g / (gdouble) h->served_g;
      g_string_append_printf (why, "近%d天 %" G_GINT64_FORMAT " 盘剩余 %" G_GINT64_FORMAT " 克 / 供应 %" G_GINT64_FORMAT
                              " 克，剩余率 %.1f%%",
                              CANTEEN_WASTE_HISTORY_DAYS, h->trays, h->leftover_g, h->served_g, rate * 100.0);
      if (rate > HIGH_LEFTOVER_RATE)
        {
          /* Take off what is left beyond the clean-plate allowance, in 5 g steps. */
          gint cut = (gint) (round (h->standard_g * (1.0 - rate + CANTEEN_CLEAN_PLATE_SHARE) / 5.0) * 5.0);
          gint floor_g = (gint) (ceil (h->standard_g * SMALLEST_PORTION / 5.0) * 5.0);
          suggested = MAX (MIN (cut, h->standard_g), floor_g);
          g_string_append_printf (why, "，高于 %.0f%%：建议每份由 %d 克减至 %d 克（按剩余率扣除 %.0f%% 光盘余量后下调%s）。",
                                  HIGH_LEFTOVER_RATE * 100.0, h->standard_g, suggested,
                                  CANTEEN_CLEAN_PLATE_SHARE * 100.0,
                                  suggested == floor_g ? "，最多下调 30%" : "");
        }
      else
        g_string_append_printf (why, "，不高于 %.0f%%：维持标准份量 %d 克。", HIGH_LEFTOVER_RATE * 100.0, h->standard_g);
    }
  if (drift != NULL && drift->alert != NULL)
    g_string_append_printf (why, "注意：实际打菜平均 %.0f 克，%s标准，应先按标准份量打菜。", drift->mean_served,
                            g_str_equal (drift->alert, "over") ? "高于" : "低于");
  return suggested;
}

static void
add_recommendation (JsonBuilder *b, const DishHistory *h, const Drift *drift, GArray *served, GHashTable *diners,
                    const char *next_day, GDateWeekday next_weekday)
{
  g_autoptr(GString) why = g_string_new (NULL);
  gint suggested = suggest_portion (h, drift, why);
  static const char * const periods[] = { "breakfast", "lunch", "dinner", "none" };
  gint64 cooking_total = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dish");
  json_builder_add_string_value (b, h->dish);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, h->name);
  json_builder_set_member_name (b, "standard_g");
  json_builder_add_int_value (b, h->standard_g);
  json_builder_set_member_name (b, "suggested_portion_g");
  json_builder_add_int_value (b, suggested);
  json_builder_set_member_name (b, "leftover_rate");
  add_number (b, h->trays > 0 && h->served_g > 0 ? round_to ((gdouble) h->leftover_g / (gdouble) h->served_g, 0.0001) : NO_VALUE);
  json_builder_set_member_name (b, "next_day");
  json_builder_add_string_value (b, next_day);
  json_builder_set_member_name (b, "cooking");
  json_builder_begin_array (b);
  for (guint p = 0; p < G_N_ELEMENTS (periods); p++)
    {
      gint64 servings = 0, diners_then = 0, same_total = 0, all_total = 0;
      gint same_days = 0, all_days = 0, sold_days = 0;
      gdouble take, expected_diners, expected;
      gint64 cooking;
      GHashTableIter iter;
      gpointer key, value;

      for (guint i = 0; i < served->len; i++)
        {
          const Served *s = &g_array_index (served, Served, i);
          g_autofree char *k = NULL;
          if (!g_str_equal (s->dish, h->dish) || !g_str_equal (s->period, periods[p]))
            continue;
          k = g_strdup_printf ("%s %s", s->day, s->period);
          servings += s->servings;
          diners_then += GPOINTER_TO_INT (g_hash_table_lookup (diners, k));
          sold_days++;
        }
      if (sold_days == 0 || diners_then == 0)
        continue;
      /* Diners of this meal on the same weekday as the next day, else on any day. */
      g_hash_table_iter_init (&iter, diners);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char *k = key;
          if (!g_str_has_suffix (k, periods[p]) || k[10] != ' ' || !g_str_equal (k + 11, periods[p]))
            continue;
          {
            g_autofree char *day = g_strndup (k, 10);
            all_total += GPOINTER_TO_INT (value);
            all_days++;
            if (weekday_of (day) == next_weekday)
              {
                same_total += GPOINTER_TO_INT (value);
                same_days++;
              }
          }
        }
      take = (gdouble) servings / (gdouble) diners_then;
      expected_diners = same_days > 0 ? (gdouble) same_total / same_days : (gdouble) all_total / MAX (all_days, 1);
      expected = expected_diners * take;
      /* Cook in whole 100 g steps, rounded up: a little over beats running out. */
      cooking = (gint64) ceil (round_to (expected * suggested, 0.001) / 100.0) * 100;
      cooking_total += cooking;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "period");
      json_builder_add_string_value (b, periods[p]);
      json_builder_set_member_name (b, "expected_diners");
      add_number (b, round_to (expected_diners, 0.1));
      json_builder_set_member_name (b, "take_rate");
      add_number (b, round_to (take, 0.0001));
      json_builder_set_member_name (b, "expected_servings");
      add_number (b, round_to (expected, 0.1));
      json_builder_set_member_name (b, "cooking_g");
      json_builder_add_int_value (b, cooking);
      json_builder_end_object (b);

      if (same_days > 0)
        g_string_append_printf (why, "%s（%s）%s：近%d个%s平均 %.1f 人就餐",
                                next_day, weekdays[next_weekday], period_name (periods[p]), same_days,
                                weekdays[next_weekday], expected_diners);
      else
        g_string_append_printf (why, "%s（%s）%s：近%d天无%s数据，按近%d个供应日平均 %.1f 人就餐",
                                next_day, weekdays[next_weekday], period_name (periods[p]), CANTEEN_WASTE_HISTORY_DAYS,
                                weekdays[next_weekday], all_days, expected_diners);
      g_string_append_printf (why, "，点选率 %.1f%%（%" G_GINT64_FORMAT " 份 / %" G_GINT64_FORMAT " 人次），"
                              "预计 %.1f 份 × %d 克，建议备餐 %" G_GINT64_FORMAT " 克。",
                              take * 100.0, servings, diners_then, expected, suggested, cooking);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cooking_g");
  json_builder_add_int_value (b, cooking_total);
  g_string_append (why, "仅供参考，不会自动修改份量或采购。");
  json_builder_set_member_name (b, "reasoning");
  json_builder_add_string_value (b, why->str);
  json_builder_end_object (b);
}

JsonNode *
canteen_waste_portions (CanteenLedger *l, const char *as_of, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) drift = NULL;
  g_autoptr(GArray) served = g_array_new (FALSE, TRUE, sizeof (Served));
  g_autoptr(GHashTable) diners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) dish_history_free);
  g_autofree char *from = NULL, *next_day = NULL;
  GDate end, start, next;

  g_array_set_clear_func (served, served_clear);
  if (!canteen_waste_parse_day (as_of, "as-of", &end, error))
    return NULL;
  start = end;
  g_date_subtract_days (&start, CANTEEN_WASTE_HISTORY_DAYS - 1);
  next = end;
  g_date_add_days (&next, 1);
  from = day_string (&start);
  next_day = day_string (&next);

  drift = load_drift (l, from, as_of, error);
  if (drift == NULL || !load_history (l, from, as_of, served, diners, dishes, error))
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "as_of");
  json_builder_add_string_value (b, as_of);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from);
  if (!add_trays (l, b, from, as_of, error))
    return NULL;
  add_drift (b, drift);
  json_builder_set_member_name (b, "recommendations");
  json_builder_begin_array (b);
  for (guint i = 0; i < dishes->len; i++)
    {
      const DishHistory *h = g_ptr_array_index (dishes, i);
      const Drift *d = NULL;
      for (guint k = 0; k < drift->len && d == NULL; k++)
        if (g_str_equal (((Drift *) g_ptr_array_index (drift, k))->dish, h->dish))
          d = g_ptr_array_index (drift, k);
      add_recommendation (b, h, d, served, diners, next_day, g_date_get_weekday (&next));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
