/* kiosk-header.h — the top bar: canteen name, meal period, clock, language.
 *
 * Contract: a passive view. The window feeds it the canteen name, the
 * current period and the local time; the language buttons drive
 * app.set-language (whose state marks the active one).
 */
#pragma once

#include <gtk/gtk.h>

#include "meal-period.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_KIOSK_HEADER (canteen_kiosk_header_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskHeader, canteen_kiosk_header, CANTEEN, KIOSK_HEADER, GtkBox)

void        canteen_kiosk_header_set_canteen_name (CanteenKioskHeader *self, const char *name);
void        canteen_kiosk_header_set_period       (CanteenKioskHeader *self, CanteenMealPeriod period);
/* `local_time` already in the ledger's time zone. */
void        canteen_kiosk_header_set_time         (CanteenKioskHeader *self, GDateTime *local_time);
/* The translated name of a period: 午餐, "Outside meal hours", ... */
const char *canteen_meal_period_label             (CanteenMealPeriod period);

G_END_DECLS
