#include "emu-usb.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>

#include "emu-timer.h"

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

G_DEFINE_TYPE_WITH_PRIVATE (CanteenEmuDevice, canteen_emu_device, UMOCKDEV_TYPE_IOCTL_BASE)

#define PRIV(self) ((CanteenEmuDevicePrivate *) canteen_emu_device_get_instance_private (self))

/* What to tell the client once the lock is released: a URB is reapable
 * now, and/or one will be in `later_ms`. */
typedef struct {
  gboolean now;
  guint    later_ms;
} Wake;

static struct usbdevfs_urb *
urb_struct (Urb *urb)
{
  return (struct usbdevfs_urb *) (gpointer) urb->urb_data->data;
}

static void
urb_free (Urb *urb)
{
  g_clear_object (&urb->client);
  g_clear_object (&urb->urb_data);
  g_clear_object (&urb->buf_data);
  g_free (urb);
}

/* ---- state helpers (lock held) ----------------------------------------- */

static Endpoint *
find_ep (CanteenEmuDevicePrivate *priv, guint8 address)
{
  if ((address & 0x7F) == 0)
    return &priv->ep0;
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    if (priv->eps[i].address == address)
      return &priv->eps[i];
  return NULL;
}

static Interface *
find_if (CanteenEmuDevicePrivate *priv, guint number)
{
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    if (priv->ifs[i].number == number)
      return &priv->ifs[i];
  return NULL;
}

static void
finish_locked (CanteenEmuDevicePrivate *priv, Urb *urb, int status, int actual, guint delay_ms, Wake *wake)
{
  struct usbdevfs_urb *u = urb_struct (urb);

  u->status = status;
  u->actual_length = actual;
  u->error_count = 0;
  urb->ready_at = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  g_queue_push_tail (&priv->finished, urb);
  if (delay_ms)
    wake->later_ms = MAX (wake->later_ms, delay_ms);
  else
    wake->now = TRUE;
}

/* The bytes of `msg` into an IN URB; what did not fit (a message longer than
 * a whole-packet URB continues in the next URB) is returned. */
static GBytes *
deliver_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, Urb *urb, GBytes *msg, Wake *wake)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (msg, &len);
  gsize cap = (gsize) urb_struct (urb)->buffer_length;
  gsize n = MIN (len, cap);
  int status = 0;
  GBytes *rest = NULL;

  if (n)
    memcpy (urb->buf_data->data, data, n);
  if (len > cap)
    {
      if (cap > 0 && ep->max_packet && cap % ep->max_packet == 0)
        rest = g_bytes_new_from_bytes (msg, cap, len - cap);
      else
        status = -EOVERFLOW;          /* babble: the packet did not fit */
    }
  finish_locked (priv, urb, status, (int) n, ep->delay_ms, wake);
  return rest;
}

static void
fail_pending_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, int status, Wake *wake)
{
  Urb *urb;

  while ((urb = g_queue_pop_head (&ep->pending)))
    finish_locked (priv, urb, status, 0, 0, wake);
}

static void
clear_buffered (Endpoint *ep)
{
  g_queue_clear_full (&ep->buffered, (GDestroyNotify) g_bytes_unref);
}

static gboolean
client_gone (UMockdevIoctlClient *client)
{
  return !umockdev_ioctl_client_get_connected (client);
}

/* A closed file loses its URBs and claims, as with the kernel. umockdev
 * tells nobody when a client goes, so this runs on every ioctl. */
static void
purge_vanished_locked (CanteenEmuDevicePrivate *priv)
{
  Endpoint *all[CANTEEN_EMU_MAX_ENDPOINTS + 1];
  guint n = 0;

  all[n++] = &priv->ep0;
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    all[n++] = &priv->eps[i];
  for (guint i = 0; i < n; i++)
    for (GList *l = all[i]->pending.head; l;)
      {
        GList *next = l->next;
        Urb *urb = l->data;
        if (client_gone (urb->client))
          {
            g_queue_delete_link (&all[i]->pending, l);
            urb_free (urb);
          }
        l = next;
      }
  for (GList *l = priv->finished.head; l;)
    {
      GList *next = l->next;
      Urb *urb = l->data;
      if (client_gone (urb->client))
        {
          g_queue_delete_link (&priv->finished, l);
          urb_free (urb);
        }
      l = next;
    }
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    if (priv->ifs[i].claimed_by && client_gone (priv->ifs[i].claimed_by))
      g_clear_object (&priv->ifs[i].claimed_by);
}

/* ---- waking the client ------------------------------------------------- */

static void
call_notify (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  GFunc func;
  gpointer data;

  g_mutex_lock (&priv->lock);
  func = priv->notify;
  data = priv->notify_data;
  g_mutex_unlock (&priv->lock);
  if (func)
    func (self, data);
}

static gboolean
notify_later_cb (GObject *object, gpointer user_data)
{
  call_notify (CANTEEN_EMU_DEVICE (object));
  return G_SOURCE_REMOVE;
}

static void
wake_apply (CanteenEmuDevice *self, const Wake *wake)
{
  if (wake->now)
    call_notify (self);
  if (wake->later_ms)
    canteen_emu_timer_add (G_OBJECT (self), wake->later_ms + 1, notify_later_cb, NULL, NULL);
}

/* ---- the ioctls -------------------------------------------------------- */

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

static gboolean
is_stale_locked (CanteenEmuDevicePrivate *priv, UMockdevIoctlClient *client)
{
  return !priv->devnode || g_strcmp0 (priv->devnode, umockdev_ioctl_client_get_devnode (client)) != 0;
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
  purge_vanished_locked (priv);
  stale = is_stale_locked (priv, client);
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
      urb_free (found);
      return;
    }
  /* The client's `struct usbdevfs_urb *` now points at its own URB, and the
   * URB (status, actual_length, IN data) is written back with it. */
  umockdev_ioctl_data_set_ptr (slot, 0, found->urb_data);
  complete_ok (client, 0);
  urb_free (found);
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
  stale = is_stale_locked (priv, client);
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
            finish_locked (priv, urb, -ENOENT, 0, 0, &wake);
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
          urb_struct (urb)->status = -ENOENT;
          urb_struct (urb)->actual_length = 0;
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
  wake_apply (self, &wake);
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
        Endpoint *ep = find_ep (priv, (guint8) setup->index);
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
  Interface *iface = find_if (priv, ifno);

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
  struct usbdevfs_urb *u = urb_struct (urb);
  guint8 *buf = urb->buf_data ? urb->buf_data->data : NULL;
  CanteenEmuSetup setup;
  gboolean in;
  int iface, status;
  g_autoptr(GBytes) reply = NULL;
  Wake wake = { 0 };

  if (u->buffer_length < 8 || !buf)
    {
      urb_free (urb);
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
      urb_free (urb);
      complete_err (client, EINVAL);
      return;
    }

  g_mutex_lock (&priv->lock);
  iface = control_interface_locked (priv, &setup);
  if (iface >= 0 && control_blocked_locked (priv, &setup, (guint) iface))
    {
      g_mutex_unlock (&priv->lock);
      urb_free (urb);
      complete_err (client, EBUSY);
      return;
    }
  if (priv->ep0.stall)
    {
      priv->ep0.stall = FALSE;
      finish_locked (priv, urb, -EPIPE, 0, priv->ep0.delay_ms, &wake);
      g_mutex_unlock (&priv->lock);
      complete_ok (client, 0);
      wake_apply (self, &wake);
      return;
    }
  if (priv->ep0.swallow)
    {
      if (priv->ep0.swallow > 0)
        priv->ep0.swallow--;
      g_queue_push_tail (&priv->ep0.pending, urb);
      g_mutex_unlock (&priv->lock);
      complete_ok (client, 0);
      return;
    }
  g_mutex_unlock (&priv->lock);

  status = klass->control (self, &setup, in ? NULL : buf + 8, in ? 0 : setup.length, &reply);

  g_mutex_lock (&priv->lock);
  if (!priv->devnode)
    finish_locked (priv, urb, -ESHUTDOWN, 0, 0, &wake);
  else if (status != 0)
    finish_locked (priv, urb, status, 0, priv->ep0.delay_ms, &wake);
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
      finish_locked (priv, urb, 0, (int) len, priv->ep0.delay_ms, &wake);
    }
  else
    finish_locked (priv, urb, 0, setup.length, priv->ep0.delay_ms, &wake);
  g_mutex_unlock (&priv->lock);

  complete_ok (client, 0);
  wake_apply (self, &wake);
}

static void
submit_data (CanteenEmuDevice *self, UMockdevIoctlClient *client, Urb *urb)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  struct usbdevfs_urb *u = urb_struct (urb);
  Endpoint *ep;
  Interface *iface;
  g_autoptr(GBytes) out = NULL;
  Wake wake = { 0 };

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, urb->endpoint);
  if (!ep || ep == &priv->ep0)
    {
      g_mutex_unlock (&priv->lock);
      urb_free (urb);
      complete_err (client, ENOENT);
      return;
    }
  if ((ep->type == CANTEEN_EMU_EP_BULK) != (urb->type == USBDEVFS_URB_TYPE_BULK) ||
      (ep->type == CANTEEN_EMU_EP_INTERRUPT) != (urb->type == USBDEVFS_URB_TYPE_INTERRUPT))
    {
      g_mutex_unlock (&priv->lock);
      urb_free (urb);
      complete_err (client, EINVAL);
      return;
    }
  iface = find_if (priv, ep->interface);
  if (iface && iface->driver)
    {
      g_mutex_unlock (&priv->lock);
      urb_free (urb);
      complete_err (client, EBUSY);
      return;
    }

  if (ep->stall)
    {
      ep->stall = FALSE;
      finish_locked (priv, urb, -EPIPE, 0, ep->delay_ms, &wake);
    }
  else if (urb->endpoint & 0x80)
    {
      GBytes *msg = g_queue_pop_head (&ep->buffered);

      if (msg)
        {
          GBytes *rest = deliver_locked (priv, ep, urb, msg, &wake);
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
      finish_locked (priv, urb, 0, u->buffer_length, ep->delay_ms, &wake);
    }
  g_mutex_unlock (&priv->lock);

  complete_ok (client, 0);
  wake_apply (self, &wake);
  if (out)
    CANTEEN_EMU_DEVICE_GET_CLASS (self)->bulk_out (self, u->endpoint, out);
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
          urb_free (urb);
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
  iface = find_if (priv, gd->interface);
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
  iface = ctl->ifno >= 0 ? find_if (priv, (guint) ctl->ifno) : NULL;
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
  purge_vanished_locked (priv);
  iface = find_if (priv, number);
  if (!iface)
    err = ENOENT;
  else if (is_stale_locked (priv, client))
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
  iface = find_if (priv, *(guint32 *) (gpointer) data->data);
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
  ep = find_ep (priv, (guint8) *(guint32 *) (gpointer) data->data);
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
      clear_buffered (&priv->eps[i]);
      priv->eps[i].stall = FALSE;
    }
  g_mutex_unlock (&priv->lock);
  CANTEEN_EMU_DEVICE_GET_CLASS (self)->reset (self);
  complete_ok (client, 0);
}

static gboolean
canteen_emu_device_handle_ioctl (UMockdevIoctlBase *base, UMockdevIoctlClient *client)
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
  stale = is_stale_locked (priv, client);
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

/* ---- standard requests ------------------------------------------------- */

static int
canteen_emu_device_real_control (CanteenEmuDevice *self, const CanteenEmuSetup *setup,
                                 const guint8 *data, gsize len, GBytes **reply)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  static const guint8 zero2[2] = { 0, 0 }, one[1] = { 1 }, zero1[1] = { 0 };

  if ((setup->request_type & 0x60) != 0)      /* class or vendor: the model's */
    return -EPIPE;
  switch (setup->request)
    {
    case USB_REQ_GET_DESCRIPTOR:
      if (setup->request_type != 0x80)
        return -EPIPE;
      switch (setup->value >> 8)
        {
        case USB_DT_DEVICE:
          *reply = g_bytes_new_from_bytes (priv->descriptors, 0, 18);
          return 0;
        case USB_DT_CONFIG:
          if ((setup->value & 0xFF) != 0)
            return -EPIPE;
          *reply = g_bytes_new_from_bytes (priv->descriptors, 18, g_bytes_get_size (priv->descriptors) - 18);
          return 0;
        case USB_DT_STRING:
          {
            const char *s = NULL;
            switch (setup->value & 0xFF)
              {
              case 0:
                *reply = canteen_emu_language_descriptor ();
                return 0;
              case 1: s = priv->manufacturer; break;
              case 2: s = priv->product; break;
              case 3: s = priv->serial; break;
              default: break;
              }
            if (!s)
              return -EPIPE;
            *reply = canteen_emu_string_descriptor (s);
            return 0;
          }
        default:
          return -EPIPE;
        }
    case USB_REQ_GET_STATUS:
      *reply = g_bytes_new_static (zero2, 2);
      return 0;
    case USB_REQ_GET_CONFIGURATION:
      *reply = g_bytes_new_static (one, 1);
      return 0;
    case USB_REQ_GET_INTERFACE:
      *reply = g_bytes_new_static (zero1, 1);
      return 0;
    case USB_REQ_SET_CONFIGURATION:
    case USB_REQ_SET_INTERFACE:
    case USB_REQ_CLEAR_FEATURE:
    case USB_REQ_SET_FEATURE:
      return 0;
    default:
      return -EPIPE;
    }
}

static void
canteen_emu_device_real_bulk_out (CanteenEmuDevice *self, guint8 endpoint, GBytes *bytes)
{
}

static void
canteen_emu_device_real_reset (CanteenEmuDevice *self)
{
}

static void
canteen_emu_device_real_claimed (CanteenEmuDevice *self, guint8 interface)
{
}

/* ---- object ------------------------------------------------------------ */

static void
endpoint_clear (Endpoint *ep)
{
  g_queue_clear_full (&ep->pending, (GDestroyNotify) urb_free);
  clear_buffered (ep);
  g_clear_pointer (&ep->corrupt, g_bytes_unref);
}

static void
canteen_emu_device_finalize (GObject *object)
{
  CanteenEmuDevice *self = CANTEEN_EMU_DEVICE (object);
  CanteenEmuDevicePrivate *priv = PRIV (self);

  endpoint_clear (&priv->ep0);
  for (guint i = 0; i < CANTEEN_EMU_MAX_ENDPOINTS; i++)
    endpoint_clear (&priv->eps[i]);
  for (guint i = 0; i < CANTEEN_EMU_MAX_INTERFACES; i++)
    {
      g_free (priv->ifs[i].default_driver);
      g_free (priv->ifs[i].driver);
      g_clear_object (&priv->ifs[i].claimed_by);
    }
  g_queue_clear_full (&priv->finished, (GDestroyNotify) urb_free);
  if (priv->notify_destroy)
    priv->notify_destroy (priv->notify_data);
  g_clear_pointer (&priv->descriptors, g_bytes_unref);
  g_free (priv->manufacturer);
  g_free (priv->product);
  g_free (priv->serial);
  g_free (priv->devnode);
  g_mutex_clear (&priv->lock);
  G_OBJECT_CLASS (canteen_emu_device_parent_class)->finalize (object);
}

static void
canteen_emu_device_class_init (CanteenEmuDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  UMockdevIoctlBaseClass *base_class = UMOCKDEV_IOCTL_BASE_CLASS (klass);

  object_class->finalize = canteen_emu_device_finalize;
  base_class->handle_ioctl = canteen_emu_device_handle_ioctl;
  klass->control = canteen_emu_device_real_control;
  klass->bulk_out = canteen_emu_device_real_bulk_out;
  klass->reset = canteen_emu_device_real_reset;
  klass->claimed = canteen_emu_device_real_claimed;
}

static void
canteen_emu_device_init (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);

  g_mutex_init (&priv->lock);
  priv->ep0.max_packet = 64;
}

/* ---- public ------------------------------------------------------------ */

gboolean
canteen_emu_device_set_descriptors (CanteenEmuDevice *self, const CanteenEmuIdentity *identity,
                                    GBytes *config, GError **error)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  g_autoptr(GBytes) descriptors = canteen_emu_descriptors_build (identity, config);
  CanteenEmuLayout layout;

  g_return_val_if_fail (priv->descriptors == NULL, FALSE);
  if (!canteen_emu_descriptors_parse (descriptors, &layout, error))
    return FALSE;
  g_mutex_lock (&priv->lock);
  priv->descriptors = g_steal_pointer (&descriptors);
  priv->layout = layout;
  priv->manufacturer = g_strdup (identity->manufacturer);
  priv->product = g_strdup (identity->product);
  priv->serial = g_strdup (identity->serial);
  for (guint i = 0; i < layout.n_endpoints; i++)
    {
      priv->eps[i].address = layout.endpoints[i].address;
      priv->eps[i].type = layout.endpoints[i].type;
      priv->eps[i].max_packet = layout.endpoints[i].max_packet;
      priv->eps[i].interface = layout.endpoints[i].interface;
    }
  for (guint i = 0; i < layout.n_interfaces; i++)
    priv->ifs[i].number = layout.interfaces[i].number;
  g_mutex_unlock (&priv->lock);
  return TRUE;
}

void
canteen_emu_device_set_kernel_driver (CanteenEmuDevice *self, guint8 interface, const char *driver)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Interface *iface;

  g_mutex_lock (&priv->lock);
  iface = find_if (priv, interface);
  if (iface)
    {
      g_free (iface->default_driver);
      g_free (iface->driver);
      iface->default_driver = g_strdup (driver);
      iface->driver = g_strdup (driver);
    }
  g_mutex_unlock (&priv->lock);
  g_return_if_fail (iface != NULL);
}

void
canteen_emu_device_set_in_limit (CanteenEmuDevice *self, guint8 endpoint, guint max_messages)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (ep)
    ep->limit = max_messages;
  g_mutex_unlock (&priv->lock);
  g_return_if_fail (ep != NULL);
}

GBytes *
canteen_emu_device_get_descriptors (CanteenEmuDevice *self)
{
  return PRIV (self)->descriptors;
}

const CanteenEmuLayout *
canteen_emu_device_get_layout (CanteenEmuDevice *self)
{
  return &PRIV (self)->layout;
}

guint16
canteen_emu_device_get_vendor_id (CanteenEmuDevice *self)
{
  return PRIV (self)->layout.vendor_id;
}

guint16
canteen_emu_device_get_product_id (CanteenEmuDevice *self)
{
  return PRIV (self)->layout.product_id;
}

const char *
canteen_emu_device_get_product (CanteenEmuDevice *self)
{
  return PRIV (self)->product;
}

const char *
canteen_emu_device_get_manufacturer (CanteenEmuDevice *self)
{
  return PRIV (self)->manufacturer;
}

const char *
canteen_emu_device_get_serial (CanteenEmuDevice *self)
{
  return PRIV (self)->serial;
}

void
canteen_emu_device_push_in (CanteenEmuDevice *self, guint8 endpoint, const guint8 *data, gsize len)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;
  Interface *iface;
  GBytes *msg;
  Wake wake = { 0 };

  g_return_if_fail (endpoint & 0x80);
  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (!ep || ep == &priv->ep0)
    {
      g_mutex_unlock (&priv->lock);
      g_return_if_reached ();
    }
  iface = find_if (priv, ep->interface);
  /* Unplugged, or the kernel's driver has the interface and eats it. */
  if (!priv->devnode || (iface && iface->driver))
    goto out;
  if (ep->swallow)
    {
      if (ep->swallow > 0)
        ep->swallow--;
      goto out;
    }
  msg = ep->corrupt ? g_steal_pointer (&ep->corrupt) : g_bytes_new (data, len);
  while (msg)
    {
      Urb *urb = g_queue_pop_head (&ep->pending);
      GBytes *rest;

      if (!urb)
        break;
      rest = deliver_locked (priv, ep, urb, msg, &wake);
      g_bytes_unref (msg);
      msg = rest;
    }
  if (msg)
    {
      g_queue_push_tail (&ep->buffered, msg);
      while (ep->limit && ep->buffered.length > ep->limit)
        g_bytes_unref (g_queue_pop_head (&ep->buffered));
    }
out:
  g_mutex_unlock (&priv->lock);
  wake_apply (self, &wake);
}

void
canteen_emu_device_set_notify (CanteenEmuDevice *self, GFunc func, gpointer user_data, GDestroyNotify destroy)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_mutex_lock (&priv->lock);
  old_data = priv->notify_data;
  old_destroy = priv->notify_destroy;
  priv->notify = func;
  priv->notify_data = user_data;
  priv->notify_destroy = destroy;
  g_mutex_unlock (&priv->lock);
  if (old_destroy)
    old_destroy (old_data);
}

void
canteen_emu_device_stall_next (CanteenEmuDevice *self, guint8 endpoint)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;
  Urb *urb = NULL;
  Wake wake = { 0 };

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (ep && ep != &priv->ep0 && (endpoint & 0x80))
    urb = g_queue_pop_head (&ep->pending);
  if (urb)
    finish_locked (priv, urb, -EPIPE, 0, ep->delay_ms, &wake);
  else if (ep)
    ep->stall = TRUE;
  g_mutex_unlock (&priv->lock);
  wake_apply (self, &wake);
  g_return_if_fail (ep != NULL);
}

void
canteen_emu_device_swallow (CanteenEmuDevice *self, guint8 endpoint, gint count)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (ep)
    ep->swallow = count;
  g_mutex_unlock (&priv->lock);
  g_return_if_fail (ep != NULL);
}

void
canteen_emu_device_corrupt_next (CanteenEmuDevice *self, guint8 endpoint, const guint8 *bytes, gsize len)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (ep)
    {
      g_clear_pointer (&ep->corrupt, g_bytes_unref);
      ep->corrupt = g_bytes_new (bytes, len);
    }
  g_mutex_unlock (&priv->lock);
  g_return_if_fail (ep != NULL);
}

void
canteen_emu_device_set_delay (CanteenEmuDevice *self, guint8 endpoint, guint ms)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  if (ep)
    ep->delay_ms = ms;
  g_mutex_unlock (&priv->lock);
  g_return_if_fail (ep != NULL);
}

static void
clear_faults (Endpoint *ep)
{
  ep->stall = FALSE;
  ep->swallow = 0;
  ep->delay_ms = 0;
  g_clear_pointer (&ep->corrupt, g_bytes_unref);
}

void
canteen_emu_device_clear_faults (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);

  g_mutex_lock (&priv->lock);
  clear_faults (&priv->ep0);
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    clear_faults (&priv->eps[i]);
  g_mutex_unlock (&priv->lock);
}

void
canteen_emu_device_connect (CanteenEmuDevice *self, const char *devnode)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);

  g_return_if_fail (devnode != NULL);
  g_mutex_lock (&priv->lock);
  g_free (priv->devnode);
  priv->devnode = g_strdup (devnode);
  /* A device plugged in afresh: the kernel binds its drivers again and
   * nothing of the previous connection is left in its endpoints. */
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    {
      g_free (priv->ifs[i].driver);
      priv->ifs[i].driver = g_strdup (priv->ifs[i].default_driver);
      g_clear_object (&priv->ifs[i].claimed_by);
    }
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    clear_buffered (&priv->eps[i]);
  g_mutex_unlock (&priv->lock);
  CANTEEN_EMU_DEVICE_GET_CLASS (self)->reset (self);
}

void
canteen_emu_device_disconnect (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Wake wake = { 0 };
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&priv->lock);
  g_clear_pointer (&priv->devnode, g_free);
  fail_pending_locked (priv, &priv->ep0, -ESHUTDOWN, &wake);
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    {
      fail_pending_locked (priv, &priv->eps[i], -ESHUTDOWN, &wake);
      clear_buffered (&priv->eps[i]);
    }
  /* Replies held back by a delay never arrive either. */
  for (GList *l = priv->finished.head; l; l = l->next)
    {
      Urb *urb = l->data;
      if (urb->ready_at > now)
        {
          urb_struct (urb)->status = -ESHUTDOWN;
          urb_struct (urb)->actual_length = 0;
          urb->ready_at = now;
          wake.now = TRUE;
        }
    }
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    g_clear_object (&priv->ifs[i].claimed_by);
  g_mutex_unlock (&priv->lock);
  wake_apply (self, &wake);
}

gboolean
canteen_emu_device_is_connected (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  gboolean connected;

  g_mutex_lock (&priv->lock);
  connected = priv->devnode != NULL;
  g_mutex_unlock (&priv->lock);
  return connected;
}

char *
canteen_emu_device_dup_devnode (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  char *node;

  g_mutex_lock (&priv->lock);
  node = g_strdup (priv->devnode);
  g_mutex_unlock (&priv->lock);
  return node;
}

gboolean
canteen_emu_device_get_kernel_driver_bound (CanteenEmuDevice *self, guint8 interface)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Interface *iface;
  gboolean bound;

  g_mutex_lock (&priv->lock);
  iface = find_if (priv, interface);
  bound = iface && iface->driver;
  g_mutex_unlock (&priv->lock);
  return bound;
}

gboolean
canteen_emu_device_get_claimed (CanteenEmuDevice *self, guint8 interface)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Interface *iface;
  gboolean claimed;

  g_mutex_lock (&priv->lock);
  purge_vanished_locked (priv);
  iface = find_if (priv, interface);
  claimed = iface && iface->claimed_by;
  g_mutex_unlock (&priv->lock);
  return claimed;
}

guint
canteen_emu_device_get_pending_in (CanteenEmuDevice *self, guint8 endpoint)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;
  guint n;

  g_mutex_lock (&priv->lock);
  ep = find_ep (priv, endpoint);
  n = ep ? ep->pending.length : 0;
  g_mutex_unlock (&priv->lock);
  return n;
}

guint
canteen_emu_device_get_discards (CanteenEmuDevice *self)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  guint n;

  g_mutex_lock (&priv->lock);
  n = priv->discards;
  g_mutex_unlock (&priv->lock);
  return n;
}
