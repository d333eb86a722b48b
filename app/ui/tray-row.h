/* tray-row.h — one plate in the tray list.
 *
 * Contract: shows the item's Chinese name, English name and weight (for
 * weighed dishes), its amount, and a remove button that activates
 * app.remove-item(position). The row is rebuilt when its position changes
 * (CanteenTray re-announces every later position on each change).
 */
#pragma once

#include <gtk/gtk.h>

#include "tray-item.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_TRAY_ROW (canteen_tray_row_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTrayRow, canteen_tray_row, CANTEEN, TRAY_ROW, GtkListBoxRow)

GtkWidget *canteen_tray_row_new (CanteenTrayItem *item, guint position);

G_END_DECLS
