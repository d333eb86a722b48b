/* kiosk-dashboard.h — the manager dashboard's access and state (issue 6).
 *
 * Contract: installs the app actions of the dashboard and keeps its one
 * window (dashboard-window.h):
 *  - app.open-dashboard: the sign-in page over the checkout.
 *  - app.manager-login((ss) id, PIN): canteen_ledger_check_manager() on a
 *    worker thread with its own ledger handle (the check takes ~0.1 s on
 *    purpose; the screen never waits on it). A refusal says only that the
 *    id or the PIN is wrong, never which. Requests while a check runs, or
 *    with no sign-in page open, are refused (logged).
 *  - app.manager-card-login(s card UID): the same for a manager's card,
 *    with canteen_ledger_find_manager_by_card() on the same kind of worker
 *    thread. While the window is up (any state but "closed") every card
 *    tap on a reader comes here (canteen_kiosk_devices_set_sign_in_action)
 *    instead of paying or naming a returned tray; closing gives taps back.
 *    A refusal says whether the card is a diner's or nobody's. Wrong PINs
 *    and refused cards count together: after 5 in a row every sign-in, by
 *    PIN or card, is refused for 60 s, even across closing and reopening.
 *  - app.demo-manager-card(s card): demo mode only (else refused, logged):
 *    the card tapped on the emulated reader when there is one, else
 *    app.manager-card-login directly. The sign-in page shows a button for
 *    the first active manager with a card.
 *  - app.dashboard-period(s): "week", "month" or "quarter" (stateful), the
 *    calendar week (Monday..Sunday), month or quarter holding the reference
 *    day, against the span of equal length before it (canteen_waste_report).
 *  - app.dashboard-export: every chart as PNG and every table as CSV into
 *    "<ledger>.exports/" (canteen_waste_report_to_csv, one file per section
 *    and the whole), and says where.
 *  - app.close-dashboard: back to the checkout; also after
 *    CANTEEN_DASHBOARD_IDLE_S without a touch, or when the app shuts down.
 *  - app.dashboard (state only): "closed", "login", "checking", "open".
 * The reference day is the app's "reference-day" (tests) or today in the
 * ledger's time zone. Reports are read on the main thread with the app's
 * ledger handle: reading, never writing.
 */
#pragma once

#include <gtk/gtk.h>

#include "dashboard-window.h"

G_BEGIN_DECLS

#define CANTEEN_DASHBOARD_IDLE_S 180

#define CANTEEN_TYPE_KIOSK_DASHBOARD (canteen_kiosk_dashboard_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskDashboard, canteen_kiosk_dashboard, CANTEEN, KIOSK_DASHBOARD, GObject)

/* `app` is a CanteenKioskApp (not owned: it owns the dashboard). */
CanteenKioskDashboard  *canteen_kiosk_dashboard_new (GtkApplication *app);
/* Closes the window and forgets a check in flight (at shutdown). */
void                    canteen_kiosk_dashboard_stop (CanteenKioskDashboard *self);

/* For tests: the window (NULL when closed), the span shown, where exports go. */
CanteenDashboardWindow *canteen_kiosk_dashboard_get_window     (CanteenKioskDashboard *self);
const char             *canteen_kiosk_dashboard_get_from       (CanteenKioskDashboard *self);
const char             *canteen_kiosk_dashboard_get_to         (CanteenKioskDashboard *self);
const char             *canteen_kiosk_dashboard_get_export_dir (CanteenKioskDashboard *self);
/* The files the last export wrote (full paths), or NULL. */
GPtrArray              *canteen_kiosk_dashboard_get_exported   (CanteenKioskDashboard *self);

G_END_DECLS
