/* test-return-station — the return station's step end to end
 * (app/station/return-station.h) on a real ledger with real pictures: a
 * synthetic tray is sold with its camera frame kept, comes back half eaten
 * (tray-eaten.h: turned, shifted, relit), and is weighed.
 *  - The leftovers are split per dish from the photo, among the
 *    checkout's own dishes, never above what a dish was served; the
 *    fractions are near the truth; the photo is kept with the return.
 *  - Another tray's photo under this tray's tag: the tray is still the
 *    tag's, with no split per dish (the photo attributes nothing).
 *  - No tag and no card: unmatched. A photo that is no picture: refused,
 *    nothing recorded.
 *  - Trays with their own tag (a QR sticker): the checkout's frame records
 *    the tray (checkout-frame.h); the returned tray, with no card and no
 *    checkout id, is found by the tag alone, for each of two trays sold in
 *    the same meal.
 * Skipped without the food photos (CANTEEN_FOOD_PHOTOS).
 */
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <glib.h>

#include "food-photos.h"
#include "canteen-error.h"
#include "checkout-frame.h"
#include "return-station.h"
#include "test-util.h"
#include "tray-eaten.h"
#include "vision.h"

namespace {

/* The ledger's test menu (test-util.h) gives the dishes their ids. */
const char *const IDS[] = { "D01", "D02", "D03", "D04" };

struct Fixture
{
  traygen::PhotoLibrary library;
  traygen::Menu         menu;
  char                 *dir = nullptr, *path = nullptr;
  CanteenLedger        *ledger = nullptr;
};

GBytes *
bytes_of (const std::vector<uchar> &jpeg)
{
  return g_bytes_new (jpeg.data (), jpeg.size ());
}

/* The menu's four enrolled dishes take the ledger's ids; three photos each. */
bool
setup (Fixture *f)
{
  const char *photos = std::getenv ("CANTEEN_FOOD_PHOTOS");
  std::string error;
  if (!photos || !f->library.load (photos, &error))
    return false;
  f->menu = traygen::make_menu (f->library, 4, 11);
  for (int d = 0; d < 4; d++)
    f->menu.dishes[static_cast<size_t> (d)].id = IDS[d];
  f->dir = test_tmpdir ();
  f->ledger = test_ledger_new (f->dir, &f->path);
  CanteenVision *vision = canteen_vision_new ();
  for (int d = 0; d < 4; d++)
    for (int k = 0; k < 3; k++)
      {
        const traygen::Frame photo = traygen::make_enrollment (f->library, f->menu, d, k);
        CanteenVisionImage img {};
        uint8_t *exemplar = nullptr;
        size_t len = 0;
        g_assert_cmpint (canteen_vision_decode (vision, photo.jpeg.data (), photo.jpeg.size (), &img), ==,
                         CANTEEN_VISION_OK);
        if (canteen_vision_enroll (vision, &img, &exemplar, &len) != CANTEEN_VISION_OK)
          continue;
        GBytes *bytes = g_bytes_new_take (exemplar, len);
        GError *gerror = nullptr;
        g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, IDS[d], "enroll", bytes, &gerror), >, 0);
        g_assert_no_error (gerror);
        g_bytes_unref (bytes);
      }
  canteen_vision_free (vision);
  return true;
}

void
teardown (Fixture *f)
{
  if (f->ledger)
    canteen_ledger_close (f->ledger);
  if (f->dir)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
      g_assert_cmpint (std::system (cmd), ==, 0);
    }
  g_free (f->dir);
  g_free (f->path);
}

/* Sells tray `index` (its enrolled dishes) as checkout `id` and keeps its
 * frame, as the kiosk does (with the tray's tag when it has one); false
 * when the tray holds a dish the ledger does not sell. */
bool
sell_tray (Fixture *f, int index, const char *id, traygen::TrayPair *pair, const char *card = "STAFF1",
           const std::string &tag = {})
{
  *pair = traygen::make_tray_pair (f->library, f->menu, index, tag);
  std::vector<CanteenOrderLine> lines;
  for (const auto &r : pair->before.regions)
    {
      if (!r.enrolled)
        return false;
      const char *dish = IDS[r.dish];
      lines.push_back ({ dish, std::strcmp (dish, "D03") == 0 ? 150 : 0 });
    }
  GError *error = nullptr;
  GDateTime *now = test_local_time (12, 0);
  CanteenReceipt *receipt = canteen_ledger_checkout (f->ledger, id, card, lines.data (), lines.size (), now, &error);
  g_assert_no_error (error);
  canteen_receipt_free (receipt);
  g_date_time_unref (now);
  GBytes *frame = bytes_of (pair->before.jpeg);
  CanteenVision *vision = canteen_vision_new ();
  char *read = nullptr;
  g_assert_true (canteen_checkout_frame_keep (f->ledger, vision, id, frame, &read, &error));
  g_assert_no_error (error);
  /* The tray's tag is read from the frame and kept with the checkout. */
  g_assert_cmpstr (read, ==, tag.empty () ? nullptr : tag.c_str ());
  g_free (read);
  canteen_vision_free (vision);
  g_bytes_unref (frame);
  return true;
}

CanteenReturnOutcome *
give_back (Fixture *f, CanteenReturnStation *station, const char *id, const char *checkout,
           const std::vector<uchar> &photo, int leftover_g, GError **error, const char *card = nullptr)
{
  GBytes *bytes = bytes_of (photo);
  GDateTime *now = test_local_time (12, 40);
  CanteenReturnInput in {};
  in.return_id = id;
  in.checkout_id = checkout;
  in.card = card;
  in.weight_g = 300 + leftover_g;
  in.tare_g = 300;
  in.photo = bytes;
  CanteenReturnOutcome *o = canteen_return_station_process (station, f->ledger, &in, now, error);
  g_bytes_unref (bytes);
  g_date_time_unref (now);
  return o;
}

void
test_split_from_photo ()
{
  Fixture f;
  if (!setup (&f))
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  CanteenReturnStation *station = canteen_return_station_new ();
  int compared = 0, trays = 0;
  double error_sum = 0.0;
  int named = 0;
  for (int t = 0; t < 40 && trays < 4; t++)
    {
      traygen::TrayPair pair;
      g_autofree char *id = g_strdup_printf ("C%d", t);
      g_autofree char *ret = g_strdup_printf ("R%d", t);
      if (!sell_tray (&f, t, id, &pair))
        continue;
      trays++;
      GError *error = nullptr;
      CanteenReturnOutcome *o = give_back (&f, station, ret, id, pair.after.jpeg, 120, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (o->record->checkout_id, ==, id);
      g_assert_cmpint (o->record->leftover_g, ==, 120);
      /* The photo is kept with the return. */
      g_autofree char *kept = canteen_waste_get_return_photo (f.ledger, ret, &error);
      g_assert_no_error (error);
      g_assert_nonnull (kept);
      if (o->split != CANTEEN_RETURN_SPLIT_IMAGE)
        {
          /* The comparison may refuse a pair it cannot register; then
           * nothing is attributed per dish. */
          g_assert_cmpint (o->split, ==, CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY);
          g_assert_cmpuint (o->record->dishes->len, ==, 0);
          canteen_return_outcome_free (o);
          continue;
        }
      compared++;
      int grams = 0;
      for (guint i = 0; i < o->record->dishes->len; i++)
        {
          const CanteenDishLeftover *d = static_cast<const CanteenDishLeftover *> (g_ptr_array_index (o->record->dishes, i));
          g_assert_cmpint (d->leftover_g, <=, d->served_g);
          grams += d->leftover_g;
          /* Every dish named is one this diner was served; its truth is
           * the area-weighted share left over its regions on the tray. */
          double truth_left = 0.0, truth_area = 0.0;
          for (size_t k = 0; k < pair.regions.size (); k++)
            if (IDS[pair.before.regions[k].dish] == std::string (d->dish_id))
              {
                truth_left += pair.regions[k].left * pair.regions[k].served;
                truth_area += pair.regions[k].served;
              }
          g_assert_cmpfloat (truth_area, >, 0.0);
          error_sum += std::fabs (d->fraction - truth_left / truth_area);
          named++;
        }
      g_assert_cmpint (grams, <=, 120);
      canteen_return_outcome_free (o);
    }
  g_assert_cmpint (trays, ==, 4);
  g_test_message ("%d of %d returned trays split from the photo; %d dishes, mean |error| %.3f", compared, trays,
                  named, named ? error_sum / named : 0.0);
  g_assert_cmpint (compared, >=, 2);
  g_assert_cmpint (named, >=, 3);
  g_assert_cmpfloat (error_sum / named, <=, 0.25);
  canteen_return_station_free (station);
  teardown (&f);
}

void
test_other_tray_attributes_nothing ()
{
  Fixture f;
  if (!setup (&f))
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  CanteenReturnStation *station = canteen_return_station_new ();
  traygen::TrayPair mine, other;
  int t = 0;
  while (!sell_tray (&f, t, "MINE", &mine))
    t++;
  other = traygen::make_tray_pair (f.library, f.menu, t + 1);
  GError *error = nullptr;
  CanteenReturnOutcome *o = give_back (&f, station, "R1", "MINE", other.after.jpeg, 80, &error);
  g_assert_no_error (error);
  /* The tag decides the diner; the photo, another tray's, splits nothing. */
  g_assert_cmpstr (o->record->checkout_id, ==, "MINE");
  g_assert_cmpint (o->split, ==, CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY);
  g_assert_nonnull (o->split_detail);
  g_assert_cmpuint (o->record->dishes->len, ==, 0);
  canteen_return_outcome_free (o);

  /* Neither tag nor card: kept and counted, attached to nobody. */
  o = give_back (&f, station, "R2", nullptr, other.after.jpeg, 50, &error);
  g_assert_no_error (error);
  g_assert_null (o->record->checkout_id);
  g_assert_cmpint (o->split, ==, CANTEEN_RETURN_SPLIT_UNMATCHED);
  canteen_return_outcome_free (o);

  /* No picture at all: refused, nothing recorded. */
  g_autofree char *before = test_db_dump (f.path);
  const std::vector<uchar> junk = { 0xFF, 0xD8, 0xFF, 'n', 'o', 't' };
  g_assert_null (give_back (&f, station, "R3", "MINE", junk, 50, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_autofree char *after = test_db_dump (f.path);
  g_assert_cmpstr (before, ==, after);
  canteen_return_station_free (station);
  teardown (&f);
}

void
test_tray_tag_finds_checkout ()
{
  Fixture f;
  if (!setup (&f))
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  CanteenReturnStation *station = canteen_return_station_new ();
  traygen::TrayPair first, second;
  int t = 0;
  /* Two diners, two tagged trays, one meal. */
  while (!sell_tray (&f, t, "FIRST", &first, "STAFF1", "T0001"))
    t++;
  t++;
  while (!sell_tray (&f, t, "SECOND", &second, "VISIT1", "T0002"))
    t++;
  g_assert_cmpstr (first.after.tag.c_str (), ==, "T0001");

  /* Neither card nor checkout id: the returned tray's tag names its meal
   * and its diner, each tray its own. */
  GError *error = nullptr;
  CanteenReturnOutcome *o = give_back (&f, station, "R2", nullptr, second.after.jpeg, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o->tray_tag, ==, "T0002");
  g_assert_cmpstr (o->record->checkout_id, ==, "SECOND");
  g_assert_cmpstr (o->record->card, ==, "VISIT1");
  g_assert_cmpint (o->record->match, ==, CANTEEN_TRAY_MATCH_CHECKOUT);
  canteen_return_outcome_free (o);
  o = give_back (&f, station, "R1", nullptr, first.after.jpeg, 40, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o->tray_tag, ==, "T0001");
  g_assert_cmpstr (o->record->checkout_id, ==, "FIRST");
  canteen_return_outcome_free (o);

  /* The same tray photographed again under a new return: it was returned
   * already, so nothing is recorded twice. */
  g_autofree char *before = test_db_dump (f.path);
  g_assert_null (give_back (&f, station, "R3", nullptr, first.after.jpeg, 40, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  g_autofree char *after = test_db_dump (f.path);
  g_assert_cmpstr (before, ==, after);
  canteen_return_station_free (station);
  teardown (&f);
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/return-station/split-from-photo", test_split_from_photo);
  g_test_add_func ("/return-station/other-tray-attributes-nothing", test_other_tray_attributes_nothing);
  g_test_add_func ("/return-station/tray-tag-finds-checkout", test_tray_tag_finds_checkout);
  return g_test_run ();
}
