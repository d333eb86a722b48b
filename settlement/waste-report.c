/* waste-report.c — the indicators of the anti-waste self-evaluation for a
 * span of local days, against the span of equal length just before it
 * (contract: waste.h; keys: WASTE.md).
 *
 * Every figure is computed by SQL over the append-only rows, so the same
 * ledger always gives the same report. Ratios are rounded here (grams to
 * 0.1, rates to 0.0001, changes to 0.1 %) so JSON, CSV and PDF show the
 * same numbers.
 */
#include "ledger-private.h"

#include <math.h>

#include "canteen-error.h"
#include "waste.h"

/* "No value" (shown as null / —): NAN is a float, the figures are doubles. */
#define NO_VALUE ((gdouble) NAN)

#define REPORT_MAX_DAYS 400
#define TOP_DISHES      10

/* Checkouts that were meals: voided ones were not served. */
/* The newest kitchen row of each day (corrections are new rows). */
#define KITCHEN_LATEST "k.id = (SELECT max (k2.id) FROM kitchen_days k2 WHERE k2.day = k.day)"
/* Clean plate (光盘): leftover ≤ 5 % of served, in whole grams. */
#define CLEAN "CASE WHEN served_g IS NOT NULL AND leftover_g * 20 <= served_g THEN 1 ELSE 0 END"

static gdouble
round_to (gdouble value, gdouble unit)
{
  /* Divide by a whole power of ten: x / 10000 is the nearest double to the
   * decimal, where x × 0.0001 may not be (0.12000000000000001). */
  gdouble scale = round (1.0 / unit);

  return round (value * scale) / scale;
}

typedef struct {
  gint64 diners;
  gint64 returns;
  gint64 matched;
  gint64 leftover_g;
  gint64 matched_leftover_g;
  gint64 served_g;
  gint64 clean;
  gint64 with_served;
  gint64 kitchen_days;
  gint64 purchased_g;
  gint64 kitchen_waste_g;
  gint64 diners_planned;
} Figures;

/* Runs `sql` with ?1 = from, ?2 = to and reads int64 columns into `out`. */
static gboolean
query_row (CanteenLedger *l, const char *sql, const char *from, const char *to, gint64 **out, guint n,
           GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (guint i = 0; i < n; i++)
      *out[i] = sqlite3_column_int64 (stmt, (int) i);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      ledger_set_db_error (l, error, "computing the waste report");
      return FALSE;
    }
  return TRUE;
}

static gboolean
period_figures (CanteenLedger *l, const char *from, const char *to, Figures *f, GError **error)
{
  gint64 *diners[] = { &f->diners };
  gint64 *returns[] = { &f->returns, &f->matched, &f->leftover_g, &f->matched_leftover_g, &f->served_g,
                        &f->clean, &f->with_served };
  gint64 *kitchen[] = { &f->kitchen_days, &f->purchased_g, &f->kitchen_waste_g, &f->diners_planned };

  memset (f, 0, sizeof *f);
  return query_row (l, "SELECT count(*) FROM " LEDGER_MEALS_SQL " c WHERE c.local_day BETWEEN ?1 AND ?2",
                    from, to, diners, G_N_ELEMENTS (diners), error) &&
         query_row (l, "SELECT count(*), count(checkout_id), COALESCE (sum (leftover_g), 0), "
                       "       COALESCE (sum (CASE WHEN checkout_id IS NOT NULL THEN leftover_g END), 0), "
                       "       COALESCE (sum (served_g), 0), COALESCE (sum (" CLEAN "), 0), count(served_g) "
                       "  FROM tray_returns WHERE local_day BETWEEN ?1 AND ?2",
                    from, to, returns, G_N_ELEMENTS (returns), error) &&
         query_row (l, "SELECT count(*), COALESCE (sum (purchased_g), 0), COALESCE (sum (kitchen_waste_g), 0), "
                       "       COALESCE (sum (diners_planned), 0) "
                       "  FROM kitchen_days k WHERE k.day BETWEEN ?1 AND ?2 AND " KITCHEN_LATEST,
                    from, to, kitchen, G_N_ELEMENTS (kitchen), error);
}

/* NO_VALUE when the ratio has no denominator: shown as null / "—". */
static gdouble
ratio (gint64 num, gint64 den, gdouble unit)
{
  return den > 0 ? round_to ((gdouble) num / (gdouble) den, unit) : NO_VALUE;
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

static void
add_indicator (JsonBuilder *b, const char *key, const char *label, const char *unit, gdouble value,
               gdouble previous)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, label);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, unit);
  json_builder_set_member_name (b, "value");
  add_number (b, value);
  json_builder_set_member_name (b, "previous");
  add_number (b, previous);
  json_builder_set_member_name (b, "change_pct");
  add_number (b, isnan (value) || isnan (previous) || previous == 0.0
                   ? NO_VALUE : round_to ((value - previous) / previous * 100.0, 0.1));
  json_builder_end_object (b);
}

static void
add_indicators (JsonBuilder *b, const Figures *c, const Figures *p)
{
  json_builder_set_member_name (b, "indicators");
  json_builder_begin_object (b);
  add_indicator (b, "waste_g_per_meal", "人均每餐剩余（克）", "g",
                 ratio (c->leftover_g, c->returns, 0.1), ratio (p->leftover_g, p->returns, 0.1));
  add_indicator (b, "clean_plate_rate", "光盘率", "ratio",
                 ratio (c->clean, c->with_served, 0.0001), ratio (p->clean, p->with_served, 0.0001));
  add_indicator (b, "leftover_rate", "剩余率（剩余/供应）", "ratio",
                 ratio (c->matched_leftover_g, c->served_g, 0.0001), ratio (p->matched_leftover_g, p->served_g, 0.0001));
  add_indicator (b, "leftover_g", "退盘剩余合计（克）", "g", (gdouble) c->leftover_g, (gdouble) p->leftover_g);
  add_indicator (b, "diners", "实际就餐人次", "meals", (gdouble) c->diners, (gdouble) p->diners);
  add_indicator (b, "diners_planned", "计划就餐人次", "meals",
                 c->kitchen_days ? (gdouble) c->diners_planned : NO_VALUE,
                 p->kitchen_days ? (gdouble) p->diners_planned : NO_VALUE);
  add_indicator (b, "returns", "退盘数", "trays", (gdouble) c->returns, (gdouble) p->returns);
  add_indicator (b, "unmatched_returns", "未匹配退盘数", "trays",
                 (gdouble) (c->returns - c->matched), (gdouble) (p->returns - p->matched));
  add_indicator (b, "return_rate", "退盘称重覆盖率", "ratio",
                 ratio (c->matched, c->diners, 0.0001), ratio (p->matched, p->diners, 0.0001));
  add_indicator (b, "food_purchased_g", "食材采购量（克）", "g",
                 c->kitchen_days ? (gdouble) c->purchased_g : NO_VALUE, p->kitchen_days ? (gdouble) p->purchased_g : NO_VALUE);
  add_indicator (b, "kitchen_waste_g", "后厨损耗（克）", "g",
                 c->kitchen_days ? (gdouble) c->kitchen_waste_g : NO_VALUE,
                 p->kitchen_days ? (gdouble) p->kitchen_waste_g : NO_VALUE);
  add_indicator (b, "kitchen_waste_g_per_day", "日均后厨损耗（克）", "g",
                 ratio (c->kitchen_waste_g, c->kitchen_days, 0.1), ratio (p->kitchen_waste_g, p->kitchen_days, 0.1));
  json_builder_end_object (b);
}

static gboolean
add_by_meal (CanteenLedger *l, JsonBuilder *b, const char *from, const char *to, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "WITH d AS (SELECT c.local_day AS day, c.period, count(*) AS diners FROM " LEDGER_MEALS_SQL " c "
    "            WHERE c.local_day BETWEEN ?1 AND ?2 GROUP BY 1, 2), "
    "     r AS (SELECT local_day AS day, period, count(*) AS returns, count(checkout_id) AS matched, "
    "                  sum (leftover_g) AS leftover, sum (" CLEAN ") AS clean, count(served_g) AS with_served "
    "             FROM tray_returns WHERE local_day BETWEEN ?1 AND ?2 GROUP BY 1, 2), "
    "     k AS (SELECT day, period FROM d UNION SELECT day, period FROM r) "
    "SELECT k.day, k.period, COALESCE (d.diners, 0), COALESCE (r.returns, 0), COALESCE (r.matched, 0), "
    "       COALESCE (r.leftover, 0), COALESCE (r.clean, 0), COALESCE (r.with_served, 0) "
    "  FROM k LEFT JOIN d ON d.day = k.day AND d.period = k.period "
    "         LEFT JOIN r ON r.day = k.day AND r.period = k.period "
    " ORDER BY k.day, CASE k.period WHEN 'breakfast' THEN 0 WHEN 'lunch' THEN 1 WHEN 'dinner' THEN 2 ELSE 3 END",
    error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  json_builder_set_member_name (b, "by_meal");
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 returns = sqlite3_column_int64 (stmt, 3), leftover = sqlite3_column_int64 (stmt, 5);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "day");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (b, "period");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 1));
      json_builder_set_member_name (b, "diners");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 2));
      json_builder_set_member_name (b, "returns");
      json_builder_add_int_value (b, returns);
      json_builder_set_member_name (b, "unmatched_returns");
      json_builder_add_int_value (b, returns - sqlite3_column_int64 (stmt, 4));
      json_builder_set_member_name (b, "leftover_g");
      json_builder_add_int_value (b, leftover);
      json_builder_set_member_name (b, "waste_g_per_meal");
      add_number (b, ratio (leftover, returns, 0.1));
      json_builder_set_member_name (b, "clean_plate_rate");
      add_number (b, ratio (sqlite3_column_int64 (stmt, 6), sqlite3_column_int64 (stmt, 7), 0.0001));
      json_builder_end_object (b);
    }
  sqlite3_reset (stmt);
  json_builder_end_array (b);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "computing waste by meal");
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_kitchen (CanteenLedger *l, JsonBuilder *b, const char *from, const char *to, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT k.day, k.purchased_g, k.kitchen_waste_g, k.diners_planned, "
    "       (SELECT count(*) FROM " LEDGER_MEALS_SQL " c WHERE c.local_day = k.day) "
    "  FROM kitchen_days k WHERE k.day BETWEEN ?1 AND ?2 AND " KITCHEN_LATEST " ORDER BY k.day", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  json_builder_set_member_name (b, "kitchen");
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "day");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (b, "food_purchased_g");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 1));
      json_builder_set_member_name (b, "kitchen_waste_g");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 2));
      json_builder_set_member_name (b, "diners_planned");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 3));
      json_builder_set_member_name (b, "diners");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 4));
      json_builder_end_object (b);
    }
  sqlite3_reset (stmt);
  json_builder_end_array (b);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading the kitchen's figures");
      return FALSE;
    }
  return TRUE;
}

/* Leftover grams per dish (by_category FALSE) or per category in a span. */
static const char *
grouped_sql (gboolean by_category)
{
  return by_category
    ? "SELECT d.category, '', d.category, sum (t.leftover_g), sum (t.served_g), count(*) "
      "  FROM tray_leftovers t JOIN tray_returns r ON r.id = t.return_id JOIN dishes d ON d.id = t.dish_id "
      " WHERE r.local_day BETWEEN ?1 AND ?2 GROUP BY d.category ORDER BY 4 DESC, 1"
    : "SELECT t.dish_id, d.name, d.category, sum (t.leftover_g), sum (t.served_g), count(*) "
      "  FROM tray_leftovers t JOIN tray_returns r ON r.id = t.return_id JOIN dishes d ON d.id = t.dish_id "
      " WHERE r.local_day BETWEEN ?1 AND ?2 GROUP BY t.dish_id ORDER BY 4 DESC, 1";
}

static GHashTable *
previous_grams (CanteenLedger *l, gboolean by_category, const char *from, const char *to, GError **error)
{
  g_autoptr(GHashTable) out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt = ledger_stmt (l, grouped_sql (by_category), error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *grams = g_new (gint64, 1);
      *grams = sqlite3_column_int64 (stmt, 3);
      g_hash_table_insert (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), grams);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "computing leftovers by dish");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static gboolean
add_grouped (CanteenLedger *l, JsonBuilder *b, gboolean by_category, const char *from, const char *to,
             const char *prev_from, const char *prev_to, gint64 *out_attributed, GError **error)
{
  g_autoptr(GHashTable) previous = previous_grams (l, by_category, prev_from, prev_to, error);
  sqlite3_stmt *stmt;
  gint64 total = 0;
  int rc, n = 0;

  if (previous == NULL)
    return FALSE;
  /* Shares need the total first. */
  stmt = ledger_stmt (l, "SELECT COALESCE (sum (t.leftover_g), 0) FROM tray_leftovers t "
                         "  JOIN tray_returns r ON r.id = t.return_id WHERE r.local_day BETWEEN ?1 AND ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    total = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (out_attributed)
    *out_attributed = total;

  stmt = ledger_stmt (l, grouped_sql (by_category), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  json_builder_set_member_name (b, by_category ? "by_category" : "top_dishes");
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      gint64 leftover = sqlite3_column_int64 (stmt, 3), served = sqlite3_column_int64 (stmt, 4);
      gint64 *before = g_hash_table_lookup (previous, key);

      if (!by_category && n++ >= TOP_DISHES)
        continue;
      json_builder_begin_object (b);
      if (!by_category)
        {
          json_builder_set_member_name (b, "dish");
          json_builder_add_string_value (b, key);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 1));
        }
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (b, "trays");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 5));
      json_builder_set_member_name (b, "leftover_g");
      json_builder_add_int_value (b, leftover);
      json_builder_set_member_name (b, "served_g");
      json_builder_add_int_value (b, served);
      json_builder_set_member_name (b, "leftover_rate");
      add_number (b, ratio (leftover, served, 0.0001));
      json_builder_set_member_name (b, "share");
      add_number (b, ratio (leftover, total, 0.0001));
      json_builder_set_member_name (b, "previous_leftover_g");
      if (before)
        json_builder_add_int_value (b, *before);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  sqlite3_reset (stmt);
  json_builder_end_array (b);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "computing leftovers by dish");
      return FALSE;
    }
  return TRUE;
}

static char *
day_string (const GDate *d)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
}

JsonNode *
canteen_waste_report (CanteenLedger *l, const char *from, const char *to, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *prev_from = NULL, *prev_to = NULL;
  g_autoptr(JsonNode) portions = NULL;
  GDate a, z, pa, pz;
  Figures current, previous;
  gint days;
  gint64 attributed = 0;

  if (!canteen_waste_parse_day (from, "from", &a, error) || !canteen_waste_parse_day (to, "to", &z, error))
    return NULL;
  days = g_date_days_between (&a, &z) + 1;
  if (days < 1 || days > REPORT_MAX_DAYS)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "to: the report spans 1..%d days from --from to --to (got %d)", REPORT_MAX_DAYS, days);
      return NULL;
    }
  if (ledger_agency (l) == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return NULL;
    }
  pz = a;
  g_date_subtract_days (&pz, 1);
  pa = a;
  g_date_subtract_days (&pa, (guint) days);
  prev_from = day_string (&pa);
  prev_to = day_string (&pz);

  if (!period_figures (l, from, to, &current, error) ||
      !period_figures (l, prev_from, prev_to, &previous, error))
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "canteen");
  json_builder_add_string_value (b, ledger_canteen (l));
  json_builder_set_member_name (b, "agency");
  json_builder_add_string_value (b, ledger_agency (l));
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to);
  json_builder_set_member_name (b, "days");
  json_builder_add_int_value (b, days);
  json_builder_set_member_name (b, "previous_from");
  json_builder_add_string_value (b, prev_from);
  json_builder_set_member_name (b, "previous_to");
  json_builder_add_string_value (b, prev_to);
  add_indicators (b, &current, &previous);
  if (!add_by_meal (l, b, from, to, error) ||
      !add_kitchen (l, b, from, to, error) ||
      !add_grouped (l, b, FALSE, from, to, prev_from, prev_to, &attributed, error) ||
      !add_grouped (l, b, TRUE, from, to, prev_from, prev_to, NULL, error))
    return NULL;
  json_builder_set_member_name (b, "unattributed_leftover_g");
  json_builder_add_int_value (b, current.leftover_g - attributed);
  portions = canteen_waste_portions (l, to, error);
  if (portions == NULL)
    return NULL;
  json_builder_set_member_name (b, "portions");
  json_builder_add_value (b, g_steal_pointer (&portions));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- CSV ------------------------------------------------------------- */

static void
csv_field (GString *out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
csv_value (GString *out, JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      /* The JSON's rounding makes %.10g exact enough and short. */
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.10g", json_node_get_double (node)));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
    default:
      csv_field (out, json_node_get_string (node) ? json_node_get_string (node) : "");
      break;
    }
}

/* One section: "# name", a header of `columns`, a row per array element. */
static void
csv_table (GString *out, const char *name, JsonArray *rows, const char * const *columns)
{
  g_string_append_printf (out, "# %s\r\n", name);
  for (guint c = 0; columns[c]; c++)
    g_string_append_printf (out, "%s%s", c ? "," : "", columns[c]);
  g_string_append (out, "\r\n");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      for (guint c = 0; columns[c]; c++)
        {
          if (c)
            g_string_append_c (out, ',');
          csv_value (out, json_object_get_member (row, columns[c]));
        }
      g_string_append (out, "\r\n");
    }
  g_string_append (out, "\r\n");
}

char *
canteen_waste_report_to_csv (JsonNode *report)
{
  static const char * const indicator_cols[] = { "indicator", "label", "unit", "value", "previous", "change_pct", NULL };
  static const char * const meal_cols[] = { "day", "period", "diners", "returns", "unmatched_returns", "leftover_g",
                                            "waste_g_per_meal", "clean_plate_rate", NULL };
  static const char * const kitchen_cols[] = { "day", "food_purchased_g", "kitchen_waste_g", "diners_planned", "diners", NULL };
  static const char * const dish_cols[] = { "dish", "name", "category", "trays", "leftover_g", "served_g",
                                            "leftover_rate", "share", "previous_leftover_g", NULL };
  static const char * const category_cols[] = { "category", "trays", "leftover_g", "served_g", "leftover_rate",
                                                "share", "previous_leftover_g", NULL };
  static const char * const alert_cols[] = { "dish", "name", "direction", "days_out", "of_days", "text", NULL };
  static const char * const rec_cols[] = { "dish", "name", "standard_g", "suggested_portion_g", "next_day",
                                           "cooking_g", "reasoning", NULL };
  JsonObject *o = json_node_get_object (report);
  JsonObject *indicators = json_object_get_object_member (o, "indicators");
  JsonObject *portions = json_object_get_object_member (o, "portions");
  g_autoptr(JsonArray) flat = json_array_new ();
  GString *out = g_string_new (NULL);
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  g_string_append (out, "# report\r\ncanteen,from,to,days,previous_from,previous_to\r\n");
  csv_value (out, json_object_get_member (o, "canteen"));
  for (const char * const *k = (const char * const[]) { "from", "to", "days", "previous_from", "previous_to", NULL }; *k; k++)
    {
      g_string_append_c (out, ',');
      csv_value (out, json_object_get_member (o, *k));
    }
  g_string_append (out, "\r\n\r\n");

  /* Indicators are an object keyed by name: flatten with the key as a column. */
  json_object_iter_init_ordered (&iter, indicators);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      JsonObject *row = json_object_new ();
      JsonObject *src = json_node_get_object (member);
      json_object_set_string_member (row, "indicator", key);
      for (guint c = 1; indicator_cols[c]; c++)
        json_object_set_member (row, indicator_cols[c], json_node_copy (json_object_get_member (src, indicator_cols[c])));
      json_array_add_object_element (flat, row);
    }
  csv_table (out, "indicators", flat, indicator_cols);
  csv_table (out, "by_meal", json_object_get_array_member (o, "by_meal"), meal_cols);
  csv_table (out, "kitchen", json_object_get_array_member (o, "kitchen"), kitchen_cols);
  csv_table (out, "top_dishes", json_object_get_array_member (o, "top_dishes"), dish_cols);
  csv_table (out, "by_category", json_object_get_array_member (o, "by_category"), category_cols);
  if (portions != NULL)
    {
      csv_table (out, "portion_alerts", json_object_get_array_member (portions, "alerts"), alert_cols);
      csv_table (out, "recommendations", json_object_get_array_member (portions, "recommendations"), rec_cols);
    }
  return g_string_free (out, FALSE);
}
