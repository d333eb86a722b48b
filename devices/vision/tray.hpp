/* tray.hpp — one frame through the stages: scale down, find food, find its
 * containers, estimate the lighting; then describe a region.
 *
 * Contract: a Tray refers to the caller's frame (to describe regions at
 * full resolution), so it must not outlive the call that made it; a frame
 * too small to hold a plate gives no regions. Boxes in a Tray are in
 * working pixels; to_frame() maps them back to the caller's image. */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "features.hpp"
#include "food-mask.hpp"
#include "vision-private.hpp"

namespace vision {

struct Tray
{
  cv::Mat             frame_rgb;     /* the caller's pixels (not owned) */
  cv::Mat             work;          /* RGB at the working scale */
  double              scale = 1.0;   /* work = frame * scale */
  cv::Size            frame;         /* the caller's image size */
  Lighting            lighting;
  std::vector<Region> regions;       /* in reading order: top to bottom, left to right */
};

/* Images with a side under this hold no tray worth looking at. */
constexpr int MIN_SIDE = 32;
/* The most a frame is ever enlarged to reach the working scale. */
constexpr double MAX_UPSCALE = 2.0;

/* `food_energy`: food_mask()'s texture threshold (food-mask.hpp); only an
 * enrollment photo, which holds one portion, may lower it. `whole_tray`:
 * a tray of several portions, so also look for smooth portions beside the
 * textured ones and cut portions joined at a neck apart (necks.hpp);
 * recognition does, an enrollment photo (one portion) and the leftovers'
 * comparison of two frames do not. */
Tray analyse (const cv::Mat &rgb, float food_energy = FOOD_ENERGY, bool whole_tray = false);

/* The region's patches (at least one), described at the frame's own
 * resolution. */
Patches describe_region (const Tray &tray, const Region &region);

/* A working-scale box in the caller's pixels, clipped to the frame. */
cv::Rect to_frame (const Tray &tray, const cv::Rect &box);
/* A caller's box at the working scale, clipped. */
cv::Rect to_work (const Tray &tray, const cv::Rect &box);

} // namespace vision
