/* cli-account.c — card accounts. */
#include <stdio.h>

#include "cli.h"
#include "money.h"

static JsonNode *
account_json (const CanteenAccount *a)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "card");
  json_builder_add_string_value (b, a->card);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, a->holder);
  json_builder_set_member_name (b, "agency");
  json_builder_add_string_value (b, a->agency);
  json_builder_set_member_name (b, "balance_fen");
  json_builder_add_int_value (b, a->balance_fen);
  json_builder_set_member_name (b, "credit_limit_fen");
  json_builder_add_int_value (b, a->credit_limit_fen);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, canteen_account_status_id (a->status));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_account (CliGlobal *g, const CanteenAccount *a)
{
  if (g->json)
    cli_print_json (account_json (a));
  else
    {
      g_autofree char *balance = canteen_fen_format (a->balance_fen);
      /* Translators: card, holder, agency code, balance, then the status
       * id (active, lost, closed) as typed with --set. */
      printf (_("%s  %s  (%s)  balance %s  %s\n"), a->card, a->holder, a->agency, balance,
              canteen_account_status_id (a->status));
    }
}

static int
cmd_account_add (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL, *name = NULL, *agency = NULL, *balance = NULL, *credit = NULL;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card number or UID"), "CARD" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Card holder"), "NAME" },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, N_("Holder's agency code"), "CODE" },
    { "balance", 0, 0, G_OPTION_ARG_STRING, &balance, N_("Opening balance (default 0)"), "FEN" },
    { "credit-limit", 0, 0, G_OPTION_ARG_STRING, &credit,
      N_("How far below zero the balance may go (default 0)"), "FEN" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenAccount account;
  gint64 balance_fen = 0, credit_fen = 0;
  GError *error = NULL;

  if (!cli_parse_options ("account add", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("account add: unexpected argument “%s”"), argv[1]);
  if (card == NULL || name == NULL || agency == NULL)
    return cli_usage_error (_("account add: --card, --name and --agency are required"));
  if ((balance && !canteen_fen_parse (balance, "balance", CANTEEN_FEN_MAX, &balance_fen, &error)) ||
      (credit && !canteen_fen_parse (credit, "credit-limit", CANTEEN_FEN_MAX, &credit_fen, &error)))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL ||
      !canteen_ledger_add_account (ledger, card, name, agency, balance_fen, credit_fen, &error) ||
      !canteen_ledger_get_account (ledger, card, &account, &error))
    return cli_fail (error);
  print_account (g, &account);
  canteen_account_clear (&account);
  return CLI_OK;
}

static int
cmd_account_topup (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL, *amount = NULL, *id = NULL;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card number"), "CARD" },
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount, N_("Amount to add"), "FEN" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Top-up id: repeating it adds nothing twice"), "ID" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenAccount account;
  gint64 amount_fen = 0;
  GError *error = NULL;

  if (!cli_parse_options ("account topup", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("account topup: unexpected argument “%s”"), argv[1]);
  if (card == NULL || amount == NULL)
    return cli_usage_error (_("account topup: --card and --amount are required"));
  if (!canteen_fen_parse (amount, "amount", CANTEEN_FEN_MAX, &amount_fen, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_topup (ledger, card, amount_fen, id, &account, &error))
    return cli_fail (error);
  print_account (g, &account);
  canteen_account_clear (&account);
  return CLI_OK;
}

static int
cmd_account_show (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card number"), "CARD" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenAccount account;
  GError *error = NULL;

  if (!cli_parse_options ("account show", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (card == NULL)
    return cli_usage_error (_("account show: --card is required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_get_account (ledger, card, &account, &error))
    return cli_fail (error);
  print_account (g, &account);
  canteen_account_clear (&account);
  return CLI_OK;
}

static int
cmd_account_list (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *agency = NULL;
  const GOptionEntry entries[] = {
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, N_("Only this agency's cards"), "CODE" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("account list", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (accounts = canteen_ledger_list_accounts (ledger, agency, &error)) == NULL)
    return cli_fail (error);
  if (g->json)
    {
      JsonArray *array = json_array_new ();
      JsonNode *root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *obj = json_object_new ();
      for (guint i = 0; i < accounts->len; i++)
        json_array_add_element (array, account_json (g_ptr_array_index (accounts, i)));
      json_object_set_array_member (obj, "accounts", array);
      json_node_take_object (root, obj);
      cli_print_json (root);
    }
  else
    for (guint i = 0; i < accounts->len; i++)
      print_account (g, g_ptr_array_index (accounts, i));
  return CLI_OK;
}

static int
cmd_account_status (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL, *set = NULL, *by = NULL;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card number"), "CARD" },
    { "set", 0, 0, G_OPTION_ARG_STRING, &set, N_("New status: active, lost or closed"), "STATUS" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who authorised it"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenAccountStatus status;
  CanteenAccount account;
  GError *error = NULL;

  if (!cli_parse_options ("account status", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (card == NULL || set == NULL)
    return cli_usage_error (_("account status: --card and --set are required"));
  if (by == NULL)
    by = cli_default_by ();
  if (!canteen_account_status_parse (set, &status, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_ledger_set_account_status (ledger, card, status, by, &error) ||
      !canteen_ledger_get_account (ledger, card, &account, &error))
    return cli_fail (error);
  print_account (g, &account);
  canteen_account_clear (&account);
  return CLI_OK;
}

const CliCommand cli_account_commands[] = {
  { "account add", N_("Register a card with its holder and opening balance"), cmd_account_add },
  { "account topup", N_("Add money to a card"), cmd_account_topup },
  { "account show", N_("Show a card's balance and status"), cmd_account_show },
  { "account list", N_("List cards"), cmd_account_list },
  { "account status", N_("Report a card lost, re-activate or close it"), cmd_account_status },
  { NULL }
};
