/* ledger-clearing.c — the settlement side of the ledger that is not a sale:
 * keys, issued cards, trust and deny lists, clearing configuration and
 * sync state (visitor.h).
 *
 * Secret keys live in files beside the ledger (proto's format, 0600, never
 * overwritten); the ledger keeps their public halves, so a key file swapped
 * behind our back is noticed instead of silently signing with another key.
 */
#include "ledger-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "canteen-error.h"
#include "clearing-proto.h"
#include "validate.h"
#include "visitor.h"

G_DEFINE_QUARK (canteen-visitor-error-quark, canteen_visitor_error)

gboolean
canteen_visitor_error_is_decline (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == CANTEEN_LEDGER_ERROR)
    return canteen_ledger_error_is_decline (error);
  if (error->domain != CANTEEN_VISITOR_ERROR)
    return FALSE;
  switch ((CanteenVisitorError) error->code)
    {
    case CANTEEN_VISITOR_ERROR_UID_ONLY:
    case CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER:
    case CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE:
    case CANTEEN_VISITOR_ERROR_EXPIRED:
    case CANTEEN_VISITOR_ERROR_BAD_SIGNATURE:
    case CANTEEN_VISITOR_ERROR_DENIED:
    case CANTEEN_VISITOR_ERROR_OFFLINE_CAP:
    case CANTEEN_VISITOR_ERROR_FLOOR_LIMIT:
    case CANTEEN_VISITOR_ERROR_LIST_TOO_OLD:
    case CANTEEN_VISITOR_ERROR_DECLINED:
      return TRUE;
    case CANTEEN_VISITOR_ERROR_NO_KEYS:
    case CANTEEN_VISITOR_ERROR_NOT_ENROLLED:
    case CANTEEN_VISITOR_ERROR_RETRY:
    case CANTEEN_VISITOR_ERROR_BAD_DOCUMENT:
    default:
      return FALSE;
    }
}

static gboolean
need_identity (CanteenLedger *l, GError **error)
{
  if (ledger_agency (l) != NULL && ledger_terminal (l) != NULL)
    return TRUE;
  g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
               "%s: not set up yet; run `canteenctl init` first", l->path);
  return FALSE;
}

/* One column of the clearing_config row (newly allocated, NULL when unset). */
static char *
config_text (CanteenLedger *l, const char *sql)
{
  sqlite3_stmt *stmt = ledger_stmt (l, sql, NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

/* ---- keys ------------------------------------------------------------------ */

char *
canteen_visitor_keys_dir (CanteenLedger *l)
{
  return g_strconcat (l->path, ".keys", NULL);
}

static char *
key_path (CanteenLedger *l, const char *name)
{
  g_autofree char *dir = canteen_visitor_keys_dir (l);

  return g_build_filename (dir, name, NULL);
}

/* Reads the key file, or makes it when absent; gives its public half. */
static gboolean
ensure_key (const char *path, guint8 pk[CANTEEN_PROTO_PK_BYTES], GError **error)
{
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  gboolean ok;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    ok = canteen_proto_read_secret_key (path, sk, error);
  else
    {
      canteen_proto_keypair (pk, sk);
      ok = canteen_proto_write_secret_key (path, sk, error);
    }
  if (ok)
    canteen_proto_public_key (sk, pk);
  sodium_memzero (sk, sizeof sk);
  return ok;
}

static gboolean
store_public_key (CanteenLedger *l, const char *column_sql_get, const char *column_sql_set,
                  const char *what, const guint8 pk[CANTEEN_PROTO_PK_BYTES], GError **error)
{
  g_autofree char *b64 = canteen_proto_b64_encode (pk, CANTEEN_PROTO_PK_BYTES);
  g_autofree char *stored = config_text (l, column_sql_get);
  sqlite3_stmt *stmt;

  if (stored != NULL)
    {
      if (g_strcmp0 (stored, b64) == 0)
        return TRUE;
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS,
                   "%s: the %s key file is not the key this ledger was set up with", l->path, what);
      return FALSE;
    }
  stmt = ledger_stmt (l, column_sql_set, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, b64, -1, SQLITE_STATIC);
  return ledger_step_done (l, stmt, "storing a public key", error);
}

gboolean
canteen_visitor_init_keys (CanteenLedger *l, const char *agency_name, GError **error)
{
  g_autofree char *dir = NULL, *issuer_path = NULL, *terminal_path = NULL, *issuer_b64 = NULL;
  guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES], terminal_pk[CANTEEN_PROTO_PK_BYTES];
  const char *agency;
  sqlite3_stmt *stmt;

  if (!need_identity (l, error))
    return FALSE;
  agency = ledger_agency (l);
  if (agency_name != NULL && !canteen_check_name (agency_name, "agency name", error))
    return FALSE;
  if (!canteen_proto_check_agency (agency, error) || !canteen_proto_check_terminal (ledger_terminal (l), error))
    {
      g_prefix_error (error, "cross-agency settlement needs agency and terminal ids of API.md: ");
      return FALSE;
    }
  dir = canteen_visitor_keys_dir (l);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS,
                   "%s: cannot make the key folder: %s", dir, g_strerror (saved));
      return FALSE;
    }
  issuer_path = g_build_filename (dir, "issuer.key", NULL);
  terminal_path = g_build_filename (dir, "terminal.key", NULL);
  if (!ensure_key (issuer_path, issuer_pk, error) || !ensure_key (terminal_path, terminal_pk, error))
    return FALSE;
  issuer_b64 = canteen_proto_b64_encode (issuer_pk, sizeof issuer_pk);

  if (!ledger_begin (l, error))
    return FALSE;
  if (!store_public_key (l, "SELECT issuer_public_key FROM clearing_config",
                         "UPDATE clearing_config SET issuer_public_key = ?1", "issuer", issuer_pk, error) ||
      !store_public_key (l, "SELECT terminal_public_key FROM clearing_config",
                         "UPDATE clearing_config SET terminal_public_key = ?1", "terminal", terminal_pk, error))
    goto fail;
  /* Our own cards are always accepted, with our own key: the service's
   * trust list never replaces this row. */
  stmt = ledger_stmt (l,
    "INSERT INTO trust_agencies (code, name, issuer_key, active, own, version) VALUES (?1, ?2, ?3, 1, 1, 0) "
    "ON CONFLICT (code) DO UPDATE SET name = COALESCE (?4, name), issuer_key = ?3, active = 1, own = 1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, agency, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, agency_name ? agency_name : agency, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, issuer_b64, -1, SQLITE_STATIC);
  if (agency_name)
    sqlite3_bind_text (stmt, 4, agency_name, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "trusting our own issuer key", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

static gboolean
load_key (CanteenLedger *l, const char *name, const char *stored_sql, guint8 sk[CANTEEN_PROTO_SK_BYTES],
          GError **error)
{
  g_autofree char *path = key_path (l, name);
  g_autofree char *stored = config_text (l, stored_sql);
  g_autofree char *b64 = NULL;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  GError *local = NULL;

  if (stored == NULL)
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS,
                   "%s: no settlement keys yet; run `canteenctl init` (or upgrade it) first", l->path);
      return FALSE;
    }
  if (!canteen_proto_read_secret_key (path, sk, &local))
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  canteen_proto_public_key (sk, pk);
  b64 = canteen_proto_b64_encode (pk, sizeof pk);
  if (g_strcmp0 (b64, stored) != 0)
    {
      sodium_memzero (sk, CANTEEN_PROTO_SK_BYTES);
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS,
                   "%s: not the key this ledger was set up with", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_visitor_issuer_key (CanteenLedger *l, guint8 sk[64], GError **error)
{
  return load_key (l, "issuer.key", "SELECT issuer_public_key FROM clearing_config", sk, error);
}

gboolean
canteen_visitor_terminal_key (CanteenLedger *l, guint8 sk[64], GError **error)
{
  return load_key (l, "terminal.key", "SELECT terminal_public_key FROM clearing_config", sk, error);
}

gboolean
canteen_visitor_export_issuer_key (CanteenLedger *l, const char *path, GError **error)
{
  g_autofree char *stored = NULL, *name = NULL;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  sqlite3_stmt *stmt;

  if (!need_identity (l, error))
    return FALSE;
  stored = config_text (l, "SELECT issuer_public_key FROM clearing_config");
  if (stored == NULL || !canteen_proto_b64_decode (stored, pk, sizeof pk, NULL))
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NO_KEYS,
                   "%s: no issuer key yet; run `canteenctl init` first", l->path);
      return FALSE;
    }
  stmt = ledger_stmt (l, "SELECT name FROM trust_agencies WHERE own = 1", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return canteen_issuer_key_file_write (path, ledger_agency (l), name ? name : ledger_agency (l), pk, error);
}

/* ---- issuing cards ----------------------------------------------------------------- */

static char *
default_not_after (GDateTime *now)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);
  g_autoptr(GDateTime) later = g_date_time_add_years (utc, CANTEEN_CARD_VALID_YEARS);

  return g_date_time_format (later, "%Y-%m-%d");
}

static gboolean
check_date (const char *text, GError **error)
{
  int y, m, d;
  char end;

  if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "expires: “%s” is not a date YYYY-MM-DD", text ? text : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_visitor_issue_card (CanteenLedger *l, const CanteenCardIssue *issue, const char *out_path,
                            GDateTime *now, gboolean *out_opened, GError **error)
{
  g_autofree char *card = NULL, *cert_json = NULL, *created = ledger_utc_string (now);
  g_autofree char *card_key_b64 = NULL;
  guint8 issuer_sk[CANTEEN_PROTO_SK_BYTES], card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) cert_bytes = NULL;
  CanteenCardCert cert = { 0 };
  CanteenAccount account = { 0 };
  gboolean found = FALSE, ok = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  *out_opened = FALSE;
  if (!need_identity (l, error))
    return FALSE;
  card = canteen_card_normalize (issue->card, error);
  if (card == NULL || !canteen_proto_check_card (card, error) ||
      !canteen_proto_check_holder (issue->holder, error) ||
      !canteen_check_name (issue->holder, "name", error) ||
      (issue->not_after && !check_date (issue->not_after, error)))
    return FALSE;
  if (issue->offline_cap_fen < 0 || issue->offline_cap_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN ||
      issue->daily_cap_fen < 0 || issue->daily_cap_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "offline-cap, daily-cap: must be 0..%d fen", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  if (g_file_test (out_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS,
                   "out: %s exists; a card file is never overwritten", out_path);
      return FALSE;
    }
  stmt = ledger_stmt (l, "SELECT 1 FROM issued_cards WHERE card = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS,
                   "card: %s was issued already (a card is issued once)", card);
      return FALSE;
    }
  if (!ledger_load_account (l, card, &account, &found, error))
    return FALSE;
  if (found && g_strcmp0 (account.agency, ledger_agency (l)) != 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "card: %s is an account of agency %s, not of %s", card, account.agency, ledger_agency (l));
      canteen_account_clear (&account);
      return FALSE;
    }
  canteen_account_clear (&account);
  if (!canteen_visitor_issuer_key (l, issuer_sk, error))
    return FALSE;

  cert.agency = g_strdup (ledger_agency (l));
  cert.card = g_strdup (card);
  cert.holder = g_strdup (issue->holder);
  cert.not_after = issue->not_after ? g_strdup (issue->not_after) : default_not_after (now);
  cert.offline_cap_fen = issue->offline_cap_fen;
  cert.daily_cap_fen = issue->daily_cap_fen;
  canteen_proto_keypair (cert.card_key, card_sk);
  canteen_card_cert_sign (&cert, issuer_sk);
  sodium_memzero (issuer_sk, sizeof issuer_sk);
  cert_bytes = canteen_card_cert_to_bytes (&cert);
  cert_json = g_strndup (g_bytes_get_data (cert_bytes, NULL), g_bytes_get_size (cert_bytes));
  card_key_b64 = canteen_proto_b64_encode (cert.card_key, sizeof cert.card_key);

  /* The file first: a card registered without its secret key could never pay. */
  if (!canteen_card_file_write (out_path, &cert, card_sk, error))
    goto out;
  /* The account (its own transaction; a crash after it is healed by the
   * next run linking the account), then the issued card. */
  if (!found && !canteen_ledger_add_account (l, card, issue->holder, ledger_agency (l), 0, 0, error))
    goto remove;
  *out_opened = !found;
  if (!ledger_begin (l, error))
    goto remove;
  stmt = ledger_stmt (l, "INSERT INTO issued_cards (card, holder, card_key, cert, created_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
                      error);
  if (stmt == NULL)
    {
      ledger_rollback (l);
      goto remove;
    }
  sqlite3_bind_text (stmt, 1, card, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, issue->holder, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, card_key_b64, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cert_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "registering the card", error))
    {
      ledger_rollback (l);
      goto remove;
    }
  if (!ledger_commit (l, error))
    goto remove;
  ok = TRUE;
  goto out;

remove:
  g_unlink (out_path);
out:
  sodium_memzero (card_sk, sizeof card_sk);
  canteen_card_cert_clear (&cert);
  return ok;
}

/* ---- trust and deny lists ------------------------------------------------------------- */

static gboolean
upsert_agency (CanteenLedger *l, const char *code, const char *name, const char *key_b64, gboolean active,
               gint64 version, GError **error)
{
  sqlite3_stmt *stmt;

  /* Our own row is ours: a list from elsewhere never replaces it. */
  if (g_strcmp0 (code, ledger_agency (l)) == 0)
    return TRUE;
  stmt = ledger_stmt (l,
    "INSERT INTO trust_agencies (code, name, issuer_key, active, own, version) VALUES (?1, ?2, ?3, ?4, 0, ?5) "
    "ON CONFLICT (code) DO UPDATE SET name = ?2, issuer_key = ?3, active = ?4, version = ?5 WHERE own = 0", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, key_b64, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, active ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, version);
  return ledger_step_done (l, stmt, "updating the trust list", error);
}

gboolean
canteen_visitor_trust_key_file (CanteenLedger *l, const char *path, GError **error)
{
  g_autofree char *agency = NULL, *name = NULL, *b64 = NULL;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];

  if (!need_identity (l, error) || !canteen_issuer_key_file_read (path, &agency, &name, pk, error))
    return FALSE;
  if (g_strcmp0 (agency, ledger_agency (l)) == 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "%s: is agency %s, this ledger's own agency (its key is trusted already)", path, agency);
      return FALSE;
    }
  b64 = canteen_proto_b64_encode (pk, sizeof pk);
  if (!ledger_begin (l, error))
    return FALSE;
  if (!upsert_agency (l, agency, name, b64, TRUE, 0, error))
    {
      ledger_rollback (l);
      return FALSE;
    }
  return ledger_commit (l, error);
}

static gboolean
bad_document (GError **error, GError *cause, const char *what)
{
  g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,
               "%s from the clearing service: %s", what, cause ? cause->message : "malformed");
  g_clear_error (&cause);
  return FALSE;
}

/* The envelope of the service's versioned lists (API.md): exactly
 * {"version":V,"<items>":[...]}. NULL (BAD_DOCUMENT naming `what`) otherwise;
 * the array belongs to *out_root. */
static JsonArray *
versioned_list (GBytes *body, const char *items, const char *what, JsonNode **out_root, gint64 *out_version,
                GError **error)
{
  const char *const top[] = { "version", items, NULL };
  g_autoptr(JsonNode) root = NULL;
  GError *local = NULL;
  JsonObject *obj;

  root = canteen_proto_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &local);
  if (root == NULL)
    return bad_document (error, local, what), NULL;
  obj = json_node_get_object (root);
  if (!canteen_proto_only_members (obj, top, what, &local) ||
      !canteen_proto_get_int (obj, "version", what, 0, G_MAXINT64, out_version, &local))
    return bad_document (error, local, what), NULL;
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, items)))
    {
      g_autofree char *why = g_strdup_printf ("%s is not an array", items);
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,
                   "%s from the clearing service: %s", what, why);
      return NULL;
    }
  *out_root = g_steal_pointer (&root);
  return json_object_get_array_member (json_node_get_object (*out_root), items);
}

gboolean
canteen_visitor_apply_trust (CanteenLedger *l, GBytes *body, GError **error)
{
  static const char *const member[] = { "code", "name", "issuer_key", "active", NULL };
  g_autoptr(JsonNode) root = NULL;
  GError *local = NULL;
  JsonObject *obj;
  JsonArray *agencies;
  gint64 version;
  sqlite3_stmt *stmt;

  agencies = versioned_list (body, "agencies", "trust list", &root, &version, error);
  if (agencies == NULL)
    return FALSE;

  if (!ledger_begin (l, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (agencies); i++)
    {
      JsonNode *node = json_array_get_element (agencies, i);
      const char *code, *name, *key;
      gboolean active;
      guint8 pk[CANTEEN_PROTO_PK_BYTES];

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          bad_document (error, NULL, "trust list: an agency is not an object");
          goto fail;
        }
      obj = json_node_get_object (node);
      if (!canteen_proto_only_members (obj, member, "agency", &local) ||
          !canteen_proto_get_string (obj, "code", "agency", &code, &local) ||
          !canteen_proto_check_agency (code, &local) ||
          !canteen_proto_get_string (obj, "name", "agency", &name, &local) ||
          !canteen_proto_get_string (obj, "issuer_key", "agency", &key, &local) ||
          !canteen_proto_b64_decode (key, pk, sizeof pk, &local) ||
          !canteen_proto_get_bool (obj, "active", "agency", &active, &local))
        {
          bad_document (error, local, "trust list");
          goto fail;
        }
      if (!upsert_agency (l, code, name, key, active, version, error))
        goto fail;
    }
  stmt = ledger_stmt (l, "UPDATE clearing_config SET trust_version = MAX (trust_version, ?1)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, version);
  if (!ledger_step_done (l, stmt, "recording the trust-list version", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

static gboolean
upsert_deny (CanteenLedger *l, const char *agency, const char *card, gboolean denied, gint64 version,
             GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l,
    "INSERT INTO deny_list (agency, card, denied, version) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (agency, card) DO UPDATE SET denied = ?3, version = ?4", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, agency, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, card, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, denied ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, version);
  return ledger_step_done (l, stmt, "updating the deny list", error);
}

gboolean
canteen_visitor_apply_deny (CanteenLedger *l, GBytes *body, GDateTime *now, GError **error)
{
  static const char *const member[] = { "agency", "card", "denied", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *fetched = ledger_utc_string (now);
  GError *local = NULL;
  JsonObject *obj;
  JsonArray *entries;
  gint64 version;
  sqlite3_stmt *stmt;

  entries = versioned_list (body, "entries", "deny list", &root, &version, error);
  if (entries == NULL)
    return FALSE;

  if (!ledger_begin (l, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      const char *agency, *card;
      gboolean denied;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          bad_document (error, NULL, "deny list: an entry is not an object");
          goto fail;
        }
      obj = json_node_get_object (node);
      if (!canteen_proto_only_members (obj, member, "entry", &local) ||
          !canteen_proto_get_string (obj, "agency", "entry", &agency, &local) ||
          !canteen_proto_check_agency (agency, &local) ||
          !canteen_proto_get_string (obj, "card", "entry", &card, &local) ||
          !canteen_proto_check_card (card, &local) ||
          !canteen_proto_get_bool (obj, "denied", "entry", &denied, &local))
        {
          bad_document (error, local, "deny list");
          goto fail;
        }
      if (!upsert_deny (l, agency, card, denied, version, error))
        goto fail;
    }
  stmt = ledger_stmt (l, "UPDATE clearing_config SET deny_version = MAX (deny_version, ?1), deny_fetched_utc = ?2",
                      error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, version);
  sqlite3_bind_text (stmt, 2, fetched, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "recording the deny-list version", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_visitor_set_denied (CanteenLedger *l, const char *agency, const char *card, gboolean denied,
                            GError **error)
{
  if (!canteen_proto_check_agency (agency, error) || !canteen_proto_check_card (card, error))
    return FALSE;
  if (!ledger_begin (l, error))
    return FALSE;
  if (!upsert_deny (l, agency, card, denied, 0, error))
    {
      ledger_rollback (l);
      return FALSE;
    }
  return ledger_commit (l, error);
}

static gboolean
config_update (CanteenLedger *l, const char *sql, const char *text, gint64 number, GError **error)
{
  sqlite3_stmt *stmt;

  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, sql, error);
  if (stmt == NULL)
    goto fail;
  if (text)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, number);
  if (!ledger_step_done (l, stmt, "updating the clearing configuration", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

gboolean
canteen_visitor_set_deny_fetched (CanteenLedger *l, GDateTime *when, GError **error)
{
  g_autofree char *text = ledger_utc_string (when);

  return config_update (l, "UPDATE clearing_config SET deny_fetched_utc = ?1", text, 0, error);
}

gboolean
canteen_visitor_set_floor_limit (CanteenLedger *l, gint64 fen, GError **error)
{
  if (fen < 0 || fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "floor limit: must be 0..%d fen", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  return config_update (l, "UPDATE clearing_config SET floor_limit_fen = ?1", NULL, fen, error);
}

/* ---- configuration and state ------------------------------------------------------------ */

void
canteen_clearing_state_clear (CanteenClearingState *s)
{
  g_clear_pointer (&s->agency, g_free);
  g_clear_pointer (&s->terminal, g_free);
  g_clear_pointer (&s->url, g_free);
  g_clear_pointer (&s->deny_fetched, g_free);
  g_clear_pointer (&s->last_attempt, g_free);
  g_clear_pointer (&s->last_success, g_free);
  g_clear_pointer (&s->last_error, g_free);
  g_clear_pointer (&s->next_attempt, g_free);
}

static char *
column_dup (sqlite3_stmt *stmt, int col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL
         : g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

gboolean
canteen_visitor_get_state (CanteenLedger *l, CanteenClearingState *out, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *key = NULL;

  memset (out, 0, sizeof *out);
  if (!need_identity (l, error))
    return FALSE;
  /* One snapshot for the counts and the configuration. */
  if (sqlite3_exec (l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "starting to read");
      return FALSE;
    }
  stmt = ledger_stmt (l,
    "SELECT url, clearing_key, floor_limit_fen, trust_version, deny_version, deny_fetched_utc, "
    "       last_attempt_utc, last_success_utc, last_error, failures, next_attempt_utc, "
    "       (SELECT count (*) FROM visitor_sales), "
    "       (SELECT count (*) FROM visitor_sales WHERE record_seq > (SELECT COALESCE (MAX (last_seq), 0) FROM outbox_batches)), "
    "       (SELECT count (*) FROM visitor_sales) - "
    "         (SELECT COALESCE (SUM (b.records), 0) FROM outbox_batches b JOIN outbox_receipts r ON r.batch = b.batch), "
    "       (SELECT count (*) FROM outbox_batches b WHERE NOT EXISTS (SELECT 1 FROM outbox_receipts r WHERE r.batch = b.batch)) "
    "  FROM clearing_config", error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (stmt)
        {
          ledger_set_db_error (l, error, "reading the clearing state");
          sqlite3_reset (stmt);
        }
      sqlite3_exec (l->db, "COMMIT", NULL, NULL, NULL);
      return FALSE;
    }
  out->agency = g_strdup (ledger_agency (l));
  out->terminal = g_strdup (ledger_terminal (l));
  out->url = column_dup (stmt, 0);
  key = column_dup (stmt, 1);
  out->enrolled = out->url != NULL && key != NULL &&
                  canteen_proto_b64_decode (key, out->clearing_key, sizeof out->clearing_key, NULL);
  out->floor_limit_fen = sqlite3_column_int64 (stmt, 2);
  out->trust_version = sqlite3_column_int64 (stmt, 3);
  out->deny_version = sqlite3_column_int64 (stmt, 4);
  out->deny_fetched = column_dup (stmt, 5);
  out->last_attempt = column_dup (stmt, 6);
  out->last_success = column_dup (stmt, 7);
  out->last_error = column_dup (stmt, 8);
  out->failures = sqlite3_column_int (stmt, 9);
  out->next_attempt = column_dup (stmt, 10);
  out->records = sqlite3_column_int64 (stmt, 11);
  out->unbatched = sqlite3_column_int64 (stmt, 12);
  out->pending = sqlite3_column_int64 (stmt, 13);
  out->batches_unsent = sqlite3_column_int64 (stmt, 14);
  sqlite3_reset (stmt);
  sqlite3_exec (l->db, "COMMIT", NULL, NULL, NULL);
  return TRUE;
}

static void
add_string_or_null (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
canteen_clearing_state_to_json (const CanteenClearingState *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string_or_null (b, "terminal", s->terminal);
  json_builder_set_member_name (b, "enrolled");
  json_builder_add_boolean_value (b, s->enrolled);
  add_string_or_null (b, "url", s->url);
  json_builder_set_member_name (b, "pending");
  json_builder_add_int_value (b, s->pending);
  json_builder_set_member_name (b, "backlog");
  json_builder_add_int_value (b, s->pending);
  json_builder_set_member_name (b, "unbatched");
  json_builder_add_int_value (b, s->unbatched);
  json_builder_set_member_name (b, "batches_unsent");
  json_builder_add_int_value (b, s->batches_unsent);
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, s->records);
  add_string_or_null (b, "last_success", s->last_success);
  add_string_or_null (b, "last_attempt", s->last_attempt);
  add_string_or_null (b, "last_error", s->last_error);
  json_builder_set_member_name (b, "failures");
  json_builder_add_int_value (b, s->failures);
  add_string_or_null (b, "next_attempt", s->next_attempt);
  add_string_or_null (b, "deny_fetched", s->deny_fetched);
  json_builder_set_member_name (b, "trust_version");
  json_builder_add_int_value (b, s->trust_version);
  json_builder_set_member_name (b, "deny_version");
  json_builder_add_int_value (b, s->deny_version);
  json_builder_set_member_name (b, "floor_limit_fen");
  json_builder_add_int_value (b, s->floor_limit_fen);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
canteen_visitor_set_enrolled (CanteenLedger *l, const char *url, const guint8 clearing_key[32],
                              GDateTime *now, GError **error)
{
  g_autofree char *key = canteen_proto_b64_encode (clearing_key, 32);
  g_autofree char *when = ledger_utc_string (now);
  sqlite3_stmt *stmt;

  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "UPDATE clearing_config SET url = ?1, clearing_key = ?2, enrolled_utc = ?3", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, url, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, when, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "recording the enrollment", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}
