/* status-bar.h — the bottom line: terminal id, ledger state, devices,
 * clearing sync, mode, version.
 *
 * Contract: a passive view fed by the window. It states facts staff need
 * when a diner calls them over ("which terminal", "is the database OK",
 * "is the reader plugged in"). Given the device list, it shows one
 * indicator per kind of device present (card reader, scale, printer) and
 * follows each device's state by itself: ready, starting, failed (in the
 * error style, the device's error as tooltip) or disconnected (error
 * style), and ready again when an unplugged device comes back.
 */
#pragma once

#include <gtk/gtk.h>

#include "device.h"
#include "visitor.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_STATUS_BAR (canteen_status_bar_get_type ())
G_DECLARE_FINAL_TYPE (CanteenStatusBar, canteen_status_bar, CANTEEN, STATUS_BAR, GtkBox)

void canteen_status_bar_set_terminal       (CanteenStatusBar *self, const char *terminal);
/* `problem` NULL when the ledger is open and usable. */
void canteen_status_bar_set_database_state (CanteenStatusBar *self, const char *problem);
/* `emulated`: --emulate-devices (the badge says so). */
void canteen_status_bar_set_demo           (CanteenStatusBar *self, gboolean demo, gboolean emulated);
/* A GListModel of CanteenDevice to follow (NULL: none). */
void canteen_status_bar_set_devices        (CanteenStatusBar *self, GListModel *devices);
/* Why there are no USB devices at all (libusb failed), or NULL. */
void canteen_status_bar_set_devices_problem (CanteenStatusBar *self, const char *problem);

/* The camera's indicator: hidden unless `present` (the kiosk has one);
 * `problem` is the tooltip of a failed or gone camera. */
void canteen_status_bar_set_camera         (CanteenStatusBar *self, gboolean present,
                                            CanteenDeviceState state, const char *problem);

/* The clearing sync's state: hidden for NULL or a ledger not enrolled
 * with a clearing service; else "结算 ✓ 14:05" (last success, in `tz`),
 * "结算 待传 12 笔" (records not yet acknowledged) or, after failed
 * attempts, "结算离线 3 次失败" in the error style (the last error as
 * tooltip, and the backlog after it). */
void canteen_status_bar_set_clearing       (CanteenStatusBar *self, const CanteenClearingState *state,
                                            GTimeZone *tz);

/* For tests: the clearing indicator's text, NULL when hidden. */
const char *canteen_status_bar_get_clearing_text (CanteenStatusBar *self);
/* For tests: the indicator's text for `kind` ("读卡器", "读卡器 已断开"),
 * NULL when no device of that kind was seen. */
const char *canteen_status_bar_get_device_text (CanteenStatusBar *self, CanteenDeviceKind kind);
/* For tests: the camera's indicator ("摄像头 故障"), NULL when hidden. */
const char *canteen_status_bar_get_camera_text (CanteenStatusBar *self);

G_END_DECLS
