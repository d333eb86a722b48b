/* test-scattered.cpp — a compartment of large smooth pieces (apple slices)
 * is found as one portion, and joining scattered smooth parts does not
 * take in the surface beside a portion (tray.cpp, join_scattered_parts).
 *
 * Two generated trays of the benchmark's own 20-dish menu (seed 1), the
 * trays where each behaviour was seen: tray 38 (Tux Paint's apple slices
 * over the long compartment of a 分格餐盘, found only as two corners
 * before) and tray 52 (five compartments, one portion beside a smooth
 * patch of the counter's colour). Regions are what analyse() finds for a
 * whole tray, before any dish is named: segmentation alone. Skipped
 * without the food photos. */
#include <glib.h>

#include "eval-metrics.h"
#include "tray.hpp"
#include "vision-view.h"

namespace {

/* The benchmark's menu: 20 dishes, seed 1 (./canteen bench vision). */
traygen::TestPhotos *
photos ()
{
  return traygen::test_photos (20, 1);
}

/* The regions analyse() finds on tray `index`, in frame pixels. */
std::vector<cv::Rect>
regions_of (const traygen::TestPhotos &p, int index, traygen::Frame &frame)
{
  frame = traygen::make_tray (p.library, p.menu, index);
  const vision::Tray tray = vision::analyse (traygen::rgb_of (frame), vision::FOOD_ENERGY, true);
  std::vector<cv::Rect> out;
  for (const vision::Region &r : tray.regions)
    out.push_back (vision::to_frame (tray, r.box));
  return out;
}

/* How many found regions match the true one (IoU ≥ 0.5 with its food or
 * its container, as the benchmark scores). */
int
matches (const std::vector<cv::Rect> &found, const traygen::Region &truth)
{
  int n = 0;
  for (const cv::Rect &b : found)
    if (std::max (evalm::iou (b, truth.food), evalm::iou (b, truth.container)) >= evalm::MATCH_IOU)
      n++;
  return n;
}

void
test_apple_slices_are_one_portion ()
{
  traygen::TestPhotos *p = photos ();
  if (!p)
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  traygen::Frame frame;
  const std::vector<cv::Rect> found = regions_of (*p, 38, frame);
  const traygen::Region *slices = nullptr;
  for (const traygen::Region &r : frame.regions)
    {
      const int photo = p->menu.dishes[static_cast<std::size_t> (r.dish)].photo;
      if (p->library.photos ()[static_cast<std::size_t> (photo)].name.find ("apple") != std::string::npos)
        slices = &r;
    }
  /* Fatal even where assertions are made non-fatal: read below. */
  g_assert (slices != nullptr);
  /* One region over the whole compartment, not two corners of it. */
  g_assert_cmpint (matches (found, *slices), ==, 1);
  /* And every other portion of the tray is still found. */
  for (const traygen::Region &r : frame.regions)
    g_assert_cmpint (matches (found, r), ==, 1);
}

void
test_surface_stays_out ()
{
  traygen::TestPhotos *p = photos ();
  if (!p)
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  traygen::Frame frame;
  const std::vector<cv::Rect> found = regions_of (*p, 52, frame);
  /* Each of the five portions is a region of its own; none grew into the
   * counter beside it, which would push its box off the true one. */
  g_assert_cmpuint (frame.regions.size (), ==, 5);
  for (const traygen::Region &r : frame.regions)
    g_assert_cmpint (matches (found, r), ==, 1);
  g_assert_cmpuint (found.size (), ==, frame.regions.size ());
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/scattered/apple-slices-are-one-portion", test_apple_slices_are_one_portion);
  g_test_add_func ("/scattered/surface-stays-out", test_surface_stays_out);
  return g_test_run ();
}
