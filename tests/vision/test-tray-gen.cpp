/* test-tray-gen — the synthetic tray generator keeps its promises
 * (tray-gen.h): same seed, same bytes; ground truth inside the frame and
 * inside its plate; enrollment never sees a pixel the test trays use; a
 * plan is what gets drawn, and over many plans about a tenth of the test
 * food is never enrolled and every tray style and vessel appears; the
 * child-process stream gives the very frames made in-process.
 *
 * Needs the food photos ($CANTEEN_FOOD_PHOTOS, fetched by ./canteen);
 * every check is skipped, visibly, when they are truly absent. */
#include <glib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>

#include "tray-gen.h"
#include "tray-stream.h"

namespace {

using namespace traygen;

constexpr int DISHES = 8;
constexpr int TRAYS = 12;
constexpr uint64_t SEED = 11;

/* Made once, shared by the checks: drawing is the slow part. */
struct Fixture
{
  PhotoLibrary       library;
  Menu               menu;
  std::vector<Frame> trays, enrollments;  /* enrollments: dish d, photo k at d * 3 + k */
};

Fixture *the_fixture = nullptr;
bool     fixture_tried = false;

const Fixture *
fixture ()
{
  if (!fixture_tried)
    {
      fixture_tried = true;
      const char *dir = std::getenv ("CANTEEN_FOOD_PHOTOS");
      std::string error;
      auto *made = new Fixture;
      if (!dir || !made->library.load (dir, &error))
        {
          delete made;
          return nullptr;
        }
      made->menu = make_menu (made->library, DISHES, SEED);
      for (int t = 0; t < TRAYS; t++)
        made->trays.push_back (make_tray (made->library, made->menu, t));
      for (int d = 0; d < DISHES; d++)
        for (int k = 0; k < 3; k++)
          made->enrollments.push_back (make_enrollment (made->library, made->menu, d, k));
      the_fixture = made;
    }
  return the_fixture;
}

/* The fixture, or a skip (with why) and nullptr. */
const Fixture *
need_photos ()
{
  const Fixture *f = fixture ();
  if (!f)
    g_test_skip ("no food photos (set CANTEEN_FOOD_PHOTOS; ./canteen test fetches them)");
  return f;
}

bool
inside_frame (const cv::Rect &r)
{
  return r.width > 0 && r.height > 0 && (r & cv::Rect (0, 0, FRAME_WIDTH, FRAME_HEIGHT)) == r;
}

void
test_library (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  g_assert_cmpuint (f->library.photos ().size (), >=, 100);
  for (const auto &p : f->library.photos ())
    {
      const cv::Rect whole (0, 0, p.bgr.cols, p.bgr.rows);
      const cv::Rect &a = p.halves[ENROLL_HALF], &b = p.halves[TEST_HALF];
      g_assert_true ((a & whole) == a);
      g_assert_true ((b & whole) == b);
      /* At least two pixels apart, so not even JPEG blocks are shared. */
      cv::Rect grown (a.x - 2, a.y - 2, a.width + 4, a.height + 4);
      g_assert_true ((grown & b).empty ());
      g_assert_cmpint (cv::countNonZero (p.mask (a)), >, 0);
      g_assert_cmpint (cv::countNonZero (p.mask (b)), >, 0);
      /* Both halves show the same food, as a canteen enrols from the pot
       * it serves. */
      g_assert_cmpfloat (p.halves_apart, <=, 20.0);
    }

  PhotoLibrary none;
  std::string error;
  g_assert_false (none.load ("/nonexistent/food-photos", &error));
  g_assert_nonnull (strstr (error.c_str (), "/nonexistent/food-photos"));
}

void
test_determinism (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  /* A fresh menu from the same seed, then the same tray: the same bytes. */
  Menu again = make_menu (f->library, DISHES, SEED);
  g_assert_cmpuint (again.dishes.size (), ==, f->menu.dishes.size ());
  for (size_t i = 0; i < again.dishes.size (); i++)
    {
      g_assert_cmpstr (again.dishes[i].id.c_str (), ==, f->menu.dishes[i].id.c_str ());
      g_assert_cmpint (again.dishes[i].photo, ==, f->menu.dishes[i].photo);
    }
  Frame t = make_tray (f->library, again, 5);
  g_assert_true (t.jpeg == f->trays[5].jpeg);
  g_assert_cmpuint (t.regions.size (), ==, f->trays[5].regions.size ());
  for (size_t i = 0; i < t.regions.size (); i++)
    {
      g_assert_true (t.regions[i].food == f->trays[5].regions[i].food);
      g_assert_cmpstr (t.regions[i].id.c_str (), ==, f->trays[5].regions[i].id.c_str ());
    }
  Frame e = make_enrollment (f->library, again, 2, 1);
  g_assert_true (e.jpeg == f->enrollments[2 * 3 + 1].jpeg);

  /* Another index, another seed: something else. */
  g_assert_false (f->trays[4].jpeg == f->trays[5].jpeg);
  Menu other = make_menu (f->library, DISHES, SEED + 1);
  bool differs = false;
  for (size_t i = 0; i < other.dishes.size (); i++)
    differs = differs || other.dishes[i].photo != f->menu.dishes[i].photo;
  g_assert_true (differs);
}

void
test_ground_truth (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  size_t regions = 0;
  for (const auto &t : f->trays)
    {
      g_assert_cmpint (t.bgr.cols, ==, FRAME_WIDTH);
      g_assert_cmpint (t.bgr.rows, ==, FRAME_HEIGHT);
      g_assert_cmpuint (t.regions.size (), <=, 5);
      std::set<std::string> ids;
      for (const auto &r : t.regions)
        {
          g_assert_true (inside_frame (r.food));
          g_assert_true (inside_frame (r.container));
          /* Food lies in its plate, bowl or compartment. */
          g_assert_cmpint ((r.food & r.container).area (), >=, r.food.area () * 95 / 100);
          g_assert_cmpint (r.food.area (), >=, 40 * 40);
          g_assert_true (ids.insert (r.id).second);  /* a dish once per tray */
          const Dish &d = f->menu.dishes[static_cast<size_t> (r.dish)];
          g_assert_cmpstr (d.id.c_str (), ==, r.id.c_str ());
          g_assert_true (d.enrolled == r.enrolled);
        }
      regions += t.regions.size ();
    }
  g_assert_cmpuint (regions, >=, TRAYS);
  for (int d = 0; d < DISHES; d++)
    for (int k = 0; k < 3; k++)
      {
        const Frame &e = f->enrollments[static_cast<size_t> (d * 3 + k)];
        g_assert_cmpuint (e.regions.size (), ==, 1);
        g_assert_cmpint (e.regions[0].dish, ==, d);
        g_assert_true (inside_frame (e.regions[0].food));
      }
}

void
test_disjoint_crops (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  for (int d = 0; d < DISHES; d++)
    {
      const Dish &dish = f->menu.dishes[static_cast<size_t> (d)];
      const FoodPhoto &photo = f->library.photos ()[static_cast<size_t> (dish.photo)];
      std::vector<cv::Rect> enroll, test;
      for (int k = 0; k < 3; k++)
        for (const auto &c : f->enrollments[static_cast<size_t> (d * 3 + k)].crops)
          {
            g_assert_cmpint (c.photo, ==, dish.photo);
            enroll.push_back (c.rect);
          }
      for (const auto &t : f->trays)
        for (const auto &c : t.crops)
          if (c.photo == dish.photo)
            test.push_back (c.rect);
      g_assert_cmpuint (enroll.size (), >, 0);
      for (const auto &e : enroll)
        {
          g_assert_true ((e & photo.halves[ENROLL_HALF]) == e);
          for (const auto &t : test)
            g_assert_true ((e & t).empty ());
        }
      for (const auto &t : test)
        g_assert_true ((t & photo.halves[TEST_HALF]) == t);
    }
}

void
test_plans (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  /* A plan is what gets drawn. */
  for (int t = 0; t < TRAYS; t++)
    {
      TrayPlan plan = plan_tray (f->menu, t);
      const Frame &frame = f->trays[static_cast<size_t> (t)];
      g_assert_cmpstr (plan.tray.c_str (), ==, frame.tray.c_str ());
      g_assert_cmpuint (plan.dishes.size (), ==, frame.regions.size ());
      for (size_t i = 0; i < plan.dishes.size (); i++)
        {
          g_assert_cmpint (plan.dishes[i], ==, frame.regions[i].dish);
          g_assert_cmpstr (plan.vessels[i].c_str (), ==, frame.regions[i].vessel.c_str ());
        }
    }

  /* Over many trays: about a tenth of the food never enrolled, every tray
   * style, every kind of vessel, some left empty, 1–5 dishes a tray. */
  size_t regions = 0, unknown = 0, empty = 0, most = 0, fewest = 99;
  std::set<std::string> styles, vessels;
  for (int t = 0; t < 400; t++)
    {
      TrayPlan plan = plan_tray (f->menu, t);
      styles.insert (plan.tray);
      for (size_t i = 0; i < plan.dishes.size (); i++)
        {
          unknown += !f->menu.dishes[static_cast<size_t> (plan.dishes[i])].enrolled;
          vessels.insert (plan.vessels[i]);
        }
      regions += plan.dishes.size ();
      empty += static_cast<size_t> (plan.empty);
      most = std::max (most, plan.dishes.size ());
      fewest = std::min (fewest, plan.dishes.size ());
    }
  const double share = static_cast<double> (unknown) / static_cast<double> (regions);
  g_test_message ("400 trays: %zu regions, %.1f%% never enrolled, %zu empty places, %zu styles, %zu vessel kinds",
                  regions, 100 * share, empty, styles.size (), vessels.size ());
  g_assert_cmpfloat (share, >=, 0.07);
  g_assert_cmpfloat (share, <=, 0.13);
  g_assert_cmpuint (styles.size (), ==, 8);  /* flat ×2, compartment-3/4/5 ×2 */
  g_assert_cmpuint (vessels.size (), ==, 5);
  g_assert_cmpuint (empty, >, 0);
  g_assert_cmpuint (fewest, <=, 1);
  g_assert_cmpuint (most, >=, 4);

  /* A never-enrolled dish has no enrollment photos. */
  bool refused = false;
  try
    {
      make_enrollment (f->library, f->menu, DISHES, 0);
    }
  catch (const std::invalid_argument &)
    {
      refused = true;
    }
  g_assert_true (refused);
}

void
test_stream (void)
{
  const Fixture *f = need_photos ();
  if (!f)
    return;
  StreamSpec spec;
  spec.photos = f->library.dir ();
  spec.n_dishes = DISHES;
  spec.n_enroll = 1;
  spec.n_trays = 3;
  spec.seed = SEED;
  TrayStream stream;
  g_assert_true (stream.start (spec));
  g_assert_cmpuint (stream.menu ().size (), ==, f->menu.dishes.size ());
  StreamFrame frame;
  int enrollments = 0, trays = 0;
  while (stream.next (&frame))
    if (frame.kind == StreamFrame::ENROLLMENT)
      {
        g_assert_true (frame.jpeg == f->enrollments[static_cast<size_t> (frame.index * 3)].jpeg);
        enrollments++;
      }
    else
      {
        g_assert_cmpint (frame.index, ==, trays);
        g_assert_true (frame.jpeg == f->trays[static_cast<size_t> (frame.index)].jpeg);
        g_assert_cmpuint (frame.regions.size (), ==, f->trays[static_cast<size_t> (frame.index)].regions.size ());
        trays++;
      }
  g_assert_cmpstr (stream.error ().c_str (), ==, "");
  g_assert_cmpint (enrollments, ==, DISHES);
  g_assert_cmpint (trays, ==, 3);

  /* No photos: said so, and told apart from other failures. */
  TrayStream missing;
  spec.photos = "/nonexistent/food-photos";
  g_assert_false (missing.start (spec));
  g_assert_true (missing.photos_missing ());
  g_assert_nonnull (strstr (missing.error ().c_str (), "/nonexistent/food-photos"));
}

} // namespace

int
main (int argc, char **argv)
{
  keep_freed_memory ();
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/tray-gen/library", test_library);
  g_test_add_func ("/tray-gen/determinism", test_determinism);
  g_test_add_func ("/tray-gen/ground-truth", test_ground_truth);
  g_test_add_func ("/tray-gen/disjoint-crops", test_disjoint_crops);
  g_test_add_func ("/tray-gen/plans", test_plans);
  g_test_add_func ("/tray-gen/stream", test_stream);
  int status = g_test_run ();
  delete the_fixture;
  return status;
}
