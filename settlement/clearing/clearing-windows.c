/* clearing-windows.c — settlement windows and positions.
 *
 * `window close` is one transaction: the open window gets its closing time,
 * the next opens, and the bilateral matrix (one GROUP BY over the window's
 * records) and each agency's net (derived from that matrix, so the nets sum
 * to exactly 0 by construction) are stored. The signed statements follow,
 * one transaction per agency (they are large; a missing one is made when
 * first asked for). Batches stored concurrently either committed before (and are
 * counted) or see the new window (SQLite: one writer; PostgreSQL:
 * SERIALIZABLE). The schema refuses to change a closed window's rows. */
#include "clearing-private.h"

#include <string.h>

void
clearing_flow_free (gpointer p)
{
  ClearingFlow *f = p;
  g_free (f->from);
  g_free (f->to);
  g_free (f);
}

GPtrArray *
clearing_compute_flows (ClearingDb *db, gint64 win, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT issuer, acquirer, SUM(amount_fen) FROM records "
                                            "WHERE win = $1 AND issuer <> acquirer GROUP BY issuer, acquirer "
                                            "ORDER BY issuer, acquirer",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, win);
  g_autoptr (GPtrArray) flows = g_ptr_array_new_with_free_func (clearing_flow_free);
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      gint64 fen = clearing_stmt_int64 (stmt, 2);
      if (fen == 0)
        continue;   /* fully reversed */
      ClearingFlow *f = g_new0 (ClearingFlow, 1);
      f->from = g_strdup (clearing_stmt_text (stmt, 0));
      f->to = g_strdup (clearing_stmt_text (stmt, 1));
      f->fen = fen;
      g_ptr_array_add (flows, f);
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&flows);
}

GPtrArray *
clearing_agency_codes (ClearingDb *db, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT code FROM agencies ORDER BY code", error);
  if (stmt == NULL)
    return NULL;
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  int rc;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    g_ptr_array_add (codes, g_strdup (clearing_stmt_text (stmt, 0)));
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&codes);
}

gint64
clearing_flows_net (GPtrArray *flows, const char *agency)
{
  gint64 net = 0;
  for (guint i = 0; i < flows->len; i++)
    {
      ClearingFlow *f = g_ptr_array_index (flows, i);
      if (strcmp (f->to, agency) == 0)
        net += f->fen;
      if (strcmp (f->from, agency) == 0)
        net -= f->fen;
    }
  return net;
}

typedef struct {
  const char *now;
  gint64 closed;
} Close;

static gboolean
close_tx (ClearingDb *db, gpointer data, GError **error)
{
  Close *c = data;
  gint64 win;
  if (!clearing_open_window (db, &win, error))
    return FALSE;
  ClearingStmt *stmt = clearing_db_prepare (db, "UPDATE windows SET closed = $1 WHERE id = $2 AND closed IS NULL",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, c->now);
  clearing_stmt_bind_int64 (stmt, 2, win);
  if (!clearing_stmt_run (stmt, error))
    return FALSE;
  stmt = clearing_db_prepare (db, "INSERT INTO windows (id, opened) VALUES ($1, $2)", error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win + 1);
  clearing_stmt_bind_text (stmt, 2, c->now);
  if (!clearing_stmt_run (stmt, error))
    return FALSE;

  g_autoptr (GPtrArray) flows = clearing_compute_flows (db, win, error);
  g_autoptr (GPtrArray) codes = flows ? clearing_agency_codes (db, error) : NULL;
  if (codes == NULL)
    return FALSE;
  for (guint i = 0; i < flows->len; i++)
    {
      ClearingFlow *f = g_ptr_array_index (flows, i);
      stmt = clearing_db_prepare (db, "INSERT INTO bilateral (win, from_agency, to_agency, fen) VALUES ($1, $2, $3, $4)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_int64 (stmt, 1, win);
      clearing_stmt_bind_text (stmt, 2, f->from);
      clearing_stmt_bind_text (stmt, 3, f->to);
      clearing_stmt_bind_int64 (stmt, 4, f->fen);
      if (!clearing_stmt_run (stmt, error))
        return FALSE;
    }
  for (guint i = 0; i < codes->len; i++)
    {
      const char *agency = g_ptr_array_index (codes, i);
      stmt = clearing_db_prepare (db, "INSERT INTO positions (win, agency, net_fen) VALUES ($1, $2, $3)", error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_int64 (stmt, 1, win);
      clearing_stmt_bind_text (stmt, 2, agency);
      clearing_stmt_bind_int64 (stmt, 3, clearing_flows_net (flows, agency));
      if (!clearing_stmt_run (stmt, error))
        return FALSE;
    }
  c->closed = win;
  return TRUE;
}

gint64
clearing_window_close_net (ClearingDb *db, GDateTime *now, GError **error)
{
  g_autofree char *now_text = canteen_proto_format_time (now);
  Close c = { now_text, -1 };
  if (!clearing_db_transact (db, close_tx, &c, error))
    return -1;
  return c.closed;
}

gint64
clearing_window_close (ClearingDb *db, const ClearingKey *key, GDateTime *now, GError **error)
{
  gint64 closed = clearing_window_close_net (db, now, error);
  if (closed < 0)
    return -1;
  g_autoptr (GPtrArray) codes = clearing_agency_codes (db, error);
  if (codes == NULL)
    return -1;
  for (guint i = 0; i < codes->len; i++)
    if (!clearing_statements_make (db, key, closed, g_ptr_array_index (codes, i), error))
      return -1;
  return closed;
}

static gint64
resolve_window (ClearingDb *db, gint64 window, GError **error)
{
  if (window > 0)
    {
      ClearingStmt *stmt = clearing_db_prepare (db, "SELECT closed FROM windows WHERE id = $1", error);
      if (stmt == NULL)
        return -1;
      clearing_stmt_bind_int64 (stmt, 1, window);
      int rc = clearing_stmt_step (stmt, error);
      if (rc < 0)
        return -1;
      gboolean closed = rc == 1 && !clearing_stmt_is_null (stmt, 0);
      if (rc == 1)
        clearing_stmt_run (stmt, NULL);
      if (rc == 0)
        clearing_fail (error, CLEARING_ERROR_NOT_FOUND, "window: there is no window %" G_GINT64_FORMAT, window);
      else if (!closed)
        clearing_fail (error, CLEARING_ERROR_NOT_FOUND,
                       "window: window %" G_GINT64_FORMAT " is still open (positions and statements are made "
                       "when it closes)", window);
      return rc == 1 && closed ? window : -1;
    }
  gint64 last = clearing_last_closed_window (db, error);
  if (last == 0)
    clearing_fail (error, CLEARING_ERROR_NOT_FOUND, "window: no window is closed yet");
  return last > 0 ? last : -1;
}

char *
clearing_positions_json (ClearingDb *db, gint64 window, GError **error)
{
  gint64 win = resolve_window (db, window, error);
  if (win < 0)
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  int rc;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "window");
  json_builder_add_int_value (b, win);
  json_builder_set_member_name (b, "positions");
  json_builder_begin_array (b);
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT agency, net_fen FROM positions WHERE win = $1 ORDER BY agency",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, win);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "agency");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 0));
      json_builder_set_member_name (b, "net_fen");
      json_builder_add_int_value (b, clearing_stmt_int64 (stmt, 1));
      json_builder_end_object (b);
    }
  if (rc < 0)
    return NULL;
  json_builder_end_array (b);
  json_builder_set_member_name (b, "bilateral");
  json_builder_begin_array (b);
  stmt = clearing_db_prepare (db,
                              "SELECT from_agency, to_agency, fen FROM bilateral WHERE win = $1 "
                              "ORDER BY from_agency, to_agency",
                              error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, win);
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "from");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 0));
      json_builder_set_member_name (b, "to");
      json_builder_add_string_value (b, clearing_stmt_text (stmt, 1));
      json_builder_set_member_name (b, "fen");
      json_builder_add_int_value (b, clearing_stmt_int64 (stmt, 2));
      json_builder_end_object (b);
    }
  if (rc < 0)
    return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  return clearing_builder_text (b);
}

gboolean
clearing_statement_get (ClearingDb *db, const ClearingKey *key, gint64 window, const char *agency,
                        const char *format, char **body, char **signature, GError **error)
{
  gint64 win = resolve_window (db, window, error);
  if (win < 0)
    return FALSE;
  if (!clearing_statements_make (db, key, win, agency, error))
    return FALSE;
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT body, signature FROM statements "
                                            "WHERE win = $1 AND agency = $2 AND format = $3",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_int64 (stmt, 1, win);
  clearing_stmt_bind_text (stmt, 2, agency);
  clearing_stmt_bind_text (stmt, 3, format);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return clearing_fail (error, CLEARING_ERROR_NOT_FOUND,
                          "no %s statement of agency %s for window %" G_GINT64_FORMAT, format, agency, win);
  *body = g_strdup (clearing_stmt_text (stmt, 0));
  *signature = g_strdup (clearing_stmt_text (stmt, 1));
  clearing_stmt_run (stmt, NULL);
  return TRUE;
}
