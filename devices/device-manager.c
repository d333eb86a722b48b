#include "device-error.h"
#include "device-manager.h"
#include "drivers/drivers.h"

struct _CanteenDeviceManager {
  GObject            parent_instance;
  CanteenUsbContext *usb;
  GListStore        *devices;
  gboolean           started;
};

G_DEFINE_FINAL_TYPE (CanteenDeviceManager, canteen_device_manager, G_TYPE_OBJECT)

static CanteenDevice *
find_by_usb_device (CanteenDeviceManager *self, libusb_device *usb_device)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
      if (canteen_device_get_usb_device (dev) == usb_device
          && canteen_device_get_state (dev) != CANTEEN_DEVICE_STATE_GONE)
        return dev;
    }
  return NULL;
}

static CanteenDevice *
find_gone (CanteenDeviceManager *self, GType type, libusb_device *usb_device)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
      if (G_OBJECT_TYPE (dev) == type
          && canteen_device_get_state (dev) == CANTEEN_DEVICE_STATE_GONE
          && canteen_device_same_identity (dev, usb_device))
        return dev;
    }
  return NULL;
}

static void
open_device (CanteenDevice *dev)
{
  g_autoptr (GError) error = NULL;

  if (!canteen_device_open (dev, &error))
    g_warning ("%s", error->message);
}

static void
device_arrived (CanteenUsbContext *usb, libusb_device *usb_device, CanteenDeviceManager *self)
{
  guint n_types;
  const GType *types = canteen_drivers_get_types (&n_types);

  for (guint i = 0; i < n_types; i++)
    {
      g_autoptr (GTypeClass) klass = g_type_class_ref (types[i]);
      gint iface = canteen_device_class_match (CANTEEN_DEVICE_CLASS (klass), usb_device);
      CanteenDevice *back;

      if (iface < 0)
        continue;
      back = find_gone (self, types[i], usb_device);
      if (back != NULL)
        {
          canteen_device_reattach (back, usb_device, iface);
          g_message ("%s: back", canteen_device_get_name (back));
          open_device (back);
        }
      else
        {
          g_autoptr (CanteenDevice) dev = canteen_device_new (types[i], usb, usb_device, iface);
          g_list_store_append (self->devices, dev);
          open_device (dev);
        }
      return;
    }
}

static void
device_left (CanteenUsbContext *usb, libusb_device *usb_device, CanteenDeviceManager *self)
{
  CanteenDevice *dev = find_by_usb_device (self, usb_device);

  if (dev != NULL)
    {
      g_message ("%s: gone", canteen_device_get_name (dev));
      canteen_device_mark_gone (dev);
    }
}

CanteenDeviceManager *
canteen_device_manager_new (GError **error)
{
  g_autoptr (CanteenUsbContext) usb = canteen_usb_context_new (error);
  CanteenDeviceManager *self;

  if (usb == NULL)
    return NULL;
  self = g_object_new (CANTEEN_TYPE_DEVICE_MANAGER, NULL);
  self->usb = g_steal_pointer (&usb);
  g_signal_connect (self->usb, "device-arrived", G_CALLBACK (device_arrived), self);
  g_signal_connect (self->usb, "device-left", G_CALLBACK (device_left), self);
  return self;
}

gboolean
canteen_device_manager_start (CanteenDeviceManager *self, GError **error)
{
  g_return_val_if_fail (CANTEEN_IS_DEVICE_MANAGER (self), FALSE);
  if (self->started)
    return TRUE;
  if (!canteen_usb_context_start_hotplug (self->usb, error))
    return FALSE;
  self->started = TRUE;
  return TRUE;
}

void
canteen_device_manager_settle (CanteenDeviceManager *self)
{
  /* Arrivals are announced from an idle; opening queues no further idles
   * of ours, so a few non-blocking iterations suffice. */
  for (guint i = 0; i < 10 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

CanteenUsbContext *
canteen_device_manager_get_usb_context (CanteenDeviceManager *self)
{
  return self->usb;
}

GListModel *
canteen_device_manager_get_devices (CanteenDeviceManager *self)
{
  return G_LIST_MODEL (self->devices);
}

CanteenDevice *
canteen_device_manager_find (CanteenDeviceManager *self, CanteenDeviceKind kind)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
      if (canteen_device_get_kind (dev) == kind && canteen_device_get_state (dev) == CANTEEN_DEVICE_STATE_READY)
        return dev;
    }
  return NULL;
}

static void
canteen_device_manager_dispose (GObject *object)
{
  CanteenDeviceManager *self = CANTEEN_DEVICE_MANAGER (object);

  if (self->devices != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (CanteenDevice) dev = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
          canteen_device_close (dev);
        }
      /* Let cancelled transfers come back before the context goes. */
      for (guint i = 0; i < 100 && canteen_usb_context_get_pending (self->usb) > 0; i++)
        {
          struct timeval tv = { 0, 10000 };
          libusb_handle_events_timeout_completed (canteen_usb_context_get_libusb (self->usb), &tv, NULL);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      g_clear_object (&self->devices);
    }
  if (self->usb != NULL)
    g_signal_handlers_disconnect_by_data (self->usb, self);
  g_clear_object (&self->usb);
  G_OBJECT_CLASS (canteen_device_manager_parent_class)->dispose (object);
}

static void
canteen_device_manager_class_init (CanteenDeviceManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = canteen_device_manager_dispose;
}

static void
canteen_device_manager_init (CanteenDeviceManager *self)
{
  self->devices = g_list_store_new (CANTEEN_TYPE_DEVICE);
}
