/* plates.cpp — the crockery that holds each food region (see plates.hpp).
 *
 * One method for every shape: a plate, a bowl or a compartment is the
 * smooth surface that surrounds the food, so it is grown outwards from a
 * ring just outside the food, by flood fill within a colour range of each
 * seed (seeds near the ring's median colour, so sauce or a shadow on part
 * of the ring is not one). The step to the tray, a compartment's wall or a
 * coloured band stops it. A median filter first removes the one- and
 * two-pixel lines (the rim's step, a glaze reflection) that would stop it
 * too early. The container is the grown surface with the food inside it,
 * holes filled; its box is the item's box. (Its inside minus its surface
 * would be the portion with its sauce, but a flood stopped by a rim's step
 * leaves crockery in it: the descriptor keeps to the texture mask.)
 *
 * A flood that leaks (onto the tray's top, along a spoon, into the next
 * compartment) is recognised: by its size against the food's and the
 * frame's (then it is tried again with a narrower range), by holding
 * another region's food, or by a centre that strays from the food's (then
 * the region has no container: retrying those with narrower ranges too
 * changed nothing on the synthetic trays, 49% against 48% exact). Without
 * a container a region keeps its own box, widened. Regions that end up in
 * one container (pieces split by a chopstick) are merged: one container,
 * one item. */
#include "plates.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

/* How far (per RGB channel) from its seed's colour the flood may go, tried
 * widest first: the widest that does not leak wins. A neighbour-to-
 * neighbour step would be gentler on lamp gradients, but a blurred wall or
 * rim is a ramp of small steps, and it walks over them. */
constexpr int FLOOD_RANGES[] = { 22, 14, 8 };
/* A container's surface is at most this many times the food's area; more
 * is the tray. (A plate is about three times its portion.) */
constexpr double MAX_SURFACE_RATIO = 7.0;
/* Nor is a container ever more than this share of the frame: the largest
 * compartment of a 分格餐盘 is about a seventh of it, the tray over half. */
constexpr double MAX_CONTAINER_SHARE = 0.25;
/* Nor is its box more than this many times the food's box (a plate is
 * about three times its portion's). */
constexpr int MAX_BOX_RATIO = 5;
/* How far (a share of the container's size) its centre may be from the
 * food's. */
constexpr double MAX_OFF_CENTRE = 0.15;
/* Without a container, a region must be at least this many times the
 * smallest portion: a rim's corner against a patterned counter is
 * textured too, but small. */
constexpr double LONE_AREA_FACTOR = 2.0;
/* Two regions whose containers overlap this much share the container. */
constexpr double SAME_CONTAINER = 0.5;

void
fill_holes (cv::Mat &mask)
{
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours (mask.clone (), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  cv::drawContours (mask, contours, -1, cv::Scalar (255), cv::FILLED);
}

} // namespace

/* Grows the container of `food` over `smooth` (median-filtered RGB).
 * Returns the container's mask (food included, holes filled), or an empty
 * Mat when the flood leaked. *surface gets the grown part. */
namespace {

cv::Mat
grow_with_range (const cv::Mat &smooth, const cv::Mat &food, double food_area, int range, cv::Mat *surface)
{
  cv::Mat near, far;
  cv::dilate (food, near, cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (3, 3)));
  cv::dilate (food, far, cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (9, 9)));
  const cv::Mat ring = far & ~near;

  std::vector<cv::Point> ring_pts;
  cv::findNonZero (ring, ring_pts);
  if (ring_pts.empty ())
    return cv::Mat ();

  /* The surface's colour: the ring's median, so sauce or a shadow on part
   * of the ring does not become the seed. */
  std::vector<int> values[3];
  for (const cv::Point &p : ring_pts)
    for (int c = 0; c < 3; c++)
      values[c].push_back (smooth.at<cv::Vec3b> (p)[c]);
  int median[3];
  for (int c = 0; c < 3; c++)
    {
      std::nth_element (values[c].begin (), values[c].begin () + static_cast<long> (values[c].size () / 2),
                        values[c].end ());
      median[c] = values[c][values[c].size () / 2];
    }

  /* floodFill's mask is 2 pixels larger; non-zero pixels are barriers, so
   * the food (slightly widened) is one and the flood goes around it. */
  cv::Mat flood (smooth.rows + 2, smooth.cols + 2, CV_8U, cv::Scalar (0));
  near.copyTo (flood (cv::Rect (1, 1, smooth.cols, smooth.rows)));
  flood.setTo (1, flood == 255);
  const int flags = 8 | cv::FLOODFILL_MASK_ONLY | cv::FLOODFILL_FIXED_RANGE | (255 << 8);
  const cv::Scalar step (range, range, range);
  const std::size_t stride = std::max<std::size_t> (1, ring_pts.size () / 24);
  for (std::size_t i = 0; i < ring_pts.size (); i += stride)
    {
      const cv::Point &p = ring_pts[i];
      const cv::Vec3b v = smooth.at<cv::Vec3b> (p);
      if (flood.at<unsigned char> (p.y + 1, p.x + 1) != 0)
        continue;
      if (std::abs (v[0] - median[0]) + std::abs (v[1] - median[1]) + std::abs (v[2] - median[2]) > 30)
        continue;
      cv::floodFill (smooth, flood, p, cv::Scalar (), nullptr, step, step, flags);
    }

  *surface = flood (cv::Rect (1, 1, smooth.cols, smooth.rows)) == 255;
  const double grown = cv::countNonZero (*surface);
  if (grown > MAX_SURFACE_RATIO * food_area || grown < 0.05 * food_area
      || grown > MAX_CONTAINER_SHARE * smooth.rows * smooth.cols)
    return cv::Mat ();
  const cv::Rect sb = cv::boundingRect (*surface);
  if (sb.x <= 1 || sb.y <= 1 || sb.br ().x >= smooth.cols - 1 || sb.br ().y >= smooth.rows - 1)
    return cv::Mat ();

  cv::Mat container = *surface | food;
  /* Close the gaps a chopstick or a stopped flood leaves in the outline. */
  cv::morphologyEx (container, container, cv::MORPH_CLOSE,
                    cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (7, 7)));
  fill_holes (container);
  return container;
}

} // namespace

cv::Mat
grow_container (const cv::Mat &smooth, const cv::Mat &food, double food_area, cv::Mat *surface)
{
  for (int range : FLOOD_RANGES)
    {
      cv::Mat container = grow_with_range (smooth, food, food_area, range, surface);
      if (!container.empty ())
        return container;
    }
  return cv::Mat ();
}

void
find_containers (const cv::Mat &rgb, std::vector<Region> &regions, double min_area)
{
  if (regions.empty ())
    return;
  cv::Mat smooth;
  cv::medianBlur (rgb, smooth, 5);

  std::vector<cv::Mat> containers (regions.size ()), surfaces (regions.size ());
  for (std::size_t i = 0; i < regions.size (); i++)
    {
      containers[i] = grow_container (smooth, regions[i].mask, regions[i].area, &surfaces[i]);
      /* A flood over the tray's top closes around the other compartments
       * and plates, or runs along a spoon: a container holding another
       * region's food, or far larger than its food, leaked. */
      if (containers[i].empty ())
        continue;
      const cv::Rect cb = cv::boundingRect (containers[i]);
      const cv::Rect &fb = regions[i].food_box;
      /* Crockery sits around its food: a box whose centre strays from
       * the food's ran along a spoon or into the next compartment. */
      const double off_x = std::abs ((cb.x + cb.width / 2.0) - (fb.x + fb.width / 2.0)) / cb.width;
      const double off_y = std::abs ((cb.y + cb.height / 2.0) - (fb.y + fb.height / 2.0)) / cb.height;
      bool leaked = cb.area () > MAX_BOX_RATIO * fb.area () || off_x > MAX_OFF_CENTRE || off_y > MAX_OFF_CENTRE;
      for (std::size_t j = 0; j < regions.size () && !leaked; j++)
        leaked = j != i && ((cb & regions[j].food_box).area () > 0.2 * regions[j].food_box.area ()
                            || cv::countNonZero (containers[i] & regions[j].mask) > 0.1 * regions[j].area);
      if (leaked)
        containers[i] = cv::Mat ();
    }

  /* One container, one item. */
  std::vector<bool> gone (regions.size (), false);
  for (std::size_t i = 0; i < regions.size (); i++)
    for (std::size_t j = i + 1; j < regions.size () && !containers[i].empty (); j++)
      {
        if (gone[j] || containers[j].empty ())
          continue;
        const double both = cv::countNonZero (containers[i] & containers[j]);
        const double smaller = std::min (cv::countNonZero (containers[i]), cv::countNonZero (containers[j]));
        if (both < SAME_CONTAINER * smaller
            || cv::countNonZero (containers[i] | containers[j]) > MAX_CONTAINER_SHARE * rgb.rows * rgb.cols)
          continue;
        regions[i].mask |= regions[j].mask;
        regions[i].area += regions[j].area;
        containers[i] |= containers[j];
        surfaces[i] |= surfaces[j];
        gone[j] = true;
      }

  std::vector<Region> kept;
  for (std::size_t i = 0; i < regions.size (); i++)
    {
      if (gone[i])
        continue;
      Region &r = regions[i];
      if (!containers[i].empty ())
        {
          r.box = cv::boundingRect (containers[i]);
          r.container = Container::Found;
        }
      else if (r.area < LONE_AREA_FACTOR * min_area)
        continue;
      else
        {
          /* The crockery could not be told from the tray: the food's own
           * box, widened by a rim. */
          const int dx = r.food_box.width / 12, dy = r.food_box.height / 12;
          r.box = cv::Rect (r.food_box.x - dx, r.food_box.y - dy, r.food_box.width + 2 * dx,
                            r.food_box.height + 2 * dy)
                  & cv::Rect (0, 0, rgb.cols, rgb.rows);
          r.container = Container::None;
        }
      r.food_box = cv::boundingRect (r.mask);
      r.area = cv::countNonZero (r.mask);
      kept.push_back (std::move (r));
    }
  regions = std::move (kept);
}

} // namespace vision
