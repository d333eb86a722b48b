/* kiosk-window.h — the full-screen kiosk window.
 *
 * Contract: renders the app's checkout flow: the order page (today's dishes
 * for the current meal period, the tray, Pay), the tap, result, declined and
 * error pages, a header (canteen, period, clock, language) and a status bar
 * with the devices' states; it shows the scale's weight on the tray, "tap
 * again" for an unreadable card and the receipt printer's outcome. With a
 * camera, the order page has its preview and "Recognise tray" above the
 * tray, the choice sheet over the page while the camera asks which dish a
 * plate is, and the status bar the camera's state.
 * It reads the ledger on the main thread only for display (identity, meal
 * times, menu, demo accounts) and never writes to it; every user step is an
 * app action. Built anew when the language changes, so all its text is
 * fetched from gettext at construction.
 */
#pragma once

#include <gtk/gtk.h>

#include "camera-panel.h"
#include "choice-sheet.h"
#include "kiosk-app.h"
#include "problem-view.h"
#include "receipt-view.h"
#include "status-bar.h"
#include "tap-page.h"
#include "tray-view.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_KIOSK_WINDOW (canteen_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskWindow, canteen_kiosk_window, CANTEEN, KIOSK_WINDOW, GtkApplicationWindow)

CanteenKioskWindow *canteen_kiosk_window_new (CanteenKioskApp *app);

/* Re-reads today's menu (after a menu import, or a new day/period). */
void                canteen_kiosk_window_reload_menu (CanteenKioskWindow *self);

/* For tests. */
GtkButton          *canteen_kiosk_window_get_pay_button    (CanteenKioskWindow *self);
CanteenTrayView    *canteen_kiosk_window_get_tray_view     (CanteenKioskWindow *self);
CanteenReceiptView *canteen_kiosk_window_get_receipt_view  (CanteenKioskWindow *self);
CanteenTapPage     *canteen_kiosk_window_get_tap_page      (CanteenKioskWindow *self);
CanteenStatusBar   *canteen_kiosk_window_get_statusbar     (CanteenKioskWindow *self);
CanteenProblemView *canteen_kiosk_window_get_declined_view (CanteenKioskWindow *self);
CanteenProblemView *canteen_kiosk_window_get_error_view    (CanteenKioskWindow *self);
CanteenCameraPanel *canteen_kiosk_window_get_camera_panel  (CanteenKioskWindow *self);
/* NULL unless the choice sheet is shown. */
CanteenChoiceSheet *canteen_kiosk_window_get_choice_sheet  (CanteenKioskWindow *self);
/* Number of dish buttons on the order page. */
guint               canteen_kiosk_window_get_n_dishes      (CanteenKioskWindow *self);

G_END_DECLS
