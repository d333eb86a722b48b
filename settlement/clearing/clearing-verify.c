/* clearing-verify.c — `canteen-clearing verify` and reconciliation.
 *
 * verify trusts nothing derived: it re-reads every stored batch body and
 * checks its hash, its place in the terminal's chain, the terminal's request
 * signature and the service's receipt signature; re-checks every record's
 * certificate and card signature and compares it with the stored record row;
 * recomputes every closed window's bilateral matrix and net positions from
 * the records and compares them with the stored ones; rebuilds every
 * statement and checks its signature. Each problem is one line naming the
 * window, agency, terminal, batch or record and both values. */
#include "clearing-private.h"

#include <string.h>

#define PROBLEM(...) g_ptr_array_add (problems, g_strdup_printf (__VA_ARGS__))

typedef struct {
  gint64 amount_fen;
  gboolean reversed;
} SaleSeen;

typedef struct {
  ClearingDb *db;
  GPtrArray *problems;
  guint8 service_pk[CANTEEN_PROTO_PK_BYTES];
  GHashTable *issuer_keys;   /* code -> guint8[32] */
  GHashTable *seen;          /* "T/seq" -> TRUE: records found in signed batches */
} Verify;

static const guint8 *
issuer_key (Verify *v, const char *agency)
{
  guint8 *pk = g_hash_table_lookup (v->issuer_keys, agency);
  if (pk == NULL && !g_hash_table_contains (v->issuer_keys, agency))
    {
      pk = g_malloc (CANTEEN_PROTO_PK_BYTES);
      if (!clearing_agency_get (v->db, agency, pk, NULL, NULL, NULL))
        g_clear_pointer (&pk, g_free);
      g_hash_table_insert (v->issuer_keys, g_strdup (agency), pk);
    }
  return pk;
}

/* Compares a record of a signed batch with its stored row. */
static gboolean
check_stored_record (Verify *v, const char *acquirer, gint64 batch_no, gint64 batch_win, const CanteenRecord *r,
                     const char *issuer, const char *card, GError **error)
{
  GPtrArray *problems = v->problems;
  ClearingStmt *stmt = clearing_db_prepare (v->db,
                                            "SELECT batch, kind, at, amount_fen, issuer, acquirer, card, win, "
                                            "reverses_seq FROM records WHERE terminal = $1 AND seq = $2",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, r->terminal);
  clearing_stmt_bind_int64 (stmt, 2, r->seq);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  const char *who = r->terminal;
  gint64 seq = r->seq;
  if (rc == 0)
    {
      PROBLEM ("record %s/%" G_GINT64_FORMAT ": in signed batch %" G_GINT64_FORMAT " but missing from the store",
               who, seq, batch_no);
      return TRUE;
    }
  const char *kind = r->kind == CANTEEN_RECORD_SALE ? "sale" : "reversal";
  if (clearing_stmt_int64 (stmt, 0) != batch_no)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored in batch %" G_GINT64_FORMAT ", signed in batch %" G_GINT64_FORMAT,
             who, seq, clearing_stmt_int64 (stmt, 0), batch_no);
  if (g_strcmp0 (clearing_stmt_text (stmt, 1), kind) != 0)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored kind %s, signed batch %" G_GINT64_FORMAT " says %s", who, seq,
             clearing_stmt_text (stmt, 1), batch_no, kind);
  if (g_strcmp0 (clearing_stmt_text (stmt, 2), r->time) != 0)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored time %s, signed batch %" G_GINT64_FORMAT " says %s", who, seq,
             clearing_stmt_text (stmt, 2), batch_no, r->time);
  if (clearing_stmt_int64 (stmt, 3) != r->amount_fen)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored amount %" G_GINT64_FORMAT " fen, signed batch %" G_GINT64_FORMAT
             " says %" G_GINT64_FORMAT " fen", who, seq, clearing_stmt_int64 (stmt, 3), batch_no, r->amount_fen);
  if (issuer != NULL && g_strcmp0 (clearing_stmt_text (stmt, 4), issuer) != 0)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored issuer %s, the card says %s", who, seq,
             clearing_stmt_text (stmt, 4), issuer);
  if (g_strcmp0 (clearing_stmt_text (stmt, 5), acquirer) != 0)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored acquirer %s, the terminal belongs to %s", who, seq,
             clearing_stmt_text (stmt, 5), acquirer);
  if (card != NULL && g_strcmp0 (clearing_stmt_text (stmt, 6), card) != 0)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored card %s, the signed record says %s", who, seq,
             clearing_stmt_text (stmt, 6), card);
  if (clearing_stmt_int64 (stmt, 7) != batch_win)
    PROBLEM ("record %s/%" G_GINT64_FORMAT ": stored in window %" G_GINT64_FORMAT ", its signed receipt says window %"
             G_GINT64_FORMAT, who, seq, clearing_stmt_int64 (stmt, 7), batch_win);
  clearing_stmt_run (stmt, NULL);
  return TRUE;
}

static gboolean
verify_terminal (Verify *v, const char *terminal, const char *agency, const char *pk_b64, GError **error)
{
  GPtrArray *problems = v->problems;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  gboolean have_pk = pk_b64 != NULL && canteen_proto_b64_decode (pk_b64, pk, sizeof pk, NULL);
  g_autoptr (GHashTable) sales = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  ClearingStmt *stmt = clearing_db_prepare (v->db,
                                            "SELECT batch, hash, prev_hash, body, req_path, req_time, req_sig, "
                                            "first_seq, last_seq, win, receipt, receipt_sig FROM batches "
                                            "WHERE terminal = $1 ORDER BY batch",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, terminal);
  /* Read all rows first: the record checks below use other statements. */
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      char **row = g_new0 (char *, 13);
      for (int c = 0; c < 12; c++)
        row[c] = g_strdup (clearing_stmt_text (stmt, c));
      g_ptr_array_add (rows, row);
    }
  if (rc < 0)
    return FALSE;

  g_autofree char *prev_hash = g_strdup ("0000000000000000000000000000000000000000000000000000000000000000");
  gint64 expect_batch = 1, expect_seq = 1;
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      gint64 n = g_ascii_strtoll (row[0], NULL, 10);
      gint64 win = g_ascii_strtoll (row[9], NULL, 10);
      const char *body = row[3];
      gsize len = strlen (body);
      char hash[65];
      if (n != expect_batch)
        PROBLEM ("terminal %s: batch %" G_GINT64_FORMAT " missing (next stored is batch %" G_GINT64_FORMAT ")",
                 terminal, expect_batch, n);
      expect_batch = n + 1;
      canteen_proto_sha256_hex (body, len, hash);
      if (strcmp (hash, row[1]) != 0)
        PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the stored body does not match its hash (body changed)",
                 terminal, n);
      if (strcmp (row[2], prev_hash) != 0)
        PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": chain broken: prev_hash %.12s… is not the hash of the "
                 "batch before (%.12s…)", terminal, n, row[2], prev_hash);
      g_free (prev_hash);
      prev_hash = g_strdup (hash);

      guint8 sig[CANTEEN_PROTO_SIG_BYTES];
      g_autoptr (GString) req = canteen_request_message ("POST", row[4], row[5], body, len);
      if (!have_pk || !canteen_proto_b64_decode (row[6], sig, sizeof sig, NULL)
          || !canteen_proto_verify (pk, req->str, req->len, sig, NULL))
        PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the terminal's request signature does not verify",
                 terminal, n);
      g_autoptr (GString) doc = canteen_document_message ("receipt", row[10], strlen (row[10]));
      if (!canteen_proto_b64_decode (row[11], sig, sizeof sig, NULL)
          || !canteen_proto_verify (v->service_pk, doc->str, doc->len, sig, NULL))
        PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the receipt's signature does not verify", terminal, n);
      else
        {
          g_autofree char *expect = g_strdup_printf ("\"hash\":\"%s\"", hash);
          g_autofree char *expect_win = g_strdup_printf ("\"window\":%" G_GINT64_FORMAT ",", win);
          if (strstr (row[10], expect) == NULL || strstr (row[10], expect_win) == NULL)
            PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the signed receipt names another hash or window than "
                     "the stored batch (window %" G_GINT64_FORMAT ")", terminal, n, win);
        }

      g_autoptr (GError) local = NULL;
      g_autoptr (CanteenBatch) batch = canteen_batch_from_bytes (body, len, &local);
      if (batch == NULL)
        {
          PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the stored body is not a valid batch: %s", terminal, n,
                   local->message);
          continue;
        }
      if (strcmp (batch->terminal, terminal) != 0 || batch->batch != n)
        PROBLEM ("terminal %s batch %" G_GINT64_FORMAT ": the signed body is batch %s/%" G_GINT64_FORMAT, terminal, n,
                 batch->terminal, batch->batch);
      for (guint k = 0; k < batch->records->len; k++)
        {
          CanteenRecord *r = g_ptr_array_index (batch->records, k);
          const char *issuer = NULL, *card = NULL;
          if (r->seq != expect_seq)
            PROBLEM ("terminal %s: records %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " missing before batch %"
                     G_GINT64_FORMAT, terminal, expect_seq, r->seq - 1, n);
          expect_seq = r->seq + 1;
          g_hash_table_add (v->seen, g_strdup_printf ("%s/%" G_GINT64_FORMAT, terminal, r->seq));
          if (r->kind == CANTEEN_RECORD_SALE)
            {
              const guint8 *ipk = r->has_cert ? issuer_key (v, r->cert.agency) : NULL;
              if (ipk == NULL)
                PROBLEM ("record %s/%" G_GINT64_FORMAT ": issuer %s is not a known agency", terminal, r->seq,
                         r->has_cert ? r->cert.agency : "?");
              else if (!canteen_card_cert_verify (&r->cert, ipk, NULL))
                PROBLEM ("record %s/%" G_GINT64_FORMAT ": the certificate's issuer signature does not verify",
                         terminal, r->seq);
              if (!canteen_record_verify_card (r, NULL))
                PROBLEM ("record %s/%" G_GINT64_FORMAT ": the card's signature does not verify", terminal, r->seq);
              issuer = r->has_cert ? r->cert.agency : NULL;
              card = r->has_cert ? r->cert.card : NULL;
              SaleSeen *s = g_new0 (SaleSeen, 1);
              s->amount_fen = r->amount_fen;
              gint64 *key = g_new (gint64, 1);
              *key = r->seq;
              g_hash_table_insert (sales, key, s);
            }
          else
            {
              SaleSeen *s = g_hash_table_lookup (sales, &r->reverses_seq);
              if (s == NULL || g_strcmp0 (r->reverses_terminal, terminal) != 0)
                PROBLEM ("record %s/%" G_GINT64_FORMAT ": reverses %s/%" G_GINT64_FORMAT ", which is no sale of this "
                         "terminal", terminal, r->seq, r->reverses_terminal ? r->reverses_terminal : "?",
                         r->reverses_seq);
              else
                {
                  if (s->reversed)
                    PROBLEM ("record %s/%" G_GINT64_FORMAT ": reverses sale %" G_GINT64_FORMAT " a second time",
                             terminal, r->seq, r->reverses_seq);
                  if (-r->amount_fen > s->amount_fen)
                    PROBLEM ("record %s/%" G_GINT64_FORMAT ": reverses %" G_GINT64_FORMAT " fen of a %" G_GINT64_FORMAT
                             " fen sale", terminal, r->seq, -r->amount_fen, s->amount_fen);
                  s->reversed = TRUE;
                }
            }
          if (!check_stored_record (v, agency, n, win, r, issuer, card, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
verify_records_in_batches (Verify *v, GError **error)
{
  GPtrArray *problems = v->problems;
  ClearingStmt *stmt = clearing_db_prepare (v->db, "SELECT terminal, seq FROM records ORDER BY terminal, seq", error);
  if (stmt == NULL)
    return FALSE;
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, clearing_stmt_text (stmt, 0),
                                              clearing_stmt_int64 (stmt, 1));
      if (!g_hash_table_contains (v->seen, key))
        PROBLEM ("record %s: stored but in no signed batch", key);
    }
  return rc == 0;
}

static gboolean
verify_window (Verify *v, gint64 win, GError **error)
{
  GPtrArray *problems = v->problems;
  g_autoptr (GPtrArray) flows = clearing_compute_flows (v->db, win, error);
  if (flows == NULL)
    return FALSE;
  g_autoptr (GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ClearingStmt *stmt = clearing_db_prepare (v->db, "SELECT from_agency, to_agency, fen FROM bilateral WHERE win = $1",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win);
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      gint64 *fen = g_new (gint64, 1);
      *fen = clearing_stmt_int64 (stmt, 2);
      g_hash_table_insert (stored, g_strdup_printf ("%s>%s", clearing_stmt_text (stmt, 0), clearing_stmt_text (stmt, 1)),
                           fen);
    }
  if (rc < 0)
    return FALSE;
  for (guint i = 0; i < flows->len; i++)
    {
      ClearingFlow *f = g_ptr_array_index (flows, i);
      g_autofree char *key = g_strdup_printf ("%s>%s", f->from, f->to);
      gint64 *fen = g_hash_table_lookup (stored, key);
      if (fen == NULL)
        PROBLEM ("window %" G_GINT64_FORMAT ": %s owes %s: no stored amount, records give %" G_GINT64_FORMAT " fen",
                 win, f->from, f->to, f->fen);
      else if (*fen != f->fen)
        PROBLEM ("window %" G_GINT64_FORMAT ": %s owes %s: stored %" G_GINT64_FORMAT " fen, records give %"
                 G_GINT64_FORMAT " fen", win, f->from, f->to, *fen, f->fen);
      g_hash_table_remove (stored, key);
    }
  GHashTableIter it;
  gpointer k, val;
  g_hash_table_iter_init (&it, stored);
  while (g_hash_table_iter_next (&it, &k, &val))
    PROBLEM ("window %" G_GINT64_FORMAT ": bilateral %s: stored %" G_GINT64_FORMAT " fen, records give 0 fen", win,
             (char *) k, *(gint64 *) val);

  stmt = clearing_db_prepare (v->db, "SELECT agency, net_fen FROM positions WHERE win = $1 ORDER BY agency", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win);
  gint64 sum = 0;
  g_autoptr (GHashTable) have = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      const char *agency = clearing_stmt_text (stmt, 0);
      gint64 net = clearing_stmt_int64 (stmt, 1), computed = clearing_flows_net (flows, agency);
      sum += net;
      g_hash_table_add (have, g_strdup (agency));
      if (net != computed)
        PROBLEM ("window %" G_GINT64_FORMAT ": agency %s: stored net %" G_GINT64_FORMAT " fen, records give %"
                 G_GINT64_FORMAT " fen", win, agency, net, computed);
    }
  if (rc < 0)
    return FALSE;
  if (sum != 0)
    PROBLEM ("window %" G_GINT64_FORMAT ": stored net positions sum to %" G_GINT64_FORMAT " fen, not 0", win, sum);
  for (guint i = 0; i < flows->len; i++)
    {
      ClearingFlow *f = g_ptr_array_index (flows, i);
      const char *both[] = { f->from, f->to };
      for (int j = 0; j < 2; j++)
        if (!g_hash_table_contains (have, both[j]))
          {
            PROBLEM ("window %" G_GINT64_FORMAT ": agency %s: no stored position, records give %" G_GINT64_FORMAT
                     " fen", win, both[j], clearing_flows_net (flows, both[j]));
            g_hash_table_add (have, g_strdup (both[j]));
          }
    }

  /* Every agency with a position has both statements (made at close). */
  stmt = clearing_db_prepare (v->db,
                              "SELECT p.agency, f.format FROM positions p, "
                              "(SELECT 'json' AS format UNION ALL SELECT 'csv') f WHERE p.win = $1 AND NOT EXISTS "
                              "(SELECT 1 FROM statements s WHERE s.win = p.win AND s.agency = p.agency "
                              "AND s.format = f.format) ORDER BY p.agency, f.format",
                              error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    PROBLEM ("window %" G_GINT64_FORMAT ": the %s statement of agency %s is missing", win,
             clearing_stmt_text (stmt, 1), clearing_stmt_text (stmt, 0));
  if (rc < 0)
    return FALSE;

  stmt = clearing_db_prepare (v->db,
                              "SELECT agency, format, body, signature FROM statements WHERE win = $1 "
                              "ORDER BY agency, format",
                              error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      char **row = g_new0 (char *, 5);
      for (int c = 0; c < 4; c++)
        row[c] = g_strdup (clearing_stmt_text (stmt, c));
      g_ptr_array_add (rows, row);
    }
  if (rc < 0)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      guint8 sig[CANTEEN_PROTO_SIG_BYTES];
      g_autofree char *kind = g_strconcat ("statement-", row[1], NULL);
      g_autoptr (GString) doc = canteen_document_message (kind, row[2], strlen (row[2]));
      if (!canteen_proto_b64_decode (row[3], sig, sizeof sig, NULL)
          || !canteen_proto_verify (v->service_pk, doc->str, doc->len, sig, NULL))
        PROBLEM ("window %" G_GINT64_FORMAT ": the %s statement of agency %s: the signature does not verify (body "
                 "changed)", win, row[1], row[0]);
      g_autofree char *rebuilt = clearing_statement_build (v->db, win, row[0], row[1], error);
      if (rebuilt == NULL)
        return FALSE;
      if (strcmp (rebuilt, row[2]) != 0)
        PROBLEM ("window %" G_GINT64_FORMAT ": the %s statement of agency %s differs from what the stored records and "
                 "window give", win, row[1], row[0]);
    }
  return TRUE;
}

gboolean
clearing_verify (ClearingDb *db, GPtrArray *problems, GError **error)
{
  Verify v = { db, problems };
  g_autofree char *pk_b64 = clearing_service_public_key (db, error);
  if (pk_b64 == NULL || !canteen_proto_b64_decode (pk_b64, v.service_pk, sizeof v.service_pk, error))
    return FALSE;
  v.issuer_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  v.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok = FALSE;

  /* Windows: 1..n, all closed but the last, the last open. */
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT id, closed, opened FROM windows ORDER BY id", error);
  g_autoptr (GArray) closed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) terminals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int rc;
  if (stmt == NULL)
    goto out;
  gint64 expect = 1, count = 0, open_id = 0;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      gint64 id = clearing_stmt_int64 (stmt, 0);
      count++;
      if (id != expect)
        PROBLEM ("window %" G_GINT64_FORMAT ": missing (windows are numbered without gaps)", expect);
      expect = id + 1;
      if (clearing_stmt_is_null (stmt, 1))
        {
          if (open_id != 0)
            PROBLEM ("window %" G_GINT64_FORMAT ": open, but window %" G_GINT64_FORMAT " is open too (a closed "
                     "window was reopened)", open_id, id);
          open_id = id;
        }
      else
        g_array_append_val (closed, id);
    }
  if (rc < 0)
    goto out;
  if (open_id != 0 && open_id != expect - 1)
    PROBLEM ("window %" G_GINT64_FORMAT ": open but not the last window (a closed window was reopened)", open_id);
  if (count > 0 && open_id == 0)
    PROBLEM ("window %" G_GINT64_FORMAT ": no window is open", expect - 1);

  stmt = clearing_db_prepare (db, "SELECT id, agency, public_key FROM terminals ORDER BY id", error);
  if (stmt == NULL)
    goto out;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      char **row = g_new0 (char *, 4);
      for (int c = 0; c < 3; c++)
        row[c] = g_strdup (clearing_stmt_text (stmt, c));
      g_ptr_array_add (terminals, row);
    }
  if (rc < 0)
    goto out;
  for (guint i = 0; i < terminals->len; i++)
    {
      char **row = g_ptr_array_index (terminals, i);
      if (!verify_terminal (&v, row[0], row[1], row[2], error))
        goto out;
    }
  if (!verify_records_in_batches (&v, error))
    goto out;
  for (guint i = 0; i < closed->len; i++)
    if (!verify_window (&v, g_array_index (closed, gint64, i), error))
      goto out;
  if (open_id != 0)
    {
      stmt = clearing_db_prepare (db, "SELECT COUNT(*) FROM positions WHERE win = $1", error);
      if (stmt == NULL)
        goto out;
      clearing_stmt_bind_int64 (stmt, 1, open_id);
      if (clearing_stmt_step (stmt, error) < 0)
        goto out;
      if (clearing_stmt_int64 (stmt, 0) > 0)
        PROBLEM ("window %" G_GINT64_FORMAT ": open but has stored positions", open_id);
      clearing_stmt_run (stmt, NULL);
    }
  ok = TRUE;
out:
  g_hash_table_destroy (v.issuer_keys);
  g_hash_table_destroy (v.seen);
  return ok;
}

char *
clearing_reconciliation (ClearingDb *db, const char *agency, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT t.id, (SELECT COUNT(*) FROM batches b WHERE b.terminal = t.id) "
                                            "FROM terminals t WHERE t.agency = $1 ORDER BY t.id",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_text (stmt, 1, agency);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      gint64 n = clearing_stmt_int64 (stmt, 1);
      g_ptr_array_add (ids, g_strdup (clearing_stmt_text (stmt, 0)));
      g_array_append_val (counts, n);
    }
  if (rc < 0)
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminals");
  json_builder_begin_array (b);
  for (guint i = 0; i < ids->len; i++)
    {
      stmt = clearing_db_prepare (db, "SELECT seq FROM records WHERE terminal = $1 ORDER BY seq", error);
      if (stmt == NULL)
        return NULL;
      clearing_stmt_bind_text (stmt, 1, g_ptr_array_index (ids, i));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "terminal");
      json_builder_add_string_value (b, g_ptr_array_index (ids, i));
      json_builder_set_member_name (b, "batches");
      json_builder_add_int_value (b, g_array_index (counts, gint64, i));
      /* API.md's order: last_seq before gaps, so the gaps are gathered first. */
      g_autoptr (JsonBuilder) gaps = json_builder_new ();
      json_builder_begin_array (gaps);
      gint64 next = 1;
      while ((rc = clearing_stmt_step (stmt, error)) == 1)
        {
          gint64 seq = clearing_stmt_int64 (stmt, 0);
          if (seq > next)
            {
              json_builder_begin_array (gaps);
              json_builder_add_int_value (gaps, next);
              json_builder_add_int_value (gaps, seq - 1);
              json_builder_end_array (gaps);
            }
          next = seq + 1;
        }
      if (rc < 0)
        return NULL;
      json_builder_end_array (gaps);
      json_builder_set_member_name (b, "last_seq");
      json_builder_add_int_value (b, next - 1);
      json_builder_set_member_name (b, "gaps");
      json_builder_add_value (b, json_builder_get_root (gaps));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return clearing_builder_text (b);
}
