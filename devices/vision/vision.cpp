/* vision.cpp — the C ABI of vision.h over the C++ stages.
 *
 * Every entry point runs its body through guarded(): a vision::Error
 * becomes its status and message, anything else thrown (OpenCV, memory)
 * becomes CANTEEN_VISION_FAILED. Bodies build their results in locals and
 * touch the handle only once nothing can fail any more, so a refusal leaves
 * the handle as it was, except for the last error. */
#include "vision.h"
#include "vision-handle.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "decode.hpp"
#include "exemplar.hpp"
#include "index.hpp"
#include "rejoin.hpp"
#include "tray.hpp"
#include "vision-private.hpp"

namespace {

/* Unknown below this confidence; tuned with tests/vision's vision-eval so
 * that unenrolled dishes are rejected without losing enrolled ones. The
 * two overlap on the synthetic trays. With descriptor version 5
 * (features.hpp's weights), chosen on seeds 4 and 5 (20 and 40 dishes):
 * tray exact match 60% and 46% at 0.20 and at 0.22, 59% and 46% at 0.25.
 * On the seeds the benchmark reports, at 0.20: 61%, 46% and 62% on seeds
 * 1, 2 and 3 (20, 80 and 20 dishes); 29%, 23% and 23% of never-enrolled
 * regions are called unknown, for 0%, 8% and 1% of enrolled ones (the
 * checkout then asks among the top 3). At 0.25: 64%, 41%, 62%, rejecting
 * 39%, 33%, 31% for 1%, 14%, 1%. Version 4 at 0.25 (its default): 56%,
 * 45%, 61%, rejecting 39%, 43%, 23% for 3%, 14%, 1%: the new weights name
 * enrolled dishes better and, on the larger menu, take a dish that is not
 * on it for its nearest look-alike more often. */
constexpr float DEFAULT_THRESHOLD = 0.20f;

} // namespace

struct CanteenVision
{
  std::string   error;
  cv::Mat       loaded;  /* RGB of the last successful load or decode */
  vision::Index index;
  float         threshold = DEFAULT_THRESHOLD;

  CanteenVisionStatus
  fail_noexcept (CanteenVisionStatus status, const char *prefix, const char *what) noexcept
  {
    try
      {
        error = std::string (prefix) + what;
        /* The ABI promises one line. */
        for (char &c : error)
          if (c == '\n' || c == '\r')
            c = ' ';
      }
    catch (...)
      {
        error = "out of memory";  /* fits the small-string buffer: no allocation */
      }
    return status;
  }
};

void
vision::set_last_error (CanteenVision *handle, const char *message) noexcept
{
  handle->fail_noexcept (CANTEEN_VISION_FAILED, "", message);
}

namespace {

template <typename Body>
CanteenVisionStatus
guarded (CanteenVision *v, Body &&body) noexcept
{
  try
    {
      return body ();
    }
  catch (const vision::Error &e)
    {
      return v->fail_noexcept (e.status (), "", e.what ());
    }
  catch (const cv::Exception &e)
    {
      return v->fail_noexcept (CANTEEN_VISION_FAILED, "OpenCV: ", e.err.c_str ());
    }
  catch (const std::bad_alloc &)
    {
      return v->fail_noexcept (CANTEEN_VISION_FAILED, "", "out of memory");
    }
  catch (const std::exception &e)
    {
      return v->fail_noexcept (CANTEEN_VISION_FAILED, "", e.what ());
    }
  catch (...)
    {
      return v->fail_noexcept (CANTEEN_VISION_FAILED, "", "unexpected failure");
    }
}

[[noreturn]] void
refuse (CanteenVisionStatus status, const std::string &message)
{
  throw vision::Error (status, message);
}

/* Dish ids are the catalogue's: 1 to 32 printable ASCII characters. */
std::string
check_dish (const char *dish)
{
  if (dish == nullptr || *dish == '\0')
    refuse (CANTEEN_VISION_INVALID, "dish: no id given");
  const std::size_t len = strnlen (dish, CANTEEN_VISION_DISH_ID + 1);
  if (len > CANTEEN_VISION_DISH_ID)
    refuse (CANTEEN_VISION_INVALID, "dish: an id is at most " + std::to_string (CANTEEN_VISION_DISH_ID) + " bytes");
  for (std::size_t i = 0; i < len; i++)
    if (dish[i] <= 0x20 || dish[i] >= 0x7F)
      refuse (CANTEEN_VISION_INVALID, "dish: an id is printable ASCII without spaces");
  return std::string (dish, len);
}

void
copy_id (char *dst, const std::string &id)
{
  std::memset (dst, 0, CANTEEN_VISION_DISH_ID + 1);
  std::memcpy (dst, id.data (), std::min<std::size_t> (id.size (), CANTEEN_VISION_DISH_ID));
}

/* Exemplar bytes into a malloc'd buffer for the caller. */
void
hand_out (const std::vector<std::uint8_t> &bytes, std::uint8_t **out, std::size_t *out_len)
{
  auto *buf = static_cast<std::uint8_t *> (std::malloc (bytes.size ()));
  if (buf == nullptr)
    throw std::bad_alloc ();
  std::memcpy (buf, bytes.data (), bytes.size ());
  *out = buf;
  *out_len = bytes.size ();
}

std::vector<std::uint8_t>
exemplar_of (const vision::Tray &tray, const vision::Region &region, const cv::Mat &frame)
{
  const vision::Patches d = vision::describe_region (tray, region);
  const cv::Rect box = vision::to_frame (tray, region.box);
  return vision::serialise_exemplar (d, box.empty () ? cv::Mat () : frame (box));
}

CanteenVisionStatus
set_image (CanteenVision *v, cv::Mat &&rgb, CanteenVisionImage *out)
{
  v->loaded = std::move (rgb);
  out->width = v->loaded.cols;
  out->height = v->loaded.rows;
  out->stride = v->loaded.step[0];
  out->rgb = v->loaded.data;
  return CANTEEN_VISION_OK;
}

} // namespace

namespace vision {

cv::Mat
wrap_image (const CanteenVisionImage *image, const char *which)
{
  const std::string w = which;
  if (image == nullptr || image->rgb == nullptr)
    throw Error (CANTEEN_VISION_INVALID, w + ": no pixels given");
  if (image->width <= 0 || image->height <= 0)
    throw Error (CANTEEN_VISION_INVALID, w + ": " + std::to_string (image->width) + "x"
                                           + std::to_string (image->height) + " has no pixels");
  if (image->width > CANTEEN_VISION_MAX_SIDE || image->height > CANTEEN_VISION_MAX_SIDE)
    throw Error (CANTEEN_VISION_TOO_LARGE, w + ": " + std::to_string (image->width) + "x"
                                             + std::to_string (image->height) + " is over the limit of "
                                             + std::to_string (CANTEEN_VISION_MAX_SIDE) + " pixels a side");
  if (image->stride < static_cast<std::size_t> (image->width) * 3)
    throw Error (CANTEEN_VISION_INVALID, w + ": a row stride of " + std::to_string (image->stride)
                                           + " bytes is less than 3 x " + std::to_string (image->width));
  if (image->stride > static_cast<std::size_t> (CANTEEN_VISION_MAX_SIDE) * 16)
    throw Error (CANTEEN_VISION_INVALID, w + ": a row stride of " + std::to_string (image->stride)
                                           + " bytes is implausible");
  return cv::Mat (image->height, image->width, CV_8UC3, const_cast<std::uint8_t *> (image->rgb), image->stride);
}

} // namespace vision


extern "C" {

CanteenVision *
canteen_vision_new (void)
{
  return new (std::nothrow) CanteenVision ();
}

void
canteen_vision_free (CanteenVision *vision)
{
  delete vision;
}

const char *
canteen_vision_last_error (const CanteenVision *vision)
{
  return vision != nullptr ? vision->error.c_str () : "no vision handle";
}

CanteenVisionStatus
canteen_vision_load (CanteenVision *vision, const char *path, CanteenVisionImage *out)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  return guarded (vision, [&] {
    if (path == nullptr || *path == '\0')
      refuse (CANTEEN_VISION_INVALID, "no image path given");
    if (out == nullptr)
      refuse (CANTEEN_VISION_INVALID, "no image to fill");
    const std::string name = vision::display_name (path);
    const std::vector<std::uint8_t> bytes = vision::read_image_file (path, name);
    cv::Mat rgb = vision::decode_rgb (bytes.data (), bytes.size (), name);
    return set_image (vision, std::move (rgb), out);
  });
}

CanteenVisionStatus
canteen_vision_decode (CanteenVision *vision, const uint8_t *data, size_t len, CanteenVisionImage *out)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  return guarded (vision, [&] {
    if (out == nullptr)
      refuse (CANTEEN_VISION_INVALID, "no image to fill");
    if (data == nullptr && len > 0)
      refuse (CANTEEN_VISION_INVALID, "image data: no bytes given");
    cv::Mat rgb = vision::decode_rgb (data, len, "image data (" + std::to_string (len) + " bytes)");
    return set_image (vision, std::move (rgb), out);
  });
}

CanteenVisionStatus
canteen_vision_enroll (CanteenVision *vision, const CanteenVisionImage *image, uint8_t **out, size_t *out_len)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  if (out != nullptr)
    *out = nullptr;
  if (out_len != nullptr)
    *out_len = 0;
  return guarded (vision, [&] {
    if (out == nullptr || out_len == nullptr)
      refuse (CANTEEN_VISION_INVALID, "enroll: nowhere to put the exemplar");
    const cv::Mat frame = vision::wrap_image (image);
    vision::Tray tray = vision::analyse (frame);
    /* The photo shows one plate of the dish alone: if the texture that
     * finds food on a full tray finds none (a smooth spread, an avocado),
     * a lower threshold cannot merge it with a neighbour here. */
    for (float energy : vision::LONE_PORTION_ENERGY)
      if (tray.regions.empty ())
        tray = vision::analyse (frame, energy);
    /* Its biggest food region. */
    const vision::Region *best = nullptr;
    for (const vision::Region &r : tray.regions)
      if (best == nullptr || r.area > best->area)
        best = &r;
    if (best == nullptr)
      refuse (CANTEEN_VISION_NO_FOOD, "enrollment photo: no plate with food found");
    hand_out (exemplar_of (tray, *best, frame), out, out_len);
    return CANTEEN_VISION_OK;
  });
}

CanteenVisionStatus
canteen_vision_enroll_region (CanteenVision *vision, const CanteenVisionImage *image, const int box[4], uint8_t **out,
                              size_t *out_len)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  if (out != nullptr)
    *out = nullptr;
  if (out_len != nullptr)
    *out_len = 0;
  return guarded (vision, [&] {
    if (out == nullptr || out_len == nullptr)
      refuse (CANTEEN_VISION_INVALID, "enroll: nowhere to put the exemplar");
    if (box == nullptr)
      refuse (CANTEEN_VISION_INVALID, "enroll: no region given");
    const cv::Mat frame = vision::wrap_image (image);
    const std::string shown = "region [" + std::to_string (box[0]) + "," + std::to_string (box[1]) + ","
                              + std::to_string (box[2]) + "," + std::to_string (box[3]) + "]";
    /* In 64 bits: x + w must not overflow for any int the caller passes. */
    const long long x0 = std::max<long long> (box[0], 0), y0 = std::max<long long> (box[1], 0);
    const long long x1 = std::min<long long> (static_cast<long long> (box[0]) + box[2], frame.cols);
    const long long y1 = std::min<long long> (static_cast<long long> (box[1]) + box[3], frame.rows);
    /* A box mostly outside the frame is the caller's mistake, not a plate
     * at the edge: at least half of it must be in the image. */
    if (box[2] <= 0 || box[3] <= 0 || x1 - x0 < 8 || y1 - y0 < 8
        || (x1 - x0) * (y1 - y0) * 2 < static_cast<long long> (box[2]) * box[3])
      refuse (CANTEEN_VISION_INVALID, shown + " is empty or outside the " + std::to_string (frame.cols) + "x"
                                        + std::to_string (frame.rows) + " image");
    const cv::Rect want (static_cast<int> (x0), static_cast<int> (y0), static_cast<int> (x1 - x0),
                         static_cast<int> (y1 - y0));

    /* The same regions recognition found (smooth food included), so a
     * correction's box meets the region the diner saw named. */
    vision::Tray tray = vision::analyse (frame, vision::FOOD_ENERGY, true);
    const cv::Rect w = vision::to_work (tray, want);
    /* The region the box holds most of; else the food inside the box. */
    vision::Region *best = nullptr;
    double best_share = 0.5;
    for (vision::Region &r : tray.regions)
      {
        const double share = cv::countNonZero (r.mask (w & r.food_box)) / std::max (r.area, 1.0);
        if (!(w & r.food_box).empty () && share > best_share)
          {
            best_share = share;
            best = &r;
          }
      }
    vision::Region clipped;
    if (best == nullptr)
      {
        for (const vision::Region &r : tray.regions)
          {
            if (clipped.mask.empty ())
              clipped.mask = cv::Mat::zeros (r.mask.size (), CV_8U);
            cv::Mat part = cv::Mat::zeros (r.mask.size (), CV_8U);
            r.mask (w).copyTo (part (w));
            clipped.mask |= part;
          }
        clipped.area = clipped.mask.empty () ? 0.0 : cv::countNonZero (clipped.mask);
        if (clipped.area < 0.25 * w.area ())
          refuse (CANTEEN_VISION_NO_FOOD, shown + ": no food found there");
        clipped.food_box = cv::boundingRect (clipped.mask);
        clipped.box = w;
        best = &clipped;
      }
    hand_out (exemplar_of (tray, *best, frame), out, out_len);
    return CANTEEN_VISION_OK;
  });
}

void
canteen_vision_index_clear (CanteenVision *vision)
{
  if (vision != nullptr)
    vision->index.clear ();
}

CanteenVisionStatus
canteen_vision_index_add (CanteenVision *vision, const char *dish, const uint8_t *exemplar, size_t len)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  return guarded (vision, [&] {
    const std::string id = check_dish (dish);
    vision::Patches d;
    try
      {
        d = vision::parse_exemplar (exemplar, len);
      }
    catch (const vision::Error &e)
      {
        refuse (e.status (), "dish " + id + ": " + e.what ());
      }
    vision->index.add (id, std::move (d));
    return CANTEEN_VISION_OK;
  });
}

int
canteen_vision_index_size (const CanteenVision *vision)
{
  return vision != nullptr ? vision->index.size () : 0;
}

float
canteen_vision_closest_pair (CanteenVision *vision, char a[CANTEEN_VISION_DISH_ID + 1],
                             char b[CANTEEN_VISION_DISH_ID + 1])
{
  if (a != nullptr)
    a[0] = '\0';
  if (b != nullptr)
    b[0] = '\0';
  if (vision == nullptr)
    return -1.0f;
  float closeness = -1.0f;
  const CanteenVisionStatus status = guarded (vision, [&] {
    std::string x, y;
    closeness = vision->index.closest_pair (x, y);
    if (closeness >= 0.0f)
      {
        if (a != nullptr)
          copy_id (a, x);
        if (b != nullptr)
          copy_id (b, y);
      }
    return CANTEEN_VISION_OK;
  });
  return status == CANTEEN_VISION_OK ? closeness : -1.0f;
}

CanteenVisionStatus
canteen_vision_index_redundant (CanteenVision *vision, const char *dish, int **out_indices, int *n_out)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  if (out_indices != nullptr)
    *out_indices = nullptr;
  if (n_out != nullptr)
    *n_out = 0;
  return guarded (vision, [&] {
    if (out_indices == nullptr || n_out == nullptr)
      refuse (CANTEEN_VISION_INVALID, "redundant: nowhere to put the indices");
    const std::vector<int> r = vision->index.redundant (check_dish (dish));
    /* malloc(0) may return NULL; one int keeps "NULL means failure" true. */
    auto *buf = static_cast<int *> (std::malloc (std::max<std::size_t> (r.size (), 1) * sizeof (int)));
    if (buf == nullptr)
      throw std::bad_alloc ();
    std::copy (r.begin (), r.end (), buf);
    *out_indices = buf;
    *n_out = static_cast<int> (r.size ());
    return CANTEEN_VISION_OK;
  });
}

CanteenVisionStatus
canteen_vision_recognize (CanteenVision *vision, const CanteenVisionImage *image, CanteenVisionResult *out)
{
  if (vision == nullptr)
    return CANTEEN_VISION_INVALID;
  if (out != nullptr)
    *out = CanteenVisionResult {};
  return guarded (vision, [&] {
    if (out == nullptr)
      refuse (CANTEEN_VISION_INVALID, "recognize: no result to fill");
    const auto start = std::chrono::steady_clock::now ();
    const cv::Mat frame = vision::wrap_image (image);
    vision::Tray tray = vision::analyse (frame, vision::FOOD_ENERGY, true);
    /* Every region is ranked before the items are made: the parts of one
     * portion are known by naming the same dish. */
    std::vector<std::vector<vision::Match>> ranks;
    for (const vision::Region &r : tray.regions)
      ranks.push_back (vision->index.rank (vision::describe_region (tray, r)));
    vision::rejoin_split_portions (tray, ranks, vision->index);

    std::vector<CanteenVisionItem> items (tray.regions.size ());
    int unknown = 0;
    for (std::size_t i = 0; i < tray.regions.size (); i++)
      {
        const vision::Region &r = tray.regions[i];
        CanteenVisionItem &item = items[i];
        item = CanteenVisionItem {};
        const cv::Rect box = vision::to_frame (tray, r.box);
        item.box[0] = box.x;
        item.box[1] = box.y;
        item.box[2] = box.width;
        item.box[3] = box.height;

        const std::vector<vision::Match> &ranked = ranks[i];
        const bool known = !ranked.empty () && ranked[0].confidence >= vision->threshold;
        item.confidence = ranked.empty () ? 0.0f : ranked[0].confidence;
        if (known)
          copy_id (item.dish, ranked[0].dish);
        else
          unknown++;
        /* A recognised item's alternatives are the runners-up; an unknown
         * one's are the best guesses, for the diner to choose from. */
        for (std::size_t k = known ? 1 : 0; k < ranked.size () && item.n_alternatives < CANTEEN_VISION_TOP; k++)
          {
            copy_id (item.alternatives[item.n_alternatives], ranked[k].dish);
            item.alternative_confidence[item.n_alternatives] = ranked[k].confidence;
            item.n_alternatives++;
          }
      }

    CanteenVisionItem *buf = nullptr;
    if (!items.empty ())
      {
        buf = static_cast<CanteenVisionItem *> (std::malloc (items.size () * sizeof (CanteenVisionItem)));
        if (buf == nullptr)
          throw std::bad_alloc ();
        std::memcpy (buf, items.data (), items.size () * sizeof (CanteenVisionItem));
      }
    out->items = buf;
    out->n_items = static_cast<int> (items.size ());
    out->n_unknown = unknown;
    out->elapsed_ms = std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - start).count ();
    return CANTEEN_VISION_OK;
  });
}

void
canteen_vision_result_clear (CanteenVisionResult *result)
{
  if (result == nullptr)
    return;
  std::free (result->items);
  *result = CanteenVisionResult {};
}

void
canteen_vision_set_threshold (CanteenVision *vision, float threshold)
{
  if (vision == nullptr || !std::isfinite (threshold))
    return;
  vision->threshold = std::clamp (threshold, 0.0f, 1.0f);
}

} // extern "C"
