/* tray-eaten.cpp — a served tray after the meal (see tray-eaten.h): what
 * is eaten is decided on each dish's tray-space food mask, the returned
 * tray is repainted from the bare tray (vessels, no food) plus the food
 * that is left, smears and bones, and photographed by a new shot. A tray
 * tag is on the bare tray (and stamped again over bones and smears), so it
 * comes along wherever the tray now lies. */
#include "tray-eaten.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "camera-sim.h"
#include "mat-pool.h"
#include "shapes.h"
#include "tray-scene.h"
#include "tray-stages.h"

namespace traygen {

namespace {

/* A stream of its own: not any of tray-gen's (menu, tray, enroll, draw). */
uint64_t
eat_seed (uint64_t seed, int index)
{
  uint64_t z = seed * 0xD1B54A32D192ED03ull + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t> (index) + 77);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* The sauce under pieces: flat and near the dish's sauce colour. The rest
 * of the food mask is the solid food the truth counts. */
cv::Mat
solid_food (const cv::Mat &served, const cv::Mat &food, const Dish &dish)
{
  if (!(dish.plating == Plating::PIECES && dish.sauce))
    return food.clone ();
  cv::Mat f, mean, sq, var;
  served.convertTo (f, CV_32FC3);
  cv::blur (f, mean, cv::Size (5, 5));
  cv::blur (f.mul (f), sq, cv::Size (5, 5));
  var = sq - mean.mul (mean);
  cv::Mat solid = food.clone ();
  const cv::Rect box = cv::boundingRect (food);
  for (int y = box.y; y < box.br ().y; y++)
    for (int x = box.x; x < box.br ().x; x++)
      {
        if (!food.at<uchar> (y, x))
          continue;
        const cv::Vec3b p = served.at<cv::Vec3b> (y, x);
        const cv::Vec3f v = var.at<cv::Vec3f> (y, x);
        double d = 0.0;
        for (int c = 0; c < 3; c++)
          d += std::abs (p[c] - dish.sauce_bgr[c]);
        if (d < 70.0 && v[0] + v[1] + v[2] < 3 * 80.0f)
          solid.at<uchar> (y, x) = 0;
      }
  return solid;
}

/* Eating from the rim inwards: keep what is deeper than t. */
cv::Mat
eat_rim (const cv::Mat &solid, const cv::Mat &portion, double target)
{
  cv::Mat dist;
  cv::distanceTransform (portion, dist, cv::DIST_L2, 3);
  const double total = cv::countNonZero (solid);
  double lo = 0.0, hi = 400.0;
  for (int i = 0; i < 18; i++)
    {
      const double mid = (lo + hi) / 2;
      const double kept = cv::countNonZero (solid & (dist > mid));
      (kept > target * total ? lo : hi) = mid;
    }
  return solid & (dist > hi);
}

/* Eating in sectors: keep an angular range around the centroid. */
cv::Mat
eat_sectors (const cv::Mat &solid, double target, cv::RNG &rng)
{
  const cv::Moments m = cv::moments (solid, true);
  const cv::Point2d c (m.m10 / std::max (m.m00, 1.0), m.m01 / std::max (m.m00, 1.0));
  const double start = rng.uniform (0.0, 2 * CV_PI);
  const cv::Rect box = cv::boundingRect (solid);
  cv::Mat angle (solid.size (), CV_32F, cv::Scalar (10.0f));
  for (int y = box.y; y < box.br ().y; y++)
    for (int x = box.x; x < box.br ().x; x++)
      {
        double a = std::atan2 (y - c.y, x - c.x) - start;
        while (a < 0)
          a += 2 * CV_PI;
        angle.at<float> (y, x) = static_cast<float> (a);
      }
  const double total = cv::countNonZero (solid);
  double lo = 0.0, hi = 2 * CV_PI;
  for (int i = 0; i < 18; i++)
    {
      const double mid = (lo + hi) / 2;
      const double kept = cv::countNonZero (solid & (angle < mid));
      (kept > target * total ? hi : lo) = mid;
    }
  return solid & (angle < hi);
}

/* Bites here and there: discs taken out until little enough is left. */
cv::Mat
eat_bites (const cv::Mat &solid, double target, cv::RNG &rng)
{
  cv::Mat left = solid.clone ();
  const double total = cv::countNonZero (solid);
  const cv::Rect box = cv::boundingRect (solid);
  const double radius = std::sqrt (total / CV_PI);
  for (int n = 0; n < 400 && cv::countNonZero (left) > target * total; n++)
    {
      const cv::Point p (box.x + rng.uniform (0, std::max (1, box.width)),
                         box.y + rng.uniform (0, std::max (1, box.height)));
      if (!left.at<uchar> (p) && n % 4)
        continue;
      cv::circle (left, p, static_cast<int> (radius * rng.uniform (0.12, 0.3)), cv::Scalar (0), cv::FILLED);
    }
  return left;
}

/* The share of food left: a third clean plates, some nearly clean, the
 * rest anywhere, some untouched. */
double
draw_target (cv::RNG &rng)
{
  const double r = rng.uniform (0.0, 1.0);
  if (r < 0.30)
    return rng.uniform (0.0, 0.03);
  if (r < 0.42)
    return rng.uniform (0.06, 0.18);
  if (r < 0.85)
    return rng.uniform (0.18, 0.92);
  return 1.0;
}

/* Sauce smeared where food was: thick soft strokes, no texture. */
void
smear (cv::Mat &canvas, const cv::Mat &where, const cv::Scalar &colour, cv::RNG &rng)
{
  std::vector<cv::Point> pts;
  cv::findNonZero (where, pts);
  if (pts.size () < 50)
    return;
  cv::Mat alpha (canvas.size (), CV_32F, cv::Scalar (0));
  const int strokes = rng.uniform (1, 4);
  for (int s = 0; s < strokes; s++)
    {
      cv::Point a = pts[static_cast<size_t> (rng.uniform (0, static_cast<int> (pts.size ())))];
      const double angle = rng.uniform (0.0, 2 * CV_PI), len = rng.uniform (30.0, 90.0);
      cv::Point b = a + cv::Point (static_cast<int> (len * std::cos (angle)), static_cast<int> (len * std::sin (angle)));
      cv::line (alpha, a, b, cv::Scalar (rng.uniform (0.35, 0.7)), rng.uniform (8, 20), cv::LINE_AA);
    }
  cv::GaussianBlur (alpha, alpha, cv::Size (0, 0), 3.0);
  cv::Mat w;
  where.convertTo (w, CV_32F, 1.0 / 255.0);
  cv::GaussianBlur (w, w, cv::Size (0, 0), 2.0);
  alpha = alpha.mul (w);
  cv::Mat f, a3, tint (canvas.size (), CV_32FC3, colour);
  canvas.convertTo (f, CV_32FC3);
  cv::merge (std::vector<cv::Mat> { alpha, alpha, alpha }, a3);
  f = f.mul (cv::Scalar::all (1.0) - a3) + tint.mul (a3);
  f.convertTo (canvas, CV_8UC3);
}

/* A bone or a piece of peel: a smooth capsule, ivory or the food's rind. */
void
bone (cv::Mat &canvas, const cv::Mat &well, cv::RNG &rng)
{
  std::vector<cv::Point> pts;
  cv::findNonZero (well, pts);
  if (pts.empty ())
    return;
  for (int attempt = 0; attempt < 20; attempt++)
    {
      const cv::Point c = pts[static_cast<size_t> (rng.uniform (0, static_cast<int> (pts.size ())))];
      const double angle = rng.uniform (0.0, CV_PI), len = rng.uniform (28.0, 60.0), w = rng.uniform (7.0, 13.0);
      const cv::Point2d u (std::cos (angle), std::sin (angle));
      const cv::Point a = c + cv::Point (u * (len / 2)), b = c - cv::Point (u * (len / 2));
      const cv::Rect r (0, 0, canvas.cols, canvas.rows);
      if (!r.contains (a) || !r.contains (b) || !well.at<uchar> (a) || !well.at<uchar> (b))
        continue;
      const cv::Scalar ivory (rng.uniform (175, 215), rng.uniform (200, 230), rng.uniform (215, 240));
      cv::line (canvas, a + cv::Point (2, 3), b + cv::Point (2, 3), ivory * 0.6, static_cast<int> (w), cv::LINE_AA);
      cv::line (canvas, a, b, ivory, static_cast<int> (w), cv::LINE_AA);
      cv::circle (canvas, a, static_cast<int> (w * 0.75), ivory * 0.95, cv::FILLED, cv::LINE_AA);
      cv::circle (canvas, b, static_cast<int> (w * 0.75), ivory * 0.95, cv::FILLED, cv::LINE_AA);
      cv::line (canvas, a, b, ivory * 1.06, std::max (2, static_cast<int> (w / 3)), cv::LINE_AA);
      return;
    }
}

} // namespace

TrayPair
make_tray_pair (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag)
{
  TrayStages st = make_tray_stages (library, menu, index, tag);
  MatPoolScope pool;
  cv::RNG rng (eat_seed (menu.seed, index));
  TrayPair pair;
  pair.before = st.frame;

  cv::Mat after = st.bare.clone ();
  for (size_t i = 0; i < st.food.size (); i++)
    {
      const Region &g = st.frame.regions[i];
      const Dish &dish = menu.dishes[static_cast<size_t> (g.dish)];
      const cv::Mat &food = st.food[i];
      const cv::Mat solid = solid_food (st.served, food, dish);
      const double served = cv::countNonZero (solid);
      EatenRegion e;
      e.id = g.id;
      e.food = g.food;
      e.container = g.container;

      const double target = draw_target (rng);
      cv::Mat left;
      if (target >= 1.0 || served < 1.0)
        {
          left = solid.clone ();
          e.how = "untouched";
        }
      else
        {
          const int how = rng.uniform (0, 3);
          if (how == 0)
            left = eat_rim (solid, food, target);
          else if (how == 1)
            left = eat_sectors (solid, target, rng);
          else
            left = eat_bites (solid, target, rng);
          e.how = how == 0 ? "rim" : how == 1 ? "sectors" : "bites";
        }
      e.left = served < 1.0 ? 1.0 : cv::countNonZero (left) / served;
      e.served = served;

      /* What is left keeps its look; an untouched dish keeps its sauce,
       * an eaten one keeps only the sauce under what is left. */
      cv::Mat keep = left.clone ();
      if (e.how == "untouched")
        keep = food.clone ();
      else if (dish.plating == Plating::PIECES && dish.sauce)
        {
          cv::Mat near;
          cv::dilate (left, near, cv::getStructuringElement (cv::MORPH_ELLIPSE, cv::Size (9, 9)));
          keep |= near & food;
        }
      st.served.copyTo (after, keep);

      if (e.how != "untouched")
        {
          const cv::Mat gone = food & ~keep;
          if (rng.uniform (0.0, 1.0) < 0.6)
            {
              const cv::Scalar colour = dish.sauce ? dish.sauce_bgr : cv::mean (st.served, solid) * 0.8;
              smear (after, gone, colour, rng);
              e.smear = true;
            }
          if (rng.uniform (0.0, 1.0) < 0.3)
            {
              e.bones = rng.uniform (1, 4);
              const cv::Mat well = shape_mask (st.places[i].well, after.size ());
              for (int b = 0; b < e.bones; b++)
                bone (after, well, rng);
            }
        }
      pair.regions.push_back (e);
    }

  /* Bones and smears lie in the wells, which may reach under the tag's
   * place: the sticker stays on top, as it was at checkout. */
  if (!st.tag.empty ())
    draw_tag (after, st.silhouette, st.tag_text, st.tag_place);
  TrayScene scene { st.kind, after, st.silhouette, st.frame.tray };
  draw_occluders (scene, rng);
  const Shot shot = choose_shot (rng);
  pair.after.tray = st.frame.tray;
  pair.after.notes = shot.describe ();
  pair.after.bgr = photograph (scene.canvas, scene.silhouette, shot, rng, &pair.after.jpeg);
  if (!st.tag.empty ())
    {
      pair.after.tag = tag;
      pair.after.tag_box = project_box (shot, st.tag);
    }
  return pair;
}

} // namespace traygen
