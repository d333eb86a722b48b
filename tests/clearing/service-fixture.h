/* service-fixture.h — a real `canteen-clearing serve` on 127.0.0.1 for
 * tests, against a temporary SQLite file or a throwaway PostgreSQL cluster.
 *
 * Contract
 *  - service_fixture_backend_init() once per test binary: makes the temp
 *    dir and, for "pg", initdb + pg_ctl on a free loopback port (as the
 *    `postgres` user when run as root: initdb refuses root). A guardian
 *    process stops the cluster and removes the dir when the test process
 *    ends for any reason (also an assertion's abort).
 *  - service_env_new() gives each test case a fresh database (a new SQLite
 *    file or a new PostgreSQL schema), initialised (as `canteen-clearing
 *    init` does), and a running server; service_env_free() stops it (SIGTERM) and
 *    asserts it exited cleanly.
 *  - The binary is $CANTEEN_CLEARING (set by meson).
 */
#pragma once

#include <glib.h>

#include "clearing-proto.h"

G_BEGIN_DECLS

typedef struct {
  char *uri;          /* sqlite:PATH or postgresql://… */
  char *key_path;     /* the service key file */
  char *base_url;     /* http://127.0.0.1:PORT */
  GPid pid;
  int out_fd;         /* the server's stdout (kept open: it prints at cut-off) */
  const char *serve_args[4];   /* more arguments for `serve` (NULL-ended) */
  guint8 clearing_pk[CANTEEN_PROTO_PK_BYTES];
} ServiceEnv;

/* backend: "sqlite" or "pg". */
void        service_fixture_backend_init (const char *backend);
const char *service_fixture_backend (void);
char       *service_fixture_tmpdir (void);

/* pg only: restarts the PostgreSQL cluster (every connection is lost). */
void        service_fixture_pg_restart (void);

ServiceEnv *service_env_new (void);
void        service_env_start (ServiceEnv *env);   /* (re)starts the server */
void        service_env_stop (ServiceEnv *env);    /* SIGTERM, asserts exit 0 */
void        service_env_free (ServiceEnv *env);

/* Runs `canteen-clearing ARGS… --db URI [--key FILE]`; returns the exit status. */
int service_cli (ServiceEnv *env, char **out, char **err, ...) G_GNUC_NULL_TERMINATED;

/* Runs SQL on the database directly, as an attacker with database access
 * would: with the schema's guard triggers disabled. */
void service_tamper (ServiceEnv *env, const char *sql);
/* SQL run with the guards in place; FALSE (and the message) when refused. */
gboolean service_sql (ServiceEnv *env, const char *sql, char **message);
/* One text value of a query (NULL when no row). */
char *service_query (ServiceEnv *env, const char *sql);

typedef struct {
  long status;
  char *body;
  gsize len;
  char *signature;    /* X-Canteen-Signature of the answer, or NULL */
} ServiceResponse;
void service_response_free (ServiceResponse *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServiceResponse, service_response_free)

/* An HTTP request; signed as `terminal` with `sk` when terminal != NULL,
 * with X-Canteen-Time = now + skew_s. */
ServiceResponse *service_http (ServiceEnv *env, const char *terminal, const guint8 *sk, const char *method,
                               const char *path, const void *body, gsize len, int skew_s);

G_END_DECLS
