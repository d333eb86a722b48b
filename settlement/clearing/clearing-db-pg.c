/* clearing-db-pg.c — the PostgreSQL backend of clearing-db.h (libpq).
 * Statements are prepared once per connection (PQprepare, named s1, s2, …)
 * and executed with text parameters; results are read whole (a clearing
 * query returns at most one window's rows). Transactions are SERIALIZABLE:
 * the caps and the window assignment are then correct without explicit
 * locks, and a conflict comes back as RETRY for clearing_db_transact(). */
#include "clearing-db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  PGconn *conn;
  int next_id;
} PgConn;

typedef struct {
  PgConn *pg;
  char name[24];
  int nparams;
  char **values;       /* nparams, g_strdup'ed or NULL */
  PGresult *res;
  int row;             /* the current row; -1 before the first step */
} PgStmt;

static gboolean
fail_result (PGconn *conn, PGresult *res, GError **error)
{
  const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  int code = CLEARING_DB_ERROR_FAILED;
  /* A unique key taken by a concurrent transaction is a conflict like a
   * serialization failure: run again, and the stored row is seen. */
  if (state != NULL && (strcmp (state, "40001") == 0 || strcmp (state, "40P01") == 0 || strcmp (state, "23505") == 0))
    code = CLEARING_DB_ERROR_RETRY;
  else if (state != NULL && (strncmp (state, "23", 2) == 0 || strcmp (state, "P0001") == 0))
    code = CLEARING_DB_ERROR_CONSTRAINT;
  const char *msg = res ? PQresultErrorMessage (res) : PQerrorMessage (conn);
  g_autofree char *trimmed = g_strstrip (g_strdup (msg && *msg ? msg : PQerrorMessage (conn)));
  g_set_error (error, CLEARING_DB_ERROR, code, "postgresql: %s", trimmed);
  return FALSE;
}

static void
ignore_notice (void *arg, const char *message)
{
}

static gpointer
pg_open (const char *uri, GError **error)
{
  PGconn *conn = PQconnectdb (uri);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strstrip (g_strdup (PQerrorMessage (conn)));
      g_set_error (error, CLEARING_DB_ERROR, CLEARING_DB_ERROR_FAILED, "postgresql: cannot connect: %s", msg);
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  PgConn *pg = g_new0 (PgConn, 1);
  pg->conn = conn;
  return pg;
}

static void
pg_close (gpointer p)
{
  PgConn *pg = p;
  PQfinish (pg->conn);
  g_free (pg);
}

static gboolean
pg_exec (gpointer p, const char *sql, GError **error)
{
  PgConn *pg = p;
  PGresult *res = PQexec (pg->conn, sql);
  ExecStatusType st = PQresultStatus (res);
  gboolean ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
  if (!ok)
    fail_result (pg->conn, res, error);
  PQclear (res);
  return ok;
}

static gpointer
pg_prepare (gpointer p, const char *sql, GError **error)
{
  PgConn *pg = p;
  PgStmt *stmt = g_new0 (PgStmt, 1);
  stmt->pg = pg;
  g_snprintf (stmt->name, sizeof stmt->name, "s%d", ++pg->next_id);
  PGresult *res = PQprepare (pg->conn, stmt->name, sql, 0, NULL);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      fail_result (pg->conn, res, error);
      g_prefix_error (error, "%s: ", sql);
      PQclear (res);
      g_free (stmt);
      return NULL;
    }
  PQclear (res);
  res = PQdescribePrepared (pg->conn, stmt->name);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      fail_result (pg->conn, res, error);
      PQclear (res);
      g_free (stmt);
      return NULL;
    }
  stmt->nparams = PQnparams (res);
  PQclear (res);
  stmt->values = g_new0 (char *, stmt->nparams + 1);
  stmt->row = -1;
  return stmt;
}

static void
pg_reset (gpointer s)
{
  PgStmt *stmt = s;
  g_clear_pointer (&stmt->res, PQclear);
  stmt->row = -1;
  for (int i = 0; i < stmt->nparams; i++)
    g_clear_pointer (&stmt->values[i], g_free);
}

static void
pg_finalize (gpointer s)
{
  PgStmt *stmt = s;
  pg_reset (stmt);
  g_free (stmt->values);
  g_free (stmt);
}

static void
pg_bind_text (gpointer s, int i, const char *v)
{
  PgStmt *stmt = s;
  if (i < 1 || i > stmt->nparams)
    return;
  g_free (stmt->values[i - 1]);
  stmt->values[i - 1] = g_strdup (v);
}

static void
pg_bind_int64 (gpointer s, int i, gint64 v)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, v);
  pg_bind_text (s, i, buf);
}

static void
pg_bind_null (gpointer s, int i)
{
  PgStmt *stmt = s;
  if (i >= 1 && i <= stmt->nparams)
    g_clear_pointer (&stmt->values[i - 1], g_free);
}

static int
pg_step (gpointer s, GError **error)
{
  PgStmt *stmt = s;
  if (stmt->res == NULL)
    {
      stmt->res = PQexecPrepared (stmt->pg->conn, stmt->name, stmt->nparams, (const char *const *) stmt->values,
                                  NULL, NULL, 0);
      ExecStatusType st = PQresultStatus (stmt->res);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        {
          fail_result (stmt->pg->conn, stmt->res, error);
          g_clear_pointer (&stmt->res, PQclear);
          return -1;
        }
      stmt->row = -1;
    }
  stmt->row++;
  if (stmt->row < PQntuples (stmt->res))
    return 1;
  /* Done: forget the result, so the next step executes again (as SQLite's
   * reset-after-done does), keeping the bindings. */
  g_clear_pointer (&stmt->res, PQclear);
  stmt->row = -1;
  return 0;
}

static const char *
pg_text (gpointer s, int c)
{
  PgStmt *stmt = s;
  if (stmt->res == NULL || stmt->row < 0 || PQgetisnull (stmt->res, stmt->row, c))
    return NULL;
  return PQgetvalue (stmt->res, stmt->row, c);
}

static gint64
pgb_int64 (gpointer s, int c)
{
  const char *t = pg_text (s, c);
  if (t == NULL)
    return 0;
  if (strcmp (t, "t") == 0)
    return 1;
  if (strcmp (t, "f") == 0)
    return 0;
  return g_ascii_strtoll (t, NULL, 10);
}

static gboolean
pg_is_null (gpointer s, int c)
{
  PgStmt *stmt = s;
  return stmt->res == NULL || stmt->row < 0 || PQgetisnull (stmt->res, stmt->row, c);
}

static gboolean
pg_alive (gpointer p)
{
  return PQstatus (((PgConn *) p)->conn) == CONNECTION_OK;
}

static gboolean
pg_reconnect (gpointer p)
{
  PgConn *pg = p;
  PQreset (pg->conn);
  return PQstatus (pg->conn) == CONNECTION_OK;
}

const ClearingDbBackend clearing_db_pg_backend = {
  .alive = pg_alive,
  .reconnect = pg_reconnect,
  .open = pg_open,
  .close = pg_close,
  .exec = pg_exec,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .reset = pg_reset,
  .bind_text = pg_bind_text,
  .bind_int64 = pg_bind_int64,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .text = pg_text,
  .int64 = pgb_int64,
  .is_null = pg_is_null,
  .begin_sql = "BEGIN ISOLATION LEVEL SERIALIZABLE",
};
