/* clearing-agencies.c — agencies (issuers and acquirers), their terminals,
 * enrollment with a one-time token, and the versioned trust list.
 * The token is kept only as its SHA-256: a stolen database does not enroll
 * a terminal. Enrollment is idempotent for the same key (a terminal that
 * lost the answer asks again) and refuses any other key. */
#include "clearing-private.h"

#include <string.h>

typedef struct {
  const char *code, *name;
  const char *key_b64;
  gint64 cap;
} AgencyAdd;

static gboolean
agency_add_tx (ClearingDb *db, gpointer data, GError **error)
{
  AgencyAdd *a = data;
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT COUNT(*) FROM agencies WHERE code = $1", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, a->code);
  if (clearing_stmt_step (stmt, error) < 0)
    return FALSE;
  gboolean exists = clearing_stmt_int64 (stmt, 0) > 0;
  clearing_stmt_run (stmt, NULL);
  if (exists)
    return clearing_fail (error, CLEARING_ERROR_CONFLICT, "agency %s exists already", a->code);
  stmt = clearing_db_prepare (db,
                              "INSERT INTO agencies (code, name, issuer_key, debit_cap_fen, active, version) "
                              "SELECT $1, $2, $3, CAST($4 AS BIGINT), 1, COALESCE(MAX(version), 0) + 1 FROM agencies",
                              error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, a->code);
  clearing_stmt_bind_text (stmt, 2, a->name);
  clearing_stmt_bind_text (stmt, 3, a->key_b64);
  if (a->cap >= 0)
    clearing_stmt_bind_int64 (stmt, 4, a->cap);
  else
    clearing_stmt_bind_null (stmt, 4);
  return clearing_stmt_run (stmt, error);
}

gboolean
clearing_agency_add (ClearingDb *db, const char *code, const char *name,
                     const guint8 issuer_key[CANTEEN_PROTO_PK_BYTES], gint64 debit_cap_fen, GError **error)
{
  if (!canteen_proto_check_agency (code, error))
    return FALSE;
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL) || strlen (name) > 128)
    return clearing_fail (error, CLEARING_ERROR_BAD_REQUEST, "agency name: 1-128 bytes of UTF-8");
  g_autofree char *key_b64 = canteen_proto_b64_encode (issuer_key, CANTEEN_PROTO_PK_BYTES);
  AgencyAdd a = { code, name, key_b64, debit_cap_fen };
  return clearing_db_transact (db, agency_add_tx, &a, error);
}

typedef struct {
  const char *id, *agency, *token_hash;
} TerminalAdd;

static gboolean
terminal_add_tx (ClearingDb *db, gpointer data, GError **error)
{
  TerminalAdd *t = data;
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT (SELECT COUNT(*) FROM agencies WHERE code = $1), "
                                            "(SELECT COUNT(*) FROM terminals WHERE id = $2)",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, t->agency);
  clearing_stmt_bind_text (stmt, 2, t->id);
  if (clearing_stmt_step (stmt, error) < 0)
    return FALSE;
  gint64 agencies = clearing_stmt_int64 (stmt, 0), terminals = clearing_stmt_int64 (stmt, 1);
  clearing_stmt_run (stmt, NULL);
  if (agencies == 0)
    return clearing_fail (error, CLEARING_ERROR_NOT_FOUND, "no agency %s (add it first: agency add)", t->agency);
  if (terminals > 0)
    return clearing_fail (error, CLEARING_ERROR_CONFLICT, "terminal %s exists already", t->id);
  stmt = clearing_db_prepare (db, "INSERT INTO terminals (id, agency, token_hash) VALUES ($1, $2, $3)", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, t->id);
  clearing_stmt_bind_text (stmt, 2, t->agency);
  clearing_stmt_bind_text (stmt, 3, t->token_hash);
  return clearing_stmt_run (stmt, error);
}

char *
clearing_terminal_add (ClearingDb *db, const char *id, const char *agency, GError **error)
{
  char hash[65];
  if (!canteen_proto_check_terminal (id, error) || !canteen_proto_check_agency (agency, error))
    return NULL;
  g_autofree char *a = canteen_proto_new_nonce ();
  g_autofree char *b = canteen_proto_new_nonce ();
  char *token = g_strconcat (a, b, NULL);   /* 256 random bits */
  canteen_proto_sha256_hex (token, strlen (token), hash);
  TerminalAdd t = { id, agency, hash };
  if (!clearing_db_transact (db, terminal_add_tx, &t, error))
    {
      g_free (token);
      return NULL;
    }
  return token;
}

typedef struct {
  const char *terminal, *key_b64, *token, *now;
  char *agency;
} Enroll;

static gboolean
enroll_tx (ClearingDb *db, gpointer data, GError **error)
{
  Enroll *e = data;
  char hash[65];
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT agency, token_hash, public_key FROM terminals WHERE id = $1",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, e->terminal);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "unknown terminal %s", e->terminal);
  canteen_proto_sha256_hex (e->token, strlen (e->token), hash);
  gboolean token_ok = clearing_str_equal_ct (clearing_stmt_text (stmt, 1), hash);
  g_autofree char *stored_key = g_strdup (clearing_stmt_text (stmt, 2));
  g_clear_pointer (&e->agency, g_free);
  e->agency = g_strdup (clearing_stmt_text (stmt, 0));
  clearing_stmt_run (stmt, NULL);
  if (!token_ok)
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "token: wrong enrollment token for terminal %s",
                          e->terminal);
  if (stored_key != NULL)
    {
      if (strcmp (stored_key, e->key_b64) == 0)
        return TRUE;   /* the same request again: the same answer */
      return clearing_fail (error, CLEARING_ERROR_CONFLICT,
                            "terminal %s is enrolled already with another key (the token works once)", e->terminal);
    }
  stmt = clearing_db_prepare (db, "UPDATE terminals SET public_key = $1, enrolled = $2 WHERE id = $3", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, e->key_b64);
  clearing_stmt_bind_text (stmt, 2, e->now);
  clearing_stmt_bind_text (stmt, 3, e->terminal);
  return clearing_stmt_run (stmt, error);
}

char *
clearing_enroll (ClearingDb *db, const ClearingKey *key, const void *body, gsize len, GDateTime *now,
                 GError **error)
{
  static const char *const members[] = { "terminal", "public_key", "token", NULL };
  const char *terminal, *public_key, *token;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  g_autoptr (JsonNode) root = canteen_proto_parse_object (body, len, error);
  if (root == NULL)
    return NULL;
  JsonObject *o = json_node_get_object (root);
  if (!canteen_proto_only_members (o, members, "enroll", error)
      || !canteen_proto_get_string (o, "terminal", "enroll", &terminal, error)
      || !canteen_proto_check_terminal (terminal, error)
      || !canteen_proto_get_string (o, "public_key", "enroll", &public_key, error)
      || !canteen_proto_get_string (o, "token", "enroll", &token, error))
    return NULL;
  if (!canteen_proto_b64_decode (public_key, pk, sizeof pk, NULL))
    {
      clearing_fail (error, CLEARING_ERROR_BAD_REQUEST, "enroll: public_key: must be the b64 of 32 bytes");
      return NULL;
    }
  g_autofree char *key_b64 = canteen_proto_b64_encode (pk, sizeof pk);   /* canonical form */
  g_autofree char *now_text = canteen_proto_format_time (now);
  Enroll e = { terminal, key_b64, token, now_text, NULL };
  if (!clearing_db_transact (db, enroll_tx, &e, error))
    {
      g_free (e.agency);
      return NULL;
    }
  g_autofree char *clearing_key = canteen_proto_b64_encode (key->pk, sizeof key->pk);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, terminal);
  json_builder_set_member_name (b, "agency");
  json_builder_add_string_value (b, e.agency);
  json_builder_set_member_name (b, "clearing_key");
  json_builder_add_string_value (b, clearing_key);
  json_builder_end_object (b);
  g_free (e.agency);
  return clearing_builder_text (b);
}

gboolean
clearing_terminal_lookup (ClearingDb *db, const char *id, char **agency, guint8 public_key[CANTEEN_PROTO_PK_BYTES],
                          GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT agency, public_key FROM terminals WHERE id = $1", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, id);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0 || clearing_stmt_is_null (stmt, 1))
    {
      if (rc == 1)
        clearing_stmt_run (stmt, NULL);
      return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "unknown or not enrolled terminal %s", id);
    }
  gboolean ok = canteen_proto_b64_decode (clearing_stmt_text (stmt, 1), public_key, CANTEEN_PROTO_PK_BYTES, error);
  *agency = g_strdup (clearing_stmt_text (stmt, 0));
  clearing_stmt_run (stmt, NULL);
  if (!ok)
    g_clear_pointer (agency, g_free);
  return ok;
}

char *
clearing_trust_list (ClearingDb *db, gint64 since, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT code, name, issuer_key, active, "
                                            "(SELECT COALESCE(MAX(version), 0) FROM agencies) FROM agencies "
                                            "WHERE version > $1 ORDER BY version, code",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, since);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gint64 version = -1;
  int rc;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "agencies");
  json_builder_begin_array (b);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 0));
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 1));
      json_builder_set_member_name (b, "issuer_key");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 2));
      json_builder_set_member_name (b, "active");
      json_builder_add_boolean_value (b, clearing_stmt_int64 (stmt, 3) != 0);
      json_builder_end_object (b);
      version = clearing_stmt_int64 (stmt, 4);
    }
  if (rc < 0)
    return NULL;
  if (version < 0)
    {
      /* Nothing changed after `since`: the current version. */
      ClearingStmt *cur = clearing_db_prepare (db, "SELECT COALESCE(MAX(version), 0) FROM agencies", error);
      if (cur == NULL || clearing_stmt_step (cur, error) < 0)
        return NULL;
      version = clearing_stmt_int64 (cur, 0);
      clearing_stmt_run (cur, NULL);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  /* "version" first, as API.md shows it: rebuild the object in order. */
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonBuilder) out = json_builder_new ();
  json_builder_begin_object (out);
  json_builder_set_member_name (out, "version");
  json_builder_add_int_value (out, version);
  json_builder_set_member_name (out, "agencies");
  json_builder_add_value (out, json_node_copy (json_object_get_member (json_node_get_object (root), "agencies")));
  json_builder_end_object (out);
  return clearing_builder_text (out);
}
