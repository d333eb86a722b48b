/* fuzz-image — dish recognition's untrusted inputs: image bytes (a file
 * or an upload) and exemplar bytes (from the ledger). The first byte picks
 * the path so one corpus covers both:
 *  - even: canteen_vision_decode, then a search for a tray tag (an id of
 *    the promised form, or NO_TAG), then, for a picture small enough to
 *    keep the fuzzer fast, enroll (whose exemplar the index must then
 *    accept) and recognize;
 *  - odd: canteen_vision_index_add with the rest as exemplar bytes, then the
 *    index's views and a recognition against whatever it accepted.
 * Whatever the input: a status, never a crash; on refusal a one-line UTF-8
 * message; on success results that keep their promises (boxes inside the
 * picture, confidences in 0..1, ids NUL-terminated). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "vision.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Pictures up to this many pixels go on to enroll and recognize. */
#define FUZZ_MAX_PIXELS (96 * 96)
/* And up to this many are searched for a tray tag (seed: qr-tag). */
#define FUZZ_MAX_TAG_PIXELS (640 * 480)

static void
check_refusal (CanteenVision *v, CanteenVisionStatus status)
{
  const char *msg = canteen_vision_last_error (v);

  g_assert (status != CANTEEN_VISION_OK);
  g_assert (msg != NULL && *msg != '\0');
  g_assert (g_utf8_validate (msg, -1, NULL));
  g_assert (strchr (msg, '\n') == NULL);
}

static void
check_id (const char *id)
{
  g_assert (memchr (id, '\0', CANTEEN_VISION_DISH_ID + 1) != NULL);
}

static void
check_result (const CanteenVisionImage *img, const CanteenVisionResult *r)
{
  int unknown = 0;

  g_assert (r->n_items >= 0 && (r->n_items == 0) == (r->items == NULL));
  for (int i = 0; i < r->n_items; i++)
    {
      const CanteenVisionItem *it = &r->items[i];
      check_id (it->dish);
      unknown += it->dish[0] == '\0';
      g_assert (it->confidence >= 0.0f && it->confidence <= 1.0f);
      g_assert (it->box[0] >= 0 && it->box[1] >= 0 && it->box[2] > 0 && it->box[3] > 0);
      g_assert (it->box[0] + it->box[2] <= img->width && it->box[1] + it->box[3] <= img->height);
      g_assert (it->n_alternatives >= 0 && it->n_alternatives <= CANTEEN_VISION_TOP);
      for (int k = 0; k < it->n_alternatives; k++)
        check_id (it->alternatives[k]);
    }
  g_assert (unknown == r->n_unknown);
}

/* A fixed little tray for the exemplar path: grey with a textured disc. */
static void
small_tray (guint8 *px, int w, int h)
{
  guint32 state = 12345;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 *p = px + 3 * (y * w + x);
        const int dx = x - w / 2, dy = y - h / 2;
        state = state * 1103515245u + 12345u;
        if (dx * dx + dy * dy < (h / 3) * (h / 3))
          {
            p[0] = (guint8) (120 + (state >> 24) % 100);
            p[1] = (guint8) (60 + (state >> 16) % 80);
            p[2] = (guint8) (20 + (state >> 8) % 40);
          }
        else
          p[0] = p[1] = p[2] = 180;
      }
}

/* A tray tag is 1 to CANTEEN_VISION_TRAY_TAG of [A-Z0-9-]; "" when none. */
static void
check_tray_tag (CanteenVision *v, const CanteenVisionImage *img)
{
  char tag[CANTEEN_VISION_TRAY_TAG + 1];
  CanteenVisionStatus st = canteen_vision_read_tray_tag (v, img, tag);
  const char *end = memchr (tag, '\0', sizeof tag);
  size_t len;

  g_assert (end != NULL);
  len = (size_t) (end - tag);
  if (st != CANTEEN_VISION_OK)
    {
      g_assert (st == CANTEEN_VISION_NO_TAG);
      check_refusal (v, st);
      g_assert (len == 0);
      return;
    }
  g_assert (len >= 1);
  for (size_t i = 0; i < len; i++)
    g_assert ((tag[i] >= 'A' && tag[i] <= 'Z') || (tag[i] >= '0' && tag[i] <= '9') || tag[i] == '-');
}

static void
fuzz_image (CanteenVision *v, const uint8_t *data, size_t size)
{
  CanteenVisionImage img;
  CanteenVisionResult r;
  CanteenVisionStatus st = canteen_vision_decode (v, data, size, &img);
  uint8_t *ex = NULL;
  size_t ex_len = 0;

  if (st != CANTEEN_VISION_OK)
    {
      check_refusal (v, st);
      return;
    }
  g_assert (img.width > 0 && img.height > 0 && img.stride >= (size_t) img.width * 3 && img.rgb != NULL);
  if ((size_t) img.width * (size_t) img.height <= FUZZ_MAX_TAG_PIXELS)
    check_tray_tag (v, &img);
  if ((size_t) img.width * (size_t) img.height > FUZZ_MAX_PIXELS)
    return;

  st = canteen_vision_enroll (v, &img, &ex, &ex_len);
  if (st == CANTEEN_VISION_OK)
    {
      g_assert (ex != NULL && ex_len > 0);
      g_assert (canteen_vision_index_add (v, "F01", ex, ex_len) == CANTEEN_VISION_OK);
      free (ex);
    }
  else
    {
      check_refusal (v, st);
      g_assert (ex == NULL && ex_len == 0);
    }

  st = canteen_vision_recognize (v, &img, &r);
  g_assert (st == CANTEEN_VISION_OK);
  check_result (&img, &r);
  canteen_vision_result_clear (&r);
}

static void
fuzz_exemplar (CanteenVision *v, const uint8_t *data, size_t size)
{
  enum { W = 64, H = 48 };
  static guint8 px[W * H * 3];
  const CanteenVisionImage img = { W, H, W * 3, px };
  CanteenVisionResult r;
  char a[CANTEEN_VISION_DISH_ID + 1], b[CANTEEN_VISION_DISH_ID + 1];
  int *idx = NULL, n = -1;
  float closeness;
  CanteenVisionStatus st = canteen_vision_index_add (v, "F01", data, size);

  if (st != CANTEEN_VISION_OK)
    {
      check_refusal (v, st);
      g_assert (canteen_vision_index_size (v) == 0);
      return;
    }
  g_assert (canteen_vision_index_size (v) == 1);
  /* The same bytes under a second name and again under the first: the
   * views must cope with identical exemplars. */
  g_assert (canteen_vision_index_add (v, "F02", data, size) == CANTEEN_VISION_OK);
  g_assert (canteen_vision_index_add (v, "F01", data, size) == CANTEEN_VISION_OK);
  closeness = canteen_vision_closest_pair (v, a, b);
  g_assert (closeness >= 0.0f && closeness <= 1.0f);
  check_id (a);
  check_id (b);
  g_assert (canteen_vision_index_redundant (v, "F01", &idx, &n) == CANTEEN_VISION_OK);
  g_assert (n == 1 && idx[0] == 1);
  free (idx);

  small_tray (px, W, H);
  st = canteen_vision_recognize (v, &img, &r);
  g_assert (st == CANTEEN_VISION_OK);
  check_result (&img, &r);
  canteen_vision_result_clear (&r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CanteenVision *v;

  if (size < 1)
    return 0;
  v = canteen_vision_new ();
  g_assert (v != NULL);
  if (data[0] & 1)
    fuzz_exemplar (v, data + 1, size - 1);
  else
    fuzz_image (v, data + 1, size - 1);
  canteen_vision_free (v);
  return 0;
}
