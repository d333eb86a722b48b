/* ledger.c — opening, migrating and configuring the ledger. */
#include "ledger-private.h"

#include <gio/gio.h>

#include "canteen-error.h"
#include "ledger-resources.h"   /* generated: the migrations */
#include "validate.h"

/* 'CANT': marks the file as ours so we never migrate someone else's database. */
#define LEDGER_APPLICATION_ID 0x43414e54

static const char * const migrations[] = {
  "/cn/gov/canteen/ledger/migrations/0001-ledger.sql",
  "/cn/gov/canteen/ledger/migrations/0002-managers.sql",
  "/cn/gov/canteen/ledger/migrations/0003-dish-exemplars.sql",
  "/cn/gov/canteen/ledger/migrations/0004-checkout-frames.sql",
  "/cn/gov/canteen/ledger/migrations/0005-clearing.sql",
  "/cn/gov/canteen/ledger/migrations/0006-waste.sql",
  "/cn/gov/canteen/ledger/migrations/0007-manager-cards.sql",
  "/cn/gov/canteen/ledger/migrations/0008-checkout-trays.sql",
};

G_DEFINE_QUARK (canteen-ledger-error-quark, canteen_ledger_error)

static void load_identity (CanteenLedger *l);

/* Called by SQLite after each commit with the WAL's size in pages. */
static int
on_wal_commit (void *data, sqlite3 *db, const char *name, int pages)
{
  CanteenLedger *l = data;

  l->wal_pages = pages;
  /* Nobody called canteen_ledger_checkpoint() for a long time: bound the
   * WAL anyway, even if this commit's caller waits for it. */
  if (pages >= CANTEEN_LEDGER_WAL_HARD_PAGES &&
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) == SQLITE_OK)
    l->wal_pages = 0;
  return SQLITE_OK;
}

gboolean
canteen_ledger_error_is_decline (const GError *error)
{
  if (error == NULL || error->domain != CANTEEN_LEDGER_ERROR)
    return FALSE;
  switch ((CanteenLedgerError) error->code)
    {
    case CANTEEN_LEDGER_ERROR_UNKNOWN_CARD:
    case CANTEEN_LEDGER_ERROR_UNKNOWN_DISH:
    case CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS:
    case CANTEEN_LEDGER_ERROR_CARD_LOST:
    case CANTEEN_LEDGER_ERROR_CARD_CLOSED:
      return TRUE;
    case CANTEEN_LEDGER_ERROR_DB:
    case CANTEEN_LEDGER_ERROR_NOT_A_LEDGER:
    case CANTEEN_LEDGER_ERROR_TOO_NEW:
    case CANTEEN_LEDGER_ERROR_NOT_INITIALISED:
    case CANTEEN_LEDGER_ERROR_ALREADY_INITIALISED:
    case CANTEEN_LEDGER_ERROR_NOT_FOUND:
    case CANTEEN_LEDGER_ERROR_EXISTS:
    case CANTEEN_LEDGER_ERROR_CONFLICT:
    case CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE:
    case CANTEEN_LEDGER_ERROR_CORRUPT:
    case CANTEEN_LEDGER_ERROR_NOT_AUTHORISED:
    default:
      return FALSE;
    }
}

int
canteen_ledger_latest_schema_version (void)
{
  return (int) G_N_ELEMENTS (migrations);
}

void
ledger_set_db_error (CanteenLedger *l, GError **error, const char *what)
{
  int code = sqlite3_extended_errcode (l->db);
  int primary = code & 0xff;

  g_set_error (error, CANTEEN_LEDGER_ERROR,
               primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT
                 ? CANTEEN_LEDGER_ERROR_NOT_A_LEDGER : CANTEEN_LEDGER_ERROR_DB,
               "%s: %s: %s", l->path, what, sqlite3_errmsg (l->db));
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

sqlite3_stmt *
ledger_stmt (CanteenLedger *l, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (l->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          ledger_set_db_error (l, error, "preparing a statement");
          return NULL;
        }
      g_hash_table_insert (l->statements, (gpointer) sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

gboolean
ledger_step_done (CanteenLedger *l, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
ledger_step_row (CanteenLedger *l, sqlite3_stmt *stmt, const char *what, GError **error,
                 const char *not_found, ...)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    {
      g_autofree char *message = NULL;
      va_list args;

      va_start (args, not_found);
      message = g_strdup_vprintf (not_found, args);
      va_end (args);
      g_set_error_literal (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND, message);
    }
  else
    ledger_set_db_error (l, error, what);
  sqlite3_reset (stmt);
  return FALSE;
}

gboolean
ledger_lookup_text (CanteenLedger *l, const char *sql, const char *key, const char *what, char **out,
                    GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, sql, error);
  int rc;

  *out = NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_clear_pointer (out, g_free);
      ledger_set_db_error (l, error, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
exec (CanteenLedger *l, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
ledger_begin (CanteenLedger *l, GError **error)
{
  g_return_val_if_fail (!l->in_transaction, FALSE);
  /* IMMEDIATE takes the write lock now, so two writers never both read a
   * balance and then both spend it; the busy timeout makes them queue. */
  if (!ledger_step_done (l, l->begin, "starting a transaction", error))
    return FALSE;
  l->in_transaction = TRUE;
  return TRUE;
}

gboolean
ledger_commit (CanteenLedger *l, GError **error)
{
  g_return_val_if_fail (l->in_transaction, FALSE);
  if (!ledger_step_done (l, l->commit, "committing", error))
    {
      ledger_rollback (l);
      return FALSE;
    }
  l->in_transaction = FALSE;
  return TRUE;
}

void
ledger_rollback (CanteenLedger *l)
{
  if (!l->in_transaction)
    return;
  /* Skipped if SQLite already rolled back by itself (e.g. after SQLITE_FULL). */
  if (sqlite3_get_autocommit (l->db) == 0)
    ledger_step_done (l, l->rollback, "rolling back", NULL);
  l->in_transaction = FALSE;
}

static int
pragma_int (CanteenLedger *l, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_prepare_v2 (l->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "reading the file header");
      return -1;
    }
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  else
    ledger_set_db_error (l, error, "reading the file header");
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
run_migration (CanteenLedger *l, int version, GError **error)
{
  g_autoptr(GBytes) sql = NULL;
  g_autofree char *text = NULL;
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version);
  GError *local = NULL;
  int current;

  /* Through the handle, not the global registry: referencing it keeps the
   * resource object in static links. */
  sql = g_resource_lookup_data (canteen_ledger_get_resource (), migrations[version - 1],
                                G_RESOURCE_LOOKUP_FLAGS_NONE, &local);
  if (sql == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                   "migration %d is missing from the program: %s", version, local->message);
      g_error_free (local);
      return FALSE;
    }
  text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));

  if (!ledger_begin (l, error))
    return FALSE;
  /* Another process may have migrated while we waited for the lock. */
  current = pragma_int (l, "PRAGMA user_version", error);
  if (current < 0)
    goto fail;
  if (current >= version)
    return ledger_commit (l, error);
  if (!exec (l, text, "applying a schema migration", error) ||
      !exec (l, set_version, "recording the schema version", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  g_prefix_error (error, "migration %d: ", version);
  return FALSE;
}

static gboolean
check_is_ours (CanteenLedger *l, GError **error)
{
  int app_id = pragma_int (l, "PRAGMA application_id", error);
  int objects;

  if (app_id < 0)
    return FALSE;
  if (app_id == LEDGER_APPLICATION_ID)
    return TRUE;
  objects = pragma_int (l, "SELECT count(*) FROM sqlite_schema", error);
  if (objects < 0)
    return FALSE;
  if (objects > 0 || app_id != 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_A_LEDGER,
                   "%s: an SQLite database, but not a canteen ledger; not touching it", l->path);
      return FALSE;
    }
  return TRUE;
}

/* Identity and time zone are written once by init: read them once. */
static void
load_identity (CanteenLedger *l)
{
  g_autofree char *name = ledger_meta_get (l, "timezone");

  g_free (l->agency);
  g_free (l->canteen);
  g_free (l->terminal);
  l->agency = ledger_meta_get (l, "agency");
  l->canteen = ledger_meta_get (l, "canteen");
  l->terminal = ledger_meta_get (l, "terminal");

  g_clear_pointer (&l->tz, g_time_zone_unref);
  if (name != NULL)
    l->tz = g_time_zone_new_identifier (name);
  if (l->tz == NULL)
    l->tz = g_time_zone_new_utc ();
}

CanteenLedger *
canteen_ledger_open (const char *path, GError **error)
{
  g_autoptr(CanteenLedger) l = g_new0 (CanteenLedger, 1);
  int version;

  g_return_val_if_fail (path != NULL, NULL);

  l->path = g_strdup (path);
  l->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         finalize_statement);
  if (sqlite3_open_v2 (path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                   "%s: cannot open: %s", path, l->db ? sqlite3_errmsg (l->db) : "out of memory");
      return NULL;
    }
  sqlite3_extended_result_codes (l->db, 1);
  sqlite3_busy_timeout (l->db, CANTEEN_LEDGER_BUSY_MS);
  if (sqlite3_prepare_v3 (l->db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &l->begin, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (l->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &l->commit, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (l->db, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &l->rollback, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "preparing transactions");
      return NULL;
    }
  /* Commits never copy the WAL back themselves (below a hard bound): that
   * is canteen_ledger_checkpoint()'s job, run when nobody is waiting. */
  sqlite3_wal_hook (l->db, on_wal_commit, l);

  /* Read-only checks first: a file that is not ours is never written to. */
  if (!check_is_ours (l, error))
    return NULL;
  version = pragma_int (l, "PRAGMA user_version", error);
  if (version < 0)
    return NULL;
  if (version > canteen_ledger_latest_schema_version ())
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_TOO_NEW,
                   "%s: schema version %d is newer than this program's %d; upgrade the program",
                   path, version, canteen_ledger_latest_schema_version ());
      return NULL;
    }

  /* WAL lets the kiosk read while canteenctl writes; synchronous=FULL makes
   * each commit durable (fsync of the WAL) before COMMIT returns. */
  if (!exec (l, "PRAGMA journal_mode = WAL", "switching to WAL", error) ||
      !exec (l, "PRAGMA synchronous = FULL", "setting synchronous", error) ||
      !exec (l, "PRAGMA foreign_keys = ON", "enabling foreign keys", error))
    return NULL;
  if (version == 0)
    {
      g_autofree char *set_id = g_strdup_printf ("PRAGMA application_id = %d", LEDGER_APPLICATION_ID);
      if (!exec (l, set_id, "marking the file", error))
        return NULL;
    }
  for (int v = version + 1; v <= canteen_ledger_latest_schema_version (); v++)
    if (!run_migration (l, v, error))
      return NULL;

  load_identity (l);
  return g_steal_pointer (&l);
}

void
canteen_ledger_close (CanteenLedger *l)
{
  if (l == NULL)
    return;
  ledger_rollback (l);
  /* Whoever closes is done waiting for results: a good moment to copy a
   * grown WAL back (a failure loses nothing; the WAL still holds it all). */
  if (l->db != NULL && l->begin != NULL)
    canteen_ledger_checkpoint (l, NULL, NULL);
  g_clear_pointer (&l->statements, g_hash_table_unref);
  sqlite3_finalize (l->begin);
  sqlite3_finalize (l->commit);
  sqlite3_finalize (l->rollback);
  if (l->db)
    sqlite3_close (l->db);
  g_free (l->agency);
  g_free (l->canteen);
  g_free (l->terminal);
  g_clear_pointer (&l->tz, g_time_zone_unref);
  g_free (l->path);
  g_free (l);
}

int
canteen_ledger_schema_version (CanteenLedger *l)
{
  return pragma_int (l, "PRAGMA user_version", NULL);
}

const char *
ledger_agency (CanteenLedger *l)
{
  if (l->agency == NULL)
    load_identity (l);
  return l->agency;
}

const char *
ledger_canteen (CanteenLedger *l)
{
  if (l->canteen == NULL)
    load_identity (l);
  return l->canteen;
}

const char *
ledger_terminal (CanteenLedger *l)
{
  if (l->terminal == NULL)
    load_identity (l);
  return l->terminal;
}

char *
ledger_meta_get (CanteenLedger *l, const char *key)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT value FROM meta WHERE key = ?1", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

char *
ledger_utc_string (GDateTime *when)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (when);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

GDateTime *
ledger_parse_utc (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return text ? g_date_time_new_from_iso8601 (text, utc) : NULL;
}

char *
ledger_sha256_hex (const char *a, const char *b)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) a, (gssize) strlen (a));
  g_checksum_update (sum, (const guchar *) b, (gssize) strlen (b));
  return g_strdup (g_checksum_get_string (sum));
}

gint
ledger_current_shift (CanteenLedger *l, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT COALESCE (MAX (shift_no), 0) + 1 FROM shift_closes", error);
  gint shift = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    shift = sqlite3_column_int (stmt, 0);
  else
    ledger_set_db_error (l, error, "reading the current shift");
  sqlite3_reset (stmt);
  return shift;
}

/* ---- identity --------------------------------------------------------- */

void
canteen_identity_clear (CanteenIdentity *identity)
{
  g_clear_pointer (&identity->agency, g_free);
  g_clear_pointer (&identity->canteen, g_free);
  g_clear_pointer (&identity->terminal, g_free);
  g_clear_pointer (&identity->timezone, g_free);
}

static gboolean
meta_put (CanteenLedger *l, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "INSERT INTO meta (key, value) VALUES (?1, ?2)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return ledger_step_done (l, stmt, "writing the configuration", error);
}

gboolean
canteen_ledger_init (CanteenLedger *l, const char *agency, const char *canteen,
                     const char *terminal, const char *timezone, GError **error)
{
  g_autofree char *existing = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  CanteenMealConfig meals;

  if (timezone == NULL)
    timezone = "Asia/Shanghai";
  if (!canteen_check_id (agency, "agency", error) ||
      !canteen_check_name (canteen, "canteen", error) ||
      !canteen_check_id (terminal, "terminal", error))
    return FALSE;
  tz = g_time_zone_new_identifier (timezone);
  if (tz == NULL)
    {
      g_autofree char *shown = canteen_text_excerpt (timezone, 40);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "timezone: “%s” is not a known time zone", shown);
      return FALSE;
    }

  if (!ledger_begin (l, error))
    return FALSE;
  existing = ledger_meta_get (l, "agency");
  if (existing != NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_ALREADY_INITIALISED,
                   "%s: already set up for agency %s", l->path, existing);
      goto fail;
    }
  canteen_meal_config_default (&meals);
  if (!meta_put (l, "agency", agency, error) ||
      !meta_put (l, "canteen", canteen, error) ||
      !meta_put (l, "terminal", terminal, error) ||
      !meta_put (l, "timezone", timezone, error))
    goto fail;
  for (int p = 0; p < CANTEEN_MEAL_N_PERIODS; p++)
    {
      sqlite3_stmt *stmt = ledger_stmt (l,
        "INSERT INTO meal_periods (period, start_min, end_min, subsidy_fen) VALUES (?1, ?2, ?3, ?4)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, canteen_meal_period_id ((CanteenMealPeriod) p), -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, meals.times[p].start_min);
      sqlite3_bind_int (stmt, 3, meals.times[p].end_min);
      sqlite3_bind_int64 (stmt, 4, meals.times[p].subsidy_fen);
      if (!ledger_step_done (l, stmt, "writing meal periods", error))
        goto fail;
    }
  if (!ledger_commit (l, error))
    return FALSE;
  load_identity (l);
  return TRUE;

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_get_identity (CanteenLedger *l, CanteenIdentity *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->agency = ledger_meta_get (l, "agency");
  if (out->agency == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      return FALSE;
    }
  out->canteen = ledger_meta_get (l, "canteen");
  out->terminal = ledger_meta_get (l, "terminal");
  out->timezone = ledger_meta_get (l, "timezone");
  return TRUE;
}

GTimeZone *
canteen_ledger_get_timezone (CanteenLedger *l)
{
  return l->tz;
}

gboolean
canteen_ledger_get_meal_config (CanteenLedger *l, CanteenMealConfig *out, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT period, start_min, end_min, subsidy_fen FROM meal_periods", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  canteen_meal_config_default (out);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenMealPeriod p = canteen_meal_period_from_id ((const char *) sqlite3_column_text (stmt, 0));
      if (p == CANTEEN_MEAL_NONE)
        continue;
      out->times[p].start_min = sqlite3_column_int (stmt, 1);
      out->times[p].end_min = sqlite3_column_int (stmt, 2);
      out->times[p].subsidy_fen = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading meal periods");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_ledger_set_meal_times (CanteenLedger *l, CanteenMealPeriod period,
                               const CanteenMealTimes *times, GError **error)
{
  CanteenMealConfig config;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (period >= 0 && period < CANTEEN_MEAL_N_PERIODS, FALSE);
  if (!ledger_begin (l, error))
    return FALSE;
  if (!canteen_ledger_get_meal_config (l, &config, error))
    goto fail;
  config.times[period] = *times;
  if (!canteen_meal_config_validate (&config, error))
    goto fail;
  stmt = ledger_stmt (l, "INSERT OR REPLACE INTO meal_periods (period, start_min, end_min, subsidy_fen) "
                         "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, canteen_meal_period_id (period), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, times->start_min);
  sqlite3_bind_int (stmt, 3, times->end_min);
  sqlite3_bind_int64 (stmt, 4, times->subsidy_fen);
  if (!ledger_step_done (l, stmt, "writing meal periods", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_checkpoint (CanteenLedger *l, gboolean *out_done, GError **error)
{
  if (out_done)
    *out_done = FALSE;
  if (l->wal_pages < CANTEEN_LEDGER_WAL_SOFT_PAGES)
    return TRUE;
  /* PASSIVE: never waits for readers or writers; what it cannot copy now
   * is copied next time. */
  if (sqlite3_wal_checkpoint_v2 (l->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "checkpointing the WAL");
      return FALSE;
    }
  l->wal_pages = 0;
  if (out_done)
    *out_done = TRUE;
  return TRUE;
}
