/* decode.cpp — image files and buffers into RGB pixels (see decode.hpp).
 *
 * OpenCV decodes; this file only decides what it may be given. OpenCV 4.6
 * allocates whatever a header claims up to 2^30 pixels (3 GiB), a limit
 * read once from the environment when the library loads, so the size is
 * read here from the header first. That needs the dimensions of the few
 * formats a kiosk meets (JPEG, PNG, BMP, PNM, WebP); every other signature
 * is refused instead of being handed to a decoder that might trust it. */
#include "decode.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <glib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision-private.hpp"

namespace vision {

namespace {

struct Header
{
  const char *format = nullptr;  /* nullptr: not a format we accept */
  long long   width = -1;        /* -1: the header is cut short */
  long long   height = -1;
};

std::uint32_t
be16 (const std::uint8_t *p)
{
  return static_cast<std::uint32_t> (p[0] << 8 | p[1]);
}

std::uint32_t
be32 (const std::uint8_t *p)
{
  return static_cast<std::uint32_t> (p[0]) << 24 | static_cast<std::uint32_t> (p[1]) << 16
         | static_cast<std::uint32_t> (p[2]) << 8 | p[3];
}

std::uint32_t
le16 (const std::uint8_t *p)
{
  return static_cast<std::uint32_t> (p[1] << 8 | p[0]);
}

std::uint32_t
le24 (const std::uint8_t *p)
{
  return static_cast<std::uint32_t> (p[2]) << 16 | static_cast<std::uint32_t> (p[1]) << 8 | p[0];
}

std::uint32_t
le32 (const std::uint8_t *p)
{
  return le24 (p) | static_cast<std::uint32_t> (p[3]) << 24;
}

/* JPEG: the first SOFn segment carries the size. Also requires the EOI
 * marker after it: libjpeg "decodes" a truncated file by padding it with
 * grey and only warns, and a cut-off upload must not become a tray. */
void
sniff_jpeg (const std::uint8_t *d, std::size_t n, Header &h)
{
  h.format = "JPEG";
  std::size_t i = 2;
  while (i + 1 < n)
    {
      if (d[i] != 0xFF)
        return;  /* segments must follow each other: corrupt */
      while (i + 1 < n && d[i + 1] == 0xFF)  /* fill bytes */
        i++;
      if (i + 1 >= n)
        return;
      const std::uint8_t marker = d[i + 1];
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
        {
          i += 2;
          continue;
        }
      if (marker == 0xD9 || i + 3 >= n)
        return;
      const std::size_t seg = be16 (d + i + 2);
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof)
        {
          if (seg < 7 || i + 8 >= n)
            return;
          const long long height = be16 (d + i + 5);
          const long long width = be16 (d + i + 7);
          /* The entropy-coded data stuffs every 0xFF with a 0x00, so an FF D9
           * after the frame header is the real end of the image. */
          const std::uint8_t eoi[2] = { 0xFF, 0xD9 };
          if (std::search (d + i, d + n, eoi, eoi + 2) == d + n)
            return;
          h.width = width;
          h.height = height;
          return;
        }
      if (seg < 2)
        return;
      i += 2 + seg;
    }
}

void
sniff_png (const std::uint8_t *d, std::size_t n, Header &h)
{
  h.format = "PNG";
  if (n >= 24 && std::memcmp (d + 12, "IHDR", 4) == 0)
    {
      h.width = be32 (d + 16);
      h.height = be32 (d + 20);
    }
}

void
sniff_bmp (const std::uint8_t *d, std::size_t n, Header &h)
{
  h.format = "BMP";
  if (n < 26)
    return;
  const std::uint32_t dib = le32 (d + 14);
  if (dib == 12)
    {
      h.width = le16 (d + 18);
      h.height = le16 (d + 20);
    }
  else if (dib >= 16 && dib <= 124)
    {
      /* Signed: a negative height means rows stored top-down. */
      h.width = static_cast<std::int32_t> (le32 (d + 18));
      h.height = std::llabs (static_cast<long long> (static_cast<std::int32_t> (le32 (d + 22))));
    }
}

/* The next decimal number of a PNM header, skipping blanks and # comments;
 * -1 if the header ends first or the number is absurd. */
long long
pnm_number (const std::uint8_t *d, std::size_t n, std::size_t &i)
{
  for (;;)
    {
      while (i < n && std::strchr (" \t\r\n\v\f", d[i]) != nullptr && d[i] != '\0')
        i++;
      if (i < n && d[i] == '#')
        {
          while (i < n && d[i] != '\n' && d[i] != '\r')
            i++;
          continue;
        }
      break;
    }
  if (i >= n || d[i] < '0' || d[i] > '9')
    return -1;
  long long v = 0;
  while (i < n && d[i] >= '0' && d[i] <= '9')
    {
      v = v * 10 + (d[i++] - '0');
      if (v > (1LL << 40))
        return -1;
    }
  return v;
}

void
sniff_pnm (const std::uint8_t *d, std::size_t n, Header &h)
{
  h.format = "PNM";
  std::size_t i = 2;
  if (d[1] != '7')
    {
      h.width = pnm_number (d, n, i);
      h.height = h.width >= 0 ? pnm_number (d, n, i) : -1;
      return;
    }
  /* PAM: "WIDTH w" and "HEIGHT h" lines up to ENDHDR. */
  const std::string text (reinterpret_cast<const char *> (d), std::min<std::size_t> (n, 4096));
  const std::size_t end = text.find ("ENDHDR");
  for (const char *key : { "WIDTH", "HEIGHT" })
    {
      const std::size_t at = text.find (key);
      if (at == std::string::npos || end == std::string::npos || at > end)
        return;
      std::size_t j = at + std::strlen (key);
      (key[0] == 'W' ? h.width : h.height) = pnm_number (d, n, j);
    }
}

void
sniff_webp (const std::uint8_t *d, std::size_t n, Header &h)
{
  h.format = "WebP";
  if (n >= 30 && std::memcmp (d + 12, "VP8 ", 4) == 0 && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A)
    {
      h.width = le16 (d + 26) & 0x3FFF;
      h.height = le16 (d + 28) & 0x3FFF;
    }
  else if (n >= 25 && std::memcmp (d + 12, "VP8L", 4) == 0 && d[20] == 0x2F)
    {
      const std::uint32_t bits = le32 (d + 21);
      h.width = (bits & 0x3FFF) + 1;
      h.height = ((bits >> 14) & 0x3FFF) + 1;
    }
  else if (n >= 30 && std::memcmp (d + 12, "VP8X", 4) == 0)
    {
      h.width = static_cast<long long> (le24 (d + 24)) + 1;
      h.height = static_cast<long long> (le24 (d + 27)) + 1;
    }
}

Header
sniff (const std::uint8_t *d, std::size_t n)
{
  static const std::uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
  Header h;

  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
    sniff_jpeg (d, n, h);
  else if (n >= 8 && std::memcmp (d, png_sig, 8) == 0)
    sniff_png (d, n, h);
  else if (n >= 2 && d[0] == 'B' && d[1] == 'M')
    sniff_bmp (d, n, h);
  else if (n >= 2 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7')
    sniff_pnm (d, n, h);
  else if (n >= 12 && std::memcmp (d, "RIFF", 4) == 0 && std::memcmp (d + 8, "WEBP", 4) == 0)
    sniff_webp (d, n, h);
  return h;
}

std::string
size_text (long long width, long long height)
{
  return std::to_string (width) + "x" + std::to_string (height);
}

} // namespace

std::string
display_name (const char *text)
{
  if (text == nullptr)
    return "(null)";
  /* Paths are bytes; messages are one line of UTF-8. */
  std::unique_ptr<char, decltype (&g_free)> valid (g_utf8_make_valid (text, -1), &g_free);
  std::string out;
  for (const char *p = valid.get (); *p != '\0' && out.size () < 240; p++)
    {
      const unsigned char c = static_cast<unsigned char> (*p);
      out += c < 0x20 || c == 0x7F ? '?' : *p;
    }
  /* Cut at a character boundary if the length limit fell inside one. */
  while (!out.empty () && !g_utf8_validate (out.data (), static_cast<gssize> (out.size ()), nullptr))
    out.pop_back ();
  return out;
}

std::vector<std::uint8_t>
read_image_file (const char *path, const std::string &name)
{
  struct stat st;
  if (::stat (path, &st) != 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        throw Error (CANTEEN_VISION_NOT_FOUND, name + ": no such file");
      throw Error (CANTEEN_VISION_FAILED, name + ": " + std::strerror (errno));
    }
  if (S_ISDIR (st.st_mode))
    throw Error (CANTEEN_VISION_DECODE, name + ": a folder, not an image file");
  if (!S_ISREG (st.st_mode))
    throw Error (CANTEEN_VISION_DECODE, name + ": not a regular file");
  if (static_cast<unsigned long long> (st.st_size) > MAX_BLOB)
    throw Error (CANTEEN_VISION_TOO_LARGE, name + ": " + std::to_string (st.st_size / (1024 * 1024))
                                             + " MiB is over the limit of " + std::to_string (MAX_BLOB / (1024 * 1024))
                                             + " MiB");

  std::unique_ptr<FILE, decltype (&std::fclose)> f (std::fopen (path, "rb"), &std::fclose);
  if (!f)
    throw Error (CANTEEN_VISION_FAILED, name + ": " + std::strerror (errno));
  std::vector<std::uint8_t> bytes (static_cast<std::size_t> (st.st_size));
  const std::size_t got = std::fread (bytes.data (), 1, bytes.size (), f.get ());
  if (std::ferror (f.get ()))
    throw Error (CANTEEN_VISION_FAILED, name + ": read error");
  bytes.resize (got);  /* a file that shrank while we read it */
  return bytes;
}

cv::Mat
decode_rgb (const std::uint8_t *data, std::size_t len, const std::string &name)
{
  if (data == nullptr || len == 0)
    throw Error (CANTEEN_VISION_DECODE, name + ": empty, not an image");
  if (len > MAX_BLOB)
    throw Error (CANTEEN_VISION_TOO_LARGE, name + ": " + std::to_string (len)
                                             + " bytes is over the limit for an image");

  const Header h = sniff (data, len);
  if (h.format == nullptr)
    throw Error (CANTEEN_VISION_DECODE, name + ": not an image (JPEG, PNG, BMP, PPM or WebP expected)");
  if (h.width < 0 || h.height < 0)
    throw Error (CANTEEN_VISION_DECODE, name + ": truncated or corrupt " + h.format);
  if (h.width == 0 || h.height == 0)
    throw Error (CANTEEN_VISION_DECODE, name + ": corrupt " + h.format + " (" + size_text (h.width, h.height)
                                          + " pixels)");
  if (h.width > CANTEEN_VISION_MAX_SIDE || h.height > CANTEEN_VISION_MAX_SIDE)
    throw Error (CANTEEN_VISION_TOO_LARGE, name + ": " + size_text (h.width, h.height) + " is over the limit of "
                                             + size_text (CANTEEN_VISION_MAX_SIDE, CANTEEN_VISION_MAX_SIDE));

  const cv::Mat encoded (1, static_cast<int> (len), CV_8U, const_cast<std::uint8_t *> (data));
  const cv::Mat bgr = cv::imdecode (encoded, cv::IMREAD_COLOR);
  if (bgr.empty ())
    throw Error (CANTEEN_VISION_DECODE, name + ": corrupt or truncated " + h.format);
  /* EXIF orientation may have turned it; the limit holds either way. */
  if (bgr.cols > CANTEEN_VISION_MAX_SIDE || bgr.rows > CANTEEN_VISION_MAX_SIDE || bgr.type () != CV_8UC3)
    throw Error (CANTEEN_VISION_DECODE, name + ": " + h.format + " decoded to an unexpected picture");

  cv::Mat rgb;
  cv::cvtColor (bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

} // namespace vision
