/* clearing-db.c — the backend-neutral half of the storage layer: URI
 * dispatch, the per-connection statement cache, transactions with retry,
 * and the migrations compiled in from migrations/ (see clearing-db.h). */
#include "clearing-db.h"

#include <gio/gio.h>
#include <string.h>

#include "clearing-resources.h"   /* generated: the migrations */

G_DEFINE_QUARK (clearing-db-error-quark, clearing_db_error)

struct _ClearingStmt {
  ClearingDb *db;
  gpointer impl;
};

struct _ClearingDb {
  ClearingDbKind kind;
  const ClearingDbBackend *backend;
  gpointer conn;
  char *sqlite_path;
  GHashTable *stmts;   /* sql text -> ClearingStmt* */
};

#define RESOURCE_DIR "/cn/gov/canteen/clearing/migrations"

static void
stmt_free (gpointer p)
{
  ClearingStmt *stmt = p;
  stmt->db->backend->finalize (stmt->impl);
  g_free (stmt);
}

gboolean
clearing_db_uri_valid (const char *uri, GError **error)
{
  if (uri != NULL && g_str_has_prefix (uri, "sqlite:") && uri[7] != '\0')
    return TRUE;
  if (uri != NULL && (g_str_has_prefix (uri, "postgresql://") || g_str_has_prefix (uri, "postgres://")))
    return TRUE;
  g_set_error (error, CLEARING_DB_ERROR, CLEARING_DB_ERROR_URI,
               "database URI \"%s\": expected sqlite:PATH or postgresql://…", uri ? uri : "");
  return FALSE;
}

ClearingDbKind
clearing_db_kind (ClearingDb *db)
{
  return db->kind;
}

const char *
clearing_db_sqlite_path (ClearingDb *db)
{
  return db->sqlite_path;
}

gboolean
clearing_db_ensure (ClearingDb *db)
{
  if (db->backend->alive == NULL || db->backend->alive (db->conn))
    return TRUE;
  g_hash_table_remove_all (db->stmts);
  return db->backend->reconnect (db->conn);
}

gboolean
clearing_db_exec (ClearingDb *db, const char *sql, GError **error)
{
  return db->backend->exec (db->conn, sql, error);
}

ClearingStmt *
clearing_db_prepare (ClearingDb *db, const char *sql, GError **error)
{
  ClearingStmt *stmt = g_hash_table_lookup (db->stmts, sql);
  if (stmt != NULL)
    {
      db->backend->reset (stmt->impl);
      return stmt;
    }
  gpointer impl = db->backend->prepare (db->conn, sql, error);
  if (impl == NULL)
    return NULL;
  stmt = g_new0 (ClearingStmt, 1);
  stmt->db = db;
  stmt->impl = impl;
  g_hash_table_insert (db->stmts, g_strdup (sql), stmt);
  return stmt;
}

void clearing_stmt_bind_text (ClearingStmt *s, int i, const char *v)
{
  if (v == NULL)
    s->db->backend->bind_null (s->impl, i);
  else
    s->db->backend->bind_text (s->impl, i, v);
}
void clearing_stmt_bind_int64 (ClearingStmt *s, int i, gint64 v) { s->db->backend->bind_int64 (s->impl, i, v); }
void clearing_stmt_bind_null (ClearingStmt *s, int i) { s->db->backend->bind_null (s->impl, i); }
int clearing_stmt_step (ClearingStmt *s, GError **error) { return s->db->backend->step (s->impl, error); }
const char *clearing_stmt_text (ClearingStmt *s, int c) { return s->db->backend->text (s->impl, c); }
gint64 clearing_stmt_int64 (ClearingStmt *s, int c) { return s->db->backend->int64 (s->impl, c); }
gboolean clearing_stmt_is_null (ClearingStmt *s, int c) { return s->db->backend->is_null (s->impl, c); }

gboolean
clearing_stmt_run (ClearingStmt *stmt, GError **error)
{
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    ;
  stmt->db->backend->reset (stmt->impl);
  return rc == 0;
}

gboolean
clearing_db_begin (ClearingDb *db, GError **error)
{
  return clearing_db_exec (db, db->backend->begin_sql, error);
}

gboolean
clearing_db_commit (ClearingDb *db, GError **error)
{
  return clearing_db_exec (db, "COMMIT", error);
}

void
clearing_db_rollback (ClearingDb *db)
{
  clearing_db_exec (db, "ROLLBACK", NULL);
}

gboolean
clearing_db_transact (ClearingDb *db, ClearingDbTxFunc func, gpointer data, GError **error)
{
  for (int attempt = 0;; attempt++)
    {
      GError *local = NULL;
      if (clearing_db_begin (db, &local) && func (db, data, &local) && clearing_db_commit (db, &local))
        return TRUE;
      clearing_db_rollback (db);
      gboolean again = local != NULL && local->domain == CLEARING_DB_ERROR
                       && (local->code == CLEARING_DB_ERROR_RETRY || local->code == CLEARING_DB_ERROR_BUSY);
      if (db->backend->alive != NULL && !db->backend->alive (db->conn))
        {
          /* The server went away (restart, failover): reconnect once per
           * attempt; the statements are prepared again on first use. */
          g_hash_table_remove_all (db->stmts);
          again = db->backend->reconnect (db->conn) && attempt < 3;
        }
      if (!again || attempt >= 20)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_error_free (local);
      /* Back off a little, growing, so two conflicting writers separate. */
      g_usleep ((gulong) (1000 * (attempt + 1) + g_random_int_range (0, 1000)));
    }
}

/* ---- migrations ---------------------------------------------------------- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef struct {
  int version;
  const char *sql;
} MigrationStep;

static gboolean
migration_apply (ClearingDb *db, gpointer data, GError **error)
{
  MigrationStep *step = data;
  ClearingStmt *stmt;
  if (!clearing_db_exec (db, step->sql, error))
    return FALSE;
  stmt = clearing_db_prepare (db, "INSERT INTO schema_version (version) VALUES ($1)", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, step->version);
  return clearing_stmt_run (stmt, error);
}

static gboolean
migrate (ClearingDb *db, GError **error)
{
  g_auto (GStrv) names = NULL;
  gint64 current = 0;
  ClearingStmt *stmt;
  int rc;

  if (!clearing_db_exec (db, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY)", error))
    return FALSE;
  stmt = clearing_db_prepare (db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", error);
  if (stmt == NULL)
    return FALSE;
  rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  current = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);

  names = g_resource_enumerate_children (clearing_get_resource (), RESOURCE_DIR, 0, error);
  if (names == NULL)
    return FALSE;
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  for (char **n = names; *n != NULL; n++)
    {
      int version = atoi (*n);
      gboolean only_sqlite = g_str_has_suffix (*n, ".sqlite.sql");
      gboolean only_pg = g_str_has_suffix (*n, ".pg.sql");
      if (version <= current)
        continue;
      if ((only_sqlite && db->kind != CLEARING_DB_SQLITE) || (only_pg && db->kind != CLEARING_DB_PG))
        continue;
      g_autofree char *path = g_strconcat (RESOURCE_DIR "/", *n, NULL);
      g_autoptr (GBytes) sql = g_resource_lookup_data (clearing_get_resource (), path, 0, error);
      if (sql == NULL)
        return FALSE;
      MigrationStep step = { version, g_bytes_get_data (sql, NULL) };
      /* Several files may share a number (common + dialect): the version
       * row is written by the last one of that number. */
      gboolean last_of_number = n[1] == NULL || atoi (n[1]) != version
                                || (g_str_has_suffix (n[1], ".sqlite.sql") && db->kind != CLEARING_DB_SQLITE)
                                || (g_str_has_suffix (n[1], ".pg.sql") && db->kind != CLEARING_DB_PG);
      g_autoptr (GError) local = NULL;
      gboolean ok;
      if (last_of_number)
        ok = clearing_db_transact (db, migration_apply, &step, &local);
      else
        {
          ok = clearing_db_begin (db, &local) && clearing_db_exec (db, step.sql, &local)
               && clearing_db_commit (db, &local);
          if (!ok)
            clearing_db_rollback (db);
        }
      if (!ok)
        {
          g_set_error (error, CLEARING_DB_ERROR, CLEARING_DB_ERROR_FAILED, "migration %s: %s", *n,
                       local->message);
          return FALSE;
        }
    }
  return TRUE;
}

ClearingDb *
clearing_db_open (const char *uri, GError **error)
{
  g_autoptr (ClearingDb) db = NULL;
  const char *target;

  if (!clearing_db_uri_valid (uri, error))
    return NULL;
  db = g_new0 (ClearingDb, 1);
  db->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stmt_free);
  if (g_str_has_prefix (uri, "sqlite:"))
    {
      db->kind = CLEARING_DB_SQLITE;
      db->backend = &clearing_db_sqlite_backend;
      db->sqlite_path = g_strdup (uri + 7);
      target = db->sqlite_path;
    }
  else
    {
      db->kind = CLEARING_DB_PG;
      db->backend = &clearing_db_pg_backend;
      target = uri;
    }
  db->conn = db->backend->open (target, error);
  if (db->conn == NULL)
    return NULL;
  if (!migrate (db, error))
    return NULL;
  return g_steal_pointer (&db);
}

void
clearing_db_close (ClearingDb *db)
{
  if (db == NULL)
    return;
  g_hash_table_destroy (db->stmts);   /* statements before their connection */
  if (db->conn != NULL)
    db->backend->close (db->conn);
  g_free (db->sqlite_path);
  g_free (db);
}
