/* device-error.h — the error domain of everything under devices/.
 *
 * Contract: a failure names the device (when there is one), the operation
 * and the cause; a malformed reply from a device is CANTEEN_DEVICE_ERROR_PROTOCOL
 * and never a crash or a read past the bytes received.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_DEVICE_ERROR (canteen_device_error_quark ())

typedef enum {
  CANTEEN_DEVICE_ERROR_PROTOCOL,    /* a reply that breaks the protocol: short, inconsistent, unknown */
  CANTEEN_DEVICE_ERROR_FAILED,      /* the device reported a failure (CCID bError, a status word) */
  CANTEEN_DEVICE_ERROR_NO_CARD,     /* no card in the slot / field */
  CANTEEN_DEVICE_ERROR_TOO_LARGE,   /* a message over the negotiated or absolute limit */
  CANTEEN_DEVICE_ERROR_TIMED_OUT,   /* the device did not answer in time */
  CANTEEN_DEVICE_ERROR_GONE,        /* unplugged, or closed while the operation ran */
  CANTEEN_DEVICE_ERROR_ACCESS,      /* the OS refused access (udev rules not installed?) */
  CANTEEN_DEVICE_ERROR_BUSY,        /* another program or driver holds the interface */
  CANTEEN_DEVICE_ERROR_IO,          /* any other USB failure (stall, overflow, I/O) */
  CANTEEN_DEVICE_ERROR_NOT_SUPPORTED, /* the device or card cannot do what was asked */
} CanteenDeviceError;

GQuark canteen_device_error_quark (void);

/* Sets CANTEEN_DEVICE_ERROR_PROTOCOL as "<what>: <message>" and returns
 * FALSE, so a parser can `return canteen_device_protocol_error (...)`. */
gboolean canteen_device_protocol_error (GError **error, const char *what, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
