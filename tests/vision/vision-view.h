/* vision-view.h — a generated frame as the vision ABI sees it: its pixels in
 * the ABI's order (RGB) and a CanteenVisionImage over them. Test-only, for
 * the vision tests and the benchmarks alike. */
#pragma once

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

} // namespace traygen
