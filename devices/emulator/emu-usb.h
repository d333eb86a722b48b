/* emu-usb.h — an emulated USB device behind usbfs, on umockdev.
 *
 * Contract: CanteenEmuDevice is a UMockdevIoctlBase that answers the usbfs
 * ioctls a libusb client makes on /dev/bus/usb/BBB/DDD, the way the Linux
 * kernel does, so an unchanged libusb program talks to it:
 *
 *  - URBs are submitted and reaped asynchronously (SUBMITURB answers at
 *    once; REAPURBNDELAY hands back a finished URB or fails with EAGAIN;
 *    DISCARDURB finishes a pending URB with -ENOENT, which is how libusb
 *    cancels and times out). Nothing here ever waits for the client to poll:
 *    a URB finishes when the device model supplies its data, and the
 *    optional notify callback tells the client so (the emulated node is
 *    always poll-ready, so a client must not spin on it).
 *  - IN data is queued per endpoint: canteen_emu_device_push_in() completes
 *    the oldest pending IN URB there or keeps the data (up to a per-endpoint
 *    limit, oldest dropped) until one arrives. A message longer than the URB
 *    is split across URBs when the URB is a whole number of packets (as a
 *    bulk pipe does) and is -EOVERFLOW otherwise.
 *  - OUT URBs complete at once; the model sees the bytes through bulk_out().
 *    Control transfers go to the control() vfunc; the base class answers the
 *    standard requests (descriptors, strings, configuration, status).
 *  - An interface may be bound to a kernel driver ("usbhid"): while it is,
 *    claiming it and transfers to it fail with EBUSY, GETDRIVER names the
 *    driver, and IN data for it is consumed by "the kernel" (dropped); the
 *    client must detach it (USBDEVFS_IOCTL DISCONNECT) first. Claims are per
 *    client (open file); a client's claims and URBs go when it goes. (A
 *    claim on an interface another client holds is answered after up to
 *    200 ms: umockdev notices a closed file late, and the holder may just
 *    have closed it.)
 *  - Unplugged (canteen_emu_device_disconnect()): pending URBs finish with
 *    -ESHUTDOWN (libusb: LIBUSB_TRANSFER_NO_DEVICE), and once those are
 *    reaped every ioctl fails with ENODEV. A client of a previous plug-in
 *    (another device node) stays unplugged after a replug.
 *
 * Fault injection (per endpoint; 0x00 is the control endpoint):
 *  - stall_next: the next URB on the endpoint (a pending IN URB at once)
 *    finishes with -EPIPE (LIBUSB_ERROR_PIPE); one-shot; CLEAR_HALT clears it.
 *  - swallow: the next `count` replies (-1: all until swallow 0) are never
 *    delivered: IN data is dropped, OUT and control URBs stay pending, so
 *    the client times out and discards the URB.
 *  - corrupt_next: the next IN message is replaced by the given bytes.
 *  - delay: every URB on the endpoint becomes reapable `ms` after it would.
 *
 * Threads: ioctls are handled on umockdev's worker thread; the public calls
 * may be made from any thread. State is under one mutex, never held while
 * calling a vfunc or the notify callback.
 */
#pragma once

#include <umockdev.h>

#include "emu-descriptors.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_TYPE_DEVICE (canteen_emu_device_get_type ())
G_DECLARE_DERIVABLE_TYPE (CanteenEmuDevice, canteen_emu_device, CANTEEN_EMU, DEVICE, UMockdevIoctlBase)

typedef struct {
  guint8  request_type;          /* bmRequestType */
  guint8  request;               /* bRequest */
  guint16 value;
  guint16 index;
  guint16 length;                /* wLength */
} CanteenEmuSetup;

struct _CanteenEmuDeviceClass {
  UMockdevIoctlBaseClass parent_class;

  /* A control transfer. `data`/`len` is the OUT data stage (empty for IN).
   * For an IN request set *reply (cut to wLength). Returns 0, or a
   * negative errno as the URB status (-EPIPE: stall). The default answers
   * the standard requests; chain up for those. Worker thread. */
  int  (*control)  (CanteenEmuDevice *self, const CanteenEmuSetup *setup,
                    const guint8 *data, gsize len, GBytes **reply);
  /* What the client wrote to a bulk or interrupt OUT endpoint. Worker thread. */
  void (*bulk_out) (CanteenEmuDevice *self, guint8 endpoint, GBytes *bytes);
  /* USBDEVFS_RESET or plugged in (again): forget transient state. */
  void (*reset)    (CanteenEmuDevice *self);
  /* A client claimed the interface: the host starts listening (a HID
   * device that reports on change sends its current state). */
  void (*claimed)  (CanteenEmuDevice *self, guint8 interface);

  gpointer padding[7];
};

/* For device models, while constructing. */
gboolean    canteen_emu_device_set_descriptors (CanteenEmuDevice *self, const CanteenEmuIdentity *identity,
                                                GBytes *config, GError **error);
void        canteen_emu_device_set_kernel_driver (CanteenEmuDevice *self, guint8 interface, const char *driver);
void        canteen_emu_device_set_in_limit (CanteenEmuDevice *self, guint8 endpoint, guint max_messages);

GBytes     *canteen_emu_device_get_descriptors (CanteenEmuDevice *self);
const CanteenEmuLayout *canteen_emu_device_get_layout (CanteenEmuDevice *self);
guint16     canteen_emu_device_get_vendor_id (CanteenEmuDevice *self);
guint16     canteen_emu_device_get_product_id (CanteenEmuDevice *self);
const char *canteen_emu_device_get_product (CanteenEmuDevice *self);
const char *canteen_emu_device_get_manufacturer (CanteenEmuDevice *self);
const char *canteen_emu_device_get_serial (CanteenEmuDevice *self);

/* Data from the device to the host on IN endpoint `endpoint`. */
void        canteen_emu_device_push_in (CanteenEmuDevice *self, guint8 endpoint, const guint8 *data, gsize len);

/* `func (device, user_data)` runs whenever a URB becomes reapable, on the
 * thread that finished it (umockdev's worker thread, the emulator timer
 * thread or the caller of push_in()); no lock of the device is held but a
 * device model's may be: it must not call back into the device. A client
 * uses it to wake its loop (write an eventfd). NULL to unset. */
void        canteen_emu_device_set_notify (CanteenEmuDevice *self, GFunc func, gpointer user_data,
                                           GDestroyNotify destroy);

/* Faults (see the top of this file). */
void        canteen_emu_device_stall_next (CanteenEmuDevice *self, guint8 endpoint);
void        canteen_emu_device_swallow (CanteenEmuDevice *self, guint8 endpoint, gint count);
void        canteen_emu_device_corrupt_next (CanteenEmuDevice *self, guint8 endpoint,
                                             const guint8 *bytes, gsize len);
void        canteen_emu_device_set_delay (CanteenEmuDevice *self, guint8 endpoint, guint ms);
void        canteen_emu_device_clear_faults (CanteenEmuDevice *self);

/* The cable. CanteenEmuTestbed calls these around its uevents; use
 * canteen_emu_testbed_unplug() / _replug() in tests. */
void        canteen_emu_device_connect (CanteenEmuDevice *self, const char *devnode);
void        canteen_emu_device_disconnect (CanteenEmuDevice *self);
gboolean    canteen_emu_device_is_connected (CanteenEmuDevice *self);
/* The device node it is plugged in at, NULL when unplugged (a copy). */
char       *canteen_emu_device_dup_devnode (CanteenEmuDevice *self);

/* Observations, for tests. */
gboolean    canteen_emu_device_get_kernel_driver_bound (CanteenEmuDevice *self, guint8 interface);
gboolean    canteen_emu_device_get_claimed (CanteenEmuDevice *self, guint8 interface);
guint       canteen_emu_device_get_pending_in (CanteenEmuDevice *self, guint8 endpoint);
guint       canteen_emu_device_get_discards (CanteenEmuDevice *self);

G_END_DECLS
