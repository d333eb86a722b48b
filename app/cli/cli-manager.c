/* cli-manager.c — managers whose PIN authorises voids and refunds. */
#include <stdio.h>

#include "cli.h"

static int
cmd_manager_add (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *id = NULL, *name = NULL, *pin = NULL;
  const GOptionEntry entries[] = {
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, "Manager id", "ID" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Manager's name", "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("manager add", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error ("manager add: unexpected argument “%s”", argv[1]);
  if (id == NULL || name == NULL)
    return cli_usage_error ("manager add: --id and --name are required (the PIN on standard input)");
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
    printf ("Manager %s (%s) added\n", id, name);
  return CLI_OK;
}

const CliCommand cli_manager_commands[] = {
  { "manager add", "Add a manager (PIN on standard input) who may authorise voids and refunds", cmd_manager_add },
  { NULL }
};
