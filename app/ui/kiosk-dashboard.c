/* kiosk-dashboard.c — the manager dashboard's actions, sign-in (PIN or
 * card) and exports. */
#include "kiosk-dashboard.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "canteen-error.h"
#include "kiosk-app.h"
#include "waste.h"

typedef enum { STATE_CLOSED, STATE_LOGIN, STATE_CHECKING, STATE_OPEN } State;
static const char * const state_ids[] = { "closed", "login", "checking", "open" };

struct _CanteenKioskDashboard
{
  GObject                 parent_instance;

  GtkApplication         *app;          /* not owned: the app owns us */
  CanteenDashboardWindow *window;       /* owned by GTK while shown */
  State                   state;
  GCancellable           *check;        /* the PIN or card check in flight */
  char                   *manager_name;
  char                   *period;       /* "week", "month", "quarter" */
  char                   *from, *to;
  JsonNode               *report, *previous;
  char                   *export_dir;
  GPtrArray              *exported;
  guint                   idle_id;
  guint                   failures;     /* wrong PINs or unknown cards in a row */
  gint64                  locked_until; /* monotonic µs; 0: not locked */
};

/* After this many wrong PINs (or cards that are no manager's) in a row the
 * sign-in is refused for a while, so PINs cannot be guessed, nor cards
 * tried one after another, through the screen, the reader or the app's
 * D-Bus actions. */
#define DASHBOARD_MAX_FAILURES 5
#define DASHBOARD_LOCKOUT_S    60

G_DEFINE_FINAL_TYPE (CanteenKioskDashboard, canteen_kiosk_dashboard, G_TYPE_OBJECT)

static CanteenKioskApp *
app_of (CanteenKioskDashboard *self)
{
  return CANTEEN_KIOSK_APP (self->app);
}

static void
set_state (CanteenKioskDashboard *self, State state)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), "dashboard");
  GAction *export = g_action_map_lookup_action (G_ACTION_MAP (self->app), "dashboard-export");
  GAction *login = g_action_map_lookup_action (G_ACTION_MAP (self->app), "manager-login");

  self->state = state;
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (state_ids[state]));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (export), state == STATE_OPEN);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (login), state == STATE_LOGIN);
}

/* ---- open and close ---------------------------------------------------------- */

/* While the dashboard's window is up, the reader's taps are the dashboard's
 * (a card paying behind it would be paid unseen); they sign in on the
 * sign-in page and are refused elsewhere. */
static void
route_taps (CanteenKioskDashboard *self, gboolean to_dashboard)
{
  CanteenKioskDevices *devices = canteen_kiosk_app_get_devices (app_of (self));

  if (devices != NULL)
    canteen_kiosk_devices_set_sign_in_action (devices, to_dashboard ? "manager-card-login" : NULL);
}

static void
close_dashboard (CanteenKioskDashboard *self)
{
  CanteenDashboardWindow *window = self->window;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->check != NULL)
    g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
  g_clear_pointer (&self->manager_name, g_free);
  g_clear_pointer (&self->report, json_node_unref);
  g_clear_pointer (&self->previous, json_node_unref);
  self->window = NULL;
  route_taps (self, FALSE);
  if (window != NULL)
    {
      g_signal_handlers_disconnect_by_data (window, self);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  set_state (self, STATE_CLOSED);
}

/* Nobody has touched the dashboard for a while: whoever signed in has left. */
static gboolean
idle_cb (gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;

  self->idle_id = 0;
  g_message ("dashboard: closed after %d s without a touch", CANTEEN_DASHBOARD_IDLE_S);
  close_dashboard (self);
  return G_SOURCE_REMOVE;
}

static void
restart_idle (CanteenKioskDashboard *self)
{
  g_clear_handle_id (&self->idle_id, g_source_remove);
  self->idle_id = g_timeout_add_seconds (CANTEEN_DASHBOARD_IDLE_S, idle_cb, self);
}

static gboolean
input_cb (GtkEventControllerLegacy *controller, GdkEvent *event, CanteenKioskDashboard *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_BUTTON_PRESS || type == GDK_KEY_PRESS || type == GDK_TOUCH_BEGIN || type == GDK_SCROLL)
    restart_idle (self);
  return GDK_EVENT_PROPAGATE;
}

/* Destroyed from elsewhere (its parent rebuilt for a new language, the
 * app shutting down): the dashboard is closed. */
static void
window_destroyed_cb (GtkWidget *window, CanteenKioskDashboard *self)
{
  if ((GtkWidget *) self->window == window)
    {
      self->window = NULL;
      close_dashboard (self);
    }
}

/* Demo mode: a button for the first active manager with a card (the demo
 * seeds one), read from the app's ledger on the main thread: reading only. */
static void
show_demo_card (CanteenKioskDashboard *self)
{
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (app_of (self));
  g_autoptr(GPtrArray) managers = NULL;
  g_autoptr(GError) error = NULL;

  if (!canteen_kiosk_app_get_demo (app_of (self)) || ledger == NULL)
    return;
  managers = canteen_ledger_list_managers (ledger, &error);
  if (managers == NULL)
    {
      g_message ("dashboard: demo manager card: %s", error->message);
      return;
    }
  for (guint i = 0; i < managers->len; i++)
    {
      CanteenManager *m = g_ptr_array_index (managers, i);

      if (m->active && m->card != NULL)
        {
          canteen_dashboard_window_set_demo_card (self->window, m->card, m->name);
          return;
        }
    }
}

static void
open_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  GtkWindow *kiosk = canteen_kiosk_app_get_window (app_of (self));
  GtkEventController *legacy;

  if (self->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->window));
      return;
    }
  self->window = canteen_dashboard_window_new (self->app);
  if (kiosk != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self->window), kiosk);
      if (gtk_window_is_fullscreen (kiosk))
        gtk_window_fullscreen (GTK_WINDOW (self->window));
    }
  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (input_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->window), legacy);
  g_signal_connect (self->window, "destroy", G_CALLBACK (window_destroyed_cb), self);
  canteen_dashboard_window_show_login (self->window);
  show_demo_card (self);
  gtk_window_present (GTK_WINDOW (self->window));
  route_taps (self, TRUE);
  restart_idle (self);
  set_state (self, STATE_LOGIN);
}

static void
close_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  close_dashboard (user_data);
}

/* ---- the report ---------------------------------------------------------------- */

/* The reference day: the app's "reference-day", else today where the ledger is. */
static void
reference_day (CanteenKioskDashboard *self, GDate *out)
{
  const char *fixed = canteen_kiosk_app_get_reference_day (app_of (self));
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (app_of (self));

  g_date_clear (out, 1);
  if (fixed != NULL && canteen_waste_parse_day (fixed, "reference-day", out, NULL))
    return;
  {
    g_autoptr(GTimeZone) tz = ledger != NULL ? g_time_zone_ref (canteen_ledger_get_timezone (ledger))
                                             : g_time_zone_new_local ();
    g_autoptr(GDateTime) now = g_date_time_new_now (tz);
    g_date_set_dmy (out, (GDateDay) g_date_time_get_day_of_month (now), (GDateMonth) g_date_time_get_month (now),
                    (GDateYear) g_date_time_get_year (now));
  }
}

/* The calendar week (Monday first), month or quarter holding the reference day. */
static void
compute_span (CanteenKioskDashboard *self)
{
  GDate ref, from, to;
  char text[16];

  reference_day (self, &ref);
  from = ref;
  if (g_str_equal (self->period, "week"))
    {
      g_date_subtract_days (&from, g_date_get_weekday (&ref) - G_DATE_MONDAY);
      to = from;
      g_date_add_days (&to, 6);
    }
  else
    {
      guint months = g_str_equal (self->period, "quarter") ? 3 : 1;
      GDateMonth first = months == 3 ? (GDateMonth) ((g_date_get_month (&ref) - 1) / 3 * 3 + 1) : g_date_get_month (&ref);
      GDateMonth last = (GDateMonth) (first + months - 1);

      g_date_set_dmy (&from, 1, first, g_date_get_year (&ref));
      g_date_clear (&to, 1);
      g_date_set_dmy (&to, g_date_get_days_in_month (last, g_date_get_year (&ref)), last, g_date_get_year (&ref));
    }
  g_free (self->from);
  g_free (self->to);
  g_date_strftime (text, sizeof text, "%Y-%m-%d", &from);
  self->from = g_strdup (text);
  g_date_strftime (text, sizeof text, "%Y-%m-%d", &to);
  self->to = g_strdup (text);
}

static void
load_report (CanteenKioskDashboard *self)
{
  CanteenLedger *ledger = canteen_kiosk_app_get_ledger (app_of (self));
  g_autoptr(GError) error = NULL;

  compute_span (self);
  g_clear_pointer (&self->report, json_node_unref);
  g_clear_pointer (&self->previous, json_node_unref);
  if (ledger == NULL)
    g_set_error_literal (&error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                         canteen_kiosk_app_get_ledger_problem (app_of (self)));
  else
    self->report = canteen_waste_report (ledger, self->from, self->to, &error);
  /* The previous span's own report, for its figures by day and meal. */
  if (self->report != NULL)
    {
      JsonObject *o = json_node_get_object (self->report);
      g_autoptr(GError) previous_error = NULL;

      self->previous = canteen_waste_report (ledger, json_object_get_string_member (o, "previous_from"),
                                             json_object_get_string_member (o, "previous_to"), &previous_error);
      if (self->previous == NULL)
        g_message ("dashboard: previous period: %s", previous_error->message);
    }
  if (self->window != NULL)
    {
      canteen_dashboard_window_set_report (self->window, self->manager_name, self->report, self->previous,
                                           error != NULL ? error->message : NULL);
      canteen_dashboard_window_set_export_note (self->window, NULL);
    }
}

static void
period_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  const char *period = g_variant_get_string (value, NULL);

  if (!g_str_equal (period, "week") && !g_str_equal (period, "month") && !g_str_equal (period, "quarter"))
    {
      g_message ("dashboard-period “%s”: not week, month or quarter", period);
      return;
    }
  g_free (self->period);
  self->period = g_strdup (period);
  g_simple_action_set_state (action, value);
  if (self->state == STATE_OPEN)
    load_report (self);
}

/* ---- sign-in ------------------------------------------------------------------- */

/* A PIN check (id and pin) or a card check (card). */
typedef struct {
  char    *db_path;
  char    *id;
  char    *pin;
  char    *card;
  gboolean diners_card;   /* the card is no manager's, but a diner's account */
} Check;

static void
check_free (Check *check)
{
  g_free (check->db_path);
  g_free (check->id);
  if (check->pin != NULL)
    sodium_memzero (check->pin, strlen (check->pin));
  g_free (check->pin);
  g_free (check->card);
  g_free (check);
}

/* A handle of its own: the app's belongs to the main thread. */
static void
check_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Check *check = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenLedger) ledger = canteen_ledger_open (check->db_path, &error);
  char *name = NULL;
  gboolean ok;

  if (ledger == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (check->card != NULL)
    {
      ok = canteen_ledger_find_manager_by_card (ledger, check->card, NULL, &name, &error);
      /* Say why a diner's own card does nothing here (no secret: its
       * holder is the one tapping it). */
      if (!ok && g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED))
        {
          CanteenAccount account = { 0 };

          check->diners_card = canteen_ledger_get_account (ledger, check->card, &account, NULL);
          canteen_account_clear (&account);
        }
    }
  else
    ok = canteen_ledger_check_manager (ledger, check->id, check->pin, &name, &error);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, name, g_free);
}

/* Why a sign-in was refused, for the screen; *counts: a wrong guess. */
static char *
refusal_text (const Check *check, const GError *error, gboolean *counts)
{
  /* The ledger's NOT_AUTHORISED is the same for either mistake of a PIN
   * sign-in; say no more. A card that is no card id is no manager's. */
  *counts = g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED)
         || (check->card != NULL && error->domain == CANTEEN_INPUT_ERROR);
  if (check->card == NULL)
    return *counts ? g_strdup (_("Wrong manager ID or PIN."))
                   : g_strdup_printf (_("The PIN cannot be checked now: %s"), error->message);
  if (!*counts)
    return g_strdup_printf (_("The card cannot be checked now: %s"), error->message);
  return check->diners_card ? g_strdup (_("This is a diner's card, not a manager's card."))
                            : g_strdup (_("This card is not a manager's card."));
}

static void
check_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CanteenKioskDashboard *self = CANTEEN_KIOSK_DASHBOARD (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_task_propagate_pointer (G_TASK (result), &error);

  /* Closed (or signed in again) meanwhile: this answer is nobody's. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->state != STATE_CHECKING
      || self->window == NULL)
    return;
  g_clear_object (&self->check);
  canteen_dashboard_window_set_checking (self->window, FALSE);
  if (name == NULL)
    {
      gboolean wrong = FALSE;
      g_autofree char *problem = refusal_text (g_task_get_task_data (G_TASK (result)), error, &wrong);

      if (wrong && ++self->failures >= DASHBOARD_MAX_FAILURES)
        {
          self->failures = 0;
          self->locked_until = g_get_monotonic_time () + DASHBOARD_LOCKOUT_S * G_USEC_PER_SEC;
          g_free (problem);
          problem = g_strdup_printf (_("Too many wrong PINs: sign-in is locked for %d seconds."), DASHBOARD_LOCKOUT_S);
        }
      g_message ("dashboard: sign-in refused: %s", error->message);
      canteen_dashboard_window_set_login_problem (self->window, problem);
      set_state (self, STATE_LOGIN);
      return;
    }
  self->failures = 0;
  self->manager_name = g_steal_pointer (&name);
  set_state (self, STATE_OPEN);
  canteen_dashboard_window_show_board (self->window);
  load_report (self);
}

/* Whether a sign-in may be tried now; if not, says why (logged as `what`). */
static gboolean
may_sign_in (CanteenKioskDashboard *self, const char *what)
{
  if (self->state != STATE_LOGIN || self->window == NULL)
    {
      g_message ("%s: refused (no sign-in page, or a check in progress)", what);
      return FALSE;
    }
  if (self->locked_until > g_get_monotonic_time ())
    {
      g_autofree char *problem = g_strdup_printf (_("Too many wrong PINs: sign-in is locked for %d seconds."),
                                                  DASHBOARD_LOCKOUT_S);
      g_message ("%s: refused (locked after %d failed sign-ins)", what, DASHBOARD_MAX_FAILURES);
      canteen_dashboard_window_set_login_problem (self->window, problem);
      return FALSE;
    }
  return TRUE;
}

static void
start_check (CanteenKioskDashboard *self, Check *check)
{
  g_autoptr(GTask) task = NULL;

  check->db_path = g_strdup (canteen_kiosk_app_get_db_path (app_of (self)));
  self->check = g_cancellable_new ();
  task = g_task_new (self, self->check, check_done_cb, NULL);
  g_task_set_source_tag (task, start_check);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  canteen_dashboard_window_set_checking (self->window, TRUE);
  set_state (self, STATE_CHECKING);
  g_task_run_in_thread (task, check_thread);
}

static void
login_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  Check *check;
  const char *id = NULL, *pin = NULL;

  g_variant_get (parameter, "(&s&s)", &id, &pin);
  if (!may_sign_in (self, "manager-login"))
    return;
  check = g_new0 (Check, 1);
  check->id = g_strstrip (g_strdup (id));
  check->pin = g_strdup (pin);
  start_check (self, check);
}

/* A card tapped on the reader while the dashboard is up (route_taps), or
 * the demo's button, or a D-Bus call. */
static void
card_login_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  Check *check;

  if (!may_sign_in (self, "manager-card-login"))
    return;
  check = g_new0 (Check, 1);
  check->card = g_strstrip (g_strdup (g_variant_get_string (parameter, NULL)));
  start_check (self, check);
}

/* Demo mode: the manager's card through the emulated reader (so the tap
 * takes a real reader's path), else straight to the sign-in. */
static void
demo_card_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  CanteenKioskEmulation *emulation = canteen_kiosk_app_get_emulation (app_of (self));

  if (!canteen_kiosk_app_get_demo (app_of (self)))
    {
      g_message ("demo-manager-card: refused outside demo mode");
      return;
    }
  if (emulation != NULL && canteen_kiosk_emulation_tap (emulation, g_variant_get_string (parameter, NULL)))
    return;
  g_action_group_activate_action (G_ACTION_GROUP (self->app), "manager-card-login", parameter);
}

/* ---- export ---------------------------------------------------------------------- */

static gboolean
write_file (const char *path, const char *contents, GPtrArray *written, GError **error)
{
  if (!g_file_set_contents (path, contents, -1, error))
    return FALSE;
  g_ptr_array_add (written, g_strdup (path));
  return TRUE;
}

/* The whole CSV, and each of its "# name" sections on its own. */
static gboolean
export_tables (CanteenKioskDashboard *self, const char *prefix, GPtrArray *written, guint *n_tables, GError **error)
{
  g_autofree char *csv = canteen_waste_report_to_csv (self->report);
  g_autofree char *whole = g_strdup_printf ("%s.csv", prefix);
  g_autofree char *path = g_build_filename (self->export_dir, whole, NULL);
  g_auto(GStrv) sections = g_strsplit (csv, "\r\n\r\n", -1);

  *n_tables = 0;
  if (!write_file (path, csv, written, error))
    return FALSE;
  for (guint i = 0; sections[i] != NULL; i++)
    {
      const char *eol = strstr (sections[i], "\r\n");
      g_autofree char *name = NULL, *file = NULL, *section_path = NULL, *body = NULL;

      if (!g_str_has_prefix (sections[i], "# ") || eol == NULL)
        continue;
      name = g_strndup (sections[i] + 2, (gsize) (eol - sections[i] - 2));
      g_strdelimit (name, "/\\ ", '-');
      file = g_strdup_printf ("%s-%s.csv", prefix, name);
      section_path = g_build_filename (self->export_dir, file, NULL);
      body = g_strconcat (eol + 2, g_str_has_suffix (eol + 2, "\r\n") ? "" : "\r\n", NULL);
      if (!write_file (section_path, body, written, error))
        return FALSE;
      (*n_tables)++;
    }
  return TRUE;
}

static void
export_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskDashboard *self = user_data;
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL, *note = NULL;
  guint n_tables = 0;

  if (self->state != STATE_OPEN || self->window == NULL || self->report == NULL)
    {
      g_message ("dashboard-export: nothing to export");
      return;
    }
  prefix = g_strdup_printf ("waste-%s_%s", self->from, self->to);
  if (g_mkdir_with_parents (self->export_dir, 0750) != 0)
    g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", self->export_dir, g_strerror (errno));
  if (error == NULL
      && canteen_dashboard_window_export_charts (self->window, self->export_dir, prefix, written, &error))
    export_tables (self, prefix, written, &n_tables, &error);
  if (error != NULL)
    note = g_strdup_printf (_("Export failed: %s"), error->message);
  else
    /* TRANSLATORS: charts, tables, then the folder. */
    note = g_strdup_printf (_("Saved %u charts (PNG) and %u tables (CSV) in %s"),
                            written->len - n_tables - 1, n_tables, self->export_dir);
  g_message ("dashboard-export: %s", note);
  canteen_dashboard_window_set_export_note (self->window, note);
  g_clear_pointer (&self->exported, g_ptr_array_unref);
  if (error == NULL)
    self->exported = g_steal_pointer (&written);
}

/* ---- the object --------------------------------------------------------------- */

static void
state_refused (GSimpleAction *action, GVariant *value, gpointer user_data)
{
}

static void
canteen_kiosk_dashboard_finalize (GObject *object)
{
  CanteenKioskDashboard *self = CANTEEN_KIOSK_DASHBOARD (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_object (&self->check);
  g_free (self->manager_name);
  g_free (self->period);
  g_free (self->from);
  g_free (self->to);
  g_free (self->export_dir);
  g_clear_pointer (&self->report, json_node_unref);
  g_clear_pointer (&self->previous, json_node_unref);
  g_clear_pointer (&self->exported, g_ptr_array_unref);
  G_OBJECT_CLASS (canteen_kiosk_dashboard_parent_class)->finalize (object);
}

static void
canteen_kiosk_dashboard_class_init (CanteenKioskDashboardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_kiosk_dashboard_finalize;
}

static void
canteen_kiosk_dashboard_init (CanteenKioskDashboard *self)
{
  self->period = g_strdup ("week");
}

CanteenKioskDashboard *
canteen_kiosk_dashboard_new (GtkApplication *app)
{
  const GActionEntry entries[] = {
    { "open-dashboard",   open_activated,   NULL,   NULL,      NULL, { 0 } },
    { "manager-login",    login_activated,  "(ss)", NULL,      NULL, { 0 } },
    { "manager-card-login", card_login_activated, "s", NULL,    NULL, { 0 } },
    { "demo-manager-card", demo_card_activated, "s", NULL,      NULL, { 0 } },
    { "dashboard-period", NULL,             "s",    "'week'",  period_change_state, { 0 } },
    { "dashboard-export", export_activated, NULL,   NULL,      NULL, { 0 } },
    { "close-dashboard",  close_activated,  NULL,   NULL,      NULL, { 0 } },
    { "dashboard",        NULL,             NULL,   "'closed'", state_refused, { 0 } },
  };
  CanteenKioskDashboard *self;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_APP (app), NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_DASHBOARD, NULL);
  self->app = app;
  self->export_dir = g_strconcat (canteen_kiosk_app_get_db_path (CANTEEN_KIOSK_APP (app)), ".exports", NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), self);
  set_state (self, STATE_CLOSED);
  return self;
}

void
canteen_kiosk_dashboard_stop (CanteenKioskDashboard *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self));
  close_dashboard (self);
}

CanteenDashboardWindow *
canteen_kiosk_dashboard_get_window (CanteenKioskDashboard *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self), NULL);
  return self->window;
}

const char *
canteen_kiosk_dashboard_get_from (CanteenKioskDashboard *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self), NULL);
  return self->from;
}

const char *
canteen_kiosk_dashboard_get_to (CanteenKioskDashboard *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self), NULL);
  return self->to;
}

const char *
canteen_kiosk_dashboard_get_export_dir (CanteenKioskDashboard *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self), NULL);
  return self->export_dir;
}

GPtrArray *
canteen_kiosk_dashboard_get_exported (CanteenKioskDashboard *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DASHBOARD (self), NULL);
  return self->exported;
}
