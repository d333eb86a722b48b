/* ledger-outbox.c — batches of visitor records, stored before they are sent
 * (outbox.h). A batch's body bytes are made once, by proto, and kept: the
 * chain hash, the request signature and any retry all use those bytes.
 */
#include "ledger-private.h"

#include "clearing-proto.h"
#include "outbox.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

void
canteen_outbox_batch_free (CanteenOutboxBatch *b)
{
  if (b == NULL)
    return;
  g_clear_pointer (&b->body, g_bytes_unref);
  g_free (b);
}

/* The last batch's number, last record and hash (0, 0, zeros when none). */
static gboolean
chain_head (CanteenLedger *l, gint64 *batch, gint64 *last_seq, char hash[65], GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT batch, last_seq, hash FROM outbox_batches ORDER BY batch DESC LIMIT 1",
                                    error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  *batch = 0;
  *last_seq = 0;
  g_strlcpy (hash, GENESIS, 65);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *batch = sqlite3_column_int64 (stmt, 0);
      *last_seq = sqlite3_column_int64 (stmt, 1);
      g_strlcpy (hash, (const char *) sqlite3_column_text (stmt, 2), 65);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading the outbox");
      return FALSE;
    }
  return TRUE;
}

static CanteenRecord *
record_from_row (CanteenLedger *l, sqlite3_stmt *stmt, GError **error)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);
  const char *cert = (const char *) sqlite3_column_text (stmt, 5);
  g_autoptr(GBytes) cert_bytes = g_bytes_new (cert ? cert : "", cert ? strlen (cert) : 0);

  r->terminal = g_strdup (ledger_terminal (l));
  r->seq = sqlite3_column_int64 (stmt, 0);
  r->checkout = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  r->time = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->amount_fen = sqlite3_column_int64 (stmt, 3);
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), "reversal") == 0)
    {
      /* API.md: a reversal carries no card data and names its sale. */
      r->kind = CANTEEN_RECORD_REVERSAL;
      r->reverses_terminal = g_strdup (r->terminal);
      r->reverses_seq = sqlite3_column_int64 (stmt, 10);
      return r;
    }
  r->kind = CANTEEN_RECORD_SALE;
  r->nonce = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  r->has_cert = TRUE;
  r->online = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 7), "online") == 0;
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    r->authorisation = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  if (!canteen_card_cert_from_bytes (cert_bytes, &r->cert, error) ||
      !canteen_proto_b64_decode ((const char *) sqlite3_column_text (stmt, 6), r->card_sig, sizeof r->card_sig, error))
    {
      g_prefix_error (error, "visitor record %" G_GINT64_FORMAT ": ", r->seq);
      canteen_record_clear (r);
      g_free (r);
      return NULL;
    }
  return r;
}

/* Builds and stores one batch from the records after `after`; *made FALSE
 * when there were none. */
static gboolean
build_one (CanteenLedger *l, gint max_records, GDateTime *now, gboolean *made, GError **error)
{
  g_autoptr(CanteenBatch) batch = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *created = canteen_proto_format_time (now);
  char prev_hash[65], hash[65];
  gint64 number, after;
  sqlite3_stmt *stmt;
  int rc;

  *made = FALSE;
  if (!chain_head (l, &number, &after, prev_hash, error))
    return FALSE;
  batch = canteen_batch_new (ledger_terminal (l), number + 1, prev_hash, created);
  stmt = ledger_stmt (l,
    "SELECT record_seq, checkout_id, time, amount_fen, nonce, cert, card_sig, mode, authorisation, kind, reverses_seq "
    "  FROM visitor_sales WHERE record_seq > ?1 ORDER BY record_seq LIMIT ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int (stmt, 2, max_records);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenRecord *r = record_from_row (l, stmt, error);
      if (r == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      if (r->seq != after + batch->records->len + 1)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                       "visitor records: %" G_GINT64_FORMAT " is missing", after + batch->records->len + 1);
          canteen_record_clear (r);
          g_free (r);
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_ptr_array_add (batch->records, r);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading visitor records");
      return FALSE;
    }
  if (batch->records->len == 0)
    return TRUE;

  body = canteen_batch_to_bytes (batch);
  canteen_proto_sha256_hex (g_bytes_get_data (body, NULL), g_bytes_get_size (body), hash);
  stmt = ledger_stmt (l,
    "INSERT INTO outbox_batches (batch, first_seq, last_seq, records, body, hash, prev_hash, created_utc) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, number + 1);
  sqlite3_bind_int64 (stmt, 2, after + 1);
  sqlite3_bind_int64 (stmt, 3, after + batch->records->len);
  sqlite3_bind_int64 (stmt, 4, batch->records->len);
  sqlite3_bind_blob64 (stmt, 5, g_bytes_get_data (body, NULL), g_bytes_get_size (body), SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, prev_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "storing a batch", error))
    return FALSE;
  *made = TRUE;
  return TRUE;
}

gint
canteen_outbox_build (CanteenLedger *l, gint max_records, GDateTime *now, GError **error)
{
  gint built = 0;
  gboolean made = TRUE;

  if (max_records <= 0 || max_records > CANTEEN_OUTBOX_MAX_RECORDS)
    max_records = CANTEEN_OUTBOX_MAX_RECORDS;
  if (ledger_terminal (l) == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return -1;
    }
  /* One transaction per batch: a long backlog never holds the write lock
   * (and the kiosk's sales) for long. */
  while (made)
    {
      if (!ledger_begin (l, error))
        return -1;
      if (!build_one (l, max_records, now, &made, error))
        {
          ledger_rollback (l);
          return -1;
        }
      if (!ledger_commit (l, error))
        return -1;
      if (made)
        built++;
    }
  return built;
}

CanteenOutboxBatch *
canteen_outbox_next_unsent (CanteenLedger *l, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "SELECT b.batch, b.first_seq, b.last_seq, b.body, b.hash FROM outbox_batches b "
    " WHERE NOT EXISTS (SELECT 1 FROM outbox_receipts r WHERE r.batch = b.batch) ORDER BY b.batch LIMIT 1", error);
  CanteenOutboxBatch *b = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      b = g_new0 (CanteenOutboxBatch, 1);
      b->batch = sqlite3_column_int64 (stmt, 0);
      b->first_seq = sqlite3_column_int64 (stmt, 1);
      b->last_seq = sqlite3_column_int64 (stmt, 2);
      b->body = g_bytes_new (sqlite3_column_blob (stmt, 3), (gsize) sqlite3_column_bytes (stmt, 3));
      g_strlcpy (b->hash, (const char *) sqlite3_column_text (stmt, 4), sizeof b->hash);
    }
  else if (rc != SQLITE_DONE)
    ledger_set_db_error (l, error, "reading the outbox");
  sqlite3_reset (stmt);
  return b;
}

gboolean
canteen_outbox_mark_sent (CanteenLedger *l, gint64 batch, GBytes *receipt, const char *signature,
                          const char *window, GDateTime *now, GError **error)
{
  g_autofree char *sent = ledger_utc_string (now);
  sqlite3_stmt *stmt;

  if (!ledger_begin (l, error))
    return FALSE;
  /* A receipt stored by an earlier run that died before reporting is fine. */
  stmt = ledger_stmt (l, "INSERT INTO outbox_receipts (batch, receipt, signature, window, sent_utc) "
                         "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (batch) DO NOTHING", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, batch);
  sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (receipt, NULL), g_bytes_get_size (receipt), SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, signature, -1, SQLITE_STATIC);
  if (window)
    sqlite3_bind_text (stmt, 4, window, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, sent, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "storing a batch receipt", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gint64
canteen_outbox_backoff_ms (gint failures, guint32 random)
{
  gint64 delay = CANTEEN_OUTBOX_BACKOFF_BASE_MS;

  if (failures <= 0)
    return 0;
  for (gint i = 1; i < failures && delay < CANTEEN_OUTBOX_BACKOFF_MAX_MS; i++)
    delay *= 2;
  delay = MIN (delay, CANTEEN_OUTBOX_BACKOFF_MAX_MS);
  /* Equal jitter: terminals that went offline together do not all come
   * back at the same second, and none waits less than half the delay. */
  return delay / 2 + (gint64) ((double) (delay / 2) * ((double) random / (double) G_MAXUINT32));
}

gboolean
canteen_outbox_note_attempt (CanteenLedger *l, gboolean ok, const char *message, GDateTime *now, GError **error)
{
  g_autofree char *when = ledger_utc_string (now);
  g_autofree char *next = NULL;
  sqlite3_stmt *stmt;
  gint failures = 0;

  if (!ledger_begin (l, error))
    return FALSE;
  if (ok)
    stmt = ledger_stmt (l, "UPDATE clearing_config SET last_attempt_utc = ?1, last_success_utc = ?1, "
                           "  last_error = NULL, failures = 0, next_attempt_utc = NULL", error);
  else
    {
      sqlite3_stmt *read = ledger_stmt (l, "SELECT failures FROM clearing_config", error);
      g_autoptr(GDateTime) then = NULL;
      if (read == NULL)
        goto fail;
      if (sqlite3_step (read) == SQLITE_ROW)
        failures = sqlite3_column_int (read, 0);
      sqlite3_reset (read);
      failures++;
      then = g_date_time_add (now, canteen_outbox_backoff_ms (failures, g_random_int ()) * G_TIME_SPAN_MILLISECOND);
      next = ledger_utc_string (then);
      stmt = ledger_stmt (l, "UPDATE clearing_config SET last_attempt_utc = ?1, last_error = ?2, failures = ?3, "
                             "  next_attempt_utc = ?4", error);
    }
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, when, -1, SQLITE_STATIC);
  if (!ok)
    {
      sqlite3_bind_text (stmt, 2, message ? message : "failed", -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, failures);
      sqlite3_bind_text (stmt, 4, next, -1, SQLITE_STATIC);
    }
  if (!ledger_step_done (l, stmt, "recording the sync attempt", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}
