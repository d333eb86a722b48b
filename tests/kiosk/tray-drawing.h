/* tray-drawing.h — tiny, deterministic tray pictures for the kiosk's
 * recognition tests.
 *
 * Contract: tray_drawing_save() writes a PNG of a grey tray on a darker
 * counter with a white plate at each given place, the plate's food a mosaic
 * of small cells in its pattern's colours (textured, as food is to the
 * vision module's food mask; crockery and tray stay smooth). The same
 * arguments always give the same pixels, so a region enrolled from one
 * drawing is recognised in another that has the same plate at the same
 * place: the tests check the kiosk's plumbing, never the recogniser's
 * accuracy. Three patterns are as unlike as colours get.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TRAY_DRAWING_WIDTH  1280
#define TRAY_DRAWING_HEIGHT 720

typedef enum {
  TRAY_PATTERN_RED,     /* reds and browns */
  TRAY_PATTERN_GREEN,   /* greens */
  TRAY_PATTERN_BLUE,    /* blues and yellow: the dish nobody enrolled */
} TrayPattern;

/* The three places a plate can be, left to right. */
#define TRAY_DRAWING_N_PLACES 3

typedef struct {
  guint       place;     /* 0 .. TRAY_DRAWING_N_PLACES-1 */
  TrayPattern pattern;
} TrayPlate;

gboolean tray_drawing_save (const char *path, const TrayPlate *plates, guint n_plates, GError **error);

G_END_DECLS
