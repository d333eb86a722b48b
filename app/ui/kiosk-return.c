/* kiosk-return.c — the kiosk as a return station (contract: kiosk-return.h). */
#include "kiosk-return.h"

#include <glib/gi18n.h>

#include "frame-keeper.h"
#include "ledger.h"
#include "return-station.h"

struct _CanteenKioskReturn
{
  GObject               parent_instance;
  GtkApplication       *app;        /* not owned: it owns us */
  char                 *db_path;
  CanteenKioskCamera   *camera;     /* owned, or NULL */
  CanteenKioskDevices  *devices;    /* owned */
  gint                  tare_g;
  CanteenReturnWindow  *window;     /* not owned: the app's */
  GCancellable         *working;    /* the recording in flight, or NULL */
  CanteenReturnOutcome *outcome;    /* the last shown */
  guint                 next_id;    /* back to waiting after a result */
};

G_DEFINE_FINAL_TYPE (CanteenKioskReturn, canteen_kiosk_return, G_TYPE_OBJECT)

static void
set_state (CanteenKioskReturn *self, const char *state)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), "return-state");

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (state));
}

/* A state only the station sets. */
static void
state_refused (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  g_message ("app.return-state is set by the return station only");
}

static void
show_waiting (CanteenKioskReturn *self)
{
  g_clear_handle_id (&self->next_id, g_source_remove);
  if (self->window != NULL)
    canteen_return_window_show_waiting (self->window);
  set_state (self, "waiting");
}

static void
show_problem (CanteenKioskReturn *self, const char *message)
{
  g_message ("return station: %s", message);
  if (self->window != NULL)
    canteen_return_window_show_problem (self->window, message);
  set_state (self, "problem");
}

/* ---- the worker ---------------------------------------------------------- */

typedef struct {
  char   *db_path;
  char   *card;      /* NULL: none */
  gint    weight_g;
  gint    tare_g;
  GBytes *photo;
} Job;

typedef struct {
  CanteenReturnOutcome *outcome;
  GHashTable           *names;   /* dish id → name */
} Answer;

static void
job_free (Job *job)
{
  g_free (job->db_path);
  g_free (job->card);
  g_bytes_unref (job->photo);
  g_free (job);
}

static void
answer_free (Answer *answer)
{
  canteen_return_outcome_free (answer->outcome);
  g_clear_pointer (&answer->names, g_hash_table_unref);
  g_free (answer);
}

static void
record_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenReturnStation) station = canteen_return_station_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenLedger *ledger;
  CanteenReturnInput in = { 0 };
  Answer *answer;

  if (station == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the vision module could not start");
      return;
    }
  ledger = canteen_ledger_open (job->db_path, &error);
  if (ledger == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  in.card = job->card;
  in.weight_g = job->weight_g;
  in.tare_g = job->tare_g;
  in.photo = job->photo;
  answer = g_new0 (Answer, 1);
  answer->outcome = canteen_return_station_process (station, ledger, &in, now, &error);
  if (answer->outcome != NULL)
    {
      answer->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint i = 0; i < answer->outcome->record->dishes->len; i++)
        {
          const CanteenDishLeftover *d = g_ptr_array_index (answer->outcome->record->dishes, i);
          g_autoptr(CanteenDish) dish = canteen_ledger_get_dish (ledger, d->dish_id, NULL);
          if (dish != NULL)
            g_hash_table_insert (answer->names, g_strdup (d->dish_id), g_strdup (dish->name));
        }
    }
  canteen_ledger_close (ledger);
  if (answer->outcome == NULL)
    {
      answer_free (answer);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

static gboolean
next_timeout_cb (gpointer user_data)
{
  CanteenKioskReturn *self = user_data;

  self->next_id = 0;
  show_waiting (self);
  return G_SOURCE_REMOVE;
}

static void
record_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CanteenKioskReturn *self = user_data;   /* alive: stop cancels and the task holds a ref */
  g_autoptr(GError) error = NULL;
  Answer *answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (self->working))
    {
      g_clear_pointer (&answer, answer_free);
      g_clear_object (&self->working);
      return;
    }
  g_clear_object (&self->working);
  if (answer == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  g_clear_pointer (&self->outcome, canteen_return_outcome_free);
  self->outcome = g_steal_pointer (&answer->outcome);
  g_message ("return %s: %s, %d g left, split: %s", self->outcome->record->return_id,
             self->outcome->record->checkout_id ? self->outcome->record->checkout_id : "unmatched",
             self->outcome->record->leftover_g, canteen_return_split_id (self->outcome->split));
  if (self->window != NULL)
    canteen_return_window_show_result (self->window, self->outcome, answer->names);
  answer_free (answer);
  set_state (self, "done");
  self->next_id = g_timeout_add_seconds (CANTEEN_RETURN_RESULT_S, next_timeout_cb, self);
}

/* ---- actions ------------------------------------------------------------- */

static void
return_tray_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskReturn *self = user_data;
  const char *card = g_variant_get_string (parameter, NULL);
  CanteenFrame *frame;   /* the camera's (transfer none) */
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  CanteenScaleReading reading;
  GBytes *jpeg;
  Job *job;

  if (self->working != NULL)
    {
      g_message ("return station: a tray is being recorded; this one waits");
      return;
    }
  g_clear_handle_id (&self->next_id, g_source_remove);
  frame = self->camera != NULL ? canteen_kiosk_camera_get_frame (self->camera) : NULL;
  if (frame == NULL)
    {
      show_problem (self, _("The camera has no picture of the tray"));
      return;
    }
  if (!canteen_kiosk_devices_get_scale_reading (self->devices, &reading) || !reading.valid)
    {
      show_problem (self, _("The scale gives no weight"));
      return;
    }
  if (!reading.stable)
    {
      show_problem (self, _("The scale is still settling; please keep the tray still"));
      return;
    }
  jpeg = canteen_frame_encode_jpeg (frame, CANTEEN_FRAME_KEEPER_JPEG_QUALITY, &error);
  if (jpeg == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  job = g_new0 (Job, 1);
  job->db_path = g_strdup (self->db_path);
  job->card = *card != '\0' ? g_strdup (card) : NULL;
  job->weight_g = reading.grams;
  job->tare_g = self->tare_g;
  job->photo = jpeg;

  self->working = g_cancellable_new ();
  if (self->window != NULL)
    canteen_return_window_show_working (self->window);
  set_state (self, "working");
  task = g_task_new (self, self->working, record_done, self);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, record_thread);
}

static void
return_next_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CanteenKioskReturn *self = user_data;

  if (self->working != NULL)
    return;
  show_waiting (self);
}

/* ---- devices and camera -------------------------------------------------- */

static void
scale_changed_cb (CanteenKioskDevices *devices, CanteenKioskReturn *self)
{
  CanteenScaleReading reading;

  if (self->window != NULL)
    canteen_return_window_set_weight (self->window,
                                      canteen_kiosk_devices_get_scale_reading (devices, &reading) ? &reading : NULL);
}

static void
camera_texture_cb (CanteenKioskCamera *camera, GParamSpec *pspec, CanteenKioskReturn *self)
{
  if (self->window != NULL)
    canteen_return_window_set_paintable (self->window, GDK_PAINTABLE (canteen_kiosk_camera_get_texture (camera)));
}

CanteenReturnWindow *
canteen_kiosk_return_present (CanteenKioskReturn *self, gboolean fullscreen)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RETURN (self), NULL);

  if (self->window == NULL)
    {
      self->window = canteen_return_window_new (self->app);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      scale_changed_cb (self->devices, self);
      if (self->camera != NULL)
        camera_texture_cb (self->camera, NULL, self);
      if (fullscreen)
        gtk_window_fullscreen (GTK_WINDOW (self->window));
    }
  gtk_window_present (GTK_WINDOW (self->window));
  return self->window;
}

void
canteen_kiosk_return_stop (CanteenKioskReturn *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_RETURN (self));
  if (self->working != NULL)
    g_cancellable_cancel (self->working);
  g_clear_handle_id (&self->next_id, g_source_remove);
  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  if (self->camera != NULL)
    g_signal_handlers_disconnect_by_data (self->camera, self);
}

const CanteenReturnOutcome *
canteen_kiosk_return_get_outcome (CanteenKioskReturn *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RETURN (self), NULL);
  return self->outcome;
}

static void
canteen_kiosk_return_dispose (GObject *object)
{
  CanteenKioskReturn *self = CANTEEN_KIOSK_RETURN (object);

  canteen_kiosk_return_stop (self);
  if (self->window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
  self->window = NULL;
  g_clear_object (&self->camera);
  g_clear_object (&self->devices);
  G_OBJECT_CLASS (canteen_kiosk_return_parent_class)->dispose (object);
}

static void
canteen_kiosk_return_finalize (GObject *object)
{
  CanteenKioskReturn *self = CANTEEN_KIOSK_RETURN (object);

  g_clear_object (&self->working);
  g_clear_pointer (&self->outcome, canteen_return_outcome_free);
  g_free (self->db_path);
  G_OBJECT_CLASS (canteen_kiosk_return_parent_class)->finalize (object);
}

static void
canteen_kiosk_return_class_init (CanteenKioskReturnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_kiosk_return_dispose;
  object_class->finalize = canteen_kiosk_return_finalize;
}

static void
canteen_kiosk_return_init (CanteenKioskReturn *self)
{
}

CanteenKioskReturn *
canteen_kiosk_return_new (GtkApplication *app, const char *db_path, CanteenKioskCamera *camera,
                          CanteenKioskDevices *devices, gint tare_g)
{
  const GActionEntry entries[] = {
    { "return-tray",  return_tray_activated, "s",  NULL,        NULL, { 0 } },
    { "return-next",  return_next_activated, NULL, NULL,        NULL, { 0 } },
    { "return-state", NULL,                  NULL, "'waiting'", state_refused, { 0 } },
  };
  CanteenKioskReturn *self = g_object_new (CANTEEN_TYPE_KIOSK_RETURN, NULL);

  self->app = app;
  self->db_path = g_strdup (db_path);
  self->camera = camera != NULL ? g_object_ref (camera) : NULL;
  self->devices = g_object_ref (devices);
  self->tare_g = tare_g;
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect (devices, "scale-changed", G_CALLBACK (scale_changed_cb), self);
  if (camera != NULL)
    g_signal_connect (camera, "notify::texture", G_CALLBACK (camera_texture_cb), self);
  canteen_kiosk_devices_set_tap_action (devices, "return-tray");
  return self;
}
