/* emu-usbfs.c — the usbfs ioctls of an emulated device, answered as the
 * Linux kernel's drivers/usb/core/devio.c answers them (see emu-usb.h for
 * what is emulated). Runs on umockdev's worker thread, one ioctl at a time.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>

#include "emu-usb-private.h"

#define PRIV(self) canteen_emu_device_priv (self)

static void
complete_ok (UMockdevIoctlClient *client, glong result)
{
  umockdev_ioctl_client_complete (client, result, 0);
}

static void
complete_err (UMockdevIoctlClient *client, int err)
{
  umockdev_ioctl_client_complete (client, -1, err);
}

/* The struct the ioctl argument points to, as a local copy that is written
 * back when the ioctl completes. NULL (and the ioctl failed with EFAULT)
 * when the client passed a bad pointer. */
static UMockdevIoctlData *
resolve_arg (UMockdevIoctlClient *client, gsize size)
{
  g_autoptr(GError) error = NULL;
  UMockdevIoctlData *data = umockdev_ioctl_data_resolve (umockdev_ioctl_client_get_arg (client), 0, size, &error);

  if (!data)
    {
      g_debug ("emulated usbfs: ioctl argument: %s", error ? error->message : "NULL pointer");
      complete_err (client, EFAULT);
    }
  return data;
}

static void
handle_reap (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  gint64 now = g_get_monotonic_time ();
  Urb *found = NULL;
  gboolean stale;
  g_autoptr(UMockdevIoctlData) slot = NULL;

  g_mutex_lock (&priv->lock);
  emu_purge_vanished_locked (priv);
  stale = emu_is_stale_locked (priv, client);
  for (GList *l = priv->finished.head; l; l = l->next)
    {
      Urb *urb = l->data;
      if (urb->client == client && urb->ready_at <= now)
        {
          found = urb;
          g_queue_delete_link (&priv->finished, l);
          break;
        }
    }
  g_mutex_unlock (&priv->lock);

  if (!found)
    {
      complete_err (client, stale ? ENODEV : EAGAIN);
      return;
    }
  slot = resolve_arg (client, sizeof (gpointer));
  if (!slot)
    {
      emu_urb_free (found);
      return;
    }
  /* The client's `struct usbdevfs_urb *` now points at its own URB, and the
   * URB (status, actual_length, IN data) is written back with it. */
  umockdev_ioctl_data_set_ptr (slot, 0, found->urb_data);
  complete_ok (client, 0);
  emu_urb_free (found);
}

static void
handle_discard (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  gulong addr = *(gulong *) (gpointer) umockdev_ioctl_client_get_arg (client)->data;
  gint64 now = g_get_monotonic_time ();
  Endpoint *all[CANTEEN_EMU_MAX_ENDPOINTS + 1];
  guint n = 0;
  gboolean found = FALSE, stale;
  Wake wake = { 0 };

  g_mutex_lock (&priv->lock);
  stale = emu_is_stale_locked (priv, client);
  all[n++] = &priv->ep0;
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    all[n++] = &priv->eps[i];
  for (guint i = 0; i < n && !found; i++)
    for (GList *l = all[i]->pending.head; l; l = l->next)
      {
        Urb *urb = l->data;
        if (urb->client == client && urb->urb_data->client_addr == addr)
          {
            g_queue_delete_link (&all[i]->pending, l);
            emu_finish_locked (priv, urb, -ENOENT, 0, 0, &wake);
            found = TRUE;
            break;
          }
      }
  /* Finished but held back by a delay: not yet seen by the client, so it
   * can still be cancelled. */
  for (GList *l = priv->finished.head; l && !found; l = l->next)
    {
      Urb *urb = l->data;
      if (urb->client == client && urb->urb_data->client_addr == addr && urb->ready_at > now)
        {
          emu_urb_struct (urb)->status = -ENOENT;
          emu_urb_struct (urb)->actual_length = 0;
          urb->ready_at = now;
          wake.now = found = TRUE;
        }
    }
  if (found)
    priv->discards++;
  g_mutex_unlock (&priv->lock);

  if (found)
    complete_ok (client, 0);
  else
    complete_err (client, stale ? ENODEV : EINVAL);
  emu_wake_apply (self, &wake);
}

/* Answers SUBMITURB and releases the lock. The answer is sent with the
 * lock held because sending it copies the URB (and its buffer) back to the
 * client there and then: another thread completing a parked URB must not
 * write into it meanwhile. */
static void
complete_submit_locked (CanteenEmuDevicePrivate *priv, UMockdevIoctlClient *client)
{
  complete_ok (client, 0);
  g_mutex_unlock (&priv->lock);
}

/* Which interface a control request addresses (-1: the device). */
static int
control_interface_locked (CanteenEmuDevicePrivate *priv, const CanteenEmuSetup *setup)
{
  switch (setup->request_type & 0x1F)
    {
    case 1:
      return setup->index & 0xFF;
    case 2:
      {
        Endpoint *ep = emu_find_ep (priv, (guint8) setup->index);
        return ep && ep != &priv->ep0 ? ep->interface : -1;
      }
    default:
      return -1;
    }
}

/* The kernel (check_ctrlrecip) refuses a request to an interface another
 * driver owns — except vendor requests and the printer class's
 * GET_DEVICE_ID, which it lets through. */
static gboolean
control_blocked_locked (CanteenEmuDevicePrivate *priv, const CanteenEmuSetup *setup, guint ifno)
{
  Interface *iface = emu_find_if (priv, ifno);

  if (!iface || !iface->driver || (setup->request_type & 0x60) == 0x40)
    return FALSE;
  if (setup->request_type == 0xA1 && setup->request == 0)
    for (guint i = 0; i < priv->layout.n_interfaces; i++)
      if (priv->layout.interfaces[i].number == setup->index >> 8 && priv->layout.interfaces[i].cls == 0x07)
        return FALSE;
  return TRUE;
}

static void
submit_control (CanteenEmuDevice *self, UMockdevIoctlClient *client, Urb *urb)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  CanteenEmuDeviceClass *klass = CANTEEN_EMU_DEVICE_GET_CLASS (self);
  struct usbdevfs_urb *u = emu_urb_struct (urb);
  guint8 *buf = urb->buf_data ? urb->buf_data->data : NULL;
  CanteenEmuSetup setup;
  gboolean in;
  int iface, status;
  g_autoptr(GBytes) reply = NULL;
  Wake wake = { 0 };

  if (u->buffer_length < 8 || !buf)
    {
      emu_urb_free (urb);
      complete_err (client, EINVAL);
      return;
    }
  setup.request_type = buf[0];
  setup.request = buf[1];
  setup.value = (guint16) (buf[2] | buf[3] << 8);
  setup.index = (guint16) (buf[4] | buf[5] << 8);
  setup.length = (guint16) (buf[6] | buf[7] << 8);
  in = (setup.request_type & 0x80) != 0;
  if (8 + (int) setup.length > u->buffer_length)
    {
      emu_urb_free (urb);
      complete_err (client, EINVAL);
      return;
    }

  g_mutex_lock (&priv->lock);
  iface = control_interface_locked (priv, &setup);
  if (iface >= 0 && control_blocked_locked (priv, &setup, (guint) iface))
    {
      g_mutex_unlock (&priv->lock);
      emu_urb_free (urb);
      complete_err (client, EBUSY);
      return;
    }
  if (priv->ep0.stall)
    {
      priv->ep0.stall = FALSE;
      emu_finish_locked (priv, urb, -EPIPE, 0, priv->ep0.delay_ms, &wake);
      complete_submit_locked (priv, client);
      emu_wake_apply (self, &wake);
      return;
    }
  if (priv->ep0.swallow)
    {
      if (priv->ep0.swallow > 0)
        priv->ep0.swallow--;
      g_queue_push_tail (&priv->ep0.pending, urb);
      complete_submit_locked (priv, client);
      return;
    }
  g_mutex_unlock (&priv->lock);

  status = klass->control (self, &setup, in ? NULL : buf + 8, in ? 0 : setup.length, &reply);

  g_mutex_lock (&priv->lock);
  if (!priv->devnode)
    emu_finish_locked (priv, urb, -ESHUTDOWN, 0, 0, &wake);
  else if (status != 0)
    emu_finish_locked (priv, urb, status, 0, priv->ep0.delay_ms, &wake);
  else if (in)
    {
      gsize len = 0;
      const guint8 *data;

      if (priv->ep0.corrupt)
        {
          g_clear_pointer (&reply, g_bytes_unref);
          reply = g_steal_pointer (&priv->ep0.corrupt);
        }
      data = reply ? g_bytes_get_data (reply, &len) : NULL;
      len = MIN (len, setup.length);
      if (len)
        memcpy (buf + 8, data, len);
      emu_finish_locked (priv, urb, 0, (int) len, priv->ep0.delay_ms, &wake);
    }
  else
    emu_finish_locked (priv, urb, 0, setup.length, priv->ep0.delay_ms, &wake);
  complete_submit_locked (priv, client);
  emu_wake_apply (self, &wake);
}

static void
submit_data (CanteenEmuDevice *self, UMockdevIoctlClient *client, Urb *urb)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  struct usbdevfs_urb *u = emu_urb_struct (urb);
  Endpoint *ep;
  Interface *iface;
  g_autoptr(GBytes) out = NULL;
  guint8 endpoint = urb->endpoint;
  Wake wake = { 0 };

  g_mutex_lock (&priv->lock);
  ep = emu_find_ep (priv, urb->endpoint);
  if (!ep || ep == &priv->ep0)
    {
      g_mutex_unlock (&priv->lock);
      emu_urb_free (urb);
      complete_err (client, ENOENT);
      return;
    }
  if ((ep->type == CANTEEN_EMU_EP_BULK) != (urb->type == USBDEVFS_URB_TYPE_BULK) ||
      (ep->type == CANTEEN_EMU_EP_INTERRUPT) != (urb->type == USBDEVFS_URB_TYPE_INTERRUPT))
    {
      g_mutex_unlock (&priv->lock);
      emu_urb_free (urb);
      complete_err (client, EINVAL);
      return;
    }
  iface = emu_find_if (priv, ep->interface);
  if (iface && iface->driver)
    {
      g_mutex_unlock (&priv->lock);
      emu_urb_free (urb);
      complete_err (client, EBUSY);
      return;
    }

  if (ep->stall)
    {
      ep->stall = FALSE;
      emu_finish_locked (priv, urb, -EPIPE, 0, ep->delay_ms, &wake);
    }
  else if (urb->endpoint & 0x80)
    {
      GBytes *msg = g_queue_pop_head (&ep->buffered);

      if (msg)
        {
          GBytes *rest = emu_deliver_locked (priv, ep, urb, msg, &wake);
          if (rest)
            g_queue_push_head (&ep->buffered, rest);
          g_bytes_unref (msg);
        }
      else
        g_queue_push_tail (&ep->pending, urb);
    }
  else if (ep->swallow)
    {
      if (ep->swallow > 0)
        ep->swallow--;
      g_queue_push_tail (&ep->pending, urb);     /* never acknowledged */
    }
  else
    {
      out = g_bytes_new (urb->buf_data ? urb->buf_data->data : NULL, (gsize) u->buffer_length);
      emu_finish_locked (priv, urb, 0, u->buffer_length, ep->delay_ms, &wake);
    }
  complete_submit_locked (priv, client);
  emu_wake_apply (self, &wake);
  if (out)
    CANTEEN_EMU_DEVICE_GET_CLASS (self)->bulk_out (self, endpoint, out);
}

static void
handle_submit (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) urb_data = resolve_arg (client, sizeof (struct usbdevfs_urb));
  g_autoptr(GError) error = NULL;
  struct usbdevfs_urb *u;
  Urb *urb;

  if (!urb_data)
    return;
  u = (struct usbdevfs_urb *) (gpointer) urb_data->data;
  if (u->buffer_length < 0 || u->type == USBDEVFS_URB_TYPE_ISO || u->type > USBDEVFS_URB_TYPE_BULK)
    {
      complete_err (client, EINVAL);
      return;
    }
  urb = g_new0 (Urb, 1);
  urb->client = g_object_ref (client);
  urb->urb_data = g_object_ref (urb_data);
  urb->type = u->type;
  urb->endpoint = u->endpoint;
  if (u->buffer_length > 0)
    {
      urb->buf_data = umockdev_ioctl_data_resolve (urb_data, G_STRUCT_OFFSET (struct usbdevfs_urb, buffer),
                                                   (gsize) u->buffer_length, &error);
      if (!urb->buf_data)
        {
          emu_urb_free (urb);
          complete_err (client, EFAULT);
          return;
        }
    }
  if (u->type == USBDEVFS_URB_TYPE_CONTROL)
    submit_control (self, client, urb);
  else
    submit_data (self, client, urb);
}

static void
handle_getdriver (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (struct usbdevfs_getdriver));
  struct usbdevfs_getdriver *gd;
  const char *driver = NULL;
  Interface *iface;

  if (!data)
    return;
  gd = (struct usbdevfs_getdriver *) (gpointer) data->data;
  g_mutex_lock (&priv->lock);
  iface = emu_find_if (priv, gd->interface);
  if (iface && iface->driver)
    driver = iface->driver;
  else if (iface && iface->claimed_by)
    driver = "usbfs";
  if (driver)
    g_strlcpy (gd->driver, driver, sizeof gd->driver);
  g_mutex_unlock (&priv->lock);
  if (driver)
    complete_ok (client, 0);
  else
    complete_err (client, ENODATA);
}

static void
handle_usbfs_ioctl (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (struct usbdevfs_ioctl));
  struct usbdevfs_ioctl *ctl;
  Interface *iface;
  glong result = -1;
  int err = 0;

  if (!data)
    return;
  ctl = (struct usbdevfs_ioctl *) (gpointer) data->data;
  g_mutex_lock (&priv->lock);
  iface = ctl->ifno >= 0 ? emu_find_if (priv, (guint) ctl->ifno) : NULL;
  if (!iface)
    err = EINVAL;
  else if ((guint) ctl->ioctl_code == USBDEVFS_DISCONNECT)
    {
      if (iface->driver)
        {
          g_clear_pointer (&iface->driver, g_free);   /* the kernel driver lets go */
          result = 0;
        }
      else
        err = ENODATA;
    }
  else if ((guint) ctl->ioctl_code == USBDEVFS_CONNECT)
    {
      if (iface->claimed_by)
        err = EBUSY;
      else if (!iface->driver && iface->default_driver)
        {
          iface->driver = g_strdup (iface->default_driver);
          result = 1;
        }
      else
        result = iface->driver ? 1 : 0;   /* 0: no driver wanted it */
    }
  else
    err = ENOTTY;
  g_mutex_unlock (&priv->lock);
  if (err)
    complete_err (client, err);
  else
    complete_ok (client, result);
}

/* Claiming an interface another client holds. That client may be gone
 * already: umockdev notices a closed file only when the worker thread gets
 * to its end-of-file, which can be after the next client's ioctl. So the
 * answer waits (the worker thread going on meanwhile) until the holder has
 * gone or CLAIM_GRACE_MS have passed. */
#define CLAIM_GRACE_MS 200

typedef struct {
  CanteenEmuDevice *self;
  UMockdevIoctlClient *client;
  guint32 number;
  gint64 deadline;
} ClaimRetry;

/* 0: claimed; EAGAIN: held by another client that is still there; else errno. */
static int
try_claim (CanteenEmuDevice *self, UMockdevIoctlClient *client, guint32 number, gboolean *newly_claimed)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Interface *iface;
  int err = 0;

  *newly_claimed = FALSE;
  g_mutex_lock (&priv->lock);
  emu_purge_vanished_locked (priv);
  iface = emu_find_if (priv, number);
  if (!iface)
    err = ENOENT;
  else if (emu_is_stale_locked (priv, client))
    err = ENODEV;
  else if (iface->driver)
    err = EBUSY;
  else if (iface->claimed_by && iface->claimed_by != client)
    err = EAGAIN;
  else if (!iface->claimed_by)
    {
      iface->claimed_by = g_object_ref (client);
      *newly_claimed = TRUE;
    }
  g_mutex_unlock (&priv->lock);
  return err;
}

static void
claim_done (CanteenEmuDevice *self, UMockdevIoctlClient *client, guint32 number, int err, gboolean newly_claimed)
{
  if (err)
    complete_err (client, err == EAGAIN ? EBUSY : err);
  else
    complete_ok (client, 0);
  if (newly_claimed)
    CANTEEN_EMU_DEVICE_GET_CLASS (self)->claimed (self, (guint8) number);
}

static gboolean
claim_retry_cb (gpointer data)
{
  ClaimRetry *r = data;
  gboolean newly_claimed;
  int err = try_claim (r->self, r->client, r->number, &newly_claimed);

  if (err == EAGAIN && g_get_monotonic_time () < r->deadline)
    return G_SOURCE_CONTINUE;
  claim_done (r->self, r->client, r->number, err, newly_claimed);
  return G_SOURCE_REMOVE;
}

static void
claim_retry_free (gpointer data)
{
  ClaimRetry *r = data;

  g_object_unref (r->self);
  g_object_unref (r->client);
  g_free (r);
}

static void
handle_claim (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (guint32));
  GMainContext *worker = g_main_context_get_thread_default ();
  gboolean newly_claimed;
  guint32 number;
  int err;

  if (!data)
    return;
  number = *(guint32 *) (gpointer) data->data;
  err = try_claim (self, client, number, &newly_claimed);
  if (err == EAGAIN && worker)
    {
      ClaimRetry *r = g_new0 (ClaimRetry, 1);
      GSource *source = g_timeout_source_new (5);

      r->self = g_object_ref (self);
      r->client = g_object_ref (client);
      r->number = number;
      r->deadline = g_get_monotonic_time () + CLAIM_GRACE_MS * 1000;
      g_source_set_static_name (source, "canteen-emu-claim");
      g_source_set_callback (source, claim_retry_cb, r, claim_retry_free);
      g_source_attach (source, worker);
      g_source_unref (source);
      return;
    }
  claim_done (self, client, number, err, newly_claimed);
}

static void
handle_release (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (guint32));
  Interface *iface;
  int err = 0;

  if (!data)
    return;
  g_mutex_lock (&priv->lock);
  iface = emu_find_if (priv, *(guint32 *) (gpointer) data->data);
  if (!iface)
    err = ENOENT;
  else if (iface->claimed_by != client)
    err = EINVAL;
  else
    g_clear_object (&iface->claimed_by);
  g_mutex_unlock (&priv->lock);
  if (err)
    complete_err (client, err);
  else
    complete_ok (client, 0);
}

static void
handle_clear_halt (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (guint32));
  Endpoint *ep;

  if (!data)
    return;
  g_mutex_lock (&priv->lock);
  ep = emu_find_ep (priv, (guint8) *(guint32 *) (gpointer) data->data);
  if (ep)
    ep->stall = FALSE;
  g_mutex_unlock (&priv->lock);
  if (ep)
    complete_ok (client, 0);
  else
    complete_err (client, ENOENT);
}

static void
handle_connectinfo (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (struct usbdevfs_connectinfo));
  const char *node = umockdev_ioctl_client_get_devnode (client);
  struct usbdevfs_connectinfo *ci;

  if (!data)
    return;
  ci = (struct usbdevfs_connectinfo *) (gpointer) data->data;
  ci->devnum = (unsigned) g_ascii_strtoull (strrchr (node, '/') ? strrchr (node, '/') + 1 : node, NULL, 10);
  ci->slow = 0;
  complete_ok (client, 0);
}

static void
handle_reset (CanteenEmuDevice *self, UMockdevIoctlClient *client)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);

  g_mutex_lock (&priv->lock);
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    {
      emu_clear_buffered (&priv->eps[i]);
      priv->eps[i].stall = FALSE;
    }
  g_mutex_unlock (&priv->lock);
  CANTEEN_EMU_DEVICE_GET_CLASS (self)->reset (self);
  complete_ok (client, 0);
}

gboolean
canteen_emu_usbfs_handle_ioctl (UMockdevIoctlBase *base, UMockdevIoctlClient *client)
{
  CanteenEmuDevice *self = CANTEEN_EMU_DEVICE (base);
  CanteenEmuDevicePrivate *priv = PRIV (self);
  gulong request = umockdev_ioctl_client_get_request (client);
  gboolean stale;

  /* Reaping and discarding work after an unplug: the URBs failed by it
   * must still reach the client. */
  if (request == USBDEVFS_REAPURBNDELAY)
    {
      handle_reap (self, client);
      return TRUE;
    }
  if (request == USBDEVFS_DISCARDURB)
    {
      handle_discard (self, client);
      return TRUE;
    }

  g_mutex_lock (&priv->lock);
  stale = emu_is_stale_locked (priv, client);
  g_mutex_unlock (&priv->lock);
  if (stale)
    {
      complete_err (client, ENODEV);
      return TRUE;
    }

  switch (request)
    {
    case USBDEVFS_SUBMITURB:
      handle_submit (self, client);
      break;
    case USBDEVFS_GET_CAPABILITIES:
      {
        g_autoptr(UMockdevIoctlData) data = resolve_arg (client, sizeof (guint32));
        /* One URB per transfer, whatever its size: libusb then never
         * splits a transfer, as with a modern xHCI kernel. */
        if (data)
          {
            *(guint32 *) (gpointer) data->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_SCATTER_GATHER |
                                                 USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
            complete_ok (client, 0);
          }
        break;
      }
    case USBDEVFS_GETDRIVER:
      handle_getdriver (self, client);
      break;
    case USBDEVFS_IOCTL:
      handle_usbfs_ioctl (self, client);
      break;
    case USBDEVFS_CLAIMINTERFACE:
      handle_claim (self, client);
      break;
    case USBDEVFS_RELEASEINTERFACE:
      handle_release (self, client);
      break;
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
      handle_clear_halt (self, client);
      break;
    case USBDEVFS_CONNECTINFO:
      handle_connectinfo (self, client);
      break;
    case USBDEVFS_RESET:
      handle_reset (self, client);
      break;
    case USBDEVFS_GET_SPEED:
      complete_ok (client, USB_SPEED_FULL);
      break;
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_DISCSIGNAL:
    case USBDEVFS_FORBID_SUSPEND:
    case USBDEVFS_ALLOW_SUSPEND:
    case USBDEVFS_WAIT_FOR_RESUME:
    case USBDEVFS_DROP_PRIVILEGES:
      complete_ok (client, 0);
      break;
    default:
      /* DISCONNECT_CLAIM, CONNINFO_EX, streams, synchronous CONTROL/BULK...:
       * "not supported" makes libusb take its fallback. */
      g_debug ("emulated usbfs: ioctl %lx not supported", request);
      complete_err (client, ENOTTY);
      break;
    }
  return TRUE;
}

