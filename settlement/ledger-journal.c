/* ledger-journal.c — the hash-chained journal and its verification.
 *
 * Each entry's body is a JSON object written once and never changed; its
 * hash is SHA-256 over the previous entry's hash (hex) followed by the body.
 * The columns beside the body (kind, card, amount, balance) exist for
 * queries; verify checks that they say what the body says, that the chain is
 * whole, and that replaying every entry gives each account's stored balance
 * and status.
 */
#include "ledger-private.h"

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

gint64
ledger_journal_append (CanteenLedger *l, const char *kind, const char *card,
                       const char *ref, gint64 amount_fen, gint64 balance_fen,
                       gboolean has_balance, JsonNode *detail, GDateTime *now,
                       GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *created = ledger_utc_string (now);
  g_autofree char *prev_hash = NULL;
  g_autofree char *body = NULL;
  g_autofree char *hash = NULL;
  const char *terminal = ledger_terminal (l);
  sqlite3_stmt *stmt;
  gint64 seq = 1;
  gint shift;

  g_return_val_if_fail (l->in_transaction, -1);

  stmt = ledger_stmt (l, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    goto fail_detail;
  switch (sqlite3_step (stmt))
    {
    case SQLITE_ROW:
      seq = sqlite3_column_int64 (stmt, 0) + 1;
      prev_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      break;
    case SQLITE_DONE:
      prev_hash = g_strdup (GENESIS_HASH);
      break;
    default:
      ledger_set_db_error (l, error, "reading the journal head");
      sqlite3_reset (stmt);
      goto fail_detail;
    }
  sqlite3_reset (stmt);
  shift = ledger_current_shift (l, error);
  if (shift < 0)
    goto fail_detail;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, seq);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, terminal ? terminal : "");
  json_builder_set_member_name (b, "shift");
  json_builder_add_int_value (b, shift);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "card");
  if (card)
    json_builder_add_string_value (b, card);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "ref");
  if (ref)
    json_builder_add_string_value (b, ref);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, amount_fen);
  json_builder_set_member_name (b, "balance_fen");
  if (has_balance)
    json_builder_add_int_value (b, balance_fen);
  else
    json_builder_add_null_value (b);
  if (detail)
    {
      json_builder_set_member_name (b, "detail");
      json_builder_add_value (b, g_steal_pointer (&detail));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  body = json_generator_to_data (gen, NULL);
  hash = ledger_sha256_hex (prev_hash, body);

  stmt = ledger_stmt (l,
    "INSERT INTO journal (seq, shift_no, kind, card, ref, amount_fen, balance_fen, created_utc, body, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int (stmt, 2, shift);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, amount_fen);
  if (has_balance)
    sqlite3_bind_int64 (stmt, 7, balance_fen);
  sqlite3_bind_text (stmt, 8, created, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, body, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, prev_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, hash, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "appending to the journal", error))
    return -1;
  return seq;

fail_detail:
  if (detail)
    json_node_unref (detail);
  return -1;
}

/* ---- verification ------------------------------------------------------ */

typedef struct {
  gint64 balance;
  char  *status;
} Replayed;

static void
replayed_free (Replayed *r)
{
  g_free (r->status);
  g_free (r);
}

static gboolean
corrupt (GError **error, gint64 seq, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
corrupt (GError **error, gint64 seq, const char *fmt, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
               "journal entry %" G_GINT64_FORMAT ": %s", seq, what);
  return FALSE;
}

static gboolean
column_matches_body (sqlite3_stmt *stmt, int col, JsonObject *body, const char *member)
{
  JsonNode *node = json_object_get_member (body, member);
  gboolean col_null = sqlite3_column_type (stmt, col) == SQLITE_NULL;

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return col_null;
  if (col_null || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return sqlite3_column_type (stmt, col) == SQLITE_INTEGER &&
           json_node_get_int (node) == sqlite3_column_int64 (stmt, col);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (node), (const char *) sqlite3_column_text (stmt, col)) == 0;
  return FALSE;
}

/* Replays one entry into the per-card state; FALSE names what is wrong. */
static gboolean
replay_entry (GHashTable *cards, gint64 seq, const char *kind, const char *card,
              gint64 amount, gboolean has_balance, gint64 balance, JsonObject *body, GError **error)
{
  Replayed *r;

  if (card == NULL)
    return amount == 0 ? TRUE : corrupt (error, seq, "moves money without a card");
  r = g_hash_table_lookup (cards, card);
  if (g_strcmp0 (kind, "open") == 0)
    {
      if (r != NULL)
        return corrupt (error, seq, "opens card %s a second time", card);
      r = g_new0 (Replayed, 1);
      r->status = g_strdup ("active");
      g_hash_table_insert (cards, g_strdup (card), r);
    }
  else if (r == NULL)
    return corrupt (error, seq, "card %s is used before it was opened", card);

  r->balance += amount;
  if (has_balance && r->balance != balance)
    return corrupt (error, seq, "card %s: balance %" G_GINT64_FORMAT " recorded, %" G_GINT64_FORMAT
                    " implied by the entries before it", card, balance, r->balance);
  if (g_strcmp0 (kind, "status") == 0)
    {
      JsonObject *detail = json_object_get_object_member (body, "detail");
      const char *status = detail ? json_object_get_string_member_with_default (detail, "status", NULL) : NULL;
      if (status == NULL)
        return corrupt (error, seq, "status change without a status");
      g_free (r->status);
      r->status = g_strdup (status);
    }
  return TRUE;
}

static gboolean
verify_chain (CanteenLedger *l, GHashTable *cards, CanteenVerifyReport *out, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT seq, kind, card, ref, amount_fen, balance_fen, body, prev_hash, hash, shift_no "
    "FROM journal ORDER BY seq", error);
  g_autofree char *prev = g_strdup (GENESIS_HASH);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 expected_seq = 1;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *kind = (const char *) sqlite3_column_text (stmt, 1);
      const char *card = (const char *) sqlite3_column_text (stmt, 2);
      const char *body = (const char *) sqlite3_column_text (stmt, 6);
      const char *prev_hash = (const char *) sqlite3_column_text (stmt, 7);
      const char *hash = (const char *) sqlite3_column_text (stmt, 8);
      g_autofree char *recomputed = NULL;
      JsonObject *obj;
      gboolean ok;

      if (seq != expected_seq)
        ok = corrupt (error, expected_seq, "missing (next entry is %" G_GINT64_FORMAT ")", seq);
      else if (g_strcmp0 (prev_hash, prev) != 0)
        ok = corrupt (error, seq, "does not follow entry %" G_GINT64_FORMAT " (previous hash differs)", seq - 1);
      else if (g_strcmp0 (hash, (recomputed = ledger_sha256_hex (prev, body ? body : ""))) != 0)
        ok = corrupt (error, seq, "content changed after it was written (hash differs)");
      else if (!json_parser_load_from_data (parser, body, -1, NULL) ||
               !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        ok = corrupt (error, seq, "body is not a JSON object");
      else
        {
          obj = json_node_get_object (json_parser_get_root (parser));
          if (!column_matches_body (stmt, 0, obj, "seq") || !column_matches_body (stmt, 1, obj, "kind") ||
              !column_matches_body (stmt, 2, obj, "card") || !column_matches_body (stmt, 3, obj, "ref") ||
              !column_matches_body (stmt, 4, obj, "amount_fen") || !column_matches_body (stmt, 5, obj, "balance_fen") ||
              !column_matches_body (stmt, 9, obj, "shift"))
            ok = corrupt (error, seq, "columns disagree with the signed body");
          else
            ok = replay_entry (cards, seq, kind, card, sqlite3_column_int64 (stmt, 4),
                               sqlite3_column_type (stmt, 5) != SQLITE_NULL,
                               sqlite3_column_int64 (stmt, 5), obj, error);
        }
      if (!ok)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_free (prev);
      prev = g_strdup (hash);
      expected_seq++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading the journal");
      return FALSE;
    }
  out->entries = expected_seq - 1;
  out->head_hash = g_steal_pointer (&prev);
  return TRUE;
}

static gboolean
verify_accounts (CanteenLedger *l, GHashTable *cards, CanteenVerifyReport *out, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT card, balance_fen, status FROM accounts ORDER BY card", error);
  gint64 n = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *card = (const char *) sqlite3_column_text (stmt, 0);
      Replayed *r = g_hash_table_lookup (cards, card);
      gint64 balance = sqlite3_column_int64 (stmt, 1);

      if (r == NULL || r->balance != balance || g_strcmp0 (r->status, (const char *) sqlite3_column_text (stmt, 2)) != 0)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                       r == NULL ? "account %s: not in the journal"
                                 : "account %s: stored balance %" G_GINT64_FORMAT " or status differs from the journal's",
                       card, balance);
          sqlite3_reset (stmt);
          return FALSE;
        }
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading accounts");
      return FALSE;
    }
  if (n != (gint64) g_hash_table_size (cards))
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                   "accounts: %" G_GINT64_FORMAT " stored, %u opened in the journal", n, g_hash_table_size (cards));
      return FALSE;
    }
  out->accounts = n;
  return TRUE;
}

/* Each sale, void, refund and top-up row must be the one its journal entry
 * speaks of; otherwise a receipt could disagree with the money. */
static gboolean
verify_links (CanteenLedger *l, GError **error)
{
  static const char *checks[] = {
    "SELECT 'checkout ' || c.id, j.seq FROM checkouts c LEFT JOIN journal j ON j.seq = c.journal_seq "
    " WHERE j.seq IS NULL OR j.kind != 'checkout' OR j.ref IS NOT c.id OR j.card IS NOT c.card "
    "    OR j.amount_fen != -c.charged_fen OR j.balance_fen != c.balance_fen LIMIT 1",
    "SELECT 'void of ' || v.checkout_id, j.seq FROM voids v LEFT JOIN journal j ON j.seq = v.journal_seq "
    " WHERE j.seq IS NULL OR j.kind != 'void' OR j.ref IS NOT v.checkout_id OR j.amount_fen != v.credited_fen LIMIT 1",
    "SELECT 'refund ' || r.id, j.seq FROM refunds r LEFT JOIN journal j ON j.seq = r.journal_seq "
    " WHERE j.seq IS NULL OR j.kind != 'refund' OR j.ref IS NOT r.id OR j.amount_fen != r.amount_fen LIMIT 1",
    "SELECT 'top-up ' || t.id, j.seq FROM topups t LEFT JOIN journal j ON j.seq = t.journal_seq "
    " WHERE j.seq IS NULL OR j.kind != 'topup' OR j.ref IS NOT t.id OR j.amount_fen != t.amount_fen LIMIT 1",
    /* The other direction needs no lookup: each record above matches its own
     * entry by reference (ids are unique), so equal counts per kind mean
     * no journal entry is without its record. */
    "SELECT 'journal entries of kind ' || kind || ' (' || n || ') and their records (' || m || ')', 0 FROM ("
    "  SELECT 'checkout' AS kind, (SELECT count (*) FROM journal WHERE kind = 'checkout') AS n, (SELECT count (*) FROM checkouts) AS m"
    "  UNION ALL SELECT 'void', (SELECT count (*) FROM journal WHERE kind = 'void'), (SELECT count (*) FROM voids)"
    "  UNION ALL SELECT 'refund', (SELECT count (*) FROM journal WHERE kind = 'refund'), (SELECT count (*) FROM refunds)"
    "  UNION ALL SELECT 'topup', (SELECT count (*) FROM journal WHERE kind = 'topup'), (SELECT count (*) FROM topups)"
    ") WHERE n != m LIMIT 1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      sqlite3_stmt *stmt = ledger_stmt (l, checks[i], error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          if (sqlite3_column_int64 (stmt, 1) > 0)
            g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                         "%s (journal entry %lld) does not match its record",
                         (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
          else
            g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                         "%s do not match", (const char *) sqlite3_column_text (stmt, 0));
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          ledger_set_db_error (l, error, "cross-checking records");
          return FALSE;
        }
    }
  return TRUE;
}

void
canteen_verify_report_clear (CanteenVerifyReport *report)
{
  g_clear_pointer (&report->head_hash, g_free);
}

gboolean
canteen_ledger_verify (CanteenLedger *l, CanteenVerifyReport *out, GError **error)
{
  g_autoptr(GHashTable) cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) replayed_free);
  gboolean ok;

  memset (out, 0, sizeof *out);
  /* One read transaction: a consistent snapshot even while the kiosk sells. */
  if (sqlite3_exec (l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "starting to read");
      return FALSE;
    }
  ok = verify_chain (l, cards, out, error) &&
       verify_accounts (l, cards, out, error) &&
       verify_links (l, error);
  sqlite3_exec (l->db, "COMMIT", NULL, NULL, NULL);
  if (!ok)
    canteen_verify_report_clear (out);
  return ok;
}
