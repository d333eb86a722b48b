/* kiosk-return.h — the kiosk as a return station (issue 6):
 * `canteen-kiosk --return-station`.
 *
 * Contract: owns the return window (return-window.h) and installs:
 *  - app.return-tray(s card): "" = without a card. Takes the camera's
 *    latest frame (as JPEG) and the scale's settled weight (minus the
 *    tray's tare), and runs canteen_return_station_process
 *    (app/station) on a worker thread with a ledger handle of its own; the
 *    window shows the answer. Nothing is recorded, and the window says
 *    why, without a picture or a settled weight. Refused (logged) while a
 *    tray is being recorded. Each tray gets a new return id.
 *  - A card tapped on the reader activates app.return-tray(UID) (the
 *    devices' tap action, canteen_kiosk_devices_set_tap_action).
 *  - app.return-next: ready for the next tray; also
 *    CANTEEN_RETURN_RESULT_S after a result is shown.
 *  - app.return-state (state only): "waiting", "working", "done", "problem".
 * Shutdown (canteen_kiosk_return_stop) cancels a recording in flight:
 * its answer is dropped, what the ledger committed stays.
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-camera.h"
#include "kiosk-devices.h"
#include "return-window.h"

G_BEGIN_DECLS

#define CANTEEN_RETURN_RESULT_S 8

#define CANTEEN_TYPE_KIOSK_RETURN (canteen_kiosk_return_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskReturn, canteen_kiosk_return, CANTEEN, KIOSK_RETURN, GObject)

/* `camera` may be NULL (no camera: every tray is refused with a reason). */
CanteenKioskReturn  *canteen_kiosk_return_new     (GtkApplication *app, const char *db_path,
                                                   CanteenKioskCamera *camera, CanteenKioskDevices *devices,
                                                   gint tare_g);
/* Makes the window when there is none; presents it. */
CanteenReturnWindow *canteen_kiosk_return_present (CanteenKioskReturn *self, gboolean fullscreen);
void                 canteen_kiosk_return_stop    (CanteenKioskReturn *self);

/* For tests: the last outcome shown (NULL before one). */
const CanteenReturnOutcome *canteen_kiosk_return_get_outcome (CanteenKioskReturn *self);

G_END_DECLS
