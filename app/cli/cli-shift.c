/* cli-shift.c — shift figures and the Z-report. */
#include <stdio.h>

#include "cli.h"
#include "money.h"

static void
print_report (CliGlobal *g, CanteenLedger *ledger, const CanteenZReport *r)
{
  if (g->json)
    {
      cli_print_json (canteen_z_report_to_json (r));
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
    /* Translators: "Z-REPORT" or "X-REPORT (shift still open)", the
     * terminal id, the shift's number. */
    printf (_("%s — terminal %s, shift %d\n"), r->closed ? _("Z-REPORT") : _("X-REPORT (shift still open)"),
            r->terminal, r->shift_no);
    /* Translators: when the shift opened, and when it closed or "now". */
    printf (_("From %s to %s\n"), opened ? opened : "-", closed_at ? closed_at : _("now"));
    printf (_("Checkouts %d   sales %s   subsidy %s   charged to cards %s\n"), r->checkouts, sales, subsidy, card);
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
  print_report (g, ledger, report);
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
  print_report (g, ledger, report);
  return CLI_OK;
}

const CliCommand cli_shift_commands[] = {
  { "shift close", N_("Close the shift and print its Z-report"), cmd_shift_close },
  { "shift report", N_("Figures of the open shift (X-report)"), cmd_shift_report },
  { NULL }
};
