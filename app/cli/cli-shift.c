/* cli-shift.c — shift figures and the Z-report. */
#include <stdio.h>

#include "cli.h"
#include "money.h"

static void
print_report (CliGlobal *g, CanteenLedger *ledger, const CanteenZReport *r, gboolean closed)
{
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "shift");
      json_builder_add_int_value (b, r->shift_no);
      json_builder_set_member_name (b, "closed");
      json_builder_add_boolean_value (b, closed);
      json_builder_set_member_name (b, "terminal");
      json_builder_add_string_value (b, r->terminal);
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
      cli_print_json (json_builder_get_root (b));
      return;
    }

  {
    GTimeZone *tz = canteen_ledger_get_timezone (ledger);
    g_autofree char *sales = canteen_fen_format (r->sales_fen);
    g_autofree char *subsidy = canteen_fen_format (r->subsidy_fen);
    g_autofree char *card = canteen_fen_format (r->card_fen);
    g_autofree char *opened = NULL, *closed_at = NULL;

    if (r->opened)
      {
        g_autoptr(GDateTime) local = g_date_time_to_timezone (r->opened, tz);
        opened = g_date_time_format (local, "%Y-%m-%d %H:%M");
      }
    if (r->closed)
      {
        g_autoptr(GDateTime) local = g_date_time_to_timezone (r->closed, tz);
        closed_at = g_date_time_format (local, "%Y-%m-%d %H:%M");
      }
    printf ("%s — terminal %s, shift %d\n", closed ? "Z-REPORT" : "X-REPORT (shift still open)",
            r->terminal, r->shift_no);
    printf ("From %s to %s\n", opened ? opened : "-", closed_at ? closed_at : "now");
    printf ("Checkouts %d   sales %s   subsidy %s   charged to cards %s\n", r->checkouts, sales, subsidy, card);
    for (guint i = 0; i < r->lines->len; i++)
      {
        const CanteenZLine *line = &g_array_index (r->lines, CanteenZLine, i);
        g_autofree char *amount = canteen_fen_format (line->amount_fen);
        printf ("  %-8s %5d  %12s\n", line->kind, line->count, amount);
      }
  }
}

static int
cmd_shift_close (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenZReport) report = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GError *error = NULL;

  if (!cli_parse_options ("shift close", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (report = canteen_ledger_close_shift (ledger, now, &error)) == NULL)
    return cli_fail (error);
  print_report (g, ledger, report, TRUE);
  return CLI_OK;
}

static int
cmd_shift_report (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenZReport) report = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("shift report", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (report = canteen_ledger_shift_report (ledger, &error)) == NULL)
    return cli_fail (error);
  print_report (g, ledger, report, FALSE);
  return CLI_OK;
}

const CliCommand cli_shift_commands[] = {
  { "shift close", "Close the shift and print its Z-report", cmd_shift_close },
  { "shift report", "Figures of the open shift (X-report)", cmd_shift_report },
  { NULL }
};
