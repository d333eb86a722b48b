/* exemplar.cpp — exemplar bytes (layout and checks in exemplar.hpp).
 *
 * Every field is written and read byte by byte in little-endian order so
 * that a ledger copied between machines means the same thing, and nothing
 * is read before the length that covers it has been checked. */
#include "exemplar.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include <zlib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

constexpr char MAGIC[4] = { 'C', 'V', 'E', 'X' };
constexpr std::size_t HEADER = 16;
constexpr int THUMB_SIDE = 96;

/* Writes little-endian fields into a buffer sized up front (appending
 * with insert() trips GCC 12's bounds warnings on small arrays). */
struct Writer
{
  std::vector<std::uint8_t> &out;
  std::size_t                at = 0;

  void u8 (std::uint8_t v) { out[at++] = v; }
  void u16 (std::uint16_t v) { u8 (static_cast<std::uint8_t> (v)); u8 (static_cast<std::uint8_t> (v >> 8)); }
  void u32 (std::uint32_t v) { for (int i = 0; i < 4; i++) u8 (static_cast<std::uint8_t> (v >> (8 * i))); }
};

std::uint32_t
get32 (const std::uint8_t *p)
{
  return static_cast<std::uint32_t> (p[0]) | static_cast<std::uint32_t> (p[1]) << 8
         | static_cast<std::uint32_t> (p[2]) << 16 | static_cast<std::uint32_t> (p[3]) << 24;
}

std::uint16_t
get16 (const std::uint8_t *p)
{
  return static_cast<std::uint16_t> (p[0] | p[1] << 8);
}

std::uint32_t
crc (const std::uint8_t *data, std::size_t len)
{
  uLong c = crc32 (0L, Z_NULL, 0);
  /* zlib takes uInt lengths; exemplars are far below that. */
  return static_cast<std::uint32_t> (crc32 (c, data, static_cast<uInt> (len)));
}

[[noreturn]] void
invalid (const std::string &why)
{
  throw Error (CANTEEN_VISION_INVALID, "exemplar: " + why);
}

} // namespace

std::vector<std::uint8_t>
serialise_exemplar (const Patches &patches, const cv::Mat &crop)
{
  std::vector<std::uint8_t> thumb;
  if (!crop.empty ())
    {
      const double s = std::min (1.0, static_cast<double> (THUMB_SIDE) / std::max (crop.cols, crop.rows));
      cv::Mat small, bgr;
      cv::resize (crop, small, cv::Size (std::max (1, static_cast<int> (crop.cols * s)),
                                         std::max (1, static_cast<int> (crop.rows * s))),
                  0, 0, cv::INTER_AREA);
      cv::cvtColor (small, bgr, cv::COLOR_RGB2BGR);
      cv::imencode (".jpg", bgr, thumb, { cv::IMWRITE_JPEG_QUALITY, 80 });
    }
  if (thumb.size () > MAX_THUMBNAIL)
    thumb.clear ();

  const std::size_t count = std::min<std::size_t> (patches.size (), MAX_PATCHES);
  std::vector<std::uint8_t> out (HEADER + count * DIM * 4 + thumb.size () + 4);
  Writer w { out };
  for (char c : MAGIC)
    w.u8 (static_cast<std::uint8_t> (c));
  w.u16 (FORMAT_VERSION);
  w.u16 (static_cast<std::uint16_t> (DESCRIPTOR_VERSION));
  w.u16 (static_cast<std::uint16_t> (count));
  w.u16 (static_cast<std::uint16_t> (DIM));
  w.u32 (static_cast<std::uint32_t> (thumb.size ()));
  for (std::size_t i = 0; i < count; i++)
    for (int k = 0; k < DIM; k++)
      {
        std::uint32_t bits;
        std::memcpy (&bits, &patches[i][static_cast<std::size_t> (k)], 4);
        w.u32 (bits);
      }
  for (std::uint8_t b : thumb)
    w.u8 (b);
  w.u32 (crc (out.data (), w.at));
  return out;
}

Patches
parse_exemplar (const std::uint8_t *data, std::size_t len)
{
  if (data == nullptr || len == 0)
    invalid ("empty");
  if (len < HEADER + 4)
    invalid (std::to_string (len) + " bytes is too short");
  if (std::memcmp (data, MAGIC, 4) != 0)
    invalid ("not an exemplar (bad magic)");
  const unsigned format = get16 (data + 4);
  if (format != FORMAT_VERSION)
    invalid ("format version " + std::to_string (format) + " is not supported (this build reads "
             + std::to_string (FORMAT_VERSION) + ")");
  const unsigned version = get16 (data + 6);
  if (version != static_cast<unsigned> (DESCRIPTOR_VERSION))
    invalid ("made by descriptor version " + std::to_string (version) + ", this build uses "
             + std::to_string (DESCRIPTOR_VERSION) + "; enroll the dish again");
  const std::uint32_t p = get16 (data + 8);
  const std::uint32_t d = get16 (data + 10);
  const std::uint32_t t = get32 (data + 12);
  if (p < 1 || p > static_cast<std::uint32_t> (MAX_PATCHES))
    invalid (std::to_string (p) + " patches; 1 to " + std::to_string (MAX_PATCHES) + " are allowed");
  if (d != static_cast<std::uint32_t> (DIM))
    invalid (std::to_string (d) + " features per patch where this build has " + std::to_string (DIM));
  if (t > MAX_THUMBNAIL)
    invalid ("a thumbnail of " + std::to_string (t) + " bytes is over the limit");
  const std::size_t n = std::size_t (p) * d;
  const std::size_t expected = HEADER + n * 4 + t + 4;
  if (len != expected)
    invalid (std::to_string (len) + " bytes where the header says " + std::to_string (expected));
  if (get32 (data + len - 4) != crc (data, len - 4))
    invalid ("checksum mismatch (damaged)");

  Patches patches (p, Descriptor (d));
  for (std::size_t i = 0; i < n; i++)
    {
      const std::uint32_t bits = get32 (data + HEADER + 4 * i);
      std::memcpy (&patches[i / d][i % d], &bits, 4);
    }
  for (const Descriptor &one : patches)
    if (!descriptor_is_valid (one.data (), one.size ()))
      invalid ("features out of range");
  const std::uint8_t *thumb = data + HEADER + n * 4;
  if (t != 0 && (t < 4 || thumb[0] != 0xFF || thumb[1] != 0xD8 || thumb[t - 2] != 0xFF || thumb[t - 1] != 0xD9))
    invalid ("the thumbnail is not a JPEG");
  return patches;
}

} // namespace vision
