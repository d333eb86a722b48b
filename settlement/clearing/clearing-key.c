/* clearing-key.c — the service's Ed25519 key (signs receipts and
 * statements), the error mapping and the small helpers of clearing-private.h. */
#include "clearing-private.h"

#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK (clearing-error-quark, clearing_error)

gboolean
clearing_fail (GError **error, ClearingError code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CLEARING_ERROR, code, msg);
  return FALSE;
}

guint
clearing_error_status (const GError *error, const char **code)
{
  static const struct { guint status; const char *code; } map[] = {
    [CLEARING_ERROR_BAD_REQUEST] = { 400, "bad_request" },
    [CLEARING_ERROR_UNAUTHENTICATED] = { 401, "unauthenticated" },
    [CLEARING_ERROR_FORBIDDEN] = { 403, "forbidden" },
    [CLEARING_ERROR_NOT_FOUND] = { 404, "not_found" },
    [CLEARING_ERROR_CONFLICT] = { 409, "conflict" },
    [CLEARING_ERROR_CHAIN_BROKEN] = { 422, "chain_broken" },
    [CLEARING_ERROR_SEQUENCE_GAP] = { 422, "sequence_gap" },
    [CLEARING_ERROR_BAD_RECORD] = { 422, "bad_record" },
    [CLEARING_ERROR_FAILED] = { 500, "internal" },
  };
  if (error->domain == CLEARING_ERROR && error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (map))
    {
      *code = map[error->code].code;
      return map[error->code].status;
    }
  if (error->domain == CANTEEN_PROTO_ERROR)
    {
      *code = "bad_request";
      return 400;
    }
  if (error->domain == CLEARING_DB_ERROR && error->code == CLEARING_DB_ERROR_CONSTRAINT)
    {
      /* A unique key taken by a concurrent request: the client retries and
       * then sees the stored answer. */
      *code = "conflict";
      return 409;
    }
  *code = "unavailable";
  return 503;
}

gboolean
clearing_str_equal_ct (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  if (la != lb)
    return FALSE;
  return sodium_memcmp (a, b, la) == 0;
}

char *
clearing_builder_text (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  return canteen_proto_to_text (root, NULL);
}

gboolean
clearing_open_window (ClearingDb *db, gint64 *id, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT id FROM windows WHERE closed IS NULL ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return clearing_fail (error, CLEARING_ERROR_FAILED, "no open settlement window (run canteen-clearing init)");
  *id = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);
  return TRUE;
}

gint64
clearing_last_closed_window (ClearingDb *db, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT COALESCE(MAX(id), 0) FROM windows WHERE closed IS NOT NULL",
                                            error);
  if (stmt == NULL || clearing_stmt_step (stmt, error) < 0)
    return -1;
  gint64 id = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);
  return id;
}

gboolean
clearing_agency_get (ClearingDb *db, const char *code, guint8 issuer_key[CANTEEN_PROTO_PK_BYTES], char **name,
                     gboolean *active, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT issuer_key, name, active FROM agencies WHERE code = $1",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, code);
  int rc = clearing_stmt_step (stmt, error);
  if (rc <= 0)
    return FALSE;
  gboolean ok = canteen_proto_b64_decode (clearing_stmt_text (stmt, 0), issuer_key, CANTEEN_PROTO_PK_BYTES, error);
  if (name != NULL)
    *name = g_strdup (clearing_stmt_text (stmt, 1));
  if (active != NULL)
    *active = clearing_stmt_int64 (stmt, 2) != 0;
  clearing_stmt_run (stmt, NULL);
  return ok;
}

/* ---- the key ------------------------------------------------------------- */

char *
clearing_key_default_path (const char *uri, GError **error)
{
  if (g_str_has_prefix (uri, "sqlite:"))
    return g_strconcat (uri + 7, ".key", NULL);
  const char *state = g_getenv ("STATE_DIRECTORY");
  if (state != NULL && *state != '\0')
    {
      /* systemd may list several directories separated by ':'; the first is ours. */
      g_auto (GStrv) dirs = g_strsplit (state, ":", 2);
      return g_build_filename (dirs[0], "clearing.key", NULL);
    }
  clearing_fail (error, CLEARING_ERROR_FAILED,
                 "no key file: give --key FILE (or run with STATE_DIRECTORY set, as the systemd unit does)");
  return NULL;
}

char *
clearing_service_public_key (ClearingDb *db, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT value FROM meta WHERE key = $1", error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_text (stmt, 1, "service_key");
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return NULL;
  char *value = rc == 1 ? g_strdup (clearing_stmt_text (stmt, 0)) : NULL;
  clearing_stmt_run (stmt, NULL);
  if (value == NULL)
    clearing_fail (error, CLEARING_ERROR_FAILED, "the database has no service key (run canteen-clearing init)");
  return value;
}

typedef struct {
  const char *pk_b64;
  const char *now;
} InitData;

static gboolean
init_tx (ClearingDb *db, gpointer data, GError **error)
{
  InitData *d = data;
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT value FROM meta WHERE key = $1", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, "service_key");
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 1)
    {
      gboolean same = g_strcmp0 (clearing_stmt_text (stmt, 0), d->pk_b64) == 0;
      clearing_stmt_run (stmt, NULL);
      if (!same)
        return clearing_fail (error, CLEARING_ERROR_FAILED,
                              "the key file is not this database's service key (it was initialised with another)");
    }
  else
    {
      stmt = clearing_db_prepare (db, "INSERT INTO meta (key, value) VALUES ($1, $2)", error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_text (stmt, 1, "service_key");
      clearing_stmt_bind_text (stmt, 2, d->pk_b64);
      if (!clearing_stmt_run (stmt, error))
        return FALSE;
    }
  stmt = clearing_db_prepare (db, "SELECT COUNT(*) FROM windows", error);
  if (stmt == NULL || clearing_stmt_step (stmt, error) < 0)
    return FALSE;
  gint64 windows = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);
  if (windows == 0)
    {
      stmt = clearing_db_prepare (db, "INSERT INTO windows (id, opened) VALUES (1, $1)", error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_text (stmt, 1, d->now);
      return clearing_stmt_run (stmt, error);
    }
  return TRUE;
}

gboolean
clearing_init (ClearingDb *db, const char *key_path, GDateTime *now, GError **error)
{
  guint8 sk[CANTEEN_PROTO_SK_BYTES], pk[CANTEEN_PROTO_PK_BYTES];
  if (g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      if (!canteen_proto_read_secret_key (key_path, sk, error))
        return FALSE;
    }
  else
    {
      canteen_proto_keypair (pk, sk);
      if (!canteen_proto_write_secret_key (key_path, sk, error))
        return FALSE;
    }
  canteen_proto_public_key (sk, pk);
  sodium_memzero (sk, sizeof sk);
  g_autofree char *pk_b64 = canteen_proto_b64_encode (pk, sizeof pk);
  g_autofree char *now_text = canteen_proto_format_time (now);
  InitData d = { pk_b64, now_text };
  return clearing_db_transact (db, init_tx, &d, error);
}

gboolean
clearing_key_load (ClearingDb *db, const char *key_path, ClearingKey *key, GError **error)
{
  if (!canteen_proto_read_secret_key (key_path, key->sk, error))
    return FALSE;
  canteen_proto_public_key (key->sk, key->pk);
  g_autofree char *stored = clearing_service_public_key (db, error);
  if (stored == NULL)
    return FALSE;
  g_autofree char *mine = canteen_proto_b64_encode (key->pk, sizeof key->pk);
  if (strcmp (stored, mine) != 0)
    return clearing_fail (error, CLEARING_ERROR_FAILED, "%s is not this database's service key", key_path);
  return TRUE;
}

char *
clearing_sign_document (const ClearingKey *key, const char *kind, const char *body, gsize len)
{
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  g_autoptr (GString) msg = canteen_document_message (kind, body, len);
  canteen_proto_sign (key->sk, msg->str, msg->len, sig);
  return canteen_proto_b64_encode (sig, sizeof sig);
}
