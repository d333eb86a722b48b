/* device-manager.h — finds the devices, follows them coming and going.
 *
 * Contract: start() enumerates the USB devices present (announced on the
 * next main-loop iterations) and then follows hotplug. Each USB device is
 * offered to the drivers in order; the first whose id table matches gets
 * it, and the device is opened at once. The list model holds every device
 * seen since start, in order of arrival: one that leaves stays in the list
 * as GONE and is re-attached and re-opened when it comes back (same VID:PID
 * in the same port), so a reference held by the UI stays valid. A device
 * whose open failed stays FAILED with the reason (e.g. permissions).
 */
#pragma once

#include <gio/gio.h>

#include "device.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_DEVICE_MANAGER (canteen_device_manager_get_type ())
G_DECLARE_FINAL_TYPE (CanteenDeviceManager, canteen_device_manager, CANTEEN, DEVICE_MANAGER, GObject)

CanteenDeviceManager *canteen_device_manager_new (GError **error);
gboolean              canteen_device_manager_start (CanteenDeviceManager *self, GError **error);
CanteenUsbContext    *canteen_device_manager_get_usb_context (CanteenDeviceManager *self);
/* A GListModel of CanteenDevice. */
GListModel           *canteen_device_manager_get_devices (CanteenDeviceManager *self);
/* The first READY device of `kind`, or NULL. */
CanteenDevice        *canteen_device_manager_find (CanteenDeviceManager *self, CanteenDeviceKind kind);
/* Runs the main context until the devices present at start() are opened. */
void                  canteen_device_manager_settle (CanteenDeviceManager *self);

G_END_DECLS
