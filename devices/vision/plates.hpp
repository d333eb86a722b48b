/* plates.hpp — the crockery that holds each food region: round plates and
 * bowls, oval and rectangular plates, and the compartments of a 分格餐盘.
 *
 * Contract: find_containers() looks at the working-scale RGB image and the
 * food regions, and sets each region's `box` (the container's outline, in
 * working pixels) and `container`; a region whose container cannot be told
 * apart keeps its food box, slightly widened, if it is large enough to be
 * food without one (twice `min_area`, the smallest portion); smaller ones
 * are dropped. */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision-private.hpp"

namespace vision {

void find_containers (const cv::Mat &rgb, std::vector<Region> &regions, double min_area);

/* One region's container over `smooth` (the median-filtered working
 * image): its mask, food included, or an empty Mat when the flood leaked;
 * *surface gets the crockery part. Exposed for tests and tuning tools. */
cv::Mat grow_container (const cv::Mat &smooth, const cv::Mat &food, double food_area, cv::Mat *surface);

} // namespace vision
