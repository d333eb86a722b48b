/* leftovers.hpp — how much of each dish came back: the checkout picture
 * (BEFORE) against the returned tray (AFTER).
 *
 * Contract: leftovers() finds the food regions of BEFORE with the
 * recognition pipeline (tray.hpp), registers AFTER onto BEFORE (features
 * and RANSAC on the whole picture, so turning, shifting and a new lamp do
 * not matter), takes the lamp's difference out, and per region compares
 * the food-like pixels: textured (food-mask.hpp) and of the colours the
 * dish's own food had in BEFORE, so smooth sauce smears and bones of
 * another colour are not counted. Refuses (vision::Error) with
 * CANTEEN_VISION_NOT_SAME_TRAY when AFTER cannot be registered onto BEFORE,
 * and with CANTEEN_VISION_NO_FOOD when BEFORE holds no food. */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "tray.hpp"

namespace vision {

struct Leftover
{
  cv::Rect box;             /* the region's container box, BEFORE's pixels */
  float    fraction = 0.0f; /* 0..1, share of the served food still there */
};

struct LeftoverResult
{
  std::vector<Leftover> regions;  /* in the order of analyse (before).regions */
  float same_tray = 0.0f;         /* 0..1 */
  int   inliers = 0;              /* feature matches that agree with the registration */
};

/* With the analysis of BEFORE already made (the caller may recognise its
 * regions too). */
LeftoverResult leftovers (const Tray &before, const cv::Mat &after_rgb);

} // namespace vision
