/* cli-waste-report.c — the return station, the kitchen's daily figures,
 * portions and the anti-waste evaluation pack (settlement/waste.h).
 *
 *   tray return --image IMG --weight G [--tare G] [--card C | --checkout ID] [--leftover D01=0.25 ...] [--id UUID]
 *     (without --checkout the tray's own tag, read from the photo, names its checkout)
 *     (leftovers per dish from the photo against the checkout's kept frame: app/station)
 *   report waste --from DATE --to DATE [--format json|csv|pdf] [--out FILE]
 *   kitchen record --day DATE --purchased G --kitchen-waste G --diners-planned N
 *   portions [--as-of DATE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <gio/gio.h>

#include "canteen-error.h"
#include "cli.h"
#include "waste.h"
#include "return-station.h"
#include "waste-pdf.h"

static gboolean
parse_grams (const char *text, const char *field, gint64 max, gint64 *out, GError **error)
{
  gint64 value = 0;

  /* Negative weights parse here so the ledger refuses them by name. */
  if (text == NULL || !g_ascii_string_to_signed (text, 10, -max, max, &value, NULL))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   _("%s: “%s” is not a whole number of grams (at most %lld)"),
                   field, text ? text : "", (long long) max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* "D01=0.25": cut in place at '=' so dish_id points into the argument. */
static gboolean
parse_leftover (char *arg, CanteenLeftoverInput *out, GError **error)
{
  char *eq = strchr (arg, '=');
  char *end = NULL;

  if (eq == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   _("leftover: “%s” is not DISH=FRACTION (e.g. D01=0.25)"), arg);
      return FALSE;
    }
  *eq = '\0';
  out->dish_id = arg;
  out->estimate_g = 0.0;
  out->fraction = g_ascii_strtod (eq + 1, &end);
  if (end == eq + 1 || *end != '\0')
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   _("leftover: %s: “%s” is not a fraction 0..1"), arg, eq + 1);
      return FALSE;
    }
  return TRUE;
}

static void
print_return (CanteenLedger *ledger, const CanteenReturnOutcome *o)
{
  const CanteenTrayReturn *ret = o->record;

  if (ret->checkout_id == NULL)
    /* Translators: return id, " (recorded earlier)" or nothing, grams left. */
    printf (_("Return %s%s: UNMATCHED (kept and counted, attached to no diner) · %d g left\n"), ret->return_id,
            ret->replayed ? _(" (recorded earlier)") : "", ret->leftover_g);
  else
    {
      /* Translators: return id, " (recorded earlier)" or nothing, checkout
       * id, how it was matched (an id: card, checkout, tag…), grams left,
       * grams served, then "clean plate 光盘" or "not a clean plate". */
      printf (_("Return %s%s: checkout %s (by %s) · %d g left of %d g served · %s\n"), ret->return_id,
              ret->replayed ? _(" (recorded earlier)") : "", ret->checkout_id, canteen_tray_match_id (ret->match),
              ret->leftover_g, ret->served_g, ret->clean_plate ? _("clean plate 光盘") : _("not a clean plate"));
      for (guint i = 0; i < ret->dishes->len; i++)
        {
          const CanteenDishLeftover *d = g_ptr_array_index (ret->dishes, i);
          g_autoptr(CanteenDish) dish = canteen_ledger_get_dish (ledger, d->dish_id, NULL);
          /* Translators: dish id, share left, grams left, grams served,
           * dish name. */
          printf (_("  %-8s %3.0f%% left  %4d g of %4d g  %s\n"), d->dish_id, d->fraction * 100.0, d->leftover_g,
                  d->served_g, dish != NULL ? dish->name : "");
        }
    }
  if (o->tray_tag != NULL)
    printf (_("  tray %s (its tag, read from the photo)\n"), o->tray_tag);
  if (o->split == CANTEEN_RETURN_SPLIT_IMAGE)
    printf (_("  per dish from the photo against the checkout's frame (%.0f ms)\n"), o->vision_ms);
  else if (o->split_detail != NULL)
    /* Translators: an id saying why, then the details. */
    printf (_("  no split per dish (%s): %s\n"), canteen_return_split_id (o->split), o->split_detail);
}

static int
cmd_tray_return (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *image = NULL, *weight = NULL, *tare = NULL, *card = NULL, *checkout = NULL, *id = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) leftovers = NULL;
  const GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, N_("Photo of the returned tray (JPEG or PNG)"), "IMG" },
    { "weight", 0, 0, G_OPTION_ARG_STRING, &weight, N_("The scale's reading, tray included"), "GRAMS" },
    { "tare", 0, 0, G_OPTION_ARG_STRING, &tare, N_("The empty tray (default 0: the scale is tared)"), "GRAMS" },
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card tapped at the return station"), "CARD" },
    { "checkout", 0, 0, G_OPTION_ARG_STRING, &checkout,
      N_("The checkout's id (default: the tray's own tag in the photo names it)"), "ID" },
    { "leftover", 0, 0, G_OPTION_ARG_STRING_ARRAY, &leftovers,
      N_("Fraction of a dish left, by hand (repeat; default: from the photo)"), "DISH=FRACTION" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Return id (UUID); repeating it records once"), "UUID" },
    { NULL }
  };
  g_autoptr(GArray) inputs = g_array_new (FALSE, TRUE, sizeof (CanteenLeftoverInput));
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenReturnStation) station = NULL;
  g_autoptr(CanteenReturnOutcome) outcome = NULL;
  g_autoptr(GBytes) photo = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenReturnInput input = { 0 };
  gint64 weight_g = 0, tare_g = 0;
  gsize len = 0;
  GError *error = NULL;

  if (!cli_parse_options ("tray return", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("tray return: unexpected argument “%s”"), argv[1]);
  if (image == NULL || weight == NULL)
    return cli_usage_error (_("tray return: --image and --weight are required"));
  if (card != NULL && checkout != NULL)
    return cli_usage_error (_("tray return: either --card or --checkout, not both"));
  if (!parse_grams (weight, "weight", 1000000, &weight_g, &error) ||
      (tare != NULL && !parse_grams (tare, "tare", 1000000, &tare_g, &error)))
    return cli_fail (error);
  for (char **l = leftovers; l && *l; l++)
    {
      CanteenLeftoverInput in;
      if (!parse_leftover (*l, &in, &error))
        return cli_fail (error);
      g_array_append_val (inputs, in);
    }
  if (!g_file_get_contents (image, &data, &len, &error))
    return cli_fail (error);
  photo = g_bytes_new_take (g_steal_pointer (&data), len);
  station = canteen_return_station_new ();
  if (station == NULL)
    return cli_usage_error (_("tray return: the vision module could not start"));

  input.return_id = id;
  input.checkout_id = checkout;
  input.card = card;
  input.weight_g = (gint) weight_g;
  input.tare_g = (gint) tare_g;
  input.photo = photo;
  input.leftovers = (const CanteenLeftoverInput *) (void *) inputs->data;
  input.n_leftovers = inputs->len;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (outcome = canteen_return_station_process (station, ledger, &input, now, &error)) == NULL)
    return cli_fail (error);
  if (g->json)
    cli_print_json (canteen_return_outcome_to_json (outcome));
  else
    print_return (ledger, outcome);
  return CLI_OK;
}

/* Prints JSON to `path` through the CLI's one JSON writer. */
static gboolean
print_json_to (const char *path, JsonNode *node, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int saved;

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "out: %s: %s", path, g_strerror (e));
      json_node_unref (node);
      return FALSE;
    }
  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  dup2 (fd, STDOUT_FILENO);
  cli_print_json (node);
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  if (close (fd) != 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "out: %s: %s", path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

static int
cmd_report_waste (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *from = NULL, *to = NULL, *format = NULL, *out = NULL;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("First day (local)"), "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Last day, inclusive"), "YYYY-MM-DD" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("json (default), csv or pdf"), "FORMAT" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Write to this file (required for pdf)"), "FILE" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(JsonNode) report = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("report waste", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("report waste: unexpected argument “%s”"), argv[1]);
  if (from == NULL || to == NULL)
    return cli_usage_error (_("report waste: --from and --to are required"));
  if (format == NULL)
    format = g_strdup ("json");
  if (!g_str_equal (format, "json") && !g_str_equal (format, "csv") && !g_str_equal (format, "pdf"))
    return cli_usage_error (_("report waste: --format must be json, csv or pdf"));
  if (g_str_equal (format, "pdf") && out == NULL)
    return cli_usage_error (_("report waste: --format pdf needs --out FILE"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (report = canteen_waste_report (ledger, from, to, &error)) == NULL)
    return cli_fail (error);

  if (g_str_equal (format, "pdf"))
    {
      if (!canteen_waste_report_to_pdf (report, out, &error))
        return cli_fail (error);
      cli_message (_("wrote %s"), out);
    }
  else if (g_str_equal (format, "csv"))
    {
      g_autofree char *csv = canteen_waste_report_to_csv (report);
      if (out != NULL && !g_file_set_contents (out, csv, -1, &error))
        return cli_fail (error);
      if (out == NULL)
        fputs (csv, stdout);
    }
  else if (out != NULL)
    {
      if (!print_json_to (out, g_steal_pointer (&report), &error))
        return cli_fail (error);
    }
  else
    cli_print_json (g_steal_pointer (&report));
  return CLI_OK;
}

static int
cmd_kitchen_record (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *day = NULL, *purchased = NULL, *waste = NULL, *planned = NULL;
  const GOptionEntry entries[] = {
    { "day", 0, 0, G_OPTION_ARG_STRING, &day, N_("Local day"), "YYYY-MM-DD" },
    { "purchased", 0, 0, G_OPTION_ARG_STRING, &purchased, N_("Food purchased"), "GRAMS" },
    { "kitchen-waste", 0, 0, G_OPTION_ARG_STRING, &waste, N_("Kitchen waste (preparation, unsold)"), "GRAMS" },
    { "diners-planned", 0, 0, G_OPTION_ARG_STRING, &planned, N_("Diners the kitchen cooked for"), "N" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 purchased_g = 0, waste_g = 0, diners = 0;
  GError *error = NULL;

  if (!cli_parse_options ("kitchen record", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("kitchen record: unexpected argument “%s”"), argv[1]);
  if (day == NULL || purchased == NULL || waste == NULL || planned == NULL)
    return cli_usage_error (_("kitchen record: --day, --purchased, --kitchen-waste and --diners-planned are required"));
  if (!parse_grams (purchased, "purchased", G_GINT64_CONSTANT (1000000000), &purchased_g, &error) ||
      !parse_grams (waste, "kitchen-waste", G_GINT64_CONSTANT (1000000000), &waste_g, &error) ||
      !parse_grams (planned, "diners-planned", 10000000, &diners, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL ||
      !canteen_waste_record_kitchen (ledger, day, purchased_g, waste_g, (gint) diners, now, &error))
    return cli_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "day");
      json_builder_add_string_value (b, day);
      json_builder_set_member_name (b, "food_purchased_g");
      json_builder_add_int_value (b, purchased_g);
      json_builder_set_member_name (b, "kitchen_waste_g");
      json_builder_add_int_value (b, waste_g);
      json_builder_set_member_name (b, "diners_planned");
      json_builder_add_int_value (b, diners);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    printf (_("Kitchen %s: purchased %lld g, kitchen waste %lld g, %lld diners planned\n"), day,
            (long long) purchased_g, (long long) waste_g, (long long) diners);
  return CLI_OK;
}

static int
cmd_portions (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *as_of = NULL;
  const GOptionEntry entries[] = {
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of, N_("Last day of the history (default today)"), "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(JsonNode) portions = NULL;
  JsonObject *o;
  JsonArray *alerts, *recs;
  GError *error = NULL;

  if (!cli_parse_options ("portions", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("portions: unexpected argument “%s”"), argv[1]);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return cli_fail (error);
  if (as_of == NULL)
    as_of = cli_today (ledger);
  portions = canteen_waste_portions (ledger, as_of, &error);
  if (portions == NULL)
    return cli_fail (error);
  if (g->json)
    {
      cli_print_json (g_steal_pointer (&portions));
      return CLI_OK;
    }
  o = json_node_get_object (portions);
  alerts = json_object_get_array_member (o, "alerts");
  recs = json_object_get_array_member (o, "recommendations");
  /* Translators: the first and last day of the history looked at. */
  printf (_("Portions %s .. %s\n"), json_object_get_string_member (o, "from"), as_of);
  printf (_("Alerts (%u):\n"), json_array_get_length (alerts));
  for (guint i = 0; i < json_array_get_length (alerts); i++)
    printf ("  %s\n", json_object_get_string_member (json_array_get_object_element (alerts, i), "text"));
  printf (_("Recommendations (advice only, nothing is changed):\n"));
  for (guint i = 0; i < json_array_get_length (recs); i++)
    {
      JsonObject *r = json_array_get_object_element (recs, i);
      /* Translators: dish id and name, suggested and standard portion,
       * grams to cook on the next day (a date), then the reasoning. */
      printf (_("  %s %s: portion %lld g (standard %lld g), cook %lld g on %s\n    %s\n"),
              json_object_get_string_member (r, "dish"), json_object_get_string_member (r, "name"),
              (long long) json_object_get_int_member (r, "suggested_portion_g"),
              (long long) json_object_get_int_member (r, "standard_g"),
              (long long) json_object_get_int_member (r, "cooking_g"), json_object_get_string_member (r, "next_day"),
              json_object_get_string_member (r, "reasoning"));
    }
  return CLI_OK;
}

const CliCommand cli_waste_commands[] = {
  { "tray return", N_("Record a returned tray: weight, match, leftovers per dish"), cmd_tray_return },
  { "report waste", N_("Anti-waste evaluation for a span of days (json, csv or pdf)"), cmd_report_waste },
  { "kitchen record", N_("Record a day's food purchased, kitchen waste and diners planned"), cmd_kitchen_record },
  { "portions", N_("Portion drift, alerts and next-day recommendations"), cmd_portions },
  { NULL, NULL, NULL }
};
