/* food-mask.cpp — food versus crockery and tray (see food-mask.hpp).
 *
 * Crockery, trays and cutlery are smooth with a few long edges (rims,
 * compartment walls, the tray's border, a chopstick); food is textured:
 * grains, leaves, pieces. The measure that tells them apart is the smaller
 * eigenvalue of the colour structure tensor over a small window: it is
 * large only where gradients run in every direction (texture), and stays
 * near zero along a single edge however strong. A wooden counter's grain
 * is one direction too; a granite counter is textured but surrounds the
 * tray, so regions touching the frame's border are dropped (the tray lies
 * wholly inside the frame, with its rim between the food and the edge).
 * Where a long straight edge (a compartment's wall, a chopstick) meets
 * food, the window does see texture: those edges are found as lines and
 * cut out of the mask, so they cannot join two portions. */
#include "food-mask.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

/* Structure tensor: pre-smoothing (JPEG blocks, sensor noise) and window. */
constexpr double TENSOR_SIGMA = 1.0;
constexpr int TENSOR_WINDOW = 9;
/* Gaps (working pixels) that still join pieces into one portion. The
 * portions of neighbouring compartments are only a wall apart (under ten
 * working pixels once the texture window has spread each a little), so
 * this stays small; pieces further apart on one plate are joined again by
 * their container (plates.hpp). */
constexpr int GROUP_GAP = 5;
/* Bridges thinner than this (working pixels) between portions are cut. */
constexpr int BRIDGE = 15;
/* The closing that joins the pieces of one portion across sauce, in the
 * mask itself: wider, it bridged compartment walls. */
constexpr int MASK_CLOSE = 5;
/* Straight edges at least this long (working pixels) are crockery or
 * cutlery, never food: compartment walls, a tray's or a plate's straight
 * rim, chopsticks, a spoon's handle. They are cut out of the mask with
 * this width, so that the food on either side of a wall, or under a
 * chopstick lying across two dishes, is not one region. */
constexpr int LINE_LENGTH = 80;
constexpr int LINE_CUT = 5;
constexpr double CANNY_LOW = 60.0, CANNY_HIGH = 150.0;
/* Grey-level standard deviation along a line under which its side is a
 * plain surface (noise and JPEG stay under ~5, food is tens). */
constexpr double PLAIN_SD = 12.0;
/* Smaller regions are crumbs, garnish, or where a rim turns a corner
 * against a patterned counter (those stay under ~1300 px). */
constexpr double MIN_AREA_SHARE = 0.0055;
/* Shape of a portion: the longer side of its rotated box at most this
 * many times the shorter, and at least this share of its convex hull. */
constexpr float MAX_ELONGATION = 4.0f;
constexpr double MIN_SOLIDITY = 0.6;
/* Pixels from the frame's edge that count as touching it. */
constexpr int BORDER = 2;

/* Whether one side of the segment a–b, `offset` pixels away from it, is
 * a plain surface: the grey level there varies little along the line. A
 * wall, a rim, a chopstick or a spoon's handle is plain along its length;
 * a straight edge between two textured areas (a row of grains, the cells
 * of a mosaic) is not, and is left in the mask. */
bool
plain_side (const cv::Mat &grey, cv::Point a, cv::Point b, double offset)
{
  const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot (dx, dy);
  if (len < 1.0)
    return false;
  const double nx = -dy / len * offset, ny = dx / len * offset;
  double sum = 0.0, sum2 = 0.0;
  int n = 0;
  for (double t = 0.0; t <= len; t += 2.0)
    {
      const int x = cvRound (a.x + dx * t / len + nx), y = cvRound (a.y + dy * t / len + ny);
      if (x < 0 || y < 0 || x >= grey.cols || y >= grey.rows)
        continue;
      const double v = grey.at<unsigned char> (y, x);
      sum += v;
      sum2 += v * v;
      n++;
    }
  if (n < 8)
    return false;
  const double mean = sum / n;
  return std::sqrt (std::max (sum2 / n - mean * mean, 0.0)) < PLAIN_SD;
}

/* Clears LINE_CUT-wide bands along the long straight edges of `rgb` that
 * border a plain surface from `mask`. The structure tensor already
 * ignores a single edge, but not where a wall meets food, a chopstick
 * crosses a portion or two chopsticks lie side by side: there the texture
 * window sees gradients in every direction and the mask bridges. */
void
cut_straight_edges (const cv::Mat &rgb, cv::Mat &mask)
{
  cv::Mat grey, edges;
  cv::cvtColor (rgb, grey, cv::COLOR_RGB2GRAY);
  cv::Canny (grey, edges, CANNY_LOW, CANNY_HIGH);
  std::vector<cv::Vec4i> lines;
  cv::HoughLinesP (edges, lines, 1.0, CV_PI / 180.0, LINE_LENGTH / 2, LINE_LENGTH, 3.0);
  for (const cv::Vec4i &l : lines)
    {
      const cv::Point a (l[0], l[1]), b (l[2], l[3]);
      if (plain_side (grey, a, b, 2.0) || plain_side (grey, a, b, -2.0))
        cv::line (mask, a, b, cv::Scalar (0), LINE_CUT);
    }
}

} // namespace

cv::Mat
texture_energy (const cv::Mat &rgb)
{
  cv::Mat lab, f;
  cv::cvtColor (rgb, lab, cv::COLOR_RGB2Lab);
  lab.convertTo (f, CV_32FC3);
  cv::GaussianBlur (f, f, cv::Size (0, 0), TENSOR_SIGMA);
  std::vector<cv::Mat> ch;
  cv::split (f, ch);

  cv::Mat jxx = cv::Mat::zeros (f.size (), CV_32F), jyy = jxx.clone (), jxy = jxx.clone ();
  /* 8-bit Lab stretches L to 0..255 but keeps a* b* in their own units:
   * doubling chroma makes a colour edge count like a lightness one. */
  static const double weight[3] = { 1.0, 4.0, 4.0 };
  for (int c = 0; c < 3; c++)
    {
      cv::Mat gx, gy;
      cv::Sobel (ch[static_cast<std::size_t> (c)], gx, CV_32F, 1, 0, 3);
      cv::Sobel (ch[static_cast<std::size_t> (c)], gy, CV_32F, 0, 1, 3);
      cv::scaleAdd (gx.mul (gx), weight[c], jxx, jxx);
      cv::scaleAdd (gy.mul (gy), weight[c], jyy, jyy);
      cv::scaleAdd (gx.mul (gy), weight[c], jxy, jxy);
    }
  const cv::Size win (TENSOR_WINDOW, TENSOR_WINDOW);
  cv::boxFilter (jxx, jxx, -1, win);
  cv::boxFilter (jyy, jyy, -1, win);
  cv::boxFilter (jxy, jxy, -1, win);
  cv::Mat half_trace = (jxx + jyy) * 0.5, half_diff = (jxx - jyy) * 0.5, root;
  cv::sqrt (half_diff.mul (half_diff) + jxy.mul (jxy), root);
  return half_trace - root;
}

cv::Mat
food_mask (const cv::Mat &rgb, float energy)
{
  return food_mask (rgb, texture_energy (rgb), energy);
}

cv::Mat
food_mask (const cv::Mat &rgb, const cv::Mat &texture, float energy)
{
  cv::Mat mask;
  cv::threshold (texture, mask, static_cast<double> (energy), 255, cv::THRESH_BINARY);
  mask.convertTo (mask, CV_8U);
  cut_straight_edges (rgb, mask);
  /* Opening drops specks (a compartment's corner, a chopstick's tip);
   * closing joins the pieces of one portion across thin gaps of sauce. */
  cv::morphologyEx (mask, mask, cv::MORPH_OPEN, cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (5, 5)));
  cv::morphologyEx (mask, mask, cv::MORPH_CLOSE,
                    cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (MASK_CLOSE, MASK_CLOSE)));
  return mask;
}

bool
food_within (const Region &a, const Region &b, int gap)
{
  const cv::Rect reach (a.food_box.x - gap, a.food_box.y - gap, a.food_box.width + 2 * gap, a.food_box.height + 2 * gap);
  if ((reach & b.food_box).empty ())
    return false;
  cv::Mat distance;
  cv::distanceTransform (~a.mask, distance, cv::DIST_L2, 3);
  double nearest = 0.0;
  cv::minMaxLoc (distance, &nearest, nullptr, nullptr, nullptr, b.mask);
  return nearest <= gap;
}

double
min_portion_area (const cv::Size &size)
{
  return MIN_AREA_SHARE * size.width * size.height;
}

std::vector<Region>
food_regions (const cv::Mat &mask)
{
  /* Pieces of one portion (on a sauce, split by a chopstick) lie closer
   * to each other than two portions do (a rim, or a compartment's wall,
   * is always between those): closing joins them. An opening then cuts
   * the thin bridges a spoon or a chopstick lying across two dishes makes
   * between their portions. */
  cv::Mat joined, labels, stats, centroids;
  cv::morphologyEx (mask, joined, cv::MORPH_CLOSE,
                    cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (GROUP_GAP, GROUP_GAP)));
  cv::morphologyEx (joined, joined, cv::MORPH_OPEN,
                    cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (BRIDGE, BRIDGE)));
  const int n = cv::connectedComponentsWithStats (joined, labels, stats, centroids, 8, CV_32S);
  const double min_area = min_portion_area (mask.size ());

  std::vector<Region> out;
  for (int i = 1; i < n; i++)
    {
      const cv::Rect box (stats.at<int> (i, cv::CC_STAT_LEFT), stats.at<int> (i, cv::CC_STAT_TOP),
                          stats.at<int> (i, cv::CC_STAT_WIDTH), stats.at<int> (i, cv::CC_STAT_HEIGHT));
      /* The counter around the tray, not food on it. */
      if (box.x < BORDER || box.y < BORDER || box.br ().x > mask.cols - BORDER || box.br ().y > mask.rows - BORDER)
        continue;

      Region r;
      r.mask = cv::Mat::zeros (mask.size (), CV_8U);
      cv::Mat part = r.mask (box);
      part.setTo (255, labels (box) == i);
      /* Holes inside a portion (a shiny spot, a flat piece) are still food. */
      std::vector<std::vector<cv::Point>> contours;
      cv::findContours (part.clone (), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
      cv::drawContours (part, contours, -1, cv::Scalar (255), cv::FILLED);
      const double area = cv::countNonZero (part);
      if (area < min_area)
        continue;

      /* A chopstick or a spoon's handle is long and thin; the tray's edge
       * against a patterned counter, or its rim at a corner, a thin band
       * or an L. A portion is a compact blob. */
      std::vector<cv::Point> pts;
      cv::findNonZero (part, pts);
      const cv::RotatedRect rr = cv::minAreaRect (pts);
      const float lo = std::min (rr.size.width, rr.size.height), hi = std::max (rr.size.width, rr.size.height);
      if (lo < 1.0f || hi / lo > MAX_ELONGATION)
        continue;
      std::vector<cv::Point> hull;
      cv::convexHull (pts, hull);
      if (area < MIN_SOLIDITY * cv::contourArea (hull))
        continue;

      r.food_box = cv::boundingRect (pts) + box.tl ();
      r.box = r.food_box;
      r.area = area;
      out.push_back (std::move (r));
    }
  return out;
}

} // namespace vision
