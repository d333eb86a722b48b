/* tray-drawing.c — cairo pictures of trays (see tray-drawing.h). */
#include "tray-drawing.h"

#include <cairo.h>

#define PLATE_RADIUS 150
#define FOOD_RADIUS  100
#define CELL         6

static const double pattern_colours[][3][3] = {
  [TRAY_PATTERN_RED]   = { { 0.62, 0.16, 0.10 }, { 0.80, 0.38, 0.18 }, { 0.42, 0.10, 0.06 } },
  [TRAY_PATTERN_GREEN] = { { 0.16, 0.50, 0.16 }, { 0.40, 0.70, 0.22 }, { 0.06, 0.32, 0.10 } },
  [TRAY_PATTERN_BLUE]  = { { 0.14, 0.24, 0.80 }, { 0.92, 0.80, 0.16 }, { 0.10, 0.10, 0.46 } },
};

static void
place_centre (guint place, double *x, double *y)
{
  *x = 290.0 + 350.0 * place;
  *y = TRAY_DRAWING_HEIGHT / 2.0;
}

static void
draw_food (cairo_t *cr, double cx, double cy, TrayPattern pattern)
{
  /* Seeded by the pattern alone: the same food looks the same anywhere. */
  g_autoptr(GRand) rand = g_rand_new_with_seed (0xC0FFEE + (guint32) pattern);

  cairo_save (cr);
  cairo_arc (cr, cx, cy, FOOD_RADIUS, 0, 2 * G_PI);
  cairo_clip (cr);
  for (int y = -FOOD_RADIUS; y < FOOD_RADIUS; y += CELL)
    for (int x = -FOOD_RADIUS; x < FOOD_RADIUS; x += CELL)
      {
        const double *c = pattern_colours[pattern][g_rand_int_range (rand, 0, 3)];
        cairo_set_source_rgb (cr, c[0], c[1], c[2]);
        cairo_rectangle (cr, cx + x, cy + y, CELL, CELL);
        cairo_fill (cr);
      }
  cairo_restore (cr);
}

gboolean
tray_drawing_save (const char *path, const TrayPlate *plates, guint n_plates, GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, TRAY_DRAWING_WIDTH,
                                                         TRAY_DRAWING_HEIGHT);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  /* The counter, then the tray inside the frame with a margin. */
  cairo_set_source_rgb (cr, 0.30, 0.30, 0.32);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.62, 0.63, 0.65);
  cairo_rectangle (cr, 60, 60, TRAY_DRAWING_WIDTH - 120, TRAY_DRAWING_HEIGHT - 120);
  cairo_fill (cr);
  for (guint i = 0; i < n_plates; i++)
    {
      double cx, cy;

      g_return_val_if_fail (plates[i].place < TRAY_DRAWING_N_PLACES, FALSE);
      place_centre (plates[i].place, &cx, &cy);
      cairo_set_source_rgb (cr, 0.97, 0.97, 0.96);
      cairo_arc (cr, cx, cy, PLATE_RADIUS, 0, 2 * G_PI);
      cairo_fill (cr);
      draw_food (cr, cx, cy, plates[i].pattern);
    }
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
