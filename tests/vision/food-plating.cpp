/* food-plating.cpp — a portion of food from a photo half: a mound or a
 * spread (a mosaic of patches of the photo, the look of rice, greens or a
 * stir-fry) or pieces (cut-outs of the photo piled up, on a sauce or not). */
#include "food-plating.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace traygen {

namespace {

/* Patches whose photo rectangle is less food than this show the backdrop. */
constexpr double PATCH_COVERAGE = 0.92;

/* A P x P raised-cosine window: overlapping patches blend without seams. */
cv::Mat
window (int p)
{
  cv::Mat w1 (1, p, CV_32F);
  for (int i = 0; i < p; i++)
    w1.at<float> (i) = static_cast<float> (0.5 - 0.5 * std::cos (2.0 * CV_PI * (i + 0.5) / p)) + 0.02f;
  return w1.t () * w1;
}

/* A square of side `side` in the half, as much food as possible. */
cv::Rect
pick_square (const FoodPhoto &photo, const cv::Rect &half, int side, cv::RNG &rng)
{
  cv::Rect best;
  double best_coverage = -1.0;
  for (int attempt = 0; attempt < 24 && best_coverage < PATCH_COVERAGE; attempt++)
    {
      cv::Rect r (half.x + rng.uniform (0, half.width - side + 1), half.y + rng.uniform (0, half.height - side + 1),
                  side, side);
      double c = photo.coverage (r);
      if (c > best_coverage)
        {
          best = r;
          best_coverage = c;
        }
    }
  return best;
}

/* A mirror image of a patch (how: 0 none, 1 left-right, 2 up-down, 3
 * both). Never a quarter turn: long grains, beans in rows, noodles turned
 * by 90° in alternate patches weave a basket pattern no food has. */
void
orient (cv::Mat &m, int how)
{
  if (how == 1 || how == 2)
    cv::flip (m, m, how == 1 ? 1 : 0);
  else if (how == 3)
    cv::flip (m, m, -1);
}

cv::Mat
three (const cv::Mat &one)
{
  cv::Mat out;
  cv::merge (std::vector<cv::Mat> { one, one, one }, out);
  return out;
}

/* Premultiplied colour (CV_32FC3) and alpha (CV_32F) of the food layer,
 * the size of the portion's box. */
struct Layer
{
  cv::Mat colour;
  cv::Mat alpha;
};

/* `src` (premultiplied, CV_32FC3) with alpha `a` over the layer at `at`. */
void
over (Layer &layer, const cv::Mat &src, const cv::Mat &a, cv::Point at)
{
  cv::Rect dst (at, a.size ());
  cv::Rect clip = dst & cv::Rect (0, 0, layer.alpha.cols, layer.alpha.rows);
  if (clip.empty ())
    return;
  cv::Rect from (clip.tl () - dst.tl (), clip.size ());
  cv::Mat inv = 1.0 - a (from);
  cv::Mat col = layer.colour (clip), al = layer.alpha (clip), kept;
  cv::multiply (col, three (inv), kept);
  cv::add (src (from), kept, col);
  cv::multiply (al, inv, kept);
  cv::add (a (from), kept, al);
}

/* Mound and spread: overlapping photo patches, rotated and mirrored at
 * random, blended with a window so no seam or repeat stands out. */
void
paint_mosaic (Layer &layer, const cv::Mat &portion, const FoodPhoto &photo, int photo_index, Half half,
              const Dish &dish, cv::RNG &rng, std::vector<Crop> *crops)
{
  const cv::Rect &src_half = photo.halves[half];
  const cv::Size out = portion.size ();
  int p = std::clamp (std::min (out.width, out.height) / 4, 28, 90);
  int side = std::min ({ static_cast<int> (std::lround (p / dish.texture_scale)), src_half.width, src_half.height });
  side = std::max (side, 4);
  p = std::max (8, static_cast<int> (std::lround (side * dish.texture_scale)));
  const cv::Mat win = window (p);
  const int step = std::max (4, p / 2);

  cv::Mat acc (out, CV_32FC3, cv::Scalar::all (0)), sum (out, CV_32F, cv::Scalar (0));
  for (int y = -p / 2; y < out.height; y += step)
    for (int x = -p / 2; x < out.width; x += step)
      {
        cv::Rect dst (x + rng.uniform (-step / 3, step / 3 + 1), y + rng.uniform (-step / 3, step / 3 + 1), p, p);
        cv::Rect clip = dst & cv::Rect (0, 0, out.width, out.height);
        if (clip.empty ())
          continue;
        cv::Rect src = pick_square (photo, src_half, side, rng);
        crops->push_back ({ photo_index, src });

        cv::Mat patch, mask;
        photo.bgr (src).convertTo (patch, CV_32FC3);
        photo.mask (src).convertTo (mask, CV_32F, 1.0 / 255.0);
        int how = rng.uniform (0, 4);
        orient (patch, how);
        orient (mask, how);
        int interp = p < side ? cv::INTER_AREA : cv::INTER_LINEAR;
        cv::resize (patch, patch, cv::Size (p, p), 0, 0, interp);
        cv::resize (mask, mask, cv::Size (p, p), 0, 0, interp);
        cv::Mat w = win.mul (mask);
        cv::Rect from (clip.tl () - dst.tl (), clip.size ());
        cv::Mat a = acc (clip), s = sum (clip), weighted;
        cv::multiply (patch (from), three (w (from)), weighted);
        a += weighted;
        s += w (from);
      }

  cv::Mat covered = sum > 1e-3;
  cv::Mat safe = cv::max (sum, 1e-3);
  cv::Mat colour;
  cv::divide (acc, three (safe), colour);
  colour.setTo (cv::Scalar (photo.mean[0], photo.mean[1], photo.mean[2]), ~covered);

  /* Volume: a heap is lighter on top and darker where it meets the plate;
   * a spread (rice in a bowl, a compartment filled to the edge) is flat. */
  cv::Mat dist, shade;
  cv::distanceTransform (portion, dist, cv::DIST_L2, 3);
  double peak = 0.0;
  cv::minMaxLoc (dist, nullptr, &peak);
  cv::sqrt (dist / std::max (peak, 1.0), shade);
  const bool heap = dish.plating == Plating::MOUND;
  shade = (heap ? 0.80 : 0.93) + (heap ? 0.26 : 0.08) * shade;
  colour = colour.mul (three (shade));

  cv::Mat alpha;
  portion.convertTo (alpha, CV_32F, 1.0 / 255.0);
  cv::GaussianBlur (alpha, alpha, cv::Size (0, 0), 1.2);
  /* Feathered inwards only: nothing outside the portion. */
  alpha.setTo (0.0, portion == 0);
  layer.colour = colour.mul (three (alpha));
  layer.alpha = alpha;
}

/* Pieces: cut-outs of the photo half, scaled to the portion, turned at
 * random and dropped inside the portion (overlapping, as a pile), each
 * with a small contact shadow; on a sauce for saucy dishes. */
void
paint_pieces (Layer &layer, const cv::Mat &portion, const cv::Mat &well, const FoodPhoto &photo, int photo_index,
              Half half, const Dish &dish, cv::RNG &rng, std::vector<Crop> *crops)
{
  const cv::Rect &src_half = photo.halves[half];
  const cv::Size out = portion.size ();
  const int area = std::max (cv::countNonZero (portion), 1);
  const double diameter = 2.0 * std::sqrt (area / CV_PI);
  const double target = dish.sauce ? rng.uniform (0.5, 0.75) : rng.uniform (0.82, 0.95);
  cv::Mat well_f;
  well.convertTo (well_f, CV_32F, 1.0 / 255.0);

  if (dish.sauce)
    {
      cv::Mat noise (4, 4, CV_32F);
      rng.fill (noise, cv::RNG::UNIFORM, 0.92, 1.08);
      cv::resize (noise, noise, out, 0, 0, cv::INTER_CUBIC);
      cv::Mat alpha;
      portion.convertTo (alpha, CV_32F, 0.97 / 255.0);
      cv::GaussianBlur (alpha, alpha, cv::Size (0, 0), 2.0);
      alpha = alpha.mul (well_f);
      cv::Mat colour (out, CV_32FC3, dish.sauce_bgr);
      layer.colour = colour.mul (three (noise.mul (alpha)));
      layer.alpha = alpha;
    }
  else
    {
      layer.colour = cv::Mat (out, CV_32FC3, cv::Scalar::all (0));
      layer.alpha = cv::Mat (out, CV_32F, cv::Scalar (0));
    }

  /* A half big enough to hold several objects gives a different part each
   * time; a single fruit's half is the piece itself. */
  const bool whole = src_half.width < 90 && src_half.height < 90;
  cv::Mat covered (out, CV_8U, cv::Scalar (0));
  for (int n = 0; n < 48; n++)
    {
      cv::Rect src = src_half;
      if (!whole)
        for (int attempt = 0; attempt < 10; attempt++)
          {
            int w = std::max (8, static_cast<int> (src_half.width * rng.uniform (0.45, 1.0)));
            int h = std::max (8, static_cast<int> (src_half.height * rng.uniform (0.45, 1.0)));
            src = cv::Rect (src_half.x + rng.uniform (0, src_half.width - w + 1),
                            src_half.y + rng.uniform (0, src_half.height - h + 1), w, h);
            if (photo.coverage (src) > 0.3)
              break;
          }
      crops->push_back ({ photo_index, src });

      const double scale = dish.piece_size * diameter * rng.uniform (0.8, 1.2) / std::max (src.width, src.height);
      const double angle = rng.uniform (0.0, 360.0);
      const int side = static_cast<int> (std::ceil (std::hypot (src.width, src.height) * scale)) + 2;
      cv::Mat m = cv::getRotationMatrix2D (cv::Point2f (src.width / 2.0f, src.height / 2.0f), angle, scale);
      m.at<double> (0, 2) += side / 2.0 - src.width / 2.0;
      m.at<double> (1, 2) += side / 2.0 - src.height / 2.0;
      cv::Mat piece, piece_alpha, src_mask;
      cv::warpAffine (photo.bgr (src), piece, m, cv::Size (side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
      photo.mask (src).convertTo (src_mask, CV_32F, 1.0 / 255.0);
      if (!whole)
        {
          /* A chunk cut from a bigger piece is a ragged lump, not a
           * rectangle with the photo's straight edges. */
          cv::Mat lump (src.size (), CV_32F, cv::Scalar (0));
          Shape shape { cv::RotatedRect (cv::Point2f (src.width / 2.0f, src.height / 2.0f),
                                         cv::Size2f (src.width * 0.98f, src.height * 0.98f), 0.0f), 2.5 };
          std::vector<std::vector<cv::Point>> polys { wobbly_outline (shape, 0.12, rng) };
          cv::fillPoly (lump, polys, cv::Scalar (1.0), cv::LINE_AA);
          src_mask = src_mask.mul (lump);
        }
      cv::warpAffine (src_mask, piece_alpha, m, cv::Size (side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
      piece.convertTo (piece, CV_32FC3);

      /* Centre on a food pixel of the portion. */
      cv::Point centre (out.width / 2, out.height / 2);
      for (int attempt = 0; attempt < 40; attempt++)
        {
          cv::Point c (rng.uniform (0, out.width), rng.uniform (0, out.height));
          if (portion.at<uchar> (c) != 0)
            {
              centre = c;
              break;
            }
        }
      cv::Point at = centre - cv::Point (side / 2, side / 2);
      cv::Rect dst (at, piece_alpha.size ());
      cv::Rect clip = dst & cv::Rect (0, 0, out.width, out.height);
      if (clip.empty ())
        continue;
      /* Nothing over the rim of the plate or the wall of a compartment. */
      cv::Mat rim (piece_alpha.size (), CV_32F, cv::Scalar (0));
      well_f (clip).copyTo (rim (cv::Rect (clip.tl () - dst.tl (), clip.size ())));
      piece_alpha = piece_alpha.mul (rim);

      cv::Mat shadow;
      cv::GaussianBlur (piece_alpha, shadow, cv::Size (0, 0), 2.5);
      over (layer, cv::Mat (shadow.size (), CV_32FC3, cv::Scalar::all (0)), shadow * 0.35,
            at + cv::Point (2, 3));
      over (layer, piece.mul (three (piece_alpha)), piece_alpha, at);

      cv::Mat placed = piece_alpha (cv::Rect (clip.tl () - dst.tl (), clip.size ())) > 0.5;
      cv::Mat c = covered (clip);
      c |= placed;
      if (cv::countNonZero (covered & portion) >= target * area)
        break;
    }
}

} // namespace

cv::Mat
paint_food (cv::Mat &canvas, const cv::Mat &well, const Shape &bounds, const FoodPhoto &photo, int photo_index,
            Half half, const Dish &dish, cv::RNG &rng, std::vector<Crop> *crops)
{
  const bool spread = dish.plating == Plating::SPREAD;
  const double fill = spread ? rng.uniform (0.90, 0.97) : rng.uniform (0.66, 0.88);
  cv::Mat portion (canvas.size (), CV_8U, cv::Scalar (0));
  std::vector<std::vector<cv::Point>> polys { wobbly_outline (bounds.scaled (fill), spread ? 0.01 : 0.07, rng) };
  cv::fillPoly (portion, polys, cv::Scalar (255), cv::LINE_8);
  portion &= well;

  cv::Mat food (canvas.size (), CV_8U, cv::Scalar (0));
  cv::Rect box = cv::boundingRect (portion);
  if (box.width < 4 || box.height < 4)
    return food;
  /* Pieces may stick out of the portion's outline (not over the rim). */
  if (dish.plating == Plating::PIECES)
    box = cv::boundingRect (well);

  Layer layer;
  if (dish.plating == Plating::PIECES)
    paint_pieces (layer, portion (box), well (box), photo, photo_index, half, dish, rng, crops);
  else
    paint_mosaic (layer, portion (box), photo, photo_index, half, dish, rng, crops);

  /* Portions of one dish differ a little in colour (more sauce, less). */
  layer.colour *= rng.uniform (0.95, 1.05);

  cv::Mat under, out;
  canvas (box).convertTo (under, CV_32FC3);
  out = layer.colour + under.mul (three (1.0 - layer.alpha));
  out.convertTo (canvas (box), CV_8UC3);
  cv::Mat (layer.alpha > 0.5).copyTo (food (box));
  return food;
}

} // namespace traygen
