/* tray-view.h — the diner's tray: rows, a remove button per row, the total.
 *
 * Contract: follows a CanteenTray (a GListModel) and redraws itself on each
 * change; it never edits the tray (its buttons go through app actions).
 */
#pragma once

#include <gtk/gtk.h>

#include "tray.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_TRAY_VIEW (canteen_tray_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTrayView, canteen_tray_view, CANTEEN, TRAY_VIEW, GtkBox)

GtkWidget  *canteen_tray_view_new       (void);
void        canteen_tray_view_set_tray  (CanteenTrayView *self, CanteenTray *tray);
/* For tests: the total as shown ("¥24.00"). */
const char *canteen_tray_view_get_total_text (CanteenTrayView *self);

G_END_DECLS
