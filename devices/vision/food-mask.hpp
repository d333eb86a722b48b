/* food-mask.hpp — food versus crockery and tray, on the working image.
 *
 * Contract: food_mask() returns CV_8U (255 = food) the size of the input;
 * food_regions() splits it into connected regions large enough to be a
 * portion, dropping thin ones (chopsticks, spoon handles, rims). Neither
 * knows about plates: plates.hpp finds the containers afterwards. */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision-private.hpp"

namespace vision {

/* The smaller eigenvalue of the colour structure tensor (CV_32F). */
cv::Mat texture_energy (const cv::Mat &rgb);

/* Smaller eigenvalue (Sobel units squared, Lab with chroma doubled) above
 * which a pixel is food: crockery and trays stay under ~100 even with
 * noise and JPEG at quality 60, food is mostly in the thousands. */
constexpr float FOOD_ENERGY = 200.0f;
/* Thresholds for a photo known to hold one portion (enrollment) when
 * FOOD_ENERGY finds none: smooth food (a spread, an avocado) stays under
 * it, but on a frame holding a single plate a lower threshold cannot merge
 * neighbouring portions. Tried in order. */
constexpr float LONE_PORTION_ENERGY[] = { 100.0f, 50.0f };

/* A second, lower threshold for trays: portions found only there (smooth
 * food) join those found at FOOD_ENERGY when they are apart from them and
 * smoother surfaces surround them (tray.cpp). */
constexpr float SMOOTH_FOOD_ENERGY = 70.0f;

/* `energy`: the texture threshold, FOOD_ENERGY on trays. */
cv::Mat food_mask (const cv::Mat &rgb, float energy = FOOD_ENERGY);
/* The same from texture_energy (rgb), computed once for several thresholds. */
cv::Mat food_mask (const cv::Mat &rgb, const cv::Mat &texture, float energy);

std::vector<Region> food_regions (const cv::Mat &mask);

/* Whether some food of `b` lies within `gap` working pixels of `a`'s (the
 * masks, not the boxes: two compartments' boxes touch across a wall
 * while their food does not). */
bool food_within (const Region &a, const Region &b, int gap);

/* The smallest portion food_regions() keeps, in working pixels. */
double min_portion_area (const cv::Size &size);

} // namespace vision
