/* decode.hpp — image files and buffers into pixels, with the limits the
 * kiosk needs before it trusts a header.
 *
 * Contract: every refusal is a vision::Error whose message starts with the
 * given name ("tray.jpg: ..."): NOT_FOUND for a missing file, TOO_LARGE for
 * a blob over MAX_BLOB or a picture over CANTEEN_VISION_MAX_SIDE (checked
 * from the header, before any pixel is allocated), DECODE for anything that
 * is not a complete JPEG, PNG, BMP, PNM (PPM/PGM/PBM/PAM) or WebP picture.
 * A decoded picture is 8-bit RGB. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace vision {

/* An encoded 8192x8192 PPM is 192 MiB; nothing bigger is a camera frame. */
constexpr std::size_t MAX_BLOB = 256u * 1024 * 1024;

/* A path or a caller's label made safe for a one-line UTF-8 message. */
std::string display_name (const char *text);

/* The whole file, or a refusal naming it. */
std::vector<std::uint8_t> read_image_file (const char *path, const std::string &name);

/* Encoded bytes → RGB pixels, or a refusal naming `name`. */
cv::Mat decode_rgb (const std::uint8_t *data, std::size_t len, const std::string &name);

} // namespace vision
