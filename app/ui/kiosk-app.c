/* kiosk-app.c — application lifetime: options, locale, ledger, window. */
#include "kiosk-app-private.h"

#include <glib/gi18n.h>

#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "ui-resources.h"

struct _CanteenKioskApp
{
  GtkApplication       parent_instance;

  char                *db_path;
  char                *language;
  gboolean             windowed;
  gboolean             demo;
  gboolean             emulate_devices;
  char                *camera_source;
  double               camera_fps;
  char                *visitor_card;    /* --visitor-card (demo) */
  gboolean             return_station;  /* --return-station */
  gint                 tray_tare;       /* --tray-tare */

  CanteenLedger       *ledger;          /* main thread only */
  char                *ledger_problem;
  char                *agency;          /* the ledger's agency code */
  CanteenKioskClearing *clearing;
  CanteenCheckoutFlow *flow;
  CanteenKioskWindow  *window;
  gboolean             quit_pending;

  /* Devices (see canteen_kiosk_app_start_devices); torn down in reverse. */
  CanteenKioskEmulation *emulation;      /* --emulate-devices only */
  CanteenDeviceManager  *device_manager; /* NULL when USB could not start */
  char                  *devices_problem;
  CanteenKioskDevices   *devices;
  CanteenKioskPrint     *print;

  /* The camera and the tray's recognition (with a camera only). */
  CanteenKioskRecognition *recognition;

  /* The manager dashboard (issue 6) and the day it counts from. */
  CanteenKioskDashboard *dashboard;
  char                  *reference_day;

  /* The return station (--return-station): its window instead of the checkout. */
  CanteenKioskReturn    *returns;
};

enum { PROP_0, PROP_DB_PATH, PROP_LANGUAGE, PROP_WINDOWED, PROP_DEMO, PROP_EMULATE_DEVICES, PROP_CAMERA,
       PROP_CAMERA_FPS, PROP_VISITOR_CARD, PROP_REFERENCE_DAY, PROP_RETURN_STATION, PROP_TRAY_TARE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CanteenKioskApp, canteen_kiosk_app, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Ledger file (default: $CANTEEN_DB, else canteen.db)"), N_("PATH") },
  { "lang", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Language of the screen: zh_CN (default) or en"), N_("LANG") },
  { "windowed", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run in a window instead of full screen (development)"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Demo mode: offer the ledger's cards as buttons instead of a card reader"), NULL },
  /* main() has looked for this one already (kiosk-emulation.h). */
  { "emulate-devices", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --demo: emulated card reader, scale and printer, so the buttons tap a card through the real drivers"), NULL },
  { "camera", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Camera that sees the tray: a V4L2 device (/dev/video0), a video file, an image or a folder of images"),
    N_("SOURCE") },
  { "camera-fps", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
    N_("Frames per second to read from the camera (a folder: how fast its images follow each other)"), N_("FPS") },
  { "visitor-card", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("With --demo: a visiting official's card file, offered as a button on the tap page"), N_("FILE") },
  { "return-station", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run as the tray return station: photograph and weigh returned trays, and show what was left"), NULL },
  { "tray-tare", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --return-station: the empty tray's weight in grams (default 0: the scale is tared with a tray)"),
    N_("GRAMS") },
  { NULL }
};

static gint
canteen_kiosk_app_handle_local_options (GApplication *application, GVariantDict *options)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (application);
  g_autofree char *db = NULL;
  g_autofree char *lang = NULL;

  if (g_variant_dict_lookup (options, "db", "^ay", &db))
    g_object_set (self, "db-path", db, NULL);
  if (g_variant_dict_lookup (options, "lang", "s", &lang))
    {
      if (!canteen_kiosk_i18n_is_supported (lang))
        {
          g_printerr ("canteen-kiosk: --lang must be zh_CN or en (got “%s”)\n", lang);
          return 2;
        }
      g_object_set (self, "language", lang, NULL);
    }
  {
    g_autofree char *camera = NULL;
    double fps;

    if (g_variant_dict_lookup (options, "camera", "^ay", &camera))
      g_object_set (self, "camera", camera, NULL);
    if (g_variant_dict_lookup (options, "camera-fps", "d", &fps))
      {
        if (!(fps > 0 && fps <= 120))
          {
            g_printerr ("canteen-kiosk: --camera-fps must be above 0 and at most 120 (got %g)\n", fps);
            return 2;
          }
        self->camera_fps = fps;
      }
  }
  {
    g_autofree char *visitor_card = NULL;

    if (g_variant_dict_lookup (options, "visitor-card", "^ay", &visitor_card))
      g_object_set (self, "visitor-card", visitor_card, NULL);
  }
  if (g_variant_dict_contains (options, "return-station"))
    self->return_station = TRUE;
  {
    gint tare;

    if (g_variant_dict_lookup (options, "tray-tare", "i", &tare))
      {
        if (tare < 0 || tare > 5000)
          {
            g_printerr ("canteen-kiosk: --tray-tare must be 0..5000 grams (got %d)\n", tare);
            return 2;
          }
        self->tray_tare = tare;
      }
  }
  if (g_variant_dict_contains (options, "windowed"))
    self->windowed = TRUE;
  if (g_variant_dict_contains (options, "demo"))
    self->demo = TRUE;
  if (g_variant_dict_contains (options, "emulate-devices"))
    {
      /* Emulated devices on a real counter would take real payments from
       * cards nobody tapped: only a demo may have them. */
      if (!self->demo)
        {
          g_printerr ("canteen-kiosk: --emulate-devices needs --demo\n");
          return 2;
        }
      self->emulate_devices = TRUE;
    }
  if (self->visitor_card != NULL && !self->demo)
    {
      g_printerr ("canteen-kiosk: --visitor-card needs --demo\n");
      return 2;
    }
  return -1;
}

static void
canteen_kiosk_app_load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/cn/gov/canteen/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
canteen_kiosk_app_open_ledger (CanteenKioskApp *self)
{
  g_autoptr(GError) error = NULL;
  CanteenIdentity identity = { 0 };

  self->ledger = canteen_ledger_open (self->db_path, &error);
  if (self->ledger == NULL)
    {
      self->ledger_problem = g_strdup_printf ("%s: %s", self->db_path, error->message);
      g_message ("cannot open the ledger %s", self->ledger_problem);
      return;
    }
  /* An opened but never initialised file has no canteen and no menu: say
   * so rather than show an empty, silent screen. */
  if (!canteen_ledger_get_identity (self->ledger, &identity, &error))
    self->ledger_problem = g_strdup_printf ("%s: %s", self->db_path, error->message);
  else
    self->agency = g_strdup (identity.agency);
  canteen_identity_clear (&identity);
}

/* The device manager on the main context. No USB (libusb failing to start,
 * the emulation failing) is shown in the status bar and is never fatal: the
 * kiosk still sells through the demo buttons or D-Bus. */
static void
canteen_kiosk_app_start_devices (CanteenKioskApp *self)
{
  g_autoptr(GError) error = NULL;

  /* Emulated devices exist before libusb first looks for devices. */
  if (self->emulate_devices)
    {
      self->emulation = canteen_kiosk_emulation_new (&error);
      if (self->emulation == NULL)
        {
          self->devices_problem = g_strdup_printf ("emulated devices: %s", error->message);
          g_clear_error (&error);
        }
    }
  self->device_manager = canteen_device_manager_new (&error);
  if (self->device_manager != NULL && self->emulation != NULL)
    canteen_kiosk_emulation_attach (self->emulation,
                                    canteen_device_manager_get_usb_context (self->device_manager));
  if (self->device_manager != NULL && !canteen_device_manager_start (self->device_manager, &error))
    g_clear_object (&self->device_manager);
  if (self->device_manager == NULL)
    {
      g_free (self->devices_problem);
      self->devices_problem = g_strdup (error->message);
      g_message ("no USB devices: %s", error->message);
    }
  self->devices = canteen_kiosk_devices_new (self->device_manager, self->flow, G_ACTION_GROUP (self));
  canteen_kiosk_devices_set_own_agency (self->devices, self->agency);
  self->print = canteen_kiosk_print_new ();
}

/* The camera opens in the background; until it delivers, and whenever it
 * fails, the status bar says so and recognition waits. */
static void
canteen_kiosk_app_start_camera (CanteenKioskApp *self)
{
  g_autoptr(CanteenKioskCamera) camera = NULL;
  g_autoptr(CanteenKioskRecognizer) recognizer = NULL;
  g_autoptr(CanteenFrameKeeper) keeper = NULL;

  if (self->camera_source != NULL && *self->camera_source != '\0')
    camera = canteen_kiosk_camera_new (self->camera_source, self->camera_fps);
  /* The return station looks at returned trays: no recognition, no checkout. */
  if (self->return_station)
    {
      self->returns = canteen_kiosk_return_new (GTK_APPLICATION (self), self->db_path, camera, self->devices,
                                                self->tray_tare);
      return;
    }
  if (camera == NULL)
    return;
  recognizer = canteen_kiosk_recognizer_new (self->db_path);
  keeper = canteen_frame_keeper_new (self->db_path);
  self->recognition = canteen_kiosk_recognition_new (camera, recognizer, keeper, self->flow, self->devices);
}

/* In reverse: the manager closes the devices (ending any transfer, a print
 * job's too) while the emulated ones still answer. */
static void
canteen_kiosk_app_stop_devices (CanteenKioskApp *self)
{
  /* The recognition holds the camera and the devices it weighs with; a
   * recognition or correction in flight keeps a reference until it
   * answers, so dispose now: the camera stops and the answer is dropped. */
  if (self->recognition != NULL)
    g_object_run_dispose (G_OBJECT (self->recognition));
  g_clear_object (&self->recognition);
  if (self->returns != NULL)
    g_object_run_dispose (G_OBJECT (self->returns));
  g_clear_object (&self->returns);
  g_clear_object (&self->print);
  g_clear_object (&self->devices);
  g_clear_object (&self->device_manager);
  g_clear_object (&self->emulation);
}

/* Before the ledger handle it reads with goes. */
static void
canteen_kiosk_app_stop_clearing (CanteenKioskApp *self)
{
  if (self->clearing != NULL)
    canteen_kiosk_clearing_stop (self->clearing);
  g_clear_object (&self->clearing);
}

static void
canteen_kiosk_app_startup (GApplication *application)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (application);

  /* GTK would otherwise call setlocale(LC_ALL, "") itself and, on a
   * machine without LANG, undo the C.UTF-8 fallback that LANGUAGE needs. */
  if (!gtk_is_initialized ())
    gtk_disable_setlocale ();
  canteen_kiosk_i18n_init ();
  canteen_kiosk_i18n_set_language (self->language);

  G_APPLICATION_CLASS (canteen_kiosk_app_parent_class)->startup (application);

  canteen_ui_resources_ensure ();
  canteen_kiosk_app_load_css ();
  canteen_kiosk_app_open_ledger (self);
  self->flow = canteen_checkout_flow_new (self->db_path);
  canteen_kiosk_app_start_devices (self);
  canteen_kiosk_app_start_camera (self);
  self->clearing = canteen_kiosk_clearing_new (self->db_path, self->ledger);
  canteen_kiosk_app_install_actions (self);
  self->dashboard = canteen_kiosk_dashboard_new (GTK_APPLICATION (self));
  canteen_kiosk_clearing_start (self->clearing);
}

static void
canteen_kiosk_app_show_window (CanteenKioskApp *self)
{
  CanteenKioskWindow *old = self->window;

  if (self->returns != NULL)
    {
      CanteenReturnWindow *window = canteen_kiosk_return_present (self->returns, !self->windowed);
      if (self->demo && self->ledger != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) accounts = canteen_ledger_list_accounts (self->ledger, NULL, &error);
          if (accounts == NULL)
            g_message ("demo cards: %s", error->message);
          canteen_return_window_set_demo_cards (window, accounts);
        }
      return;
    }
  self->window = canteen_kiosk_window_new (self);
  if (!self->windowed)
    gtk_window_fullscreen (GTK_WINDOW (self->window));
  gtk_window_present (GTK_WINDOW (self->window));
  /* The new window is up before the old goes, so the application never
   * runs out of windows (which would end it). */
  if (old != NULL)
    gtk_window_destroy (GTK_WINDOW (old));
}

static void
canteen_kiosk_app_activate (GApplication *application)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (application);

  if (self->window != NULL)
    gtk_window_present (GTK_WINDOW (self->window));
  else
    canteen_kiosk_app_show_window (self);
}

static void
canteen_kiosk_app_window_removed (GtkApplication *application, GtkWindow *window)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (application);

  if ((GtkWindow *) self->window == window)
    self->window = NULL;
  GTK_APPLICATION_CLASS (canteen_kiosk_app_parent_class)->window_removed (application, window);
}

static void
canteen_kiosk_app_shutdown (GApplication *application)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (application);
  GList *windows;

  /* Windows show the devices: they go before the devices do. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (windows->data);
  G_APPLICATION_CLASS (canteen_kiosk_app_parent_class)->shutdown (application);
  if (self->dashboard != NULL)
    canteen_kiosk_dashboard_stop (self->dashboard);
  canteen_kiosk_app_stop_clearing (self);
  canteen_kiosk_app_stop_devices (self);
  g_clear_object (&self->flow);
  g_clear_pointer (&self->ledger, canteen_ledger_close);
}

static void
canteen_kiosk_app_constructed (GObject *object)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (object);

  G_OBJECT_CLASS (canteen_kiosk_app_parent_class)->constructed (object);
  if (self->db_path == NULL)
    {
      const char *env = g_getenv ("CANTEEN_DB");
      self->db_path = g_strdup (env != NULL && *env != '\0' ? env : "canteen.db");
    }
}

/* An app that is never run (or never shut down) still closes its devices:
 * a libusb context left behind would hold on to the USB (or emulated)
 * devices for the rest of the process. */
static void
canteen_kiosk_app_dispose (GObject *object)
{
  canteen_kiosk_app_stop_clearing (CANTEEN_KIOSK_APP (object));
  canteen_kiosk_app_stop_devices (CANTEEN_KIOSK_APP (object));
  G_OBJECT_CLASS (canteen_kiosk_app_parent_class)->dispose (object);
}

static void
canteen_kiosk_app_finalize (GObject *object)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (object);

  g_free (self->db_path);
  g_free (self->camera_source);
  g_free (self->visitor_card);
  g_free (self->reference_day);
  g_clear_object (&self->dashboard);
  g_free (self->agency);
  g_free (self->devices_problem);
  g_free (self->language);
  g_free (self->ledger_problem);
  g_clear_object (&self->flow);
  g_clear_pointer (&self->ledger, canteen_ledger_close);
  G_OBJECT_CLASS (canteen_kiosk_app_parent_class)->finalize (object);
}

static void
canteen_kiosk_app_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:  g_value_set_string (value, self->db_path); break;
    case PROP_LANGUAGE: g_value_set_string (value, self->language); break;
    case PROP_WINDOWED: g_value_set_boolean (value, self->windowed); break;
    case PROP_DEMO:     g_value_set_boolean (value, self->demo); break;
    case PROP_EMULATE_DEVICES: g_value_set_boolean (value, self->emulate_devices); break;
    case PROP_CAMERA:   g_value_set_string (value, self->camera_source); break;
    case PROP_CAMERA_FPS: g_value_set_double (value, self->camera_fps); break;
    case PROP_VISITOR_CARD: g_value_set_string (value, self->visitor_card); break;
    case PROP_REFERENCE_DAY: g_value_set_string (value, self->reference_day); break;
    case PROP_RETURN_STATION: g_value_set_boolean (value, self->return_station); break;
    case PROP_TRAY_TARE: g_value_set_int (value, self->tray_tare); break;
    default:            G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_app_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CanteenKioskApp *self = CANTEEN_KIOSK_APP (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_free (self->db_path);
      /* Absolute, so the worker's handle opens the same file whatever the
       * current directory becomes. */
      self->db_path = g_value_get_string (value) != NULL
                    ? g_canonicalize_filename (g_value_get_string (value), NULL) : NULL;
      break;
    case PROP_LANGUAGE:
      {
        const char *language = g_value_get_string (value);
        g_free (self->language);
        self->language = g_strdup (canteen_kiosk_i18n_is_supported (language)
                                   ? language : CANTEEN_KIOSK_DEFAULT_LANGUAGE);
      }
      break;
    case PROP_WINDOWED: self->windowed = g_value_get_boolean (value); break;
    case PROP_DEMO:     self->demo = g_value_get_boolean (value); break;
    case PROP_EMULATE_DEVICES: self->emulate_devices = g_value_get_boolean (value); break;
    case PROP_CAMERA:
      g_free (self->camera_source);
      self->camera_source = g_value_dup_string (value);
      break;
    case PROP_CAMERA_FPS: self->camera_fps = g_value_get_double (value); break;
    case PROP_VISITOR_CARD:
      g_free (self->visitor_card);
      self->visitor_card = g_value_get_string (value) != NULL
                         ? g_canonicalize_filename (g_value_get_string (value), NULL) : NULL;
      break;
    case PROP_REFERENCE_DAY:
      g_free (self->reference_day);
      self->reference_day = g_value_dup_string (value);
      break;
    case PROP_RETURN_STATION: self->return_station = g_value_get_boolean (value); break;
    case PROP_TRAY_TARE: self->tray_tare = g_value_get_int (value); break;
    default:            G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_app_class_init (CanteenKioskAppClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->constructed = canteen_kiosk_app_constructed;
  object_class->dispose = canteen_kiosk_app_dispose;
  object_class->finalize = canteen_kiosk_app_finalize;
  object_class->get_property = canteen_kiosk_app_get_property;
  object_class->set_property = canteen_kiosk_app_set_property;
  app_class->handle_local_options = canteen_kiosk_app_handle_local_options;
  app_class->startup = canteen_kiosk_app_startup;
  app_class->activate = canteen_kiosk_app_activate;
  app_class->shutdown = canteen_kiosk_app_shutdown;
  gtk_app_class->window_removed = canteen_kiosk_app_window_removed;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, CANTEEN_KIOSK_DEFAULT_LANGUAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOWED] =
    g_param_spec_boolean ("windowed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Read at startup: emulated devices must exist before the manager. */
  properties[PROP_EMULATE_DEVICES] =
    g_param_spec_boolean ("emulate-devices", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Read at startup: a camera source (see camera.h), or NULL for none. */
  properties[PROP_CAMERA] =
    g_param_spec_string ("camera", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* 0: the source's own rate. */
  properties[PROP_CAMERA_FPS] =
    g_param_spec_double ("camera-fps", NULL, NULL, 0.0, 120.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Demo only: a card file for the tap page's visiting-official button. */
  properties[PROP_VISITOR_CARD] =
    g_param_spec_string ("visitor-card", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* The dashboard's "today" ("YYYY-MM-DD"): tests fix it; NULL is today
   * in the ledger's time zone. */
  properties[PROP_REFERENCE_DAY] =
    g_param_spec_string ("reference-day", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Read at startup: the kiosk is the return station (kiosk-return.h). */
  properties[PROP_RETURN_STATION] =
    g_param_spec_boolean ("return-station", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAY_TARE] =
    g_param_spec_int ("tray-tare", NULL, NULL, 0, 5000, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
canteen_kiosk_app_init (CanteenKioskApp *self)
{
  GOptionEntry entries[G_N_ELEMENTS (option_entries)];

  /* --help is translated by the system locale (main() sets it up before
   * the app exists); the table stays untranslated, so copy it. */
  for (gsize i = 0; i < G_N_ELEMENTS (option_entries); i++)
    {
      entries[i] = option_entries[i];
      if (entries[i].description != NULL)
        entries[i].description = _(entries[i].description);
    }
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

CanteenKioskApp *
canteen_kiosk_app_new (void)
{
  return g_object_new (CANTEEN_TYPE_KIOSK_APP,
                       "application-id", CANTEEN_KIOSK_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

const char *
canteen_kiosk_app_get_db_path (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->db_path;
}

CanteenLedger *
canteen_kiosk_app_get_ledger (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->ledger;
}

const char *
canteen_kiosk_app_get_ledger_problem (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->ledger_problem;
}

CanteenCheckoutFlow *
canteen_kiosk_app_get_flow (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->flow;
}

gboolean
canteen_kiosk_app_get_demo (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), FALSE);
  return self->demo;
}

const char *
canteen_kiosk_app_get_language (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->language;
}

CanteenKioskDevices *
canteen_kiosk_app_get_devices (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->devices;
}

const char *
canteen_kiosk_app_get_devices_problem (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->devices_problem;
}

CanteenKioskEmulation *
canteen_kiosk_app_get_emulation (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->emulation;
}

CanteenKioskPrint *
canteen_kiosk_app_get_print (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->print;
}

CanteenKioskRecognition *
canteen_kiosk_app_get_recognition (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->recognition;
}

CanteenKioskClearing *
canteen_kiosk_app_get_clearing (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->clearing;
}

const char *
canteen_kiosk_app_get_visitor_card (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->visitor_card;
}

GtkWindow *
canteen_kiosk_app_get_window (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->window != NULL ? GTK_WINDOW (self->window) : NULL;
}

gboolean
canteen_kiosk_app_switch_language (CanteenKioskApp *self, const char *language)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), FALSE);

  /* setenv() while the worker thread may call getenv() is unsafe, and
   * the payment screen should not change under the diner anyway. */
  if (!canteen_kiosk_i18n_is_supported (language)
      || (self->flow != NULL && canteen_checkout_flow_get_busy (self->flow)))
    return FALSE;
  g_free (self->language);
  self->language = g_strdup (language);
  canteen_kiosk_i18n_set_language (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
  /* Templates are translated when a widget is built: rebuild the window;
   * the flow (tray, page, receipt) is kept by the app. */
  if (self->window != NULL)
    canteen_kiosk_app_show_window (self);
  return TRUE;
}

static void
quit_when_idle_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, CanteenKioskApp *self)
{
  if (!canteen_checkout_flow_get_busy (flow))
    {
      g_signal_handlers_disconnect_by_func (flow, quit_when_idle_cb, self);
      g_application_quit (G_APPLICATION (self));
    }
}

void
canteen_kiosk_app_request_quit (CanteenKioskApp *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_APP (self));

  if (self->flow != NULL && canteen_checkout_flow_get_busy (self->flow))
    {
      /* Let the payment in flight report its outcome (and show it) first;
       * it is committed or not either way, but the diner should know. */
      if (!self->quit_pending)
        g_signal_connect (self->flow, "notify::busy", G_CALLBACK (quit_when_idle_cb), self);
      self->quit_pending = TRUE;
      return;
    }
  g_application_quit (G_APPLICATION (self));
}

CanteenKioskDashboard *
canteen_kiosk_app_get_dashboard (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->dashboard;
}

const char *
canteen_kiosk_app_get_reference_day (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->reference_day;
}

CanteenKioskReturn *
canteen_kiosk_app_get_return (CanteenKioskApp *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (self), NULL);
  return self->returns;
}
