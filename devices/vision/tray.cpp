/* tray.cpp — the stages of one frame (see tray.hpp): scale to the working
 * width, food mask, regions, containers, lighting. Orchestration only; each
 * stage lives in its own file. */
#include "tray.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "food-mask.hpp"
#include "plates.hpp"

namespace vision {

Tray
analyse (const cv::Mat &rgb)
{
  Tray t;
  t.frame = rgb.size ();
  t.frame_rgb = rgb;
  if (rgb.cols < MIN_SIDE || rgb.rows < MIN_SIDE)
    return t;

  /* Fit into WORK_WIDTH x WORK_WIDTH: 640x360 for a 720p frame, and a
   * portrait or odd frame cannot blow the working image up. A small
   * camera (320x240) is enlarged to the same scale, a thumbnail is not:
   * at most twice. */
  t.scale = std::min ({ static_cast<double> (WORK_WIDTH) / rgb.cols, static_cast<double> (WORK_WIDTH) / rgb.rows,
                        MAX_UPSCALE });
  const cv::Size size (std::max (1, cvRound (rgb.cols * t.scale)), std::max (1, cvRound (rgb.rows * t.scale)));
  cv::resize (rgb, t.work, size, 0, 0, t.scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);

  const cv::Mat mask = food_mask (t.work);
  t.regions = food_regions (mask);
  find_containers (t.work, t.regions, min_portion_area (t.work.size ()));
  t.lighting = estimate_lighting (t.work, mask);

  /* Reading order, so the same tray lists its items the same way: rows of
   * regions whose centres are within half a box of the row's first, then
   * left to right within a row. */
  auto cy = [] (const Region &r) { return r.box.y + r.box.height / 2; };
  std::sort (t.regions.begin (), t.regions.end (), [&] (const Region &a, const Region &b) { return cy (a) < cy (b); });
  for (std::size_t start = 0; start < t.regions.size ();)
    {
      std::size_t end = start + 1;
      while (end < t.regions.size () && cy (t.regions[end]) - cy (t.regions[start]) < t.regions[start].box.height / 2)
        end++;
      std::sort (t.regions.begin () + static_cast<long> (start), t.regions.begin () + static_cast<long> (end),
                 [] (const Region &a, const Region &b) { return a.box.x < b.box.x; });
      start = end;
    }
  return t;
}

Patches
describe_region (const Tray &tray, const Region &region)
{
  /* The mask's edge mixes food with the plate under it, and the texture
   * measure's window spreads a few pixels past the food: describe the
   * core. A small portion keeps more of itself. */
  cv::Mat core = region.mask;
  for (int side : { 9, 5 })
    {
      cv::Mat c;
      cv::erode (region.mask, c, cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (side, side)));
      if (cv::countNonZero (c (region.food_box)) >= 0.3 * region.area)
        {
          core = c;
          break;
        }
    }
  /* At the frame's own resolution: grains and leaves are a few pixels
   * across, and halving the frame blurs them into each other. */
  cv::Rect full = to_frame (tray, region.food_box);
  cv::Mat rgb = tray.frame_rgb, mask;
  if (full.empty () || rgb.empty ())
    {
      rgb = tray.work;
      full = region.food_box;
      mask = core (full);
    }
  else
    cv::resize (core (region.food_box), mask, full.size (), 0, 0, cv::INTER_NEAREST);
  const cv::Mat crop = rgb (full);

  /* A grid of patches that are mostly food, centred on the region. */
  const int side = std::max (8, cvRound (PATCH * static_cast<double> (full.width) / region.food_box.width));
  const int nx = full.width / side, ny = full.height / side;
  const int x0 = (full.width - nx * side) / 2, y0 = (full.height - ny * side) / 2;
  Patches out;
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx && out.size () < static_cast<std::size_t> (MAX_PATCHES); i++)
      {
        const cv::Rect p (x0 + i * side, y0 + j * side, side, side);
        if (cv::countNonZero (mask (p)) >= 0.6 * side * side)
          out.push_back (describe (crop, mask, p, tray.lighting));
      }
  if (out.empty ())
    out.push_back (describe (crop, mask, cv::Rect (0, 0, full.width, full.height), tray.lighting));
  return out;
}

cv::Rect
to_frame (const Tray &tray, const cv::Rect &box)
{
  /* Outwards to whole pixels, so a box never shrinks to nothing. */
  const double s = 1.0 / tray.scale;
  const cv::Point tl (cvFloor (box.x * s), cvFloor (box.y * s));
  const cv::Point br (cvCeil (box.br ().x * s), cvCeil (box.br ().y * s));
  return cv::Rect (tl, br) & cv::Rect (0, 0, tray.frame.width, tray.frame.height);
}

cv::Rect
to_work (const Tray &tray, const cv::Rect &box)
{
  const double s = tray.scale;
  const cv::Rect r (cvFloor (box.x * s), cvFloor (box.y * s), cvCeil (box.width * s), cvCeil (box.height * s));
  return r & cv::Rect (0, 0, tray.work.cols, tray.work.rows);
}

} // namespace vision
