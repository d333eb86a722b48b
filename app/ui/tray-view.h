/* tray-view.h — the diner's tray: rows, a remove button per row, the total.
 *
 * Contract: follows a CanteenTray (a GListModel) and redraws itself on each
 * change; it never edits the tray (its buttons go through app actions).
 * Told the scale's reading, it shows it live next to the heading ("Scale
 * 352 g", "Scale: weighing…" while it settles); hidden without a scale.
 */
#pragma once

#include <gtk/gtk.h>

#include "hid-scale.h"
#include "tray.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_TRAY_VIEW (canteen_tray_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTrayView, canteen_tray_view, CANTEEN, TRAY_VIEW, GtkBox)

GtkWidget  *canteen_tray_view_new       (void);
void        canteen_tray_view_set_tray  (CanteenTrayView *self, CanteenTray *tray);
/* NULL: no ready scale (the weight is hidden). */
void        canteen_tray_view_set_scale (CanteenTrayView *self, const CanteenScaleReading *reading);
/* For tests: the weight as shown ("秤 352 g"), NULL when hidden. */
const char *canteen_tray_view_get_scale_text (CanteenTrayView *self);
/* For tests: the total as shown ("¥24.00"). */
const char *canteen_tray_view_get_total_text (CanteenTrayView *self);

G_END_DECLS
