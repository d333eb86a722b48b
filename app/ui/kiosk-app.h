/* kiosk-app.h — the canteen kiosk application (GtkApplication).
 *
 * Contract: one CanteenKioskApp per process. It owns the main-thread ledger
 * handle, the checkout flow (which outlives windows) and the current
 * window, and installs the app.* actions that every user step goes through
 * (see kiosk-app-actions.c), so tests drive it in-process or over D-Bus.
 *
 * canteen_kiosk_app_new() is the real kiosk: app id cn.gov.canteen.Kiosk
 * and the command-line options --db, --lang, --windowed, --demo. Tests may
 * instead g_object_new() it with the properties below and no app id, which
 * keeps it off the session bus.
 *
 * A ledger that cannot be opened does not stop the kiosk: it shows the
 * problem in the status bar and refuses payments, so staff see why.
 */
#pragma once

#include <gtk/gtk.h>

#include "checkout-flow.h"
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
/* The current kiosk window (replaced when the language changes). */
GtkWindow           *canteen_kiosk_app_get_window         (CanteenKioskApp *self);

G_END_DECLS
