/* tray-tag.cpp — canteen_vision_read_tray_tag: the tray's QR sticker
 * ("CANTEEN-TRAY:<id>"), read at checkout and at the return station.
 *
 * Like vision.cpp and leftovers-abi.cpp: every exception is caught here, a
 * vision::Error becomes its status and message, anything else
 * CANTEEN_VISION_FAILED, and the message goes to the handle's last error
 * (vision-handle.hpp). The codes are read by qr-reader.hpp (OpenCV's own
 * decoder is missing from the distribution's build); only a text of the
 * tag's exact form counts, every other QR code is passed over.
 *
 * Speed: the reader works on the full frame (2-12 ms a 1280x720 frame on
 * one core, p95 about 12 ms on the synthetic trays), so there is no
 * coarse-to-fine pass; pictures much larger than a camera frame are
 * scaled down first so that a sticker's modules stay in the reader's
 * range. */
#include "vision.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "qr-reader.hpp"
#include "vision-handle.hpp"
#include "vision-private.hpp"

namespace {

constexpr char PREFIX[] = "CANTEEN-TRAY:";
/* Wider than this, the picture is scaled to it: the sticker's modules
 * stay near the few pixels the reader's binarisation is tuned for. */
constexpr int READ_WIDTH = 1920;

/* The id when `text` is a tray tag, else "". */
std::string
tag_of (const std::string &text)
{
  const std::size_t n = sizeof PREFIX - 1;
  if (text.size () <= n || text.size () > n + CANTEEN_VISION_TRAY_TAG || text.compare (0, n, PREFIX) != 0)
    return {};
  const std::string id = text.substr (n);
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return {};
  return id;
}

CanteenVisionStatus
fail (CanteenVision *vision, CanteenVisionStatus status, const char *prefix, const char *message) noexcept
{
  char line[256] = "";
  std::strncat (line, prefix, sizeof line - 1);
  std::strncat (line, message, sizeof line - 1 - std::strlen (line));
  vision::set_last_error (vision, line);
  return status;
}

} // namespace

extern "C" {

CanteenVisionStatus
canteen_vision_read_tray_tag (CanteenVision *vision, const CanteenVisionImage *image,
                              char tag[CANTEEN_VISION_TRAY_TAG + 1])
{
  if (tag != nullptr)
    tag[0] = '\0';
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  if (tag == nullptr)
    return fail (vision, CANTEEN_VISION_INVALID, "", "tray tag: nowhere to write it");
  try
    {
      const cv::Mat rgb = vision::wrap_image (image);
      cv::Mat gray;
      cv::cvtColor (rgb, gray, cv::COLOR_RGB2GRAY);
      if (gray.cols > READ_WIDTH)
        cv::resize (gray, gray, cv::Size (READ_WIDTH, std::max (1, gray.rows * READ_WIDTH / gray.cols)), 0, 0,
                    cv::INTER_AREA);
      const std::vector<vision::QrCode> codes = vision::read_qr_codes (gray);
      for (const vision::QrCode &code : codes)
        {
          const std::string id = tag_of (code.text);
          if (!id.empty ())
            {
              std::memcpy (tag, id.c_str (), id.size () + 1);
              return CANTEEN_VISION_OK;
            }
        }
      throw vision::Error (CANTEEN_VISION_NO_TAG,
                           codes.empty () ? "no tray tag in the picture"
                                          : "no tray tag in the picture (" + std::to_string (codes.size ())
                                              + " other QR code" + (codes.size () > 1 ? "s" : "") + " ignored)");
    }
  catch (const vision::Error &e)
    {
      return fail (vision, e.status (), "", e.what ());
    }
  catch (const cv::Exception &e)
    {
      return fail (vision, CANTEEN_VISION_FAILED, "OpenCV: ", e.err.c_str ());
    }
  catch (const std::bad_alloc &)
    {
      return fail (vision, CANTEEN_VISION_FAILED, "", "out of memory");
    }
  catch (const std::exception &e)
    {
      return fail (vision, CANTEEN_VISION_FAILED, "", e.what ());
    }
  catch (...)
    {
      return fail (vision, CANTEEN_VISION_FAILED, "", "unexpected failure");
    }
}

} // extern "C"
