/* shapes.cpp — superellipse outlines. */
#include "shapes.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace traygen {

namespace {

/* Enough vertices that a 330-pixel plate has no visible corners. */
constexpr int VERTICES = 120;

std::vector<cv::Point>
trace (const Shape &shape, const double amp[4], const double phase[4])
{
  const double a = static_cast<double> (shape.box.size.width) / 2.0;
  const double b = static_cast<double> (shape.box.size.height) / 2.0;
  const double t0 = static_cast<double> (shape.box.angle) * CV_PI / 180.0, ct0 = std::cos (t0), st0 = std::sin (t0);
  const double cx = static_cast<double> (shape.box.center.x), cy = static_cast<double> (shape.box.center.y);
  const double e = 2.0 / shape.exponent;
  std::vector<cv::Point> points;
  points.reserve (VERTICES);
  for (int i = 0; i < VERTICES; i++)
    {
      double t = 2.0 * CV_PI * i / VERTICES, ct = std::cos (t), st = std::sin (t);
      double f = 1.0;
      for (int k = 0; k < 4; k++)
        f += amp[k] * std::cos ((k + 2) * t + phase[k]);
      double x = f * a * std::copysign (std::pow (std::fabs (ct), e), ct);
      double y = f * b * std::copysign (std::pow (std::fabs (st), e), st);
      points.emplace_back (static_cast<int> (std::lround (cx + x * ct0 - y * st0)),
                           static_cast<int> (std::lround (cy + x * st0 + y * ct0)));
    }
  return points;
}

} // namespace

Shape
Shape::scaled (double factor) const
{
  Shape s = *this;
  s.box.size.width = static_cast<float> (static_cast<double> (box.size.width) * factor);
  s.box.size.height = static_cast<float> (static_cast<double> (box.size.height) * factor);
  return s;
}

std::vector<cv::Point>
outline (const Shape &shape)
{
  const double none[4] = { 0, 0, 0, 0 };
  return trace (shape, none, none);
}

std::vector<cv::Point>
wobbly_outline (const Shape &shape, double wobble, cv::RNG &rng)
{
  double amp[4], phase[4];
  for (int k = 0; k < 4; k++)
    {
      amp[k] = wobble * rng.uniform (0.2, 1.0) / (k + 1);
      phase[k] = rng.uniform (0.0, 2.0 * CV_PI);
    }
  return trace (shape, amp, phase);
}

void
fill_shape (cv::Mat &image, const Shape &shape, const cv::Scalar &colour)
{
  std::vector<std::vector<cv::Point>> polys { outline (shape) };
  cv::fillPoly (image, polys, colour, cv::LINE_AA);
}

cv::Mat
shape_mask (const Shape &shape, cv::Size size)
{
  cv::Mat mask (size, CV_8U, cv::Scalar (0));
  std::vector<std::vector<cv::Point>> polys { outline (shape) };
  cv::fillPoly (mask, polys, cv::Scalar (255), cv::LINE_8);
  return mask;
}

} // namespace traygen
