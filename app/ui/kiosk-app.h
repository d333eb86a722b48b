/* kiosk-app.h — the canteen kiosk application (GtkApplication).
 *
 * Contract: one CanteenKioskApp per process. It owns the main-thread ledger
 * handle, the checkout flow (which outlives windows) and the current
 * window, and installs the app.* actions that every user step goes through
 * (see kiosk-app-actions.c), so tests drive it in-process or over D-Bus.
 *
 * canteen_kiosk_app_new() is the real kiosk: app id cn.gov.canteen.Kiosk
 * and the command-line options --db, --lang, --windowed, --demo,
 * --emulate-devices (with --demo only; main() must have seen to the preload
 * library, see kiosk-emulation.h), --camera SOURCE and --camera-fps FPS. Tests may instead g_object_new() it with
 * the properties below and no app id, which keeps it off the session bus.
 *
 * At startup it also starts the USB device manager on the main context and
 * connects it to the flow (kiosk-devices.h): a card tapped on any reader
 * pays at the tap page, the scale's weight prices weighed dishes, and
 * app.print-receipt prints the receipt of the result page.
 *
 * With a camera (the "camera" property, --camera) it also keeps the camera
 * running and recognises the tray on app.recognize-tray
 * (kiosk-recognition.h); the order page shows a preview. Without one there
 * is no preview and the action stays disabled.
 *
 * Visiting officials pay with interoperable cards of other agencies: a
 * reader's CPU card with such a certificate pays as a visitor (signing
 * through the card), and in demo mode app.visitor-tap(card file path) does
 * the same with a card file (--visitor-card FILE adds a button for it to
 * the tap page). The clearing sync runs in the background while the ledger
 * is enrolled with a clearing service (kiosk-clearing.h) and the status
 * bar shows its state.
 *
 * A manager signs in with a manager card or id and PIN (app.open-dashboard, kiosk-dashboard.h)
 * to see the food-waste dashboard; "reference-day" fixes its today.
 *
 * With --return-station ("return-station") the kiosk is the tray return
 * station instead of the checkout: its one window is the return window,
 * card taps name the returned tray's diner (app.return-tray), the camera
 * photographs the tray and the scale weighs it (less "tray-tare",
 * --tray-tare GRAMS); see kiosk-return.h. Nothing is sold there.
 *
 * A ledger that cannot be opened, a camera that fails, or USB that cannot be used, does not stop
 * the kiosk: it shows the problem in the status bar (and refuses payments
 * without a ledger), so staff see why.
 */
#pragma once

#include <gtk/gtk.h>

#include "checkout-flow.h"
#include "kiosk-clearing.h"
#include "kiosk-dashboard.h"
#include "kiosk-return.h"
#include "kiosk-devices.h"
#include "kiosk-emulation.h"
#include "kiosk-print.h"
#include "kiosk-recognition.h"
#include "ledger.h"

G_BEGIN_DECLS

#define CANTEEN_KIOSK_APP_ID "cn.gov.canteen.Kiosk"

#define CANTEEN_TYPE_KIOSK_APP (canteen_kiosk_app_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskApp, canteen_kiosk_app, CANTEEN, KIOSK_APP, GtkApplication)

CanteenKioskApp     *canteen_kiosk_app_new (void);

const char          *canteen_kiosk_app_get_db_path        (CanteenKioskApp *self);
/* NULL when the ledger could not be opened (see _get_ledger_problem). */
CanteenLedger       *canteen_kiosk_app_get_ledger         (CanteenKioskApp *self);
/* Why the ledger is unusable, for staff; NULL when it is fine. */
const char          *canteen_kiosk_app_get_ledger_problem (CanteenKioskApp *self);
CanteenCheckoutFlow *canteen_kiosk_app_get_flow           (CanteenKioskApp *self);
gboolean             canteen_kiosk_app_get_demo           (CanteenKioskApp *self);
const char          *canteen_kiosk_app_get_language       (CanteenKioskApp *self);
/* The devices, connected to the flow (never NULL after startup). */
CanteenKioskDevices *canteen_kiosk_app_get_devices        (CanteenKioskApp *self);
/* Why there are no devices (libusb could not start), for staff; else NULL. */
const char          *canteen_kiosk_app_get_devices_problem (CanteenKioskApp *self);
/* The emulated devices with --emulate-devices, else NULL. */
CanteenKioskEmulation *canteen_kiosk_app_get_emulation    (CanteenKioskApp *self);
/* The receipt print job behind app.print-receipt. */
CanteenKioskPrint   *canteen_kiosk_app_get_print          (CanteenKioskApp *self);
/* The recognition of the tray; NULL without a camera. */
CanteenKioskRecognition *canteen_kiosk_app_get_recognition (CanteenKioskApp *self);
/* The clearing sync and its state (never NULL after startup). */
CanteenKioskClearing *canteen_kiosk_app_get_clearing      (CanteenKioskApp *self);
/* --visitor-card: the demo's visiting official's card file, or NULL. */
const char          *canteen_kiosk_app_get_visitor_card   (CanteenKioskApp *self);
/* The return station (--return-station / "return-station"), else NULL. */
CanteenKioskReturn    *canteen_kiosk_app_get_return       (CanteenKioskApp *self);
/* The manager dashboard (never NULL after startup). */
CanteenKioskDashboard *canteen_kiosk_app_get_dashboard    (CanteenKioskApp *self);
/* "reference-day": the dashboard's today, or NULL for the real one. */
const char          *canteen_kiosk_app_get_reference_day  (CanteenKioskApp *self);
/* The current kiosk window (replaced when the language changes). */
GtkWindow           *canteen_kiosk_app_get_window         (CanteenKioskApp *self);

G_END_DECLS
