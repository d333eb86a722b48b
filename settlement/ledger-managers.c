/* ledger-managers.c — managers, the PINs that authorise corrections, and
 * the cards that sign them in to the dashboard. */
#include "ledger-private.h"

#include <sodium.h>

#include "canteen-error.h"
#include "validate.h"

static gboolean
check_pin (const char *pin, GError **error)
{
  gsize len = pin ? strlen (pin) : 0;

  if (len < CANTEEN_PIN_MIN_DIGITS || len > CANTEEN_PIN_MAX_DIGITS)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "pin: %d to %d digits are required", CANTEEN_PIN_MIN_DIGITS, CANTEEN_PIN_MAX_DIGITS);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                     "pin: only digits are allowed");
        return FALSE;
      }
  return TRUE;
}

static gboolean
sodium_ready (GError **error)
{
  /* Safe to call from any thread, any number of times. */
  if (sodium_init () < 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB, "libsodium could not start");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_ledger_add_manager (CanteenLedger *l, const char *id, const char *name,
                            const char *pin, GError **error)
{
  char hash[crypto_pwhash_STRBYTES];
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  if (!canteen_check_id (id, "id", error) || !canteen_check_name (name, "name", error) ||
      !check_pin (pin, error) || !sodium_ready (error))
    return FALSE;
  /* INTERACTIVE limits: about 0.1 s and 64 MiB per check, so guessing a
   * short PIN from a stolen file is slow, and a kiosk check stays quick. */
  if (crypto_pwhash_str (hash, pin, strlen (pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB, "pin: out of memory while hashing");
      return FALSE;
    }

  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "INSERT INTO managers (id, name, pin_hash) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "adding a manager");
      goto fail;
    }
  if (sqlite3_changes (l->db) == 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS, "id: manager %s already exists", id);
      goto fail;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "manager");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
  if (ledger_journal_append (l, "manager", NULL, id, 0, 0, FALSE, json_builder_get_root (b), now, error) < 0)
    goto fail;
  sodium_memzero (hash, sizeof hash);
  return ledger_commit (l, error);

fail:
  sodium_memzero (hash, sizeof hash);
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_check_manager (CanteenLedger *l, const char *id, const char *pin,
                              char **out_name, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;
  gboolean ok;

  if (out_name)
    *out_name = NULL;
  if (!sodium_ready (error))
    return FALSE;
  stmt = ledger_stmt (l, "SELECT name, pin_hash FROM managers WHERE id = ?1 AND active = 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id ? id : "", -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);

  ok = hash != NULL && pin != NULL &&
       crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
  if (!ok)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED,
                   "manager: unknown manager or wrong PIN");
      return FALSE;
    }
  if (out_name)
    *out_name = g_steal_pointer (&name);
  return TRUE;
}

/* The manager row's card inside the caller's transaction: *found FALSE
 * when there is no such manager. */
static gboolean
load_manager_card (CanteenLedger *l, const char *id, char **out_card, gboolean *found, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT card FROM managers WHERE id = ?1", error);
  int rc;

  *out_card = NULL;
  *found = FALSE;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      *out_card = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading a manager");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_ledger_set_manager_card (CanteenLedger *l, const char *id, const char *card_in, GError **error)
{
  g_autofree char *card = NULL;
  g_autofree char *current = NULL;
  g_autofree char *holder = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *stmt;
  gboolean found;

  if (!canteen_check_id (id, "manager", error))
    return FALSE;
  /* The very check account cards go through: one spelling per card. */
  if (card_in != NULL && (card = canteen_card_normalize (card_in, error)) == NULL)
    return FALSE;

  if (!ledger_begin (l, error))
    return FALSE;
  if (!load_manager_card (l, id, &current, &found, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND, "manager: %s is not a manager", id);
      goto fail;
    }
  if (g_strcmp0 (current, card) == 0)
    {
      /* Already so: nothing to write, nothing to journal. */
      ledger_rollback (l);
      return TRUE;
    }
  if (card != NULL)
    {
      if (!ledger_lookup_text (l, "SELECT id FROM managers WHERE card = ?1", card, "reading managers' cards",
                               &holder, error))
        goto fail;
      if (holder != NULL)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS,
                       "card: %s is already manager %s's card", card, holder);
          goto fail;
        }
    }
  stmt = ledger_stmt (l, "UPDATE managers SET card = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (card != NULL)
    sqlite3_bind_text (stmt, 2, card, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 2);
  if (!ledger_step_done (l, stmt, "setting a manager's card", error))
    goto fail;
  /* The card goes in the detail, not the journal's card column: that one
   * is for diners' accounts, whose balances the journal replays. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "manager");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "card");
  if (card != NULL)
    json_builder_add_string_value (b, card);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "previous");
  if (current != NULL)
    json_builder_add_string_value (b, current);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  if (ledger_journal_append (l, "manager-card", NULL, id, 0, 0, FALSE, json_builder_get_root (b), now, error) < 0)
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_find_manager_by_card (CanteenLedger *l, const char *card_in, char **out_id, char **out_name,
                                     GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (out_id)
    *out_id = NULL;
  if (out_name)
    *out_name = NULL;
  if (card == NULL)
    return FALSE;
  stmt = ledger_stmt (l, "SELECT id, name FROM managers WHERE card = ?1 AND active = 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "looking up a manager's card");
      return FALSE;
    }
  if (id == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED,
                   "card: %s is not an active manager's card", card);
      return FALSE;
    }
  if (out_id)
    *out_id = g_steal_pointer (&id);
  if (out_name)
    *out_name = g_steal_pointer (&name);
  return TRUE;
}

void
canteen_manager_free (CanteenManager *m)
{
  if (m == NULL)
    return;
  g_free (m->id);
  g_free (m->name);
  g_free (m->card);
  g_free (m);
}

GPtrArray *
canteen_ledger_list_managers (CanteenLedger *l, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_manager_free);
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT id, name, card, active FROM managers ORDER BY id", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenManager *m = g_new0 (CanteenManager, 1);

      m->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      m->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->card = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      m->active = sqlite3_column_int (stmt, 3) != 0;
      g_ptr_array_add (out, m);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "listing managers");
      return NULL;
    }
  return g_steal_pointer (&out);
}
