/* cli-menu.c — importing and listing dishes. */
#include <stdio.h>

#include "cli.h"
#include "menu-file.h"
#include "money.h"

static int
cmd_menu_import (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *day = NULL;
  const GOptionEntry entries[] = {
    { "day", 0, 0, G_OPTION_ARG_STRING, &day, N_("Put the dishes on this day's menu (default today)"), "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("menu import", "FILE", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("menu import: name one menu file (JSON or CSV)"));
  /* Parse the whole file before the ledger is even opened: a bad file
   * cannot change anything. */
  dishes = canteen_menu_file_load (argv[1], &error);
  if (dishes == NULL)
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return cli_fail (error);
  if (day == NULL)
    day = cli_today (ledger);
  if (!canteen_ledger_import_dishes (ledger, dishes, day, &error))
    return cli_fail (error);
  if (g->json)
    {
      JsonBuilder *b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "imported");
      json_builder_add_int_value (b, dishes->len);
      json_builder_set_member_name (b, "day");
      json_builder_add_string_value (b, day);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
      g_object_unref (b);
    }
  else
    printf (_("Imported %u dishes onto the menu of %s\n"), dishes->len, day);
  return CLI_OK;
}

static void
add_dish_json (JsonBuilder *b, const CanteenDish *d)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, d->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, d->name);
  json_builder_set_member_name (b, "name_en");
  json_builder_add_string_value (b, d->name_en);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, d->category);
  json_builder_set_member_name (b, "price_fen");
  json_builder_add_int_value (b, d->price_fen);
  json_builder_set_member_name (b, "visitor_price_fen");
  json_builder_add_int_value (b, d->visitor_price_fen);
  json_builder_set_member_name (b, "portion_g");
  json_builder_add_int_value (b, d->portion_g);
  if (d->price_per_100g_fen >= 0)
    {
      json_builder_set_member_name (b, "price_per_100g_fen");
      json_builder_add_int_value (b, d->price_per_100g_fen);
    }
  if (d->kcal >= 0)
    {
      json_builder_set_member_name (b, "kcal");
      json_builder_add_int_value (b, d->kcal);
    }
  json_builder_end_object (b);
}

static int
cmd_menu_list (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *day = NULL;
  g_autofree char *period = NULL;
  const GOptionEntry entries[] = {
    { "day", 0, 0, G_OPTION_ARG_STRING, &day, N_("Only that day's menu (\"today\" allowed)"), "YYYY-MM-DD" },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period, N_("With --day: only this meal period"), "PERIOD" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  CanteenMealPeriod p = CANTEEN_MEAL_NONE;
  GError *error = NULL;

  if (!cli_parse_options ("menu list", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("menu list: unexpected argument “%s”"), argv[1]);
  if (period && (p = canteen_meal_period_from_id (period)) == CANTEEN_MEAL_NONE)
    return cli_usage_error (_("period: “%s” is not breakfast, lunch or dinner"), period);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return cli_fail (error);
  if (g_strcmp0 (day, "today") == 0)
    {
      g_free (day);
      day = cli_today (ledger);
    }
  dishes = canteen_ledger_list_dishes (ledger, day, p, &error);
  if (dishes == NULL)
    return cli_fail (error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dishes");
  json_builder_begin_array (b);
  for (guint i = 0; i < dishes->len; i++)
    {
      const CanteenDish *d = g_ptr_array_index (dishes, i);
      if (g->json)
        add_dish_json (b, d);
      else
        {
          g_autofree char *price = canteen_fen_format (d->price_fen);
          g_autofree char *visitor = canteen_fen_format (d->visitor_price_fen);
          /* Translators: one dish: id, name, category, price, price for
           * visitors, standard portion in grams, English name. */
          printf (_("%-6s %s\t%s\t%s / visitor %s\t%d g\t%s\n"), d->id, d->name, d->category, price, visitor,
                  d->portion_g, d->name_en);
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (g->json)
    cli_print_json (json_builder_get_root (b));
  return CLI_OK;
}

const CliCommand cli_menu_commands[] = {
  { "menu import", N_("Add or update dishes from a JSON or CSV file"), cmd_menu_import },
  { "menu list", N_("List dishes (all, or one day's menu)"), cmd_menu_list },
  { NULL }
};
