/* test-terminal-e2e.c — the terminal and the back office against the REAL
 * clearing service (`canteen-clearing serve` on 127.0.0.1, started by
 * tests/clearing/service-fixture.c; the backend, "sqlite" or "pg", is the
 * first argument and meson runs both): enrollment, online and offline
 * visitor payments, sync through an outage, a lost answer replayed, a
 * conflicting batch reported loudly, statements posted exactly once, the
 * asynchronous client (answer, cancel, timeout against a stopped server),
 * a day of 3 agencies x 2 terminals netted to 0 and verified, the server
 * SIGKILLed in the middle of a 300-record batch and a terminal SIGKILLed in
 * the middle of a sync (each record stored exactly once after the retry).
 */
#include <signal.h>
#include <sys/wait.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "clearing-client.h"
#include "clearing-proto.h"
#include "menu-file.h"
#include "outbox.h"
#include "service-fixture.h"
#include "visitor.h"

static const char MENU[] =
  "{\"dishes\":["
  "{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":1200,\"visitor_price_fen\":1500,"
  "\"portion_g\":250,\"periods\":[\"breakfast\",\"lunch\",\"dinner\"]},"
  "{\"id\":\"D02\",\"name\":\"米饭\",\"category\":\"主食\",\"price_fen\":100,\"visitor_price_fen\":200,"
  "\"portion_g\":150,\"periods\":[\"breakfast\",\"lunch\",\"dinner\"]}]}";
static const CanteenOrderLine TRAY[] = { { "D01", 0 }, { "D02", 0 } };   /* 1700 fen for visitors */

typedef struct {
  ServiceEnv *env;
  char *dir;
  char *path_a, *path_b;
  CanteenLedger *a, *b;
  CanteenCardCert cert;
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  GBytes *cert_bytes;
} World;

static char *
token_for (World *w, const char *terminal, const char *agency)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (service_cli (w->env, &out, &err, "terminal", "add", terminal, "--agency", agency, NULL), ==, 0);
  return g_strstrip (out);
}

static CanteenLedger *
terminal_new (World *w, const char *path, const char *agency, const char *name, const char *terminal)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("%s.issuer.json", path);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *token = NULL;
  CanteenLedger *l = canteen_ledger_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (canteen_ledger_init (l, agency, name, terminal, "Asia/Shanghai", &error));
  g_assert_true (canteen_visitor_init_keys (l, name, &error));
  g_assert_true (canteen_visitor_export_issuer_key (l, key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (service_cli (w->env, &out, &err, "agency", "add", agency, "--name", name, "--issuer-key", key, NULL),
                   ==, 0);
  token = token_for (w, terminal, agency);
  g_assert_true (canteen_clearing_enroll (l, w->env->base_url, token, NULL, &error));
  g_assert_no_error (error);
  return l;
}

static World *
world_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *card_file = NULL;
  World *w = g_new0 (World, 1);
  CanteenCardIssue issue = { "A0001", "张三", 5000, 20000, NULL };
  gboolean opened;

  w->env = service_env_new ();
  w->dir = g_dir_make_tmp ("test-terminal-e2e-XXXXXX", &error);
  w->path_a = g_build_filename (w->dir, "a.db", NULL);
  w->path_b = g_build_filename (w->dir, "b.db", NULL);
  w->a = terminal_new (w, w->path_a, "A", "甲机关", "TA1");
  w->b = terminal_new (w, w->path_b, "B", "乙机关", "TB1");
  dishes = canteen_menu_parse_json (MENU, sizeof MENU - 1, &error);
  g_assert_true (canteen_ledger_import_dishes (w->b, dishes, "2026-11-20", &error));
  card_file = g_build_filename (w->dir, "A0001.card", NULL);
  g_assert_true (canteen_visitor_issue_card (w->a, &issue, card_file, now, &opened, &error));
  g_assert_true (canteen_card_file_read (card_file, &w->cert, w->card_sk, &error));
  g_assert_no_error (error);
  w->cert_bytes = canteen_card_cert_to_bytes (&w->cert);
  return w;
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
world_free (World *w)
{
  canteen_ledger_close (w->a);
  canteen_ledger_close (w->b);
  service_env_free (w->env);
  canteen_card_cert_clear (&w->cert);
  g_bytes_unref (w->cert_bytes);
  rm_rf (w->dir);
  g_free (w->dir);
  g_free (w->path_a);
  g_free (w->path_b);
  g_free (w);
}

static CanteenVisitorReceipt *
pay (World *w, CanteenLedger *l, GError **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenVisitorCard card = { w->cert_bytes, NULL, canteen_visitor_sign_with_key, w->card_sk };

  return canteen_visitor_checkout (l, id, &card, TRAY, G_N_ELEMENTS (TRAY), canteen_clearing_authorise_blocking, l,
                                   now, error);
}

static void
sync_ok (CanteenLedger *l, gint64 uploaded)
{
  g_autoptr(GError) error = NULL;
  CanteenSyncReport report;

  canteen_clearing_sync (l, FALSE, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpint (report.uploaded, ==, uploaded);
  g_assert_cmpint (report.state.pending, ==, 0);
  g_assert_nonnull (report.state.last_success);
  canteen_sync_report_clear (&report);
}

/* ---- the whole day: online, outage, offline, sync, statement ------------------------ */

static void
test_day (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenVisitorReceipt) online = NULL, offline = NULL;
  g_autofree char *stored = NULL;
  CanteenSyncReport report;
  CanteenPostingReport posting;
  CanteenAccount account;
  gint64 started;

  /* The first sync brings A onto B's trust list and a fresh deny list. */
  sync_ok (w->b, 0);
  started = g_get_monotonic_time ();
  online = pay (w, w->b, &error);
  g_test_message ("online tap-to-approval with durable commit: %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - started) / 1000);
  g_assert_no_error (error);
  g_assert_true (online->online);
  g_assert_nonnull (online->authorisation);
  g_assert_cmpstr (online->issuer_name, ==, "甲机关");

  /* The service goes away: the next visitor is accepted offline, quickly. */
  service_env_stop (w->env);
  started = g_get_monotonic_time ();
  offline = pay (w, w->b, &error);
  g_assert_no_error (error);
  g_assert_false (offline->online);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  g_assert_false (canteen_clearing_sync (w->b, FALSE, NULL, &report, &error));
  g_assert_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_NETWORK);
  g_assert_cmpint (report.state.pending, ==, 2);
  g_assert_cmpint (report.state.failures, ==, 1);
  g_assert_nonnull (report.state.next_attempt);
  canteen_sync_report_clear (&report);
  g_clear_error (&error);
  /* A timer respecting the backoff does not hammer a service that is down. */
  g_assert_true (canteen_clearing_sync (w->b, TRUE, NULL, &report, &error));
  g_assert_true (report.waited);
  canteen_sync_report_clear (&report);

  /* The online meal was partly given back (a reversal record). */
  {
    CanteenVisitorReversal rev;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_assert_true (canteen_visitor_reverse (w->b, online->receipt->checkout_id, NULL, 200, "rice was cold",
                                            "manager:M1 王", now, &rev, &error));
    g_assert_no_error (error);
    canteen_visitor_reversal_clear (&rev);
  }

  /* Back (the fixture's server comes back on another port: re-pointed as
   * an operator would; same service key): both records cleared once; a
   * second sync sends nothing. */
  service_env_start (w->env);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_assert_true (canteen_visitor_set_enrolled (w->b, w->env->base_url, w->env->clearing_pk, now, &error));
    g_assert_true (canteen_visitor_set_enrolled (w->a, w->env->base_url, w->env->clearing_pk, now, &error));
  }
  sync_ok (w->b, 3);
  sync_ok (w->b, 0);
  stored = service_query (w->env, "SELECT count(*) FROM records");
  g_assert_cmpstr (stored, ==, "3");

  /* The back office of A: the statement of the closed window, posted once. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (service_cli (w->env, &out, &err, "window", "close", NULL), ==, 0);
  }
  g_assert_true (canteen_ledger_topup (w->a, "A0001", 10000, "t-1", &account, &error));
  canteen_account_clear (&account);
  canteen_clearing_post_statement (w->a, NULL, TRUE, &posting, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (posting.posted, ==, 3);
  canteen_posting_report_clear (&posting);
  g_assert_true (canteen_clearing_post_statement (w->a, NULL, TRUE, &posting, NULL, &error));
  g_assert_cmpint (posting.posted, ==, 0);
  g_assert_cmpint (posting.already, ==, 3);
  canteen_posting_report_clear (&posting);
  g_assert_true (canteen_ledger_get_account (w->a, "A0001", &account, &error));
  g_assert_cmpint (account.balance_fen, ==, 10000 - 2 * 1700 + 200);
  canteen_account_clear (&account);
  world_free (w);
}

/* ---- a lost answer: the retry gets the same receipt --------------------------------- */

static GBytes *
stored_receipt (const char *path, gint64 batch)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT receipt FROM outbox_receipts WHERE batch = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, batch);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return bytes;
}

static void
test_lost_answer (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenVisitorReceipt) r = NULL;
  g_autoptr(CanteenOutboxBatch) batch = NULL;
  g_autoptr(CanteenClearingClient) client = NULL;
  g_autoptr(CanteenClearingReply) first = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint8 sk[CANTEEN_PROTO_SK_BYTES];

  sync_ok (w->b, 0);
  r = pay (w, w->b, &error);
  g_assert_no_error (error);
  /* A sync built and sent batch 1, then died before storing the receipt. */
  g_assert_cmpint (canteen_outbox_build (w->b, 0, now, &error), ==, 1);
  batch = canteen_outbox_next_unsent (w->b, &error);
  g_assert_true (canteen_visitor_terminal_key (w->b, sk, &error));
  client = canteen_clearing_client_new (w->env->base_url, "TB1", sk, NULL);
  first = canteen_clearing_call (client, "POST", "/v1/batches", batch->body, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->status, ==, 200);
  /* The next sync sends the same bytes and gets the identical receipt. */
  sync_ok (w->b, 1);
  kept = stored_receipt (w->path_b, 1);
  g_assert_nonnull (kept);
  g_assert_true (g_bytes_equal (kept, first->body));
  world_free (w);
}

/* ---- a cloned terminal: the service holds another batch 1 (409) --------------------- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
}

static void
test_conflict_is_loud (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *clone = g_build_filename (w->dir, "clone.db", NULL);
  g_autofree char *clone_keys = g_strconcat (clone, ".keys", NULL);
  g_autofree char *keys = g_strconcat (w->path_b, ".keys", NULL);
  g_autofree char *from = NULL, *to = NULL;
  g_autoptr(CanteenLedger) twin = NULL;
  g_autoptr(CanteenVisitorReceipt) r1 = NULL, r2 = NULL;
  CanteenSyncReport report;

  sync_ok (w->b, 0);
  /* A restored backup of the same terminal (same keys) sells too. */
  canteen_ledger_close (w->b);   /* the last connection: SQLite folds the WAL in */
  copy_file (w->path_b, clone);
  g_assert_cmpint (g_mkdir (clone_keys, 0700), ==, 0);
  from = g_build_filename (keys, "terminal.key", NULL);
  to = g_build_filename (clone_keys, "terminal.key", NULL);
  copy_file (from, to);
  g_free (from);
  g_free (to);
  from = g_build_filename (keys, "issuer.key", NULL);
  to = g_build_filename (clone_keys, "issuer.key", NULL);
  copy_file (from, to);
  w->b = canteen_ledger_open (w->path_b, &error);
  twin = canteen_ledger_open (clone, &error);
  g_assert_no_error (error);
  r1 = pay (w, w->b, &error);
  r2 = pay (w, twin, &error);
  g_assert_no_error (error);
  sync_ok (twin, 1);
  /* The real terminal's batch 1 differs: 409, reported as needing a person. */
  g_assert_false (canteen_clearing_sync (w->b, FALSE, NULL, &report, &error));
  g_assert_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "NEEDS ATTENTION"));
  g_assert_nonnull (strstr (error->message, "409"));
  g_assert_cmpint (report.state.pending, ==, 1);
  g_assert_nonnull (strstr (report.state.last_error, "409"));
  g_assert_true (report.deny_updated);   /* the lists stay fresh meanwhile */
  canteen_sync_report_clear (&report);
  world_free (w);
}

/* ---- the asynchronous client ---------------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  guint status;
  gboolean called;
  GError *error;
} Wait;

static void
on_reply (CanteenClearingReply *reply, const GError *error, gpointer data)
{
  Wait *wait = data;

  wait->called = TRUE;
  wait->status = reply ? reply->status : 0;
  if (error)
    wait->error = g_error_copy (error);
  g_main_loop_quit (wait->loop);
}

typedef struct {
  GMainLoop *loop;
  CanteenAuthorisation auth;
  gboolean called;
} AuthWait;

static void
on_authorised (const CanteenAuthorisation *auth, gpointer data)
{
  AuthWait *aw = data;

  aw->called = TRUE;
  aw->auth.answered = auth->answered;
  aw->auth.approved = auth->approved;
  aw->auth.authorisation = g_strdup (auth->authorisation);
  aw->auth.issuer_name = g_strdup (auth->issuer_name);
  aw->auth.problem = g_strdup (auth->problem);
  g_main_loop_quit (aw->loop);
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* SIGSTOP, and wait until the server really is stopped (delivery is
 * asynchronous): then nothing it does can answer. */
static void
stop_server (ServiceEnv *env)
{
  int status = 0;

  kill (env->pid, SIGSTOP);
  g_assert_cmpint (waitpid (env->pid, &status, WUNTRACED), ==, env->pid);
  g_assert_true (WIFSTOPPED (status));
}

static void
test_async_client (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(CanteenClearingClient) client = NULL;
  Wait wait = { 0 };
  CanteenClearingRequest *request;
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  gint64 started;

  g_main_context_push_thread_default (context);
  wait.loop = g_main_loop_new (context, FALSE);
  g_assert_true (canteen_visitor_terminal_key (w->b, sk, &error));
  client = canteen_clearing_client_new (w->env->base_url, "TB1", sk, context);

  /* An answer, on the loop. */
  canteen_clearing_request_start (client, "GET", "/v1/trust?since=0", NULL, 5000, on_reply, &wait);
  g_main_loop_run (wait.loop);
  g_assert_true (wait.called);
  g_assert_no_error (wait.error);
  g_assert_cmpint (wait.status, ==, 200);

  /* The kiosk's way: authorise a prepared sale on the loop, then commit. */
  {
    g_autoptr(CanteenClearingClient) kiosk = canteen_clearing_client_for_ledger (w->b, context, &error);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    CanteenVisitorCard card = { w->cert_bytes, NULL, canteen_visitor_sign_with_key, w->card_sk };
    g_autoptr(CanteenVisitorSale) sale = NULL;
    g_autoptr(CanteenVisitorReceipt) receipt = NULL;
    AuthWait aw = { wait.loop, { 0 }, FALSE };

    sync_ok (w->b, 0);
    sale = canteen_visitor_prepare (w->b, "kiosk-1", &card, TRAY, G_N_ELEMENTS (TRAY), now, &error);
    g_assert_no_error (error);
    canteen_clearing_authorise_start (kiosk, sale, on_authorised, &aw);
    g_main_loop_run (wait.loop);
    g_assert_true (aw.called);
    g_assert_true (aw.auth.answered);
    g_assert_true (aw.auth.approved);
    receipt = canteen_visitor_commit (w->b, sale, &aw.auth, now, &error);
    g_assert_no_error (error);
    g_assert_true (receipt->online);
    canteen_authorisation_clear (&aw.auth);
  }

  /* Cancelled: the callback never runs. */
  wait.called = FALSE;
  request = canteen_clearing_request_start (client, "GET", "/v1/deny?since=0", NULL, 5000, on_reply, &wait);
  canteen_clearing_request_cancel (request);
  {
    GSource *timer = g_timeout_source_new (200);
    g_source_set_callback (timer, quit_loop, wait.loop, NULL);
    g_source_attach (timer, context);
    g_main_loop_run (wait.loop);
    g_source_destroy (timer);
    g_source_unref (timer);
  }
  g_assert_false (wait.called);

  /* A stopped (not dead) service: the connection is accepted, nothing
   * answers; the timeout ends the request with a NETWORK error. */
  stop_server (w->env);
  started = g_get_monotonic_time ();
  canteen_clearing_request_start (client, "GET", "/v1/trust?since=0", NULL, 300, on_reply, &wait);
  g_main_loop_run (wait.loop);
  g_assert_true (wait.called);
  g_assert_cmpuint (wait.status, ==, 0);
  g_assert_error (wait.error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&wait.error);
  {
    g_autoptr(CanteenClearingClient) kiosk = canteen_clearing_client_for_ledger (w->b, context, &error);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    CanteenVisitorCard card = { w->cert_bytes, NULL, canteen_visitor_sign_with_key, w->card_sk };
    g_autoptr(CanteenVisitorSale) sale = canteen_visitor_prepare (w->b, "kiosk-2", &card, TRAY, G_N_ELEMENTS (TRAY),
                                                                  now, &error);
    AuthWait aw = { wait.loop, { 0 }, FALSE };
    CanteenClearingRequest *cancelled;

    canteen_clearing_authorise_start (kiosk, sale, on_authorised, &aw);
    g_main_loop_run (wait.loop);
    g_assert_true (aw.called);
    g_assert_false (aw.auth.answered);
    g_assert_nonnull (aw.auth.problem);
    canteen_authorisation_clear (&aw.auth);
    /* The diner walked away: cancelled, nothing called, nothing leaked. */
    aw.called = FALSE;
    cancelled = canteen_clearing_authorise_start (kiosk, sale, on_authorised, &aw);
    canteen_clearing_request_cancel (cancelled);
    g_assert_false (aw.called);
  }
  kill (w->env->pid, SIGCONT);
  g_main_loop_unref (wait.loop);
  g_main_context_pop_thread_default (context);
  world_free (w);
}

static void
test_authorise_timeout (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenVisitorReceipt) r = NULL;
  gint64 started, took;

  sync_ok (w->b, 0);
  stop_server (w->env);
  started = g_get_monotonic_time ();
  r = pay (w, w->b, &error);
  took = g_get_monotonic_time () - started;
  kill (w->env->pid, SIGCONT);
  g_assert_no_error (error);
  g_assert_false (r->online);
  g_assert_cmpint (took, >=, CANTEEN_VISITOR_ONLINE_TIMEOUT_MS * 1000 - 100000);
  g_assert_cmpint (took, <, CANTEEN_VISITOR_ONLINE_TIMEOUT_MS * 1000 + 1000000);
  g_test_message ("offline fallback after %" G_GINT64_FORMAT " ms", took / 1000);
  sync_ok (w->b, 1);
  world_free (w);
}

/* ---- the operator's commands (canteenctl), names fixed by the issue --------------------- */

static int
ctl (const char *db, char **out, char **err, ...) G_GNUC_NULL_TERMINATED;

static int
ctl (const char *db, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CANTEENCTL"));
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                               &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static JsonObject *
json_of (const char *text, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_cli (void)
{
  ServiceEnv *env = service_env_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = g_dir_make_tmp ("test-terminal-cli-XXXXXX", &error);
  g_autofree char *a = g_build_filename (dir, "a.db", NULL), *b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *card = g_build_filename (dir, "zs.card", NULL), *menu = g_build_filename (dir, "menu.json", NULL);
  g_autofree char *akey = g_build_filename (dir, "a.key", NULL), *bkey = g_build_filename (dir, "b.key", NULL);
  g_autofree char *token_a = NULL, *token_b = NULL;
  JsonObject *obj;
  char *out = NULL, *err = NULL;

#define RUN(expect, db, ...) do { g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free); \
    int rc_ = ctl (db, &out, &err, __VA_ARGS__, NULL); \
    if (rc_ != (expect)) g_error ("canteenctl exit %d (wanted %d): %s%s", rc_, (expect), out, err); } while (0)

  g_assert_true (g_file_set_contents (menu, MENU, -1, NULL));
  RUN (0, a, "init", "--agency", "A", "--canteen", "甲食堂", "--terminal", "TA1", "--agency-name", "甲机关");
  RUN (0, b, "init", "--agency", "B", "--canteen", "乙食堂", "--terminal", "TB1", "--agency-name", "乙机关");
  RUN (0, b, "menu", "import", menu);
  RUN (0, a, "--json", "card", "issue", "--card", "A0001", "--name", "张三", "--out", card, "--offline-cap", "3000");
  obj = json_of (out, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "account"), ==, "opened");
  g_assert_cmpint (json_object_get_int_member (obj, "offline_cap_fen"), ==, 3000);
  RUN (0, a, "agency", "key", "export", "--out", akey);
  RUN (0, b, "agency", "key", "export", "--out", bkey);
  {
    g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
    g_assert_cmpint (service_cli (env, &o1, &e1, "agency", "add", "A", "--name", "甲机关", "--issuer-key", akey, NULL), ==, 0);
    g_assert_cmpint (service_cli (env, &o2, &e2, "agency", "add", "B", "--name", "乙机关", "--issuer-key", bkey, NULL), ==, 0);
    g_assert_cmpint (service_cli (env, &token_a, &e3, "terminal", "add", "TA1", "--agency", "A", NULL), ==, 0);
    g_assert_cmpint (service_cli (env, &token_b, &e4, "terminal", "add", "TB1", "--agency", "B", NULL), ==, 0);
    g_strstrip (token_a);
    g_strstrip (token_b);
  }
  /* Before the first sync B has no trust list: A's cards are unknown. */
  RUN (2, b, "checkout", "--card-file", card, "--dish", "D02");
  g_assert_nonnull (strstr (err, "declined"));
  g_assert_nonnull (strstr (err, "issuer A is not an agency this canteen accepts"));
  RUN (0, b, "clearing", "enroll", "--url", env->base_url, "--token", token_b);
  RUN (0, a, "clearing", "enroll", "--url", env->base_url, "--token", token_a);
  RUN (0, b, "--json", "sync");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "uploaded"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj, "pending"), ==, 0);

  RUN (0, b, "--json", "checkout", "--card-file", card, "--dish", "D01", "--dish", "D02", "--id", "cli-1");
  obj = json_of (out, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "mode"), ==, "online");
  g_assert_cmpstr (json_object_get_string_member (obj, "issuer_name"), ==, "甲机关");
  g_assert_cmpint (json_object_get_int_member (obj, "charged_fen"), ==, 1700);
  RUN (0, b, "--json", "checkout", "--card-file", card, "--dish", "D01", "--dish", "D02", "--id", "cli-1");
  obj = json_of (out, parser);
  g_assert_true (json_object_get_boolean_member (obj, "replayed"));
  RUN (0, b, "--json", "receipt", "cli-1");
  obj = json_of (out, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "issuer_name"), ==, "甲机关");
  RUN (0, b, "checkout", "--card-file", card, "--dish", "D02", "--id", "cli-2");
  g_assert_nonnull (strstr (out, "甲机关"));
  RUN (0, b, "--json", "clearing", "reverse", "cli-2", "--reason", "wrong dish", "--by", "值班经理");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "amount_fen"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj, "record_seq"), ==, 3);
  RUN (0, b, "--json", "sync");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "uploaded"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (obj, "pending"), ==, 0);
  g_assert_false (json_object_get_null_member (obj, "last_success"));

  /* The issuer blocks the card: after the next sync the terminal refuses it. */
  {
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (service_cli (env, &o, &e, "deny", "add", "--agency", "A", "--card", "A0001", NULL), ==, 0);
  }
  RUN (0, b, "sync");
  RUN (2, b, "checkout", "--card-file", card, "--dish", "D02");
  g_assert_nonnull (strstr (err, "deny list"));

  /* The back office posts its statement once. */
  {
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (service_cli (env, &o, &e, "window", "close", NULL), ==, 0);
  }
  RUN (0, a, "account", "topup", "--card", "A0001", "--amount", "5000");
  RUN (0, a, "--json", "clearing", "statement", "--post");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "posted"), ==, 3);
  RUN (0, a, "--json", "clearing", "statement", "--post");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "posted"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj, "already"), ==, 3);
  RUN (0, a, "--json", "account", "show", "--card", "A0001");
  obj = json_of (out, parser);
  g_assert_cmpint (json_object_get_int_member (obj, "balance_fen"), ==, 5000 - 1700 - 200 + 200);
  RUN (0, a, "journal", "verify");
  RUN (0, b, "journal", "verify");
#undef RUN
  g_free (out);
  g_free (err);
  service_env_free (env);
  rm_rf (dir);
}

/* ---- 3 agencies x 2 terminals: a whole day of cross-agency meals --------------------- */

#define N_AGENCIES 3

typedef struct {
  const char *code, *name, *card_id;
  char *path[2];
  CanteenLedger *t[2];     /* t[0] is also the agency's back office (the issuer) */
  CanteenCardCert cert;
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  GBytes *cert_bytes;
  gint64 acquired_fen, issued_fen, meals_issued;
} Agency;

/* A second terminal of an agency: its own ledger and terminal key; the
 * agency (and its issuer key) is already known to the service. */
static CanteenLedger *
terminal_more (World *w, const char *path, const char *agency, const char *name, const char *terminal)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  CanteenLedger *l = canteen_ledger_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (canteen_ledger_init (l, agency, name, terminal, "Asia/Shanghai", &error));
  g_assert_true (canteen_visitor_init_keys (l, name, &error));
  token = token_for (w, terminal, agency);
  g_assert_true (canteen_clearing_enroll (l, w->env->base_url, token, NULL, &error));
  g_assert_no_error (error);
  return l;
}

static CanteenVisitorReceipt *
pay_with (CanteenLedger *l, GBytes *cert_bytes, guint8 *sk, const CanteenOrderLine *tray, gsize n, GError **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenVisitorCard card = { cert_bytes, NULL, canteen_visitor_sign_with_key, sk };

  return canteen_visitor_checkout (l, id, &card, tray, n, canteen_clearing_authorise_blocking, l, now, error);
}

static void
repoint (CanteenLedger *l, ServiceEnv *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_true (canteen_visitor_set_enrolled (l, env->base_url, env->clearing_pk, now, &error));
  g_assert_no_error (error);
}

static void
test_three_agencies (void)
{
  static const char *codes[N_AGENCIES] = { "A", "B", "C" };
  static const char *names[N_AGENCIES] = { "甲机关", "乙机关", "丙机关" };
  static const char *cards[N_AGENCIES] = { "A0001", "B0001", "C0001" };
  World w = { 0 };
  Agency ag[N_AGENCIES];
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL, *err = NULL;
  JsonArray *positions;
  gint64 sum = 0, total_records = 0;
  int seen = 0;

  memset (ag, 0, sizeof ag);
  w.env = service_env_new ();
  w.dir = g_dir_make_tmp ("test-terminal-e2e3-XXXXXX", &error);
  dishes = canteen_menu_parse_json (MENU, sizeof MENU - 1, &error);
  g_assert_no_error (error);
  for (int i = 0; i < N_AGENCIES; i++)
    {
      CanteenCardIssue issue = { cards[i], "出差干部", 5000, 20000, NULL };
      g_autofree char *card_file = g_strdup_printf ("%s/%s.card", w.dir, cards[i]);
      gboolean opened;

      ag[i].code = codes[i];
      ag[i].name = names[i];
      ag[i].card_id = cards[i];
      for (int t = 0; t < 2; t++)
        {
          g_autofree char *terminal = g_strdup_printf ("T%s%d", codes[i], t + 1);
          ag[i].path[t] = g_strdup_printf ("%s/%s%d.db", w.dir, codes[i], t + 1);
          ag[i].t[t] = t == 0 ? terminal_new (&w, ag[i].path[t], codes[i], names[i], terminal)
                              : terminal_more (&w, ag[i].path[t], codes[i], names[i], terminal);
          g_assert_true (canteen_ledger_import_dishes (ag[i].t[t], dishes, "2026-11-20", &error));
          g_assert_no_error (error);
        }
      g_assert_true (canteen_visitor_issue_card (ag[i].t[0], &issue, card_file, now, &opened, &error));
      g_assert_true (canteen_card_file_read (card_file, &ag[i].cert, ag[i].card_sk, &error));
      g_assert_no_error (error);
      ag[i].cert_bytes = canteen_card_cert_to_bytes (&ag[i].cert);
    }
  /* Every terminal learns the three agencies' keys and a fresh deny list. */
  for (int i = 0; i < N_AGENCIES; i++)
    for (int t = 0; t < 2; t++)
      sync_ok (ag[i].t[t], 0);

  /* Online: each agency's official eats at every terminal of the others. */
  for (int i = 0; i < N_AGENCIES; i++)
    for (int j = 0; j < N_AGENCIES; j++)
      for (int t = 0; t < 2 && j != i; t++)
        {
          g_autoptr(CanteenVisitorReceipt) r = pay_with (ag[j].t[t], ag[i].cert_bytes, ag[i].card_sk, TRAY,
                                                         G_N_ELEMENTS (TRAY), &error);
          g_assert_no_error (error);
          g_assert_true (r->online);
          g_assert_cmpstr (r->issuer_name, ==, names[i]);
          ag[j].acquired_fen += 1700;
          ag[i].issued_fen += 1700;
          ag[i].meals_issued++;
        }
  /* An outage: each terminal takes one offline meal (rice, 200 fen) from the
   * next agency's official. */
  service_env_stop (w.env);
  for (int j = 0; j < N_AGENCIES; j++)
    for (int t = 0; t < 2; t++)
      {
        int i = (j + 1 + t) % N_AGENCIES;
        g_autoptr(CanteenVisitorReceipt) r = pay_with (ag[j].t[t], ag[i].cert_bytes, ag[i].card_sk, &TRAY[1], 1,
                                                       &error);
        g_assert_no_error (error);
        g_assert_false (r->online);
        ag[j].acquired_fen += 200;
        ag[i].issued_fen += 200;
        ag[i].meals_issued++;
      }
  service_env_start (w.env);
  for (int i = 0; i < N_AGENCIES; i++)
    for (int t = 0; t < 2; t++)
      {
        repoint (ag[i].t[t], w.env);
        sync_ok (ag[i].t[t], 2 + 1);    /* one online meal per other agency + one offline */
        sync_ok (ag[i].t[t], 0);
      }
  for (int i = 0; i < N_AGENCIES; i++)
    total_records += ag[i].meals_issued;
  {
    g_autofree char *stored = service_query (w.env, "SELECT count(*) FROM records");
    g_autofree char *want = g_strdup_printf ("%" G_GINT64_FORMAT, total_records);
    g_assert_cmpstr (stored, ==, want);
  }

  /* The window closes: the net positions are what the sales make, and sum to 0. */
  g_assert_cmpint (service_cli (w.env, &out, &err, "window", "close", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (service_cli (w.env, &out, &err, "positions", "--json", NULL), ==, 0);
  positions = json_object_get_array_member (json_of (out, parser), "positions");
  for (guint k = 0; k < json_array_get_length (positions); k++)
    {
      JsonObject *p = json_array_get_object_element (positions, k);
      const char *code = json_object_get_string_member (p, "agency");
      gint64 net = json_object_get_int_member (p, "net_fen");
      sum += net;
      for (int i = 0; i < N_AGENCIES; i++)
        if (g_str_equal (code, ag[i].code))
          {
            g_assert_cmpint (net, ==, ag[i].acquired_fen - ag[i].issued_fen);
            seen++;
          }
    }
  g_assert_cmpint (sum, ==, 0);
  g_assert_cmpint (seen, ==, N_AGENCIES);

  /* Each back office posts its officials' meals once. */
  for (int i = 0; i < N_AGENCIES; i++)
    {
      CanteenPostingReport posting;
      CanteenAccount account;

      g_assert_true (canteen_ledger_topup (ag[i].t[0], ag[i].card_id, 50000, "t-1", &account, &error));
      canteen_account_clear (&account);
      g_assert_true (canteen_clearing_post_statement (ag[i].t[0], NULL, TRUE, &posting, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (posting.posted, ==, ag[i].meals_issued);
      canteen_posting_report_clear (&posting);
      g_assert_true (canteen_clearing_post_statement (ag[i].t[0], NULL, TRUE, &posting, NULL, &error));
      g_assert_cmpint (posting.posted, ==, 0);
      g_assert_cmpint (posting.already, ==, ag[i].meals_issued);
      canteen_posting_report_clear (&posting);
      g_assert_true (canteen_ledger_get_account (ag[i].t[0], ag[i].card_id, &account, &error));
      g_assert_cmpint (account.balance_fen, ==, 50000 - ag[i].issued_fen);
      canteen_account_clear (&account);
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  if (service_cli (w.env, &out, &err, "verify", NULL) != 0)
    g_error ("verify failed: %s%s", out, err);

  for (int i = 0; i < N_AGENCIES; i++)
    {
      for (int t = 0; t < 2; t++)
        {
          canteen_ledger_close (ag[i].t[t]);
          g_free (ag[i].path[t]);
        }
      canteen_card_cert_clear (&ag[i].cert);
      g_bytes_unref (ag[i].cert_bytes);
    }
  service_env_free (w.env);
  rm_rf (w.dir);
  g_free (w.dir);
}

/* ---- crashes in the middle of an upload ----------------------------------------------- */

/* n offline sales of rice on B by a card of A with room for them (the
 * service down: each is refused at connect, quickly). */
static void
offline_sales (World *w, const char *card_id, int n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *card_file = g_strdup_printf ("%s/%s.card", w->dir, card_id);
  CanteenCardIssue issue = { card_id, "李四", 1000000, 1000000, NULL };
  CanteenCardCert cert;
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) bytes = NULL;
  gboolean opened;

  g_assert_true (canteen_visitor_issue_card (w->a, &issue, card_file, now, &opened, &error));
  g_assert_true (canteen_card_file_read (card_file, &cert, sk, &error));
  g_assert_no_error (error);
  bytes = canteen_card_cert_to_bytes (&cert);
  sync_ok (w->b, 0);
  service_env_stop (w->env);
  for (int k = 0; k < n; k++)
    {
      g_autoptr(CanteenVisitorReceipt) r = pay_with (w->b, bytes, sk, &TRAY[1], 1, &error);
      g_assert_no_error (error);
      g_assert_false (r->online);
    }
  canteen_card_cert_clear (&cert);
  service_env_start (w->env);
  repoint (w->b, w->env);
  repoint (w->a, w->env);
}

static void
assert_stored_once (World *w, int n)
{
  g_autofree char *count = service_query (w->env, "SELECT count(*) FROM records WHERE terminal = 'TB1'");
  g_autofree char *distinct = service_query (w->env, "SELECT count(DISTINCT seq) FROM records WHERE terminal = 'TB1'");
  g_autofree char *want = g_strdup_printf ("%d", n);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *positions;

  g_assert_cmpstr (count, ==, want);
  g_assert_cmpstr (distinct, ==, want);
  g_assert_cmpint (service_cli (w->env, &out, &err, "window", "close", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (service_cli (w->env, &out, &err, "positions", "--json", NULL), ==, 0);
  positions = json_object_get_array_member (json_of (out, parser), "positions");
  for (guint k = 0; k < json_array_get_length (positions); k++)
    {
      JsonObject *p = json_array_get_object_element (positions, k);
      gint64 net = json_object_get_int_member (p, "net_fen");
      if (g_str_equal (json_object_get_string_member (p, "agency"), "B"))
        g_assert_cmpint (net, ==, (gint64) n * 200);
      else if (g_str_equal (json_object_get_string_member (p, "agency"), "A"))
        g_assert_cmpint (net, ==, -(gint64) n * 200);
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  if (service_cli (w->env, &out, &err, "verify", NULL) != 0)
    g_error ("verify failed: %s%s", out, err);
}

static gpointer
sync_thread (gpointer path)
{
  g_autoptr(GError) error = NULL;
  CanteenLedger *l = canteen_ledger_open (path, &error);
  CanteenSyncReport report;
  gboolean ok;

  g_assert_no_error (error);
  ok = canteen_clearing_sync (l, FALSE, NULL, &report, &error);
  canteen_sync_report_clear (&report);
  canteen_ledger_close (l);
  return GINT_TO_POINTER (ok);
}

#define CRASH_RECORDS 300

/* utime + stime of a process, in clock ticks (/proc/PID/stat fields 14, 15). */
static gint64
cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", 0);   /* fields[0] is field 3 (state) */
  if (g_strv_length (fields) < 13)
    return -1;
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

static void
test_server_killed_mid_batch (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *before = NULL;
  GThread *thread;
  gint64 busy;
  int status = 0;
  gboolean ok;

  offline_sales (w, "A0002", CRASH_RECORDS);
  /* One batch of 300 records, built ahead so the sync goes straight to it. */
  g_assert_cmpint (canteen_outbox_build (w->b, 0, now, &error), ==, 1);
  busy = cpu_ticks (w->env->pid);
  thread = g_thread_new ("sync", sync_thread, w->path_b);
  /* Killed once the idle server starts burning CPU on the batch (it is
   * verifying or storing it): really in the middle of the request. */
  for (int k = 0; k < 5000 && cpu_ticks (w->env->pid) == busy; k++)
    g_usleep (1000);
  kill (w->env->pid, SIGKILL);
  g_assert_cmpint (waitpid (w->env->pid, &status, 0), ==, w->env->pid);
  g_spawn_close_pid (w->env->pid);
  w->env->pid = 0;
  close (w->env->out_fd);
  w->env->out_fd = -1;
  ok = GPOINTER_TO_INT (g_thread_join (thread));
  /* The same database, a new process. */
  service_env_start (w->env);
  repoint (w->b, w->env);
  before = service_query (w->env, "SELECT count(*) FROM records WHERE terminal = 'TB1'");
  g_test_message ("killed server had stored %s of %d records (sync %s)", before, CRASH_RECORDS,
                  ok ? "finished" : "failed");
  g_assert_true (g_str_equal (before, "0") || g_str_equal (before, G_STRINGIFY (CRASH_RECORDS)));
  if (!ok)
    sync_ok (w->b, CRASH_RECORDS);
  sync_ok (w->b, 0);
  assert_stored_once (w, CRASH_RECORDS);
  world_free (w);
}

#define SYNC_KILL_RECORDS 40

static void
test_terminal_killed_mid_sync (void)
{
  World *w = world_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenOutboxBatch) batch = NULL;
  const char *argv[] = { g_getenv ("CANTEENCTL"), "--db", w->path_b, "sync", NULL };
  GPid child;
  int status = 0;

  offline_sales (w, "A0003", SYNC_KILL_RECORDS);
  /* The service hangs (stopped): the terminal's upload is in flight when it dies. */
  stop_server (w->env);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &child, &error));
  g_assert_no_error (error);
  /* Wait until the child has built its batch (it uploads right after). */
  for (int k = 0; k < 1000 && batch == NULL; k++)
    {
      batch = canteen_outbox_next_unsent (w->b, &error);
      g_assert_no_error (error);
      if (batch == NULL)
        g_usleep (10 * 1000);
    }
  g_assert_nonnull (batch);
  g_usleep (300 * 1000);
  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFSIGNALED (status));
  g_spawn_close_pid (child);
  kill (w->env->pid, SIGCONT);
  /* The next sync sends the same batch: everything stored, once. */
  sync_ok (w->b, SYNC_KILL_RECORDS);
  sync_ok (w->b, 0);
  assert_stored_once (w, SYNC_KILL_RECORDS);
  world_free (w);
}

int
main (int argc, char **argv)
{
  const char *backend = "sqlite";

  /* The backend is the first non-option argument (as in test-clearing-service). */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "sqlite") || g_str_equal (argv[i], "pg"))
      {
        backend = argv[i];
        for (int j = i; j < argc - 1; j++)
          argv[j] = argv[j + 1];
        argc--;
        break;
      }
  g_test_init (&argc, &argv, NULL);
  service_fixture_backend_init (backend);
  g_test_add_func ("/terminal-e2e/day", test_day);
  g_test_add_func ("/terminal-e2e/lost-answer", test_lost_answer);
  g_test_add_func ("/terminal-e2e/conflict-is-loud", test_conflict_is_loud);
  g_test_add_func ("/terminal-e2e/async-client", test_async_client);
  g_test_add_func ("/terminal-e2e/authorise-timeout", test_authorise_timeout);
  g_test_add_func ("/terminal-e2e/three-agencies", test_three_agencies);
  g_test_add_func ("/terminal-e2e/server-killed-mid-batch", test_server_killed_mid_batch);
  if (g_getenv ("CANTEENCTL") != NULL)
    {
      g_test_add_func ("/terminal-e2e/cli", test_cli);
      g_test_add_func ("/terminal-e2e/terminal-killed-mid-sync", test_terminal_killed_mid_sync);
    }
  return g_test_run ();
}
