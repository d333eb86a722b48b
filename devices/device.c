#include "device-error.h"
#include "device.h"

typedef struct {
  CanteenUsbContext    *usb;
  libusb_device        *usb_device;
  libusb_device_handle *handle;
  gint                  interface;
  GArray               *claimed;       /* gint: interfaces to release on close */
  guint16               vid, pid;
  char                 *location;
  char                 *name;
  CanteenDeviceState    state;
  char                 *error;
  GPtrArray            *in_flight;     /* Transfer* */
  gboolean              close_pending; /* libusb_close once in_flight drains */
} CanteenDevicePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CanteenDevice, canteen_device, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_ERROR, N_PROPS };
static GParamSpec *properties[N_PROPS];

const char *
canteen_device_kind_to_string (CanteenDeviceKind kind)
{
  switch (kind)
    {
    case CANTEEN_DEVICE_KIND_CARD_READER: return "card-reader";
    case CANTEEN_DEVICE_KIND_SCALE:       return "scale";
    case CANTEEN_DEVICE_KIND_PRINTER:     return "printer";
    case CANTEEN_DEVICE_KIND_CAMERA:      return "camera";
    default:                              return "unknown";
    }
}

const char *
canteen_device_state_to_string (CanteenDeviceState state)
{
  switch (state)
    {
    case CANTEEN_DEVICE_STATE_CLOSED: return "closed";
    case CANTEEN_DEVICE_STATE_READY:  return "ready";
    case CANTEEN_DEVICE_STATE_FAILED: return "failed";
    case CANTEEN_DEVICE_STATE_GONE:   return "gone";
    default:                          return "unknown";
    }
}

/* --- matching -------------------------------------------------------- */

static gboolean
id_matches (const CanteenUsbId *id, const struct libusb_device_descriptor *dd,
            const struct libusb_interface_descriptor *alt)
{
  if (id->vid != 0 && id->vid != dd->idVendor)
    return FALSE;
  if (id->pid != 0 && id->pid != dd->idProduct)
    return FALSE;
  if (id->iface_class >= 0 && id->iface_class != alt->bInterfaceClass)
    return FALSE;
  if (id->iface_subclass >= 0 && id->iface_subclass != alt->bInterfaceSubClass)
    return FALSE;
  if (id->iface_protocol >= 0 && id->iface_protocol != alt->bInterfaceProtocol)
    return FALSE;
  return TRUE;
}

gint
canteen_device_class_match (CanteenDeviceClass *klass, libusb_device *device)
{
  struct libusb_device_descriptor dd;
  struct libusb_config_descriptor *config = NULL;
  gint found = -1;

  if (klass->id_table == NULL || libusb_get_device_descriptor (device, &dd) != LIBUSB_SUCCESS)
    return -1;
  if (libusb_get_active_config_descriptor (device, &config) != LIBUSB_SUCCESS
      && libusb_get_config_descriptor (device, 0, &config) != LIBUSB_SUCCESS)
    return -1;

  for (guint i = 0; found < 0 && i < config->bNumInterfaces; i++)
    {
      const struct libusb_interface *iface = &config->interface[i];
      for (gint a = 0; found < 0 && a < iface->num_altsetting; a++)
        {
          const struct libusb_interface_descriptor *alt = &iface->altsetting[a];
          for (const CanteenUsbId *id = klass->id_table; !id->end; id++)
            if (id_matches (id, &dd, alt) && (klass->probe == NULL || klass->probe (klass, device, alt)))
              {
                found = alt->bInterfaceNumber;
                break;
              }
        }
    }
  libusb_free_config_descriptor (config);
  return found;
}

/* --- identity -------------------------------------------------------- */

static char *
location_of (libusb_device *device)
{
  guint8 ports[8];
  int n = libusb_get_port_numbers (device, ports, G_N_ELEMENTS (ports));
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u", libusb_get_bus_number (device));
  if (n <= 0)
    g_string_append_printf (s, ".%u", libusb_get_device_address (device));
  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "%c%u", i == 0 ? '-' : '.', ports[i]);
  return g_string_free (s, FALSE);
}

static void
attach_usb (CanteenDevice *self, libusb_device *device, gint interface)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  CanteenDeviceClass *klass = CANTEEN_DEVICE_GET_CLASS (self);
  struct libusb_device_descriptor dd = { 0 };

  g_clear_pointer (&priv->usb_device, libusb_unref_device);
  priv->usb_device = libusb_ref_device (device);
  priv->interface = interface;
  if (libusb_get_device_descriptor (device, &dd) == LIBUSB_SUCCESS)
    {
      priv->vid = dd.idVendor;
      priv->pid = dd.idProduct;
    }
  g_free (priv->location);
  priv->location = location_of (device);
  g_free (priv->name);
  priv->name = g_strdup_printf ("%s %04X:%04X at %s", klass->driver, priv->vid, priv->pid, priv->location);
}

gboolean
canteen_device_same_identity (CanteenDevice *self, libusb_device *device)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  struct libusb_device_descriptor dd;
  g_autofree char *location = NULL;

  if (libusb_get_device_descriptor (device, &dd) != LIBUSB_SUCCESS
      || dd.idVendor != priv->vid || dd.idProduct != priv->pid)
    return FALSE;
  location = location_of (device);
  return g_strcmp0 (location, priv->location) == 0;
}

CanteenDevice *
canteen_device_new (GType type, CanteenUsbContext *usb, libusb_device *device, gint interface)
{
  CanteenDevice *self;
  CanteenDevicePrivate *priv;

  g_return_val_if_fail (g_type_is_a (type, CANTEEN_TYPE_DEVICE), NULL);
  self = g_object_new (type, NULL);
  priv = canteen_device_get_instance_private (self);
  priv->usb = g_object_ref (usb);
  attach_usb (self, device, interface);
  return self;
}

/* --- state ----------------------------------------------------------- */

static void
set_state (CanteenDevice *self, CanteenDeviceState state, const char *error)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  gboolean error_changed = g_strcmp0 (error, priv->error) != 0;

  if (error_changed)
    {
      g_free (priv->error);
      priv->error = g_strdup (error);
    }
  if (priv->state != state)
    {
      priv->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (error_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

void
canteen_device_set_failed (CanteenDevice *self, const GError *error)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  if (priv->state == CANTEEN_DEVICE_STATE_GONE)
    return;
  set_state (self, CANTEEN_DEVICE_STATE_FAILED, error != NULL ? error->message : NULL);
}

void
canteen_device_set_ready (CanteenDevice *self)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  if (priv->handle != NULL && priv->state != CANTEEN_DEVICE_STATE_GONE)
    set_state (self, CANTEEN_DEVICE_STATE_READY, NULL);
}

void
canteen_device_set_error (CanteenDevice *self, GError **error, gint code,
                          const char *operation, const char *fmt, ...)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  g_autofree char *cause = NULL;
  va_list args;

  va_start (args, fmt);
  cause = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, CANTEEN_DEVICE_ERROR, code, "%s: %s: %s", priv->name, operation, cause);
}

static gint
code_for_libusb (int rc)
{
  switch (rc)
    {
    case LIBUSB_ERROR_ACCESS:    return CANTEEN_DEVICE_ERROR_ACCESS;
    case LIBUSB_ERROR_BUSY:      return CANTEEN_DEVICE_ERROR_BUSY;
    case LIBUSB_ERROR_NO_DEVICE: return CANTEEN_DEVICE_ERROR_GONE;
    case LIBUSB_ERROR_NOT_FOUND: return CANTEEN_DEVICE_ERROR_GONE;
    case LIBUSB_ERROR_TIMEOUT:   return CANTEEN_DEVICE_ERROR_TIMED_OUT;
    case LIBUSB_ERROR_NOT_SUPPORTED: return CANTEEN_DEVICE_ERROR_NOT_SUPPORTED;
    default:                     return CANTEEN_DEVICE_ERROR_IO;
    }
}

static void
set_libusb_error (CanteenDevice *self, GError **error, const char *operation, int rc)
{
  if (rc == LIBUSB_ERROR_ACCESS)
    canteen_device_set_error (self, error, CANTEEN_DEVICE_ERROR_ACCESS, operation,
                              "permission denied (install assets/udev/70-canteen-devices.rules)");
  else
    canteen_device_set_error (self, error, code_for_libusb (rc), operation, "%s", libusb_strerror (rc));
}

/* --- the driven interface --------------------------------------------- */

/* Calls `fn` with the driven interface's first alternate setting. */
static gboolean
with_interface (CanteenDevice *self, gboolean (*fn) (const struct libusb_interface_descriptor *, gpointer),
                gpointer data)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  struct libusb_config_descriptor *config = NULL;
  gboolean found = FALSE;

  if (libusb_get_active_config_descriptor (priv->usb_device, &config) != LIBUSB_SUCCESS)
    return FALSE;
  for (guint i = 0; i < config->bNumInterfaces && !found; i++)
    {
      const struct libusb_interface_descriptor *alt = &config->interface[i].altsetting[0];
      if (config->interface[i].num_altsetting > 0 && alt->bInterfaceNumber == priv->interface)
        found = fn (alt, data);
    }
  libusb_free_config_descriptor (config);
  return found;
}

static gboolean
copy_info (const struct libusb_interface_descriptor *alt, gpointer data)
{
  CanteenInterfaceInfo *out = data;

  out->cls = alt->bInterfaceClass;
  out->subclass = alt->bInterfaceSubClass;
  out->protocol = alt->bInterfaceProtocol;
  out->extra = g_bytes_new (alt->extra, (gsize) MAX (alt->extra_length, 0));
  return TRUE;
}

gboolean
canteen_device_get_interface_info (CanteenDevice *self, CanteenInterfaceInfo *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (with_interface (self, copy_info, out))
    return TRUE;
  canteen_device_set_error (self, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "opening",
                            "interface %d is missing from the active configuration",
                            canteen_device_get_interface (self));
  return FALSE;
}

void
canteen_interface_info_clear (CanteenInterfaceInfo *info)
{
  g_clear_pointer (&info->extra, g_bytes_unref);
}

typedef struct {
  guint8   type, direction;
  guint8   address;
  guint16  max_packet;
} EndpointQuery;

static gboolean
match_endpoint (const struct libusb_interface_descriptor *alt, gpointer data)
{
  EndpointQuery *q = data;

  for (guint e = 0; e < alt->bNumEndpoints; e++)
    {
      const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
      if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) == q->type
          && (ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == q->direction)
        {
          q->address = ep->bEndpointAddress;
          q->max_packet = ep->wMaxPacketSize;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
canteen_device_find_endpoint (CanteenDevice *self, guint8 type, guint8 direction,
                              guint8 *address, guint16 *max_packet)
{
  EndpointQuery q = { type, direction, 0, 0 };

  if (!with_interface (self, match_endpoint, &q))
    return FALSE;
  *address = q.address;
  if (max_packet != NULL)
    *max_packet = q.max_packet;
  return TRUE;
}

/* --- open / close ---------------------------------------------------- */

gboolean
canteen_device_claim_interface (CanteenDevice *self, gint interface, GError **error)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  int rc;

  g_return_val_if_fail (priv->handle != NULL, FALSE);
  rc = libusb_kernel_driver_active (priv->handle, interface);
  if (rc == 1)
    {
      rc = libusb_detach_kernel_driver (priv->handle, interface);
      if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_NOT_FOUND)
        {
          set_libusb_error (self, error, "detaching the kernel driver", rc);
          return FALSE;
        }
    }
  rc = libusb_claim_interface (priv->handle, interface);
  if (rc != LIBUSB_SUCCESS)
    {
      set_libusb_error (self, error, "claiming the interface", rc);
      return FALSE;
    }
  g_array_append_val (priv->claimed, interface);
  return TRUE;
}

static void
release_and_close (CanteenDevice *self)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  if (priv->handle == NULL)
    return;
  for (guint i = 0; i < priv->claimed->len; i++)
    libusb_release_interface (priv->handle, g_array_index (priv->claimed, gint, i));
  g_array_set_size (priv->claimed, 0);
  libusb_close (priv->handle);
  priv->handle = NULL;
  priv->close_pending = FALSE;
}

gboolean
canteen_device_open (CanteenDevice *self, GError **error)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  CanteenDeviceClass *klass = CANTEEN_DEVICE_GET_CLASS (self);
  g_autoptr (GError) local = NULL;
  int rc;

  g_return_val_if_fail (CANTEEN_IS_DEVICE (self), FALSE);
  if (priv->handle != NULL && !priv->close_pending)
    return TRUE;
  if (priv->close_pending)
    {
      canteen_device_set_error (self, error, CANTEEN_DEVICE_ERROR_BUSY, "opening",
                                "still closing (transfers in flight)");
      return FALSE;
    }

  rc = libusb_open (priv->usb_device, &priv->handle);
  if (rc != LIBUSB_SUCCESS)
    {
      priv->handle = NULL;
      set_libusb_error (self, &local, "opening", rc);
    }
  else if (!klass->open (self, &local))
    {
      if (klass->cancel != NULL)
        klass->cancel (self);
      if (priv->in_flight->len > 0)
        priv->close_pending = TRUE;
      else
        release_and_close (self);
    }

  if (local != NULL)
    {
      set_state (self, CANTEEN_DEVICE_STATE_FAILED, local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  set_state (self, CANTEEN_DEVICE_STATE_READY, NULL);
  return TRUE;
}

static void cancel_in_flight (CanteenDevice *self);

void
canteen_device_cancel (CanteenDevice *self)
{
  CanteenDeviceClass *klass = CANTEEN_DEVICE_GET_CLASS (self);

  if (klass->cancel != NULL)
    klass->cancel (self);
}

static void
close_internal (CanteenDevice *self, CanteenDeviceState state)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  CanteenDeviceClass *klass = CANTEEN_DEVICE_GET_CLASS (self);

  if (priv->handle != NULL && !priv->close_pending)
    {
      if (klass->cancel != NULL)
        klass->cancel (self);
      if (klass->close != NULL)
        klass->close (self);
      cancel_in_flight (self);
      if (priv->in_flight->len > 0)
        priv->close_pending = TRUE;   /* finished by the last transfer callback */
      else
        release_and_close (self);
    }
  set_state (self, state, state == CANTEEN_DEVICE_STATE_GONE ? NULL : priv->error);
}

void
canteen_device_close (CanteenDevice *self)
{
  close_internal (self, CANTEEN_DEVICE_STATE_CLOSED);
}

void
canteen_device_mark_gone (CanteenDevice *self)
{
  close_internal (self, CANTEEN_DEVICE_STATE_GONE);
}

void
canteen_device_reattach (CanteenDevice *self, libusb_device *device, gint interface)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  g_return_if_fail (priv->handle == NULL || priv->close_pending);
  attach_usb (self, device, interface);
  set_state (self, CANTEEN_DEVICE_STATE_CLOSED, NULL);
}

/* --- transfers ------------------------------------------------------- */

typedef struct {
  CanteenDevice          *device;     /* a ref while in flight */
  GTask                  *task;
  struct libusb_transfer *xfer;
  GCancellable           *cancellable;
  gulong                  cancel_id;
  char                   *operation;
  gboolean                is_in;
  gboolean                is_control;
  gsize                   out_length;
} Transfer;

static void
transfer_cancelled (GCancellable *cancellable, gpointer data)
{
  Transfer *t = data;
  libusb_cancel_transfer (t->xfer);
}

static void
cancel_in_flight (CanteenDevice *self)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  for (guint i = 0; i < priv->in_flight->len; i++)
    libusb_cancel_transfer (((Transfer *) g_ptr_array_index (priv->in_flight, i))->xfer);
}

static gboolean
finish_close (gpointer data)
{
  CanteenDevice *self = data;
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  if (priv->close_pending && priv->in_flight->len == 0)
    release_and_close (self);
  return G_SOURCE_REMOVE;
}

static void LIBUSB_CALL
transfer_done (struct libusb_transfer *xfer)
{
  Transfer *t = xfer->user_data;
  CanteenDevice *self = t->device;
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  GError *error = NULL;

  if (t->cancel_id != 0)
    g_cancellable_disconnect (t->cancellable, t->cancel_id);
  g_ptr_array_remove_fast (priv->in_flight, t);
  canteen_usb_context_transfer_finished (priv->usb);

  switch (xfer->status)
    {
    case LIBUSB_TRANSFER_COMPLETED:
      if (t->is_in)
        {
          const guint8 *data = t->is_control ? libusb_control_transfer_get_data (xfer) : xfer->buffer;
          g_task_return_pointer (t->task, g_bytes_new (data, (gsize) xfer->actual_length),
                                 (GDestroyNotify) g_bytes_unref);
        }
      else if ((gsize) xfer->actual_length != t->out_length)
        canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_IO, t->operation,
                                  "short write (%d of %" G_GSIZE_FORMAT " bytes)",
                                  xfer->actual_length, t->out_length);
      else
        g_task_return_pointer (t->task, g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);
      break;
    case LIBUSB_TRANSFER_TIMED_OUT:
      canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_TIMED_OUT, t->operation,
                                "no answer within %u ms", xfer->timeout);
      break;
    case LIBUSB_TRANSFER_CANCELLED:
      if (g_cancellable_is_cancelled (t->cancellable))
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: %s: cancelled",
                             canteen_device_get_name (self), t->operation);
      else
        canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_GONE, t->operation,
                                  "the device was closed");
      break;
    case LIBUSB_TRANSFER_NO_DEVICE:
      canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_GONE, t->operation,
                                "the device was unplugged");
      break;
    case LIBUSB_TRANSFER_STALL:
      canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_IO, t->operation,
                                "the device refused the request (endpoint stalled)");
      break;
    case LIBUSB_TRANSFER_OVERFLOW:
      canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_PROTOCOL, t->operation,
                                "the device sent more than was asked for");
      break;
    case LIBUSB_TRANSFER_ERROR:
    default:
      canteen_device_set_error (self, &error, CANTEEN_DEVICE_ERROR_IO, t->operation,
                                "transfer failed");
      break;
    }
  if (error != NULL)
    g_task_return_error (t->task, error);

  /* libusb_close() may not run inside libusb's event handling (it takes
   * the event lock we are under): finish the close from an idle. */
  if (priv->close_pending && priv->in_flight->len == 0)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, finish_close, g_object_ref (self), g_object_unref);

  g_free (xfer->buffer);
  libusb_free_transfer (xfer);
  g_clear_object (&t->cancellable);
  g_object_unref (t->task);
  g_free (t->operation);
  g_free (t);
  g_object_unref (self);
}

static void
submit (CanteenDevice *self, Transfer *t)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);
  g_autoptr (GError) error = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (t->task))
    goto fail;
  if (priv->handle == NULL || priv->close_pending)
    {
      canteen_device_set_error (self, &error,
                                priv->state == CANTEEN_DEVICE_STATE_GONE ? CANTEEN_DEVICE_ERROR_GONE
                                                                         : CANTEEN_DEVICE_ERROR_IO,
                                t->operation, "the device is not open");
      g_task_return_error (t->task, g_steal_pointer (&error));
      goto fail;
    }

  t->xfer->dev_handle = priv->handle;
  rc = libusb_submit_transfer (t->xfer);
  if (rc != LIBUSB_SUCCESS)
    {
      set_libusb_error (self, &error, t->operation, rc);
      g_task_return_error (t->task, g_steal_pointer (&error));
      goto fail;
    }
  t->device = g_object_ref (self);
  g_ptr_array_add (priv->in_flight, t);
  canteen_usb_context_transfer_started (priv->usb);
  if (t->cancellable != NULL)
    t->cancel_id = g_cancellable_connect (t->cancellable, G_CALLBACK (transfer_cancelled), t, NULL);
  return;

fail:
  g_free (t->xfer->buffer);
  libusb_free_transfer (t->xfer);
  g_clear_object (&t->cancellable);
  g_object_unref (t->task);
  g_free (t->operation);
  g_free (t);
}

static Transfer *
transfer_new (CanteenDevice *self, const char *operation, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  Transfer *t = g_new0 (Transfer, 1);

  t->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (t->task, canteen_device_transfer);
  t->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  t->operation = g_strdup (operation);
  t->xfer = libusb_alloc_transfer (0);
  return t;
}

void
canteen_device_transfer (CanteenDevice *self, const char *operation,
                         guint8 type, guint8 endpoint, GBytes *out, gsize in_length,
                         guint timeout_ms, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  Transfer *t;
  guint8 *buffer;
  gsize length;

  g_return_if_fail (CANTEEN_IS_DEVICE (self));
  g_return_if_fail (type == LIBUSB_TRANSFER_TYPE_BULK || type == LIBUSB_TRANSFER_TYPE_INTERRUPT);
  g_return_if_fail (((endpoint & LIBUSB_ENDPOINT_IN) != 0) == (out == NULL));
  /* Only listening on an interrupt endpoint may wait without a deadline. */
  g_return_if_fail (timeout_ms > 0 || (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && out == NULL));

  t = transfer_new (self, operation, cancellable, callback, user_data);
  t->is_in = (endpoint & LIBUSB_ENDPOINT_IN) != 0;
  length = t->is_in ? in_length : g_bytes_get_size (out);
  g_return_if_fail (length <= G_MAXINT);
  buffer = g_malloc0 (MAX (length, 1));
  if (!t->is_in)
    memcpy (buffer, g_bytes_get_data (out, NULL), length);
  t->out_length = t->is_in ? 0 : length;

  if (type == LIBUSB_TRANSFER_TYPE_BULK)
    libusb_fill_bulk_transfer (t->xfer, NULL, endpoint, buffer, (int) length, transfer_done, t, timeout_ms);
  else
    libusb_fill_interrupt_transfer (t->xfer, NULL, endpoint, buffer, (int) length, transfer_done, t, timeout_ms);
  submit (self, t);
}

void
canteen_device_control (CanteenDevice *self, const char *operation,
                        guint8 request_type, guint8 request, guint16 value, guint16 index,
                        GBytes *out, guint16 in_length,
                        guint timeout_ms, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  Transfer *t;
  guint8 *buffer;
  gsize length;

  g_return_if_fail (CANTEEN_IS_DEVICE (self));
  g_return_if_fail (timeout_ms > 0);

  t = transfer_new (self, operation, cancellable, callback, user_data);
  t->is_control = TRUE;
  t->is_in = (request_type & LIBUSB_ENDPOINT_IN) != 0;
  length = t->is_in ? in_length : (out != NULL ? g_bytes_get_size (out) : 0);
  g_return_if_fail (length <= G_MAXUINT16);
  buffer = g_malloc0 (LIBUSB_CONTROL_SETUP_SIZE + length);
  libusb_fill_control_setup (buffer, request_type, request, value, index, (guint16) length);
  if (!t->is_in && length > 0)
    memcpy (buffer + LIBUSB_CONTROL_SETUP_SIZE, g_bytes_get_data (out, NULL), length);
  t->out_length = t->is_in ? 0 : length;
  libusb_fill_control_transfer (t->xfer, NULL, buffer, transfer_done, t, timeout_ms);
  submit (self, t);
}

GBytes *
canteen_device_transfer_finish (CanteenDevice *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- accessors ------------------------------------------------------- */

#define PRIV(self) ((CanteenDevicePrivate *) canteen_device_get_instance_private (self))

const char        *canteen_device_get_name (CanteenDevice *self)     { return PRIV (self)->name; }
const char        *canteen_device_get_driver (CanteenDevice *self)   { return CANTEEN_DEVICE_GET_CLASS (self)->driver; }
CanteenDeviceKind  canteen_device_get_kind (CanteenDevice *self)     { return CANTEEN_DEVICE_GET_CLASS (self)->kind; }
CanteenDeviceState canteen_device_get_state (CanteenDevice *self)    { return PRIV (self)->state; }
guint16            canteen_device_get_vid (CanteenDevice *self)      { return PRIV (self)->vid; }
guint16            canteen_device_get_pid (CanteenDevice *self)      { return PRIV (self)->pid; }
const char        *canteen_device_get_location (CanteenDevice *self) { return PRIV (self)->location; }
const char        *canteen_device_get_error (CanteenDevice *self)    { return PRIV (self)->error; }
libusb_device_handle *canteen_device_get_handle (CanteenDevice *self) { return PRIV (self)->handle; }
libusb_device     *canteen_device_get_usb_device (CanteenDevice *self) { return PRIV (self)->usb_device; }
gint               canteen_device_get_interface (CanteenDevice *self) { return PRIV (self)->interface; }
CanteenUsbContext *canteen_device_get_usb_context (CanteenDevice *self) { return PRIV (self)->usb; }

gboolean
canteen_device_is_emulated (CanteenDevice *self)
{
  return canteen_usb_context_is_emulated (PRIV (self)->usb);
}

/* --- object ---------------------------------------------------------- */

static void
canteen_device_dispose (GObject *object)
{
  CanteenDevice *self = CANTEEN_DEVICE (object);
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  /* In-flight transfers hold a ref, so none is left here. */
  g_warn_if_fail (priv->in_flight->len == 0);
  release_and_close (self);
  G_OBJECT_CLASS (canteen_device_parent_class)->dispose (object);
}

static void
canteen_device_finalize (GObject *object)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (CANTEEN_DEVICE (object));

  g_clear_pointer (&priv->usb_device, libusb_unref_device);
  g_clear_object (&priv->usb);
  g_array_unref (priv->claimed);
  g_ptr_array_unref (priv->in_flight);
  g_free (priv->location);
  g_free (priv->name);
  g_free (priv->error);
  G_OBJECT_CLASS (canteen_device_parent_class)->finalize (object);
}

static void
canteen_device_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenDevice *self = CANTEEN_DEVICE (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_int (value, canteen_device_get_state (self)); break;
    case PROP_ERROR: g_value_set_string (value, canteen_device_get_error (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_device_class_init (CanteenDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_device_dispose;
  object_class->finalize = canteen_device_finalize;
  object_class->get_property = canteen_device_get_property;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, CANTEEN_DEVICE_STATE_GONE, 0,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
canteen_device_init (CanteenDevice *self)
{
  CanteenDevicePrivate *priv = canteen_device_get_instance_private (self);

  priv->interface = -1;
  priv->claimed = g_array_new (FALSE, FALSE, sizeof (gint));
  priv->in_flight = g_ptr_array_new ();
}
