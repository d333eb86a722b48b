/* cli-vision.c — teaching and asking dish recognition: `dish enroll`,
 * `dish forget`, `tray recognize`. The vision module (devices/vision) makes
 * and matches exemplars; the ledger keeps them with the menu. Only the
 * dishes on today's menu are candidates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "exemplar-index.h"
#include "money.h"
#include "pricing.h"
#include "vision.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenVision, canteen_vision_free)

static int
vision_fail (CanteenVision *vision, const char *what)
{
  return cli_usage_error ("%s: %s", what, canteen_vision_last_error (vision));
}

gboolean
cli_load_menu_index (CanteenLedger *ledger, CanteenVision *vision, GPtrArray **dishes, GError **error)
{
  g_autofree char *day = cli_today (ledger);
  g_autoptr(GPtrArray) exemplars = NULL;
  g_autofree char *why = NULL;
  guint ignored;

  *dishes = canteen_ledger_list_dishes (ledger, day, CANTEEN_MEAL_NONE, error);
  if (*dishes == NULL)
    return FALSE;
  exemplars = canteen_ledger_list_exemplars (ledger, *dishes, error);
  if (exemplars == NULL)
    return FALSE;
  /* A damaged or outdated row is skipped, not trusted; the rest still
   * work, and the operator hears of it in one line. */
  ignored = canteen_exemplar_index_load (vision, exemplars, NULL, &why);
  if (ignored > 0)
    /* Translators: how many stored exemplars were unusable, and why the
     * last one was. */
    cli_message (_("%u exemplar(s) ignored (enroll those dishes again); the last: %s"), ignored, why);
  return TRUE;
}

/* --- dish enroll ------------------------------------------------------ */

static int
cmd_dish_enroll (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenVision) vision = canteen_vision_new ();
  g_autoptr(CanteenDish) dish = NULL;
  g_autoptr(GPtrArray) learnt = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) menu = NULL;
  GError *error = NULL;
  char a[CANTEEN_VISION_DISH_ID + 1] = "", b[CANTEEN_VISION_DISH_ID + 1] = "";
  float closeness;
  int total;

  if (!cli_parse_options ("dish enroll", "DISH_ID IMAGE [IMAGE...]", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc < 3)
    return cli_usage_error (_("dish enroll: a dish id and at least one image are required"));
  if (vision == NULL)
    return cli_usage_error (_("dish enroll: the vision module could not start"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (dish = canteen_ledger_get_dish (ledger, argv[1], &error)) == NULL)
    return cli_fail (error);

  /* Every photo is checked before anything is stored: all or nothing. */
  for (int i = 2; i < argc; i++)
    {
      CanteenVisionImage image;
      guint8 *exemplar = NULL;
      size_t len = 0;
      g_autofree char *what = g_strdup_printf ("dish enroll: %s", argv[i]);

      if (canteen_vision_load (vision, argv[i], &image) != CANTEEN_VISION_OK
          || canteen_vision_enroll (vision, &image, &exemplar, &len) != CANTEEN_VISION_OK)
        return vision_fail (vision, what);
      g_ptr_array_add (learnt, g_bytes_new_take (exemplar, len));
    }
  for (guint i = 0; i < learnt->len; i++)
    if (canteen_ledger_add_exemplar (ledger, dish->id, "enroll", g_ptr_array_index (learnt, i), &error) == 0)
      return cli_fail (error);

  /* How well today's menu is now separated: the closest pair of dishes. */
  if (!cli_load_menu_index (ledger, vision, &menu, &error))
    return cli_fail (error);
  total = 0;
  {
    g_autoptr(GPtrArray) mine = canteen_ledger_list_exemplars (ledger, NULL, &error);
    if (mine == NULL)
      return cli_fail (error);
    for (guint i = 0; i < mine->len; i++)
      total += g_str_equal (((CanteenExemplar *) mine->pdata[i])->dish_id, dish->id);
  }
  closeness = canteen_vision_closest_pair (vision, a, b);

  if (g->json)
    {
      g_autoptr(JsonBuilder) j = json_builder_new ();
      json_builder_begin_object (j);
      json_builder_set_member_name (j, "dish");
      json_builder_add_string_value (j, dish->id);
      json_builder_set_member_name (j, "added");
      json_builder_add_int_value (j, learnt->len);
      json_builder_set_member_name (j, "exemplars");
      json_builder_add_int_value (j, total);
      json_builder_set_member_name (j, "closest_pair");
      if (closeness >= 0)
        {
          json_builder_begin_object (j);
          json_builder_set_member_name (j, "dishes");
          json_builder_begin_array (j);
          json_builder_add_string_value (j, a);
          json_builder_add_string_value (j, b);
          json_builder_end_array (j);
          json_builder_set_member_name (j, "closeness");
          json_builder_add_double_value (j, closeness);
          json_builder_end_object (j);
        }
      else
        json_builder_add_null_value (j);
      json_builder_end_object (j);
      cli_print_json (json_builder_get_root (j));
    }
  else
    {
      /* Translators: dish id and name, photos learnt now, exemplars the
       * dish has in all. */
      printf (ngettext ("%s %s: learnt %u photo (%d exemplars now)\n", "%s %s: learnt %u photos (%d exemplars now)\n",
                        learnt->len),
              dish->id, dish->name, learnt->len, total);
      if (closeness >= 0)
        /* Translators: two dish ids that recognition tells apart least. */
        printf (_("Closest pair on today's menu: %s and %s (closeness %.2f; 1 = indistinguishable)\n"),
                a, b, (double) closeness);
    }
  return CLI_OK;
}

/* --- dish forget ------------------------------------------------------ */

static int
cmd_dish_forget (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenDish) dish = NULL;
  GError *error = NULL;
  gint removed;

  if (!cli_parse_options ("dish forget", "DISH_ID", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("dish forget: exactly one dish id is required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (dish = canteen_ledger_get_dish (ledger, argv[1], &error)) == NULL)
    return cli_fail (error);
  removed = canteen_ledger_forget_exemplars (ledger, dish->id, NULL, 0, &error);
  if (removed < 0)
    return cli_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) j = json_builder_new ();
      json_builder_begin_object (j);
      json_builder_set_member_name (j, "dish");
      json_builder_add_string_value (j, dish->id);
      json_builder_set_member_name (j, "forgotten");
      json_builder_add_int_value (j, removed);
      json_builder_end_object (j);
      cli_print_json (json_builder_get_root (j));
    }
  else
    printf (ngettext ("%s %s: forgot %d exemplar\n", "%s %s: forgot %d exemplars\n", (gulong) removed),
            dish->id, dish->name, removed);
  return CLI_OK;
}

/* --- tray recognize --------------------------------------------------- */

static const CanteenDish *
find_dish (GPtrArray *dishes, const char *id)
{
  for (guint i = 0; i < dishes->len; i++)
    if (g_str_equal (((CanteenDish *) dishes->pdata[i])->id, id))
      return dishes->pdata[i];
  return NULL;
}

static int
cmd_tray_recognize (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenVision) vision = canteen_vision_new ();
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(CanteenPricedTray) priced = canteen_priced_tray_new ();
  CanteenVisionResult result = { 0 };
  CanteenVisionImage image;
  GError *error = NULL;
  g_autofree char *what = NULL;

  if (!cli_parse_options ("tray recognize", "IMAGE", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("tray recognize: exactly one image is required"));
  if (vision == NULL)
    return cli_usage_error (_("tray recognize: the vision module could not start"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !cli_load_menu_index (ledger, vision, &dishes, &error))
    return cli_fail (error);
  what = g_strdup_printf ("tray recognize: %s", argv[1]);
  if (canteen_vision_load (vision, argv[1], &image) != CANTEEN_VISION_OK
      || canteen_vision_recognize (vision, &image, &result) != CANTEEN_VISION_OK)
    return vision_fail (vision, what);

  /* The price a staff diner would see, at standard portions (the scale
   * gives the weight of weighed dishes at the counter). */
  for (int i = 0; i < result.n_items; i++)
    {
      const CanteenDish *d = result.items[i].dish[0] ? find_dish (dishes, result.items[i].dish) : NULL;
      if (d != NULL
          && !canteen_priced_tray_add (priced, d, CANTEEN_PAYER_STAFF, d->price_per_100g_fen >= 0 ? d->portion_g : 0,
                                       &error))
        {
          canteen_vision_result_clear (&result);
          return cli_fail (error);
        }
    }

  if (g->json)
    {
      g_autoptr(JsonBuilder) j = json_builder_new ();
      json_builder_begin_object (j);
      json_builder_set_member_name (j, "items");
      json_builder_begin_array (j);
      for (int i = 0; i < result.n_items; i++)
        {
          const CanteenVisionItem *it = &result.items[i];
          json_builder_begin_object (j);
          json_builder_set_member_name (j, "dish");
          if (it->dish[0])
            json_builder_add_string_value (j, it->dish);
          else
            json_builder_add_null_value (j);
          json_builder_set_member_name (j, "confidence");
          json_builder_add_double_value (j, (double) (int) (it->confidence * 1000 + 0.5f) / 1000);
          json_builder_set_member_name (j, "box");
          json_builder_begin_array (j);
          for (int k = 0; k < 4; k++)
            json_builder_add_int_value (j, it->box[k]);
          json_builder_end_array (j);
          json_builder_set_member_name (j, "alternatives");
          json_builder_begin_array (j);
          for (int k = 0; k < it->n_alternatives; k++)
            json_builder_add_string_value (j, it->alternatives[k]);
          json_builder_end_array (j);
          json_builder_end_object (j);
        }
      json_builder_end_array (j);
      json_builder_set_member_name (j, "unknown");
      json_builder_add_int_value (j, result.n_unknown);
      json_builder_set_member_name (j, "total_fen");
      json_builder_add_int_value (j, priced->total_fen);
      json_builder_set_member_name (j, "elapsed_ms");
      json_builder_add_int_value (j, (gint64) (result.elapsed_ms + 0.5));
      json_builder_end_object (j);
      cli_print_json (json_builder_get_root (j));
    }
  else
    {
      g_autofree char *total = canteen_fen_format (priced->total_fen);
      for (int i = 0; i < result.n_items; i++)
        {
          const CanteenVisionItem *it = &result.items[i];
          const CanteenDish *d = it->dish[0] ? find_dish (dishes, it->dish) : NULL;
          /* Translators: dish id, name, confidence, box x,y WxH in pixels. */
          printf (_("%-6s %-16s %3.0f%%  at %d,%d %dx%d\n"), it->dish[0] ? it->dish : "?",
                  d ? d->name : _("(unknown)"), (double) it->confidence * 100,
                  it->box[0], it->box[1], it->box[2], it->box[3]);
        }
      /* Translators: dishes found, how many not recognised, the staff
       * price of the recognised ones, time taken. */
      printf (ngettext ("%d item, %d unknown, total %s, %.0f ms\n", "%d items, %d unknown, total %s, %.0f ms\n",
                        (gulong) result.n_items),
              result.n_items, result.n_unknown, total, result.elapsed_ms);
    }
  canteen_vision_result_clear (&result);
  return CLI_OK;
}

const CliCommand cli_vision_commands[] = {
  { "dish enroll",    N_("Teach recognition a dish from photos of one plate of it"), cmd_dish_enroll },
  { "dish forget",    N_("Forget what recognition learnt about a dish"),             cmd_dish_forget },
  { "tray recognize", N_("Recognise the dishes on a tray photo (today's menu)"),      cmd_tray_recognize },
  { NULL }
};
