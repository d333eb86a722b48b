/* test-kiosk-return — the kiosk as a return station (kiosk-return.h), in
 * process under Xvfb, with the emulated reader and scale (the scale reads
 * a settled CANTEEN_KIOSK_EMULATION_SCALE_GRAMS) and a camera showing a
 * returned tray made by tests/vision's canteen-trays from the food photos
 * (skipped without them):
 *  - a tray sold with its frame kept comes back; the diner taps the chip
 *    card: the tray is recorded against that checkout, split per dish from
 *    the photo, and the screen says what was left (screenshot
 *    kiosk-return.png);
 *  - "Return without card": recorded as unmatched, attached to nobody;
 *  - without a camera picture nothing is recorded and the screen says why.
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "checkout-frame.h"
#include "kiosk-emulation.h"
#include "kiosk-fixture.h"
#include "kiosk-test-app.h"
#include "test-wait.h"
#include "vision.h"
#include "waste.h"

#define WAIT_MS 30000

typedef struct {
  char            *dir;
  char            *db_path;
  CanteenLedger   *ledger;
  char            *returned;   /* the returned tray's photo */
  CanteenKioskApp *app;
} Fixture;

static const char menu_json[] =
  "{\"dishes\":[{\"id\":\"D01\",\"name_en\":\"Braised pork belly\"},{\"id\":\"D02\",\"name_en\":\"Stir-fried greens\"},"
  "{\"id\":\"D03\",\"name_en\":\"Steamed rice\"},{\"id\":\"D05\",\"name_en\":\"Kung pao chicken\"},"
  "{\"id\":\"D06\",\"name_en\":\"Smashed cucumber\"}]}";

static void
wait_for_state (Fixture *f, const char *want)
{
  kiosk_test_app_wait_for_state (f->app, "return-state", want, WAIT_MS);
}

/* Enrolls every dish of the tray from canteen-trays' photos. */
static void
enroll (Fixture *f, const char *trays, JsonArray *enrollment)
{
  CanteenVision *vision = canteen_vision_new ();

  for (guint i = 0; i < json_array_get_length (enrollment); i++)
    {
      JsonObject *e = json_array_get_object_element (enrollment, i);
      g_autofree char *file = g_build_filename (trays, json_object_get_string_member (e, "file"), NULL);
      CanteenVisionImage img;
      uint8_t *exemplar = NULL;
      size_t len = 0;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (canteen_vision_load (vision, file, &img), ==, CANTEEN_VISION_OK);
      if (canteen_vision_enroll (vision, &img, &exemplar, &len) == CANTEEN_VISION_OK)
        {
          g_autoptr(GBytes) bytes = g_bytes_new_take (exemplar, len);
          g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, json_object_get_string_member (e, "dish"), "enroll",
                                                        bytes, &error), >, 0);
        }
    }
  canteen_vision_free (vision);
}

/* canteen-trays makes the trays (with `tags`, each with its tray tag); the
 * first one holding only enrolled dishes is sold to the chip card now, with
 * its frame kept as the kiosk keeps it (and so its tray). FALSE when there
 * are no food photos. */
static gboolean
sell_a_tray (Fixture *f, gboolean tags)
{
  const char *photos = g_getenv ("CANTEEN_FOOD_PHOTOS");
  const char *tool = g_getenv ("CANTEEN_TRAYS");
  g_autofree char *trays = g_build_filename (f->dir, "trays", NULL);
  g_autofree char *menu = g_build_filename (f->dir, "menu.json", NULL);
  g_autofree char *truth = NULL, *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  JsonObject *root;
  JsonArray *list;
  int status = -1;

  if (photos == NULL || !g_file_test (photos, G_FILE_TEST_IS_DIR) || tool == NULL)
    return FALSE;
  g_assert_true (g_file_set_contents (menu, menu_json, -1, NULL));
  {
    const char *argv[] = { tool, "--out", trays, "--menu", menu, "--count", "4", "--returned", "--seed", "5",
                           "--photos", photos, tags ? "--tags" : NULL, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    if (status != 0)
      g_error ("canteen-trays: %s", err);
  }
  truth = g_build_filename (trays, "ground-truth.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, truth, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  enroll (f, trays, json_object_get_array_member (root, "enrollment"));
  list = json_object_get_array_member (root, "trays");
  for (guint t = 0; t < json_array_get_length (list); t++)
    {
      JsonObject *tray = json_array_get_object_element (list, t);
      JsonArray *items = json_object_get_array_member (tray, "items");
      g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (CanteenOrderLine));
      gboolean all = TRUE;
      g_autofree char *frame_path = NULL, *frame = NULL;
      g_autoptr(GBytes) jpeg = NULL;
      CanteenReceipt *receipt;
      gsize len = 0;

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          CanteenOrderLine line = { json_object_get_string_member (item, "dish"), 0 };
          all = all && json_object_get_boolean_member (item, "enrolled");
          g_array_append_val (lines, line);
        }
      if (!all)
        continue;
      receipt = canteen_ledger_checkout (f->ledger, "RET-CHECKOUT", KIOSK_FIXTURE_CARD_CHIP,
                                         (CanteenOrderLine *) (void *) lines->data, lines->len, now, &error);
      g_assert_no_error (error);
      canteen_receipt_free (receipt);
      frame_path = g_build_filename (trays, json_object_get_string_member (tray, "file"), NULL);
      g_assert_true (g_file_get_contents (frame_path, &frame, &len, NULL));
      jpeg = g_bytes_new_take (g_steal_pointer (&frame), len);
      {
        CanteenVision *vision = canteen_vision_new ();
        g_autofree char *tag = NULL;
        g_assert_true (canteen_checkout_frame_keep (f->ledger, vision, "RET-CHECKOUT", jpeg, &tag, &error));
        g_assert_no_error (error);
        g_assert_cmpstr (tag, ==, tags ? json_object_get_string_member (tray, "tag") : NULL);
        canteen_vision_free (vision);
      }
      f->returned = g_build_filename (trays, json_object_get_string_member (tray, "returned"), NULL);
      return TRUE;
    }
  g_error ("no tray of enrolled dishes only among canteen-trays' four");
  return FALSE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  /* Lunch all day but a minute at each end, so the card's checkout and its
   * return fall in one meal period whenever the test runs. */
  const CanteenMealTimes first = { 0, 1, 0 }, lunch = { 1, 1439, 0 }, last = { 1439, 1440, 0 };

  f->ledger = kiosk_fixture_create_in_temp ("canteen-kiosk-return", &f->dir, &f->db_path);
  g_assert_true (canteen_ledger_set_meal_times (f->ledger, CANTEEN_MEAL_DINNER, &last, &error));
  g_assert_true (canteen_ledger_set_meal_times (f->ledger, CANTEEN_MEAL_BREAKFAST, &first, &error));
  g_assert_true (canteen_ledger_set_meal_times (f->ledger, CANTEEN_MEAL_LUNCH, &lunch, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  kiosk_test_app_finish (&f->app);
  canteen_ledger_close (f->ledger);
  kiosk_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->returned);
}

static gboolean
minute_is_inside_lunch (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  int minute = g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now);
  return minute >= 2 && minute < 1438;
}

static void
test_tap_records_the_tray (Fixture *f, gconstpointer data)
{
  const CanteenReturnOutcome *o;
  CanteenKioskReturn *returns;

  if (!minute_is_inside_lunch ())
    {
      g_test_skip ("within a minute of midnight: the test's meal period is about to change");
      return;
    }
  if (!sell_a_tray (f, FALSE))
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS) or no canteen-trays (CANTEEN_TRAYS)");
      return;
    }
  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE, "emulate-devices", TRUE,
                                 "return-station", TRUE, "tray-tare", 300, "camera", f->returned, NULL);
  returns = canteen_kiosk_app_get_return (f->app);
  g_assert_nonnull (returns);
  kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
  wait_for_state (f, "waiting");
  /* The camera's first picture (an image source delivers it at once). */
  test_spin_ms (1500);

  /* The chip card is tapped on the return station's reader. */
  g_assert_true (canteen_kiosk_emulation_tap (canteen_kiosk_app_get_emulation (f->app), KIOSK_FIXTURE_CARD_CHIP));
  wait_for_state (f, "done");
  o = canteen_kiosk_return_get_outcome (returns);
  g_assert_nonnull (o);
  g_assert_cmpstr (o->record->checkout_id, ==, "RET-CHECKOUT");
  g_assert_cmpint (o->record->match, ==, CANTEEN_TRAY_MATCH_CARD);
  g_assert_cmpint (o->record->leftover_g, ==, CANTEEN_KIOSK_EMULATION_SCALE_GRAMS - 300);
  /* Split from the photo, or (a pair the registration refuses) not at all:
   * never on a guess. */
  if (o->split == CANTEEN_RETURN_SPLIT_IMAGE)
    g_assert_cmpuint (o->record->dishes->len, >, 0);
  else
    {
      g_assert_cmpint (o->split, ==, CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY);
      g_assert_cmpuint (o->record->dishes->len, ==, 0);
    }
  g_test_message ("split %s, %u dishes, %.0f ms", canteen_return_split_id (o->split), o->record->dishes->len,
                  o->vision_ms);
  kiosk_test_app_screenshot (f->app, "kiosk-return.png", 3000);
  /* The photo was kept with the return. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *kept = canteen_waste_get_return_photo (f->ledger, o->record->return_id, &error);
    g_assert_no_error (error);
  }

  /* The same tray again, without a card: it is another tray to the
   * station, unmatched, attached to nobody. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "return-next", NULL);
  wait_for_state (f, "waiting");
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "return-tray", g_variant_new_string (""));
  wait_for_state (f, "done");
  o = canteen_kiosk_return_get_outcome (returns);
  g_assert_null (o->record->checkout_id);
  g_assert_cmpint (o->split, ==, CANTEEN_RETURN_SPLIT_UNMATCHED);
}

/* Trays with their own tag: no card needed, the returned tray's tag finds
 * its meal and its diner. */
static void
test_tray_tag_without_card (Fixture *f, gconstpointer data)
{
  const CanteenReturnOutcome *o;

  if (!minute_is_inside_lunch ())
    {
      g_test_skip ("within a minute of midnight: the test's meal period is about to change");
      return;
    }
  if (!sell_a_tray (f, TRUE))
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS) or no canteen-trays (CANTEEN_TRAYS)");
      return;
    }
  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE, "emulate-devices", TRUE,
                                 "return-station", TRUE, "tray-tare", 300, "camera", f->returned, NULL);
  kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
  wait_for_state (f, "waiting");
  test_spin_ms (1500);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "return-tray", g_variant_new_string (""));
  wait_for_state (f, "done");
  o = canteen_kiosk_return_get_outcome (canteen_kiosk_app_get_return (f->app));
  g_assert_nonnull (o);
  g_assert_nonnull (o->tray_tag);
  g_assert_cmpstr (o->record->checkout_id, ==, "RET-CHECKOUT");
  g_assert_cmpstr (o->record->card, ==, KIOSK_FIXTURE_CARD_CHIP);
  g_assert_cmpint (o->record->match, ==, CANTEEN_TRAY_MATCH_CHECKOUT);
  kiosk_test_app_screenshot (f->app, "kiosk-return-tag.png", 3000);
}

static void
test_no_camera_records_nothing (Fixture *f, gconstpointer data)
{
  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE, "emulate-devices", TRUE,
                                 "return-station", TRUE, NULL);
  kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "return-tray", g_variant_new_string (KIOSK_FIXTURE_CARD_CHIP));
  wait_for_state (f, "problem");
  g_assert_null (canteen_kiosk_return_get_outcome (canteen_kiosk_app_get_return (f->app)));
  kiosk_test_app_screenshot (f->app, "kiosk-return-no-camera.png", 3000);
}

int
main (int argc, char *argv[])
{
  kiosk_test_init (&argc, &argv);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/kiosk/return/tap-records-the-tray", test_tap_records_the_tray);
  ADD ("/kiosk/return/tray-tag-without-card", test_tray_tag_without_card);
  ADD ("/kiosk/return/no-camera-records-nothing", test_no_camera_records_nothing);
  return g_test_run ();
}
