/* kiosk-devices.c — card taps to app.tap-card (or a visitor's card to
 * "visitor-card"), the scale's weight, device states. */
#include "kiosk-devices.h"

#include "card-session.h"
#include "visitor-card.h"

struct _CanteenKioskDevices
{
  GObject               parent_instance;
  CanteenDeviceManager *manager;     /* owned ref, or NULL */
  GListModel           *devices;     /* the manager's list, or an empty store */
  CanteenCheckoutFlow  *flow;        /* owned ref */
  GActionGroup         *actions;     /* not owned: the application */
  gboolean              unreadable;
  char                 *own_agency;
  GCancellable         *reading;     /* a card's applet being read, or NULL */
  char                 *tap_action;  /* every tap goes here (the return station), or NULL */
  char                 *sign_in_action; /* a manager's sign-in page takes every tap, or NULL */
};

enum { PROP_0, PROP_UNREADABLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_DEVICES_CHANGED, SIGNAL_SCALE_CHANGED, SIGNAL_VISITOR_CARD, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CanteenKioskDevices, canteen_kiosk_devices, G_TYPE_OBJECT)

static void
canteen_kiosk_devices_set_unreadable (CanteenKioskDevices *self, gboolean unreadable)
{
  if (self->unreadable == unreadable)
    return;
  self->unreadable = unreadable;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREADABLE]);
}

/* The tap page, and nothing in flight: the only moment a card may pay. */
static gboolean
canteen_kiosk_devices_waiting_for_card (CanteenKioskDevices *self)
{
  return canteen_checkout_flow_get_page (self->flow) == CANTEEN_KIOSK_PAGE_TAP
      && !canteen_checkout_flow_get_busy (self->flow);
}

static void
tap_uid (CanteenKioskDevices *self, CanteenCardSession *session)
{
  g_action_group_activate_action (self->actions, "tap-card",
                                  g_variant_new_string (canteen_card_session_get_uid (session)));
}

/* No reference on the devices: dispose cancels the read, and a cancelled
 * read's callback touches nothing but the read itself. */
typedef struct {
  CanteenKioskDevices *self;
  CanteenCardSession  *session;   /* owned ref */
  GCancellable        *cancellable;
} CardRead;

static void
card_read_free (CardRead *read)
{
  g_object_unref (read->session);
  g_object_unref (read->cancellable);
  g_free (read);
}

static void
card_file_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CardRead *read = user_data;
  CanteenKioskDevices *self = read->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = canteen_kiosk_visitor_card_read_finish (result, &error);
  g_autofree char *agency = NULL;

  /* Disposed, or the tap page went away meanwhile. */
  if (g_cancellable_is_cancelled (read->cancellable))
    {
      card_read_free (read);
      return;
    }
  g_clear_object (&self->reading);
  /* Paid otherwise meanwhile (a demo button, D-Bus). */
  if (!canteen_kiosk_devices_waiting_for_card (self))
    {
      card_read_free (read);
      return;
    }
  agency = canteen_kiosk_visitor_cert_agency (file);
  if (agency != NULL && g_strcmp0 (agency, self->own_agency) != 0)
    {
      g_autoptr(CanteenKioskVisitorCard) card =
        canteen_kiosk_visitor_card_new_for_session (read->session, file, NULL);

      g_message ("card %s: an interoperable card of %s, paying as a visitor",
                 canteen_card_session_get_uid (read->session), agency);
      g_signal_emit (self, signals[SIGNAL_VISITOR_CARD], 0, card);
    }
  else
    {
      if (file == NULL)
        g_debug ("card %s: no canteen certificate (%s); paying by its UID",
                 canteen_card_session_get_uid (read->session), error->message);
      tap_uid (self, read->session);
    }
  card_read_free (read);
}

static void
card_inserted_cb (CanteenCardReader *reader, CanteenCardSession *session, CanteenKioskDevices *self)
{
  const char *name = canteen_device_get_name (CANTEEN_DEVICE (reader));
  CardRead *read;

  /* A manager's sign-in page is over the checkout (or the return
   * station): the card is for it, and pays or names nothing. */
  if (self->sign_in_action != NULL)
    {
      g_action_group_activate_action (self->actions, self->sign_in_action,
                                      g_variant_new_string (canteen_card_session_get_uid (session)));
      return;
    }
  /* The return station: a tap names the diner whose tray it is; it pays
   * nothing, so no payment page needs to wait for it. */
  if (self->tap_action != NULL)
    {
      g_action_group_activate_action (self->actions, self->tap_action,
                                      g_variant_new_string (canteen_card_session_get_uid (session)));
      return;
    }
  /* A second tap of the same card lands here while the first is being
   * read or paid (busy) or after it was (result page): it must not pay
   * again. */
  if (!canteen_kiosk_devices_waiting_for_card (self) || self->reading != NULL)
    {
      g_message ("%s: a card was presented while no payment waits for one; ignored", name);
      return;
    }
  canteen_kiosk_devices_set_unreadable (self, FALSE);
  if (canteen_card_session_get_kind (session) != CANTEEN_CARD_KIND_CPU)
    {
      tap_uid (self, session);
      return;
    }
  /* A CPU card may be a visiting official's: read its applet first. */
  read = g_new0 (CardRead, 1);
  read->self = self;
  read->session = g_object_ref (session);
  read->cancellable = g_cancellable_new ();
  self->reading = g_object_ref (read->cancellable);
  canteen_kiosk_visitor_card_read_async (session, read->cancellable, card_file_read_cb, read);
}

static void
card_unreadable_cb (CanteenCardReader *reader, const char *message, CanteenKioskDevices *self)
{
  /* The driver has logged why. */
  if (canteen_kiosk_devices_waiting_for_card (self))
    canteen_kiosk_devices_set_unreadable (self, TRUE);
}

static void
scale_reading_cb (CanteenPosScale *scale, CanteenKioskDevices *self)
{
  g_signal_emit (self, signals[SIGNAL_SCALE_CHANGED], 0);
}

static void
device_state_cb (CanteenDevice *device, GParamSpec *pspec, CanteenKioskDevices *self)
{
  g_signal_emit (self, signals[SIGNAL_DEVICES_CHANGED], 0);
  if (CANTEEN_IS_POS_SCALE (device))
    g_signal_emit (self, signals[SIGNAL_SCALE_CHANGED], 0);
}

static void
watch_device (CanteenKioskDevices *self, CanteenDevice *device)
{
  g_signal_connect (device, "notify::state", G_CALLBACK (device_state_cb), self);
  if (CANTEEN_IS_CARD_READER (device))
    {
      g_signal_connect (device, "card-inserted", G_CALLBACK (card_inserted_cb), self);
      g_signal_connect (device, "card-unreadable", G_CALLBACK (card_unreadable_cb), self);
    }
  if (CANTEEN_IS_POS_SCALE (device))
    g_signal_connect (device, "reading-changed", G_CALLBACK (scale_reading_cb), self);
}

static void
devices_changed_cb (GListModel *list, guint position, guint removed, guint added,
                    CanteenKioskDevices *self)
{
  /* The manager only ever appends (a device that leaves stays, GONE). */
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (list, i);
      watch_device (self, device);
    }
  g_signal_emit (self, signals[SIGNAL_DEVICES_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_SCALE_CHANGED], 0);
}

static void
flow_page_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, CanteenKioskDevices *self)
{
  /* "Please tap again" belongs to the tap it answered. */
  canteen_kiosk_devices_set_unreadable (self, FALSE);
  /* A card read for a tap page that is gone pays nothing. */
  if (self->reading != NULL && !canteen_kiosk_devices_waiting_for_card (self))
    {
      g_cancellable_cancel (self->reading);
      g_clear_object (&self->reading);
    }
}

static void
canteen_kiosk_devices_dispose (GObject *object)
{
  CanteenKioskDevices *self = CANTEEN_KIOSK_DEVICES (object);

  if (self->reading != NULL)
    {
      g_cancellable_cancel (self->reading);
      g_clear_object (&self->reading);
    }
  if (self->devices != NULL)
    {
      guint n = g_list_model_get_n_items (self->devices);

      g_signal_handlers_disconnect_by_data (self->devices, self);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CanteenDevice) device = g_list_model_get_item (self->devices, i);
          g_signal_handlers_disconnect_by_data (device, self);
        }
      g_clear_object (&self->devices);
    }
  if (self->flow != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flow, self);
      g_clear_object (&self->flow);
    }
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (canteen_kiosk_devices_parent_class)->dispose (object);
}

static void
canteen_kiosk_devices_finalize (GObject *object)
{
  g_free (CANTEEN_KIOSK_DEVICES (object)->own_agency);
  g_free (CANTEEN_KIOSK_DEVICES (object)->tap_action);
  g_free (CANTEEN_KIOSK_DEVICES (object)->sign_in_action);
  G_OBJECT_CLASS (canteen_kiosk_devices_parent_class)->finalize (object);
}

static void
canteen_kiosk_devices_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenKioskDevices *self = CANTEEN_KIOSK_DEVICES (object);

  switch (prop_id)
    {
    case PROP_UNREADABLE: g_value_set_boolean (value, self->unreadable); break;
    default:              G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_devices_class_init (CanteenKioskDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_kiosk_devices_dispose;
  object_class->finalize = canteen_kiosk_devices_finalize;
  object_class->get_property = canteen_kiosk_devices_get_property;

  properties[PROP_UNREADABLE] =
    g_param_spec_boolean ("unreadable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DEVICES_CHANGED] =
    g_signal_new ("devices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SCALE_CHANGED] =
    g_signal_new ("scale-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (CanteenKioskVisitorCard *card): borrowed; ref it to keep it. */
  signals[SIGNAL_VISITOR_CARD] =
    g_signal_new ("visitor-card", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
canteen_kiosk_devices_init (CanteenKioskDevices *self)
{
}

CanteenKioskDevices *
canteen_kiosk_devices_new (CanteenDeviceManager *manager, CanteenCheckoutFlow *flow, GActionGroup *actions)
{
  CanteenKioskDevices *self;
  guint n;

  g_return_val_if_fail (manager == NULL || CANTEEN_IS_DEVICE_MANAGER (manager), NULL);
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (flow), NULL);
  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_DEVICES, NULL);
  self->flow = g_object_ref (flow);
  self->actions = actions;
  if (manager != NULL)
    {
      self->manager = g_object_ref (manager);
      self->devices = g_object_ref (canteen_device_manager_get_devices (manager));
    }
  else
    self->devices = G_LIST_MODEL (g_list_store_new (CANTEEN_TYPE_DEVICE));

  n = g_list_model_get_n_items (self->devices);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (self->devices, i);
      watch_device (self, device);
    }
  g_signal_connect (self->devices, "items-changed", G_CALLBACK (devices_changed_cb), self);
  g_signal_connect (self->flow, "notify::page", G_CALLBACK (flow_page_cb), self);
  return self;
}

void
canteen_kiosk_devices_set_tap_action (CanteenKioskDevices *self, const char *action)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_DEVICES (self));
  g_free (self->tap_action);
  self->tap_action = g_strdup (action);
}

void
canteen_kiosk_devices_set_sign_in_action (CanteenKioskDevices *self, const char *action)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_DEVICES (self));
  g_free (self->sign_in_action);
  self->sign_in_action = g_strdup (action);
  /* A card read for a payment when the sign-in page came up pays nothing. */
  if (action != NULL && self->reading != NULL)
    {
      g_cancellable_cancel (self->reading);
      g_clear_object (&self->reading);
    }
}

void
canteen_kiosk_devices_set_own_agency (CanteenKioskDevices *self, const char *agency)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_DEVICES (self));
  g_free (self->own_agency);
  self->own_agency = g_strdup (agency);
}

GListModel *
canteen_kiosk_devices_get_list (CanteenKioskDevices *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), NULL);
  return self->devices;
}

gboolean
canteen_kiosk_devices_has_kind (CanteenKioskDevices *self, CanteenDeviceKind kind)
{
  guint n;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), FALSE);

  n = g_list_model_get_n_items (self->devices);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (self->devices, i);
      if (canteen_device_get_kind (device) == kind)
        return TRUE;
    }
  return FALSE;
}

gboolean
canteen_kiosk_devices_get_unreadable (CanteenKioskDevices *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), FALSE);
  return self->unreadable;
}

gboolean
canteen_kiosk_devices_get_reader_ready (CanteenKioskDevices *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), FALSE);
  return self->manager != NULL
      && canteen_device_manager_find (self->manager, CANTEEN_DEVICE_KIND_CARD_READER) != NULL;
}

gboolean
canteen_kiosk_devices_get_scale_reading (CanteenKioskDevices *self, CanteenScaleReading *out)
{
  CanteenDevice *scale;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  scale = self->manager != NULL
        ? canteen_device_manager_find (self->manager, CANTEEN_DEVICE_KIND_SCALE) : NULL;
  return scale != NULL && CANTEEN_IS_POS_SCALE (scale)
      && canteen_pos_scale_get_reading (CANTEEN_POS_SCALE (scale), out);
}

gint
canteen_kiosk_devices_grams_for (CanteenKioskDevices *self, const CanteenDish *dish)
{
  CanteenScaleReading reading;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), 0);
  g_return_val_if_fail (dish != NULL, 0);

  if (!canteen_dish_is_weighed (dish))
    return 0;
  /* A moving or empty scale says nothing about this plate. */
  if (canteen_kiosk_devices_get_scale_reading (self, &reading) && reading.valid && reading.stable
      && reading.grams > 0)
    return reading.grams;
  return dish->portion_g;
}

CanteenEscposPrinter *
canteen_kiosk_devices_get_printer (CanteenKioskDevices *self)
{
  CanteenDevice *printer;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (self), NULL);

  printer = self->manager != NULL
          ? canteen_device_manager_find (self->manager, CANTEEN_DEVICE_KIND_PRINTER) : NULL;
  return printer != NULL && CANTEEN_IS_ESCPOS_PRINTER (printer) ? CANTEEN_ESCPOS_PRINTER (printer) : NULL;
}
