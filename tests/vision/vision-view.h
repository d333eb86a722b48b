/* vision-view.h — a generated frame as the vision ABI sees it: its pixels in
 * the ABI's order (RGB) and a CanteenVisionImage over them; and the food
 * photos with a menu, loaded once per test program. Test-only, for the
 * vision tests and the benchmarks alike. */
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "tray-gen.h"
#include "vision.h"

namespace traygen {

/* A view of a CV_8UC3 RGB matrix; valid while `rgb` lives. */
inline CanteenVisionImage
image_of (const cv::Mat &rgb)
{
  CanteenVisionImage img {};
  img.width = rgb.cols;
  img.height = rgb.rows;
  img.stride = rgb.step[0];
  img.rgb = rgb.data;
  return img;
}

/* The frame's pixels, RGB (the generator draws BGR, as OpenCV does). */
inline cv::Mat
rgb_of (const Frame &f)
{
  cv::Mat rgb;
  cv::cvtColor (f.bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

/* The food photos of $CANTEEN_FOOD_PHOTOS and a menu of `n_enrolled`
 * dishes drawn with `seed`, loaded on the first call (later calls get the
 * same, whatever they ask); nullptr without photos: the test skips. */
struct TestPhotos
{
  PhotoLibrary library;
  Menu         menu;
};

inline TestPhotos *
test_photos (int n_enrolled, std::uint64_t seed)
{
  static TestPhotos p;
  static bool tried = false, ok = false;
  if (!tried)
    {
      tried = true;
      const char *dir = std::getenv ("CANTEEN_FOOD_PHOTOS");
      std::string error;
      if (dir && p.library.load (dir, &error))
        {
          p.menu = make_menu (p.library, n_enrolled, seed);
          ok = true;
        }
    }
  return ok ? &p : nullptr;
}

} // namespace traygen

namespace traygen {

/* A vision handle with the menu's enrolled dishes learnt from `photos`
 * enrollment pictures each, as a canteen would have it; the caller frees
 * it. An enrollment the vision refuses is left out (the test's own
 * assertions say whether that matters). */
inline CanteenVision *
enrolled_vision (const TestPhotos &p, int photos)
{
  CanteenVision *v = canteen_vision_new ();
  for (int d = 0; d < p.menu.n_enrolled; d++)
    for (int k = 0; k < photos; k++)
      {
        const Frame f = make_enrollment (p.library, p.menu, d, k);
        const cv::Mat rgb = rgb_of (f);
        const CanteenVisionImage img = image_of (rgb);
        std::uint8_t *blob = nullptr;
        std::size_t len = 0;
        if (canteen_vision_enroll (v, &img, &blob, &len) == CANTEEN_VISION_OK)
          canteen_vision_index_add (v, p.menu.dishes[static_cast<std::size_t> (d)].id.c_str (), blob, len);
        std::free (blob);
      }
  return v;
}

} // namespace traygen
