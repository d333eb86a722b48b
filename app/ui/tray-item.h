/* tray-item.h — one plate on the diner's tray, priced for display.
 *
 * Contract: immutable once made. The amount is the staff price computed by
 * the core pricing rules (app/core/pricing.h), so what the tray shows is
 * what a staff card pays before subsidy; the ledger prices the tray again
 * at checkout, for the actual payer, and the receipt shows that.
 *
 * An item also says where it came from: tapped on the menu (manual), found
 * on the camera's frame (recognised, with the recogniser's confidence), or
 * chosen by a person among the recogniser's guesses (confirmed). The last
 * two belong to the frame they came from: recognising the tray again
 * replaces them, and leaves manual items alone.
 */
#pragma once

#include <glib-object.h>

#include "dish.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_TRAY_ITEM_MANUAL,
  CANTEEN_TRAY_ITEM_RECOGNISED,
  CANTEEN_TRAY_ITEM_CONFIRMED,
} CanteenTrayItemOrigin;

#define CANTEEN_TYPE_TRAY_ITEM (canteen_tray_item_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTrayItem, canteen_tray_item, CANTEEN, TRAY_ITEM, GObject)

/* `grams` is required (1..CANTEEN_LINE_MAX_GRAMS) for weighed dishes and
 * must be 0 otherwise; NULL with the pricing error when it is not. */
CanteenTrayItem   *canteen_tray_item_new        (const CanteenDish *dish, gint grams, GError **error);
/* `confidence` (0..1) matters for RECOGNISED items only. */
CanteenTrayItem   *canteen_tray_item_new_from_camera (const CanteenDish *dish, gint grams,
                                                      CanteenTrayItemOrigin origin, float confidence,
                                                      GError **error);
const CanteenDish *canteen_tray_item_get_dish   (CanteenTrayItem *self);
gint               canteen_tray_item_get_grams  (CanteenTrayItem *self);
gint64             canteen_tray_item_get_amount (CanteenTrayItem *self);
CanteenTrayItemOrigin canteen_tray_item_get_origin (CanteenTrayItem *self);
/* The recogniser's confidence for RECOGNISED items; 1 for the others. */
float              canteen_tray_item_get_confidence (CanteenTrayItem *self);

G_END_DECLS
