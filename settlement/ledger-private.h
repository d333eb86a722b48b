/* ledger-private.h — what the ledger's files share and nobody else sees.
 *
 * Every write follows one shape:
 *   if (!ledger_begin (l, error)) return FALSE;
 *   ... statements; on failure goto fail (ledger_rollback) ...
 *   return ledger_commit (l, error);
 * so that a function that fails has written nothing.
 */
#pragma once

#include <sqlite3.h>
#include <json-glib/json-glib.h>

#include "ledger.h"

struct _CanteenLedger {
  sqlite3    *db;
  char       *path;
  GHashTable *statements;   /* SQL text (static string) → sqlite3_stmt */
  GTimeZone  *tz;           /* local time of the canteen */
  char       *agency;       /* set once by init and never changed: cached */
  char       *canteen;
  char       *terminal;
  sqlite3_stmt *begin;      /* BEGIN IMMEDIATE, COMMIT and ROLLBACK, prepared once */
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;
  int         wal_pages;    /* WAL size after this handle's last commit */
  gboolean    in_transaction;
};

/* A cached prepared statement, reset and unbound; NULL with error set. */
sqlite3_stmt *ledger_stmt (CanteenLedger *l, const char *sql, GError **error);

gboolean ledger_begin    (CanteenLedger *l, GError **error);   /* BEGIN IMMEDIATE */
gboolean ledger_commit   (CanteenLedger *l, GError **error);
void     ledger_rollback (CanteenLedger *l);

/* Sets a CANTEEN_LEDGER_ERROR_DB naming `what` and SQLite's own message. */
void     ledger_set_db_error (CanteenLedger *l, GError **error, const char *what);
/* Steps a statement expected to finish (INSERT/UPDATE). */
gboolean ledger_step_done (CanteenLedger *l, sqlite3_stmt *stmt, const char *what, GError **error);
/* Steps a statement expected to give one row: TRUE with the row to read
 * (reset it after); else FALSE, the statement reset, and NOT_FOUND with
 * the message `not_found` (printf) when there is no row, or a DB error
 * naming `what`. */
gboolean ledger_step_row (CanteenLedger *l, sqlite3_stmt *stmt, const char *what, GError **error,
                          const char *not_found, ...) G_GNUC_PRINTF (5, 6);

/* Runs a SELECT of one text column with one text parameter `key`: TRUE
 * with *out the first row's value (NULL when there is no row, or the value
 * is NULL); FALSE with a DB error naming `what`. */
gboolean ledger_lookup_text (CanteenLedger *l, const char *sql, const char *key, const char *what, char **out,
                             GError **error);

/* Writes a returned tray's photo (JPEG or PNG, at most 16 MB) as
 * "<ledger>.frames/returns/<sha256>.<ext>", durably; the same bytes again
 * are a no-op. *out_sha is its lower-case hex SHA-256. */
gboolean ledger_keep_return_photo (CanteenLedger *l, GBytes *image, char **out_sha, GError **error);

char    *ledger_meta_get (CanteenLedger *l, const char *key);   /* NULL when absent */
/* The identity init wrote (cached; re-read if init ran in another process
 * after this handle was opened). NULL before init. */
const char *ledger_agency   (CanteenLedger *l);
const char *ledger_canteen  (CanteenLedger *l);
const char *ledger_terminal (CanteenLedger *l);
gint     ledger_current_shift (CanteenLedger *l, GError **error); /* -1 on error */
char    *ledger_utc_string (GDateTime *when);                    /* ISO 8601, Z */
GDateTime *ledger_parse_utc (const char *text);

/* Appends one journal entry inside the caller's transaction. `detail`
 * (may be NULL) is consumed. Returns the new seq, or -1 with error set. */
gint64   ledger_journal_append (CanteenLedger *l, const char *kind, const char *card,
                                const char *ref, gint64 amount_fen, gint64 balance_fen,
                                gboolean has_balance, JsonNode *detail, GDateTime *now,
                                GError **error);

/* Reads an account row inside or outside a transaction. */
gboolean ledger_load_account (CanteenLedger *l, const char *card, CanteenAccount *out,
                              gboolean *found, GError **error);
gboolean ledger_store_balance (CanteenLedger *l, const char *card, gint64 balance_fen, GError **error);

char    *ledger_sha256_hex (const char *a, const char *b);
/* Every meal sold (a diner): checkouts not voided, and visiting officials'
 * sales not fully reversed; columns local_day and period. For the waste
 * figures, where a visitor is a diner like any other. */
#define LEDGER_MEALS_SQL \
  "(SELECT c.local_day, c.period FROM checkouts c " \
  "  WHERE NOT EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id) " \
  " UNION ALL SELECT s.local_day, s.period FROM visitor_sales s WHERE s.kind = 'sale' " \
  "  AND NOT EXISTS (SELECT 1 FROM visitor_sales r WHERE r.reverses_seq = s.record_seq " \
  "                   AND r.amount_fen = -s.amount_fen))"
/* What makes a checkout id's request: `kind` (e.g. "checkout\n"), who pays
 * and the tray's lines; the same id with another hash is a CONFLICT. */
char    *ledger_tray_request_hash (const char *kind, const char *payer, const CanteenOrderLine *lines,
                                   guint n_lines);
/* Appends to r->lines the rows of `sql` (dish_id, name, name_en, grams,
 * unit_price_fen, amount_fen; ?1 bound to r->checkout_id). */
gboolean ledger_load_priced_lines (CanteenLedger *l, const char *sql, CanteenReceipt *r, GError **error);
