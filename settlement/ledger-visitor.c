/* ledger-visitor.c — a visiting official pays with an interoperable card.
 *
 * prepare → (authorise, the caller's) → commit; see visitor.h. Everything
 * that can refuse the card is checked before the card is asked to sign or
 * the service is asked to authorise, and again nothing is written until the
 * one commit transaction: record, items and journal entry together, so a
 * receipt is only ever shown for a sale that is on disk and in the outbox.
 *
 * The record sequence number is part of what the card signs, so it is
 * taken at prepare; commit checks inside its write lock that nobody used it
 * meanwhile (another process on the same ledger) and asks for a new
 * prepare (RETRY) rather than renumber a signed record.
 */
#include "ledger-private.h"

#include "canteen-error.h"
#include "clearing-proto.h"
#include "money.h"
#include "validate.h"
#include "visitor.h"

struct _CanteenVisitorSale {
  char   *checkout_id;
  char   *request_hash;
  CanteenVisitorReceipt *replayed;   /* the id was committed before */
  CanteenCardCert cert;
  char   *cert_json;
  char   *issuer_name;
  CanteenPricedTray *tray;
  CanteenMealPeriod period;
  char   *local_day;
  char   *terminal;
  gint64  seq;
  char   *time;
  char   *nonce;
  guint8  sig[CANTEEN_PROTO_SIG_BYTES];
};

void
canteen_visitor_sale_free (CanteenVisitorSale *s)
{
  if (s == NULL)
    return;
  g_free (s->checkout_id);
  g_free (s->request_hash);
  g_clear_pointer (&s->replayed, canteen_visitor_receipt_free);
  canteen_card_cert_clear (&s->cert);
  g_free (s->cert_json);
  g_free (s->issuer_name);
  g_clear_pointer (&s->tray, canteen_priced_tray_free);
  g_free (s->local_day);
  g_free (s->terminal);
  g_free (s->time);
  g_free (s->nonce);
  g_free (s);
}

void
canteen_visitor_receipt_free (CanteenVisitorReceipt *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->receipt, canteen_receipt_free);
  g_free (r->issuer_name);
  g_free (r->authorisation);
  g_free (r);
}

void
canteen_authorisation_clear (CanteenAuthorisation *a)
{
  g_clear_pointer (&a->authorisation, g_free);
  g_clear_pointer (&a->reason, g_free);
  g_clear_pointer (&a->issuer_name, g_free);
  g_clear_pointer (&a->problem, g_free);
  a->answered = a->approved = FALSE;
}

static gboolean
decline (GError **error, CanteenVisitorError code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
decline (GError **error, CanteenVisitorError code, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, CANTEEN_VISITOR_ERROR, (gint) code, message);
  return FALSE;
}


/* ---- stored sales ------------------------------------------------------------- */


/* The stored sale as a receipt; NOT_FOUND when there is none. */
static CanteenVisitorReceipt *
load_sale (CanteenLedger *l, const char *checkout_id, char **out_request_hash, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT record_seq, request_hash, issuer, issuer_name, card, holder, amount_fen, mode, authorisation, "
    "       period, created_utc, shift_no, journal_seq "
    "  FROM visitor_sales WHERE checkout_id = ?1", error);
  g_autoptr(CanteenVisitorReceipt) v = NULL;
  CanteenReceipt *r;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  if (!ledger_step_row (l, stmt, "reading a visitor sale", error,
                        "checkout: %s is not a visitor sale here", checkout_id))
    return NULL;
  v = g_new0 (CanteenVisitorReceipt, 1);
  v->record_seq = sqlite3_column_int64 (stmt, 0);
  if (out_request_hash)
    *out_request_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  v->issuer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  v->online = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 7), "online") == 0;
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    v->authorisation = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  v->receipt = r = canteen_receipt_new ();
  r->checkout_id = g_strdup (checkout_id);
  r->agency = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->card = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  r->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  r->payer = CANTEEN_PAYER_VISITOR;
  r->total_fen = r->charged_fen = sqlite3_column_int64 (stmt, 6);
  r->period = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  r->created = ledger_parse_utc ((const char *) sqlite3_column_text (stmt, 10));
  r->shift_no = sqlite3_column_int (stmt, 11);
  r->journal_seq = sqlite3_column_int64 (stmt, 12);
  r->canteen = g_strdup (ledger_canteen (l));
  r->terminal = g_strdup (ledger_terminal (l));
  r->issuer_name = g_strdup (v->issuer_name);
  r->cleared_online = v->online;
  sqlite3_reset (stmt);
  if (!ledger_load_priced_lines (l, "SELECT dish_id, name, name_en, grams, unit_price_fen, amount_fen "
                                    "FROM visitor_sale_items WHERE checkout_id = ?1 ORDER BY line", r, error))
    return NULL;
  return g_steal_pointer (&v);
}

CanteenVisitorReceipt *
canteen_visitor_get_checkout (CanteenLedger *l, const char *checkout_id, GError **error)
{
  return load_sale (l, checkout_id, NULL, error);
}

/* A replay (TRUE, *out set) or not there (TRUE, *out NULL); CONFLICT when
 * the id was used for another card or tray. */
static gboolean
find_replay (CanteenLedger *l, const char *checkout_id, const char *req_hash, CanteenVisitorReceipt **out,
             GError **error)
{
  g_autofree char *stored_hash = NULL;
  GError *local = NULL;

  *out = load_sale (l, checkout_id, &stored_hash, &local);
  if (*out == NULL)
    {
      if (g_error_matches (local, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND))
        {
          g_error_free (local);
          return TRUE;
        }
      g_propagate_error (error, local);
      return FALSE;
    }
  if (g_strcmp0 (stored_hash, req_hash) != 0)
    {
      g_clear_pointer (out, canteen_visitor_receipt_free);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "checkout id: %s was already used for a different card or tray", checkout_id);
      return FALSE;
    }
  (*out)->receipt->replayed = TRUE;
  return TRUE;
}

static gint64
next_record_seq (CanteenLedger *l, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT COALESCE (MAX (record_seq), 0) + 1 FROM visitor_sales", error);
  gint64 seq = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  else
    ledger_set_db_error (l, error, "reading the record sequence");
  sqlite3_reset (stmt);
  return seq;
}

/* ---- step 1: local checks ---------------------------------------------------------- */

static gboolean
check_trust (CanteenLedger *l, CanteenVisitorSale *s, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT name, issuer_key, active FROM trust_agencies WHERE code = ?1", error);
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  gboolean known = FALSE, active = FALSE, key_ok = FALSE;
  GError *local = NULL;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, s->cert.agency, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      known = TRUE;
      s->issuer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      key_ok = canteen_proto_b64_decode ((const char *) sqlite3_column_text (stmt, 1), pk, sizeof pk, NULL);
      active = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_reset (stmt);
  if (!known || !active || !key_ok)
    return decline (error, CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER,
                    "card %s/%s: its issuer %s is not an agency this canteen accepts cards of",
                    s->cert.agency, s->cert.card, s->cert.agency);
  if (!canteen_card_cert_verify (&s->cert, pk, &local))
    {
      decline (error, CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE,
               "card %s/%s: its certificate is not signed by %s (%s)", s->cert.agency, s->cert.card,
               s->issuer_name, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_denied (CanteenLedger *l, const CanteenCardCert *cert, const char *issuer_name, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT denied FROM deny_list WHERE agency = ?1 AND card = ?2", error);
  gboolean denied = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cert->agency, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cert->card, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    denied = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (denied)
    return decline (error, CANTEEN_VISITOR_ERROR_DENIED,
                    "card %s/%s: blocked by its issuer %s (deny list)", cert->agency, cert->card, issuer_name);
  return TRUE;
}

static gboolean
price_tray (CanteenLedger *l, CanteenVisitorSale *s, const CanteenOrderLine *lines, guint n_lines,
            GDateTime *now, GError **error)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (now, l->tz);
  CanteenMealConfig meals;

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
  s->tray = canteen_priced_tray_new ();
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(CanteenDish) dish = NULL;
      if (!canteen_check_id (lines[i].dish_id, "dish", error))
        return FALSE;
      dish = canteen_ledger_get_dish (l, lines[i].dish_id, error);
      if (dish == NULL || !canteen_priced_tray_add (s->tray, dish, CANTEEN_PAYER_VISITOR, lines[i].grams, error))
        return FALSE;
    }
  /* Visitors get no subsidy: settling with 0 sets due = total. */
  canteen_priced_tray_settle (s->tray, CANTEEN_PAYER_VISITOR, 0);
  if (!canteen_ledger_get_meal_config (l, &meals, error))
    return FALSE;
  s->period = canteen_meal_config_period_at (&meals, local);
  s->local_day = g_date_time_format (local, "%Y-%m-%d");
  if (s->tray->due_fen < 1 || s->tray->due_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "dish: a visitor payment must be 1..%d fen (this tray: %" G_GINT64_FORMAT ")",
                   CANTEEN_PROTO_MAX_AMOUNT_FEN, s->tray->due_fen);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sign_and_verify (CanteenVisitorSale *s, const CanteenVisitorCard *card, GError **error)
{
  CanteenPayment payment = {
    .terminal = s->terminal, .seq = s->seq, .amount_fen = s->tray->due_fen, .time = s->time,
    .agency = s->cert.agency, .card = s->cert.card, .nonce = s->nonce,
  };
  g_autoptr(GString) message = canteen_payment_message (&payment, error);
  GError *local = NULL;

  if (message == NULL)
    return FALSE;
  if (card->sign == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING, "card: no way to have it sign");
      return FALSE;
    }
  if (!card->sign ((const guint8 *) message->str, message->len, s->sig, card->sign_data, error))
    return FALSE;
  if (!canteen_proto_verify (s->cert.card_key, message->str, message->len, s->sig, &local))
    {
      g_error_free (local);
      return decline (error, CANTEEN_VISITOR_ERROR_BAD_SIGNATURE,
                      "card %s/%s of %s: its signature does not verify (not the card the certificate names)",
                      s->cert.agency, s->cert.card, s->issuer_name);
    }
  return TRUE;
}

CanteenVisitorSale *
canteen_visitor_prepare (CanteenLedger *l, const char *checkout_id, const CanteenVisitorCard *card,
                         const CanteenOrderLine *lines, guint n_lines, GDateTime *now, GError **error)
{
  g_autoptr(CanteenVisitorSale) s = g_new0 (CanteenVisitorSale, 1);
  GError *local = NULL;

  if (ledger_agency (l) == NULL || ledger_terminal (l) == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return NULL;
    }
  if (!canteen_check_key (checkout_id, "checkout id", error))
    return NULL;
  if (card == NULL || card->cert == NULL)
    {
      decline (error, CANTEEN_VISITOR_ERROR_UID_ONLY,
               "card %s: a UID-only card cannot pay as a visitor; an interoperable card is needed",
               card && card->uid ? card->uid : "(no certificate)");
      return NULL;
    }
  if (!canteen_card_cert_from_bytes (card->cert, &s->cert, &local))
    {
      decline (error, CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE, "card: its certificate is unreadable (%s)",
               local->message);
      g_error_free (local);
      return NULL;
    }
  s->checkout_id = g_strdup (checkout_id);
  {
    g_autofree char *payer = g_strdup_printf ("%s/%s", s->cert.agency, s->cert.card);
    s->request_hash = ledger_tray_request_hash ("visitor-checkout\n", payer, lines, n_lines);
  }
  s->terminal = g_strdup (ledger_terminal (l));
  if (!find_replay (l, checkout_id, s->request_hash, &s->replayed, error))
    return NULL;
  if (s->replayed)
    return g_steal_pointer (&s);

  if (!check_trust (l, s, error))
    return NULL;
  if (!canteen_card_cert_valid_on (&s->cert, now))
    {
      decline (error, CANTEEN_VISITOR_ERROR_EXPIRED, "card %s/%s of %s: its certificate expired on %s",
               s->cert.agency, s->cert.card, s->issuer_name, s->cert.not_after);
      return NULL;
    }
  if (!check_denied (l, &s->cert, s->issuer_name, error) || !price_tray (l, s, lines, n_lines, now, error))
    return NULL;
  s->seq = next_record_seq (l, error);
  if (s->seq < 0)
    return NULL;
  s->time = canteen_proto_format_time (now);
  s->nonce = canteen_proto_new_nonce ();
  {
    g_autoptr(GBytes) cert_bytes = canteen_card_cert_to_bytes (&s->cert);
    s->cert_json = g_strndup (g_bytes_get_data (cert_bytes, NULL), g_bytes_get_size (cert_bytes));
  }
  if (!sign_and_verify (s, card, error))
    return NULL;
  return g_steal_pointer (&s);
}

gboolean
canteen_visitor_sale_needs_authorisation (const CanteenVisitorSale *s)
{
  return s->replayed == NULL;
}

gint64
canteen_visitor_sale_amount (const CanteenVisitorSale *s)
{
  return s->replayed ? s->replayed->receipt->charged_fen : s->tray->due_fen;
}

GBytes *
canteen_visitor_sale_authorise_body (const CanteenVisitorSale *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sig = canteen_proto_b64_encode (s->sig, sizeof s->sig);
  gsize len = 0;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, s->terminal);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, s->seq);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, s->tray->due_fen);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, s->time);
  json_builder_set_member_name (b, "nonce");
  json_builder_add_string_value (b, s->nonce);
  json_builder_set_member_name (b, "cert");
  json_builder_add_value (b, canteen_card_cert_to_json (&s->cert));
  json_builder_set_member_name (b, "card_sig");
  json_builder_add_string_value (b, sig);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = canteen_proto_to_text (root, &len);
  return g_bytes_new_take (text, len);
}

gboolean
canteen_authorisation_parse (GBytes *body, CanteenAuthorisation *out, GError **error)
{
  static const char *const allowed[] = { "approved", "authorisation", "reason", "issuer", NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  const char *text;

  memset (out, 0, sizeof *out);
  root = canteen_proto_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
  if (root == NULL)
    return FALSE;
  obj = json_node_get_object (root);
  if (!canteen_proto_only_members (obj, allowed, "authorise", error) ||
      !canteen_proto_get_bool (obj, "approved", "authorise", &out->approved, error))
    return FALSE;
  if (out->approved)
    {
      if (!canteen_proto_get_string (obj, "authorisation", "authorise", &text, error))
        return FALSE;
      out->authorisation = g_strdup (text);
    }
  else
    {
      if (!canteen_proto_get_string (obj, "reason", "authorise", &text, error))
        return FALSE;
      out->reason = g_strdup (text);
    }
  if (json_object_has_member (obj, "issuer") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "issuer")) &&
      canteen_proto_get_string (obj, "issuer", "authorise", &text, NULL))
    out->issuer_name = g_strdup (text);
  out->answered = TRUE;
  return TRUE;
}

/* ---- step 3: commit ------------------------------------------------------------------------ */

static gboolean
offline_allowed (CanteenLedger *l, const CanteenVisitorSale *s, GDateTime *now, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT floor_limit_fen, deny_fetched_utc FROM clearing_config", error);
  g_autoptr(GDateTime) fetched = NULL;
  gint64 floor_limit = CANTEEN_VISITOR_FLOOR_LIMIT_FEN;
  gint64 amount = s->tray->due_fen;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      floor_limit = sqlite3_column_int64 (stmt, 0);
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        fetched = ledger_parse_utc ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (fetched == NULL || g_date_time_difference (now, fetched) >= (GTimeSpan) CANTEEN_VISITOR_DENY_MAX_AGE_S * G_TIME_SPAN_SECOND)
    return decline (error, CANTEEN_VISITOR_ERROR_LIST_TOO_OLD,
                    "card %s/%s of %s, offline: no online authorisation and the deny list is %s; "
                    "visitor cards are accepted offline only with a list fresher than 24 hours",
                    s->cert.agency, s->cert.card, s->issuer_name, fetched ? "older than 24 hours" : "missing");
  if (amount > s->cert.offline_cap_fen)
    {
      g_autofree char *a = canteen_fen_format (amount), *cap = canteen_fen_format (s->cert.offline_cap_fen);
      return decline (error, CANTEEN_VISITOR_ERROR_OFFLINE_CAP,
                      "card %s/%s of %s, offline: %s is over the card's offline cap of %s",
                      s->cert.agency, s->cert.card, s->issuer_name, a, cap);
    }
  if (amount > floor_limit)
    {
      g_autofree char *a = canteen_fen_format (amount), *lim = canteen_fen_format (floor_limit);
      return decline (error, CANTEEN_VISITOR_ERROR_FLOOR_LIMIT,
                      "card %s/%s of %s, offline: %s is over this terminal's floor limit of %s",
                      s->cert.agency, s->cert.card, s->issuer_name, a, lim);
    }
  return TRUE;
}

static JsonNode *
journal_detail (const CanteenVisitorSale *s, gboolean online, const char *authorisation)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sig = canteen_proto_b64_encode (s->sig, sizeof s->sig);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "record_seq");
  json_builder_add_int_value (b, s->seq);
  json_builder_set_member_name (b, "issuer");
  json_builder_add_string_value (b, s->cert.agency);
  json_builder_set_member_name (b, "card");
  json_builder_add_string_value (b, s->cert.card);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, s->tray->due_fen);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, s->time);
  json_builder_set_member_name (b, "nonce");
  json_builder_add_string_value (b, s->nonce);
  json_builder_set_member_name (b, "card_sig");
  json_builder_add_string_value (b, sig);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, online ? "online" : "offline");
  json_builder_set_member_name (b, "authorisation");
  if (authorisation)
    json_builder_add_string_value (b, authorisation);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
store_sale (CanteenLedger *l, const CanteenVisitorSale *s, const char *issuer_name, gboolean online,
            const char *authorisation, GDateTime *now, gint64 journal_seq, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  g_autofree char *sig = canteen_proto_b64_encode (s->sig, sizeof s->sig);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "INSERT INTO visitor_sales (record_seq, checkout_id, request_hash, kind, issuer, issuer_name, card, holder, "
    "  amount_fen, time, nonce, cert, card_sig, mode, authorisation, period, local_day, created_utc, shift_no, "
    "  journal_seq) "
    "VALUES (?1, ?2, ?3, 'sale', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "  (SELECT shift_no FROM journal WHERE seq = ?18), ?18)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, s->seq);
  sqlite3_bind_text (stmt, 2, s->checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, s->request_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, s->cert.agency, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, issuer_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, s->cert.card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, s->cert.holder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, s->tray->due_fen);
  sqlite3_bind_text (stmt, 9, s->time, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, s->nonce, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, s->cert_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, sig, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, online ? "online" : "offline", -1, SQLITE_STATIC);
  if (authorisation)
    sqlite3_bind_text (stmt, 14, authorisation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 15, canteen_meal_period_id (s->period), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 16, s->local_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 17, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 18, journal_seq);
  if (!ledger_step_done (l, stmt, "storing the visitor sale", error))
    return FALSE;

  for (guint i = 0; i < s->tray->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (s->tray->lines, i);
      stmt = ledger_stmt (l,
        "INSERT INTO visitor_sale_items (checkout_id, line, dish_id, name, name_en, grams, unit_price_fen, amount_fen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, s->checkout_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_text (stmt, 3, line->dish_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, line->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, line->name_en, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 6, line->grams);
      sqlite3_bind_int64 (stmt, 7, line->unit_price_fen);
      sqlite3_bind_int64 (stmt, 8, line->amount_fen);
      if (!ledger_step_done (l, stmt, "storing a visitor sale item", error))
        return FALSE;
    }
  return TRUE;
}

static CanteenVisitorReceipt *
receipt_copy_replayed (CanteenLedger *l, const CanteenVisitorSale *s, GError **error)
{
  CanteenVisitorReceipt *r = load_sale (l, s->checkout_id, NULL, error);

  if (r)
    r->receipt->replayed = TRUE;
  return r;
}

CanteenVisitorReceipt *
canteen_visitor_commit (CanteenLedger *l, CanteenVisitorSale *s, const CanteenAuthorisation *auth,
                        GDateTime *now, GError **error)
{
  g_autoptr(CanteenVisitorReceipt) replay = NULL;
  CanteenVisitorReceipt *receipt = NULL;
  gboolean online = auth != NULL && auth->answered;
  const char *issuer_name;
  gint64 seq, journal_seq;

  if (s->replayed)
    return receipt_copy_replayed (l, s, error);
  issuer_name = online && auth->issuer_name ? auth->issuer_name : s->issuer_name;
  if (online && !auth->approved)
    {
      decline (error, CANTEEN_VISITOR_ERROR_DECLINED, "card %s/%s: the clearing service declined it: %s (issuer %s)",
               s->cert.agency, s->cert.card, auth->reason ? auth->reason : "no reason given", issuer_name);
      return NULL;
    }
  if (online && auth->authorisation == NULL)
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,
                   "the clearing service approved without an authorisation id");
      return NULL;
    }

  if (!ledger_begin (l, error))
    return NULL;
  /* Inside the write lock: another process may have committed this id. */
  if (!find_replay (l, s->checkout_id, s->request_hash, &replay, error))
    goto fail;
  if (replay)
    {
      ledger_rollback (l);
      return g_steal_pointer (&replay);
    }
  if (!online && !offline_allowed (l, s, now, error))
    goto fail;
  seq = next_record_seq (l, error);
  if (seq < 0)
    goto fail;
  if (seq != s->seq)
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_RETRY,
                   "record %" G_GINT64_FORMAT " was used by another sale meanwhile; tap the card again", s->seq);
      goto fail;
    }
  journal_seq = ledger_journal_append (l, "visitor", NULL, s->checkout_id, 0, 0, FALSE,
                                       journal_detail (s, online, online ? auth->authorisation : NULL), now, error);
  if (journal_seq < 0 ||
      !store_sale (l, s, issuer_name, online, online ? auth->authorisation : NULL, now, journal_seq, error))
    goto fail;
  receipt = load_sale (l, s->checkout_id, NULL, error);
  if (receipt == NULL || !ledger_commit (l, error))
    goto fail;
  return receipt;

fail:
  g_clear_pointer (&receipt, canteen_visitor_receipt_free);
  ledger_rollback (l);
  return NULL;
}

CanteenVisitorReceipt *
canteen_visitor_checkout (CanteenLedger *l, const char *checkout_id, const CanteenVisitorCard *card,
                          const CanteenOrderLine *lines, guint n_lines, CanteenAuthoriseFunc authorise,
                          gpointer authorise_data, GDateTime *now, GError **error)
{
  g_autoptr(CanteenVisitorSale) sale = canteen_visitor_prepare (l, checkout_id, card, lines, n_lines, now, error);
  CanteenAuthorisation auth = { 0 };
  CanteenVisitorReceipt *receipt;

  if (sale == NULL)
    return NULL;
  if (authorise != NULL && canteen_visitor_sale_needs_authorisation (sale))
    authorise (sale, &auth, authorise_data);
  receipt = canteen_visitor_commit (l, sale, &auth, now, error);
  canteen_authorisation_clear (&auth);
  return receipt;
}

gboolean
canteen_visitor_sign_with_key (const guint8 *message, gsize len, guint8 sig[64], gpointer secret_key_64,
                               GError **error)
{
  canteen_proto_sign (secret_key_64, message, len, sig);
  return TRUE;
}

/* ---- showing the receipt ---------------------------------------------------------------- */

JsonNode *
canteen_visitor_receipt_to_json (const CanteenVisitorReceipt *v)
{
  JsonNode *node = canteen_receipt_to_json (v->receipt);
  JsonObject *obj = json_node_get_object (node);

  json_object_set_string_member (obj, "issuer", v->receipt->agency);
  json_object_set_string_member (obj, "issuer_name", v->issuer_name);
  json_object_set_string_member (obj, "mode", v->online ? "online" : "offline");
  if (v->authorisation)
    json_object_set_string_member (obj, "authorisation", v->authorisation);
  else
    json_object_set_null_member (obj, "authorisation");
  json_object_set_int_member (obj, "record_seq", v->record_seq);
  json_object_remove_member (obj, "balance_fen");   /* not an account of ours */
  return node;
}

char *
canteen_visitor_receipt_to_text (const CanteenVisitorReceipt *v, GTimeZone *tz)
{
  g_autofree char *text = canteen_receipt_to_text (v->receipt, tz);

  /* The receipt's own text already names the issuer and how it was
   * accepted; the record number is what the clearing service knows it by. */
  if (v->online)
    return g_strdup_printf ("%sclearing record %s/%" G_GINT64_FORMAT ", authorisation %s\n", text,
                            v->receipt->terminal, v->record_seq, v->authorisation);
  return g_strdup_printf ("%sclearing record %s/%" G_GINT64_FORMAT "\n", text, v->receipt->terminal, v->record_seq);
}

/* ---- reversal ---------------------------------------------------------------------------- */

void
canteen_visitor_reversal_clear (CanteenVisitorReversal *r)
{
  g_clear_pointer (&r->reversal_id, g_free);
  g_clear_pointer (&r->checkout_id, g_free);
}

typedef struct {
  gint64 seq;
  gint64 amount_fen;
  gboolean is_reversal;
  gint64 reverses_seq;
  char  *issuer, *issuer_name, *card, *holder, *time, *period, *local_day, *checkout_id;
} StoredRecord;

static void
stored_record_clear (StoredRecord *r)
{
  g_free (r->issuer);
  g_free (r->issuer_name);
  g_free (r->card);
  g_free (r->holder);
  g_free (r->time);
  g_free (r->period);
  g_free (r->local_day);
  g_free (r->checkout_id);
  memset (r, 0, sizeof *r);
}

/* A stored record by checkout id (by_seq FALSE) or by record seq; *found. */
static gboolean
load_record (CanteenLedger *l, const char *checkout_id, gint64 seq, StoredRecord *out, gboolean *found,
             GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, checkout_id
    ? "SELECT record_seq, amount_fen, kind, reverses_seq, issuer, issuer_name, card, holder, time, period, local_day, "
      "       checkout_id FROM visitor_sales WHERE checkout_id = ?1"
    : "SELECT record_seq, amount_fen, kind, reverses_seq, issuer, issuer_name, card, holder, time, period, local_day, "
      "       checkout_id FROM visitor_sales WHERE record_seq = ?2", error);
  int rc;

  memset (out, 0, sizeof *out);
  *found = FALSE;
  if (stmt == NULL)
    return FALSE;
  if (checkout_id)
    sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 2, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      out->seq = sqlite3_column_int64 (stmt, 0);
      out->amount_fen = sqlite3_column_int64 (stmt, 1);
      out->is_reversal = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "reversal") == 0;
      out->reverses_seq = sqlite3_column_int64 (stmt, 3);
      out->issuer = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      out->issuer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      out->card = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      out->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      out->time = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      out->period = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
      out->local_day = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
      out->checkout_id = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading a visitor record");
      return FALSE;
    }
  return TRUE;
}

static gboolean
not_refundable (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
not_refundable (GError **error, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE, message);
  return FALSE;
}

static JsonNode *
reversal_detail (gint64 seq, const StoredRecord *sale, gint64 amount, const char *reason, const char *by)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "record_seq");
  json_builder_add_int_value (b, seq);
  json_builder_set_member_name (b, "reverses_seq");
  json_builder_add_int_value (b, sale->seq);
  json_builder_set_member_name (b, "checkout");
  json_builder_add_string_value (b, sale->checkout_id);
  json_builder_set_member_name (b, "issuer");
  json_builder_add_string_value (b, sale->issuer);
  json_builder_set_member_name (b, "card");
  json_builder_add_string_value (b, sale->card);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, -amount);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "by");
  json_builder_add_string_value (b, by);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
store_reversal (CanteenLedger *l, const char *id, const StoredRecord *sale, gint64 seq, gint64 amount,
                GDateTime *now, gint64 journal_seq, GError **error)
{
  g_autofree char *created = ledger_utc_string (now);
  g_autofree char *time = canteen_proto_format_time (now);
  g_autofree char *what = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, sale->seq, amount);
  g_autofree char *req_hash = ledger_sha256_hex ("visitor-reversal\n", what);
  sqlite3_stmt *stmt = ledger_stmt (l,
    "INSERT INTO visitor_sales (record_seq, checkout_id, request_hash, kind, issuer, issuer_name, card, holder, "
    "  amount_fen, time, mode, reverses_seq, period, local_day, created_utc, shift_no, journal_seq) "
    "VALUES (?1, ?2, ?3, 'reversal', ?4, ?5, ?6, ?7, ?8, ?9, 'offline', ?10, ?11, ?12, ?13, "
    "  (SELECT shift_no FROM journal WHERE seq = ?14), ?14)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, req_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, sale->issuer, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, sale->issuer_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, sale->card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, sale->holder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, -amount);
  sqlite3_bind_text (stmt, 9, time, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 10, sale->seq);
  sqlite3_bind_text (stmt, 11, sale->period, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, sale->local_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 14, journal_seq);
  return ledger_step_done (l, stmt, "storing the reversal", error);
}

static void
fill_reversal (CanteenVisitorReversal *out, const char *id, const StoredRecord *sale, gint64 seq, gint64 amount,
               gboolean replayed)
{
  out->reversal_id = g_strdup (id);
  out->checkout_id = g_strdup (sale->checkout_id);
  out->record_seq = seq;
  out->reverses_seq = sale->seq;
  out->amount_fen = amount;
  out->replayed = replayed;
}

gboolean
canteen_visitor_reverse (CanteenLedger *l, const char *checkout_id, const char *reversal_id, gint64 amount_fen,
                         const char *reason, const char *by, GDateTime *now, CanteenVisitorReversal *out,
                         GError **error)
{
  g_autofree char *id = reversal_id ? g_strdup (reversal_id) : g_uuid_string_random ();
  StoredRecord sale = { 0 }, earlier = { 0 };
  g_autoptr(GDateTime) sold = NULL;
  gboolean found = FALSE;
  gint64 seq, journal_seq;
  sqlite3_stmt *stmt;
  int rc;

  memset (out, 0, sizeof *out);
  if (!canteen_check_key (checkout_id, "checkout", error) || !canteen_check_key (id, "reversal id", error) ||
      !canteen_check_text (reason, "reason", CANTEEN_TEXT_MAX_CHARS, error) || !canteen_check_name (by, "by", error))
    return FALSE;
  if (amount_fen < 0 || amount_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "amount: a reversal gives back 1..%d fen (0: all of the sale)", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  if (!ledger_begin (l, error))
    return FALSE;
  if (!load_record (l, checkout_id, 0, &sale, &found, error))
    goto fail;
  if (!found || sale.is_reversal)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   "checkout: %s is not a visitor sale here", checkout_id);
      goto fail;
    }
  if (amount_fen == 0)
    amount_fen = sale.amount_fen;

  /* The same reversal asked again (a retry): report it, change nothing. */
  if (!load_record (l, id, 0, &earlier, &found, error))
    goto fail;
  if (found)
    {
      if (!earlier.is_reversal || earlier.reverses_seq != sale.seq || -earlier.amount_fen != amount_fen)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "reversal id: %s was already used for something else", id);
          goto fail;
        }
      fill_reversal (out, id, &sale, earlier.seq, amount_fen, TRUE);
      ledger_rollback (l);
      stored_record_clear (&sale);
      stored_record_clear (&earlier);
      return TRUE;
    }
  stmt = ledger_stmt (l, "SELECT 1 FROM visitor_sales WHERE reverses_seq = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, sale.seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      not_refundable (error, "checkout: %s was reversed already (a visitor sale is reversed once)", checkout_id);
      goto fail;
    }
  if (amount_fen > sale.amount_fen)
    {
      not_refundable (error, "amount: %" G_GINT64_FORMAT " fen is more than the sale's %" G_GINT64_FORMAT " fen",
                      amount_fen, sale.amount_fen);
      goto fail;
    }
  sold = canteen_proto_parse_time (sale.time, NULL);
  if (sold == NULL ||
      g_date_time_difference (now, sold) > (GTimeSpan) CANTEEN_VISITOR_REVERSAL_DAYS * G_TIME_SPAN_DAY)
    {
      not_refundable (error, "checkout: %s is more than %d days old; it can no longer be reversed", checkout_id,
                      CANTEEN_VISITOR_REVERSAL_DAYS);
      goto fail;
    }
  seq = next_record_seq (l, error);
  if (seq < 0)
    goto fail;
  journal_seq = ledger_journal_append (l, "visitor-reversal", NULL, id, 0, 0, FALSE,
                                       reversal_detail (seq, &sale, amount_fen, reason, by), now, error);
  if (journal_seq < 0 || !store_reversal (l, id, &sale, seq, amount_fen, now, journal_seq, error) ||
      !ledger_commit (l, error))
    goto fail;
  fill_reversal (out, id, &sale, seq, amount_fen, FALSE);
  stored_record_clear (&sale);
  return TRUE;

fail:
  ledger_rollback (l);
  stored_record_clear (&sale);
  stored_record_clear (&earlier);
  return FALSE;
}
