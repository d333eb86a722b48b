/* clearing-db.h — the clearing service's tiny storage layer: one API over
 * SQLite and PostgreSQL, chosen by URI ("sqlite:PATH" or "postgresql://…").
 *
 * Contract
 *  - SQL is written once, with $1, $2, … placeholders (PostgreSQL reads them
 *    as positions; SQLite as names, which the SQLite backend binds by name,
 *    so their order in the text does not matter) and types both accept
 *    (BIGINT, TEXT, INTEGER 0/1; CAST a parameter whose type PostgreSQL
 *    cannot infer).
 *  - Statements are prepared once per connection and cached by their text;
 *    every statement with input is a prepared statement with bound values.
 *  - A connection is used by one thread at a time (the HTTP server pools
 *    them). clearing_db_transact() runs a function in one transaction
 *    (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE) and re-runs it when
 *    the backend reports a serialization failure or deadlock, or after
 *    reconnecting a lost PostgreSQL connection (a server restart).
 *  - Migrations (migrations/NNNN-*.sql, compiled in) run at open, each in one
 *    transaction, tracked in schema_version. A file named *.sqlite.sql or
 *    *.pg.sql applies to that backend only (triggers differ in dialect).
 *  - Errors: CLEARING_DB_ERROR; RETRY for serialization failures, BUSY for a
 *    locked database, CONSTRAINT for a constraint or trigger refusal.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLEARING_DB_ERROR (clearing_db_error_quark ())
typedef enum {
  CLEARING_DB_ERROR_FAILED,
  CLEARING_DB_ERROR_URI,
  CLEARING_DB_ERROR_RETRY,
  CLEARING_DB_ERROR_BUSY,
  CLEARING_DB_ERROR_CONSTRAINT,
} ClearingDbError;
GQuark clearing_db_error_quark (void);

typedef struct _ClearingDb ClearingDb;
typedef struct _ClearingStmt ClearingStmt;

typedef enum {
  CLEARING_DB_SQLITE,
  CLEARING_DB_PG,
} ClearingDbKind;

/* Opens and migrates. */
ClearingDb    *clearing_db_open (const char *uri, GError **error);
void           clearing_db_close (ClearingDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClearingDb, clearing_db_close)
ClearingDbKind clearing_db_kind (ClearingDb *db);
/* For sqlite: the file path; NULL for PostgreSQL. */
const char    *clearing_db_sqlite_path (ClearingDb *db);
/* Whether `uri` names a backend this build knows (syntax only). */
gboolean       clearing_db_uri_valid (const char *uri, GError **error);

/* Reconnects a connection the backend reported lost (TRUE when usable). */
gboolean       clearing_db_ensure (ClearingDb *db);

/* Runs SQL without parameters (may hold several statements). */
gboolean clearing_db_exec (ClearingDb *db, const char *sql, GError **error);

/* The prepared statement for `sql` (cached; owned by the connection), reset
 * and with its bindings cleared. */
ClearingStmt *clearing_db_prepare (ClearingDb *db, const char *sql, GError **error);
void clearing_stmt_bind_text  (ClearingStmt *stmt, int index, const char *value);   /* NULL binds NULL */
void clearing_stmt_bind_int64 (ClearingStmt *stmt, int index, gint64 value);
void clearing_stmt_bind_null  (ClearingStmt *stmt, int index);
/* 1: a row is ready; 0: done; -1: error (set). The first step executes. */
int  clearing_stmt_step (ClearingStmt *stmt, GError **error);
const char *clearing_stmt_text  (ClearingStmt *stmt, int column); /* NULL for NULL; valid until the next step */
gint64      clearing_stmt_int64 (ClearingStmt *stmt, int column);
gboolean    clearing_stmt_is_null (ClearingStmt *stmt, int column);
/* Executes a statement that returns no rows (or ignores them). */
gboolean    clearing_stmt_run (ClearingStmt *stmt, GError **error);

gboolean clearing_db_begin (ClearingDb *db, GError **error);
gboolean clearing_db_commit (ClearingDb *db, GError **error);
void     clearing_db_rollback (ClearingDb *db);

typedef gboolean (*ClearingDbTxFunc) (ClearingDb *db, gpointer data, GError **error);
/* Runs `func` in a transaction; commits when it returns TRUE, rolls back
 * otherwise; retries (a few times) on RETRY and BUSY. */
gboolean clearing_db_transact (ClearingDb *db, ClearingDbTxFunc func, gpointer data, GError **error);

/* ---- the backends' table (clearing-db-sqlite.c, clearing-db-pg.c) ---- */
typedef struct {
  gpointer (*open) (const char *target, GError **error);
  void     (*close) (gpointer conn);
  gboolean (*exec) (gpointer conn, const char *sql, GError **error);
  gpointer (*prepare) (gpointer conn, const char *sql, GError **error);
  void     (*finalize) (gpointer stmt);
  void     (*reset) (gpointer stmt);
  void     (*bind_text) (gpointer stmt, int index, const char *value);
  void     (*bind_int64) (gpointer stmt, int index, gint64 value);
  void     (*bind_null) (gpointer stmt, int index);
  int      (*step) (gpointer stmt, GError **error);
  const char *(*text) (gpointer stmt, int column);
  gint64   (*int64) (gpointer stmt, int column);
  gboolean (*is_null) (gpointer stmt, int column);
  /* Whether the connection still works; and reconnecting it (NULL: never
   * lost, as an SQLite file). Prepared statements do not survive it. */
  gboolean (*alive) (gpointer conn);
  gboolean (*reconnect) (gpointer conn);
  const char *begin_sql;
} ClearingDbBackend;

extern const ClearingDbBackend clearing_db_sqlite_backend;
extern const ClearingDbBackend clearing_db_pg_backend;

G_END_DECLS
