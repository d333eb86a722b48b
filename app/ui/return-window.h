/* return-window.h — the return station's screen (issue 6).
 *
 * Contract: shows the camera over the return counter, the scale's weight,
 * what the diner should do, and after a tray was recorded what was left:
 * a verdict (光盘 / grams left / unmatched), per dish the share and grams
 * left, and how the split was made. Its buttons are app actions of
 * kiosk-return.c (app.return-tray with "" = without a card,
 * app.return-next). All text comes from gettext when it is built.
 */
#pragma once

#include <gtk/gtk.h>

#include "hid-scale.h"
#include "ledger.h"
#include "return-station.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_RETURN_WINDOW (canteen_return_window_get_type ())
G_DECLARE_FINAL_TYPE (CanteenReturnWindow, canteen_return_window, CANTEEN, RETURN_WINDOW, GtkApplicationWindow)

CanteenReturnWindow *canteen_return_window_new (GtkApplication *app);

void canteen_return_window_set_paintable (CanteenReturnWindow *self, GdkPaintable *paintable);
/* NULL: no scale. */
void canteen_return_window_set_weight    (CanteenReturnWindow *self, const CanteenScaleReading *reading);
void canteen_return_window_show_waiting  (CanteenReturnWindow *self);
void canteen_return_window_show_working  (CanteenReturnWindow *self);
/* `names`: dish id → name (may lack some: the id is shown). */
void canteen_return_window_show_result   (CanteenReturnWindow *self, const CanteenReturnOutcome *outcome,
                                          GHashTable *names);
void canteen_return_window_show_problem  (CanteenReturnWindow *self, const char *message);
/* Demo only: a button per active account (CanteenAccount) that taps its
 * card (app.demo-tap); NULL or empty hides them. */
void canteen_return_window_set_demo_cards (CanteenReturnWindow *self, GPtrArray *accounts);

G_END_DECLS
