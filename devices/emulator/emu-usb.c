#include "emu-usb.h"

#include <errno.h>
#include <linux/usb/ch9.h>

#include "emu-timer.h"
#include "emu-usb-private.h"

G_DEFINE_TYPE_WITH_PRIVATE (CanteenEmuDevice, canteen_emu_device, UMOCKDEV_TYPE_IOCTL_BASE)

#define PRIV(self) ((CanteenEmuDevicePrivate *) canteen_emu_device_get_instance_private (self))

CanteenEmuDevicePrivate *
canteen_emu_device_priv (CanteenEmuDevice *self)
{
  return PRIV (self);
}

/* ---- URBs and endpoints (lock held unless said) ------------------------- */

void
emu_urb_free (Urb *urb)
{
  g_clear_object (&urb->client);
  g_clear_object (&urb->urb_data);
  g_clear_object (&urb->buf_data);
  g_free (urb);
}

Endpoint *
emu_find_ep (CanteenEmuDevicePrivate *priv, guint8 address)
{
  if ((address & 0x7F) == 0)
    return &priv->ep0;
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    if (priv->eps[i].address == address)
      return &priv->eps[i];
  return NULL;
}

Interface *
emu_find_if (CanteenEmuDevicePrivate *priv, guint number)
{
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    if (priv->ifs[i].number == number)
      return &priv->ifs[i];
  return NULL;
}

void
emu_finish_locked (CanteenEmuDevicePrivate *priv, Urb *urb, int status, int actual, guint delay_ms, Wake *wake)
{
  struct usbdevfs_urb *u = emu_urb_struct (urb);

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
GBytes *
emu_deliver_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, Urb *urb, GBytes *msg, Wake *wake)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (msg, &len);
  gsize cap = (gsize) emu_urb_struct (urb)->buffer_length;
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
  emu_finish_locked (priv, urb, status, (int) n, ep->delay_ms, wake);
  return rest;
}

void
emu_fail_pending_locked (CanteenEmuDevicePrivate *priv, Endpoint *ep, int status, Wake *wake)
{
  Urb *urb;

  while ((urb = g_queue_pop_head (&ep->pending)))
    emu_finish_locked (priv, urb, status, 0, 0, wake);
}

void
emu_clear_buffered (Endpoint *ep)
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
void
emu_purge_vanished_locked (CanteenEmuDevicePrivate *priv)
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
            emu_urb_free (urb);
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
          emu_urb_free (urb);
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

void
emu_wake_apply (CanteenEmuDevice *self, const Wake *wake)
{
  if (wake->now)
    call_notify (self);
  if (wake->later_ms)
    canteen_emu_timer_add (G_OBJECT (self), wake->later_ms + 1, notify_later_cb, NULL, NULL);
}

gboolean
emu_is_stale_locked (CanteenEmuDevicePrivate *priv, UMockdevIoctlClient *client)
{
  return !priv->devnode || g_strcmp0 (priv->devnode, umockdev_ioctl_client_get_devnode (client)) != 0;
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
  g_queue_clear_full (&ep->pending, (GDestroyNotify) emu_urb_free);
  emu_clear_buffered (ep);
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
  g_queue_clear_full (&priv->finished, (GDestroyNotify) emu_urb_free);
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
  base_class->handle_ioctl = canteen_emu_usbfs_handle_ioctl;
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
  iface = emu_find_if (priv, interface);
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
  ep = emu_find_ep (priv, endpoint);
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
  ep = emu_find_ep (priv, endpoint);
  if (!ep || ep == &priv->ep0)
    {
      g_mutex_unlock (&priv->lock);
      g_return_if_reached ();
    }
  iface = emu_find_if (priv, ep->interface);
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
      rest = emu_deliver_locked (priv, ep, urb, msg, &wake);
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
  emu_wake_apply (self, &wake);
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
  ep = emu_find_ep (priv, endpoint);
  if (ep && ep != &priv->ep0 && (endpoint & 0x80))
    urb = g_queue_pop_head (&ep->pending);
  if (urb)
    emu_finish_locked (priv, urb, -EPIPE, 0, ep->delay_ms, &wake);
  else if (ep)
    ep->stall = TRUE;
  g_mutex_unlock (&priv->lock);
  emu_wake_apply (self, &wake);
  g_return_if_fail (ep != NULL);
}

void
canteen_emu_device_swallow (CanteenEmuDevice *self, guint8 endpoint, gint count)
{
  CanteenEmuDevicePrivate *priv = PRIV (self);
  Endpoint *ep;

  g_mutex_lock (&priv->lock);
  ep = emu_find_ep (priv, endpoint);
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
  ep = emu_find_ep (priv, endpoint);
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
  ep = emu_find_ep (priv, endpoint);
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
    emu_clear_buffered (&priv->eps[i]);
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
  emu_fail_pending_locked (priv, &priv->ep0, -ESHUTDOWN, &wake);
  for (guint i = 0; i < priv->layout.n_endpoints; i++)
    {
      emu_fail_pending_locked (priv, &priv->eps[i], -ESHUTDOWN, &wake);
      emu_clear_buffered (&priv->eps[i]);
    }
  /* Replies held back by a delay never arrive either. */
  for (GList *l = priv->finished.head; l; l = l->next)
    {
      Urb *urb = l->data;
      if (urb->ready_at > now)
        {
          emu_urb_struct (urb)->status = -ESHUTDOWN;
          emu_urb_struct (urb)->actual_length = 0;
          urb->ready_at = now;
          wake.now = TRUE;
        }
    }
  for (guint i = 0; i < priv->layout.n_interfaces; i++)
    g_clear_object (&priv->ifs[i].claimed_by);
  g_mutex_unlock (&priv->lock);
  emu_wake_apply (self, &wake);
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
  iface = emu_find_if (priv, interface);
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
  emu_purge_vanished_locked (priv);
  iface = emu_find_if (priv, interface);
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
  ep = emu_find_ep (priv, endpoint);
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
