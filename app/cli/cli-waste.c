/* cli-waste.c — the return station's commands: `tray leftovers BEFORE AFTER`
 * (issue 6). The vision module (devices/vision) compares the checkout
 * picture with the returned tray; dishes are named by recognition among
 * today's menu when the ledger has exemplars for it.
 */
#include <stdio.h>

#include "cli.h"
#include "vision.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenVision, canteen_vision_free)

/* Today's menu's exemplars into the index. Without a ledger file (a bare
 * workstation) or exemplars the dishes stay unnamed: leftovers do not
 * need them. */
static gboolean
load_menu_index (CliGlobal *g, CanteenVision *vision, GError **error)
{
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GPtrArray) dishes = NULL;

  if (!g_file_test (g->db_path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  ledger = cli_open_ledger (g, error);
  return ledger != NULL && cli_load_menu_index (ledger, vision, &dishes, error);
}

/* Two decimals, as a double JSON writes short. */
static double
round2 (float v)
{
  return (double) (int) (v * 100.0f + 0.5f) / 100.0;
}

static int
cmd_tray_leftovers (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  /* Two handles: a handle's loaded picture lasts until its next load. */
  g_autoptr(CanteenVision) vision = canteen_vision_new ();
  g_autoptr(CanteenVision) second = canteen_vision_new ();
  CanteenVisionImage before, after;
  CanteenVisionLeftovers result = { 0 };
  CanteenVisionStatus status;
  GError *error = NULL;

  if (!cli_parse_options ("tray leftovers", "BEFORE AFTER", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 3)
    return cli_usage_error (_("tray leftovers: the checkout picture and the returned tray's picture are required"));
  if (vision == NULL || second == NULL)
    return cli_usage_error (_("tray leftovers: the vision module could not start"));
  if (canteen_vision_load (vision, argv[1], &before) != CANTEEN_VISION_OK)
    return cli_usage_error (_("tray leftovers: checkout picture %s"), canteen_vision_last_error (vision));
  if (canteen_vision_load (second, argv[2], &after) != CANTEEN_VISION_OK)
    return cli_usage_error (_("tray leftovers: returned tray %s"), canteen_vision_last_error (second));
  if (!load_menu_index (g, vision, &error))
    return cli_fail (error);

  status = canteen_vision_leftovers (vision, &before, &after, &result);
  if (status != CANTEEN_VISION_OK)
    {
      int rc = cli_usage_error ("tray leftovers: %s", result.error);
      canteen_vision_leftovers_clear (&result);
      return rc;
    }

  if (g->json)
    {
      g_autoptr(JsonBuilder) j = json_builder_new ();
      json_builder_begin_object (j);
      json_builder_set_member_name (j, "items");
      json_builder_begin_array (j);
      for (int i = 0; i < result.n_items; i++)
        {
          const CanteenVisionLeftover *it = &result.items[i];
          json_builder_begin_object (j);
          json_builder_set_member_name (j, "dish");
          if (it->dish[0])
            json_builder_add_string_value (j, it->dish);
          else
            json_builder_add_null_value (j);
          json_builder_set_member_name (j, "box");
          json_builder_begin_array (j);
          for (int k = 0; k < 4; k++)
            json_builder_add_int_value (j, it->box[k]);
          json_builder_end_array (j);
          json_builder_set_member_name (j, "leftover_fraction");
          json_builder_add_double_value (j, round2 (it->leftover_fraction));
          json_builder_end_object (j);
        }
      json_builder_end_array (j);
      json_builder_set_member_name (j, "same_tray");
      json_builder_add_double_value (j, round2 (result.same_tray));
      json_builder_set_member_name (j, "elapsed_ms");
      json_builder_add_int_value (j, (gint64) (result.elapsed_ms + 0.5));
      json_builder_end_object (j);
      cli_print_json (json_builder_get_root (j));
    }
  else
    {
      for (int i = 0; i < result.n_items; i++)
        {
          const CanteenVisionLeftover *it = &result.items[i];
          /* Translators: dish id, share left, the box x,y WxH in pixels. */
          printf (_("%-6s %3.0f%% left  at %d,%d %dx%d\n"), it->dish[0] ? it->dish : "?",
                  (double) it->leftover_fraction * 100, it->box[0], it->box[1], it->box[2], it->box[3]);
        }
      /* Translators: "same tray" is how sure it is that both photos show
       * one tray; ms is the time the analysis took. */
      printf (ngettext ("%d item, same tray %.0f%%, %.0f ms\n", "%d items, same tray %.0f%%, %.0f ms\n",
                        (gulong) result.n_items),
              result.n_items, (double) result.same_tray * 100, result.elapsed_ms);
    }
  canteen_vision_leftovers_clear (&result);
  return CLI_OK;
}

const CliCommand cli_leftover_commands[] = {
  { "tray leftovers", N_("Share of each dish left on a returned tray (checkout picture, return)"), cmd_tray_leftovers },
  { NULL }
};
