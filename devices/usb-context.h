/* usb-context.h — one libusb context, driven by the GLib main loop.
 *
 * Contract: libusb events (transfer completions, timeouts, hotplug) are
 * handled only on the GMainContext that was the thread default when the
 * context was made; every callback of every device runs there. Nothing
 * blocks and nothing spins:
 *
 *  - On real hardware every libusb file descriptor is polled by the main
 *    loop; a usbfs descriptor is ready only when a transfer has finished.
 *  - Under umockdev (UMOCKDEV_DIR set) a device node is always poll-ready, so
 *    polling it would spin a core. There the device descriptors are left out
 *    of the poll and serviced by a slow tick, only while transfers are in
 *    flight; an emulator that has just completed a transfer calls
 *    canteen_usb_context_kick() (thread-safe) to have it reaped at once.
 *
 * Hotplug: "device-arrived" and "device-left" are emitted on the main
 * context with the libusb_device (valid for the signal's duration; ref it to
 * keep it). Existing devices are announced as arrivals on the first main
 * loop iteration after canteen_usb_context_start_hotplug().
 */
#pragma once

#include <glib-object.h>
#include <libusb.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_USB_CONTEXT (canteen_usb_context_get_type ())
G_DECLARE_FINAL_TYPE (CanteenUsbContext, canteen_usb_context, CANTEEN, USB_CONTEXT, GObject)

CanteenUsbContext *canteen_usb_context_new (GError **error);
libusb_context    *canteen_usb_context_get_libusb (CanteenUsbContext *self);
gboolean           canteen_usb_context_start_hotplug (CanteenUsbContext *self, GError **error);
gboolean           canteen_usb_context_is_emulated (CanteenUsbContext *self);

/* Transfers in flight: the device layer counts them so the emulated-mode
 * tick runs only while something is pending. */
void               canteen_usb_context_transfer_started (CanteenUsbContext *self);
void               canteen_usb_context_transfer_finished (CanteenUsbContext *self);
guint              canteen_usb_context_get_pending (CanteenUsbContext *self);

/* Thread-safe: handle libusb events on the next main loop iteration. */
void               canteen_usb_context_kick (CanteenUsbContext *self);

/* How often in-flight transfers are serviced under emulation (default 50 ms). */
void               canteen_usb_context_set_emulated_tick (CanteenUsbContext *self, guint milliseconds);

G_END_DECLS
