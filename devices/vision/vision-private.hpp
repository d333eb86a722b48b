/* vision-private.hpp — what the files of devices/vision share, and nothing
 * else: the internal error type, the region type that flows from the
 * segmentation to the matcher, and the working-scale constants.
 *
 * Contract: internals report a refusal by throwing vision::Error (a status
 * and a one-line message); only vision.cpp catches, so every message is
 * composed where the cause is known and no exception reaches the C ABI. */
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision.h"

namespace vision {

/* A refusal with the status the ABI reports. */
class Error : public std::runtime_error
{
public:
  Error (CanteenVisionStatus status, const std::string &message)
    : std::runtime_error (message), status_ (status) {}
  CanteenVisionStatus status () const noexcept { return status_; }

private:
  CanteenVisionStatus status_;
};

/* Every stage works on a copy of the frame scaled to this width (the
 * camera is fixed, so one scale fits every tray): 640x360 for a 720p
 * frame. Food texture is still resolved, and HoughCircles and the
 * morphology cost a quarter of what they would at full size. */
constexpr int WORK_WIDTH = 640;

/* Whether the container finder found the crockery that holds a region. */
enum class Container { None, Found };

/* One food region on the working-scale image. */
struct Region
{
  cv::Mat   mask;        /* CV_8U, the size of the working image, 255 = food */
  cv::Rect  food_box;    /* bounding box of the mask */
  cv::Rect  box;         /* the container's box when one was found, else food_box */
  Container container = Container::None;
  double    area = 0.0;  /* food pixels */
  bool      smooth = false; /* found only below FOOD_ENERGY: kept inside crockery or apart in colour (tray.cpp) */
  float     ring_contrast = 0.0f; /* smooth only: a*b* distance of its colour from the surface around it */
  int       cut_from = -1; /* the parts of one region cut at a neck (necks.hpp) share this, else -1 */
};

} // namespace vision
