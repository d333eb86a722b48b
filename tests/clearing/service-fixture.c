/* service-fixture.c — see service-fixture.h. */
#include "service-fixture.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clearing.h"

#define PG_BIN "/usr/lib/postgresql/15/bin"

static char *backend, *tmpdir, *pg_base_uri;
static int pg_port;
static int db_counter;

const char *
service_fixture_backend (void)
{
  return backend;
}

char *
service_fixture_tmpdir (void)
{
  return g_strdup (tmpdir);
}

static int
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &sin, &len), ==, 0);
  close (fd);
  return ntohs (sin.sin_port);
}

/* Runs a PostgreSQL tool, as `postgres` when we are root. */
static gboolean
run_pg (const char *const *args, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  if (geteuid () == 0)
    {
      g_ptr_array_add (argv, "runuser");
      g_ptr_array_add (argv, "-u");
      g_ptr_array_add (argv, "postgres");
      g_ptr_array_add (argv, "--");
    }
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  int status = -1;
  g_autoptr (GError) error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, err, &status, &error))
    {
      if (err != NULL)
        *err = g_strdup (error->message);
      return FALSE;
    }
  return g_spawn_check_wait_status (status, NULL);
}

static void
remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The guardian: waits until the test process is gone (its pipe closes),
 * then stops the cluster and removes the temp dir. */
static void
start_guardian (void)
{
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char c;
      close (fds[1]);
      setsid ();
      /* Not holding the test's output open: meson waits for its EOF. */
      int null = open ("/dev/null", O_RDWR);
      dup2 (null, STDOUT_FILENO);
      dup2 (null, STDERR_FILENO);
      while (read (fds[0], &c, 1) < 0 && errno == EINTR)
        ;
      if (pg_base_uri != NULL)
        {
          g_autofree char *data = g_build_filename (tmpdir, "pg", "data", NULL);
          const char *stop[] = { PG_BIN "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", NULL };
          run_pg (stop, NULL);
        }
      remove_tree (tmpdir);
      _exit (0);
    }
  close (fds[0]);
  /* fds[1] stays open, unnoticed, until this process ends. */
}

void
service_fixture_backend_init (const char *name)
{
  backend = g_strdup (name);
  g_assert_true (g_str_equal (name, "sqlite") || g_str_equal (name, "pg"));
  tmpdir = g_dir_make_tmp ("canteen-clearing-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_chmod (tmpdir, 0755);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  if (g_str_equal (name, "pg"))
    {
      g_autofree char *base = g_build_filename (tmpdir, "pg", NULL);
      g_autofree char *data = g_build_filename (base, "data", NULL);
      g_autofree char *log = g_build_filename (base, "log", NULL);
      g_assert_cmpint (g_mkdir (base, 0755), ==, 0);
      if (geteuid () == 0)
        {
          struct passwd *pw = getpwnam ("postgres");
          g_assert_nonnull (pw);
          g_assert_cmpint (chown (base, pw->pw_uid, pw->pw_gid), ==, 0);
        }
      pg_port = free_port ();
      g_autofree char *opts = g_strdup_printf ("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                                               "-c max_connections=60", pg_port, base);
      g_autofree char *err = NULL;
      const char *initdb[] = { PG_BIN "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E",
                               "UTF8", "--locale=C", NULL };
      pg_base_uri = g_strdup_printf ("postgresql://postgres@127.0.0.1:%d", pg_port);
      start_guardian ();
      if (!run_pg (initdb, &err))
        g_error ("initdb failed: %s", err);
      const char *start[] = { PG_BIN "/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "start", NULL };
      g_clear_pointer (&err, g_free);
      if (!run_pg (start, &err))
        g_error ("pg_ctl start failed: %s", err);
    }
  else
    start_guardian ();
}

void
service_fixture_pg_restart (void)
{
  g_autofree char *data = g_build_filename (tmpdir, "pg", "data", NULL);
  const char *restart[] = { PG_BIN "/pg_ctl", "-D", data, "-m", "fast", "-w", "restart", NULL };
  g_autofree char *err = NULL;
  if (!run_pg (restart, &err))
    g_error ("pg_ctl restart failed: %s", err);
}

static void
make_pg_database (const char *name)
{
  g_autofree char *uri = g_strdup_printf ("%s/postgres", pg_base_uri);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClearingDb) db = clearing_db_open (uri, &error);
  g_assert_no_error (error);
  /* A schema, not a database: CREATE DATABASE copies a template (slow). */
  g_autofree char *sql = g_strdup_printf ("CREATE SCHEMA %s", name);
  clearing_db_exec (db, sql, &error);
  g_assert_no_error (error);
}

ServiceEnv *
service_env_new (void)
{
  ServiceEnv *env = g_new0 (ServiceEnv, 1);
  int n = ++db_counter;
  env->key_path = g_strdup_printf ("%s/service-%d.key", tmpdir, n);
  env->out_fd = -1;
  if (g_str_equal (backend, "pg"))
    {
      g_autofree char *name = g_strdup_printf ("clearing%d", n);
      make_pg_database (name);
      env->uri = g_strdup_printf ("%s/postgres?options=-csearch_path%%3D%s", pg_base_uri, name);
    }
  else
    env->uri = g_strdup_printf ("sqlite:%s/clearing-%d.db", tmpdir, n);
  {
    /* `init` through the library (the CLI's init is its own test case):
     * one process less per case. */
    g_autoptr (GError) init_error = NULL;
    g_autoptr (ClearingDb) db = clearing_db_open (env->uri, &init_error);
    g_assert_no_error (init_error);
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_assert_true (clearing_init (db, env->key_path, now, &init_error));
  }
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr (GError) error = NULL;
  g_assert_true (canteen_proto_read_secret_key (env->key_path, sk, &error));
  canteen_proto_public_key (sk, env->clearing_pk);
  service_env_start (env);
  return env;
}

static void
child_setup (gpointer data)
{
  /* The server dies with the test, even when an assertion aborts it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
service_env_start (ServiceEnv *env)
{
  const char *bin = g_getenv ("CANTEEN_CLEARING");
  g_assert_nonnull (bin);
  const char *argv[16] = { bin, "serve", "--db", env->uri, "--key", env->key_path, "--listen", "127.0.0.1:0",
                           "--threads", "4", NULL };
  for (int i = 0; i < 3 && env->serve_args[i] != NULL; i++)
    argv[10 + i] = env->serve_args[i];
  g_autoptr (GError) error = NULL;
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL, &env->pid,
                            NULL, &env->out_fd, NULL, &error);
  g_assert_no_error (error);
  GString *line = g_string_new (NULL);
  char c;
  while (read (env->out_fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  g_assert_true (g_str_has_prefix (line->str, "listening on 127.0.0.1:"));
  g_free (env->base_url);
  env->base_url = g_strdup_printf ("http://%s", line->str + strlen ("listening on "));
  g_string_free (line, TRUE);
}

void
service_env_stop (ServiceEnv *env)
{
  int status = 0;
  if (env->pid == 0)
    return;
  kill (env->pid, SIGTERM);
  g_assert_cmpint (waitpid (env->pid, &status, 0), ==, env->pid);
  g_spawn_close_pid (env->pid);
  env->pid = 0;
  close (env->out_fd);
  env->out_fd = -1;
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

void
service_env_free (ServiceEnv *env)
{
  service_env_stop (env);
  g_free (env->uri);
  g_free (env->key_path);
  g_free (env->base_url);
  g_free (env);
}

int
service_cli (ServiceEnv *env, char **out, char **err, ...)
{
  const char *bin = g_getenv ("CANTEEN_CLEARING");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  g_ptr_array_add (argv, (gpointer) bin);
  va_start (ap, err);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, env->uri);
  g_ptr_array_add (argv, "--key");
  g_ptr_array_add (argv, env->key_path);
  g_ptr_array_add (argv, NULL);
  int status = -1;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, 0, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static ClearingDb *
open_direct (ServiceEnv *env)
{
  g_autoptr (GError) error = NULL;
  ClearingDb *db = clearing_db_open (env->uri, &error);
  g_assert_no_error (error);
  return db;
}

void
service_tamper (ServiceEnv *env, const char *sql)
{
  g_autoptr (ClearingDb) db = open_direct (env);
  g_autoptr (GError) error = NULL;
  if (clearing_db_kind (db) == CLEARING_DB_PG)
    {
      g_autofree char *all = g_strdup_printf ("SET session_replication_role = replica; %s", sql);
      clearing_db_exec (db, all, &error);
    }
  else
    {
      /* Drop the guard triggers on this copy of the schema, as an attacker would. */
      ClearingStmt *stmt = clearing_db_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'trigger'", &error);
      g_assert_no_error (error);
      g_autoptr (GString) drop = g_string_new (NULL);
      while (clearing_stmt_step (stmt, &error) == 1)
        g_string_append_printf (drop, "DROP TRIGGER %s; ", clearing_stmt_text (stmt, 0));
      g_assert_no_error (error);
      g_string_append (drop, sql);
      clearing_db_exec (db, drop->str, &error);
    }
  g_assert_no_error (error);
}

gboolean
service_sql (ServiceEnv *env, const char *sql, char **message)
{
  g_autoptr (ClearingDb) db = open_direct (env);
  g_autoptr (GError) error = NULL;
  if (clearing_db_exec (db, sql, &error))
    return TRUE;
  *message = g_strdup (error->message);
  return FALSE;
}

char *
service_query (ServiceEnv *env, const char *sql)
{
  g_autoptr (ClearingDb) db = open_direct (env);
  g_autoptr (GError) error = NULL;
  ClearingStmt *stmt = clearing_db_prepare (db, sql, &error);
  g_assert_no_error (error);
  int rc = clearing_stmt_step (stmt, &error);
  g_assert_no_error (error);
  char *value = rc == 1 ? g_strdup (clearing_stmt_text (stmt, 0)) : NULL;
  if (rc == 1)
    clearing_stmt_run (stmt, NULL);
  return value;
}

void
service_response_free (ServiceResponse *r)
{
  if (r == NULL)
    return;
  g_free (r->body);
  g_free (r->signature);
  g_free (r);
}

static size_t
on_body (char *data, size_t size, size_t n, void *user)
{
  g_byte_array_append (user, (const guint8 *) data, (guint) (size * n));
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user)
{
  ServiceResponse *r = user;
  gsize len = size * n;
  static const char name[] = "x-canteen-signature:";
  if (len > strlen (name) && g_ascii_strncasecmp (data, name, strlen (name)) == 0)
    {
      g_free (r->signature);
      r->signature = g_strstrip (g_strndup (data + strlen (name), len - strlen (name)));
    }
  return len;
}

ServiceResponse *
service_http (ServiceEnv *env, const char *terminal, const guint8 *sk, const char *method, const char *path,
              const void *body, gsize len, int skew_s)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *headers = NULL;
  ServiceResponse *r = g_new0 (ServiceResponse, 1);
  GByteArray *buf = g_byte_array_new ();
  g_autofree char *url = g_strconcat (env->base_url, path, NULL);
  if (body == NULL)
    body = "";
  headers = curl_slist_append (headers, "Content-Type: application/json");
  /* Small bodies go at once; large ones wait for "100 Continue" (libcurl's
   * default), so a refusal (413) arrives before the body is sent. */
  if (len < 1024 * 1024)
    headers = curl_slist_append (headers, "Expect:");
  if (terminal != NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr (GDateTime) then = g_date_time_add_seconds (now, skew_s);
      g_autofree char *time = canteen_proto_format_time (then);
      g_autoptr (GString) msg = canteen_request_message (method, path, time, body, len);
      guint8 sig[CANTEEN_PROTO_SIG_BYTES];
      canteen_proto_sign (sk, msg->str, msg->len, sig);
      g_autofree char *sig_b64 = canteen_proto_b64_encode (sig, sizeof sig);
      g_autofree char *h1 = g_strdup_printf ("X-Canteen-Terminal: %s", terminal);
      g_autofree char *h2 = g_strdup_printf ("X-Canteen-Time: %s", time);
      g_autofree char *h3 = g_strdup_printf ("X-Canteen-Signature: %s", sig_b64);
      headers = curl_slist_append (headers, h1);
      headers = curl_slist_append (headers, h2);
      headers = curl_slist_append (headers, h3);
    }
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  if (g_str_equal (method, "POST"))
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, buf);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, r);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform (curl);
  if (rc != CURLE_OK && rc != CURLE_SEND_ERROR)
    g_error ("HTTP %s %s: %s", method, path, curl_easy_strerror (rc));
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &r->status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  r->len = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  r->body = (char *) g_byte_array_free (buf, FALSE);
  return r;
}
