/* ledger-exemplars.c — what dish recognition has learnt, kept with the menu.
 *
 * The bytes are opaque here (devices/vision makes and checks them); the
 * ledger only bounds their size and number and ties them to a catalogue
 * dish, so a typo in a dish id is refused rather than learnt.
 */
#include "ledger-private.h"

#include "canteen-error.h"
#include "validate.h"

#define EXEMPLAR_MAX_BYTES (1024 * 1024)

void
canteen_exemplar_free (CanteenExemplar *e)
{
  if (e == NULL)
    return;
  g_free (e->dish_id);
  g_free (e->source);
  g_clear_pointer (&e->exemplar, g_bytes_unref);
  g_free (e);
}

static gboolean
dish_exists (CanteenLedger *l, const char *dish_id, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT 1 FROM dishes WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    ledger_set_db_error (l, error, "looking up a dish");
  else
    g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH,
                 "dish: %s is not in the catalogue", dish_id);
  return FALSE;
}

gint64
canteen_ledger_add_exemplar (CanteenLedger *l, const char *dish_id, const char *source,
                             GBytes *exemplar, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = ledger_utc_string (now);
  sqlite3_stmt *stmt;
  gsize len = exemplar != NULL ? g_bytes_get_size (exemplar) : 0;
  gint64 id;

  if (!canteen_check_id (dish_id, "dish", error))
    return 0;
  if (g_strcmp0 (source, "enroll") != 0 && g_strcmp0 (source, "correction") != 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "source: must be enroll or correction");
      return 0;
    }
  if (len == 0 || len > EXEMPLAR_MAX_BYTES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "exemplar: %" G_GSIZE_FORMAT " bytes; 1 to %d are allowed", len, EXEMPLAR_MAX_BYTES);
      return 0;
    }

  if (!ledger_begin (l, error))
    return 0;
  if (!dish_exists (l, dish_id, error))
    goto fail;
  stmt = ledger_stmt (l, "INSERT INTO dish_exemplars (dish_id, source, exemplar, created) VALUES (?1, ?2, ?3, ?4)",
                      error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, source, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (exemplar, NULL), (int) len, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "storing an exemplar", error))
    goto fail;
  id = sqlite3_last_insert_rowid (l->db);

  /* Bounded per dish: corrections come and go, the staff's own enrollment
   * photos stay (they are what the dish was taught with). */
  stmt = ledger_stmt (l,
    "DELETE FROM dish_exemplars WHERE id IN ("
    "  SELECT id FROM dish_exemplars WHERE dish_id = ?1 AND source = 'correction' ORDER BY id"
    "  LIMIT max (0, (SELECT count(*) FROM dish_exemplars WHERE dish_id = ?1) - ?2))", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, CANTEEN_EXEMPLARS_PER_DISH);
  if (!ledger_step_done (l, stmt, "bounding the exemplars of a dish", error))
    goto fail;
  if (!ledger_commit (l, error))
    return 0;
  return id;

fail:
  ledger_rollback (l);
  return 0;
}

GPtrArray *
canteen_ledger_list_exemplars (CanteenLedger *l, GPtrArray *dishes, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_exemplar_free);
  g_autoptr(GHashTable) wanted = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (dishes != NULL)
    {
      wanted = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < dishes->len; i++)
        g_hash_table_add (wanted, ((CanteenDish *) g_ptr_array_index (dishes, i))->id);
    }
  stmt = ledger_stmt (l, "SELECT id, dish_id, source, exemplar FROM dish_exemplars ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *dish = (const char *) sqlite3_column_text (stmt, 1);
      CanteenExemplar *e;

      if (wanted != NULL && !g_hash_table_contains (wanted, dish))
        continue;
      e = g_new0 (CanteenExemplar, 1);
      e->id = sqlite3_column_int64 (stmt, 0);
      e->dish_id = g_strdup (dish);
      e->source = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      e->exemplar = g_bytes_new (sqlite3_column_blob (stmt, 3), (gsize) sqlite3_column_bytes (stmt, 3));
      g_ptr_array_add (out, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "listing exemplars");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gint
canteen_ledger_forget_exemplars (CanteenLedger *l, const char *dish_id, const gint64 *ids, guint n_ids,
                                 GError **error)
{
  sqlite3_stmt *stmt;
  gint removed = 0;

  if (!canteen_check_id (dish_id, "dish", error))
    return -1;
  if (!ledger_begin (l, error))
    return -1;
  if (ids == NULL)
    {
      stmt = ledger_stmt (l, "DELETE FROM dish_exemplars WHERE dish_id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
      if (!ledger_step_done (l, stmt, "forgetting a dish", error))
        goto fail;
      removed = sqlite3_changes (l->db);
    }
  else
    for (guint i = 0; i < n_ids; i++)
      {
        stmt = ledger_stmt (l, "DELETE FROM dish_exemplars WHERE dish_id = ?1 AND id = ?2", error);
        if (stmt == NULL)
          goto fail;
        sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, ids[i]);
        if (!ledger_step_done (l, stmt, "dropping an exemplar", error))
          goto fail;
        removed += sqlite3_changes (l->db);
      }
  if (!ledger_commit (l, error))
    return -1;
  return removed;

fail:
  ledger_rollback (l);
  return -1;
}
