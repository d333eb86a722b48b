/* status-bar.c — template widget for the bottom status line. */
#include "status-bar.h"

#include <glib/gi18n.h>

#include "ui-resources.h"

/* The kinds with an indicator, in the order shown. (The camera is not a
 * USB device of the manager's: it has an indicator of its own, last.) */
static const struct {
  CanteenDeviceKind kind;
  const char       *name;
} indicator_kinds[] = {
  { CANTEEN_DEVICE_KIND_CARD_READER, N_("Card reader") },
  /* Translators: the weighing scale, as a device in the status bar. */
  { CANTEEN_DEVICE_KIND_SCALE,       N_("Scale") },
  { CANTEEN_DEVICE_KIND_PRINTER,     N_("Printer") },
};
#define N_INDICATORS G_N_ELEMENTS (indicator_kinds)

typedef struct {
  GtkWidget *box;      /* dot + label; hidden until a device of the kind is seen */
  GtkWidget *dot;
  GtkLabel  *label;
} Indicator;

struct _CanteenStatusBar
{
  GtkBox      parent_instance;
  GtkLabel   *terminal_label;
  GtkLabel   *database_label;
  GtkBox     *devices_box;
  GtkLabel   *devices_problem_label;
  GtkLabel   *clearing_label;
  GtkLabel   *demo_label;
  GtkLabel   *version_label;

  GListModel *devices;   /* owned ref, or NULL */
  Indicator   indicators[N_INDICATORS];
  Indicator   camera;
};

G_DEFINE_FINAL_TYPE (CanteenStatusBar, canteen_status_bar, GTK_TYPE_BOX)

static void canteen_status_bar_unwatch (CanteenStatusBar *self);

static void
canteen_status_bar_dispose (GObject *object)
{
  canteen_status_bar_unwatch (CANTEEN_STATUS_BAR (object));
  G_OBJECT_CLASS (canteen_status_bar_parent_class)->dispose (object);
}

static void
canteen_status_bar_class_init (CanteenStatusBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_status_bar_dispose;

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "status-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, terminal_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, database_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, devices_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, devices_problem_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, clearing_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, demo_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, version_label);
}

static void
indicator_init (CanteenStatusBar *self, Indicator *ind)
{
  ind->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  ind->dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  ind->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (ind->dot, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (ind->dot, "device-dot");
  gtk_widget_add_css_class (ind->box, "device-indicator");
  gtk_box_append (GTK_BOX (ind->box), ind->dot);
  gtk_box_append (GTK_BOX (ind->box), GTK_WIDGET (ind->label));
  gtk_widget_set_visible (ind->box, FALSE);
  gtk_box_append (self->devices_box, ind->box);
}

static void
canteen_status_bar_init (CanteenStatusBar *self)
{
  g_autofree char *version = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  version = g_strdup_printf ("v%s", CANTEEN_VERSION);
  gtk_label_set_text (self->version_label, version);
  canteen_status_bar_set_terminal (self, NULL);
  canteen_status_bar_set_database_state (self, NULL);

  for (guint i = 0; i < N_INDICATORS; i++)
    indicator_init (self, &self->indicators[i]);
  indicator_init (self, &self->camera);
}

void
canteen_status_bar_set_terminal (CanteenStatusBar *self, const char *terminal)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  /* Translators: %s is the terminal id, e.g. "T01". */
  text = g_strdup_printf (_("Terminal %s"), terminal != NULL && *terminal != '\0' ? terminal : "—");
  gtk_label_set_text (self->terminal_label, text);
}

void
canteen_status_bar_set_database_state (CanteenStatusBar *self, const char *problem)
{
  GtkWidget *label;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  label = GTK_WIDGET (self->database_label);
  if (problem == NULL)
    {
      gtk_label_set_text (self->database_label, _("Database ready"));
      gtk_widget_remove_css_class (label, "error");
      gtk_widget_set_tooltip_text (label, NULL);
    }
  else
    {
      g_autofree char *text = NULL;

      /* Translators: %s is the technical reason, shown for staff. */
      text = g_strdup_printf (_("Database problem: %s"), problem);
      gtk_label_set_text (self->database_label, text);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_set_tooltip_text (label, problem);
    }
}

void
canteen_status_bar_set_demo (CanteenStatusBar *self, gboolean demo, gboolean emulated)
{
  const char *text;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  if (emulated)
    /* Translators: status bar badge of `canteen-kiosk --demo --emulate-devices`. */
    text = _("Demo mode: emulated devices");
  else
    /* Translators: status bar badge of a kiosk started with --demo. */
    text = _("Demo mode");
  gtk_label_set_text (self->demo_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->demo_label), demo);
}

void
canteen_status_bar_set_devices_problem (CanteenStatusBar *self, const char *problem)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  if (problem != NULL)
    /* Translators: %s is the technical reason (libusb's), shown for staff. */
    text = g_strdup_printf (_("No USB devices: %s"), problem);
  gtk_label_set_text (self->devices_problem_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->devices_problem_label), problem);
  gtk_widget_set_visible (GTK_WIDGET (self->devices_problem_label), problem != NULL);
}

/* --- clearing sync ------------------------------------------------------ */

static int
clamp_count (gint64 n)
{
  return (int) CLAMP (n, 0, G_MAXINT);
}

void
canteen_status_bar_set_clearing (CanteenStatusBar *self, const CanteenClearingState *state, GTimeZone *tz)
{
  GtkWidget *label;
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  gboolean failing;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  label = GTK_WIDGET (self->clearing_label);
  /* A kiosk that settles nothing with others has nothing to show. */
  if (state == NULL || !state->enrolled)
    {
      gtk_widget_set_visible (label, FALSE);
      return;
    }
  failing = state->failures > 0;
  if (failing)
    {
      int failures = state->failures;
      /* Translators: the clearing service could not be reached %d times in a row. */
      g_autofree char *head = g_strdup_printf (ngettext ("Clearing offline: %d failed attempt",
                                                         "Clearing offline: %d failed attempts", failures),
                                               failures);
      if (state->pending > 0)
        {
          int pending = clamp_count (state->pending);
          /* Translators: appended to the clearing state: visitor records not yet uploaded. */
          g_autofree char *backlog = g_strdup_printf (ngettext ("%d to upload", "%d to upload", pending), pending);
          text = g_strdup_printf ("%s · %s", head, backlog);
        }
      else
        text = g_steal_pointer (&head);
      tooltip = g_strdup (state->last_error);
    }
  else if (state->pending > 0)
    {
      int pending = clamp_count (state->pending);
      /* Translators: visitor meal records the clearing service has not acknowledged yet. */
      text = g_strdup_printf (ngettext ("Clearing: %d to upload", "Clearing: %d to upload", pending), pending);
    }
  else if (state->last_success != NULL)
    {
      g_autoptr(GTimeZone) zone = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_utc ();
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (state->last_success, NULL);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, zone) : NULL;
      g_autofree char *hhmm = local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("—");
      /* Translators: the last successful clearing sync; %s is the local time, "14:05". */
      text = g_strdup_printf (_("Clearing ✓ %s"), hhmm);
    }
  else
    text = g_strdup (_("Clearing: not synced yet"));

  if (tooltip == NULL)
    tooltip = g_strdup (state->url);
  gtk_label_set_text (self->clearing_label, text);
  gtk_widget_set_tooltip_text (label, tooltip);
  if (failing)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
  gtk_widget_set_visible (label, TRUE);
}

const char *
canteen_status_bar_get_clearing_text (CanteenStatusBar *self)
{
  g_return_val_if_fail (CANTEEN_IS_STATUS_BAR (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->clearing_label))
       ? gtk_label_get_text (self->clearing_label) : NULL;
}

/* --- device indicators ------------------------------------------------- */

/* Which state speaks for a kind with several devices: one ready device is
 * enough to work; otherwise the one that needs a person most. */
static guint
state_rank (CanteenDeviceState state)
{
  switch (state)
    {
    case CANTEEN_DEVICE_STATE_READY:  return 0;
    case CANTEEN_DEVICE_STATE_CLOSED: return 1;
    case CANTEEN_DEVICE_STATE_FAILED: return 2;
    case CANTEEN_DEVICE_STATE_GONE:   return 3;
    default:                          return 3;
    }
}

/* One indicator: the kind's name, and what is wrong with it if anything. */
static void
show_indicator (Indicator *ind, const char *name, CanteenDeviceState state, const char *tooltip,
                const char *problem)
{
  static const char *dot_classes[] = { "ready", "starting", "failed", "gone" };
  g_autofree char *text = NULL;
  guint rank = state_rank (state);

  switch (state)
    {
    case CANTEEN_DEVICE_STATE_READY:
      text = g_strdup (name);
      break;
    case CANTEEN_DEVICE_STATE_CLOSED:
      /* Translators: %s is a device kind ("Card reader") being opened. */
      text = g_strdup_printf (_("%s starting"), name);
      break;
    case CANTEEN_DEVICE_STATE_FAILED:
      /* Translators: %s is a device kind ("Card reader") present but unusable. */
      text = g_strdup_printf (_("%s failed"), name);
      if (problem != NULL)
        tooltip = problem;
      break;
    case CANTEEN_DEVICE_STATE_GONE:
    default:
      /* Translators: %s is a device kind ("Card reader") that was unplugged. */
      text = g_strdup_printf (_("%s disconnected"), name);
      break;
    }
  gtk_widget_set_visible (ind->box, TRUE);
  gtk_label_set_text (ind->label, text);
  gtk_widget_set_tooltip_text (ind->box, tooltip);
  /* Gone and failed are for staff to act on: the status bar's error style. */
  if (rank >= 2)
    gtk_widget_add_css_class (GTK_WIDGET (ind->label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (ind->label), "error");
  for (guint c = 0; c < G_N_ELEMENTS (dot_classes); c++)
    {
      if (c == rank)
        gtk_widget_add_css_class (ind->dot, dot_classes[c]);
      else
        gtk_widget_remove_css_class (ind->dot, dot_classes[c]);
    }
}

static void
update_indicator (CanteenStatusBar *self, guint i)
{
  Indicator *ind = &self->indicators[i];
  CanteenDevice *shown = NULL;
  guint n = self->devices != NULL ? g_list_model_get_n_items (self->devices) : 0;

  for (guint d = 0; d < n; d++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (self->devices, d);

      if (canteen_device_get_kind (device) != indicator_kinds[i].kind)
        continue;
      if (shown == NULL || state_rank (canteen_device_get_state (device)) < state_rank (canteen_device_get_state (shown)))
        shown = device;   /* the list keeps it alive */
    }
  if (shown == NULL)
    {
      gtk_widget_set_visible (ind->box, FALSE);
      return;
    }
  show_indicator (ind, _(indicator_kinds[i].name), canteen_device_get_state (shown),
                  canteen_device_get_name (shown), canteen_device_get_error (shown));
}

static void
update_indicators (CanteenStatusBar *self)
{
  for (guint i = 0; i < N_INDICATORS; i++)
    update_indicator (self, i);
}

static void
device_changed_cb (CanteenDevice *device, GParamSpec *pspec, CanteenStatusBar *self)
{
  update_indicators (self);
}

static void
watch_device (CanteenStatusBar *self, CanteenDevice *device)
{
  /* The state comes back by itself when an unplugged device returns. */
  g_signal_connect (device, "notify::state", G_CALLBACK (device_changed_cb), self);
  g_signal_connect (device, "notify::error", G_CALLBACK (device_changed_cb), self);
}

static void
devices_changed_cb (GListModel *list, guint position, guint removed, guint added, CanteenStatusBar *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (list, i);
      watch_device (self, device);
    }
  update_indicators (self);
}

static void
canteen_status_bar_unwatch (CanteenStatusBar *self)
{
  guint n;

  if (self->devices == NULL)
    return;
  /* Devices outlive windows (the window is rebuilt on a language switch). */
  n = g_list_model_get_n_items (self->devices);
  g_signal_handlers_disconnect_by_data (self->devices, self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (self->devices, i);
      g_signal_handlers_disconnect_by_data (device, self);
    }
  g_clear_object (&self->devices);
}

void
canteen_status_bar_set_devices (CanteenStatusBar *self, GListModel *devices)
{
  guint n;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));
  g_return_if_fail (devices == NULL || G_IS_LIST_MODEL (devices));

  canteen_status_bar_unwatch (self);
  if (devices != NULL)
    {
      self->devices = g_object_ref (devices);
      n = g_list_model_get_n_items (devices);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CanteenDevice) device = g_list_model_get_item (devices, i);
          watch_device (self, device);
        }
      g_signal_connect (devices, "items-changed", G_CALLBACK (devices_changed_cb), self);
    }
  update_indicators (self);
}

const char *
canteen_status_bar_get_device_text (CanteenStatusBar *self, CanteenDeviceKind kind)
{
  g_return_val_if_fail (CANTEEN_IS_STATUS_BAR (self), NULL);

  for (guint i = 0; i < N_INDICATORS; i++)
    if (indicator_kinds[i].kind == kind)
      return gtk_widget_get_visible (self->indicators[i].box)
           ? gtk_label_get_text (self->indicators[i].label) : NULL;
  return NULL;
}

void
canteen_status_bar_set_camera (CanteenStatusBar *self, gboolean present, CanteenDeviceState state,
                               const char *problem)
{
  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  if (!present)
    {
      gtk_widget_set_visible (self->camera.box, FALSE);
      return;
    }
  /* Translators: the counter's camera, as a device in the status bar. */
  show_indicator (&self->camera, _("Camera"), state, problem, problem);
}

const char *
canteen_status_bar_get_camera_text (CanteenStatusBar *self)
{
  g_return_val_if_fail (CANTEEN_IS_STATUS_BAR (self), NULL);
  return gtk_widget_get_visible (self->camera.box) ? gtk_label_get_text (self->camera.label) : NULL;
}
