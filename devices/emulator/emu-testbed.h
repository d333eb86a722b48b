/* emu-testbed.h — a umockdev testbed holding emulated USB devices.
 *
 * Contract: CanteenEmuTestbed owns one UMockdevTestbed (its directory under
 * $TMPDIR, removed with it). canteen_emu_testbed_add() plugs a device in:
 * it picks the next free port and device number on bus 1, describes the
 * device in sysfs (descriptors, bus and device numbers, speed, active
 * configuration, identity) and attaches the device's usbfs emulation to
 * /dev/bus/usb/001/DDD; a libusb client started before sees an "arrived"
 * hotplug event, one started after finds it by enumeration. _unplug() fails
 * the device's pending transfers (LIBUSB_TRANSFER_NO_DEVICE), sends the
 * "remove" uevent and removes it from sysfs; _replug() plugs the same device
 * in again at the same port with a new device number, as a real replug does.
 *
 * The testbed must be created before anything in the process looks at
 * devices (libusb_init, umockdev_in_mock_environment), and a client process
 * needs libumockdev-preload from its start: a test or program calls
 * canteen_emu_ensure_preload() first thing in main(); a child started with
 * canteen_emu_testbed_child_environ() gets it and the testbed's location.
 */
#pragma once

#include "emu-usb.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_TYPE_TESTBED (canteen_emu_testbed_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuTestbed, canteen_emu_testbed, CANTEEN_EMU, TESTBED, GObject)

CanteenEmuTestbed *canteen_emu_testbed_new (void);
UMockdevTestbed   *canteen_emu_testbed_get_umockdev (CanteenEmuTestbed *self);
/* The directory the testbed lives in (UMOCKDEV_DIR for children). */
const char        *canteen_emu_testbed_get_root_dir (CanteenEmuTestbed *self);

gboolean canteen_emu_testbed_add (CanteenEmuTestbed *self, CanteenEmuDevice *device, GError **error);
void     canteen_emu_testbed_unplug (CanteenEmuTestbed *self, CanteenEmuDevice *device);
gboolean canteen_emu_testbed_replug (CanteenEmuTestbed *self, CanteenEmuDevice *device, GError **error);
/* "/sys/devices/.../usb1/1-N" of a plugged device; NULL otherwise. */
const char *canteen_emu_testbed_get_sysfs_path (CanteenEmuTestbed *self, CanteenEmuDevice *device);
/* Bus 1 device number of a plugged device; 0 otherwise. */
guint    canteen_emu_testbed_get_devnum (CanteenEmuTestbed *self, CanteenEmuDevice *device);

/* The environment of this process plus what a child needs to see the
 * testbed: UMOCKDEV_DIR, libumockdev-preload in LD_PRELOAD and, for
 * sanitizer builds, ASAN_OPTIONS=verify_asan_link_order=0. */
char   **canteen_emu_testbed_child_environ (CanteenEmuTestbed *self);

/* When libumockdev-preload is not in LD_PRELOAD, re-executes the current
 * program (argv as given) with it; returns only when it already is, or
 * with *error set when the re-exec failed. Call first thing in main(). */
gboolean canteen_emu_ensure_preload (char **argv, GError **error);

G_END_DECLS
