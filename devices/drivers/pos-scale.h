/* pos-scale.h — a USB HID point-of-sale scale (usage page 0x8D).
 *
 * Contract: the scale's reports arrive on the interrupt endpoint (and the
 * current one is asked for with GET_REPORT at open); each one that differs
 * from the last emits "reading-changed". Readings are net of the tare, in
 * whole grams, with `stable` and `valid` as in hid-scale.h. tare() takes
 * the current stable weight as the tare; clear_tare() drops it.
 */
#pragma once

#include "device.h"
#include "hid-scale.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_POS_SCALE (canteen_pos_scale_get_type ())
G_DECLARE_FINAL_TYPE (CanteenPosScale, canteen_pos_scale, CANTEEN, POS_SCALE, CanteenDevice)

/* FALSE until the first report. */
gboolean canteen_pos_scale_get_reading (CanteenPosScale *self, CanteenScaleReading *out);
gint     canteen_pos_scale_get_tare (CanteenPosScale *self);
gboolean canteen_pos_scale_tare (CanteenPosScale *self, GError **error);
void     canteen_pos_scale_clear_tare (CanteenPosScale *self);
const char *canteen_scale_status_to_string (CanteenScaleStatus status);

G_END_DECLS
