#include <poll.h>

#include "device-error.h"
#include "usb-context.h"

/* A GSource that polls libusb's descriptors and handles libusb events
 * without blocking when one of them is ready (or when kicked). */
typedef struct {
  GSource            base;
  CanteenUsbContext *owner;     /* not a ref: the context owns the source */
  GHashTable        *tags;      /* fd → tag from g_source_add_unix_fd */
} UsbSource;

struct _CanteenUsbContext {
  GObject         parent_instance;
  libusb_context *ctx;
  GSource        *source;
  gboolean        emulated;
  gboolean        handles_timeouts;
  guint           pending;
  guint           tick_ms;
  guint           tick_id;
  libusb_hotplug_callback_handle hotplug;
  gboolean        hotplug_registered;
  GQueue          hotplug_events;   /* HotplugEvent*, emitted from an idle */
  guint           hotplug_idle_id;
};

typedef struct {
  libusb_device *device;
  gboolean       arrived;
} HotplugEvent;

enum { SIGNAL_DEVICE_ARRIVED, SIGNAL_DEVICE_LEFT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CanteenUsbContext, canteen_usb_context, G_TYPE_OBJECT)

/* --- the event source ------------------------------------------------ */

static void
handle_events_now (CanteenUsbContext *self)
{
  struct timeval zero = { 0, 0 };
  libusb_handle_events_timeout_completed (self->ctx, &zero, NULL);
}

static gboolean
usb_source_prepare (GSource *source, gint *timeout)
{
  UsbSource *s = (UsbSource *) source;
  struct timeval tv;

  *timeout = -1;
  /* Without timerfd libusb tells us when its next timeout falls due. */
  if (s->owner != NULL && !s->owner->handles_timeouts
      && libusb_get_next_timeout (s->owner->ctx, &tv) == 1)
    *timeout = (gint) MIN ((gint64) tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000, G_MAXINT);
  return *timeout == 0;
}

static gboolean
usb_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  UsbSource *s = (UsbSource *) source;

  g_source_set_ready_time (source, -1);
  if (s->owner != NULL)
    handle_events_now (s->owner);
  return G_SOURCE_CONTINUE;
}

static void
usb_source_finalize (GSource *source)
{
  UsbSource *s = (UsbSource *) source;
  g_clear_pointer (&s->tags, g_hash_table_unref);
}

static GSourceFuncs usb_source_funcs = {
  .prepare = usb_source_prepare,
  .dispatch = usb_source_dispatch,
  .finalize = usb_source_finalize,
};

/* usbfs descriptors are the ones libusb polls for POLLOUT; its own eventfd
 * and timerfd are POLLIN. */
static gboolean
is_device_fd (short events)
{
  return (events & POLLOUT) != 0;
}

static void
pollfd_added (int fd, short events, void *user_data)
{
  CanteenUsbContext *self = user_data;
  UsbSource *s = (UsbSource *) self->source;
  GIOCondition cond = 0;

  if (self->emulated && is_device_fd (events))
    return;
  if (events & POLLIN)
    cond |= G_IO_IN;
  if (events & POLLOUT)
    cond |= G_IO_OUT;
  g_hash_table_insert (s->tags, GINT_TO_POINTER (fd),
                       g_source_add_unix_fd (self->source, fd, cond | G_IO_ERR | G_IO_HUP));
}

static void
pollfd_removed (int fd, void *user_data)
{
  CanteenUsbContext *self = user_data;
  UsbSource *s = (UsbSource *) self->source;
  gpointer tag;

  if (g_hash_table_steal_extended (s->tags, GINT_TO_POINTER (fd), NULL, &tag))
    g_source_remove_unix_fd (self->source, tag);
}

/* --- hotplug --------------------------------------------------------- */

static gboolean
emit_hotplug_events (gpointer data)
{
  CanteenUsbContext *self = data;
  HotplugEvent *ev;

  self->hotplug_idle_id = 0;
  g_object_ref (self);
  while ((ev = g_queue_pop_head (&self->hotplug_events)) != NULL)
    {
      g_signal_emit (self, signals[ev->arrived ? SIGNAL_DEVICE_ARRIVED : SIGNAL_DEVICE_LEFT], 0, ev->device);
      libusb_unref_device (ev->device);
      g_free (ev);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Called by libusb inside event handling (or inside registration for the
 * devices already present). Opening a device from here is not allowed, so
 * the event is queued and announced from an idle. */
static int LIBUSB_CALL
hotplug_cb (libusb_context *ctx, libusb_device *device, libusb_hotplug_event event, void *user_data)
{
  CanteenUsbContext *self = user_data;
  HotplugEvent *ev = g_new0 (HotplugEvent, 1);

  ev->device = libusb_ref_device (device);
  ev->arrived = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
  g_queue_push_tail (&self->hotplug_events, ev);
  if (self->hotplug_idle_id == 0)
    self->hotplug_idle_id = g_idle_add (emit_hotplug_events, self);
  return 0;
}

gboolean
canteen_usb_context_start_hotplug (CanteenUsbContext *self, GError **error)
{
  int rc;

  g_return_val_if_fail (CANTEEN_IS_USB_CONTEXT (self), FALSE);
  if (self->hotplug_registered)
    return TRUE;

  if (!libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
    {
      /* Enumerate once; devices plugged in later are not seen. */
      libusb_device **list = NULL;
      ssize_t n = libusb_get_device_list (self->ctx, &list);
      if (n < 0)
        {
          g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_IO,
                       "USB: listing devices: %s", libusb_strerror ((int) n));
          return FALSE;
        }
      for (ssize_t i = 0; i < n; i++)
        hotplug_cb (self->ctx, list[i], LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, self);
      libusb_free_device_list (list, TRUE);
      self->hotplug_registered = TRUE;
      return TRUE;
    }

  rc = libusb_hotplug_register_callback (self->ctx,
                                         LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                         LIBUSB_HOTPLUG_ENUMERATE,
                                         LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                         LIBUSB_HOTPLUG_MATCH_ANY,
                                         hotplug_cb, self, &self->hotplug);
  if (rc != LIBUSB_SUCCESS)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_IO,
                   "USB: watching for devices: %s", libusb_strerror (rc));
      return FALSE;
    }
  self->hotplug_registered = TRUE;
  return TRUE;
}

/* --- pending transfers and the emulated-mode tick -------------------- */

static gboolean
tick_cb (gpointer data)
{
  handle_events_now (data);
  return G_SOURCE_CONTINUE;
}

void
canteen_usb_context_transfer_started (CanteenUsbContext *self)
{
  if (++self->pending == 1 && self->emulated && self->tick_id == 0)
    self->tick_id = g_timeout_add (self->tick_ms, tick_cb, self);
}

void
canteen_usb_context_transfer_finished (CanteenUsbContext *self)
{
  g_return_if_fail (self->pending > 0);
  if (--self->pending == 0)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

guint
canteen_usb_context_get_pending (CanteenUsbContext *self)
{
  return self->pending;
}

void
canteen_usb_context_kick (CanteenUsbContext *self)
{
  g_source_set_ready_time (self->source, 0);
}

void
canteen_usb_context_set_emulated_tick (CanteenUsbContext *self, guint milliseconds)
{
  self->tick_ms = MAX (milliseconds, 1u);
  if (self->tick_id != 0)
    {
      g_source_remove (self->tick_id);
      self->tick_id = g_timeout_add (self->tick_ms, tick_cb, self);
    }
}

/* --- object ---------------------------------------------------------- */

libusb_context *
canteen_usb_context_get_libusb (CanteenUsbContext *self)
{
  return self->ctx;
}

gboolean
canteen_usb_context_is_emulated (CanteenUsbContext *self)
{
  return self->emulated;
}

CanteenUsbContext *
canteen_usb_context_new (GError **error)
{
  g_autoptr (CanteenUsbContext) self = g_object_new (CANTEEN_TYPE_USB_CONTEXT, NULL);
  const struct libusb_pollfd **fds;
  int rc;

  rc = libusb_init (&self->ctx);
  if (rc != LIBUSB_SUCCESS)
    {
      self->ctx = NULL;
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_IO,
                   "USB: starting libusb: %s", libusb_strerror (rc));
      return NULL;
    }

  self->source = g_source_new (&usb_source_funcs, sizeof (UsbSource));
  ((UsbSource *) self->source)->owner = self;
  ((UsbSource *) self->source)->tags = g_hash_table_new (NULL, NULL);
  g_source_set_static_name (self->source, "canteen-usb");
  self->handles_timeouts = libusb_pollfds_handle_timeouts (self->ctx) != 0;

  fds = libusb_get_pollfds (self->ctx);
  for (gsize i = 0; fds != NULL && fds[i] != NULL; i++)
    pollfd_added (fds[i]->fd, fds[i]->events, self);
  libusb_free_pollfds (fds);
  libusb_set_pollfd_notifiers (self->ctx, pollfd_added, pollfd_removed, self);
  g_source_attach (self->source, g_main_context_get_thread_default ());

  return g_steal_pointer (&self);
}

static void
canteen_usb_context_finalize (GObject *object)
{
  CanteenUsbContext *self = CANTEEN_USB_CONTEXT (object);
  HotplugEvent *ev;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->hotplug_idle_id, g_source_remove);
  while ((ev = g_queue_pop_head (&self->hotplug_events)) != NULL)
    {
      libusb_unref_device (ev->device);
      g_free (ev);
    }
  if (self->ctx != NULL)
    {
      if (self->hotplug_registered && libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
        libusb_hotplug_deregister_callback (self->ctx, self->hotplug);
      libusb_set_pollfd_notifiers (self->ctx, NULL, NULL, NULL);
    }
  if (self->source != NULL)
    {
      ((UsbSource *) self->source)->owner = NULL;
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  if (self->ctx != NULL)
    libusb_exit (self->ctx);

  G_OBJECT_CLASS (canteen_usb_context_parent_class)->finalize (object);
}

static void
canteen_usb_context_class_init (CanteenUsbContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_usb_context_finalize;

  signals[SIGNAL_DEVICE_ARRIVED] =
    g_signal_new ("device-arrived", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_DEVICE_LEFT] =
    g_signal_new ("device-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
canteen_usb_context_init (CanteenUsbContext *self)
{
  const char *dir = g_getenv ("UMOCKDEV_DIR");

  self->emulated = dir != NULL && *dir != '\0';
  self->tick_ms = 50;
  g_queue_init (&self->hotplug_events);
}
