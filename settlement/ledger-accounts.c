/* ledger-accounts.c — prepaid card accounts: open, top up, lose, close. */
#include "ledger-private.h"

#include "canteen-error.h"
#include "money.h"
#include "validate.h"

static const char * const status_ids[] = { "active", "lost", "closed" };

const char *
canteen_account_status_id (CanteenAccountStatus status)
{
  return (guint) status < G_N_ELEMENTS (status_ids) ? status_ids[status] : "active";
}

gboolean
canteen_account_status_parse (const char *id, CanteenAccountStatus *out, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_ids); i++)
    if (g_strcmp0 (id, status_ids[i]) == 0)
      {
        *out = (CanteenAccountStatus) i;
        return TRUE;
      }
  g_autofree char *shown = canteen_text_excerpt (id, 20);

  g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
               "status: “%s” is not active, lost or closed", shown);
  return FALSE;
}

void
canteen_account_clear (CanteenAccount *account)
{
  g_clear_pointer (&account->card, g_free);
  g_clear_pointer (&account->holder, g_free);
  g_clear_pointer (&account->agency, g_free);
}

void
canteen_account_free (CanteenAccount *account)
{
  if (account == NULL)
    return;
  canteen_account_clear (account);
  g_free (account);
}

static void
account_from_row (sqlite3_stmt *stmt, CanteenAccount *out)
{
  CanteenAccountStatus status = CANTEEN_ACCOUNT_ACTIVE;

  out->card = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  out->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  out->agency = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  out->balance_fen = sqlite3_column_int64 (stmt, 3);
  out->credit_limit_fen = sqlite3_column_int64 (stmt, 4);
  canteen_account_status_parse ((const char *) sqlite3_column_text (stmt, 5), &status, NULL);
  out->status = status;
}

gboolean
ledger_load_account (CanteenLedger *l, const char *card, CanteenAccount *out,
                     gboolean *found, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT card, holder, agency, balance_fen, credit_limit_fen, status "
                                       "FROM accounts WHERE card = ?1", error);
  int rc;

  memset (out, 0, sizeof *out);
  *found = FALSE;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      account_from_row (stmt, out);
      *found = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading an account");
      return FALSE;
    }
  return TRUE;
}

gboolean
ledger_store_balance (CanteenLedger *l, const char *card, gint64 balance_fen, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "UPDATE accounts SET balance_fen = ?2 WHERE card = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, balance_fen);
  return ledger_step_done (l, stmt, "updating a balance", error);
}

static JsonNode *
detail_object (const char *key, const char *value, const char *key2, const char *value2)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
  if (key2)
    {
      json_builder_set_member_name (b, key2);
      json_builder_add_string_value (b, value2);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
canteen_ledger_add_account (CanteenLedger *l, const char *card_in, const char *holder,
                            const char *agency, gint64 opening_balance_fen,
                            gint64 credit_limit_fen, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenAccount existing;
  gboolean found;
  sqlite3_stmt *stmt;

  if (card == NULL || !canteen_check_name (holder, "name", error) || !canteen_check_id (agency, "agency", error))
    return FALSE;
  if (opening_balance_fen < 0 || opening_balance_fen > CANTEEN_FEN_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "balance: must be between 0 and %" G_GINT64_FORMAT " fen", CANTEEN_FEN_MAX);
      return FALSE;
    }
  if (credit_limit_fen < 0 || credit_limit_fen > CANTEEN_FEN_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "credit-limit: must be between 0 and %" G_GINT64_FORMAT " fen", CANTEEN_FEN_MAX);
      return FALSE;
    }

  if (!ledger_begin (l, error))
    return FALSE;
  if (!ledger_load_account (l, card, &existing, &found, error))
    goto fail;
  if (found)
    {
      canteen_account_clear (&existing);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS,
                   "card: %s is already registered", card);
      goto fail;
    }
  stmt = ledger_stmt (l, "INSERT INTO accounts (card, holder, agency, balance_fen, credit_limit_fen, status) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, 'active')", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, holder, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, agency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, opening_balance_fen);
  sqlite3_bind_int64 (stmt, 5, credit_limit_fen);
  if (!ledger_step_done (l, stmt, "adding an account", error))
    goto fail;
  if (ledger_journal_append (l, "open", card, NULL, opening_balance_fen, opening_balance_fen, TRUE,
                             detail_object ("holder", holder, "agency", agency), now, error) < 0)
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_get_account (CanteenLedger *l, const char *card_in, CanteenAccount *out, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  gboolean found;

  memset (out, 0, sizeof *out);
  if (card == NULL || !ledger_load_account (l, card, out, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   "card: %s is not registered", card);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
canteen_ledger_list_accounts (CanteenLedger *l, const char *agency, GError **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_account_free);
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT card, holder, agency, balance_fen, credit_limit_fen, status "
                                       "FROM accounts WHERE ?1 IS NULL OR agency = ?1 ORDER BY card", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, agency, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CanteenAccount *a = g_new0 (CanteenAccount, 1);
      account_from_row (stmt, a);
      g_ptr_array_add (accounts, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "listing accounts");
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

gboolean
canteen_ledger_topup (CanteenLedger *l, const char *card_in, gint64 amount_fen,
                      const char *topup_id, CanteenAccount *out, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = ledger_utc_string (now);
  CanteenAccount account;
  gboolean found;
  sqlite3_stmt *stmt;
  gint64 seq;
  int rc;

  if (out)
    memset (out, 0, sizeof *out);
  if (card == NULL)
    return FALSE;
  if (amount_fen <= 0 || amount_fen > CANTEEN_FEN_MAX)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "amount: a top-up must be between 1 and %" G_GINT64_FORMAT " fen", CANTEEN_FEN_MAX);
      return FALSE;
    }
  if (topup_id && !canteen_check_key (topup_id, "id", error))
    return FALSE;
  id = topup_id ? g_strdup (topup_id) : g_uuid_string_random ();

  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "SELECT card, amount_fen FROM topups WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), card) == 0 &&
                      sqlite3_column_int64 (stmt, 1) == amount_fen;
      sqlite3_reset (stmt);
      if (!same)
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "id: top-up %s was already used for a different card or amount", id);
          goto fail;
        }
      /* A retry of a top-up that went through: report, change nothing. */
      ledger_rollback (l);
      return out == NULL || canteen_ledger_get_account (l, card, out, error);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading top-ups");
      goto fail;
    }

  if (!ledger_load_account (l, card, &account, &found, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND, "card: %s is not registered", card);
      goto fail;
    }
  if (account.status == CANTEEN_ACCOUNT_CLOSED)
    {
      canteen_account_clear (&account);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CARD_CLOSED,
                   "card: %s is closed; no top-ups", card);
      goto fail;
    }
  if (account.balance_fen > CANTEEN_FEN_MAX - amount_fen)
    {
      canteen_account_clear (&account);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "amount: the balance would exceed %" G_GINT64_FORMAT " fen", CANTEEN_FEN_MAX);
      goto fail;
    }
  account.balance_fen += amount_fen;
  seq = ledger_journal_append (l, "topup", card, id, amount_fen, account.balance_fen, TRUE, NULL, now, error);
  if (seq < 0 || !ledger_store_balance (l, card, account.balance_fen, error))
    {
      canteen_account_clear (&account);
      goto fail;
    }
  stmt = ledger_stmt (l, "INSERT INTO topups (id, card, amount_fen, created_utc, shift_no, journal_seq) "
                         "VALUES (?1, ?2, ?3, ?4, (SELECT shift_no FROM journal WHERE seq = ?5), ?5)", error);
  if (stmt == NULL)
    {
      canteen_account_clear (&account);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, card, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, amount_fen);
  sqlite3_bind_text (stmt, 4, created, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, seq);
  if (!ledger_step_done (l, stmt, "recording a top-up", error) || !ledger_commit (l, error))
    {
      canteen_account_clear (&account);
      goto fail;
    }
  if (out)
    *out = account;
  else
    canteen_account_clear (&account);
  return TRUE;

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_ledger_set_account_status (CanteenLedger *l, const char *card_in,
                                   CanteenAccountStatus status, const char *by, GError **error)
{
  g_autofree char *card = canteen_card_normalize (card_in, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenAccount account;
  gboolean found;
  sqlite3_stmt *stmt;

  if (card == NULL || !canteen_check_name (by, "by", error))
    return FALSE;
  if (!ledger_begin (l, error))
    return FALSE;
  if (!ledger_load_account (l, card, &account, &found, error))
    goto fail;
  if (!found)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND, "card: %s is not registered", card);
      goto fail;
    }
  if (account.status == status)
    {
      canteen_account_clear (&account);
      ledger_rollback (l);
      return TRUE;
    }
  if (account.status == CANTEEN_ACCOUNT_CLOSED)
    {
      canteen_account_clear (&account);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CARD_CLOSED,
                   "card: %s is closed for good", card);
      goto fail;
    }
  stmt = ledger_stmt (l, "UPDATE accounts SET status = ?2 WHERE card = ?1", error);
  if (stmt == NULL)
    {
      canteen_account_clear (&account);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, canteen_account_status_id (status), -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "changing card status", error) ||
      ledger_journal_append (l, "status", card, NULL, 0, account.balance_fen, TRUE,
                             detail_object ("status", canteen_account_status_id (status), "by", by),
                             now, error) < 0)
    {
      canteen_account_clear (&account);
      goto fail;
    }
  canteen_account_clear (&account);
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}
