/* exemplar.hpp — the bytes that carry one learnt region from enrollment to
 * SQLite and back into the index.
 *
 * Contract: the layout (little-endian) is
 *     0  "CVEX"                magic
 *     4  u16 format version    (FORMAT_VERSION)
 *     6  u16 descriptor version (features.hpp's DESCRIPTOR_VERSION)
 *     8  u16 p                 patches (1..MAX_PATCHES)
 *    10  u16 d                 floats per patch (DIM)
 *    12  u32 t                 thumbnail bytes
 *    16  f32[p * d]            the patches' descriptors
 *   ..   u8[t]                 a small JPEG of the region, for the staff's screens
 *   end  u32                   CRC-32 (zlib) of everything before it
 * parse() checks every field, the lengths against the total, the checksum,
 * the descriptor's own invariants and the thumbnail's JPEG markers; bytes
 * failing any check are refused with CANTEEN_VISION_INVALID and a message
 * saying which, and never reach the index. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "features.hpp"

namespace vision {

constexpr std::uint16_t FORMAT_VERSION = 1;
/* The ledger stores at most 1 MiB per exemplar; a thumbnail is a few KiB. */
constexpr std::size_t MAX_THUMBNAIL = 64 * 1024;

/* Patches + a thumbnail of `crop` (RGB) → exemplar bytes. */
std::vector<std::uint8_t> serialise_exemplar (const Patches &patches, const cv::Mat &crop);

/* Exemplar bytes → patches, or a vision::Error (INVALID). */
Patches parse_exemplar (const std::uint8_t *data, std::size_t len);

} // namespace vision
