/* clearing-batches.c — batch ingest (POST /v1/batches).
 *
 * A batch is checked whole and stored whole in one transaction, or refused
 * changing nothing: the chain (batch number, prev_hash, record seq), every
 * record (issuer trusted, certificate signed by it and valid on the record's
 * day, card signature over the record's own fields, online sales carrying an
 * authorisation this service gave, reversals linked to one unreversed sale of
 * the same terminal within 30 days and not above it), then each record is
 * assigned to the window open now — in the same transaction, so a concurrent
 * `window close` either sees the record or the record lands in the next.
 * The exact body, the request's time and signature, and the exact receipt
 * are stored: a replay answers the same bytes, and `verify` can prove later
 * who sent what. */
#include "clearing-private.h"

#include <string.h>

typedef struct {
  const ClearingKey *key;
  const ClearingRequestAuth *auth;
  const char *body;
  gsize len;
  const char *now;
  CanteenBatch *batch;
  char hash[65];
  char *receipt, *receipt_sig;
  GHashTable *issuers;    /* code -> guint8[32] (checked trusted) */
  GHashTable *certs;      /* issuer_sig -> CanteenCardCert* verified in this batch */
} Submit;

static guint
sig_hash (gconstpointer key)
{
  guint h;
  memcpy (&h, key, sizeof h);   /* a signature's bytes are uniformly random */
  return h;
}

static gboolean
sig_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, CANTEEN_PROTO_SIG_BYTES) == 0;
}

static void
cert_free (gpointer p)
{
  canteen_card_cert_clear (p);
  g_free (p);
}

static gboolean
cert_equal (const CanteenCardCert *a, const CanteenCardCert *b)
{
  return strcmp (a->agency, b->agency) == 0 && strcmp (a->card, b->card) == 0 && strcmp (a->holder, b->holder) == 0
         && memcmp (a->card_key, b->card_key, sizeof a->card_key) == 0 && strcmp (a->not_after, b->not_after) == 0
         && a->offline_cap_fen == b->offline_cap_fen && a->daily_cap_fen == b->daily_cap_fen
         && memcmp (a->issuer_sig, b->issuer_sig, sizeof a->issuer_sig) == 0;
}

#define RECORD_COLUMNS 14
#define RECORD_ROWS 250

/* "INSERT INTO records (…) VALUES ($1, …, $14), ($15, …)" for `rows` rows. */
static char *
records_insert_sql (guint rows)
{
  GString *sql = g_string_new ("INSERT INTO records (terminal, seq, batch, kind, at, day, amount_fen, issuer, "
                               "acquirer, card, authorisation, reverses_terminal, reverses_seq, win) VALUES ");
  for (guint k = 0; k < rows; k++)
    {
      g_string_append (sql, k ? ", (" : "(");
      for (guint c = 1; c <= RECORD_COLUMNS; c++)
        {
          /* Typed, so PostgreSQL infers the same types in every row. */
          guint n = k * RECORD_COLUMNS + c;
          gboolean numeric = c == 2 || c == 3 || c == 7 || c == 13 || c == 14;
          g_string_append_printf (sql, numeric ? "CAST($%u AS BIGINT)%s" : "$%u%s", n, c < RECORD_COLUMNS ? ", " : ")");
        }
    }
  return g_string_free (sql, FALSE);
}

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* The stored batch with this key: 1 and its receipt, 0 when none, -1. */
static int
stored_batch (ClearingDb *db, Submit *s, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT body, receipt, receipt_sig FROM batches "
                                            "WHERE terminal = $1 AND batch = $2",
                                            error);
  if (stmt == NULL)
    return -1;
  clearing_stmt_bind_text (stmt, 1, s->batch->terminal);
  clearing_stmt_bind_int64 (stmt, 2, s->batch->batch);
  int rc = clearing_stmt_step (stmt, error);
  if (rc <= 0)
    return rc;
  const char *body = clearing_stmt_text (stmt, 0);
  gboolean same = strlen (body) == s->len && memcmp (body, s->body, s->len) == 0;
  if (same)
    {
      s->receipt = g_strdup (clearing_stmt_text (stmt, 1));
      s->receipt_sig = g_strdup (clearing_stmt_text (stmt, 2));
    }
  clearing_stmt_run (stmt, NULL);
  if (!same)
    {
      clearing_fail (error, CLEARING_ERROR_CONFLICT,
                     "batch %s/%" G_GINT64_FORMAT " is stored already with another body", s->batch->terminal,
                     s->batch->batch);
      return -1;
    }
  return 1;
}

static const guint8 *
issuer_key (ClearingDb *db, Submit *s, const char *agency, GError **error)
{
  guint8 *pk = g_hash_table_lookup (s->issuers, agency);
  gboolean active = FALSE;
  GError *local = NULL;
  if (pk != NULL)
    return pk;
  pk = g_malloc (CANTEEN_PROTO_PK_BYTES);
  if (!clearing_agency_get (db, agency, pk, NULL, &active, &local) || !active)
    {
      g_free (pk);
      if (local != NULL)
        g_propagate_error (error, local);
      else
        clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "unknown_issuer: agency %s is not a trusted issuer", agency);
      return NULL;
    }
  g_hash_table_insert (s->issuers, g_strdup (agency), pk);
  return pk;
}

typedef struct {
  gint64 amount_fen;
  char *time, *issuer, *card;
  gboolean reversed;
} SaleRef;

static void
sale_ref_free (gpointer p)
{
  SaleRef *r = p;
  g_free (r->time);
  g_free (r->issuer);
  g_free (r->card);
  g_free (r);
}

/* The sale `seq` of this terminal, from this batch (earlier records) or the
 * store. NULL when there is none (no error) or on failure (error). */
static SaleRef *
find_sale (ClearingDb *db, Submit *s, GHashTable *in_batch, gint64 seq, GError **error)
{
  SaleRef *r = g_hash_table_lookup (in_batch, &seq);
  if (r != NULL)
    return r;
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT r.kind, r.amount_fen, r.at, r.issuer, r.card, "
                                            "(SELECT COUNT(*) FROM records v WHERE v.reverses_terminal = r.terminal "
                                            "AND v.reverses_seq = r.seq) "
                                            "FROM records r WHERE r.terminal = $1 AND r.seq = $2",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_text (stmt, 1, s->batch->terminal);
  clearing_stmt_bind_int64 (stmt, 2, seq);
  int rc = clearing_stmt_step (stmt, error);
  if (rc <= 0)
    return NULL;
  if (strcmp (clearing_stmt_text (stmt, 0), "sale") != 0)
    {
      clearing_stmt_run (stmt, NULL);
      clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "record %s/%" G_GINT64_FORMAT " is not a sale",
                     s->batch->terminal, seq);
      return NULL;
    }
  r = g_new0 (SaleRef, 1);
  r->amount_fen = clearing_stmt_int64 (stmt, 1);
  r->time = g_strdup (clearing_stmt_text (stmt, 2));
  r->issuer = g_strdup (clearing_stmt_text (stmt, 3));
  r->card = g_strdup (clearing_stmt_text (stmt, 4));
  r->reversed = clearing_stmt_int64 (stmt, 5) > 0;
  clearing_stmt_run (stmt, NULL);
  gint64 *k = g_new (gint64, 1);
  *k = seq;
  g_hash_table_insert (in_batch, k, r);
  return r;
}

static gboolean
authorisation_known (ClearingDb *db, const CanteenRecord *r, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT COUNT(*) FROM authorisations WHERE id = $1 AND terminal = $2 "
                                            "AND seq = $3 AND approved = 1 AND amount_fen = $4",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, r->authorisation);
  clearing_stmt_bind_text (stmt, 2, r->terminal);
  clearing_stmt_bind_int64 (stmt, 3, r->seq);
  clearing_stmt_bind_int64 (stmt, 4, r->amount_fen);
  if (clearing_stmt_step (stmt, error) < 0)
    return FALSE;
  gboolean known = clearing_stmt_int64 (stmt, 0) > 0;
  clearing_stmt_run (stmt, NULL);
  if (!known)
    clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "authorisation %s was not given for %s/%" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT " fen", r->authorisation, r->terminal, r->seq, r->amount_fen);
  return known;
}

/* Checks one record; fills issuer and card (the sale's, for a reversal). */
static gboolean
check_record (ClearingDb *db, Submit *s, GHashTable *in_batch, CanteenRecord *r, const char **issuer,
              const char **card, GError **error)
{
  if (strcmp (r->terminal, s->batch->terminal) != 0)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "terminal: %s is not the batch's terminal", r->terminal);
  if (r->kind == CANTEEN_RECORD_SALE)
    {
      GError *local = NULL;
      if (!r->has_cert)
        return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "cert: a sale needs the card's certificate");
      const guint8 *pk = issuer_key (db, s, r->cert.agency, error);
      if (pk == NULL)
        return FALSE;
      /* A card pays many times a batch: its certificate is checked once
       * (a later copy must equal the checked one in every field). */
      CanteenCardCert *seen = g_hash_table_lookup (s->certs, r->cert.issuer_sig);
      if (seen == NULL || !cert_equal (seen, &r->cert))
        {
          if (!canteen_card_cert_verify (&r->cert, pk, &local))
            {
              clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "bad_certificate: %s", local->message);
              g_error_free (local);
              return FALSE;
            }
          CanteenCardCert *copy = g_new0 (CanteenCardCert, 1);
          canteen_card_cert_copy (&r->cert, copy);
          g_hash_table_replace (s->certs, copy->issuer_sig, copy);
        }
      if (strncmp (r->time, r->cert.not_after, 10) > 0)
        return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "expired: the certificate ended on %s",
                              r->cert.not_after);
      if (r->online && !authorisation_known (db, r, error))
        return FALSE;
      *issuer = r->cert.agency;
      *card = r->cert.card;
      SaleRef *ref = g_new0 (SaleRef, 1);
      ref->amount_fen = r->amount_fen;
      ref->time = g_strdup (r->time);
      ref->issuer = g_strdup (r->cert.agency);
      ref->card = g_strdup (r->cert.card);
      gint64 *k = g_new (gint64, 1);
      *k = r->seq;
      g_hash_table_insert (in_batch, k, ref);
      return TRUE;
    }
  /* A reversal. */
  if (g_strcmp0 (r->reverses_terminal, r->terminal) != 0)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "reverses: names a sale of another terminal (%s)",
                          r->reverses_terminal ? r->reverses_terminal : "none");
  GError *local = NULL;
  SaleRef *sale = find_sale (db, s, in_batch, r->reverses_seq, &local);
  if (sale == NULL)
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "reverses: no sale %s/%" G_GINT64_FORMAT,
                            r->terminal, r->reverses_seq);
    }
  if (sale->reversed)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "reverses: sale %s/%" G_GINT64_FORMAT
                          " is reversed already", r->terminal, r->reverses_seq);
  if (-r->amount_fen > sale->amount_fen)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "amount_fen: the reversal of %" G_GINT64_FORMAT
                          " fen exceeds the sale's %" G_GINT64_FORMAT " fen", -r->amount_fen, sale->amount_fen);
  g_autoptr (GDateTime) t_sale = canteen_proto_parse_time (sale->time, NULL);
  g_autoptr (GDateTime) t_rev = canteen_proto_parse_time (r->time, NULL);
  if (t_sale == NULL || t_rev == NULL)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "time: unreadable");
  GTimeSpan age = g_date_time_difference (t_rev, t_sale);
  if (age < 0 || age > (GTimeSpan) CANTEEN_PROTO_REVERSAL_DAYS * G_TIME_SPAN_DAY)
    return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "reverses: sale %s/%" G_GINT64_FORMAT
                          " of %s is not within %d days before the reversal", r->terminal, r->reverses_seq,
                          sale->time, CANTEEN_PROTO_REVERSAL_DAYS);
  sale->reversed = TRUE;
  *issuer = sale->issuer;
  *card = sale->card;
  return TRUE;
}

static char *
make_receipt (Submit *s, gint64 window)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, s->batch->terminal);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, s->batch->batch);
  json_builder_set_member_name (b, "hash");
  json_builder_add_string_value (b, s->hash);
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, s->batch->records->len);
  json_builder_set_member_name (b, "window");
  json_builder_add_int_value (b, window);
  json_builder_set_member_name (b, "received");
  json_builder_add_string_value (b, s->now);
  json_builder_end_object (b);
  return clearing_builder_text (b);
}

static gboolean
submit_tx (ClearingDb *db, gpointer data, GError **error)
{
  Submit *s = data;
  CanteenBatch *batch = s->batch;
  g_clear_pointer (&s->receipt, g_free);
  g_clear_pointer (&s->receipt_sig, g_free);
  g_hash_table_remove_all (s->issuers);
  g_hash_table_remove_all (s->certs);

  int rc = stored_batch (db, s, error);
  if (rc != 0)
    return rc > 0;

  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT batch, hash, last_seq FROM batches WHERE terminal = $1 "
                                            "ORDER BY batch DESC LIMIT 1",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, batch->terminal);
  rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  gint64 last_batch = 0, last_seq = 0;
  g_autofree char *last_hash = g_strdup (zero_hash);
  if (rc == 1)
    {
      last_batch = clearing_stmt_int64 (stmt, 0);
      g_free (last_hash);
      last_hash = g_strdup (clearing_stmt_text (stmt, 1));
      last_seq = clearing_stmt_int64 (stmt, 2);
      clearing_stmt_run (stmt, NULL);
    }
  if (batch->batch != last_batch + 1)
    return clearing_fail (error, CLEARING_ERROR_SEQUENCE_GAP,
                          "batch: %" G_GINT64_FORMAT " does not follow the stored chain (next is %" G_GINT64_FORMAT
                          "; send the oldest unsent batch first)", batch->batch, last_batch + 1);
  if (strcmp (batch->prev_hash, last_hash) != 0)
    return clearing_fail (error, CLEARING_ERROR_CHAIN_BROKEN,
                          "prev_hash: is not the hash of batch %" G_GINT64_FORMAT " (%s)", last_batch, last_hash);
  CanteenRecord *first = g_ptr_array_index (batch->records, 0);
  CanteenRecord *last = g_ptr_array_index (batch->records, batch->records->len - 1);
  if (first->seq != last_seq + 1)
    return clearing_fail (error, CLEARING_ERROR_SEQUENCE_GAP,
                          "records: the first seq is %" G_GINT64_FORMAT ", the next expected is %" G_GINT64_FORMAT,
                          first->seq, last_seq + 1);

  stmt = clearing_db_prepare (db, "SELECT agency FROM terminals WHERE id = $1", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, batch->terminal);
  if ((rc = clearing_stmt_step (stmt, error)) <= 0)
    return rc == 0 ? clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "unknown terminal") : FALSE;
  g_autofree char *acquirer = g_strdup (clearing_stmt_text (stmt, 0));
  clearing_stmt_run (stmt, NULL);

  g_autoptr (GHashTable) in_batch = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, sale_ref_free);
  g_autofree const char **issuers = g_new0 (const char *, batch->records->len);
  g_autofree const char **cards = g_new0 (const char *, batch->records->len);
  for (guint i = 0; i < batch->records->len; i++)
    {
      GError *local = NULL;
      if (!check_record (db, s, in_batch, g_ptr_array_index (batch->records, i), &issuers[i], &cards[i], &local))
        {
          if (local->domain == CLEARING_ERROR)
            {
              g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_BAD_RECORD, "record %u: %s", i, local->message);
              g_error_free (local);
            }
          else
            g_propagate_error (error, local);
          return FALSE;
        }
    }

  gint64 window;
  if (!clearing_open_window (db, &window, error))
    return FALSE;
  s->receipt = make_receipt (s, window);
  s->receipt_sig = clearing_sign_document (s->key, "receipt", s->receipt, strlen (s->receipt));

  stmt = clearing_db_prepare (db,
                              "INSERT INTO batches (terminal, batch, hash, prev_hash, body, req_path, req_time, "
                              "req_sig, first_seq, last_seq, win, received, receipt, receipt_sig) "
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                              error);
  if (stmt == NULL)
    return FALSE;
  g_autofree char *body = g_strndup (s->body, s->len);
  clearing_stmt_bind_text (stmt, 1, batch->terminal);
  clearing_stmt_bind_int64 (stmt, 2, batch->batch);
  clearing_stmt_bind_text (stmt, 3, s->hash);
  clearing_stmt_bind_text (stmt, 4, batch->prev_hash);
  clearing_stmt_bind_text (stmt, 5, body);
  clearing_stmt_bind_text (stmt, 6, s->auth->path);
  clearing_stmt_bind_text (stmt, 7, s->auth->time);
  clearing_stmt_bind_text (stmt, 8, s->auth->signature);
  clearing_stmt_bind_int64 (stmt, 9, first->seq);
  clearing_stmt_bind_int64 (stmt, 10, last->seq);
  clearing_stmt_bind_int64 (stmt, 11, window);
  clearing_stmt_bind_text (stmt, 12, s->now);
  clearing_stmt_bind_text (stmt, 13, s->receipt);
  clearing_stmt_bind_text (stmt, 14, s->receipt_sig);
  if (!clearing_stmt_run (stmt, error))
    return FALSE;

  /* Records go in with multi-row INSERTs of up to RECORD_ROWS rows (one
   * round trip each on PostgreSQL), the same statement text for both. */
  for (guint start = 0; start < batch->records->len; start += RECORD_ROWS)
    {
      guint rows = MIN (RECORD_ROWS, batch->records->len - start);
      g_autofree char *sql = records_insert_sql (rows);
      stmt = clearing_db_prepare (db, sql, error);
      if (stmt == NULL)
        return FALSE;
      for (guint k = 0; k < rows; k++)
        {
          guint i = start + k;
          int p = (int) k * RECORD_COLUMNS;
          CanteenRecord *r = g_ptr_array_index (batch->records, i);
          char day[11];
          g_strlcpy (day, r->time, sizeof day);
          clearing_stmt_bind_text (stmt, p + 1, r->terminal);
          clearing_stmt_bind_int64 (stmt, p + 2, r->seq);
          clearing_stmt_bind_int64 (stmt, p + 3, batch->batch);
          clearing_stmt_bind_text (stmt, p + 4, r->kind == CANTEEN_RECORD_SALE ? "sale" : "reversal");
          clearing_stmt_bind_text (stmt, p + 5, r->time);
          clearing_stmt_bind_text (stmt, p + 6, day);
          clearing_stmt_bind_int64 (stmt, p + 7, r->amount_fen);
          clearing_stmt_bind_text (stmt, p + 8, issuers[i]);
          clearing_stmt_bind_text (stmt, p + 9, acquirer);
          clearing_stmt_bind_text (stmt, p + 10, cards[i]);
          clearing_stmt_bind_text (stmt, p + 11, r->online ? r->authorisation : NULL);
          clearing_stmt_bind_text (stmt, p + 12, r->kind == CANTEEN_RECORD_REVERSAL ? r->reverses_terminal : NULL);
          if (r->kind == CANTEEN_RECORD_REVERSAL)
            clearing_stmt_bind_int64 (stmt, p + 13, r->reverses_seq);
          else
            clearing_stmt_bind_null (stmt, p + 13);
          clearing_stmt_bind_int64 (stmt, p + 14, window);
        }
      if (!clearing_stmt_run (stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
clearing_batch_submit (ClearingDb *db, const ClearingKey *key, const ClearingRequestAuth *auth, const void *body,
                       gsize len, GDateTime *now, char **receipt, char **receipt_sig, GError **error)
{
  g_autoptr (CanteenBatch) batch = canteen_batch_from_bytes (body, len, error);
  if (batch == NULL)
    return FALSE;
  if (strcmp (batch->terminal, auth->terminal) != 0)
    return clearing_fail (error, CLEARING_ERROR_FORBIDDEN, "terminal: %s may not submit the batches of %s",
                          auth->terminal, batch->terminal);
  /* The card signatures need no storage: checked before the transaction, so
   * batches of several terminals are verified in parallel. */
  for (guint i = 0; i < batch->records->len; i++)
    {
      CanteenRecord *r = g_ptr_array_index (batch->records, i);
      g_autoptr (GError) local = NULL;
      if (r->kind == CANTEEN_RECORD_SALE && r->has_cert && !canteen_record_verify_card (r, &local))
        return clearing_fail (error, CLEARING_ERROR_BAD_RECORD, "record %u: bad_card_signature: %s", i,
                              local->message);
    }
  g_autofree char *now_text = canteen_proto_format_time (now);
  Submit s = { .key = key, .auth = auth, .body = body, .len = len, .now = now_text, .batch = batch };
  canteen_proto_sha256_hex (body, len, s.hash);
  s.issuers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s.certs = g_hash_table_new_full (sig_hash, sig_equal, NULL, cert_free);
  gboolean ok = clearing_db_transact (db, submit_tx, &s, error);
  g_hash_table_destroy (s.issuers);
  g_hash_table_destroy (s.certs);
  if (!ok)
    {
      g_free (s.receipt);
      g_free (s.receipt_sig);
      return FALSE;
    }
  *receipt = s.receipt;
  *receipt_sig = s.receipt_sig;
  return TRUE;
}
