/* ledger-postings.c — the issuer's back office posts a clearing statement:
 * each meal one of its officials had at another agency's canteen is debited
 * from the official's account, once (visitor.h).
 *
 * "Once" is the issuer_postings row keyed by (terminal, seq), written in the
 * same transaction as the journal entry and the balance: running the same
 * statement again, or a later window that repeats a record, posts nothing
 * new. A record that cannot be posted now (no account, or the balance would
 * go below the account's limit) is held: reported and left for a later run,
 * never half-posted.
 */
#include "ledger-private.h"

#include "clearing-proto.h"
#include "money.h"
#include "visitor.h"

static void
posting_free (CanteenPosting *p)
{
  g_free (p->terminal);
  g_free (p->card);
  g_free (p->why);
  g_free (p);
}

void
canteen_posting_report_clear (CanteenPostingReport *r)
{
  g_clear_pointer (&r->window, g_free);
  g_clear_pointer (&r->postings, g_ptr_array_unref);
}

JsonNode *
canteen_posting_report_to_json (const CanteenPostingReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "window");
  json_builder_add_string_value (b, r->window ? r->window : "");
  json_builder_set_member_name (b, "posted");
  json_builder_add_int_value (b, r->posted);
  json_builder_set_member_name (b, "already");
  json_builder_add_int_value (b, r->already);
  json_builder_set_member_name (b, "held");
  json_builder_add_int_value (b, r->held);
  json_builder_set_member_name (b, "postings");
  json_builder_begin_array (b);
  for (guint i = 0; r->postings && i < r->postings->len; i++)
    {
      const CanteenPosting *p = g_ptr_array_index (r->postings, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "terminal");
      json_builder_add_string_value (b, p->terminal);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, p->seq);
      json_builder_set_member_name (b, "card");
      json_builder_add_string_value (b, p->card);
      json_builder_set_member_name (b, "amount_fen");
      json_builder_add_int_value (b, p->amount_fen);
      json_builder_set_member_name (b, "posted");
      json_builder_add_boolean_value (b, !p->held);
      if (p->held)
        {
          json_builder_set_member_name (b, "why");
          json_builder_add_string_value (b, p->why);
        }
      else
        {
          json_builder_set_member_name (b, "balance_fen");
          json_builder_add_int_value (b, p->balance_fen);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
bad_statement (GError **error, GError *cause, const char *what)
{
  g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT, "statement: %s",
               cause ? cause->message : what);
  g_clear_error (&cause);
  return FALSE;
}

typedef struct {
  const char *terminal;
  gint64 seq;
  const char *kind;
  const char *card;
  gint64 amount_fen;
  const char *time;
} StatementRecord;

static gboolean
read_record (JsonNode *node, StatementRecord *out, gboolean *is_issuer, GError **error)
{
  static const char *const members[] = { "terminal", "seq", "kind", "role", "card", "amount_fen", "time", NULL };
  const char *role;
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_statement (error, NULL, "a record is not an object");
  obj = json_node_get_object (node);
  if (!canteen_proto_only_members (obj, members, "record", error) ||
      !canteen_proto_get_string (obj, "terminal", "record", &out->terminal, error) ||
      !canteen_proto_check_terminal (out->terminal, error) ||
      !canteen_proto_get_int (obj, "seq", "record", 1, G_MAXINT64, &out->seq, error) ||
      !canteen_proto_get_string (obj, "kind", "record", &out->kind, error) ||
      !canteen_proto_get_string (obj, "role", "record", &role, error) ||
      !canteen_proto_get_string (obj, "card", "record", &out->card, error) ||
      !canteen_proto_check_card (out->card, error) ||
      !canteen_proto_get_int (obj, "amount_fen", "record", -CANTEEN_PROTO_MAX_AMOUNT_FEN,
                              CANTEEN_PROTO_MAX_AMOUNT_FEN, &out->amount_fen, error) ||
      !canteen_proto_get_string (obj, "time", "record", &out->time, error))
    return FALSE;
  if (g_strcmp0 (out->kind, "sale") != 0 && g_strcmp0 (out->kind, "reversal") != 0)
    return bad_statement (error, NULL, "record kind is neither sale nor reversal");
  if ((g_strcmp0 (out->kind, "sale") == 0) != (out->amount_fen > 0))
    return bad_statement (error, NULL, "record amount has the wrong sign for its kind");
  if (g_strcmp0 (role, "issuer") != 0 && g_strcmp0 (role, "acquirer") != 0)
    return bad_statement (error, NULL, "record role is neither issuer nor acquirer");
  *is_issuer = g_strcmp0 (role, "issuer") == 0;
  return TRUE;
}

static JsonNode *
posting_detail (const StatementRecord *r, const char *window)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "window");
  json_builder_add_string_value (b, window);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, r->terminal);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, r->seq);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, r->kind);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, r->time);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Posts one record inside the caller's transaction. */
static gboolean
post_one (CanteenLedger *l, const StatementRecord *r, const char *window, GDateTime *now,
          CanteenPostingReport *out, GError **error)
{
  g_autofree char *ref = g_strdup_printf ("%s/%" G_GINT64_FORMAT, r->terminal, r->seq);
  g_autofree char *posted = ledger_utc_string (now);
  CanteenPosting *p;
  CanteenAccount account = { 0 };
  sqlite3_stmt *stmt;
  gboolean found;
  gint64 seq;
  int rc;

  stmt = ledger_stmt (l, "SELECT 1 FROM issuer_postings WHERE terminal = ?1 AND seq = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->terminal, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, r->seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      out->already++;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading postings");
      return FALSE;
    }

  p = g_new0 (CanteenPosting, 1);
  p->terminal = g_strdup (r->terminal);
  p->seq = r->seq;
  p->card = g_strdup (r->card);
  p->amount_fen = r->amount_fen;
  g_ptr_array_add (out->postings, p);
  if (!ledger_load_account (l, r->card, &account, &found, error))
    return FALSE;
  if (!found)
    p->why = g_strdup_printf ("card %s has no account here", r->card);
  else if (account.balance_fen - r->amount_fen < -account.credit_limit_fen)
    {
      g_autofree char *have = canteen_fen_format (account.balance_fen);
      g_autofree char *owe = canteen_fen_format (r->amount_fen);
      p->why = g_strdup_printf ("card %s has %s, the meal was %s: top up, then post again", r->card, have, owe);
    }
  if (p->why)
    {
      p->held = TRUE;
      out->held++;
      canteen_account_clear (&account);
      return TRUE;
    }
  /* The official owes what the meal cost (a reversal credits it back);
   * lost or closed cards are still debited: the meal was eaten. */
  p->balance_fen = account.balance_fen - r->amount_fen;
  canteen_account_clear (&account);
  seq = ledger_journal_append (l, "clearing", r->card, ref, -r->amount_fen, p->balance_fen, TRUE,
                               posting_detail (r, window), now, error);
  if (seq < 0 || !ledger_store_balance (l, r->card, p->balance_fen, error))
    return FALSE;
  stmt = ledger_stmt (l,
    "INSERT INTO issuer_postings (terminal, seq, kind, card, amount_fen, window, posted_utc, journal_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->terminal, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, r->seq);
  sqlite3_bind_text (stmt, 3, r->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, r->card, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, r->amount_fen);
  sqlite3_bind_text (stmt, 6, window, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, posted, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, seq);
  if (!ledger_step_done (l, stmt, "recording the posting", error))
    return FALSE;
  out->posted++;
  return TRUE;
}

gboolean
canteen_visitor_post_statement (CanteenLedger *l, GBytes *statement, GDateTime *now,
                                CanteenPostingReport *out, GError **error)
{
  static const char *const members[] = { "window", "agency", "closed", "net_fen", "receivable", "payable",
                                         "records", NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *window_node;
  JsonArray *records;
  const char *agency;
  GError *local = NULL;

  memset (out, 0, sizeof *out);
  out->postings = g_ptr_array_new_with_free_func ((GDestroyNotify) posting_free);
  if (ledger_agency (l) == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return FALSE;
    }
  root = canteen_proto_parse_object (g_bytes_get_data (statement, NULL), g_bytes_get_size (statement), &local);
  if (root == NULL)
    return bad_statement (error, local, NULL);
  obj = json_node_get_object (root);
  if (!canteen_proto_only_members (obj, members, "statement", &local) ||
      !canteen_proto_get_string (obj, "agency", "statement", &agency, &local))
    return bad_statement (error, local, NULL);
  if (g_strcmp0 (agency, ledger_agency (l)) != 0)
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,
                   "statement: is agency %s's, this ledger is agency %s's", agency, ledger_agency (l));
      return FALSE;
    }
  window_node = json_object_get_member (obj, "window");
  if (window_node == NULL || !JSON_NODE_HOLDS_VALUE (window_node))
    return bad_statement (error, NULL, "window is missing");
  if (json_node_get_value_type (window_node) == G_TYPE_INT64)
    out->window = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (window_node));
  else if (json_node_get_value_type (window_node) == G_TYPE_STRING)
    out->window = g_strdup (json_node_get_string (window_node));
  else
    return bad_statement (error, NULL, "window is neither a number nor a string");
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "records")))
    return bad_statement (error, NULL, "records is not an array");
  records = json_object_get_array_member (obj, "records");

  /* All or nothing: a statement is posted in one transaction. */
  if (!ledger_begin (l, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      StatementRecord r = { 0 };
      gboolean is_issuer = FALSE;

      if (!read_record (json_array_get_element (records, i), &r, &is_issuer, &local))
        {
          g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,
                       "statement: record %u: %s", i, local->message);
          g_clear_error (&local);
          goto fail;
        }
      if (is_issuer && !post_one (l, &r, out->window, now, out, error))
        goto fail;
    }
  if (!ledger_commit (l, error))
    goto fail_committed;
  return TRUE;

fail:
  ledger_rollback (l);
fail_committed:
  g_ptr_array_set_size (out->postings, 0);
  out->posted = out->already = out->held = 0;
  return FALSE;
}
