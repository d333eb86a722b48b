/* tray-row.h — one plate in the tray list.
 *
 * Contract: shows the item's Chinese name, English name and weight (for
 * weighed dishes), for an item from the camera the recogniser's confidence
 * ("识别 93%") or that a person confirmed it, its amount, and a remove button that activates
 * app.remove-item(position). The row is rebuilt when its position changes
 * (CanteenTray re-announces every later position on each change).
 */
#pragma once

#include <gtk/gtk.h>

#include "tray-item.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_TRAY_ROW (canteen_tray_row_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTrayRow, canteen_tray_row, CANTEEN, TRAY_ROW, GtkListBoxRow)

GtkWidget  *canteen_tray_row_new (CanteenTrayItem *item, guint position);
/* For tests: the origin as shown ("识别 93%"), NULL for a manual item. */
const char *canteen_tray_row_get_origin_text (CanteenTrayRow *self);

G_END_DECLS
