/* clearing-db-sqlite.c — the SQLite backend of clearing-db.h: WAL,
 * synchronous=FULL (a stored batch is a promise to the terminal), foreign
 * keys on, a busy timeout so a second process (the CLI next to `serve`)
 * waits instead of failing. */
#include "clearing-db.h"

#include <sqlite3.h>
#include <stdlib.h>

static gboolean
fail (sqlite3 *conn, int rc, GError **error)
{
  int code = CLEARING_DB_ERROR_FAILED;
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    code = CLEARING_DB_ERROR_BUSY;
  else if (primary == SQLITE_CONSTRAINT)
    code = CLEARING_DB_ERROR_CONSTRAINT;
  g_set_error (error, CLEARING_DB_ERROR, code, "sqlite: %s", conn ? sqlite3_errmsg (conn) : sqlite3_errstr (rc));
  return FALSE;
}

static gpointer
sq_open (const char *path, GError **error)
{
  sqlite3 *conn = NULL;
  int rc = sqlite3_open_v2 (path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CLEARING_DB_ERROR, CLEARING_DB_ERROR_FAILED, "sqlite: cannot open %s: %s", path,
                   conn ? sqlite3_errmsg (conn) : sqlite3_errstr (rc));
      sqlite3_close (conn);
      return NULL;
    }
  sqlite3_busy_timeout (conn, 10000);
  char *msg = NULL;
  rc = sqlite3_exec (conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL,
                     NULL, &msg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CLEARING_DB_ERROR, CLEARING_DB_ERROR_FAILED, "sqlite: %s: %s", path, msg);
      sqlite3_free (msg);
      sqlite3_close (conn);
      return NULL;
    }
  return conn;
}

static void
sq_close (gpointer conn)
{
  sqlite3_close (conn);
}

static gboolean
sq_exec (gpointer conn, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (conn, sql, NULL, NULL, &msg);
  if (rc == SQLITE_OK)
    return TRUE;
  sqlite3_free (msg);
  return fail (conn, rc, error);
}

/* SQLite numbers "$N" parameters in order of first appearance, not by N:
 * map N to SQLite's index once at prepare, so "$2 … $1" binds as
 * PostgreSQL does. */
typedef struct {
  sqlite3_stmt *stmt;
  int nmap;
  int *map;            /* N (1-based) -> SQLite's index, 0 when absent */
} SqStmt;

static gpointer
sq_prepare (gpointer conn, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      fail (conn, rc, error);
      g_prefix_error (error, "%s: ", sql);
      return NULL;
    }
  SqStmt *s = g_new0 (SqStmt, 1);
  s->stmt = stmt;
  int count = sqlite3_bind_parameter_count (stmt);
  s->nmap = count;
  s->map = g_new0 (int, count + 1);
  for (int i = 1; i <= count; i++)
    {
      const char *name = sqlite3_bind_parameter_name (stmt, i);
      int n = name != NULL && name[0] == '$' ? atoi (name + 1) : 0;
      if (n >= 1 && n <= count)
        s->map[n] = i;
    }
  return s;
}

static void
sq_finalize (gpointer p)
{
  SqStmt *s = p;
  sqlite3_finalize (s->stmt);
  g_free (s->map);
  g_free (s);
}

static void
sq_reset (gpointer p)
{
  SqStmt *s = p;
  sqlite3_reset (s->stmt);
  sqlite3_clear_bindings (s->stmt);
}

static int
param_index (SqStmt *s, int i)
{
  return i >= 1 && i <= s->nmap ? s->map[i] : 0;
}

static void
sq_bind_text (gpointer p, int i, const char *v)
{
  SqStmt *s = p;
  sqlite3_bind_text (s->stmt, param_index (s, i), v, -1, SQLITE_TRANSIENT);
}

static void
sq_bind_int64 (gpointer p, int i, gint64 v)
{
  SqStmt *s = p;
  sqlite3_bind_int64 (s->stmt, param_index (s, i), v);
}

static void
sq_bind_null (gpointer p, int i)
{
  SqStmt *s = p;
  sqlite3_bind_null (s->stmt, param_index (s, i));
}

static int
sq_step (gpointer p, GError **error)
{
  SqStmt *s = p;
  int rc = sqlite3_step (s->stmt);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (s->stmt);
      return 0;
    }
  sqlite3 *conn = sqlite3_db_handle (s->stmt);
  fail (conn, sqlite3_reset (s->stmt), error);
  return -1;
}

static const char *sq_text (gpointer p, int c) { return (const char *) sqlite3_column_text (((SqStmt *) p)->stmt, c); }
static gint64 sq_int64 (gpointer p, int c) { return sqlite3_column_int64 (((SqStmt *) p)->stmt, c); }
static gboolean sq_is_null (gpointer p, int c) { return sqlite3_column_type (((SqStmt *) p)->stmt, c) == SQLITE_NULL; }

const ClearingDbBackend clearing_db_sqlite_backend = {
  .open = sq_open,
  .close = sq_close,
  .exec = sq_exec,
  .prepare = sq_prepare,
  .finalize = sq_finalize,
  .reset = sq_reset,
  .bind_text = sq_bind_text,
  .bind_int64 = sq_bind_int64,
  .bind_null = sq_bind_null,
  .step = sq_step,
  .text = sq_text,
  .int64 = sq_int64,
  .is_null = sq_is_null,
  /* IMMEDIATE: take the write lock at once, so two writers queue on the
   * busy timeout instead of failing at their first write. */
  .begin_sql = "BEGIN IMMEDIATE",
};
