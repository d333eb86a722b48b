/* clearing-statements.c — an agency's statement for a closed window, as
 * JSON or CSV (API.md "Statements"), built only from the stored records and
 * the window's closing time, so `verify` can rebuild it and compare it
 * byte for byte with the signed one. Only cross-agency records appear (a
 * meal at one's own agency is not settled). CSV: a header line
 * "window,agency,terminal,seq,kind,role,card,amount_fen,time", then one
 * line per record; identifiers never hold commas or quotes. */
#include "clearing-private.h"

#include <string.h>

/* Identifiers (API.md) never need JSON escaping: members are written as is. */
char *
clearing_statement_build (ClearingDb *db, gint64 win, const char *agency, const char *format, GError **error)
{
  gboolean csv = strcmp (format, "csv") == 0;
  ClearingStmt *stmt = clearing_db_prepare (db, "SELECT closed FROM windows WHERE id = $1", error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, win);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return NULL;
  if (rc == 0 || clearing_stmt_is_null (stmt, 0))
    {
      if (rc == 1)
        clearing_stmt_run (stmt, NULL);
      clearing_fail (error, CLEARING_ERROR_NOT_FOUND, "window %" G_GINT64_FORMAT " is not closed", win);
      return NULL;
    }
  g_autofree char *closed = g_strdup (clearing_stmt_text (stmt, 0));
  clearing_stmt_run (stmt, NULL);
  if (!canteen_proto_check_agency (agency, error))
    return NULL;

  g_autoptr (GPtrArray) flows = clearing_compute_flows (db, win, error);
  if (flows == NULL)
    return NULL;

  g_autoptr (GString) text = g_string_sized_new (4096);
  if (csv)
    g_string_append (text, "window,agency,terminal,seq,kind,role,card,amount_fen,time\n");
  else
    {
      g_string_append_printf (text, "{\"window\":%" G_GINT64_FORMAT ",\"agency\":\"%s\",\"closed\":\"%s\","
                              "\"net_fen\":%" G_GINT64_FORMAT ",\"receivable\":[", win, agency, closed,
                              clearing_flows_net (flows, agency));
      gboolean first = TRUE;
      for (guint i = 0; i < flows->len; i++)
        {
          ClearingFlow *f = g_ptr_array_index (flows, i);
          if (strcmp (f->to, agency) != 0)
            continue;
          g_string_append_printf (text, "%s{\"from\":\"%s\",\"fen\":%" G_GINT64_FORMAT "}", first ? "" : ",",
                                  f->from, f->fen);
          first = FALSE;
        }
      g_string_append (text, "],\"payable\":[");
      first = TRUE;
      for (guint i = 0; i < flows->len; i++)
        {
          ClearingFlow *f = g_ptr_array_index (flows, i);
          if (strcmp (f->from, agency) != 0)
            continue;
          g_string_append_printf (text, "%s{\"to\":\"%s\",\"fen\":%" G_GINT64_FORMAT "}", first ? "" : ",",
                                  f->to, f->fen);
          first = FALSE;
        }
      g_string_append (text, "],\"records\":[");
    }

  stmt = clearing_db_prepare (db,
                              "SELECT terminal, seq, kind, issuer, card, amount_fen, at FROM records "
                              "WHERE win = $1 AND (issuer = $2 OR acquirer = $2) AND issuer <> acquirer "
                              "ORDER BY terminal, seq",
                              error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_int64 (stmt, 1, win);
  clearing_stmt_bind_text (stmt, 2, agency);
  gboolean first = TRUE;
  while ((rc = clearing_stmt_step (stmt, error)) == 1)
    {
      const char *role = strcmp (clearing_stmt_text (stmt, 3), agency) == 0 ? "issuer" : "acquirer";
      if (csv)
        g_string_append_printf (text, "%" G_GINT64_FORMAT ",%s,%s,%" G_GINT64_FORMAT ",%s,%s,%s,%" G_GINT64_FORMAT
                                ",%s\n", win, agency, clearing_stmt_text (stmt, 0), clearing_stmt_int64 (stmt, 1),
                                clearing_stmt_text (stmt, 2), role, clearing_stmt_text (stmt, 4),
                                clearing_stmt_int64 (stmt, 5), clearing_stmt_text (stmt, 6));
      else
        g_string_append_printf (text, "%s{\"terminal\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"kind\":\"%s\","
                                "\"role\":\"%s\",\"card\":\"%s\",\"amount_fen\":%" G_GINT64_FORMAT
                                ",\"time\":\"%s\"}", first ? "" : ",", clearing_stmt_text (stmt, 0),
                                clearing_stmt_int64 (stmt, 1), clearing_stmt_text (stmt, 2), role,
                                clearing_stmt_text (stmt, 4), clearing_stmt_int64 (stmt, 5),
                                clearing_stmt_text (stmt, 6));
      first = FALSE;
    }
  if (rc < 0)
    return NULL;
  if (!csv)
    g_string_append (text, "]}");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct {
  const ClearingKey *key;
  gint64 win;
  const char *agency;
} Make;

static gboolean
make_tx (ClearingDb *db, gpointer data, GError **error)
{
  Make *m = data;
  static const char *const formats[] = { "json", "csv" };
  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      ClearingStmt *stmt = clearing_db_prepare (db,
                                                "SELECT COUNT(*) FROM statements WHERE win = $1 AND agency = $2 "
                                                "AND format = $3",
                                                error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_int64 (stmt, 1, m->win);
      clearing_stmt_bind_text (stmt, 2, m->agency);
      clearing_stmt_bind_text (stmt, 3, formats[k]);
      if (clearing_stmt_step (stmt, error) < 0)
        return FALSE;
      gboolean exists = clearing_stmt_int64 (stmt, 0) > 0;
      clearing_stmt_run (stmt, NULL);
      if (exists)
        continue;
      g_autofree char *body = clearing_statement_build (db, m->win, m->agency, formats[k], error);
      if (body == NULL)
        return FALSE;
      g_autofree char *kind = g_strconcat ("statement-", formats[k], NULL);
      g_autofree char *sig = clearing_sign_document (m->key, kind, body, strlen (body));
      stmt = clearing_db_prepare (db,
                                  "INSERT INTO statements (win, agency, format, body, signature) "
                                  "VALUES ($1, $2, $3, $4, $5)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      clearing_stmt_bind_int64 (stmt, 1, m->win);
      clearing_stmt_bind_text (stmt, 2, m->agency);
      clearing_stmt_bind_text (stmt, 3, formats[k]);
      clearing_stmt_bind_text (stmt, 4, body);
      clearing_stmt_bind_text (stmt, 5, sig);
      if (!clearing_stmt_run (stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
clearing_statements_make (ClearingDb *db, const ClearingKey *key, gint64 win, const char *agency, GError **error)
{
  Make m = { key, win, agency };
  return clearing_db_transact (db, make_tx, &m, error);
}
