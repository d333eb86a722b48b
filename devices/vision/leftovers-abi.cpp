/* leftovers-abi.cpp — canteen_vision_leftovers, the C ABI of leftovers.hpp.
 *
 * Like vision.cpp: every exception is caught here, a vision::Error becomes
 * its status and message, anything else CANTEEN_VISION_FAILED; the result
 * is filled only once nothing can fail. The message goes into the result
 * and, with a handle, into its last error (vision-handle.hpp). Dish names come from
 * canteen_vision_recognize on BEFORE, whose regions are the same (the same
 * analysis of the same pixels), matched by box. */
#include "vision.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "leftovers.hpp"
#include "vision-handle.hpp"
#include "tray.hpp"
#include "vision-private.hpp"

namespace {

/* The message into the result's fixed buffer: no allocation, so it
 * cannot fail inside a catch. */
CanteenVisionStatus
fail (CanteenVision *vision, CanteenVisionLeftovers *out, CanteenVisionStatus status, const char *prefix,
      const char *message) noexcept
{
  out->error[0] = '\0';
  std::strncat (out->error, prefix, sizeof out->error - 1);
  std::strncat (out->error, message, sizeof out->error - 1 - std::strlen (out->error));
  for (char *c = out->error; *c; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
  /* Never cut a UTF-8 sequence in two. */
  std::size_t n = std::strlen (out->error);
  if (n == sizeof out->error - 1)
    {
      while (n > 0 && (static_cast<unsigned char> (out->error[n - 1]) & 0xC0) == 0x80)
        n--;
      if (n > 0 && (static_cast<unsigned char> (out->error[n - 1]) & 0x80))
        n--;
      out->error[n] = '\0';
    }
  if (vision != nullptr)
    vision::set_last_error (vision, out->error);
  return status;
}

/* The recognised item that covers most of a leftover region's box, if it
 * covers at least half of it. The two segment the checkout picture apart
 * (leftovers leaves smooth food out, recognition joins the parts of a
 * split portion), so a region is named by the portion it lies in, not
 * only by an identical box. */
const CanteenVisionItem *
covering_item (const CanteenVisionResult &rec, const int box[4])
{
  const cv::Rect region (box[0], box[1], box[2], box[3]);
  const CanteenVisionItem *best = nullptr;
  int best_area = region.area () / 2;
  for (int k = 0; k < rec.n_items; k++)
    {
      const int *b = rec.items[k].box;
      const int shared = (region & cv::Rect (b[0], b[1], b[2], b[3])).area ();
      if (shared > best_area)
        {
          best_area = shared;
          best = &rec.items[k];
        }
    }
  return best;
}

} // namespace

extern "C" {

CanteenVisionStatus
canteen_vision_leftovers (CanteenVision *vision, const CanteenVisionImage *before, const CanteenVisionImage *after,
                          CanteenVisionLeftovers *out)
{
  if (out == nullptr)
    return CANTEEN_VISION_INVALID;
  *out = CanteenVisionLeftovers {};
  try
    {
      const auto start = std::chrono::steady_clock::now ();
      const cv::Mat b = vision::wrap_image (before, "checkout picture"), a = vision::wrap_image (after, "returned tray");
      const vision::Tray tray = vision::analyse (b);
      const vision::LeftoverResult r = vision::leftovers (tray, a);

      std::vector<CanteenVisionLeftover> items (r.regions.size ());
      for (std::size_t i = 0; i < items.size (); i++)
        {
          items[i] = CanteenVisionLeftover {};
          const cv::Rect &box = r.regions[i].box;
          items[i].box[0] = box.x;
          items[i].box[1] = box.y;
          items[i].box[2] = box.width;
          items[i].box[3] = box.height;
          items[i].leftover_fraction = r.regions[i].fraction;
        }
      if (vision != nullptr && canteen_vision_index_size (vision) > 0)
        {
          CanteenVisionResult rec {};
          if (canteen_vision_recognize (vision, before, &rec) == CANTEEN_VISION_OK)
            for (auto &item : items)
              if (const CanteenVisionItem *it = covering_item (rec, item.box))
                {
                  std::memcpy (item.dish, it->dish, sizeof item.dish);
                  item.confidence = it->confidence;
                  item.n_alternatives = it->n_alternatives;
                  std::memcpy (item.alternatives, it->alternatives, sizeof item.alternatives);
                  std::memcpy (item.alternative_confidence, it->alternative_confidence,
                               sizeof item.alternative_confidence);
                }
          canteen_vision_result_clear (&rec);
        }

      CanteenVisionLeftover *buf = nullptr;
      if (!items.empty ())
        {
          buf = static_cast<CanteenVisionLeftover *> (std::malloc (items.size () * sizeof (CanteenVisionLeftover)));
          if (buf == nullptr)
            throw std::bad_alloc ();
          std::memcpy (buf, items.data (), items.size () * sizeof (CanteenVisionLeftover));
        }
      out->items = buf;
      out->n_items = static_cast<int> (items.size ());
      out->same_tray = r.same_tray;
      out->matches = r.inliers;
      out->elapsed_ms = std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - start).count ();
      return CANTEEN_VISION_OK;
    }
  catch (const vision::Error &e)
    {
      return fail (vision, out, e.status (), "", e.what ());
    }
  catch (const cv::Exception &e)
    {
      return fail (vision, out, CANTEEN_VISION_FAILED, "OpenCV: ", e.err.c_str ());
    }
  catch (const std::bad_alloc &)
    {
      return fail (vision, out, CANTEEN_VISION_FAILED, "", "out of memory");
    }
  catch (const std::exception &e)
    {
      return fail (vision, out, CANTEEN_VISION_FAILED, "", e.what ());
    }
  catch (...)
    {
      return fail (vision, out, CANTEEN_VISION_FAILED, "", "unexpected failure");
    }
}

void
canteen_vision_leftovers_clear (CanteenVisionLeftovers *out)
{
  if (out == nullptr)
    return;
  std::free (out->items);
  *out = CanteenVisionLeftovers {};
}

} // extern "C"
