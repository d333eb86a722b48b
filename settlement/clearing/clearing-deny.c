/* clearing-deny.c — the deny list: cards an issuer has blocked (lost,
 * stolen, left service). Versioned like the trust list: each change takes
 * the next version, and `since=V` answers the rows changed after V, so a
 * terminal keeps its copy current with small deltas. */
#include "clearing-private.h"

typedef struct {
  const char *agency, *card;
  gboolean denied;
  gint64 version;
} DenySet;

static gboolean
deny_set_tx (ClearingDb *db, gpointer data, GError **error)
{
  DenySet *d = data;
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT COALESCE(MAX(version), 0) + 1 FROM deny", error);
  if (stmt == NULL || clearing_stmt_step (stmt, error) < 0)
    return FALSE;
  d->version = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);
  stmt = clearing_db_prepare (db,
                              "INSERT INTO deny (agency, card, denied, version) VALUES ($1, $2, $3, $4) "
                              "ON CONFLICT (agency, card) DO UPDATE SET denied = excluded.denied, "
                              "version = excluded.version",
                              error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, d->agency);
  clearing_stmt_bind_text (stmt, 2, d->card);
  clearing_stmt_bind_int64 (stmt, 3, d->denied ? 1 : 0);
  clearing_stmt_bind_int64 (stmt, 4, d->version);
  return clearing_stmt_run (stmt, error);
}

gint64
clearing_deny_set (ClearingDb *db, const char *agency, const char *card, gboolean denied, GError **error)
{
  if (!canteen_proto_check_agency (agency, error) || !canteen_proto_check_card (card, error))
    return -1;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  GError *local = NULL;
  if (!clearing_agency_get (db, agency, pk, NULL, NULL, &local))
    {
      if (local != NULL)
        g_propagate_error (error, local);
      else
        clearing_fail (error, CLEARING_ERROR_NOT_FOUND, "no agency %s", agency);
      return -1;
    }
  DenySet d = { agency, card, denied, 0 };
  if (!clearing_db_transact (db, deny_set_tx, &d, error))
    return -1;
  return d.version;
}

char *
clearing_deny_request (ClearingDb *db, const char *agency, const void *body, gsize len, GError **error)
{
  static const char *const members[] = { "card", "denied", NULL };
  const char *card;
  gboolean denied;
  g_autoptr (JsonNode) root = canteen_proto_parse_object (body, len, error);
  if (root == NULL)
    return NULL;
  JsonObject *o = json_node_get_object (root);
  if (!canteen_proto_only_members (o, members, "deny", error)
      || !canteen_proto_get_string (o, "card", "deny", &card, error)
      || !canteen_proto_get_bool (o, "denied", "deny", &denied, error))
    return NULL;
  gint64 version = clearing_deny_set (db, agency, card, denied, error);
  if (version < 0)
    return NULL;
  return g_strdup_printf ("{\"version\":%" G_GINT64_FORMAT "}", version);
}

char *
clearing_deny_list (ClearingDb *db, gint64 since, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT agency, card, denied, version, "
                                            "(SELECT COALESCE(MAX(version), 0) FROM deny) FROM deny "
                                            "WHERE version > $1 ORDER BY version",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, since);
  ClearingStmt *cur;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  int rc;
  gint64 version = -1;
  g_autoptr (JsonNode) entries = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  json_node_take_array (entries, array);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      JsonObject *e = json_object_new ();
      json_object_set_string_member (e, "agency", clearing_stmt_text (stmt, 0));
      json_object_set_string_member (e, "card", clearing_stmt_text (stmt, 1));
      json_object_set_boolean_member (e, "denied", clearing_stmt_int64 (stmt, 2) != 0);
      json_array_add_object_element (array, e);
      version = clearing_stmt_int64 (stmt, 4);
    }
  if (rc < 0)
    return NULL;
  if (version < 0)
    {
      cur = clearing_db_prepare (db, "SELECT COALESCE(MAX(version), 0) FROM deny", error);
      if (cur == NULL || clearing_stmt_step (cur, error) < 0)
        return NULL;
      version = clearing_stmt_int64 (cur, 0);
      clearing_stmt_run (cur, NULL);
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, version);
  json_builder_set_member_name (b, "entries");
  json_builder_add_value (b, g_steal_pointer (&entries));
  json_builder_end_object (b);
  return clearing_builder_text (b);
}
