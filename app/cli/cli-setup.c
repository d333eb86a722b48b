/* cli-setup.c — init, meal periods, journal verification. */
#include <stdio.h>

#include "cli.h"
#include "money.h"
#include "visitor.h"

static int
cmd_init (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *agency = NULL, *canteen = NULL, *terminal = NULL, *timezone = NULL, *agency_name = NULL;
  const GOptionEntry entries[] = {
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, N_("Agency code that operates this canteen"), "CODE" },
    { "canteen", 0, 0, G_OPTION_ARG_STRING, &canteen, N_("Canteen name"), "NAME" },
    { "terminal", 0, 0, G_OPTION_ARG_STRING, &terminal, N_("This terminal's id"), "ID" },
    { "timezone", 0, 0, G_OPTION_ARG_STRING, &timezone, N_("Local time zone (default Asia/Shanghai)"), "TZ" },
    { "agency-name", 0, 0, G_OPTION_ARG_STRING, &agency_name, N_("Agency's name shown to diners elsewhere"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("init", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("init: unexpected argument “%s”"), argv[1]);
  if (agency == NULL || canteen == NULL || terminal == NULL)
    return cli_usage_error (_("init: --agency, --canteen and --terminal are required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_init (ledger, agency, canteen, terminal, timezone, &error))
    return cli_fail (error);
  /* This agency's issuer key and this terminal's key (cross-agency
   * settlement), in "<ledger>.keys/"; kept if they exist. The ledger is set
   * up already: a failure here (e.g. an agency code longer than API.md
   * allows) is reported, and `canteenctl agency key init` can redo it. */
  if (!canteen_visitor_init_keys (ledger, agency_name, &error))
    {
      cli_message (_("warning: no settlement keys made: %s"), error->message);
      g_clear_error (&error);
    }
  if (g->json)
    {
      JsonBuilder *b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "agency");
      json_builder_add_string_value (b, agency);
      json_builder_set_member_name (b, "canteen");
      json_builder_add_string_value (b, canteen);
      json_builder_set_member_name (b, "terminal");
      json_builder_add_string_value (b, terminal);
      json_builder_set_member_name (b, "schema_version");
      json_builder_add_int_value (b, canteen_ledger_schema_version (ledger));
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
      g_object_unref (b);
    }
  else
    /* Translators: canteen name, agency code, terminal id, ledger file. */
    printf (_("Set up %s (%s), terminal %s, in %s\n"), canteen, agency, terminal, g->db_path);
  return CLI_OK;
}

static int
cmd_period_set (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *from = NULL, *to = NULL, *subsidy = NULL;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Start, local time"), "HH:MM" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("End, local time"), "HH:MM" },
    { "subsidy", 0, 0, G_OPTION_ARG_STRING, &subsidy, N_("Subsidy per own-staff diner per day"), "FEN" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenMealConfig config;
  CanteenMealPeriod period;
  CanteenMealTimes times;
  GError *error = NULL;

  if (!cli_parse_options ("period set", "PERIOD", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("period set: name one period: breakfast, lunch or dinner"));
  period = canteen_meal_period_from_id (argv[1]);
  if (period == CANTEEN_MEAL_NONE)
    return cli_usage_error (_("period: “%s” is not breakfast, lunch or dinner"), argv[1]);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_get_meal_config (ledger, &config, &error))
    return cli_fail (error);
  times = config.times[period];
  if ((from && !canteen_clock_parse (from, "from", &times.start_min, &error)) ||
      (to && !canteen_clock_parse (to, "to", &times.end_min, &error)) ||
      (subsidy && !canteen_fen_parse (subsidy, "subsidy", CANTEEN_FEN_MAX, &times.subsidy_fen, &error)) ||
      !canteen_ledger_set_meal_times (ledger, period, &times, &error))
    return cli_fail (error);
  {
    g_autofree char *start = canteen_clock_format (times.start_min);
    g_autofree char *end = canteen_clock_format (times.end_min);
    if (g->json)
      {
        g_autoptr(JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "period");
        json_builder_add_string_value (b, argv[1]);
        json_builder_set_member_name (b, "from");
        json_builder_add_string_value (b, start);
        json_builder_set_member_name (b, "to");
        json_builder_add_string_value (b, end);
        json_builder_set_member_name (b, "subsidy_fen");
        json_builder_add_int_value (b, times.subsidy_fen);
        json_builder_end_object (b);
        cli_print_json (json_builder_get_root (b));
      }
    else
      /* Translators: meal period id (breakfast, lunch, dinner: kept as
       * typed), start and end time, subsidy in fen (分). */
      printf (_("%s: %s–%s, subsidy %lld fen\n"), argv[1], start, end, (long long) times.subsidy_fen);
  }
  return CLI_OK;
}

static int
cmd_period_list (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  CanteenMealConfig config;
  GError *error = NULL;

  if (!cli_parse_options ("period list", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_get_meal_config (ledger, &config, &error))
    return cli_fail (error);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "periods");
  json_builder_begin_array (b);
  for (int p = 0; p < CANTEEN_MEAL_N_PERIODS; p++)
    {
      g_autofree char *from = canteen_clock_format (config.times[p].start_min);
      g_autofree char *to = canteen_clock_format (config.times[p].end_min);
      if (!g->json)
        printf (_("%-10s %s–%s  subsidy %lld fen\n"), canteen_meal_period_id ((CanteenMealPeriod) p),
                from, to, (long long) config.times[p].subsidy_fen);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "period");
      json_builder_add_string_value (b, canteen_meal_period_id ((CanteenMealPeriod) p));
      json_builder_set_member_name (b, "from");
      json_builder_add_string_value (b, from);
      json_builder_set_member_name (b, "to");
      json_builder_add_string_value (b, to);
      json_builder_set_member_name (b, "subsidy_fen");
      json_builder_add_int_value (b, config.times[p].subsidy_fen);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (g->json)
    cli_print_json (json_builder_get_root (b));
  return CLI_OK;
}

static int
cmd_journal_verify (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenVerifyReport report;
  GError *error = NULL;

  if (!cli_parse_options ("journal verify", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_verify (ledger, &report, &error))
    return cli_fail (error);
  if (g->json)
    {
      JsonBuilder *b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "entries");
      json_builder_add_int_value (b, report.entries);
      json_builder_set_member_name (b, "accounts");
      json_builder_add_int_value (b, report.accounts);
      json_builder_set_member_name (b, "head");
      json_builder_add_string_value (b, report.head_hash);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
      g_object_unref (b);
    }
  else
    /* Translators: the journal's hash chain is intact; "head" is the hash
     * of its last entry. */
    printf (_("Journal whole: %lld entries, %lld accounts match, head %s\n"),
            (long long) report.entries, (long long) report.accounts, report.head_hash);
  canteen_verify_report_clear (&report);
  return CLI_OK;
}

const CliCommand cli_setup_commands[] = {
  { "init", N_("Set up a new ledger for this canteen and terminal"), cmd_init },
  { "period set", N_("Set a meal period's hours and subsidy"), cmd_period_set },
  { "period list", N_("Show meal periods"), cmd_period_list },
  { "journal verify", N_("Check the hash chain and every balance"), cmd_journal_verify },
  { NULL }
};
