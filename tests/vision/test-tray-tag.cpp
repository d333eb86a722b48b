/* test-tray-tag — canteen_vision_read_tray_tag (vision.h), the tray's QR
 * sticker that matches a returned tray to its checkout (issue 6).
 *  - No photos needed: bad arguments are INVALID and corrupt bytes stay
 *    DECODE; on a drawn tray a tag is read (turned, at its longest, next
 *    to a diner's phone code), while no code, a foreign code (a URL) and
 *    codes that only look like tags ("CANTEEN-TRAY:bad id!", too long,
 *    empty) are NO_TAG, never an error and never a made-up id; stickers
 *    damaged at random and noise are read right or not at all.
 *  - With the food photos (tray-gen.h; skipped without them): the tags of
 *    generated trays of every style are read on the checkout picture and
 *    on the returned one (turned, moved, relit), never as another tray's;
 *    an untagged tray has none; and the sticker does not become a food
 *    region (the same trays untagged give as many regions).
 */
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <glib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "food-photos.h"
#include "tray-eaten.h"
#include "vision.h"
#include "vision-view.h"

namespace {

using traygen::image_of;
using traygen::rgb_of;

/* A plain tray on a dark counter, a little noisy. */
cv::Mat
plain_tray ()
{
  cv::Mat m (720, 1280, CV_8UC3, cv::Scalar (40, 38, 36));
  cv::rectangle (m, cv::Rect (200, 120, 880, 480), cv::Scalar (150, 160, 170), cv::FILLED);
  cv::Mat noise (m.size (), CV_8UC3);
  cv::randu (noise, 0, 6);
  return m + noise;
}

/* A QR code reading `text` stuck onto `rgb`, `side` px with its quiet
 * zone, centred at `at`, turned by `angle` degrees, then blurred a little
 * and through JPEG, as a camera would give it. */
void
stick (cv::Mat &rgb, const std::string &text, cv::Point2f at, int side, double angle)
{
  cv::QRCodeEncoder::Params params;
  params.version = 0;
  params.correction_level = cv::QRCodeEncoder::CORRECT_LEVEL_M;
  cv::Mat code, big, sticker;
  cv::QRCodeEncoder::create (params)->encode (text, code);
  cv::copyMakeBorder (code, code, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar (255));
  cv::resize (code, big, cv::Size (side, side), 0, 0, cv::INTER_NEAREST);
  cv::cvtColor (big, sticker, cv::COLOR_GRAY2RGB);
  cv::Mat m = cv::getRotationMatrix2D (cv::Point2f (side / 2.0f, side / 2.0f), angle, 1.0);
  m.at<double> (0, 2) += static_cast<double> (at.x) - side / 2.0;
  m.at<double> (1, 2) += static_cast<double> (at.y) - side / 2.0;
  cv::Mat warped, cover, paper (side, side, CV_8U, cv::Scalar (255));
  cv::warpAffine (sticker, warped, m, rgb.size ());
  cv::warpAffine (paper, cover, m, rgb.size ());
  warped.copyTo (rgb, cover > 127);
}

cv::Mat
as_camera (const cv::Mat &rgb)
{
  cv::Mat blurred, out;
  cv::GaussianBlur (rgb, blurred, cv::Size (0, 0), 0.8);
  std::vector<uchar> jpeg;
  g_assert_true (cv::imencode (".jpg", blurred, jpeg, { cv::IMWRITE_JPEG_QUALITY, 75 }));
  out = cv::imdecode (jpeg, cv::IMREAD_COLOR);
  g_assert_false (out.empty ());
  return out;  /* channel order is irrelevant to a grey sticker */
}

/* The status of reading `rgb`, with `tag` filled. */
CanteenVisionStatus
read (CanteenVision *v, const cv::Mat &rgb, char tag[CANTEEN_VISION_TRAY_TAG + 1])
{
  const CanteenVisionImage img = image_of (rgb);
  std::memset (tag, 'x', CANTEEN_VISION_TRAY_TAG + 1);
  return canteen_vision_read_tray_tag (v, &img, tag);
}

void
test_bad_arguments ()
{
  CanteenVision *v = canteen_vision_new ();
  const cv::Mat tray = plain_tray ();
  CanteenVisionImage good = image_of (tray), none {}, empty = good, narrow = good;
  empty.width = 0;
  narrow.stride = 10;
  char tag[CANTEEN_VISION_TRAY_TAG + 1] = "junk";

  g_assert_cmpint (canteen_vision_read_tray_tag (v, nullptr, tag), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpstr (tag, ==, "");
  g_assert_cmpint (canteen_vision_read_tray_tag (v, &none, tag), ==, CANTEEN_VISION_INVALID);
  g_assert_nonnull (std::strstr (canteen_vision_last_error (v), "no pixels"));
  g_assert_cmpint (canteen_vision_read_tray_tag (v, &empty, tag), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_read_tray_tag (v, &narrow, tag), ==, CANTEEN_VISION_INVALID);
  g_assert_nonnull (std::strstr (canteen_vision_last_error (v), "stride"));
  g_assert_cmpint (canteen_vision_read_tray_tag (v, &good, nullptr), ==, CANTEEN_VISION_INVALID);
  std::strcpy (tag, "junk");
  g_assert_cmpint (canteen_vision_read_tray_tag (nullptr, &good, tag), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpstr (tag, ==, "");

  /* Corrupt and truncated bytes stop at the decoder, as DECODE. */
  const guint8 junk[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x02, 0x03 };
  CanteenVisionImage out {};
  g_assert_cmpint (canteen_vision_decode (v, junk, sizeof junk, &out), ==, CANTEEN_VISION_DECODE);
  std::vector<uchar> jpeg;
  cv::Mat tagged = plain_tray ();
  stick (tagged, "CANTEEN-TRAY:T0001", cv::Point2f (300, 200), 110, 0.0);
  g_assert_true (cv::imencode (".jpg", tagged, jpeg));
  g_assert_cmpint (canteen_vision_decode (v, jpeg.data (), jpeg.size () / 2, &out), ==, CANTEEN_VISION_DECODE);
  /* The whole file decodes, and its tag reads. */
  g_assert_cmpint (canteen_vision_decode (v, jpeg.data (), jpeg.size (), &out), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (canteen_vision_read_tray_tag (v, &out, tag), ==, CANTEEN_VISION_OK);
  g_assert_cmpstr (tag, ==, "T0001");
  canteen_vision_free (v);
}

void
test_drawn_codes ()
{
  CanteenVision *v = canteen_vision_new ();
  char tag[CANTEEN_VISION_TRAY_TAG + 1];

  /* No code at all. */
  g_assert_cmpint (read (v, as_camera (plain_tray ()), tag), ==, CANTEEN_VISION_NO_TAG);
  g_assert_cmpstr (tag, ==, "");
  g_assert_nonnull (std::strstr (canteen_vision_last_error (v), "no tray tag"));

  /* Tags, turned any way, the longest id too. */
  const struct
  {
    const char *text, *id;
    double      angle;
  } good[] = {
    { "CANTEEN-TRAY:A-7", "A-7", 0.0 },
    { "CANTEEN-TRAY:T0042", "T0042", 33.0 },
    { "CANTEEN-TRAY:T0043", "T0043", 180.0 },
    { "CANTEEN-TRAY:T0044", "T0044", -100.0 },
    { "CANTEEN-TRAY:ABCDEFGHIJKLMNOPQRSTUVWX", "ABCDEFGHIJKLMNOPQRSTUVWX", 8.0 },
  };
  for (const auto &g : good)
    {
      cv::Mat m = plain_tray ();
      stick (m, g.text, cv::Point2f (330, 260), 120, g.angle);
      g_assert_cmpint (read (v, as_camera (m), tag), ==, CANTEEN_VISION_OK);
      g_assert_cmpstr (tag, ==, g.id);
    }

  /* Codes that are not tray tags: ignored, so NO_TAG, and the message
   * says a code was seen (the reader did read it). */
  const char *foreign[] = {
    "https://example.com", "CANTEEN-TRAY:bad id!", "CANTEEN-TRAY:", "CANTEEN-TRAY:ABCDEFGHIJKLMNOPQRSTUVWXY",
    "canteen-tray:T0001", "CANTEEN-TRAY:t0001",
  };
  for (const char *text : foreign)
    {
      cv::Mat m = plain_tray ();
      stick (m, text, cv::Point2f (640, 360), 130, 5.0);
      g_assert_cmpint (read (v, as_camera (m), tag), ==, CANTEEN_VISION_NO_TAG);
      g_assert_cmpstr (tag, ==, "");
      g_assert_nonnull (std::strstr (canteen_vision_last_error (v), "other QR code"));
    }

  /* A diner's phone code beside the sticker: the sticker's id. */
  cv::Mat both = plain_tray ();
  stick (both, "https://pay.example.com/q/8f3a", cv::Point2f (800, 380), 150, -12.0);
  stick (both, "CANTEEN-TRAY:T0777", cv::Point2f (320, 240), 110, 3.0);
  g_assert_cmpint (read (v, as_camera (both), tag), ==, CANTEEN_VISION_OK);
  g_assert_cmpstr (tag, ==, "T0777");

  /* Noise is no code. */
  cv::Mat noise (720, 1280, CV_8UC3);
  cv::randu (noise, 0, 256);
  g_assert_cmpint (read (v, noise, tag), ==, CANTEEN_VISION_NO_TAG);
  canteen_vision_free (v);
}

/* Fuzz-ish: a sticker scratched, blotted and torn at random is read
 * right or not at all, never as another id, and never crashes the reader
 * (Reed-Solomon past its limits, format bits garbled, finders half gone). */
void
test_damaged_codes ()
{
  CanteenVision *v = canteen_vision_new ();
  char tag[CANTEEN_VISION_TRAY_TAG + 1];
  cv::Mat clean = plain_tray ();
  stick (clean, "CANTEEN-TRAY:T0123", cv::Point2f (400, 300), 120, 17.0);
  cv::RNG rng (20261123);
  int right = 0, none = 0;
  for (int i = 0; i < 120; i++)
    {
      cv::Mat m = clean.clone ();
      const int blots = rng.uniform (1, 12);
      for (int b = 0; b < blots; b++)
        {
          const cv::Point p (rng.uniform (330, 470), rng.uniform (230, 370));
          const cv::Size s (rng.uniform (2, 14), rng.uniform (2, 14));
          cv::rectangle (m, cv::Rect (p, s), cv::Scalar::all (rng.uniform (0, 2) * 255), cv::FILLED);
        }
      const CanteenVisionStatus st = read (v, as_camera (m), tag);
      if (st == CANTEEN_VISION_OK)
        {
          g_assert_cmpstr (tag, ==, "T0123");
          right++;
        }
      else
        {
          g_assert_cmpint (st, ==, CANTEEN_VISION_NO_TAG);
          g_assert_cmpstr (tag, ==, "");
          none++;
        }
    }
  g_test_message ("damaged stickers: %d read right, %d not read, none wrong", right, none);
  g_assert_cmpint (right, >, 0);

  /* Random pixels of every size up to a frame: nothing, no crash. */
  for (const cv::Size size : { cv::Size (1, 1), cv::Size (3, 200), cv::Size (57, 31), cv::Size (640, 480) })
    {
      cv::Mat noise (size, CV_8UC3);
      rng.fill (noise, cv::RNG::UNIFORM, 0, 256);
      g_assert_cmpint (read (v, noise, tag), ==, CANTEEN_VISION_NO_TAG);
    }
  canteen_vision_free (v);
}

using Photos = traygen::TestPhotos;

/* The photos with a menu of 10 dishes (seed 7), once per program. */
Photos *
photos ()
{
  return traygen::test_photos (10, 7);
}

std::string
tag_for (int index)
{
  char id[16];
  std::snprintf (id, sizeof id, "T%04d", index + 1);
  return id;
}

void
test_generated_trays ()
{
  Photos *p = photos ();
  if (!p)
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  CanteenVision *v = canteen_vision_new ();
  char tag[CANTEEN_VISION_TRAY_TAG + 1];
  constexpr int N = 16;
  int read_ok = 0, pictures = 0;
  std::set<std::string> styles;
  std::vector<double> ms;
  for (int i = 0; i < N; i++)
    {
      const std::string want = tag_for (i);
      const traygen::TrayPair pair = traygen::make_tray_pair (p->library, p->menu, i, want);
      styles.insert (pair.before.tray);
      for (const traygen::Frame *f : { &pair.before, &pair.after })
        {
          g_assert_cmpstr (f->tag.c_str (), ==, want.c_str ());
          /* The sticker is 90-135 px a side in the frame (its box, turned
           * with the tray, up to 1.4 times that). */
          g_assert_cmpint (std::max (f->tag_box.width, f->tag_box.height), >=, 85);
          g_assert_cmpint (std::max (f->tag_box.width, f->tag_box.height), <=, 190);
          const cv::Mat rgb = rgb_of (*f);
          const auto start = std::chrono::steady_clock::now ();
          const CanteenVisionStatus s = read (v, rgb, tag);
          ms.push_back (std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - start).count ());
          pictures++;
          if (s == CANTEEN_VISION_OK)
            {
              g_assert_cmpstr (tag, ==, want.c_str ());  /* never another tray's */
              read_ok++;
            }
          else
            {
              g_assert_cmpint (s, ==, CANTEEN_VISION_NO_TAG);
              g_test_message ("tray %d (%s): tag not read: %s", i, f->notes.c_str (), canteen_vision_last_error (v));
            }
        }
    }
  std::sort (ms.begin (), ms.end ());
  g_test_message ("tags read on %d of %d pictures; %zu tray styles; %.1f ms p50, %.1f ms p95 a frame", read_ok,
                  pictures, styles.size (), ms[ms.size () / 2], ms[ms.size () * 95 / 100]);
  g_assert_cmpint (styles.size (), >=, 3);
  /* A chopstick may lie across a sticker; nearly all must read. */
  g_assert_cmpint (read_ok * 10, >=, pictures * 9);

  /* The same tray without its sticker has none. */
  const traygen::Frame plain = traygen::make_tray (p->library, p->menu, 0);
  g_assert_true (plain.tag.empty () && plain.tag_box.empty ());
  g_assert_cmpint (read (v, rgb_of (plain), tag), ==, CANTEEN_VISION_NO_TAG);
  canteen_vision_free (v);
}

/* The recogniser sees the sticker as part of the tray, not as food: the
 * analysis clears every QR code it reads out of the texture it finds food
 * by (tray.cpp). No region lies on the sticker, and a tray with its tag
 * holds as many regions as the same tray without. */
void
test_sticker_is_not_food ()
{
  Photos *p = photos ();
  if (!p)
    {
      g_test_skip ("no food photos (CANTEEN_FOOD_PHOTOS)");
      return;
    }
  /* Enrolled, as at a counter: the parts of a portion a chopstick splits
   * are one item because they name one dish. */
  CanteenVision *v = traygen::enrolled_vision (*p, 2);
  int same = 0, on_sticker = 0;
  constexpr int N = 8;
  for (int i = 0; i < N; i++)
    {
      int n[2] = { 0, 0 };
      for (int tagged = 0; tagged < 2; tagged++)
        {
          const traygen::Frame f = traygen::make_tray (p->library, p->menu, i, tagged ? tag_for (i) : "");
          const cv::Mat rgb = rgb_of (f);
          const CanteenVisionImage img = image_of (rgb);
          CanteenVisionResult r {};
          g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
          n[tagged] = r.n_items;
          if (tagged)
            for (int k = 0; k < r.n_items; k++)
              {
                const cv::Rect box (r.items[k].box[0], r.items[k].box[1], r.items[k].box[2], r.items[k].box[3]);
                if ((box & f.tag_box).area () > 0.5 * box.area ())
                  {
                    on_sticker++;
                    g_test_message ("tray %d (%s): region %d,%d %dx%d lies on the sticker %d,%d %dx%d", i,
                                    f.tray.c_str (), box.x, box.y, box.width, box.height, f.tag_box.x, f.tag_box.y,
                                    f.tag_box.width, f.tag_box.height);
                  }
              }
          canteen_vision_result_clear (&r);
        }
      if (n[0] == n[1])
        same++;
      else
        g_test_message ("tray %d: %d regions untagged, %d tagged", i, n[0], n[1]);
    }
  g_test_message ("%d of %d trays: as many regions with the sticker as without; %d regions on a sticker", same, N,
                  on_sticker);
  canteen_vision_free (v);
  g_assert_cmpint (on_sticker, ==, 0);
  g_assert_cmpint (same, ==, N);
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/tray-tag/bad-arguments", test_bad_arguments);
  g_test_add_func ("/tray-tag/drawn-codes", test_drawn_codes);
  g_test_add_func ("/tray-tag/damaged-codes", test_damaged_codes);
  g_test_add_func ("/tray-tag/generated-trays", test_generated_trays);
  g_test_add_func ("/tray-tag/sticker-is-not-food", test_sticker_is_not_food);
  return g_test_run ();
}
