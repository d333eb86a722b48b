/* kiosk-app-actions.c — every user step as an app.* GAction.
 *
 * Buttons, the D-Bus interface (`gapplication action cn.gov.canteen.Kiosk
 * ...`), card readers (kiosk-devices.c activates app.tap-card) and
 * in-process tests all go through these, so there is one path for each
 * step. A visiting official's card read by a reader cannot travel through
 * an action (it signs through its card session): kiosk-devices.c hands it
 * over with "visitor-card", and it pays under the same checks as
 * app.tap-card; app.visitor-tap(card file) is that path for the demo
 * button and tests. Read-only state for tests: app.page ("order", "tap",
 * "result", "declined", "error"), app.last-checkout (the last committed
 * checkout id) and app.recognition ("idle", "running", "choosing"),
 * readable with org.gtk.Actions.Describe or
 * g_action_group_get_action_state(). Requests that do not fit the current
 * state are refused quietly (logged), never fatal.
 */
#include "kiosk-app-private.h"

#include "kiosk-i18n.h"
#include "screenshot.h"

static CanteenCheckoutFlow *
flow_of (gpointer user_data)
{
  return canteen_kiosk_app_get_flow (CANTEEN_KIOSK_APP (user_data));
}

static void
add_dish_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (self);
  const char *dish_id = g_variant_get_string (parameter, NULL);
  g_autoptr(CanteenDish) dish = NULL;
  g_autoptr(GError) error = NULL;
  gint grams;

  if (ledger == NULL)
    {
      g_message ("add-dish %s: no ledger", dish_id);
      return;
    }
  dish = canteen_ledger_get_dish (ledger, dish_id, &error);
  if (dish == NULL)
    {
      g_message ("add-dish %s: %s", dish_id, error->message);
      return;
    }
  /* A weighed dish is sold by what the scale shows when it is added: the
   * diner puts the plate on the scale and taps the dish. That is the net
   * weight (the scale's tare takes off an empty plate), and only a stable,
   * positive one. Without one the standard portion is sold; either way
   * the tray row shows the grams, so nobody is misled. */
  grams = canteen_kiosk_devices_grams_for (canteen_kiosk_app_get_devices (self), dish);
  if (!canteen_checkout_flow_add_dish (flow_of (self), dish, grams, &error))
    g_message ("add-dish %s: %s", dish_id, error->message);
}

static void
remove_item_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  guint32 position = g_variant_get_uint32 (parameter);

  if (!canteen_checkout_flow_remove_item (flow_of (user_data), position))
    g_message ("remove-item %u: refused", position);
}

static void
clear_tray_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (user_data);

  if (!canteen_checkout_flow_clear_tray (flow_of (user_data)))
    {
      g_message ("clear-tray: refused while paying");
      return;
    }
  /* Questions about the plates just cleared away have no answer. */
  if (recognition != NULL)
    canteen_kiosk_recognition_reset (recognition);
}

/* While the camera's answer is awaited or being confirmed, the tray is not
 * complete: paying now would charge for part of it. */
static gboolean
recognition_pending (CanteenKioskApp *self)
{
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self);

  return recognition != NULL
      && canteen_kiosk_recognition_get_state (recognition) != CANTEEN_KIOSK_RECOGNITION_IDLE;
}

static void
recognize_tray_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self);

  if (recognition == NULL || canteen_kiosk_app_get_ledger (self) == NULL)
    {
      g_message ("recognize-tray: no camera or no ledger");
      return;
    }
  if (!canteen_kiosk_recognition_start (recognition))
    g_message ("recognize-tray: refused (no picture yet, already recognising, or paying)");
}

static void
choose_dish_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (user_data);
  const char *dish_id = NULL;
  guint32 question = 0;

  g_variant_get (parameter, "(u&s)", &question, &dish_id);
  if (recognition == NULL || !canteen_kiosk_recognition_choose (recognition, question, dish_id))
    g_message ("choose-dish %u “%s”: refused (not the question asked, or not one of its dishes)",
               question, dish_id);
}

static void
pay_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  if (recognition_pending (user_data))
    {
      g_message ("pay: refused while the tray is being recognised or confirmed");
      return;
    }
  if (!canteen_checkout_flow_pay (flow_of (user_data)))
    g_message ("pay: nothing to pay or a payment is in progress");
}

static void
tap_card_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  const char *card = g_variant_get_string (parameter, NULL);

  if (canteen_kiosk_app_get_ledger (self) == NULL)
    {
      g_message ("tap-card: no ledger, payment refused");
      return;
    }
  if (recognition_pending (self))
    {
      g_message ("tap-card: refused while the tray is being recognised or confirmed");
      return;
    }
  if (!canteen_checkout_flow_tap_card (flow_of (self), card))
    g_message ("tap-card: ignored (empty tray, or a payment is in progress)");
}

/* A visiting official's card (from a reader, or a demo card file). */
static void
pay_as_visitor (CanteenKioskApp *self, CanteenKioskVisitorCard *card, const char *what)
{
  if (canteen_kiosk_app_get_ledger (self) == NULL)
    {
      g_message ("%s: no ledger, payment refused", what);
      return;
    }
  if (recognition_pending (self))
    {
      g_message ("%s: refused while the tray is being recognised or confirmed", what);
      return;
    }
  if (!canteen_checkout_flow_tap_visitor (flow_of (self), card))
    g_message ("%s: ignored (empty tray, or a payment is in progress)", what);
}

static void
visitor_card_cb (CanteenKioskDevices *devices, CanteenKioskVisitorCard *card, gpointer user_data)
{
  pay_as_visitor (user_data, card, "visitor card");
}

/* Demo and tests: a card file signs as the card would. On a real counter
 * that would be paying without a card, so only in demo mode. */
static void
visitor_tap_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);
  g_autoptr(CanteenKioskVisitorCard) card = NULL;
  g_autoptr(GError) error = NULL;

  if (!canteen_kiosk_app_get_demo (self))
    {
      g_message ("visitor-tap: refused outside demo mode");
      return;
    }
  card = canteen_kiosk_visitor_card_new_from_file (path, &error);
  if (card == NULL)
    {
      g_message ("visitor-tap %s: %s", path, error->message);
      return;
    }
  pay_as_visitor (self, card, "visitor-tap");
}

/* A committed visitor sale is a record for the outbox: upload it soon. */
static void
committed_cb (CanteenCheckoutFlow *flow, const char *checkout_id, gpointer user_data)
{
  CanteenKioskClearing *clearing = canteen_kiosk_app_get_clearing (CANTEEN_KIOSK_APP (user_data));

  if (clearing != NULL && canteen_checkout_flow_get_visitor (flow) != NULL)
    canteen_kiosk_clearing_sale_committed (clearing);
}

/* The demo's card buttons. With emulated devices the card is presented to
 * the emulated reader, so the payment goes through the real driver and
 * comes back as app.tap-card; otherwise (or for a card id no reader could
 * report, such as "C1001") it is app.tap-card straight away. */
static void
demo_tap_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  CanteenKioskEmulation *emulation = canteen_kiosk_app_get_emulation (self);
  const char *card = g_variant_get_string (parameter, NULL);

  if (!canteen_kiosk_app_get_demo (self))
    {
      g_message ("demo-tap: refused outside demo mode");
      return;
    }
  if (emulation != NULL && canteen_kiosk_emulation_tap (emulation, card))
    return;
  if (emulation != NULL)
    g_message ("demo-tap %s: not a chip card id, paying without the reader", card);
  /* The return station takes the card as the tray's diner. */
  g_action_group_activate_action (G_ACTION_GROUP (self),
                                  canteen_kiosk_app_get_return (self) != NULL ? "return-tray" : "tap-card",
                                  parameter);
}

static void
print_receipt_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskApp *self = user_data;
  const CanteenReceipt *receipt = canteen_checkout_flow_get_receipt (flow_of (self));
  CanteenEscposPrinter *printer = canteen_kiosk_devices_get_printer (canteen_kiosk_app_get_devices (self));
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (self);
  g_autoptr(GTimeZone) tz = NULL;

  if (receipt == NULL || printer == NULL)
    {
      g_message ("print-receipt: no receipt on screen, or no ready printer");
      return;
    }
  /* The receipt shows the ledger's local time, as the screen does. */
  tz = ledger != NULL ? g_time_zone_ref (canteen_ledger_get_timezone (ledger)) : g_time_zone_new_local ();
  if (!canteen_kiosk_print_start_visitor (canteen_kiosk_app_get_print (self), printer, receipt,
                                          canteen_checkout_flow_get_visitor (flow_of (self)), tz))
    g_message ("print-receipt: a receipt is printing already");
}

static void
cancel_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  if (!canteen_checkout_flow_cancel (flow_of (user_data)))
    g_message ("cancel: refused while the payment is being committed");
}

static void
done_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  if (!canteen_checkout_flow_done (flow_of (user_data)))
    g_message ("done: refused while the payment is being committed");
}

static void
set_language_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  const char *language = g_variant_get_string (parameter, NULL);

  if (g_strcmp0 (language, canteen_kiosk_app_get_language (user_data)) == 0)
    return;
  if (canteen_kiosk_app_switch_language (user_data, language))
    g_simple_action_set_state (action, g_variant_new_string (language));
  else
    g_message ("set-language %s: refused (unknown language, or a payment is in progress)", language);
}

static void
screenshot_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkWindow *window = canteen_kiosk_app_get_window (user_data);
  const char *path = g_variant_get_string (parameter, NULL);

  /* The return station has no checkout window: its own. */
  if (window == NULL)
    window = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  if (window == NULL)
    {
      g_message ("screenshot %s: no window", path);
      return;
    }
  canteen_widget_save_png_after_frame (GTK_WIDGET (window), path);
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  canteen_kiosk_app_request_quit (user_data);
}

/* State-only actions: changing them from outside is refused. */
static void
refuse_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
}

static void
set_enabled (CanteenKioskApp *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
sync_actions (CanteenKioskApp *self)
{
  CanteenCheckoutFlow *flow = canteen_kiosk_app_get_flow (self);
  gboolean busy = canteen_checkout_flow_get_busy (flow);
  guint n_items = canteen_tray_get_n_items (canteen_checkout_flow_get_tray (flow));
  GAction *page = g_action_map_lookup_action (G_ACTION_MAP (self), "page");
  GAction *last = g_action_map_lookup_action (G_ACTION_MAP (self), "last-checkout");
  GAction *recognition_state = g_action_map_lookup_action (G_ACTION_MAP (self), "recognition");
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self);
  const char *recognition_id = recognition != NULL
                             ? canteen_kiosk_recognition_state_id (canteen_kiosk_recognition_get_state (recognition))
                             : "idle";
  const char *page_id = canteen_kiosk_page_id (canteen_checkout_flow_get_page (flow));
  const char *last_id = canteen_checkout_flow_get_last_checkout_id (flow);

  /* Buttons bound to these grey out by themselves. */
  set_enabled (self, "pay", canteen_checkout_flow_can_pay (flow) && canteen_kiosk_app_get_ledger (self) != NULL
                            && !recognition_pending (self));
  /* A camera with a picture and a ledger with the menu; not while paying. */
  set_enabled (self, "recognize-tray", recognition != NULL && canteen_kiosk_app_get_ledger (self) != NULL
                                       && canteen_kiosk_recognition_can_start (recognition));
  set_enabled (self, "choose-dish", recognition != NULL
                                    && canteen_kiosk_recognition_get_question (recognition) != NULL);
  set_enabled (self, "clear-tray", !busy && n_items > 0);
  set_enabled (self, "remove-item", !busy);
  set_enabled (self, "cancel", !busy);
  set_enabled (self, "done", !busy);
  set_enabled (self, "set-language", !busy);
  set_enabled (self, "print-receipt",
               canteen_checkout_flow_get_receipt (flow) != NULL
               && canteen_kiosk_devices_get_printer (canteen_kiosk_app_get_devices (self)) != NULL
               && canteen_kiosk_print_get_state (canteen_kiosk_app_get_print (self)) != CANTEEN_KIOSK_PRINT_PRINTING);

  /* Only real changes, so D-Bus watchers see one signal per step. */
  {
    g_autoptr(GVariant) state = g_action_get_state (page);
    if (g_strcmp0 (g_variant_get_string (state, NULL), page_id) != 0)
      g_simple_action_set_state (G_SIMPLE_ACTION (page), g_variant_new_string (page_id));
  }
  {
    g_autoptr(GVariant) state = g_action_get_state (last);
    if (g_strcmp0 (g_variant_get_string (state, NULL), last_id) != 0)
      g_simple_action_set_state (G_SIMPLE_ACTION (last), g_variant_new_string (last_id));
  }
  {
    g_autoptr(GVariant) state = g_action_get_state (recognition_state);
    if (g_strcmp0 (g_variant_get_string (state, NULL), recognition_id) != 0)
      g_simple_action_set_state (G_SIMPLE_ACTION (recognition_state), g_variant_new_string (recognition_id));
  }
}

static void
flow_changed_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  sync_actions (CANTEEN_KIOSK_APP (user_data));
}

static void
devices_changed_cb (CanteenKioskDevices *devices, gpointer user_data)
{
  sync_actions (CANTEEN_KIOSK_APP (user_data));
}

static void
recognition_changed_cb (CanteenKioskRecognition *recognition, gpointer user_data)
{
  sync_actions (CANTEEN_KIOSK_APP (user_data));
}

/* The first frame (or a camera lost) changes whether recognition can start. */
static void
camera_changed_cb (GObject *camera, GParamSpec *pspec, gpointer user_data)
{
  sync_actions (CANTEEN_KIOSK_APP (user_data));
}

/* While a receipt prints, or waits to be printed again after a failure,
 * the result page stays (staff may need a minute to load paper); once it
 * is printed, the usual countdown starts afresh. */
static void
print_state_cb (CanteenKioskPrint *print, GParamSpec *pspec, gpointer user_data)
{
  CanteenKioskApp *self = user_data;

  switch (canteen_kiosk_print_get_state (print))
    {
    case CANTEEN_KIOSK_PRINT_PRINTING:
    case CANTEEN_KIOSK_PRINT_FAILED:
      canteen_checkout_flow_hold_result (flow_of (self), TRUE);
      break;
    case CANTEEN_KIOSK_PRINT_PRINTED:
      canteen_checkout_flow_hold_result (flow_of (self), FALSE);
      break;
    case CANTEEN_KIOSK_PRINT_IDLE:
    default:
      break;
    }
  sync_actions (self);
}

/* A print job belongs to the receipt it printed: a new result page (or
 * none) starts with no job. */
static void
page_changed_reset_print_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, gpointer user_data)
{
  canteen_kiosk_print_reset (canteen_kiosk_app_get_print (CANTEEN_KIOSK_APP (user_data)));
}

void
canteen_kiosk_app_install_actions (CanteenKioskApp *self)
{
  const GActionEntry entries[] = {
    { "add-dish",      add_dish_activated,      "s", NULL, NULL, { 0 } },
    { "remove-item",   remove_item_activated,   "u", NULL, NULL, { 0 } },
    { "clear-tray",    clear_tray_activated,    NULL, NULL, NULL, { 0 } },
    { "recognize-tray", recognize_tray_activated, NULL, NULL, NULL, { 0 } },
    { "choose-dish",   choose_dish_activated,   "(us)", NULL, NULL, { 0 } },
    { "pay",           pay_activated,           NULL, NULL, NULL, { 0 } },
    { "tap-card",      tap_card_activated,      "s", NULL, NULL, { 0 } },
    { "demo-tap",      demo_tap_activated,      "s", NULL, NULL, { 0 } },
    { "visitor-tap",   visitor_tap_activated,   "s", NULL, NULL, { 0 } },
    { "print-receipt", print_receipt_activated, NULL, NULL, NULL, { 0 } },
    { "cancel",        cancel_activated,        NULL, NULL, NULL, { 0 } },
    { "done",          done_activated,          NULL, NULL, NULL, { 0 } },
    { "set-language",  set_language_activated,  "s", "'zh_CN'", NULL, { 0 } },
    { "screenshot",    screenshot_activated,    "s", NULL, NULL, { 0 } },
    { "quit",          quit_activated,          NULL, NULL, NULL, { 0 } },
    { "page",          NULL,                    NULL, "'order'", refuse_change_state, { 0 } },
    { "last-checkout", NULL,                    NULL, "''", refuse_change_state, { 0 } },
    { "recognition",   NULL,                    NULL, "'idle'", refuse_change_state, { 0 } },
  };
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self);
  CanteenCheckoutFlow *flow = canteen_kiosk_app_get_flow (self);
  GAction *language;

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  language = g_action_map_lookup_action (G_ACTION_MAP (self), "set-language");
  g_simple_action_set_state (G_SIMPLE_ACTION (language),
                             g_variant_new_string (canteen_kiosk_app_get_language (self)));

  /* Before the page's other watchers, so they see the reset job. */
  g_signal_connect_object (flow, "notify::page", G_CALLBACK (page_changed_reset_print_cb), self, 0);
  g_signal_connect_object (flow, "notify::page", G_CALLBACK (flow_changed_cb), self, 0);
  g_signal_connect_object (flow, "notify::busy", G_CALLBACK (flow_changed_cb), self, 0);
  g_signal_connect_object (flow, "notify::last-checkout-id", G_CALLBACK (flow_changed_cb), self, 0);
  g_signal_connect_object (canteen_checkout_flow_get_tray (flow), "notify::n-items",
                           G_CALLBACK (flow_changed_cb), self, 0);
  g_signal_connect_object (canteen_kiosk_app_get_devices (self), "devices-changed",
                           G_CALLBACK (devices_changed_cb), self, 0);
  g_signal_connect_object (canteen_kiosk_app_get_devices (self), "visitor-card",
                           G_CALLBACK (visitor_card_cb), self, 0);
  g_signal_connect_object (flow, "committed", G_CALLBACK (committed_cb), self, 0);
  g_signal_connect_object (canteen_kiosk_app_get_print (self), "notify::state",
                           G_CALLBACK (print_state_cb), self, 0);
  if (recognition != NULL)
    {
      CanteenKioskCamera *camera = canteen_kiosk_recognition_get_camera (recognition);

      g_signal_connect_object (recognition, "changed", G_CALLBACK (recognition_changed_cb), self, 0);
      g_signal_connect_object (camera, "notify::state", G_CALLBACK (camera_changed_cb), self, 0);
      g_signal_connect_object (camera, "notify::texture", G_CALLBACK (camera_changed_cb), self, 0);
    }
  sync_actions (self);
}
