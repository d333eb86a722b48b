/* tray.cpp — the stages of one frame (see tray.hpp): scale to the working
 * width, food mask (at two thresholds: textured food, then smooth food
 * apart from it), regions, containers, lighting. Orchestration, and the
 * rule that joins the two thresholds' portions; each stage lives in its
 * own file. */
#include "tray.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "food-mask.hpp"
#include "qr-reader.hpp"
#include "plates.hpp"

namespace vision {

namespace {

/* Smooth food must be at least this much more textured than the ring of
 * surface around it (its median texture energy over the ring's): a
 * granite or wooden counter is as textured next to a patch as in it. */
constexpr float SMOOTH_OVER_RING = 2.0f;

float
median_energy (const cv::Mat &texture, const cv::Mat &mask)
{
  std::vector<float> v;
  for (int y = 0; y < mask.rows; y += 2)
    {
      const unsigned char *m = mask.ptr<unsigned char> (y);
      const float *e = texture.ptr<float> (y);
      for (int x = 0; x < mask.cols; x += 2)
        if (m[x])
          v.push_back (e[x]);
    }
  if (v.empty ())
    return 0.0f;
  std::nth_element (v.begin (), v.begin () + static_cast<long> (v.size () / 2), v.end ());
  return v[v.size () / 2];
}

/* Smooth food (a spread, an avocado, a lemon, fine grains blurred by the
 * lens) stays under FOOD_ENERGY: its mask is a few specks, or an outline
 * the opening erases. At SMOOTH_FOOD_ENERGY it is found, but walls,
 * brushed steel and patterned counters join in: so a portion found only
 * there is kept only when its box meets no portion found at FOOD_ENERGY
 * (else it is that portion grown into its neighbours), the surface around
 * it is much smoother than it is (else it is the counter or the tray), and
 * (analyse() checks, after find_containers) crockery holds it. On the
 * synthetic trays (tests/vision, 100 trays each), 20 dishes: tray
 * exact-match 31% → 37% (seed 1) and 47% → 51% (seed 3), dish F1 75.3% →
 * 77.9% and 77.5% → 78.6%; 80 dishes: seed 2 unchanged (32%, 71.4%),
 * seed 3 28% → 30%. Without the crockery check recall gained more (seed
 * 1: 84% → 93%), but precision fell to 91% (the tray's own pattern,
 * glare), below the quick run's floor of 95%. */
void
add_smooth_food (const cv::Mat &work, const cv::Mat &texture, cv::Mat &mask, std::vector<Region> &regions)
{
  const std::size_t strong = regions.size ();
  const cv::Mat near_kernel = cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (9, 9));
  const cv::Mat far_kernel = cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (25, 25));
  for (Region &l : food_regions (food_mask (work, texture, SMOOTH_FOOD_ENERGY)))
    {
      bool apart = true;
      for (std::size_t i = 0; i < strong && apart; i++)
        apart = (l.food_box & regions[i].food_box).empty ();
      if (!apart)
        continue;
      cv::Mat inner, near, far;
      cv::erode (l.mask, inner, near_kernel);
      cv::dilate (l.mask, near, near_kernel);
      cv::dilate (l.mask, far, far_kernel);
      if (median_energy (texture, far & ~near) * SMOOTH_OVER_RING > median_energy (texture, inner))
        continue;
      mask |= l.mask;
      l.smooth = true;
      regions.push_back (std::move (l));
    }
}

} // namespace

Tray
analyse (const cv::Mat &rgb, float food_energy, bool smooth_food)
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

  cv::Mat texture = texture_energy (t.work);
  /* A QR code (the tray's own tag, a diner's payment code on a phone) is
   * the most textured thing on a tray, and never food. */
  clear_qr_codes (rgb, t.scale, texture);
  cv::Mat mask = food_mask (t.work, texture, food_energy);
  t.regions = food_regions (mask);
  if (smooth_food && food_energy > SMOOTH_FOOD_ENERGY)
    add_smooth_food (t.work, texture, mask, t.regions);
  find_containers (t.work, t.regions, min_portion_area (t.work.size ()));
  /* A smooth patch without crockery around it is more often the tray's
   * own pattern or a glare than food (regions precision on the quick run). */
  t.regions.erase (std::remove_if (t.regions.begin (), t.regions.end (),
                                   [] (const Region &r) { return r.smooth && r.container != Container::Found; }),
                   t.regions.end ());
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
