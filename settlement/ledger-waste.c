/* ledger-waste.c — recording returned trays, the kitchen's daily figures
 * and served portions (contract: waste.h).
 *
 * Matching never guesses: a tray is attached to a checkout only by its id
 * (given, or found from the tray's own tag: the latest unreturned checkout
 * served on that tray in the meal period) or by the card's own checkout in
 * the meal period; anything else is kept
 * as an unmatched return, because a wrong attribution would put one
 * diner's leftovers on another's record.
 */
#include "ledger-private.h"

#include <math.h>
#include <string.h>

#include "canteen-error.h"
#include "validate.h"
#include "waste.h"

#define LEFTOVERS_MAX 32

static const char * const match_ids[] = { "checkout", "card", "card_latest", "unmatched" };

const char *
canteen_tray_match_id (CanteenTrayMatch match)
{
  return match >= 0 && match < (CanteenTrayMatch) G_N_ELEMENTS (match_ids) ? match_ids[match] : "unmatched";
}

static CanteenTrayMatch
match_from_id (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (match_ids); i++)
    if (g_strcmp0 (id, match_ids[i]) == 0)
      return (CanteenTrayMatch) i;
  return CANTEEN_TRAY_MATCH_UNMATCHED;
}

static void
dish_leftover_free (CanteenDishLeftover *d)
{
  g_free (d->dish_id);
  g_free (d);
}

void
canteen_tray_return_free (CanteenTrayReturn *r)
{
  if (r == NULL)
    return;
  g_free (r->return_id);
  g_free (r->checkout_id);
  g_free (r->card);
  g_free (r->local_day);
  g_clear_pointer (&r->dishes, g_ptr_array_unref);
  g_free (r);
}

JsonNode *
canteen_tray_return_to_json (const CanteenTrayReturn *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "return_id");
  json_builder_add_string_value (b, r->return_id);
  json_builder_set_member_name (b, "checkout_id");
  if (r->checkout_id)
    json_builder_add_string_value (b, r->checkout_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "card");
  if (r->card)
    json_builder_add_string_value (b, r->card);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "match");
  json_builder_add_string_value (b, canteen_tray_match_id (r->match));
  json_builder_set_member_name (b, "day");
  json_builder_add_string_value (b, r->local_day);
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, canteen_meal_period_id (r->period));
  json_builder_set_member_name (b, "weight_g");
  json_builder_add_int_value (b, r->weight_g);
  json_builder_set_member_name (b, "tare_g");
  json_builder_add_int_value (b, r->tare_g);
  json_builder_set_member_name (b, "leftover_g");
  json_builder_add_int_value (b, r->leftover_g);
  json_builder_set_member_name (b, "served_g");
  if (r->served_g >= 0)
    json_builder_add_int_value (b, r->served_g);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "clean_plate");
  json_builder_add_boolean_value (b, r->clean_plate);
  json_builder_set_member_name (b, "replayed");
  json_builder_add_boolean_value (b, r->replayed);
  json_builder_set_member_name (b, "dishes");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->dishes->len; i++)
    {
      const CanteenDishLeftover *d = g_ptr_array_index (r->dishes, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dish");
      json_builder_add_string_value (b, d->dish_id);
      json_builder_set_member_name (b, "fraction");
      json_builder_add_double_value (b, d->fraction);
      json_builder_set_member_name (b, "served_g");
      json_builder_add_int_value (b, d->served_g);
      json_builder_set_member_name (b, "leftover_g");
      json_builder_add_int_value (b, d->leftover_g);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
canteen_waste_parse_day (const char *text, const char *field, GDate *out, GError **error)
{
  guint64 y = 0, m = 0, d = 0;
  g_auto(GStrv) parts = NULL;

  if (text != NULL && strlen (text) == 10 && text[4] == '-' && text[7] == '-')
    {
      parts = g_strsplit (text, "-", 3);
      if (g_ascii_string_to_unsigned (parts[0], 10, 1900, 9999, &y, NULL) &&
          g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &m, NULL) &&
          g_ascii_string_to_unsigned (parts[2], 10, 1, 31, &d, NULL) &&
          g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        {
          if (out)
            g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
          return TRUE;
        }
    }
  {
    g_autofree char *shown = canteen_text_excerpt (text ? text : "", 20);
    g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                 "%s: “%s” is not a date (YYYY-MM-DD)", field, shown);
  }
  return FALSE;
}

/* ---- checking a request before anything is opened --------------------- */

static gboolean
check_weights (const CanteenTrayReturnRequest *q, GError **error)
{
  if (q->weight_g < 0 || q->tare_g < 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "weight: %d g with a tray of %d g; weights cannot be negative", q->weight_g, q->tare_g);
      return FALSE;
    }
  if (q->weight_g > CANTEEN_TRAY_MAX_G)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "weight: %d g is over %d g for one tray; check the scale", q->weight_g, CANTEEN_TRAY_MAX_G);
      return FALSE;
    }
  if (q->tare_g > q->weight_g)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "weight: %d g is less than the empty tray (%d g); check the scale's tare",
                   q->weight_g, q->tare_g);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_request (const CanteenTrayReturnRequest *q, char **out_card, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!check_weights (q, error))
    return FALSE;
  if (q->return_id != NULL && !canteen_check_key (q->return_id, "return", error))
    return FALSE;
  if (q->checkout_id != NULL && !canteen_check_key (q->checkout_id, "checkout", error))
    return FALSE;
  if (q->card != NULL && (*out_card = canteen_card_normalize (q->card, error)) == NULL)
    return FALSE;
  if (q->image_sha256 != NULL)
    {
      gboolean ok = strlen (q->image_sha256) == 64;
      for (const char *c = q->image_sha256; ok && *c; c++)
        ok = g_ascii_isxdigit (*c) && !g_ascii_isupper (*c);
      if (!ok)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "image: the SHA-256 must be 64 lower-case hex digits");
          return FALSE;
        }
    }
  if (q->n_leftovers > LEFTOVERS_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "leftover: at most %d dishes on one tray", LEFTOVERS_MAX);
      return FALSE;
    }
  for (guint i = 0; i < q->n_leftovers; i++)
    {
      const CanteenLeftoverInput *in = &q->leftovers[i];
      if (!canteen_check_id (in->dish_id, "leftover", error))
        return FALSE;
      if (!isfinite (in->fraction) || in->fraction < 0.0 || in->fraction > 1.0 ||
          !isfinite (in->estimate_g) || in->estimate_g > CANTEEN_TRAY_MAX_G)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                       "leftover: %s: the fraction must be 0..1 (and an estimate at most %d g)",
                       in->dish_id, CANTEEN_TRAY_MAX_G);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) in->dish_id))
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_DUPLICATE,
                       "leftover: %s is named twice", in->dish_id);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
return_request_hash (const CanteenTrayReturnRequest *q, const char *card)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n%s\n%d\n%d\n%s", q->checkout_id ? q->checkout_id : "",
                          card ? card : "", q->weight_g, q->tare_g, q->image_sha256 ? q->image_sha256 : "");
  for (guint i = 0; i < q->n_leftovers; i++)
    g_string_append_printf (text, "\n%s=%.6f/%.3f", q->leftovers[i].dish_id, q->leftovers[i].fraction,
                            MAX (q->leftovers[i].estimate_g, 0.0));
  return ledger_sha256_hex ("tray-return\n", text->str);
}

/* ---- matching ---------------------------------------------------------- */

/* The meal a return belongs to: the period in progress, or the last one
 * that started today (trays come back after the counter closes). */
static CanteenMealPeriod
return_period (const CanteenMealConfig *meals, GDateTime *local)
{
  CanteenMealPeriod now = canteen_meal_config_period_at (meals, local);
  gint minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  CanteenMealPeriod best = CANTEEN_MEAL_NONE;

  if (now != CANTEEN_MEAL_NONE)
    return now;
  for (int p = 0; p < CANTEEN_MEAL_N_PERIODS; p++)
    if (meals->times[p].start_min <= minute &&
        (best == CANTEEN_MEAL_NONE || meals->times[p].start_min > meals->times[best].start_min))
      best = (CanteenMealPeriod) p;
  return best;
}

typedef struct {
  char             *checkout_id;
  char             *card;
  char             *local_day;
  CanteenMealPeriod period;
  CanteenTrayMatch  match;
} Match;

static void
match_clear (Match *m)
{
  g_clear_pointer (&m->checkout_id, g_free);
  g_clear_pointer (&m->card, g_free);
  g_clear_pointer (&m->local_day, g_free);
}

/* By id: FALSE only on a database error; m->checkout_id stays NULL when the
 * id is unknown or voided. */
static gboolean
match_by_id (CanteenLedger *l, const char *id, Match *m, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT c.card, c.local_day, c.period FROM checkouts c WHERE c.id = ?1 "
    "   AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      m->checkout_id = g_strdup (id);
      m->card = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      m->local_day = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->period = canteen_meal_period_from_id ((const char *) sqlite3_column_text (stmt, 2));
      m->match = CANTEEN_TRAY_MATCH_CHECKOUT;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "matching a returned tray");
      return FALSE;
    }
  return TRUE;
}

static gboolean
match_by_card (CanteenLedger *l, const char *card, const char *day, CanteenMealPeriod period,
               Match *m, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT c.id FROM checkouts c WHERE c.card = ?1 AND c.local_day = ?2 AND c.period = ?3 "
    "   AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id) "
    " ORDER BY c.created_utc DESC, c.id DESC", error);
  int rc, n = 0;

  if (stmt == NULL)
    return FALSE;
  if (period == CANTEEN_MEAL_NONE)
    return TRUE;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, canteen_meal_period_id (period), -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (n++ == 0)
      m->checkout_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "matching a returned tray by card");
      return FALSE;
    }
  if (n > 0)
    {
      m->card = g_strdup (card);
      m->local_day = g_strdup (day);
      m->period = period;
      m->match = n == 1 ? CANTEEN_TRAY_MATCH_CARD : CANTEEN_TRAY_MATCH_CARD_LATEST;
    }
  return TRUE;
}

/* TRUE (error set) only when the lookup failed; *out_return names the
 * return that already took the checkout, if any. */
static gboolean
already_returned (CanteenLedger *l, const char *checkout_id, char **out_return, GError **error)
{
  return !ledger_lookup_text (l, "SELECT id FROM tray_returns WHERE checkout_id = ?1", checkout_id,
                              "looking up returned trays", out_return, error);
}

static CanteenTrayReturn *load_return (CanteenLedger *l, const char *id, char **out_hash, GError **error);

/* The checkout a return at `local` goes with, by the rules of waste.h:
 * the tag, else the card's checkout in the meal period, else unmatched
 * (m->checkout_id NULL, the day and period of the return). FALSE (error
 * set) on a database error or a CONFLICT: another card's tag, or a
 * checkout returned already. `card` is normalised. */
static gboolean
resolve_match (CanteenLedger *l, const char *checkout_id, const char *card, GDateTime *local, Match *m,
               GError **error)
{
  g_autofree char *earlier = NULL;
  CanteenMealConfig meals;

  if (!canteen_ledger_get_meal_config (l, &meals, error))
    return FALSE;
  if (checkout_id != NULL && !match_by_id (l, checkout_id, m, error))
    return FALSE;
  if (m->checkout_id != NULL && card != NULL && g_strcmp0 (card, m->card) != 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "return: the tray's checkout %s was paid by another card than %s; not attached",
                   checkout_id, card);
      return FALSE;
    }
  if (m->checkout_id == NULL && card != NULL)
    {
      g_autofree char *today = g_date_time_format (local, "%Y-%m-%d");
      if (!match_by_card (l, card, today, return_period (&meals, local), m, error))
        return FALSE;
    }
  if (m->checkout_id == NULL)
    {
      match_clear (m);
      m->match = CANTEEN_TRAY_MATCH_UNMATCHED;
      m->local_day = g_date_time_format (local, "%Y-%m-%d");
      m->period = return_period (&meals, local);
      return TRUE;
    }
  if (already_returned (l, m->checkout_id, &earlier, error))
    return FALSE;
  if (earlier != NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "return: checkout %s was already returned (return %s)", m->checkout_id, earlier);
      return FALSE;
    }
  return TRUE;
}

char *
canteen_waste_find_checkout (CanteenLedger *l, const char *return_id, const char *checkout_id, const char *card,
                             GDateTime *now, CanteenTrayMatch *out_match, GError **error)
{
  g_autofree char *normal = NULL;
  g_autoptr(GDateTime) local = NULL;
  Match m = { NULL, NULL, NULL, CANTEEN_MEAL_NONE, CANTEEN_TRAY_MATCH_UNMATCHED };
  char *found;

  g_return_val_if_fail (now != NULL, NULL);
  if (checkout_id != NULL && !canteen_check_key (checkout_id, "checkout", error))
    return NULL;
  if (card != NULL && (normal = canteen_card_normalize (card, error)) == NULL)
    return NULL;
  /* A retry of a recorded return: the answer it had. */
  if (return_id != NULL)
    {
      g_autoptr(CanteenTrayReturn) recorded = NULL;
      if (!canteen_check_key (return_id, "return", error))
        return NULL;
      recorded = load_return (l, return_id, NULL, NULL);
      if (recorded != NULL)
        {
          if (out_match != NULL)
            *out_match = recorded->match;
          return g_steal_pointer (&recorded->checkout_id);
        }
    }
  local = g_date_time_to_timezone (now, l->tz);
  if (!resolve_match (l, checkout_id, normal, local, &m, error))
    {
      match_clear (&m);
      return NULL;
    }
  if (out_match != NULL)
    *out_match = m.match;
  found = g_steal_pointer (&m.checkout_id);
  match_clear (&m);
  return found;
}

char *
canteen_waste_find_tray_checkout (CanteenLedger *l, const char *tray_tag, const char *card, GDateTime *now,
                                  GError **error)
{
  g_autofree char *normal = NULL, *day = NULL;
  g_autoptr(GDateTime) local = NULL;
  CanteenMealConfig meals;
  CanteenMealPeriod period;
  sqlite3_stmt *stmt;
  char *found = NULL;
  int rc;

  g_return_val_if_fail (now != NULL, NULL);
  if (tray_tag == NULL || *tray_tag == '\0' || strlen (tray_tag) > CANTEEN_TRAY_TAG_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID, "tray tag: 1..%d characters expected",
                   CANTEEN_TRAY_TAG_MAX);
      return NULL;
    }
  if (card != NULL && (normal = canteen_card_normalize (card, error)) == NULL)
    return NULL;
  if (!canteen_ledger_get_meal_config (l, &meals, error))
    return NULL;
  local = g_date_time_to_timezone (now, l->tz);
  day = g_date_time_format (local, "%Y-%m-%d");
  period = return_period (&meals, local);
  if (period == CANTEEN_MEAL_NONE)
    return NULL;
  stmt = ledger_stmt (l,
    "SELECT c.id FROM checkout_trays t JOIN checkouts c ON c.id = t.checkout_id "
    " WHERE t.tray_tag = ?1 AND c.local_day = ?2 AND c.period = ?3 AND (?4 IS NULL OR c.card = ?4) "
    "   AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id) "
    " ORDER BY c.created_utc DESC, c.id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, tray_tag, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, canteen_meal_period_id (period), -1, SQLITE_STATIC);
  if (normal != NULL)
    sqlite3_bind_text (stmt, 4, normal, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    found = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    ledger_set_db_error (l, error, "matching a returned tray by its tag");
  return found;
}

/* Grams served per dish on a checkout: the weighed portion when the
 * counter's scale recorded one, the sold grams of a weighed dish, else the
 * dish's standard portion. */
static GHashTable *
served_by_dish (CanteenLedger *l, const char *checkout_id, GError **error)
{
  g_autoptr(GHashTable) served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT i.dish_id, CASE WHEN p.served_g IS NOT NULL THEN p.served_g "
    "                       WHEN i.grams > 0 THEN i.grams ELSE d.portion_g END "
    "  FROM checkout_items i JOIN dishes d ON d.id = i.dish_id "
    "  LEFT JOIN checkout_portions p ON p.checkout_id = i.checkout_id AND p.line = i.line "
    " WHERE i.checkout_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *dish = (const char *) sqlite3_column_text (stmt, 0);
      gint grams = sqlite3_column_int (stmt, 1) + GPOINTER_TO_INT (g_hash_table_lookup (served, dish));
      g_hash_table_insert (served, g_strdup (dish), GINT_TO_POINTER (grams));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading what a tray held");
      return NULL;
    }
  return g_steal_pointer (&served);
}

static gint
standard_portion (CanteenLedger *l, const char *dish_id, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT portion_g FROM dishes WHERE id = ?1", error);
  gint grams = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    grams = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH,
                 "leftover: %s is not in the catalogue", dish_id);
  else if (rc != SQLITE_ROW)
    ledger_set_db_error (l, error, "looking up a dish");
  return grams;
}

/* Splits `total` grams in proportion to `weights`, whole grams, no dish
 * above its `cap` (what it was served): a dish that would go over gets
 * its cap and the rest is shared among the others again. The grams add
 * up to `total` exactly unless every dish with a weight is at its cap;
 * what is left then stays on the tray, attributed to no dish. Largest
 * remainder for the last grams; ties to the earlier dish. */
static void
split_grams (gint total, const gdouble *weights, const gint *caps, guint n, gint *out)
{
  g_autofree gdouble *rest = g_new0 (gdouble, MAX (n, 1));
  g_autofree gboolean *capped = g_new0 (gboolean, MAX (n, 1));
  gint remaining = total;
  gboolean again = TRUE;

  for (guint i = 0; i < n; i++)
    out[i] = 0;
  while (again)
    {
      gdouble sum = 0.0;
      again = FALSE;
      for (guint i = 0; i < n; i++)
        if (!capped[i])
          sum += weights[i];
      if (sum <= 0.0)
        return;
      for (guint i = 0; i < n; i++)
        if (!capped[i] && weights[i] > 0.0 && (gdouble) remaining * weights[i] / sum > caps[i])
          {
            capped[i] = TRUE;
            out[i] = caps[i];
            remaining -= caps[i];
            again = TRUE;
          }
    }
  {
    gdouble sum = 0.0;
    gint given = 0;
    for (guint i = 0; i < n; i++)
      if (!capped[i])
        sum += weights[i];
    for (guint i = 0; i < n; i++)
      if (!capped[i])
        {
          gdouble exact = (gdouble) remaining * weights[i] / sum;
          out[i] = (gint) floor (exact);
          rest[i] = out[i] < caps[i] ? exact - out[i] : -1.0;
          given += out[i];
        }
      else
        rest[i] = -1.0;
    while (given < remaining)
      {
        guint best = 0;
        for (guint i = 1; i < n; i++)
          if (rest[i] > rest[best] + 1e-12)
            best = i;
        if (rest[best] < 0.0)
          break;
        out[best]++;
        rest[best] = -1.0;
        given++;
      }
  }
}

/* ---- loading a stored return ----------------------------------------- */

static CanteenTrayReturn *
load_return (CanteenLedger *l, const char *id, char **out_hash, GError **error)
{
  g_autoptr(CanteenTrayReturn) r = NULL;
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT request_hash, local_day, period, checkout_id, card, returned_g, tare_g, leftover_g, "
    "       served_g, match FROM tray_returns WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      r = g_new0 (CanteenTrayReturn, 1);
      r->dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) dish_leftover_free);
      r->return_id = g_strdup (id);
      if (out_hash)
        *out_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      r->local_day = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      r->period = canteen_meal_period_from_id ((const char *) sqlite3_column_text (stmt, 2));
      r->checkout_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      r->card = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      r->weight_g = sqlite3_column_int (stmt, 5);
      r->tare_g = sqlite3_column_int (stmt, 6);
      r->leftover_g = sqlite3_column_int (stmt, 7);
      r->served_g = sqlite3_column_type (stmt, 8) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 8);
      r->match = match_from_id ((const char *) sqlite3_column_text (stmt, 9));
      /* ≤ 5 % in whole grams: leftover × 20 ≤ served (CANTEEN_CLEAN_PLATE_SHARE). */
      r->clean_plate = r->served_g > 0 && r->leftover_g * 20 <= r->served_g;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND, "return %s: not recorded", id);
      else
        ledger_set_db_error (l, error, "reading a returned tray");
      return NULL;
    }

  stmt = ledger_stmt (l, "SELECT dish_id, fraction, served_g, leftover_g FROM tray_leftovers "
                         " WHERE return_id = ?1 ORDER BY dish_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenDishLeftover *d = g_new0 (CanteenDishLeftover, 1);
      d->dish_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      d->fraction = sqlite3_column_double (stmt, 1);
      d->served_g = sqlite3_column_int (stmt, 2);
      d->leftover_g = sqlite3_column_int (stmt, 3);
      g_ptr_array_add (r->dishes, d);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading a tray's leftovers");
      return NULL;
    }
  return g_steal_pointer (&r);
}

/* ---- recording a return ---------------------------------------------- */

static gboolean
store_return (CanteenLedger *l, const char *id, const char *hash, GDateTime *now, const Match *m,
              const char *card, const CanteenTrayReturnRequest *q, gint served, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "INSERT INTO tray_returns (id, request_hash, created_utc, local_day, period, checkout_id, card, "
    "                          returned_g, tare_g, leftover_g, served_g, match, image_sha256) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, created, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, m->local_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, canteen_meal_period_id (m->period), -1, SQLITE_STATIC);
  if (m->checkout_id)
    sqlite3_bind_text (stmt, 6, m->checkout_id, -1, SQLITE_STATIC);
  if (m->card || card)
    sqlite3_bind_text (stmt, 7, m->card ? m->card : card, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 8, q->weight_g);
  sqlite3_bind_int (stmt, 9, q->tare_g);
  sqlite3_bind_int (stmt, 10, q->weight_g - q->tare_g);
  if (served > 0)
    sqlite3_bind_int (stmt, 11, served);
  sqlite3_bind_text (stmt, 12, canteen_tray_match_id (m->match), -1, SQLITE_STATIC);
  if (q->image_sha256)
    sqlite3_bind_text (stmt, 13, q->image_sha256, -1, SQLITE_STATIC);
  return ledger_step_done (l, stmt, "storing a returned tray", error);
}

/* Splits the leftover between the dishes and stores the rows. */
static gboolean
store_leftovers (CanteenLedger *l, const char *id, const CanteenTrayReturnRequest *q, GHashTable *served,
                 const char *checkout_id, GError **error)
{
  guint n = q->n_leftovers;
  g_autofree gdouble *weights = g_new0 (gdouble, MAX (n, 1));
  g_autofree gint *dish_served = g_new0 (gint, MAX (n, 1));
  g_autofree gint *grams = g_new0 (gint, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const CanteenLeftoverInput *in = &q->leftovers[i];
      if (served != NULL)
        {
          dish_served[i] = GPOINTER_TO_INT (g_hash_table_lookup (served, in->dish_id));
          if (dish_served[i] <= 0)
            {
              g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                           "leftover: %s was not on checkout %s", in->dish_id, checkout_id);
              return FALSE;
            }
        }
      else if ((dish_served[i] = standard_portion (l, in->dish_id, error)) <= 0)
        return FALSE;
      /* The image side's grams when it has them (area × grams per area
       * learnt at enrollment); else the served grams stand in for the area. */
      weights[i] = in->estimate_g > 0.0 ? in->estimate_g : in->fraction * dish_served[i];
      if (in->fraction == 0.0)
        weights[i] = 0.0;
    }
  split_grams (q->weight_g - q->tare_g, weights, dish_served, n, grams);
  for (guint i = 0; i < n; i++)
    {
      sqlite3_stmt *stmt = ledger_stmt (l,
        "INSERT INTO tray_leftovers (return_id, dish_id, fraction, served_g, leftover_g) "
        "VALUES (?1, ?2, ?3, ?4, ?5)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, q->leftovers[i].dish_id, -1, SQLITE_STATIC);
      sqlite3_bind_double (stmt, 3, q->leftovers[i].fraction);
      sqlite3_bind_int (stmt, 4, dish_served[i]);
      sqlite3_bind_int (stmt, 5, grams[i]);
      if (!ledger_step_done (l, stmt, "storing a tray's leftovers", error))
        return FALSE;
    }
  return TRUE;
}

CanteenTrayReturn *
canteen_waste_record_return (CanteenLedger *l, const CanteenTrayReturnRequest *q, GDateTime *now,
                             GError **error)
{
  g_autofree char *card = NULL, *hash = NULL, *made_id = NULL, *stored_hash = NULL, *photo_sha = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GHashTable) served = NULL;
  g_autoptr(CanteenTrayReturn) result = NULL;
  Match m = { NULL, NULL, NULL, CANTEEN_MEAL_NONE, CANTEEN_TRAY_MATCH_UNMATCHED };
  const char *id;
  gint served_total = -1;

  CanteenTrayReturnRequest with_photo;

  g_return_val_if_fail (q != NULL && now != NULL, NULL);
  if (!check_request (q, &card, error))
    return NULL;
  /* The photo is kept before the row that names it (a crash between the
   * two leaves a file no row names, never the reverse); its SHA-256 is
   * what the row and the request hash carry. */
  if (q->image != NULL)
    {
      if (!ledger_keep_return_photo (l, q->image, &photo_sha, error))
        return NULL;
      if (q->image_sha256 != NULL && !g_str_equal (q->image_sha256, photo_sha))
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "image: the photo's SHA-256 is not the one given with it");
          return NULL;
        }
      with_photo = *q;
      with_photo.image_sha256 = photo_sha;
      q = &with_photo;
    }
  if (ledger_agency (l) == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return NULL;
    }
  id = q->return_id ? q->return_id : (made_id = g_uuid_string_random ());
  hash = return_request_hash (q, card);
  local = g_date_time_to_timezone (now, l->tz);

  if (!ledger_begin (l, error))
    return NULL;

  /* A retry of a recorded return (the station lost the answer). */
  result = load_return (l, id, &stored_hash, NULL);
  if (result != NULL)
    {
      ledger_rollback (l);
      if (!g_str_equal (stored_hash, hash))
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "return %s: already recorded with other weights or another tray", id);
          return NULL;
        }
      result->replayed = TRUE;
      return g_steal_pointer (&result);
    }

  if (!resolve_match (l, q->checkout_id, card, local, &m, error))
    goto fail;
  if (m.checkout_id != NULL)
    {
      served = served_by_dish (l, m.checkout_id, error);
      if (served == NULL)
        goto fail;
      served_total = 0;
      {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init (&iter, served);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          served_total += GPOINTER_TO_INT (value);
      }
      if (q->weight_g - q->tare_g > served_total)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                       "weight: %d g left on the tray is more than the %d g checkout %s served; check the scale's tare",
                       q->weight_g - q->tare_g, served_total, m.checkout_id);
          goto fail;
        }
    }

  if (!store_return (l, id, hash, now, &m, card, q, served_total, error) ||
      !store_leftovers (l, id, q, served, m.checkout_id, error))
    goto fail;
  result = load_return (l, id, NULL, error);
  if (result == NULL || !ledger_commit (l, error))
    goto fail;
  match_clear (&m);
  return g_steal_pointer (&result);

fail:
  ledger_rollback (l);
  match_clear (&m);
  return NULL;
}

/* ---- the kitchen's figures and served portions ------------------------- */

gboolean
canteen_waste_record_kitchen (CanteenLedger *l, const char *day, gint64 purchased_g, gint64 kitchen_waste_g,
                              gint diners_planned, GDateTime *now, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt;

  if (!canteen_waste_parse_day (day, "day", NULL, error))
    return FALSE;
  if (purchased_g < 0 || purchased_g > 100000000 || kitchen_waste_g < 0 || kitchen_waste_g > 100000000)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "kitchen: food purchased and kitchen waste must be 0..100000000 g (100 t)");
      return FALSE;
    }
  if (diners_planned < 0 || diners_planned > 1000000)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "diners-planned: must be 0..1000000");
      return FALSE;
    }
  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "INSERT INTO kitchen_days (day, purchased_g, kitchen_waste_g, diners_planned, created_utc) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, purchased_g);
  sqlite3_bind_int64 (stmt, 3, kitchen_waste_g);
  sqlite3_bind_int (stmt, 4, diners_planned);
  sqlite3_bind_text (stmt, 5, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "storing the kitchen's figures", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_waste_record_portion (CanteenLedger *l, const char *checkout_id, gint line, gint served_g,
                              GDateTime *now, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt;
  int rc;
  gint existing = -1;

  if (!canteen_check_key (checkout_id, "checkout", error))
    return FALSE;
  if (served_g < 1 || served_g > CANTEEN_TRAY_MAX_G)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "served: %d g; a portion weighs 1..%d g", served_g, CANTEEN_TRAY_MAX_G);
      return FALSE;
    }
  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "SELECT p.served_g FROM checkout_items i "
                         "  LEFT JOIN checkout_portions p ON p.checkout_id = i.checkout_id AND p.line = i.line "
                         " WHERE i.checkout_id = ?1 AND i.line = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, line);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    existing = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   "checkout %s has no item %d", checkout_id, line);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      ledger_set_db_error (l, error, "looking up a checkout item");
      goto fail;
    }
  if (existing >= 0)
    {
      ledger_rollback (l);
      if (existing == served_g)
        return TRUE;
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "checkout %s item %d was already weighed at %d g", checkout_id, line, existing);
      return FALSE;
    }
  stmt = ledger_stmt (l, "INSERT INTO checkout_portions (checkout_id, line, served_g, created_utc) "
                         "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, line);
  sqlite3_bind_int (stmt, 3, served_g);
  sqlite3_bind_text (stmt, 4, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "storing a served portion", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}
