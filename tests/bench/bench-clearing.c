/* bench-clearing — the clearing service's figures (issue 5 §8), on SQLite and
 * on PostgreSQL, against a real `canteen-clearing serve` on 127.0.0.1:
 *  - ingest: records/s, batches of 500 signed records, two terminals
 *    uploading at once (target >= 5,000 records/s);
 *  - authorise: latency of POST /v1/authorise over loopback including the
 *    durable commit, p50/p99 (target p99 <= 300 ms);
 *  - window close + netting of 1M records (target <= 10 s); the records are
 *    put in the store directly (ingesting 1M through the API is the first
 *    figure's job), then `window close` is timed.
 * Each figure has a baseline from the same run, since the machine is shared:
 * ingest against checking the same records' signatures in this process
 * (the work no service can skip), authorise against a signed read-only
 * request (GET /v1/trust) on the same connection path, and close + net
 * against one full scan of the records it nets.
 * Usage: canteen-bench-clearing [sqlite] [pg]   (default both)
 * Environment: CANTEEN_CLEARING (the binary), CANTEEN_BENCH_RECORDS (ingest,
 * default 20000), CANTEEN_BENCH_CLOSE_RECORDS (default 1000000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clearing.h"
#include "service-fixture.h"

typedef struct {
  ServiceEnv *env;
  char *id;
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  GPtrArray *bodies;      /* GBytes* */
  gint64 records;
  gboolean failed;
} Uploader;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static char *
time_text (int offset_s)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) t = g_date_time_add_seconds (now, offset_s);
  return canteen_proto_format_time (t);
}

static void
make_card (CanteenCardCert *cert, guint8 card_sk[CANTEEN_PROTO_SK_BYTES], const char *agency, const char *card,
           const guint8 *issuer_sk)
{
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  memset (cert, 0, sizeof *cert);
  canteen_proto_keypair (pk, card_sk);
  cert->agency = g_strdup (agency);
  cert->card = g_strdup (card);
  cert->holder = g_strdup ("赵六");
  memcpy (cert->card_key, pk, sizeof pk);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) until = g_date_time_add_days (now, 365);
  cert->not_after = g_date_time_format (until, "%Y-%m-%d");
  cert->offline_cap_fen = 5000;
  cert->daily_cap_fen = 10000000;
  canteen_card_cert_sign (cert, issuer_sk);
}

static CanteenRecord *
make_sale (const char *terminal, gint64 seq, const CanteenCardCert *cert, const guint8 *card_sk, const char *time)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);
  r->terminal = g_strdup (terminal);
  r->seq = seq;
  r->kind = CANTEEN_RECORD_SALE;
  r->checkout = g_uuid_string_random ();
  r->time = g_strdup (time);
  r->amount_fen = 1200 + seq % 500;
  r->nonce = canteen_proto_new_nonce ();
  r->has_cert = TRUE;
  canteen_card_cert_copy (cert, &r->cert);
  CanteenPayment p = { terminal, seq, r->amount_fen, time, cert->agency, cert->card, r->nonce };
  g_autoptr (GString) msg = canteen_payment_message (&p, NULL);
  canteen_proto_sign (card_sk, msg->str, msg->len, r->card_sig);
  return r;
}

static gpointer
upload (gpointer data)
{
  Uploader *u = data;
  for (guint i = 0; i < u->bodies->len; i++)
    {
      gsize len;
      const char *body = g_bytes_get_data (g_ptr_array_index (u->bodies, i), &len);
      g_autoptr (ServiceResponse) r = service_http (u->env, u->id, u->sk, "POST", "/v1/batches", body, len, 0);
      if (r->status != 200)
        {
          fprintf (stderr, "bench-clearing: batch %u of %s: %ld %s\n", i + 1, u->id, r->status, r->body);
          u->failed = TRUE;
          return NULL;
        }
    }
  return NULL;
}

static void
enroll (ServiceEnv *env, ClearingDb *db, const char *id, const char *agency, guint8 sk[CANTEEN_PROTO_SK_BYTES])
{
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  g_autoptr (GError) error = NULL;
  canteen_proto_keypair (pk, sk);
  g_autofree char *token = clearing_terminal_add (db, id, agency, &error);
  g_assert_no_error (error);
  g_autofree char *pk_b64 = canteen_proto_b64_encode (pk, sizeof pk);
  g_autofree char *body = g_strdup_printf ("{\"terminal\":\"%s\",\"public_key\":\"%s\",\"token\":\"%s\"}", id, pk_b64,
                                           token);
  g_autoptr (ServiceResponse) r = service_http (env, NULL, NULL, "POST", "/v1/enroll", body, strlen (body), 0);
  g_assert_cmpint (r->status, ==, 200);
}

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *lat, double p)
{
  g_array_sort (lat, compare_i64);
  guint i = (guint) ((p / 100.0) * (lat->len - 1) + 0.5);
  return (double) g_array_index (lat, gint64, MIN (i, lat->len - 1)) / 1000.0;
}

static void
bench_backend (const char *backend)
{
  gint64 n_records = g_getenv ("CANTEEN_BENCH_RECORDS") ? g_ascii_strtoll (g_getenv ("CANTEEN_BENCH_RECORDS"), NULL, 10)
                                                        : 20000;
  gint64 n_close = g_getenv ("CANTEEN_BENCH_CLOSE_RECORDS")
                     ? g_ascii_strtoll (g_getenv ("CANTEEN_BENCH_CLOSE_RECORDS"), NULL, 10) : 1000000;
  const int per_batch = 500;
  g_autoptr (GError) error = NULL;
  service_fixture_backend_init (backend);
  ServiceEnv *env = service_env_new ();
  g_autoptr (ClearingDb) db = clearing_db_open (env->uri, &error);
  g_assert_no_error (error);
  guint8 pk_a[CANTEEN_PROTO_PK_BYTES], sk_a[CANTEEN_PROTO_SK_BYTES], pk_b[CANTEEN_PROTO_PK_BYTES],
    sk_b[CANTEEN_PROTO_SK_BYTES];
  canteen_proto_keypair (pk_a, sk_a);
  canteen_proto_keypair (pk_b, sk_b);
  clearing_agency_add (db, "A", "Agency A", pk_a, -1, &error);
  g_assert_no_error (error);
  clearing_agency_add (db, "B", "Agency B", pk_b, -1, &error);
  g_assert_no_error (error);

  /* Ingest: TA (agency A) takes B's cards, TB takes A's, both at once. */
  Uploader up[2] = { { env, "TA" }, { env, "TB" } };
  enroll (env, db, "TA", "A", up[0].sk);
  enroll (env, db, "TB", "B", up[1].sk);
  CanteenCardCert cards[2][8];
  guint8 card_sk[2][8][CANTEEN_PROTO_SK_BYTES];
  for (int c = 0; c < 8; c++)
    {
      g_autofree char *ida = g_strdup_printf ("A-%04d", c), *idb = g_strdup_printf ("B-%04d", c);
      make_card (&cards[0][c], card_sk[0][c], "B", idb, sk_b);   /* used at TA */
      make_card (&cards[1][c], card_sk[1][c], "A", ida, sk_a);   /* used at TB */
    }
  g_autofree char *time = time_text (-60);
  for (int t = 0; t < 2; t++)
    {
      char prev[65];
      memset (prev, '0', 64);
      prev[64] = '\0';
      up[t].bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      gint64 seq = 1;
      for (gint64 b = 1; (b - 1) * per_batch * 2 < n_records; b++)
        {
          g_autoptr (CanteenBatch) batch = canteen_batch_new (up[t].id, b, prev, time);
          for (int i = 0; i < per_batch; i++, seq++)
            g_ptr_array_add (batch->records, make_sale (up[t].id, seq, &cards[t][seq % 8], card_sk[t][seq % 8], time));
          GBytes *bytes = canteen_batch_to_bytes (batch);
          canteen_proto_sha256_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), prev);
          g_ptr_array_add (up[t].bodies, bytes);
          up[t].records += per_batch;
        }
    }
  /* Baseline: every record's card and certificate signature checked here,
   * on one core, as the service must at least do. */
  gint64 v0 = now_us ();
  for (int t = 0; t < 2; t++)
    for (guint i = 0; i < up[t].bodies->len; i++)
      {
        gsize len;
        const char *body = g_bytes_get_data (g_ptr_array_index (up[t].bodies, i), &len);
        g_autoptr (CanteenBatch) parsed = canteen_batch_from_bytes (body, len, &error);
        g_assert_no_error (error);
        for (guint r = 0; r < parsed->records->len; r++)
          {
            const CanteenRecord *rec = g_ptr_array_index (parsed->records, r);
            g_assert_true (canteen_record_verify_card (rec, NULL));
            g_assert_true (canteen_card_cert_verify (&rec->cert, t == 0 ? pk_b : pk_a, NULL));
          }
      }
  double verify_s = (double) (now_us () - v0) / 1e6;

  gint64 t0 = now_us ();
  GThread *threads[2];
  for (int t = 0; t < 2; t++)
    threads[t] = g_thread_new ("upload", upload, &up[t]);
  for (int t = 0; t < 2; t++)
    g_thread_join (threads[t]);
  double secs = (double) (now_us () - t0) / 1e6;
  gint64 total = up[0].records + up[1].records;
  printf ("  %-8s ingest           %8.0f records/s  (%" G_GINT64_FORMAT " records in batches of %d, 2 terminals, "
          "%.2f s)%s\n", backend, (double) total / secs, total, per_batch, secs,
          up[0].failed || up[1].failed ? "  FAILED" : "");
  printf ("  %-8s   baseline       %8.0f records/s  parsing and checking their signatures in one thread: "
          "ingest takes %.2fx that\n", backend, (double) total / verify_s, secs / verify_s);
  fflush (stdout);

  /* Authorise: sequential requests, each a durable commit. */
  GArray *lat = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 seq = up[0].records + 1;
  for (int i = 0; i < 500; i++, seq++)
    {
      const CanteenCardCert *cert = &cards[0][i % 8];
      g_autofree char *now = time_text (0);
      g_autofree char *nonce = canteen_proto_new_nonce ();
      CanteenPayment p = { "TA", seq, 1500, now, cert->agency, cert->card, nonce };
      g_autoptr (GString) msg = canteen_payment_message (&p, NULL);
      guint8 sig[CANTEEN_PROTO_SIG_BYTES];
      canteen_proto_sign (card_sk[0][i % 8], msg->str, msg->len, sig);
      g_autofree char *sig_b64 = canteen_proto_b64_encode (sig, sizeof sig);
      g_autoptr (JsonNode) cert_json = canteen_card_cert_to_json (cert);
      g_autofree char *cert_text = canteen_proto_to_text (cert_json, NULL);
      g_autofree char *body = g_strdup_printf ("{\"terminal\":\"TA\",\"seq\":%" G_GINT64_FORMAT ",\"amount_fen\":1500,"
                                               "\"time\":\"%s\",\"nonce\":\"%s\",\"cert\":%s,\"card_sig\":\"%s\"}",
                                               seq, now, nonce, cert_text, sig_b64);
      gint64 s = now_us ();
      g_autoptr (ServiceResponse) r = service_http (env, "TA", up[0].sk, "POST", "/v1/authorise", body, strlen (body), 0);
      gint64 us = now_us () - s;
      g_array_append_val (lat, us);
      if (r->status != 200 || strstr (r->body, "\"approved\":true") == NULL)
        {
          fprintf (stderr, "bench-clearing: authorise: %ld %s\n", r->status, r->body);
          break;
        }
    }
  double auth_p50 = percentile (lat, 50), auth_p99 = percentile (lat, 99);
  guint n_auth = lat->len;
  /* Baseline: a signed read-only request through the same client, server
   * and authentication, with no write. */
  g_array_set_size (lat, 0);
  for (int i = 0; i < 500; i++)
    {
      gint64 s = now_us ();
      g_autoptr (ServiceResponse) r = service_http (env, "TA", up[0].sk, "GET", "/v1/trust?since=999999", NULL, 0, 0);
      gint64 us = now_us () - s;
      g_array_append_val (lat, us);
      if (r->status != 200)
        {
          fprintf (stderr, "bench-clearing: trust: %ld %s\n", r->status, r->body);
          break;
        }
    }
  double base_p50 = percentile (lat, 50), base_p99 = percentile (lat, 99);
  printf ("  %-8s authorise        p50 %.1f ms, p99 %.1f ms  (%u requests, loopback, durable commit)\n", backend,
          auth_p50, auth_p99, n_auth);
  printf ("  %-8s   baseline       p50 %.1f ms, p99 %.1f ms  a signed GET /v1/trust: authorise is %.2fx (p50), "
          "%.2fx (p99)\n", backend, base_p50, base_p99, auth_p50 / base_p50, auth_p99 / base_p99);
  fflush (stdout);
  g_array_unref (lat);

  /* Close + net of n_close records put straight into the open window. */
  service_env_stop (env);
#define FILL_SQLITE \
    "INSERT INTO batches (terminal, batch, hash, prev_hash, body, req_path, req_time, req_sig, first_seq, last_seq, " \
    "win, received, receipt, receipt_sig) SELECT 'TA', 999999, 'x', 'x', '{}', '/', 'x', 'x', 0, 0, id, 'x', 'x', 'x' " \
    "FROM windows WHERE closed IS NULL;" \
    "INSERT INTO records (terminal, seq, batch, kind, at, day, amount_fen, issuer, acquirer, card, win) " \
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %" G_GINT64_FORMAT ") " \
    "SELECT 'TA', 10000000 + i, 999999, 'sale', '2026-01-01T00:00:00Z', '2026-01-01', 1000 + i %% 700, " \
    "CASE i %% 3 WHEN 0 THEN 'A' ELSE 'B' END, 'A', 'C-' || (i %% 5000), (SELECT id FROM windows WHERE closed IS NULL) " \
    "FROM n;"
#define FILL_PG \
    "INSERT INTO batches (terminal, batch, hash, prev_hash, body, req_path, req_time, req_sig, first_seq, last_seq, " \
    "win, received, receipt, receipt_sig) SELECT 'TA', 999999, 'x', 'x', '{}', '/', 'x', 'x', 0, 0, id, 'x', 'x', 'x' " \
    "FROM windows WHERE closed IS NULL;" \
    "INSERT INTO records (terminal, seq, batch, kind, at, day, amount_fen, issuer, acquirer, card, win) " \
    "SELECT 'TA', 10000000 + i, 999999, 'sale', '2026-01-01T00:00:00Z', '2026-01-01', 1000 + i %% 700, " \
    "CASE i %% 3 WHEN 0 THEN 'A' ELSE 'B' END, 'A', 'C-' || (i %% 5000), (SELECT id FROM windows WHERE closed IS NULL) " \
    "FROM generate_series(1, %" G_GINT64_FORMAT ") AS i; ANALYZE records;"
  g_autofree char *fill = g_str_equal (backend, "pg") ? g_strdup_printf (FILL_PG, n_close)
                                                      : g_strdup_printf (FILL_SQLITE, n_close);
  gint64 f0 = now_us ();
  service_tamper (env, fill);   /* bypasses the guards, as a bulk load would */
  double fill_s = (double) (now_us () - f0) / 1e6;
  ClearingKey key;
  g_autoptr (ClearingDb) db2 = clearing_db_open (env->uri, &error);
  g_assert_no_error (error);
  g_assert_true (clearing_key_load (db2, env->key_path, &key, &error));
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  /* Baseline: one scan summing the records the close will net. */
  gint64 b0 = now_us ();
  {
    ClearingStmt *scan = clearing_db_prepare (db2, "SELECT count(*), sum(amount_fen) FROM records", &error);
    g_assert_no_error (error);
    g_assert_cmpint (clearing_stmt_step (scan, &error), ==, 1);
    g_assert_cmpint (clearing_stmt_step (scan, &error), ==, 0);   /* done: no read left open */
    g_assert_no_error (error);
  }
  double scan_s = (double) (now_us () - b0) / 1e6;
  gint64 c0 = now_us ();
  gint64 closed = clearing_window_close_net (db2, now, &error);
  double close_s = (double) (now_us () - c0) / 1e6;
  g_assert_no_error (error);
  gint64 s0 = now_us ();
  g_assert_true (clearing_statements_make (db2, &key, closed, "A", &error));
  g_assert_true (clearing_statements_make (db2, &key, closed, "B", &error));
  double statements_s = (double) (now_us () - s0) / 1e6;
  g_autofree char *positions = clearing_positions_json (db2, closed, &error);
  g_assert_no_error (error);
  printf ("  %-8s close + net      %.2f s for %" G_GINT64_FORMAT " records (+%" G_GINT64_FORMAT " ingested; bulk "
          "load %.1f s)\n  %-8s statements       %.2f s (JSON and CSV for each of 2 agencies, signed)\n    %s\n",
          backend, close_s, n_close, total, fill_s, backend, statements_s, positions);
  printf ("  %-8s   baseline       %.2f s one scan summing those records: close + net is %.2fx that\n", backend,
          scan_s, close_s / scan_s);
  fflush (stdout);
  for (int t = 0; t < 2; t++)
    {
      g_ptr_array_unref (up[t].bodies);
      for (int c = 0; c < 8; c++)
        canteen_card_cert_clear (&cards[t][c]);
    }
  g_clear_pointer (&db2, clearing_db_close);
  g_clear_pointer (&db, clearing_db_close);
  env->pid = 0;   /* stopped above */
  service_env_free (env);
}

int
main (int argc, char **argv)
{
  const char *all[] = { "sqlite", "pg", NULL };
  const char **backends = argc > 1 ? (const char **) argv + 1 : all;
  if (g_getenv ("CANTEEN_CLEARING") == NULL)
    {
      fprintf (stderr, "canteen-bench-clearing: set CANTEEN_CLEARING to the canteen-clearing binary\n");
      return 2;
    }
  printf ("\n== clearing service\n");
  fflush (stdout);
  int failed = 0;
  for (const char **b = backends; *b != NULL; b++)
    {
      if (!g_str_equal (*b, "sqlite") && !g_str_equal (*b, "pg"))
        {
          fprintf (stderr, "canteen-bench-clearing: unknown backend \"%s\" (sqlite, pg)\n", *b);
          return 2;
        }
      /* One process per backend: the fixture (and its cluster) is per process. */
      pid_t pid = fork ();
      if (pid == 0)
        {
          bench_backend (*b);
          _exit (0);
        }
      int status = 0;
      waitpid (pid, &status, 0);
      failed |= !(WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  return failed;
}
