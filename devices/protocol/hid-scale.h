/* hid-scale.h — the weight report of a USB HID point-of-sale scale
 * (HID Usage Tables, Point of Sale page 0x8D: Scale Data Report).
 *
 * Contract: the report is [report id 3 when the device numbers its
 * reports] status, unit, signed exponent, weight (16-bit little-endian).
 * canteen_scale_parse_report() converts it to whole grams (rounded half up)
 * for every unit in the table, and says whether the reading is stable.
 * Unknown status or unit codes, exponents outside -9..9, weights over
 * CANTEEN_SCALE_MAX_GRAMS and short reports are CANTEEN_DEVICE_ERROR_PROTOCOL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_SCALE_REPORT_ID  3
#define CANTEEN_SCALE_MAX_GRAMS  1000000   /* a tonne: no canteen tray */

typedef enum {
  CANTEEN_SCALE_FAULT = 1,
  CANTEEN_SCALE_STABLE_ZERO = 2,
  CANTEEN_SCALE_IN_MOTION = 3,
  CANTEEN_SCALE_STABLE = 4,
  CANTEEN_SCALE_UNDER_ZERO = 5,
  CANTEEN_SCALE_OVER_CAPACITY = 6,
  CANTEEN_SCALE_NEEDS_CALIBRATION = 7,
  CANTEEN_SCALE_NEEDS_REZERO = 8,
} CanteenScaleStatus;

typedef struct {
  CanteenScaleStatus status;
  gboolean stable;          /* settled: a weight to sell by */
  gboolean valid;           /* `grams` means something (not fault, over capacity, ...) */
  gint     grams;           /* negative below zero */
} CanteenScaleReading;

gboolean canteen_scale_parse_report (const guint8 *report, gsize len, gboolean has_report_id,
                                     CanteenScaleReading *out, GError **error);

G_END_DECLS
