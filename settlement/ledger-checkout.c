/* ledger-checkout.c — selling a tray, exactly once; voids and refunds.
 *
 * A checkout is one IMMEDIATE transaction: look the id up (a replay returns
 * the stored receipt), price the tray for the card holder, check the
 * balance against the credit limit, append the journal entry, store the
 * checkout and its lines, move the balance, COMMIT (fsync). Any failure
 * rolls the whole thing back.
 */
#include "ledger-private.h"

#include "canteen-error.h"
#include "money.h"
#include "validate.h"

typedef struct {
  CanteenAccount     account;
  CanteenPayer       payer;
  CanteenMealPeriod  period;
  char              *local_day;
  CanteenPricedTray *tray;
} Priced;

static void
priced_clear (Priced *p)
{
  canteen_account_clear (&p->account);
  g_clear_pointer (&p->local_day, g_free);
  g_clear_pointer (&p->tray, canteen_priced_tray_free);
}

static gboolean
decline_for_status (const CanteenAccount *account, GError **error)
{
  switch (account->status)
    {
    case CANTEEN_ACCOUNT_LOST:
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CARD_LOST,
                   "card: %s is reported lost", account->card);
      return FALSE;
    case CANTEEN_ACCOUNT_CLOSED:
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CARD_CLOSED,
                   "card: %s is closed", account->card);
      return FALSE;
    case CANTEEN_ACCOUNT_ACTIVE:
    default:
      return TRUE;
    }
}

static gint64
subsidy_used (CanteenLedger *l, const char *card, const char *day, CanteenMealPeriod period, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT COALESCE (SUM (c.subsidy_fen), 0) FROM checkouts c "
    " WHERE c.card = ?1 AND c.local_day = ?2 AND c.period = ?3 "
    "   AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id)", error);
  gint64 used = -1;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, canteen_meal_period_id (period), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    used = sqlite3_column_int64 (stmt, 0);
  else
    ledger_set_db_error (l, error, "reading subsidies used");
  sqlite3_reset (stmt);
  return used;
}

/* Prices a tray for a card at `now`; declines for the card's state. */
static gboolean
price_for_card (CanteenLedger *l, const char *card, const CanteenOrderLine *lines, guint n_lines,
                GDateTime *now, Priced *out, GError **error)
{
  const char *own_agency = ledger_agency (l);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (now, l->tz);
  CanteenMealConfig meals;
  gboolean found;

  memset (out, 0, sizeof *out);
  if (own_agency == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return FALSE;
    }
  if (n_lines == 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING, "dish: the tray is empty");
      return FALSE;
    }
  if (n_lines > CANTEEN_TRAY_MAX_LINES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "dish: at most %d items on one tray", CANTEEN_TRAY_MAX_LINES);
      return FALSE;
    }
  if (!ledger_load_account (l, card, &out->account, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_CARD,
                   "card: %s is not registered here", card);
      return FALSE;
    }
  if (!decline_for_status (&out->account, error))
    goto fail;

  out->payer = g_strcmp0 (out->account.agency, own_agency) == 0 ? CANTEEN_PAYER_STAFF : CANTEEN_PAYER_VISITOR;
  out->tray = canteen_priced_tray_new ();
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(CanteenDish) dish = NULL;
      if (!canteen_check_id (lines[i].dish_id, "dish", error))
        goto fail;
      dish = canteen_ledger_get_dish (l, lines[i].dish_id, error);
      if (dish == NULL || !canteen_priced_tray_add (out->tray, dish, out->payer, lines[i].grams, error))
        goto fail;
    }

  if (!canteen_ledger_get_meal_config (l, &meals, error))
    goto fail;
  out->period = canteen_meal_config_period_at (&meals, local);
  out->local_day = g_date_time_format (local, "%Y-%m-%d");
  if (out->payer == CANTEEN_PAYER_STAFF && out->period != CANTEEN_MEAL_NONE &&
      meals.times[out->period].subsidy_fen > 0)
    {
      gint64 used = subsidy_used (l, card, out->local_day, out->period, error);
      if (used < 0)
        goto fail;
      canteen_priced_tray_settle (out->tray, out->payer, MAX (0, meals.times[out->period].subsidy_fen - used));
    }
  return TRUE;

fail:
  priced_clear (out);
  return FALSE;
}

char *
ledger_tray_request_hash (const char *kind, const char *payer, const CanteenOrderLine *lines, guint n_lines)
{
  g_autoptr(GString) text = g_string_new (payer);

  for (guint i = 0; i < n_lines; i++)
    g_string_append_printf (text, "\n%s:%d", lines[i].dish_id, lines[i].grams);
  return ledger_sha256_hex (kind, text->str);
}

gboolean
ledger_load_priced_lines (CanteenLedger *l, const char *sql, CanteenReceipt *r, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->checkout_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenPricedLine *line = g_new0 (CanteenPricedLine, 1);
      line->dish_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      line->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      line->name_en = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      line->grams = sqlite3_column_int (stmt, 3);
      line->unit_price_fen = sqlite3_column_int64 (stmt, 4);
      line->amount_fen = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (r->lines, line);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading the items of a checkout");
      return FALSE;
    }
  return TRUE;
}

/* Loads a stored checkout; *found FALSE (and TRUE returned) when absent. */
static CanteenReceipt *
load_checkout (CanteenLedger *l, const char *id, char **out_request_hash, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT c.card, a.holder, a.agency, c.payer, c.period, c.created_utc, c.total_fen, c.subsidy_fen, "
    "       c.charged_fen, c.balance_fen, c.journal_seq, c.shift_no, c.request_hash, "
    "       EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id) "
    "  FROM checkouts c LEFT JOIN accounts a ON a.card = c.card WHERE c.id = ?1", error);
  g_autoptr(CanteenReceipt) r = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (!ledger_step_row (l, stmt, "reading a checkout", error, "checkout: %s does not exist", id))
    return NULL;
  r = canteen_receipt_new ();
  r->checkout_id = g_strdup (id);
  r->card = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  r->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  r->agency = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->payer = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "visitor") == 0
               ? CANTEEN_PAYER_VISITOR : CANTEEN_PAYER_STAFF;
  r->period = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  r->created = ledger_parse_utc ((const char *) sqlite3_column_text (stmt, 5));
  r->total_fen = sqlite3_column_int64 (stmt, 6);
  r->subsidy_fen = sqlite3_column_int64 (stmt, 7);
  r->charged_fen = sqlite3_column_int64 (stmt, 8);
  r->balance_fen = sqlite3_column_int64 (stmt, 9);
  r->journal_seq = sqlite3_column_int64 (stmt, 10);
  r->shift_no = sqlite3_column_int (stmt, 11);
  if (out_request_hash)
    *out_request_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  r->voided = sqlite3_column_int (stmt, 13) != 0;
  sqlite3_reset (stmt);
  if (r->created == NULL)
    r->created = g_date_time_new_now_utc ();
  r->canteen = g_strdup (ledger_canteen (l));
  r->terminal = g_strdup (ledger_terminal (l));
  if (!ledger_load_priced_lines (l, "SELECT dish_id, name, name_en, grams, unit_price_fen, amount_fen "
                                    "FROM checkout_items WHERE checkout_id = ?1 ORDER BY line", r, error))
    return NULL;
  return g_steal_pointer (&r);
}

CanteenReceipt *
canteen_ledger_get_checkout (CanteenLedger *l, const char *checkout_id, GError **error)
{
  if (!canteen_check_key (checkout_id, "checkout", error))
    return NULL;
  return load_checkout (l, checkout_id, NULL, error);
}

CanteenPricedTray *
canteen_ledger_quote (CanteenLedger *l, const char *card_in, const CanteenOrderLine *lines,
                      guint n_lines, GDateTime *now, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  Priced priced;
  CanteenPricedTray *tray;

  if (card == NULL || !price_for_card (l, card, lines, n_lines, now, &priced, error))
    return NULL;
  tray = g_steal_pointer (&priced.tray);
  priced_clear (&priced);
  return tray;
}

static JsonNode *
checkout_detail (const Priced *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "payer");
  json_builder_add_string_value (b, canteen_payer_id (p->payer));
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, canteen_meal_period_id (p->period));
  json_builder_set_member_name (b, "total_fen");
  json_builder_add_int_value (b, p->tray->total_fen);
  json_builder_set_member_name (b, "subsidy_fen");
  json_builder_add_int_value (b, p->tray->subsidy_fen);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->tray->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (p->tray->lines, i);
      json_builder_begin_array (b);
      json_builder_add_string_value (b, line->dish_id);
      json_builder_add_int_value (b, line->grams);
      json_builder_add_int_value (b, line->amount_fen);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
store_checkout (CanteenLedger *l, const char *id, const char *req_hash, const Priced *p,
                gint64 balance, GDateTime *now, gint64 seq, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "INSERT INTO checkouts (id, request_hash, card, payer, period, local_day, total_fen, subsidy_fen, "
    "                       charged_fen, balance_fen, created_utc, shift_no, journal_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT shift_no FROM journal WHERE seq = ?12), ?12)",
    error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, req_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, p->account.card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, canteen_payer_id (p->payer), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, canteen_meal_period_id (p->period), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, p->local_day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, p->tray->total_fen);
  sqlite3_bind_int64 (stmt, 8, p->tray->subsidy_fen);
  sqlite3_bind_int64 (stmt, 9, p->tray->due_fen);
  sqlite3_bind_int64 (stmt, 10, balance);
  sqlite3_bind_text (stmt, 11, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, seq);
  if (!ledger_step_done (l, stmt, "storing the checkout", error))
    return FALSE;

  for (guint i = 0; i < p->tray->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (p->tray->lines, i);
      stmt = ledger_stmt (l,
        "INSERT INTO checkout_items (checkout_id, line, dish_id, name, name_en, grams, unit_price_fen, amount_fen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_text (stmt, 3, line->dish_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, line->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, line->name_en, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 6, line->grams);
      sqlite3_bind_int64 (stmt, 7, line->unit_price_fen);
      sqlite3_bind_int64 (stmt, 8, line->amount_fen);
      if (!ledger_step_done (l, stmt, "storing a checkout item", error))
        return FALSE;
    }
  return ledger_store_balance (l, p->account.card, balance, error);
}

CanteenReceipt *
canteen_ledger_checkout (CanteenLedger *l, const char *checkout_id, const char *card_in,
                         const CanteenOrderLine *lines, guint n_lines, GDateTime *now, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  g_autofree char *req_hash = NULL;
  g_autofree char *stored_hash = NULL;
  CanteenReceipt *receipt = NULL;
  GError *lookup_error = NULL;
  Priced priced = { 0 };
  gint64 balance;
  gint64 seq;

  if (card == NULL || !canteen_check_key (checkout_id, "checkout id", error))
    return NULL;
  req_hash = ledger_tray_request_hash ("checkout\n", card, lines, n_lines);

  if (!ledger_begin (l, error))
    return NULL;

  /* Exactly once: the id decides, inside the same write lock. */
  receipt = load_checkout (l, checkout_id, &stored_hash, &lookup_error);
  if (receipt != NULL)
    {
      ledger_rollback (l);
      if (g_strcmp0 (stored_hash, req_hash) != 0)
        {
          canteen_receipt_free (receipt);
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "checkout id: %s was already used for a different card or tray", checkout_id);
          return NULL;
        }
      receipt->replayed = TRUE;
      return receipt;
    }
  if (!g_error_matches (lookup_error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, lookup_error);
      goto fail;
    }
  g_clear_error (&lookup_error);

  if (!price_for_card (l, card, lines, n_lines, now, &priced, error))
    goto fail;
  balance = priced.account.balance_fen - priced.tray->due_fen;
  if (balance < -priced.account.credit_limit_fen)
    {
      g_autofree char *due = canteen_fen_format (priced.tray->due_fen);
      g_autofree char *have = canteen_fen_format (priced.account.balance_fen);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS,
                   "card: %s has %s, the tray costs %s", card, have, due);
      goto fail;
    }
  seq = ledger_journal_append (l, "checkout", card, checkout_id, -priced.tray->due_fen, balance, TRUE,
                               checkout_detail (&priced), now, error);
  if (seq < 0 || !store_checkout (l, checkout_id, req_hash, &priced, balance, now, seq, error))
    goto fail;
  /* Read back inside the transaction, so the receipt is exactly what is stored. */
  receipt = load_checkout (l, checkout_id, NULL, error);
  if (receipt == NULL || !ledger_commit (l, error))
    goto fail;
  priced_clear (&priced);
  return receipt;

fail:
  g_clear_pointer (&receipt, canteen_receipt_free);
  ledger_rollback (l);
  priced_clear (&priced);
  return NULL;
}

/* ---- corrections --------------------------------------------------------- */

void
canteen_correction_clear (CanteenCorrection *c)
{
  g_clear_pointer (&c->checkout_id, g_free);
  g_clear_pointer (&c->card, g_free);
}

static gint64
refunded_so_far (CanteenLedger *l, const char *checkout_id, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT COALESCE (SUM (amount_fen), 0) FROM refunds WHERE checkout_id = ?1", error);
  gint64 sum = -1;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    sum = sqlite3_column_int64 (stmt, 0);
  else
    ledger_set_db_error (l, error, "reading refunds");
  sqlite3_reset (stmt);
  return sum;
}

static JsonNode *
correction_detail (const char *checkout_id, const char *reason, const char *by)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "checkout");
  json_builder_add_string_value (b, checkout_id);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "by");
  json_builder_add_string_value (b, by);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A correction that was already made, asked for again: report it as it
 * stands (with the card's balance now) and change nothing. */
static gboolean
report_replayed (CanteenLedger *l, const CanteenReceipt *r, gint64 credited, gint64 seq,
                 CanteenCorrection *out, GError **error)
{
  CanteenAccount account;
  gboolean found;

  if (!ledger_load_account (l, r->card, &account, &found, error))
    return FALSE;
  out->checkout_id = g_strdup (r->checkout_id);
  out->card = g_strdup (r->card);
  out->credited_fen = credited;
  out->balance_fen = account.balance_fen;
  out->journal_seq = seq;
  out->replayed = TRUE;
  canteen_account_clear (&account);
  return TRUE;
}

/* Credits `amount` back to the checkout's card, journaled as `kind`. */
static gint64
credit_back (CanteenLedger *l, const char *kind, const char *ref, const CanteenReceipt *r,
             gint64 amount, const char *reason, const char *by, GDateTime *now,
             CanteenCorrection *out, GError **error)
{
  CanteenAccount account;
  gboolean found;
  gint64 seq;

  if (!ledger_load_account (l, r->card, &account, &found, error))
    return -1;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                   "checkout %s: its card %s has no account", r->checkout_id, r->card);
      return -1;
    }
  account.balance_fen += amount;
  seq = ledger_journal_append (l, kind, r->card, ref, amount, account.balance_fen, TRUE,
                               correction_detail (r->checkout_id, reason, by), now, error);
  if (seq < 0 || !ledger_store_balance (l, r->card, account.balance_fen, error))
    {
      canteen_account_clear (&account);
      return -1;
    }
  out->checkout_id = g_strdup (r->checkout_id);
  out->card = g_strdup (r->card);
  out->credited_fen = amount;
  out->balance_fen = account.balance_fen;
  out->journal_seq = seq;
  canteen_account_clear (&account);
  return seq;
}

gboolean
canteen_ledger_void (CanteenLedger *l, const char *checkout_id, const char *reason,
                     const char *by, GDateTime *now, CanteenCorrection *out, GError **error)
{
  g_autoptr(CanteenReceipt) r = NULL;
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt;
  gint64 refunded, seq;
  int rc;

  memset (out, 0, sizeof *out);
  if (!canteen_check_key (checkout_id, "checkout", error) ||
      !canteen_check_text (reason, "reason", CANTEEN_TEXT_MAX_CHARS, error) ||
      !canteen_check_name (by, "by", error))
    return FALSE;
  if (!ledger_begin (l, error))
    return FALSE;
  r = load_checkout (l, checkout_id, NULL, error);
  if (r == NULL)
    goto fail;

  stmt = ledger_stmt (l, "SELECT credited_fen, journal_seq FROM voids WHERE checkout_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* Voiding again is the same request arriving twice. */
      gint64 credited = sqlite3_column_int64 (stmt, 0);
      gint64 seq_before = sqlite3_column_int64 (stmt, 1);
      sqlite3_reset (stmt);
      if (!report_replayed (l, r, credited, seq_before, out, error))
        goto fail;
      ledger_rollback (l);
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading voids");
      goto fail;
    }

  refunded = refunded_so_far (l, checkout_id, error);
  if (refunded < 0)
    goto fail;
  seq = credit_back (l, "void", checkout_id, r, r->charged_fen - refunded, reason, by, now, out, error);
  if (seq < 0)
    goto fail;
  stmt = ledger_stmt (l, "INSERT INTO voids (checkout_id, reason, authorised_by, credited_fen, created_utc, shift_no, journal_seq) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT shift_no FROM journal WHERE seq = ?6), ?6)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, by, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, out->credited_fen);
  sqlite3_bind_text (stmt, 5, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, seq);
  if (!ledger_step_done (l, stmt, "recording the void", error) || !ledger_commit (l, error))
    goto fail;
  return TRUE;

fail:
  ledger_rollback (l);
  canteen_correction_clear (out);
  return FALSE;
}

gboolean
canteen_ledger_refund (CanteenLedger *l, const char *checkout_id, const char *refund_id,
                       gint64 amount_fen, const char *reason, const char *by,
                       GDateTime *now, CanteenCorrection *out, GError **error)
{
  g_autoptr(CanteenReceipt) r = NULL;
  g_autofree char *created = ledger_utc_string (now);
  g_autofree char *id = refund_id ? g_strdup (refund_id) : g_uuid_string_random ();
  sqlite3_stmt *stmt;
  gint64 refunded, seq;
  int rc;

  memset (out, 0, sizeof *out);
  if (!canteen_check_key (checkout_id, "checkout", error) || !canteen_check_key (id, "refund id", error) ||
      !canteen_check_text (reason, "reason", CANTEEN_TEXT_MAX_CHARS, error) ||
      !canteen_check_name (by, "by", error))
    return FALSE;
  if (amount_fen <= 0 || amount_fen > CANTEEN_FEN_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "amount: a refund must be between 1 and %" G_GINT64_FORMAT " fen", CANTEEN_FEN_MAX);
      return FALSE;
    }
  if (!ledger_begin (l, error))
    return FALSE;
  r = load_checkout (l, checkout_id, NULL, error);
  if (r == NULL)
    goto fail;

  stmt = ledger_stmt (l, "SELECT checkout_id, amount_fen, journal_seq FROM refunds WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), checkout_id) == 0 &&
                      sqlite3_column_int64 (stmt, 1) == amount_fen;
      gint64 seq_before = sqlite3_column_int64 (stmt, 2);
      sqlite3_reset (stmt);
      if (!same)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "refund id: %s was already used for a different refund", id);
          goto fail;
        }
      if (!report_replayed (l, r, amount_fen, seq_before, out, error))
        goto fail;
      ledger_rollback (l);
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading refunds");
      goto fail;
    }
  if (r->voided)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE,
                   "checkout: %s was voided; nothing is left to refund", checkout_id);
      goto fail;
    }
  refunded = refunded_so_far (l, checkout_id, error);
  if (refunded < 0)
    goto fail;
  if (amount_fen > r->charged_fen - refunded)
    {
      g_autofree char *left = canteen_fen_format (r->charged_fen - refunded);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE,
                   "amount: only %s of checkout %s can still be refunded", left, checkout_id);
      goto fail;
    }
  seq = credit_back (l, "refund", id, r, amount_fen, reason, by, now, out, error);
  if (seq < 0)
    goto fail;
  stmt = ledger_stmt (l, "INSERT INTO refunds (id, checkout_id, amount_fen, reason, authorised_by, created_utc, shift_no, journal_seq) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT shift_no FROM journal WHERE seq = ?7), ?7)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, amount_fen);
  sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, by, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, seq);
  if (!ledger_step_done (l, stmt, "recording the refund", error) || !ledger_commit (l, error))
    goto fail;
  return TRUE;

fail:
  ledger_rollback (l);
  canteen_correction_clear (out);
  return FALSE;
}
