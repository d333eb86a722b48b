/* test-vision-api.c — the contracts of devices/vision/vision.h.
 *
 * Bad input gets the right status and a one-line message naming what was
 * wrong; enroll → index → recognize finds the dishes of a simple tray drawn
 * here (white plates of clearly different, textured foods on a grey tray)
 * with boxes on the plates; only indexed dishes are ever answered; an empty
 * tray has no items and an empty index makes every region unknown; exemplar
 * bytes damaged in any single byte are refused; the closest pair and the
 * redundant exemplars behave. The synthetic trays of tests/vision's
 * harness measure accuracy; this only pins the API down. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "vision.h"

/* A 12x8 PNG and JPEG: left half red, right half blue (made with OpenCV). */
static const guint8 tiny_png[] = {
  0x89,0x50,0x4e,0x47,0x0d,0x0a,0x1a,0x0a,0x00,0x00,0x00,0x0d,0x49,0x48,0x44,0x52,
  0x00,0x00,0x00,0x0c,0x00,0x00,0x00,0x08,0x08,0x02,0x00,0x00,0x00,0x42,0x86,0x89,
  0xa6,0x00,0x00,0x00,0x1a,0x49,0x44,0x41,0x54,0x18,0xd3,0x63,0x3c,0x21,0xc2,0xc5,
  0x80,0x0a,0x9c,0x52,0xf6,0xa1,0x89,0x30,0x31,0x10,0x01,0x86,0xb7,0x22,0x00,0x92,
  0xbc,0x02,0x5a,0xf7,0x03,0xd0,0xd3,0x00,0x00,0x00,0x00,0x49,0x45,0x4e,0x44,0xae,
  0x42,0x60,0x82,
};
static const guint8 tiny_jpeg[] = {
  0xff,0xd8,0xff,0xe0,0x00,0x10,0x4a,0x46,0x49,0x46,0x00,0x01,0x01,0x00,0x00,0x01,
  0x00,0x01,0x00,0x00,0xff,0xdb,0x00,0x43,0x00,0x03,0x02,0x02,0x03,0x02,0x02,0x03,
  0x03,0x03,0x03,0x04,0x03,0x03,0x04,0x05,0x08,0x05,0x05,0x04,0x04,0x05,0x0a,0x07,
  0x07,0x06,0x08,0x0c,0x0a,0x0c,0x0c,0x0b,0x0a,0x0b,0x0b,0x0d,0x0e,0x12,0x10,0x0d,
  0x0e,0x11,0x0e,0x0b,0x0b,0x10,0x16,0x10,0x11,0x13,0x14,0x15,0x15,0x15,0x0c,0x0f,
  0x17,0x18,0x16,0x14,0x18,0x12,0x14,0x15,0x14,0xff,0xdb,0x00,0x43,0x01,0x03,0x04,
  0x04,0x05,0x04,0x05,0x09,0x05,0x05,0x09,0x14,0x0d,0x0b,0x0d,0x14,0x14,0x14,0x14,
  0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,
  0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,
  0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0x14,0xff,0xc0,
  0x00,0x11,0x08,0x00,0x08,0x00,0x0c,0x03,0x01,0x22,0x00,0x02,0x11,0x01,0x03,0x11,
  0x01,0xff,0xc4,0x00,0x1f,0x00,0x00,0x01,0x05,0x01,0x01,0x01,0x01,0x01,0x01,0x00,
  0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,0x09,
  0x0a,0x0b,0xff,0xc4,0x00,0xb5,0x10,0x00,0x02,0x01,0x03,0x03,0x02,0x04,0x03,0x05,
  0x05,0x04,0x04,0x00,0x00,0x01,0x7d,0x01,0x02,0x03,0x00,0x04,0x11,0x05,0x12,0x21,
  0x31,0x41,0x06,0x13,0x51,0x61,0x07,0x22,0x71,0x14,0x32,0x81,0x91,0xa1,0x08,0x23,
  0x42,0xb1,0xc1,0x15,0x52,0xd1,0xf0,0x24,0x33,0x62,0x72,0x82,0x09,0x0a,0x16,0x17,
  0x18,0x19,0x1a,0x25,0x26,0x27,0x28,0x29,0x2a,0x34,0x35,0x36,0x37,0x38,0x39,0x3a,
  0x43,0x44,0x45,0x46,0x47,0x48,0x49,0x4a,0x53,0x54,0x55,0x56,0x57,0x58,0x59,0x5a,
  0x63,0x64,0x65,0x66,0x67,0x68,0x69,0x6a,0x73,0x74,0x75,0x76,0x77,0x78,0x79,0x7a,
  0x83,0x84,0x85,0x86,0x87,0x88,0x89,0x8a,0x92,0x93,0x94,0x95,0x96,0x97,0x98,0x99,
  0x9a,0xa2,0xa3,0xa4,0xa5,0xa6,0xa7,0xa8,0xa9,0xaa,0xb2,0xb3,0xb4,0xb5,0xb6,0xb7,
  0xb8,0xb9,0xba,0xc2,0xc3,0xc4,0xc5,0xc6,0xc7,0xc8,0xc9,0xca,0xd2,0xd3,0xd4,0xd5,
  0xd6,0xd7,0xd8,0xd9,0xda,0xe1,0xe2,0xe3,0xe4,0xe5,0xe6,0xe7,0xe8,0xe9,0xea,0xf1,
  0xf2,0xf3,0xf4,0xf5,0xf6,0xf7,0xf8,0xf9,0xfa,0xff,0xc4,0x00,0x1f,0x01,0x00,0x03,
  0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x00,0x00,0x00,0x00,0x00,0x00,0x01,
  0x02,0x03,0x04,0x05,0x06,0x07,0x08,0x09,0x0a,0x0b,0xff,0xc4,0x00,0xb5,0x11,0x00,
  0x02,0x01,0x02,0x04,0x04,0x03,0x04,0x07,0x05,0x04,0x04,0x00,0x01,0x02,0x77,0x00,
  0x01,0x02,0x03,0x11,0x04,0x05,0x21,0x31,0x06,0x12,0x41,0x51,0x07,0x61,0x71,0x13,
  0x22,0x32,0x81,0x08,0x14,0x42,0x91,0xa1,0xb1,0xc1,0x09,0x23,0x33,0x52,0xf0,0x15,
  0x62,0x72,0xd1,0x0a,0x16,0x24,0x34,0xe1,0x25,0xf1,0x17,0x18,0x19,0x1a,0x26,0x27,
  0x28,0x29,0x2a,0x35,0x36,0x37,0x38,0x39,0x3a,0x43,0x44,0x45,0x46,0x47,0x48,0x49,
  0x4a,0x53,0x54,0x55,0x56,0x57,0x58,0x59,0x5a,0x63,0x64,0x65,0x66,0x67,0x68,0x69,
  0x6a,0x73,0x74,0x75,0x76,0x77,0x78,0x79,0x7a,0x82,0x83,0x84,0x85,0x86,0x87,0x88,
  0x89,0x8a,0x92,0x93,0x94,0x95,0x96,0x97,0x98,0x99,0x9a,0xa2,0xa3,0xa4,0xa5,0xa6,
  0xa7,0xa8,0xa9,0xaa,0xb2,0xb3,0xb4,0xb5,0xb6,0xb7,0xb8,0xb9,0xba,0xc2,0xc3,0xc4,
  0xc5,0xc6,0xc7,0xc8,0xc9,0xca,0xd2,0xd3,0xd4,0xd5,0xd6,0xd7,0xd8,0xd9,0xda,0xe2,
  0xe3,0xe4,0xe5,0xe6,0xe7,0xe8,0xe9,0xea,0xf2,0xf3,0xf4,0xf5,0xf6,0xf7,0xf8,0xf9,
  0xfa,0xff,0xda,0x00,0x0c,0x03,0x01,0x00,0x02,0x11,0x03,0x11,0x00,0x3f,0x00,0xf9,
  0xf3,0x41,0xff,0x00,0x90,0xac,0x1f,0xf0,0x2f,0xfd,0x04,0xd7,0x5d,0x45,0x15,0xf7,
  0xfe,0x18,0x7f,0xc8,0x9a,0xaf,0xfd,0x7d,0x97,0xfe,0x91,0x03,0x8f,0xe9,0x01,0xff,
  0x00,0x25,0x46,0x1f,0xfe,0xc1,0xe3,0xff,0x00,0xa7,0x2a,0x9f,0xff,0xd9,
};

/* ---- drawing a tray ------------------------------------------------------ */

#define W 1280
#define H 720

typedef struct
{
  guint8 *px;
  int     w, h;
} Canvas;

typedef enum { GREENS, TOMATO_EGG, RICE, PORK, N_FOODS } Food;

static const char *const food_ids[N_FOODS] = { "D01", "D02", "D03", "D04" };

/* Each food is a mosaic of cells of a few colours: texture at a scale the
 * recogniser resolves, and colours far apart. */
static const struct
{
  int    cell;
  guint8 palette[3][3];
} foods[N_FOODS] = {
  [GREENS] = { 5, { { 40, 110, 30 }, { 75, 150, 40 }, { 20, 80, 20 } } },
  [TOMATO_EGG] = { 8, { { 210, 60, 30 }, { 235, 190, 50 }, { 190, 40, 20 } } },
  [RICE] = { 4, { { 242, 240, 230 }, { 205, 200, 185 }, { 225, 222, 210 } } },
  [PORK] = { 9, { { 120, 50, 25 }, { 80, 32, 14 }, { 165, 95, 55 } } },
};

static Canvas
canvas_new (void)
{
  Canvas c = { g_malloc (W * H * 3), W, H };

  for (int i = 0; i < W * H; i++)
    {
      c.px[3 * i] = 72;
      c.px[3 * i + 1] = 62;
      c.px[3 * i + 2] = 52;
    }
  return c;
}

static void
put (Canvas *c, int x, int y, const guint8 rgb[3], int noise, GRand *rand)
{
  if (x < 0 || y < 0 || x >= c->w || y >= c->h)
    return;
  for (int k = 0; k < 3; k++)
    {
      int v = rgb[k] + (noise ? g_rand_int_range (rand, -noise, noise + 1) : 0);
      c->px[3 * (y * c->w + x) + k] = (guint8) CLAMP (v, 0, 255);
    }
}

/* A stainless tray: light grey with a faint grain. */
static void
draw_tray (Canvas *c, GRand *rand)
{
  static const guint8 steel[3] = { 176, 179, 182 };

  for (int y = 50; y < 670; y++)
    for (int x = 90; x < 1190; x++)
      put (c, x, y, steel, 2, rand);
}

static void
draw_disc (Canvas *c, int cx, int cy, int r, const guint8 rgb[3], GRand *rand)
{
  for (int y = cy - r; y <= cy + r; y++)
    for (int x = cx - r; x <= cx + r; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
        put (c, x, y, rgb, 1, rand);
}

/* A white plate (rim and well) with a portion of `food` in its well. */
static void
draw_plate (Canvas *c, int cx, int cy, Food food, GRand *rand)
{
  static const guint8 rim[3] = { 240, 240, 237 }, well[3] = { 229, 229, 226 };
  const int r = 85, cell = foods[food].cell;

  draw_disc (c, cx, cy, 125, rim, rand);
  draw_disc (c, cx, cy, 105, well, rand);
  for (int y0 = cy - r; y0 <= cy + r; y0 += cell)
    for (int x0 = cx - r; x0 <= cx + r; x0 += cell)
      {
        const guint8 *rgb = foods[food].palette[g_rand_int_range (rand, 0, 3)];
        for (int y = y0; y < y0 + cell; y++)
          for (int x = x0; x < x0 + cell; x++)
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
              put (c, x, y, rgb, 6, rand);
      }
}

/* With CANTEEN_VISION_TEST_DUMP=DIR set, every picture the test draws is
 * also written there as a PPM, for a human to look at after a failure. */
static void
dump (const Canvas *c)
{
  static int n;
  const char *dir = g_getenv ("CANTEEN_VISION_TEST_DUMP");
  g_autofree char *name = NULL, *path = NULL;
  g_autoptr(GString) ppm = NULL;

  if (dir == NULL)
    return;
  name = g_strdup_printf ("%02d.ppm", n++);
  path = g_build_filename (dir, name, NULL);
  ppm = g_string_new (NULL);
  g_string_printf (ppm, "P6\n%d %d\n255\n", c->w, c->h);
  g_string_append_len (ppm, (const char *) c->px, (gssize) c->w * c->h * 3);
  g_file_set_contents (path, ppm->str, (gssize) ppm->len, NULL);
}

static CanteenVisionImage
image_of (const Canvas *c)
{
  dump (c);
  return (CanteenVisionImage) { c->w, c->h, (size_t) c->w * 3, c->px };
}

/* An enrollment photo: one plate of `food` on a tray, somewhere near the
 * middle, from its own random draw. */
static Canvas
enrollment_photo (Food food, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Canvas c = canvas_new ();

  draw_tray (&c, rand);
  draw_plate (&c, 560 + g_rand_int_range (rand, 0, 160), 300 + g_rand_int_range (rand, 0, 120), food, rand);
  return c;
}

/* Where the plates of the test tray are, and what is on them. */
static const struct
{
  int  x, y;
  Food food;
} tray_plates[] = {
  { 260, 200, TOMATO_EGG }, { 600, 210, GREENS }, { 950, 220, PORK }, { 430, 500, RICE },
};

static Canvas
test_tray (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Canvas c = canvas_new ();

  draw_tray (&c, rand);
  for (guint i = 0; i < G_N_ELEMENTS (tray_plates); i++)
    draw_plate (&c, tray_plates[i].x, tray_plates[i].y, tray_plates[i].food, rand);
  return c;
}

/* ---- helpers ------------------------------------------------------------- */

static void
assert_message (CanteenVision *v, const char *must_contain)
{
  const char *msg = canteen_vision_last_error (v);

  g_assert_nonnull (msg);
  g_assert_cmpstr (msg, !=, "");
  g_assert_true (g_utf8_validate (msg, -1, NULL));
  g_assert_null (strchr (msg, '\n'));
  if (must_contain != NULL && strstr (msg, must_contain) == NULL)
    g_error ("message “%s” does not name “%s”", msg, must_contain);
}

static char *
tmp_file (const char *name, const void *data, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
enroll (CanteenVision *v, Food food, guint32 seed)
{
  Canvas c = enrollment_photo (food, seed);
  CanteenVisionImage img = image_of (&c);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CanteenVisionStatus st = canteen_vision_enroll (v, &img, &bytes, &len);

  if (st != CANTEEN_VISION_OK)
    g_error ("enrolling %s: %s", food_ids[food], canteen_vision_last_error (v));
  g_assert_nonnull (bytes);
  g_assert_cmpuint (len, >, 0);
  g_free (c.px);
  return g_bytes_new_with_free_func (bytes, len, free, bytes);
}

static void
index_add (CanteenVision *v, const char *dish, GBytes *b)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);

  g_assert_cmpint (canteen_vision_index_add (v, dish, data, len), ==, CANTEEN_VISION_OK);
}

/* Two photos of every food, as staff would enroll them. */
static GBytes *exemplars[N_FOODS][2];

static void
make_exemplars (void)
{
  CanteenVision *v;

  if (exemplars[0][0] != NULL)
    return;
  v = canteen_vision_new ();
  for (int f = 0; f < N_FOODS; f++)
    for (int k = 0; k < 2; k++)
      exemplars[f][k] = enroll (v, (Food) f, 1000 + 10 * (guint32) f + (guint32) k);
  canteen_vision_free (v);
}

/* The item whose box centre lies on plate i, or NULL. */
static const CanteenVisionItem *
item_on_plate (const CanteenVisionResult *r, guint i)
{
  for (int k = 0; k < r->n_items; k++)
    {
      const int *b = r->items[k].box;
      const int cx = b[0] + b[2] / 2, cy = b[1] + b[3] / 2;
      if (ABS (cx - tray_plates[i].x) < 60 && ABS (cy - tray_plates[i].y) < 60)
        return &r->items[k];
    }
  return NULL;
}

/* ---- bad input ----------------------------------------------------------- */

static void
test_load_missing (void)
{
  CanteenVision *v = canteen_vision_new ();
  CanteenVisionImage img;

  g_assert_cmpint (canteen_vision_load (v, "/nonexistent/tray-missing.jpg", &img), ==, CANTEEN_VISION_NOT_FOUND);
  assert_message (v, "tray-missing.jpg");
  g_assert_cmpint (canteen_vision_load (v, NULL, &img), ==, CANTEEN_VISION_INVALID);
  assert_message (v, NULL);
  g_assert_cmpint (canteen_vision_load (v, g_get_tmp_dir (), &img), ==, CANTEEN_VISION_DECODE);
  assert_message (v, "folder");
  canteen_vision_free (v);
}

static void
test_load_bad_files (void)
{
  CanteenVision *v = canteen_vision_new ();
  CanteenVisionImage img;
  static const guint8 big_png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                    0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28, 8, 2, 0, 0, 0 };  /* 9000x9000 */
  struct
  {
    const char         *name;
    const void         *data;
    gssize              len;
    CanteenVisionStatus status;
  } cases[] = {
    { "vision-notes.jpg", "these are not the pixels you are looking for\n", -1, CANTEEN_VISION_DECODE },
    { "vision-empty.png", "", 0, CANTEEN_VISION_DECODE },
    { "vision-cut.png", tiny_png, sizeof tiny_png - 20, CANTEEN_VISION_DECODE },
    { "vision-cut.jpg", tiny_jpeg, sizeof tiny_jpeg - 40, CANTEEN_VISION_DECODE },
    { "vision-header-only.jpg", tiny_jpeg, 20, CANTEEN_VISION_DECODE },
    { "vision-huge.png", big_png, sizeof big_png, CANTEEN_VISION_TOO_LARGE },
    { "vision-huge.ppm", "P6\n9000 10\n255\n", -1, CANTEEN_VISION_TOO_LARGE },
    { "vision-zero.ppm", "P6\n0 10\n255\n", -1, CANTEEN_VISION_DECODE },
    { "vision-short.ppm", "P6\n4 4\n255\nabc", -1, CANTEEN_VISION_DECODE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_file (cases[i].name, cases[i].data, cases[i].len);
      CanteenVisionStatus st = canteen_vision_load (v, path, &img);
      if (st != cases[i].status)
        g_error ("%s: status %d, expected %d (%s)", cases[i].name, st, cases[i].status,
                 canteen_vision_last_error (v));
      assert_message (v, cases[i].name);
      g_remove (path);
    }
  canteen_vision_free (v);
}

static void
test_decode (void)
{
  CanteenVision *v = canteen_vision_new ();
  CanteenVisionImage img, kept;
  static const char ppm[] = "P6\n2 1\n255\n\xff\x00\x00\x00\x00\xff";

  g_assert_cmpint (canteen_vision_decode (v, tiny_png, sizeof tiny_png, &img), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (img.width, ==, 12);
  g_assert_cmpint (img.height, ==, 8);
  g_assert_cmpuint (img.stride, >=, 36);
  /* RGB, not OpenCV's BGR: the left half is red. */
  g_assert_cmpint (img.rgb[0], ==, 200);
  g_assert_cmpint (img.rgb[2], ==, 10);

  g_assert_cmpint (canteen_vision_decode (v, tiny_jpeg, sizeof tiny_jpeg, &img), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (img.width, ==, 12);
  g_assert_cmpint (canteen_vision_decode (v, (const guint8 *) ppm, sizeof ppm - 1, &img), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (img.width, ==, 2);
  g_assert_cmpint (img.rgb[0], ==, 255);
  g_assert_cmpint (img.rgb[5], ==, 255);
  kept = img;

  /* Refusals leave the last image where it was. */
  g_assert_cmpint (canteen_vision_decode (v, tiny_png, 0, &img), ==, CANTEEN_VISION_DECODE);
  assert_message (v, "image data");
  g_assert_cmpint (canteen_vision_decode (v, NULL, 10, &img), ==, CANTEEN_VISION_INVALID);
  assert_message (v, NULL);
  g_assert_cmpint (canteen_vision_decode (v, tiny_png, 30, &img), ==, CANTEEN_VISION_DECODE);
  assert_message (v, "PNG");
  g_assert_cmpint (kept.rgb[0], ==, 255);
  g_assert_cmpint (kept.rgb[5], ==, 255);
  canteen_vision_free (v);
}

static void
test_bad_images (void)
{
  CanteenVision *v = canteen_vision_new ();
  static guint8 px[64 * 64 * 3];
  CanteenVisionResult r;
  uint8_t *bytes = (uint8_t *) "x";
  size_t len = 7;
  struct
  {
    CanteenVisionImage  img;
    CanteenVisionStatus status;
  } cases[] = {
    { { 64, 64, 64 * 3, NULL }, CANTEEN_VISION_INVALID },
    { { 0, 64, 64 * 3, px }, CANTEEN_VISION_INVALID },
    { { 64, -1, 64 * 3, px }, CANTEEN_VISION_INVALID },
    { { 64, 64, 64 * 3 - 1, px }, CANTEEN_VISION_INVALID },
    { { 9000, 1, 9000 * 3, px }, CANTEEN_VISION_TOO_LARGE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (canteen_vision_recognize (v, &cases[i].img, &r), ==, cases[i].status);
      assert_message (v, "image");
      g_assert_null (r.items);
      g_assert_cmpint (canteen_vision_enroll (v, &cases[i].img, &bytes, &len), ==, cases[i].status);
      g_assert_null (bytes);
      g_assert_cmpuint (len, ==, 0);
    }
  g_assert_cmpint (canteen_vision_recognize (v, NULL, &r), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_recognize (NULL, &cases[0].img, &r), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpstr (canteen_vision_last_error (NULL), !=, "");

  /* A tiny picture is no tray: nothing on it, and nothing to enroll. */
  CanteenVisionImage tiny = { 8, 8, 8 * 3, px };
  g_assert_cmpint (canteen_vision_recognize (v, &tiny, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, 0);
  canteen_vision_result_clear (&r);
  g_assert_cmpint (canteen_vision_enroll (v, &tiny, &bytes, &len), ==, CANTEEN_VISION_NO_FOOD);
  assert_message (v, NULL);
  canteen_vision_free (v);
}

static void
test_enroll_no_food (void)
{
  CanteenVision *v = canteen_vision_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  Canvas c = canvas_new ();
  CanteenVisionImage img;
  uint8_t *bytes = NULL;
  size_t len = 0;
  static const int outside[4] = { 1200, 700, 200, 200 };
  static const int empty_box[4] = { 100, 100, 0, 50 };

  draw_tray (&c, rand);
  img = image_of (&c);
  g_assert_cmpint (canteen_vision_enroll (v, &img, &bytes, &len), ==, CANTEEN_VISION_NO_FOOD);
  assert_message (v, "no plate with food");
  g_assert_cmpint (canteen_vision_enroll_region (v, &img, outside, &bytes, &len), ==, CANTEEN_VISION_INVALID);
  assert_message (v, "region");
  g_assert_cmpint (canteen_vision_enroll_region (v, &img, empty_box, &bytes, &len), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_enroll_region (v, &img, NULL, &bytes, &len), ==, CANTEEN_VISION_INVALID);
  g_assert_null (bytes);
  g_free (c.px);
  canteen_vision_free (v);
}

static void
test_dish_ids (void)
{
  CanteenVision *v = canteen_vision_new ();
  gsize len;
  const guint8 *data;

  make_exemplars ();
  data = g_bytes_get_data (exemplars[0][0], &len);
  g_assert_cmpint (canteen_vision_index_add (v, NULL, data, len), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_index_add (v, "", data, len), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_index_add (v, "has space", data, len), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_index_add (v, "D0123456789012345678901234567890123", data, len), ==,
                   CANTEEN_VISION_INVALID);
  assert_message (v, "dish");
  g_assert_cmpint (canteen_vision_index_size (v), ==, 0);
  canteen_vision_free (v);
}

/* Every single damaged byte is caught: the checksum covers what the field
 * checks do not. Nothing refused reaches the index. */
static void
test_exemplar_corrupt (void)
{
  CanteenVision *v = canteen_vision_new ();
  gsize len;
  const guint8 *good;
  g_autofree guint8 *bad = NULL;

  make_exemplars ();
  good = g_bytes_get_data (exemplars[RICE][0], &len);
  bad = g_memdup2 (good, len);
  for (gsize i = 0; i < len; i++)
    {
      bad[i] ^= (guint8) (1u << (i % 8));
      if (canteen_vision_index_add (v, "D03", bad, len) != CANTEEN_VISION_INVALID)
        g_error ("a flip of byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " was accepted", i, len);
      bad[i] = good[i];
    }
  assert_message (v, "D03");
  g_assert_cmpint (canteen_vision_index_add (v, "D03", good, len - 1), ==, CANTEEN_VISION_INVALID);
  assert_message (v, "exemplar");
  g_assert_cmpint (canteen_vision_index_add (v, "D03", good, 10), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_index_add (v, "D03", NULL, 0), ==, CANTEEN_VISION_INVALID);
  g_assert_cmpint (canteen_vision_index_add (v, "D03", (const guint8 *) "CVEXgarbage-garbage-garbage", 27), ==,
                   CANTEEN_VISION_INVALID);
  /* A newer format or descriptor is refused by version, not by accident. */
  bad[4] = 9;
  g_assert_cmpint (canteen_vision_index_add (v, "D03", bad, len), ==, CANTEEN_VISION_INVALID);
  assert_message (v, "version");
  g_assert_cmpint (canteen_vision_index_size (v), ==, 0);

  g_assert_cmpint (canteen_vision_index_add (v, "D03", good, len), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (canteen_vision_index_size (v), ==, 1);
  canteen_vision_free (v);
}

/* ---- recognition --------------------------------------------------------- */

static void
test_round_trip (void)
{
  CanteenVision *v = canteen_vision_new ();
  Canvas c = test_tray (42);
  CanteenVisionImage img = image_of (&c);
  CanteenVisionResult r;

  make_exemplars ();
  for (int f = 0; f < N_FOODS; f++)
    for (int k = 0; k < 2; k++)
      index_add (v, food_ids[f], exemplars[f][k]);
  g_assert_cmpint (canteen_vision_index_size (v), ==, 2 * N_FOODS);

  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, G_N_ELEMENTS (tray_plates));
  g_assert_cmpint (r.n_unknown, ==, 0);
  g_assert_cmpfloat (r.elapsed_ms, >, 0.0);
  for (guint i = 0; i < G_N_ELEMENTS (tray_plates); i++)
    {
      const CanteenVisionItem *it = item_on_plate (&r, i);
      if (it == NULL)
        g_error ("no item on plate %u at (%d, %d)", i, tray_plates[i].x, tray_plates[i].y);
      g_assert_cmpstr (it->dish, ==, food_ids[tray_plates[i].food]);
      g_assert_cmpfloat (it->confidence, >, 0.0f);
      g_assert_cmpfloat (it->confidence, <=, 1.0f);
      /* The box is the plate's (250 px across), give or take the rim. */
      g_assert_cmpint (it->box[2], >, 150);
      g_assert_cmpint (it->box[2], <, 300);
      g_assert_cmpint (it->box[3], >, 150);
      g_assert_cmpint (it->box[3], <, 300);
      g_assert_cmpint (it->n_alternatives, ==, CANTEEN_VISION_TOP);
      for (int k = 0; k < it->n_alternatives; k++)
        {
          g_assert_cmpstr (it->alternatives[k], !=, it->dish);
          g_assert_cmpfloat (it->alternative_confidence[k], <=, it->confidence);
        }
    }

  /* A correction: the region of plate 0 as another exemplar of its dish. */
  {
    const CanteenVisionItem *it = item_on_plate (&r, 0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    g_assert_cmpint (canteen_vision_enroll_region (v, &img, it->box, &bytes, &len), ==, CANTEEN_VISION_OK);
    g_assert_cmpint (canteen_vision_index_add (v, it->dish, bytes, len), ==, CANTEEN_VISION_OK);
    free (bytes);
  }
  canteen_vision_result_clear (&r);
  g_assert_null (r.items);
  g_assert_cmpint (r.n_items, ==, 0);
  g_free (c.px);
  canteen_vision_free (v);
}

/* Only today's menu: dishes not in the index are never answered. */
static void
test_only_indexed (void)
{
  CanteenVision *v = canteen_vision_new ();
  Canvas c = test_tray (43);
  CanteenVisionImage img = image_of (&c);
  CanteenVisionResult r;

  make_exemplars ();
  index_add (v, "D01", exemplars[GREENS][0]);
  index_add (v, "D04", exemplars[PORK][0]);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, G_N_ELEMENTS (tray_plates));
  for (int k = 0; k < r.n_items; k++)
    {
      const CanteenVisionItem *it = &r.items[k];
      g_assert_true (it->dish[0] == '\0' || g_str_equal (it->dish, "D01") || g_str_equal (it->dish, "D04"));
      for (int a = 0; a < it->n_alternatives; a++)
        g_assert_true (g_str_equal (it->alternatives[a], "D01") || g_str_equal (it->alternatives[a], "D04"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (tray_plates); i++)
    {
      const CanteenVisionItem *it = item_on_plate (&r, i);
      g_assert_nonnull (it);
      if (tray_plates[i].food == GREENS || tray_plates[i].food == PORK)
        g_assert_cmpstr (it->dish, ==, food_ids[tray_plates[i].food]);
      else
        g_assert_cmpstr (it->dish, ==, ""); /* far from both: unknown */
    }
  g_assert_cmpint (r.n_unknown, ==, 2);
  canteen_vision_result_clear (&r);

  /* The index is today's menu: cleared, nothing is a candidate. */
  canteen_vision_index_clear (v);
  g_assert_cmpint (canteen_vision_index_size (v), ==, 0);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, G_N_ELEMENTS (tray_plates));
  g_assert_cmpint (r.n_unknown, ==, r.n_items);
  for (int k = 0; k < r.n_items; k++)
    {
      g_assert_cmpstr (r.items[k].dish, ==, "");
      g_assert_cmpint (r.items[k].n_alternatives, ==, 0);
    }
  canteen_vision_result_clear (&r);
  g_free (c.px);
  canteen_vision_free (v);
}

static void
test_empty_tray (void)
{
  CanteenVision *v = canteen_vision_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  Canvas c = canvas_new ();
  CanteenVisionImage img;
  CanteenVisionResult r;

  make_exemplars ();
  index_add (v, "D01", exemplars[GREENS][0]);
  draw_tray (&c, rand);
  img = image_of (&c);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, 0);
  g_assert_null (r.items);
  canteen_vision_result_clear (&r);

  /* Empty plates are crockery, not food. */
  static const guint8 rim[3] = { 240, 240, 237 };
  draw_disc (&c, 400, 300, 125, rim, rand);
  draw_disc (&c, 800, 400, 110, rim, rand);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_items, ==, 0);
  canteen_vision_result_clear (&r);
  g_free (c.px);
  canteen_vision_free (v);
}

static void
test_threshold (void)
{
  CanteenVision *v = canteen_vision_new ();
  Canvas c = test_tray (44);
  CanteenVisionImage img = image_of (&c);
  CanteenVisionResult r;

  make_exemplars ();
  for (int f = 0; f < N_FOODS; f++)
    index_add (v, food_ids[f], exemplars[f][0]);
  canteen_vision_set_threshold (v, 1.0f);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_unknown, ==, r.n_items);
  /* Unknown regions still carry the best guesses, best first. */
  for (int k = 0; k < r.n_items; k++)
    {
      g_assert_cmpint (r.items[k].n_alternatives, ==, CANTEEN_VISION_TOP);
      g_assert_cmpfloat (r.items[k].alternative_confidence[0], >=, r.items[k].alternative_confidence[1]);
    }
  canteen_vision_result_clear (&r);
  canteen_vision_set_threshold (v, 0.0f);
  g_assert_cmpint (canteen_vision_recognize (v, &img, &r), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (r.n_unknown, ==, 0);
  canteen_vision_result_clear (&r);
  g_free (c.px);
  canteen_vision_free (v);
}

/* ---- the staff's views of the index -------------------------------------- */

static void
test_closest_pair (void)
{
  CanteenVision *v = canteen_vision_new ();
  char a[CANTEEN_VISION_DISH_ID + 1], b[CANTEEN_VISION_DISH_ID + 1];
  float far, near;

  make_exemplars ();
  g_assert_cmpfloat (canteen_vision_closest_pair (v, a, b), ==, -1.0f);
  index_add (v, "D01", exemplars[GREENS][0]);
  index_add (v, "D01", exemplars[GREENS][1]);
  g_assert_cmpfloat (canteen_vision_closest_pair (v, a, b), ==, -1.0f); /* one dish */
  index_add (v, "D03", exemplars[RICE][0]);
  index_add (v, "D04", exemplars[PORK][0]);
  far = canteen_vision_closest_pair (v, a, b);
  g_assert_cmpfloat (far, >=, 0.0f);
  g_assert_cmpfloat (far, <, 0.9f);
  g_assert_cmpstr (a, !=, b);

  /* Another photo of greens under another name: that pair is the closest. */
  index_add (v, "D99", exemplars[GREENS][1]);
  near = canteen_vision_closest_pair (v, a, b);
  g_assert_cmpfloat (near, >, far);
  g_assert_cmpfloat (near, <=, 1.0f);
  g_assert_cmpstr (a, ==, "D01");
  g_assert_cmpstr (b, ==, "D99");
  canteen_vision_free (v);
}

static void
test_redundant (void)
{
  CanteenVision *v = canteen_vision_new ();
  int *idx = NULL, n = -1;

  make_exemplars ();
  index_add (v, "D02", exemplars[TOMATO_EGG][0]);
  index_add (v, "D02", exemplars[TOMATO_EGG][1]);
  index_add (v, "D02", exemplars[TOMATO_EGG][0]); /* the same again */
  index_add (v, "D04", exemplars[PORK][0]);
  index_add (v, "D02", exemplars[TOMATO_EGG][1]); /* and again */

  /* The copies go, the first of each stays; whether the second photo of
   * the same dish counts as redundant too is the threshold's call. */
  g_assert_cmpint (canteen_vision_index_redundant (v, "D02", &idx, &n), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (n, >=, 2);
  g_assert_cmpint (n, <=, 3);
  for (int i = 0; i < n; i++)
    g_assert_cmpint (idx[i], !=, 0);
  g_assert_cmpint (idx[n - 2], ==, 2);
  g_assert_cmpint (idx[n - 1], ==, 3);
  free (idx);
  g_assert_cmpint (canteen_vision_index_redundant (v, "D04", &idx, &n), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (n, ==, 0);
  free (idx);
  g_assert_cmpint (canteen_vision_index_redundant (v, "D77", &idx, &n), ==, CANTEEN_VISION_OK);
  g_assert_cmpint (n, ==, 0);
  free (idx);
  g_assert_cmpint (canteen_vision_index_redundant (v, "bad id", &idx, &n), ==, CANTEEN_VISION_INVALID);
  g_assert_null (idx);
  canteen_vision_free (v);
}

static void
free_exemplars (void)
{
  for (int f = 0; f < N_FOODS; f++)
    for (int k = 0; k < 2; k++)
      g_clear_pointer (&exemplars[f][k], g_bytes_unref);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vision/load/missing", test_load_missing);
  g_test_add_func ("/vision/load/bad-files", test_load_bad_files);
  g_test_add_func ("/vision/decode", test_decode);
  g_test_add_func ("/vision/image/bad", test_bad_images);
  g_test_add_func ("/vision/enroll/no-food", test_enroll_no_food);
  g_test_add_func ("/vision/index/dish-ids", test_dish_ids);
  g_test_add_func ("/vision/index/corrupt-exemplar", test_exemplar_corrupt);
  g_test_add_func ("/vision/recognize/round-trip", test_round_trip);
  g_test_add_func ("/vision/recognize/only-indexed", test_only_indexed);
  g_test_add_func ("/vision/recognize/empty-tray", test_empty_tray);
  g_test_add_func ("/vision/recognize/threshold", test_threshold);
  g_test_add_func ("/vision/index/closest-pair", test_closest_pair);
  g_test_add_func ("/vision/index/redundant", test_redundant);
  status = g_test_run ();
  free_exemplars ();
  return status;
}
