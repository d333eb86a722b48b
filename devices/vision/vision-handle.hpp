/* vision-handle.hpp — what the ABI's other files may do to a handle
 * (struct CanteenVision is vision.cpp's). Internal to devices/vision. */
#pragma once

#include "vision.h"

namespace vision {

/* Sets the handle's last error to `message` (one line); never throws. */
void set_last_error (CanteenVision *handle, const char *message) noexcept;

} // namespace vision
