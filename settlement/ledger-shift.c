/* ledger-shift.c — shifts and their Z-reports.
 *
 * A shift is every journal entry between two shift closes. Closing writes the
 * Z-report (counts and totals by kind) into shift_closes and the journal, in
 * one transaction, so a Z-report can never disagree with the entries it
 * sums; the next entry then belongs to the next shift.
 */
#include "ledger-private.h"

void
canteen_z_report_free (CanteenZReport *report)
{
  if (report == NULL)
    return;
  g_free (report->terminal);
  g_clear_pointer (&report->opened, g_date_time_unref);
  g_clear_pointer (&report->closed, g_date_time_unref);
  g_clear_pointer (&report->lines, g_array_unref);
  g_free (report);
}

static gboolean
add_line (CanteenLedger *l, CanteenZReport *r, const char *kind, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, sql, error);
  CanteenZLine line = { kind, 0, 0 };

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, r->shift_no);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      ledger_set_db_error (l, error, "summing the shift");
      return FALSE;
    }
  line.count = sqlite3_column_int (stmt, 0);
  line.amount_fen = sqlite3_column_int64 (stmt, 1);
  sqlite3_reset (stmt);
  g_array_append_val (r->lines, line);
  return TRUE;
}

static CanteenZReport *
build_report (CanteenLedger *l, GError **error)
{
  g_autoptr(CanteenZReport) r = g_new0 (CanteenZReport, 1);
  sqlite3_stmt *stmt;

  r->lines = g_array_new (FALSE, TRUE, sizeof (CanteenZLine));
  r->terminal = ledger_meta_get (l, "terminal");
  r->shift_no = ledger_current_shift (l, error);
  if (r->shift_no < 0)
    return NULL;

  stmt = ledger_stmt (l, "SELECT count (*), COALESCE (SUM (total_fen), 0), COALESCE (SUM (subsidy_fen), 0), "
                         "       COALESCE (SUM (charged_fen), 0) FROM checkouts WHERE shift_no = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, r->shift_no);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      ledger_set_db_error (l, error, "summing the shift");
      return NULL;
    }
  r->checkouts = sqlite3_column_int (stmt, 0);
  r->sales_fen = sqlite3_column_int64 (stmt, 1);
  r->subsidy_fen = sqlite3_column_int64 (stmt, 2);
  r->card_fen = sqlite3_column_int64 (stmt, 3);
  sqlite3_reset (stmt);

  stmt = ledger_stmt (l, "SELECT MIN (created_utc) FROM journal WHERE shift_no = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, r->shift_no);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    r->opened = ledger_parse_utc ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (!add_line (l, r, "staff", "SELECT count (*), COALESCE (SUM (charged_fen), 0) FROM checkouts "
                                "WHERE shift_no = ?1 AND payer = 'staff'", error) ||
      !add_line (l, r, "visitor", "SELECT count (*), COALESCE (SUM (charged_fen), 0) FROM checkouts "
                                  "WHERE shift_no = ?1 AND payer = 'visitor'", error) ||
      !add_line (l, r, "subsidy", "SELECT count (*), COALESCE (SUM (subsidy_fen), 0) FROM checkouts "
                                  "WHERE shift_no = ?1 AND subsidy_fen > 0", error) ||
      !add_line (l, r, "void", "SELECT count (*), COALESCE (SUM (credited_fen), 0) FROM voids WHERE shift_no = ?1", error) ||
      !add_line (l, r, "refund", "SELECT count (*), COALESCE (SUM (amount_fen), 0) FROM refunds WHERE shift_no = ?1", error) ||
      !add_line (l, r, "topup", "SELECT count (*), COALESCE (SUM (amount_fen), 0) FROM topups WHERE shift_no = ?1", error) ||
      /* Visiting officials' meals paid with their home agency's card: owed
       * by that agency through the clearing service, not in card_fen. */
      !add_line (l, r, "clearing", "SELECT count (*), COALESCE (SUM (amount_fen), 0) FROM visitor_sales "
                                   "WHERE shift_no = ?1 AND kind = 'sale'", error) ||
      !add_line (l, r, "clearing-reversal", "SELECT count (*), COALESCE (SUM (amount_fen), 0) FROM visitor_sales "
                                            "WHERE shift_no = ?1 AND kind = 'reversal'", error))
    return NULL;
  return g_steal_pointer (&r);
}

CanteenZReport *
canteen_ledger_shift_report (CanteenLedger *l, GError **error)
{
  CanteenZReport *r;

  if (sqlite3_exec (l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      ledger_set_db_error (l, error, "starting to read");
      return NULL;
    }
  r = build_report (l, error);
  sqlite3_exec (l->db, "COMMIT", NULL, NULL, NULL);
  return r;
}

JsonNode *
canteen_z_report_to_json (const CanteenZReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "shift");
  json_builder_add_int_value (b, r->shift_no);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, r->terminal ? r->terminal : "");
  json_builder_set_member_name (b, "closed");
  json_builder_add_boolean_value (b, r->closed != NULL);
  json_builder_set_member_name (b, "checkouts");
  json_builder_add_int_value (b, r->checkouts);
  json_builder_set_member_name (b, "sales_fen");
  json_builder_add_int_value (b, r->sales_fen);
  json_builder_set_member_name (b, "subsidy_fen");
  json_builder_add_int_value (b, r->subsidy_fen);
  json_builder_set_member_name (b, "card_fen");
  json_builder_add_int_value (b, r->card_fen);
  json_builder_set_member_name (b, "by_kind");
  json_builder_begin_object (b);
  for (guint i = 0; i < r->lines->len; i++)
    {
      const CanteenZLine *line = &g_array_index (r->lines, CanteenZLine, i);
      json_builder_set_member_name (b, line->kind);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, line->count);
      json_builder_set_member_name (b, "amount_fen");
      json_builder_add_int_value (b, line->amount_fen);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

CanteenZReport *
canteen_ledger_close_shift (CanteenLedger *l, GDateTime *now, GError **error)
{
  g_autoptr(CanteenZReport) r = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *closed = ledger_utc_string (now);
  sqlite3_stmt *stmt;

  if (!ledger_begin (l, error))
    return NULL;
  r = build_report (l, error);
  if (r == NULL)
    goto fail;
  r->closed = g_date_time_to_utc (now);
  json = canteen_z_report_to_json (r);
  text = json_to_string (json, FALSE);
  /* The close entry is the shift's last: it carries the figures it closes. */
  r->journal_seq = ledger_journal_append (l, "shift-close", NULL, NULL, 0, 0, FALSE,
                                          json_node_copy (json), now, error);
  if (r->journal_seq < 0)
    goto fail;
  stmt = ledger_stmt (l, "INSERT INTO shift_closes (shift_no, terminal, closed_utc, report, journal_seq) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int (stmt, 1, r->shift_no);
  sqlite3_bind_text (stmt, 2, r->terminal ? r->terminal : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, closed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, r->journal_seq);
  if (!ledger_step_done (l, stmt, "closing the shift", error) || !ledger_commit (l, error))
    goto fail;
  return g_steal_pointer (&r);

fail:
  ledger_rollback (l);
  return NULL;
}
