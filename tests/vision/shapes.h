/* shapes.h — the outlines everything on a tray is drawn with: plates,
 * bowls, compartments, the tray itself and the food on them.
 *
 * Contract: a Shape is a superellipse (exponent 2 = an ellipse, larger =
 * an ever squarer rounded rectangle) inscribed in a rotated rectangle;
 * outlines are closed polygons in pixel coordinates. Pure functions; the
 * only randomness (a wobbly food outline) comes from the caller's rng.
 */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace traygen {

struct Shape
{
  cv::RotatedRect box;
  double          exponent = 2.0;

  /* The same shape, its size multiplied by `factor`, same centre. */
  Shape scaled (double factor) const;
};

/* The outline of `shape`. */
std::vector<cv::Point> outline (const Shape &shape);

/* The outline with a smooth radial wobble of relative amplitude `wobble`
 * (a heap of food is never a perfect ellipse). */
std::vector<cv::Point> wobbly_outline (const Shape &shape, double wobble, cv::RNG &rng);

/* Fills `shape` (anti-aliased) with `colour` on `image`. */
void fill_shape (cv::Mat &image, const Shape &shape, const cv::Scalar &colour);

/* `shape` as a CV_8U mask (255 inside) of `size`. */
cv::Mat shape_mask (const Shape &shape, cv::Size size);

} // namespace traygen
