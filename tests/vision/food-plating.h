/* food-plating.h — paints one portion of a dish into a plate, bowl or
 * compartment of a tray being drawn (tray space, before the camera).
 *
 * Contract:
 *  - Only pixels of the given half of the photo are used, and every photo
 *    rectangle read is appended to *crops.
 *  - The food stays inside `well` (CV_8U, canvas-sized, 255 = where food
 *    may lie) and inside `bounds` (the well's shape, for the food's
 *    outline). Returns the food's coverage as a canvas-sized CV_8U mask.
 *  - Deterministic: all randomness comes from `rng`.
 */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "food-photos.h"
#include "shapes.h"
#include "tray-gen.h"

namespace traygen {

cv::Mat paint_food (cv::Mat &canvas, const cv::Mat &well, const Shape &bounds, const FoodPhoto &photo,
                    int photo_index, Half half, const Dish &dish, cv::RNG &rng, std::vector<Crop> *crops);

} // namespace traygen
