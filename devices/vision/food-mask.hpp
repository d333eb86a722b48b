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

cv::Mat food_mask (const cv::Mat &rgb);

std::vector<Region> food_regions (const cv::Mat &mask);

/* The smallest portion food_regions() keeps, in working pixels. */
double min_portion_area (const cv::Size &size);

} // namespace vision
