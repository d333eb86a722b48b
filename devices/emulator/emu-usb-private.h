/* emu-usb-private.h — the state of an emulated USB device, shared by its
 * object (emu-usb.c) and its usbfs ioctl handling (emu-usbfs.c). Internal
 * to devices/emulator.
 *
 * Contract: everything here is under CanteenEmuDevicePrivate.lock, except
 * the layout and descriptors (fixed once constructed). Functions named
 * *_locked expect the lock held. A URB is in exactly one place: an
 * endpoint's `pending` queue, the device's `finished` queue, or (being
 * reaped) nowhere.
 */
#pragma once

#include <linux/usbdevice_fs.h>

#include "emu-usb.h"

G_BEGIN_DECLS

/* A URB the client submitted: the local copies umockdev resolved for us
 * (the struct and its buffer), kept until the client reaps it. Writing into
 * them and handing `urb_data` back on REAPURBNDELAY is what makes umockdev
 * copy the result into the client's memory. */
typedef struct {
  UMockdevIoctlClient *client;
  UMockdevIoctlData   *urb_data;
  UMockdevIoctlData   *buf_data;      /* NULL for an empty buffer */
  guint8  type;
  guint8  endpoint;
  gint64  ready_at;                   /* monotonic µs; reapable from then on */
} Urb;

typedef struct {
  guint8  address;                    /* 0 for the control endpoint */
  guint8  type;
  guint16 max_packet;
  guint8  interface;
  GQueue  pending;                    /* Urb*: IN waiting for data; swallowed OUT/control */
  GQueue  buffered;                   /* GBytes*: IN data waiting for a URB */
  guint   limit;                      /* buffered messages kept, 0 = no limit */
  gboolean stall;
  gint    swallow;
  GBytes *corrupt;
  guint   delay_ms;
} Endpoint;

typedef struct {
  guint8  number;
  char   *default_driver;             /* bound when plugged in */
  char   *driver;                     /* bound now; NULL when detached */
  UMockdevIoctlClient *claimed_by;
} Interface;

typedef struct {
  GMutex    lock;
  GBytes   *descriptors;
  CanteenEmuLayout layout;
  char     *manufacturer, *product, *serial;
  Endpoint  ep0;
  Endpoint  eps[CANTEEN_EMU_MAX_ENDPOINTS];        /* parallel to layout.endpoints */
  Interface ifs[CANTEEN_EMU_MAX_INTERFACES];       /* parallel to layout.interfaces */
  GQueue    finished;                 /* Urb*, in completion order */
  char     *devnode;                  /* NULL: unplugged */
  guint     discards;
  GFunc     notify;
  gpointer  notify_data;
  GDestroyNotify notify_destroy;
} CanteenEmuDevicePrivate;

/* What to tell the client once the lock is released: a URB is reapable
 * now, and/or one will be in `later_ms`. */
typedef struct {
  gboolean now;
  guint    later_ms;
} Wake;

CanteenEmuDevicePrivate *canteen_emu_device_priv (CanteenEmuDevice *self);

static inline struct usbdevfs_urb *
emu_urb_struct (Urb *urb)
{
  return (struct usbdevfs_urb *) (gpointer) urb->urb_data->data;
}

void       emu_urb_free (Urb *urb);
Endpoint  *emu_find_ep (CanteenEmuDevicePrivate *priv, guint8 address);
Interface *emu_find_if (CanteenEmuDevicePrivate *priv, guint number);
/* Sets the URB's result and queues it for reaping (after `delay_ms`). */
void       emu_finish_locked (CanteenEmuDevicePrivate *priv, Urb *urb, int status, int actual,
                              guint delay_ms, Wake *wake);
GBytes    *emu_deliver_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, Urb *urb, GBytes *msg, Wake *wake);
void       emu_fail_pending_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, int status, Wake *wake);
void       emu_clear_buffered (Endpoint *ep);
void       emu_purge_vanished_locked (CanteenEmuDevicePrivate *priv);
/* The client's file is not (or no longer) the device's current node. */
gboolean   emu_is_stale_locked (CanteenEmuDevicePrivate *priv, UMockdevIoctlClient *client);
/* Calls the notify callback now and/or later; no lock held. */
void       emu_wake_apply (CanteenEmuDevice *self, const Wake *wake);

/* UMockdevIoctlBase.handle_ioctl (emu-usbfs.c). */
gboolean   canteen_emu_usbfs_handle_ioctl (UMockdevIoctlBase *base, UMockdevIoctlClient *client);

G_END_DECLS
