/* vision-handle.hpp — what the ABI's files share (struct CanteenVision is
 * vision.cpp's): the handle's last error, and the caller's image checked.
 * Internal to devices/vision. */
#pragma once

#include <opencv2/core.hpp>

#include "vision.h"

namespace vision {

/* The caller's RGB24 pixels as a Mat header (no copy), after checking every
 * field the header relies on; throws vision::Error (INVALID, TOO_LARGE)
 * naming `which` ("image", "checkout picture"). */
cv::Mat wrap_image (const CanteenVisionImage *image, const char *which = "image");

/* Sets the handle's last error to `message` (one line); never throws. */
void set_last_error (CanteenVision *handle, const char *message) noexcept;

} // namespace vision
