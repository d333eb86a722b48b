/* kiosk-window.c — the kiosk window: pages, menu grid, clock. */
#include "kiosk-window.h"

#include <sodium.h>

#include "clearing-proto.h"
#include "dish-button.h"
#include "kiosk-header.h"
#include "ui-resources.h"

struct _CanteenKioskWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  CanteenKioskHeader  *header;
  GtkStack            *stack;
  GtkStack            *menu_stack;
  GtkFlowBox          *dish_grid;
  CanteenTrayView     *tray_view;
  GtkButton           *pay_button;
  CanteenTapPage      *tap_page;
  CanteenReceiptView  *receipt_view;
  CanteenProblemView  *declined_view;
  CanteenProblemView  *error_view;
  CanteenStatusBar    *statusbar;
  CanteenCameraPanel  *camera_panel;
  GtkWidget           *choice_scrim;
  CanteenChoiceSheet  *choice_sheet;

  CanteenKioskApp     *app;       /* not owned: the app outlives its windows */
  CanteenCheckoutFlow *flow;      /* owned ref */
  GTimeZone           *tz;
  CanteenMealConfig    meal_config;
  CanteenMealPeriod    period;
  char                *day;       /* "YYYY-MM-DD" of the menu shown */
  guint                n_dishes;
  guint                clock_id;
};

G_DEFINE_FINAL_TYPE (CanteenKioskWindow, canteen_kiosk_window, GTK_TYPE_APPLICATION_WINDOW)

static void
canteen_kiosk_window_sync_page (CanteenKioskWindow *self)
{
  CanteenKioskPage page = canteen_checkout_flow_get_page (self->flow);
  CanteenTray *tray = canteen_checkout_flow_get_tray (self->flow);

  switch (page)
    {
    case CANTEEN_KIOSK_PAGE_TAP:
      canteen_tap_page_set_amount (self->tap_page, canteen_tray_get_total (tray));
      canteen_tap_page_set_subsidy_applies (self->tap_page,
                                            self->period != CANTEEN_MEAL_NONE &&
                                            self->meal_config.times[self->period].subsidy_fen > 0);
      canteen_tap_page_set_busy (self->tap_page, canteen_checkout_flow_get_busy (self->flow));
      break;
    case CANTEEN_KIOSK_PAGE_RESULT:
      canteen_receipt_view_set_visitor (self->receipt_view, canteen_checkout_flow_get_visitor (self->flow));
      canteen_receipt_view_set_receipt (self->receipt_view, canteen_checkout_flow_get_receipt (self->flow));
      break;
    case CANTEEN_KIOSK_PAGE_DECLINED:
      canteen_problem_view_set_problem (self->declined_view, canteen_checkout_flow_get_problem (self->flow));
      break;
    case CANTEEN_KIOSK_PAGE_ERROR:
      canteen_problem_view_set_problem (self->error_view, canteen_checkout_flow_get_problem (self->flow));
      break;
    case CANTEEN_KIOSK_PAGE_ORDER:
    default:
      break;
    }
  gtk_stack_set_visible_child_name (self->stack, canteen_kiosk_page_id (page));
}

/* Demo cards are listed each time the tap page opens, so the balances on
 * them are the ones after the previous payment. */
static void
canteen_kiosk_window_refresh_demo_cards (CanteenKioskWindow *self)
{
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (self->app);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (!canteen_kiosk_app_get_demo (self->app))
    return;
  if (ledger != NULL)
    accounts = canteen_ledger_list_accounts (ledger, NULL, &error);
  if (accounts == NULL && error != NULL)
    g_message ("demo cards: %s", error->message);
  canteen_tap_page_set_demo_accounts (self->tap_page, accounts);
}

static void
flow_page_changed_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, CanteenKioskWindow *self)
{
  if (canteen_checkout_flow_get_page (flow) == CANTEEN_KIOSK_PAGE_TAP
      && !canteen_checkout_flow_get_busy (flow))
    canteen_kiosk_window_refresh_demo_cards (self);
  canteen_kiosk_window_sync_page (self);
}

static void
scale_changed_cb (CanteenKioskDevices *devices, CanteenKioskWindow *self)
{
  CanteenScaleReading reading;

  canteen_tray_view_set_scale (self->tray_view,
                               canteen_kiosk_devices_get_scale_reading (devices, &reading) ? &reading : NULL);
}

static void
devices_changed_cb (CanteenKioskDevices *devices, CanteenKioskWindow *self)
{
  /* The button shows wherever a printer is plugged in; app.print-receipt
   * greys it out while the printer is not ready. */
  canteen_receipt_view_set_printer_present (self->receipt_view,
                                            canteen_kiosk_devices_has_kind (devices, CANTEEN_DEVICE_KIND_PRINTER));
  /* A diner at the tap page would wait for nothing: say so. (No reader
   * ever seen is the demo's direct taps, or a reader still to come.) */
  canteen_tap_page_set_reader_gone (self->tap_page,
                                    canteen_kiosk_devices_has_kind (devices, CANTEEN_DEVICE_KIND_CARD_READER)
                                    && !canteen_kiosk_devices_get_reader_ready (devices));
}

static void
unreadable_changed_cb (CanteenKioskDevices *devices, GParamSpec *pspec, CanteenKioskWindow *self)
{
  canteen_tap_page_set_unreadable (self->tap_page, canteen_kiosk_devices_get_unreadable (devices));
}

static void
print_state_changed_cb (CanteenKioskPrint *print, GParamSpec *pspec, CanteenKioskWindow *self)
{
  canteen_receipt_view_set_print_state (self->receipt_view, canteen_kiosk_print_get_state (print),
                                        canteen_kiosk_print_get_problem (print),
                                        canteen_kiosk_print_get_error (print));
}

static void
clearing_changed_cb (CanteenKioskClearing *clearing, CanteenKioskWindow *self)
{
  canteen_status_bar_set_clearing (self->statusbar, canteen_kiosk_clearing_get_state (clearing), self->tz);
}

static void
camera_state_changed_cb (CanteenKioskCamera *camera, GParamSpec *pspec, CanteenKioskWindow *self)
{
  canteen_status_bar_set_camera (self->statusbar, TRUE, canteen_kiosk_camera_get_state (camera),
                                 canteen_kiosk_camera_get_error (camera));
}

/* The sheet shows the question asked now, over the order page. */
static void
recognition_changed_cb (CanteenKioskRecognition *recognition, CanteenKioskWindow *self)
{
  const CanteenRecognitionQuestion *question = canteen_kiosk_recognition_get_question (recognition);

  canteen_choice_sheet_set_question (self->choice_sheet, question);
  gtk_widget_set_visible (self->choice_scrim, question != NULL);
}

static void
tray_total_changed_cb (CanteenTray *tray, GParamSpec *pspec, CanteenKioskWindow *self)
{
  /* The tray can change while the tap page shows (an action over D-Bus). */
  canteen_tap_page_set_amount (self->tap_page, canteen_tray_get_total (tray));
}

static void
canteen_kiosk_window_fill_menu (CanteenKioskWindow *self, GPtrArray *dishes)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dish_grid))) != NULL)
    gtk_flow_box_remove (self->dish_grid, child);
  self->n_dishes = dishes != NULL ? dishes->len : 0;
  for (guint i = 0; i < self->n_dishes; i++)
    {
      GtkWidget *button = canteen_dish_button_new (g_ptr_array_index (dishes, i));
      gtk_flow_box_append (self->dish_grid, button);
      /* The flow box child is only a frame; the button takes the touch. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }
  gtk_stack_set_visible_child_name (self->menu_stack, self->n_dishes > 0 ? "dishes" : "empty");
}

void
canteen_kiosk_window_reload_menu (CanteenKioskWindow *self)
{
  CanteenLedger *ledger;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CANTEEN_IS_KIOSK_WINDOW (self));

  now = g_date_time_new_now (self->tz);
  g_free (self->day);
  self->day = g_date_time_format (now, "%Y-%m-%d");
  self->period = canteen_meal_config_period_at (&self->meal_config, now);
  canteen_kiosk_header_set_period (self->header, self->period);

  ledger = canteen_kiosk_app_get_ledger (self->app);
  if (ledger != NULL)
    {
      /* Off-hours (CANTEEN_MEAL_NONE) lists the whole day's menu. */
      dishes = canteen_ledger_list_dishes (ledger, self->day, self->period, &error);
      /* No menu published for today: selling from the catalogue beats a
       * blank screen at the counter. */
      if (dishes != NULL && dishes->len == 0)
        {
          g_clear_pointer (&dishes, g_ptr_array_unref);
          dishes = canteen_ledger_list_dishes (ledger, NULL, CANTEEN_MEAL_NONE, &error);
        }
      if (dishes == NULL)
        g_message ("menu: %s", error != NULL ? error->message : "no dishes");
    }
  canteen_kiosk_window_fill_menu (self, dishes);
}

static gboolean
clock_tick_cb (gpointer user_data)
{
  CanteenKioskWindow *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");

  canteen_kiosk_header_set_time (self->header, now);
  /* Lunch starting (or a new day) brings a different menu. */
  if (canteen_meal_config_period_at (&self->meal_config, now) != self->period
      || g_strcmp0 (day, self->day) != 0)
    canteen_kiosk_window_reload_menu (self);
  return G_SOURCE_CONTINUE;
}

static void
canteen_kiosk_window_dispose (GObject *object)
{
  CanteenKioskWindow *self = CANTEEN_KIOSK_WINDOW (object);

  g_clear_handle_id (&self->clock_id, g_source_remove);
  /* The app's device objects outlive this window (or are gone already,
   * taking the handlers with them). */
  if (self->app != NULL)
    {
      CanteenKioskDevices *devices = canteen_kiosk_app_get_devices (self->app);
      CanteenKioskPrint *print = canteen_kiosk_app_get_print (self->app);
      CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self->app);
      CanteenKioskClearing *clearing = canteen_kiosk_app_get_clearing (self->app);

      if (devices != NULL)
        g_signal_handlers_disconnect_by_data (devices, self);
      if (clearing != NULL)
        g_signal_handlers_disconnect_by_data (clearing, self);
      if (print != NULL)
        g_signal_handlers_disconnect_by_data (print, self);
      if (recognition != NULL)
        {
          g_signal_handlers_disconnect_by_data (recognition, self);
          g_signal_handlers_disconnect_by_data (canteen_kiosk_recognition_get_camera (recognition), self);
        }
      self->app = NULL;
    }
  if (self->flow != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flow, self);
      g_signal_handlers_disconnect_by_data (canteen_checkout_flow_get_tray (self->flow), self);
      g_clear_object (&self->flow);
    }
  G_OBJECT_CLASS (canteen_kiosk_window_parent_class)->dispose (object);
}

static void
canteen_kiosk_window_finalize (GObject *object)
{
  CanteenKioskWindow *self = CANTEEN_KIOSK_WINDOW (object);

  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_free (self->day);
  G_OBJECT_CLASS (canteen_kiosk_window_parent_class)->finalize (object);
}

static void
canteen_kiosk_window_class_init (CanteenKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = canteen_kiosk_window_dispose;
  object_class->finalize = canteen_kiosk_window_finalize;

  /* Types used in the template must exist before it is parsed. */
  g_type_ensure (CANTEEN_TYPE_KIOSK_HEADER);
  g_type_ensure (CANTEEN_TYPE_TRAY_VIEW);
  g_type_ensure (CANTEEN_TYPE_TAP_PAGE);
  g_type_ensure (CANTEEN_TYPE_RECEIPT_VIEW);
  g_type_ensure (CANTEEN_TYPE_PROBLEM_VIEW);
  g_type_ensure (CANTEEN_TYPE_STATUS_BAR);
  g_type_ensure (CANTEEN_TYPE_CAMERA_PANEL);
  g_type_ensure (CANTEEN_TYPE_CHOICE_SHEET);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, header);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, menu_stack);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, dish_grid);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, tray_view);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, pay_button);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, tap_page);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, receipt_view);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, declined_view);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, error_view);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, statusbar);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, camera_panel);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, choice_scrim);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskWindow, choice_sheet);
}

static void
canteen_kiosk_window_init (CanteenKioskWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->period = CANTEEN_MEAL_NONE;
  canteen_meal_config_default (&self->meal_config);
}

/* Identity, time zone and meal times: read once per window; they change
 * only through `canteenctl`, after which the kiosk is restarted. */
static void
canteen_kiosk_window_load_identity (CanteenKioskWindow *self)
{
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (self->app);
  CanteenIdentity identity = { 0 };
  g_autoptr(GError) error = NULL;

  canteen_status_bar_set_database_state (self->statusbar, canteen_kiosk_app_get_ledger_problem (self->app));
  canteen_status_bar_set_demo (self->statusbar, canteen_kiosk_app_get_demo (self->app),
                               canteen_kiosk_app_get_emulation (self->app) != NULL);
  if (ledger == NULL)
    {
      self->tz = g_time_zone_new_local ();
      canteen_kiosk_header_set_canteen_name (self->header, NULL);
      canteen_status_bar_set_terminal (self->statusbar, NULL);
      return;
    }

  /* Borrowed from the ledger (transfer none): keep our own reference. */
  self->tz = g_time_zone_ref (canteen_ledger_get_timezone (ledger));
  if (canteen_ledger_get_identity (ledger, &identity, &error))
    {
      canteen_kiosk_header_set_canteen_name (self->header, identity.canteen);
      canteen_status_bar_set_terminal (self->statusbar, identity.terminal);
      canteen_identity_clear (&identity);
    }
  else
    {
      canteen_kiosk_header_set_canteen_name (self->header, NULL);
      canteen_status_bar_set_terminal (self->statusbar, NULL);
      canteen_status_bar_set_database_state (self->statusbar, error->message);
    }
  g_clear_error (&error);
  if (!canteen_ledger_get_meal_config (ledger, &self->meal_config, &error))
    {
      g_message ("meal times: %s; using the defaults", error->message);
      canteen_meal_config_default (&self->meal_config);
    }
}

/* Devices: indicators in the status bar, the weight on the tray, "tap
 * again" on the tap page, the printer on the receipt page. */
static void
canteen_kiosk_window_watch_devices (CanteenKioskWindow *self)
{
  CanteenKioskDevices *devices = canteen_kiosk_app_get_devices (self->app);
  CanteenKioskPrint *print = canteen_kiosk_app_get_print (self->app);

  canteen_status_bar_set_devices (self->statusbar, canteen_kiosk_devices_get_list (devices));
  canteen_status_bar_set_devices_problem (self->statusbar, canteen_kiosk_app_get_devices_problem (self->app));
  canteen_tap_page_set_demo_emulated (self->tap_page, canteen_kiosk_app_get_emulation (self->app) != NULL);
  /* The demo's visiting official: named from the card file. */
  if (canteen_kiosk_app_get_demo (self->app) && canteen_kiosk_app_get_visitor_card (self->app) != NULL)
    {
      const char *path = canteen_kiosk_app_get_visitor_card (self->app);
      g_autoptr(GError) error = NULL;
      CanteenCardCert cert = { 0 };
      guint8 secret_key[64];

      if (canteen_card_file_read (path, &cert, secret_key, &error))
        {
          g_autofree char *label = g_strdup_printf ("%s (%s)", cert.holder, cert.agency);
          canteen_tap_page_set_demo_visitor (self->tap_page, path, label);
        }
      else
        g_message ("visitor card %s: %s", path, error->message);
      canteen_card_cert_clear (&cert);
      sodium_memzero (secret_key, sizeof secret_key);
    }

  g_signal_connect (devices, "scale-changed", G_CALLBACK (scale_changed_cb), self);
  g_signal_connect (devices, "devices-changed", G_CALLBACK (devices_changed_cb), self);
  g_signal_connect (devices, "notify::unreadable", G_CALLBACK (unreadable_changed_cb), self);
  g_signal_connect (print, "notify::state", G_CALLBACK (print_state_changed_cb), self);
  scale_changed_cb (devices, self);
  devices_changed_cb (devices, self);
  unreadable_changed_cb (devices, NULL, self);
  print_state_changed_cb (print, NULL, self);
}

/* The camera: preview and button above the tray, its questions over the
 * order page, its state in the status bar. Nothing without one. */
static void
canteen_kiosk_window_watch_camera (CanteenKioskWindow *self)
{
  CanteenKioskRecognition *recognition = canteen_kiosk_app_get_recognition (self->app);
  CanteenKioskCamera *camera;

  canteen_camera_panel_set_recognition (self->camera_panel, recognition);
  if (recognition == NULL)
    {
      canteen_status_bar_set_camera (self->statusbar, FALSE, CANTEEN_DEVICE_STATE_CLOSED, NULL);
      return;
    }
  camera = canteen_kiosk_recognition_get_camera (recognition);
  g_signal_connect (camera, "notify::state", G_CALLBACK (camera_state_changed_cb), self);
  g_signal_connect (camera, "notify::error", G_CALLBACK (camera_state_changed_cb), self);
  g_signal_connect (recognition, "changed", G_CALLBACK (recognition_changed_cb), self);
  camera_state_changed_cb (camera, NULL, self);
  recognition_changed_cb (recognition, self);
}

CanteenKioskWindow *
canteen_kiosk_window_new (CanteenKioskApp *app)
{
  CanteenKioskWindow *self;
  CanteenTray *tray;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (app), NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_WINDOW, "application", app, NULL);
  self->app = app;
  self->flow = g_object_ref (canteen_kiosk_app_get_flow (app));
  tray = canteen_checkout_flow_get_tray (self->flow);

  canteen_kiosk_window_load_identity (self);
  canteen_kiosk_window_reload_menu (self);
  canteen_tray_view_set_tray (self->tray_view, tray);

  g_signal_connect (self->flow, "notify::page", G_CALLBACK (flow_page_changed_cb), self);
  g_signal_connect (self->flow, "notify::busy", G_CALLBACK (flow_page_changed_cb), self);
  g_signal_connect (tray, "notify::total", G_CALLBACK (tray_total_changed_cb), self);
  canteen_kiosk_window_watch_devices (self);
  canteen_kiosk_window_watch_camera (self);
  /* The clearing sync's state in the status bar (hidden when not enrolled). */
  {
    CanteenKioskClearing *clearing = canteen_kiosk_app_get_clearing (app);

    if (clearing != NULL)
      {
        g_signal_connect (clearing, "changed", G_CALLBACK (clearing_changed_cb), self);
        clearing_changed_cb (clearing, self);
      }
  }
  flow_page_changed_cb (self->flow, NULL, self);

  {
    g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
    canteen_kiosk_header_set_time (self->header, now);
  }
  self->clock_id = g_timeout_add_seconds (1, clock_tick_cb, self);
  return self;
}

GtkButton *
canteen_kiosk_window_get_pay_button (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->pay_button;
}

CanteenTrayView *
canteen_kiosk_window_get_tray_view (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->tray_view;
}

CanteenReceiptView *
canteen_kiosk_window_get_receipt_view (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->receipt_view;
}

CanteenTapPage *
canteen_kiosk_window_get_tap_page (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->tap_page;
}

CanteenStatusBar *
canteen_kiosk_window_get_statusbar (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->statusbar;
}

CanteenProblemView *
canteen_kiosk_window_get_declined_view (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->declined_view;
}

CanteenProblemView *
canteen_kiosk_window_get_error_view (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->error_view;
}

guint
canteen_kiosk_window_get_n_dishes (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), 0);
  return self->n_dishes;
}

CanteenCameraPanel *
canteen_kiosk_window_get_camera_panel (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return self->camera_panel;
}

CanteenChoiceSheet *
canteen_kiosk_window_get_choice_sheet (CanteenKioskWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_WINDOW (self), NULL);
  return gtk_widget_get_visible (self->choice_scrim) ? self->choice_sheet : NULL;
}
