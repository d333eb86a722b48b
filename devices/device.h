/* device.h — the base of every USB device driver (libfprint's FpDevice is
 * the model): a small vtable, an id table per driver, an explicit state.
 *
 * Contract:
 *  - A driver is a subclass. Its class sets `driver`, `kind` and `id_table`,
 *    and implements open (claim interfaces, start listening — no blocking
 *    I/O), close (stop, release) and cancel (abandon operations in flight).
 *  - The device manager matches a USB device against the id tables, makes
 *    the device object, and calls canteen_device_open(). When the USB device
 *    leaves, the object stays (state GONE) and is re-attached and re-opened
 *    when a device with the same identity comes back, so the UI keeps its
 *    reference and sees the state come back by itself.
 *  - Every transfer goes through canteen_device_transfer*(): it has a
 *    timeout and a GCancellable, is counted by the USB context, and is
 *    cancelled on close. A failure is a GError in CANTEEN_DEVICE_ERROR (or
 *    G_IO_ERROR_CANCELLED) reading "<device>: <operation>: <cause>".
 *  - All of it runs on the main context of the CanteenUsbContext.
 */
#pragma once

#include <gio/gio.h>
#include <libusb.h>

#include "usb-context.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_DEVICE_KIND_CARD_READER,
  CANTEEN_DEVICE_KIND_SCALE,
  CANTEEN_DEVICE_KIND_PRINTER,
  CANTEEN_DEVICE_KIND_CAMERA,
} CanteenDeviceKind;

typedef enum {
  CANTEEN_DEVICE_STATE_CLOSED,   /* made, not opened yet */
  CANTEEN_DEVICE_STATE_READY,    /* opened and listening */
  CANTEEN_DEVICE_STATE_FAILED,   /* present but unusable; see get_error() */
  CANTEEN_DEVICE_STATE_GONE,     /* unplugged; comes back by itself */
} CanteenDeviceState;

/* One row of a driver's id table. Zero vid/pid match any; -1 class fields
 * match any. The table ends with a row whose `end` is TRUE. */
typedef struct {
  guint16  vid, pid;
  gint     iface_class, iface_subclass, iface_protocol;
  gboolean end;
} CanteenUsbId;

#define CANTEEN_USB_ID_VIDPID(v, p)  { (v), (p), -1, -1, -1, FALSE }
#define CANTEEN_USB_ID_CLASS(c, s, p) { 0, 0, (c), (s), (p), FALSE }
#define CANTEEN_USB_ID_VIDPID_CLASS(v, p, c) { (v), (p), (c), -1, -1, FALSE }
#define CANTEEN_USB_ID_END           { 0, 0, -1, -1, -1, TRUE }

#define CANTEEN_TYPE_DEVICE (canteen_device_get_type ())
G_DECLARE_DERIVABLE_TYPE (CanteenDevice, canteen_device, CANTEEN, DEVICE, GObject)

struct _CanteenDeviceClass {
  GObjectClass parent_class;

  const char         *driver;      /* "ccid", "hid-reader", ... */
  CanteenDeviceKind   kind;
  const CanteenUsbId *id_table;

  /* Optional: refine a match (e.g. check a class descriptor). */
  gboolean (*probe)  (CanteenDeviceClass *klass, libusb_device *device,
                      const struct libusb_interface_descriptor *iface);
  gboolean (*open)   (CanteenDevice *self, GError **error);
  void     (*close)  (CanteenDevice *self);
  void     (*cancel) (CanteenDevice *self);
};

const char        *canteen_device_kind_to_string (CanteenDeviceKind kind);
const char        *canteen_device_state_to_string (CanteenDeviceState state);

/* The interface of `device` (its active configuration) this class drives,
 * or -1. Used by the manager. */
gint               canteen_device_class_match (CanteenDeviceClass *klass, libusb_device *device);

CanteenDevice     *canteen_device_new (GType type, CanteenUsbContext *usb, libusb_device *device, gint interface);
gboolean           canteen_device_open (CanteenDevice *self, GError **error);
void               canteen_device_close (CanteenDevice *self);
void               canteen_device_cancel (CanteenDevice *self);

/* The manager's side of hotplug. */
void               canteen_device_mark_gone (CanteenDevice *self);
gboolean           canteen_device_same_identity (CanteenDevice *self, libusb_device *device);
void               canteen_device_reattach (CanteenDevice *self, libusb_device *device, gint interface);

const char        *canteen_device_get_name (CanteenDevice *self);
const char        *canteen_device_get_driver (CanteenDevice *self);
CanteenDeviceKind  canteen_device_get_kind (CanteenDevice *self);
CanteenDeviceState canteen_device_get_state (CanteenDevice *self);
guint16            canteen_device_get_vid (CanteenDevice *self);
guint16            canteen_device_get_pid (CanteenDevice *self);
/* "1-2.3": bus and port path, stable across replugs into the same port. */
const char        *canteen_device_get_location (CanteenDevice *self);
/* Why the device is FAILED (or what last went wrong), or NULL. */
const char        *canteen_device_get_error (CanteenDevice *self);
gboolean           canteen_device_is_emulated (CanteenDevice *self);

/* --- for drivers ---------------------------------------------------- */

libusb_device_handle *canteen_device_get_handle (CanteenDevice *self);
libusb_device        *canteen_device_get_usb_device (CanteenDevice *self);
gint                  canteen_device_get_interface (CanteenDevice *self);
CanteenUsbContext    *canteen_device_get_usb_context (CanteenDevice *self);

/* The driven interface (its first alternate setting): class, subclass,
 * protocol, and the class-specific descriptors after it (`extra`, e.g. the
 * CCID descriptor). FALSE with an error naming the device when absent. */
typedef struct {
  guint8  cls, subclass, protocol;
  GBytes *extra;
} CanteenInterfaceInfo;
gboolean canteen_device_get_interface_info (CanteenDevice *self, CanteenInterfaceInfo *out, GError **error);
void     canteen_interface_info_clear (CanteenInterfaceInfo *info);

/* The first endpoint of the driven interface with this transfer type
 * (LIBUSB_TRANSFER_TYPE_*) and direction (LIBUSB_ENDPOINT_IN or _OUT);
 * FALSE when there is none. `max_packet` may be NULL. */
gboolean canteen_device_find_endpoint (CanteenDevice *self, guint8 type, guint8 direction,
                                       guint8 *address, guint16 *max_packet);

/* Detach a kernel driver explicitly (never libusb's auto-detach, which
 * fails under emulation) and claim the interface. */
gboolean canteen_device_claim_interface (CanteenDevice *self, gint interface, GError **error);

/* Drivers report runtime failures (a device that stops answering) here:
 * state FAILED with the message, or back to READY with NULL. */
void     canteen_device_set_failed (CanteenDevice *self, const GError *error);
void     canteen_device_set_ready (CanteenDevice *self);

/* Errors that name the device and the operation. */
void     canteen_device_set_error (CanteenDevice *self, GError **error, gint code,
                                   const char *operation, const char *fmt, ...) G_GNUC_PRINTF (5, 6);

/* Asynchronous transfers. `type` is LIBUSB_TRANSFER_TYPE_BULK or _INTERRUPT;
 * an IN endpoint reads up to `in_length` bytes, an OUT endpoint writes
 * `out` whole. The result is the bytes read (empty for OUT). `timeout_ms`
 * may be 0 only to listen on an interrupt IN endpoint (card insertion,
 * weight changes), which waits until cancelled or closed. */
void     canteen_device_transfer (CanteenDevice *self, const char *operation,
                                  guint8 type, guint8 endpoint, GBytes *out, gsize in_length,
                                  guint timeout_ms, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
/* A control transfer; `out` is the data stage for host-to-device requests,
 * `in_length` for device-to-host ones. */
void     canteen_device_control (CanteenDevice *self, const char *operation,
                                 guint8 request_type, guint8 request, guint16 value, guint16 index,
                                 GBytes *out, guint16 in_length,
                                 guint timeout_ms, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
GBytes  *canteen_device_transfer_finish (CanteenDevice *self, GAsyncResult *result, GError **error);

G_END_DECLS
