/* cli-manager.c — managers whose PIN authorises voids and refunds, and the
 * cards that sign them in to the kiosk's dashboard. */
#include <stdio.h>

#include "cli.h"
#include "validate.h"

static int
cmd_manager_add (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *id = NULL, *name = NULL, *pin = NULL;
  const GOptionEntry entries[] = {
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Manager id"), "ID" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Manager's name"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("manager add", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("manager add: unexpected argument “%s”"), argv[1]);
  if (id == NULL || name == NULL)
    return cli_usage_error (_("manager add: --id and --name are required (the PIN on standard input)"));
  pin = cli_read_pin (&error);
  ledger = pin ? cli_open_ledger (g, &error) : NULL;
  if (ledger == NULL || !canteen_ledger_add_manager (ledger, id, name, pin, &error))
    return cli_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    printf (_("Manager %s (%s) added\n"), id, name);
  return CLI_OK;
}

/* manager card ID CARD | manager card ID --clear */
static int
cmd_manager_card (CliGlobal *g, int argc, char **argv)
{
  gboolean clear = FALSE;
  const GOptionEntry entries[] = {
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, N_("Take the manager's card away"), NULL },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autofree char *card = NULL;
  const char *id;
  GError *error = NULL;

  if (!cli_parse_options ("manager card", "MANAGER_ID CARD | MANAGER_ID --clear", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc < 2)
    return cli_usage_error (_("manager card: MANAGER_ID is required (then CARD, or --clear)"));
  if (clear ? argc > 2 : argc != 3)
    return cli_usage_error ("%s", clear ? _("manager card: --clear takes no CARD")
                                        : _("manager card: give MANAGER_ID and CARD, or MANAGER_ID --clear"));
  id = argv[1];
  /* The ledger's own spelling (upper case), for what is printed. */
  if (!clear && (card = canteen_card_normalize (argv[2], &error)) == NULL)
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_set_manager_card (ledger, id, card, &error))
    return cli_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "card");
      if (card != NULL)
        json_builder_add_string_value (b, card);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else if (card != NULL)
    printf (_("Manager %s signs in with card %s\n"), id, card);
  else
    printf (_("Manager %s has no card now\n"), id);
  return CLI_OK;
}

const CliCommand cli_manager_commands[] = {
  { "manager add", N_("Add a manager (PIN on standard input) who may authorise voids and refunds"), cmd_manager_add },
  { "manager card", N_("Give a manager a card (MANAGER_ID CARD) to sign in to the dashboard, or --clear it"),
    cmd_manager_card },
  { NULL }
};
