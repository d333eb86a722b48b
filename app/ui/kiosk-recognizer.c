/* kiosk-recognizer.c — the vision handle, its index and a ledger handle,
 * used in GTask worker threads one request at a time. */
#include "kiosk-recognizer.h"

#include <stdlib.h>
#include <string.h>

#include "exemplar-index.h"

struct _CanteenKioskRecognizer
{
  GObject        parent_instance;
  char          *db_path;

  /* The worker's: everything below is under `lock`. */
  GMutex         lock;
  CanteenLedger *ledger;       /* NULL until first used, or after a database failure */
  CanteenVision *vision;
  char          *fingerprint;  /* the day and the exemplar ids the index holds */
  GPtrArray     *dishes;       /* CanteenDish: the candidates */
  GPtrArray     *indexed;      /* CanteenExemplar (bytes dropped): the index, in order */
};

G_DEFINE_FINAL_TYPE (CanteenKioskRecognizer, canteen_kiosk_recognizer, G_TYPE_OBJECT)

static void
region_free (CanteenRecognisedRegion *region)
{
  canteen_dish_free (region->dish);
  for (guint i = 0; i < region->n_guesses; i++)
    canteen_dish_free (region->guesses[i]);
  g_free (region);
}

void
canteen_recognition_free (CanteenRecognition *recognition)
{
  if (recognition == NULL)
    return;
  g_clear_pointer (&recognition->frame, canteen_frame_unref);
  g_clear_pointer (&recognition->regions, g_ptr_array_unref);
  g_free (recognition);
}

/* ---- the worker's side ------------------------------------------------- */

static gboolean
vision_failed (CanteenKioskRecognizer *self, const char *what, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, canteen_vision_last_error (self->vision));
  return FALSE;
}

static gboolean
worker_ensure (CanteenKioskRecognizer *self, GError **error)
{
  if (self->vision == NULL && (self->vision = canteen_vision_new ()) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the vision module could not start");
      return FALSE;
    }
  if (self->ledger == NULL)
    self->ledger = canteen_ledger_open (self->db_path, error);
  return self->ledger != NULL;
}

/* The file may have gone away or been replaced: start afresh next time. */
static void
worker_check_ledger_error (CanteenKioskRecognizer *self, const GError *error)
{
  if (g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB)
      || g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_A_LEDGER))
    {
      g_clear_pointer (&self->ledger, canteen_ledger_close);
      g_clear_pointer (&self->fingerprint, g_free);
    }
}

/* Today's candidates and their exemplars; the index is rebuilt only when
 * the exemplars differ from what it holds. */
static gboolean
worker_refresh (CanteenKioskRecognizer *self, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (canteen_ledger_get_timezone (self->ledger));
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GPtrArray) dishes = NULL;
  g_autoptr(GPtrArray) exemplars = NULL;
  g_autoptr(GString) fingerprint = g_string_new (day);
  g_autofree char *why = NULL;
  guint ignored;

  dishes = canteen_ledger_list_dishes (self->ledger, day, CANTEEN_MEAL_NONE, error);
  /* No menu published for today: the order page sells the catalogue, so
   * the camera may recognise any of it too. */
  if (dishes != NULL && dishes->len == 0)
    {
      g_clear_pointer (&dishes, g_ptr_array_unref);
      dishes = canteen_ledger_list_dishes (self->ledger, NULL, CANTEEN_MEAL_NONE, error);
    }
  if (dishes == NULL || (exemplars = canteen_ledger_list_exemplars (self->ledger, dishes, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < exemplars->len; i++)
    g_string_append_printf (fingerprint, ",%" G_GINT64_FORMAT,
                            ((CanteenExemplar *) g_ptr_array_index (exemplars, i))->id);
  g_clear_pointer (&self->dishes, g_ptr_array_unref);
  self->dishes = g_steal_pointer (&dishes);
  if (g_strcmp0 (fingerprint->str, self->fingerprint) == 0)
    return TRUE;

  g_clear_pointer (&self->indexed, g_ptr_array_unref);
  self->indexed = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_exemplar_free);
  /* A damaged row is skipped, not trusted; the rest still work. Only the
   * id, dish and source of the others are kept (pruning). */
  ignored = canteen_exemplar_index_load (self->vision, exemplars, self->indexed, &why);
  if (ignored > 0)
    g_message ("recognition: %u exemplar(s) of today's menu ignored; the last: %s", ignored, why);
  g_free (self->fingerprint);
  self->fingerprint = g_string_free (g_steal_pointer (&fingerprint), FALSE);
  return TRUE;
}

static const CanteenDish *
worker_find_dish (CanteenKioskRecognizer *self, const char *id)
{
  for (guint i = 0; i < self->dishes->len; i++)
    {
      const CanteenDish *dish = g_ptr_array_index (self->dishes, i);
      if (g_str_equal (dish->id, id))
        return dish;
    }
  return NULL;
}

static CanteenVisionImage
image_of (CanteenFrame *frame)
{
  return (CanteenVisionImage) {
    .width = canteen_frame_get_width (frame),
    .height = canteen_frame_get_height (frame),
    .stride = canteen_frame_get_stride (frame),
    .rgb = g_bytes_get_data (canteen_frame_get_bytes (frame), NULL),
  };
}

static void
add_guess (CanteenKioskRecognizer *self, CanteenRecognisedRegion *region, const char *id, float confidence)
{
  const CanteenDish *dish = worker_find_dish (self, id);

  if (dish == NULL || region->n_guesses >= CANTEEN_VISION_TOP)
    return;
  region->guesses[region->n_guesses] = canteen_dish_copy (dish);
  region->guess_confidence[region->n_guesses] = confidence;
  region->n_guesses++;
}

static CanteenRecognition *
worker_recognize (CanteenKioskRecognizer *self, CanteenFrame *frame, GError **error)
{
  g_autoptr(CanteenRecognition) recognition = g_new0 (CanteenRecognition, 1);
  CanteenVisionImage image = image_of (frame);
  CanteenVisionResult result = { 0 };

  if (!worker_refresh (self, error))
    return NULL;
  if (canteen_vision_recognize (self->vision, &image, &result) != CANTEEN_VISION_OK)
    {
      vision_failed (self, "recognising the tray", error);
      return NULL;
    }

  recognition->frame = canteen_frame_ref (frame);
  recognition->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) region_free);
  recognition->n_exemplars = (guint) canteen_vision_index_size (self->vision);
  recognition->elapsed_ms = result.elapsed_ms;
  for (int i = 0; i < result.n_items; i++)
    {
      const CanteenVisionItem *item = &result.items[i];
      CanteenRecognisedRegion *region = g_new0 (CanteenRecognisedRegion, 1);
      const CanteenDish *dish = item->dish[0] != '\0' ? worker_find_dish (self, item->dish) : NULL;

      memcpy (region->box, item->box, sizeof region->box);
      region->confidence = item->confidence;
      /* The recognised dish is the first of what it may be. */
      if (dish != NULL)
        {
          region->dish = canteen_dish_copy (dish);
          add_guess (self, region, dish->id, item->confidence);
        }
      for (int k = 0; k < item->n_alternatives && k < CANTEEN_VISION_TOP; k++)
        add_guess (self, region, item->alternatives[k], item->alternative_confidence[k]);
      g_ptr_array_add (recognition->regions, region);
    }
  canteen_vision_result_clear (&result);
  return g_steal_pointer (&recognition);
}

/* Corrections of `dish_id` the vision module calls redundant are dropped;
 * *out_dropped_new says whether the correction `new_id` was among them. */
static gboolean
worker_prune (CanteenKioskRecognizer *self, const char *dish_id, gint64 new_id, gboolean *out_dropped_new,
              GError **error)
{
  g_autoptr(GArray) drop = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  int *redundant = NULL;
  int n_redundant = 0;

  *out_dropped_new = FALSE;
  if (!worker_refresh (self, error))
    return FALSE;
  if (canteen_vision_index_redundant (self->vision, dish_id, &redundant, &n_redundant) != CANTEEN_VISION_OK)
    return vision_failed (self, "checking the exemplars", error);
  /* The module's indices count the dish's exemplars in the order they
   * were added, which is `indexed`'s order. */
  for (guint i = 0; i < self->indexed->len; i++)
    {
      CanteenExemplar *e = g_ptr_array_index (self->indexed, i);
      if (g_str_equal (e->dish_id, dish_id))
        g_ptr_array_add (mine, e);
    }
  for (int k = 0; k < n_redundant; k++)
    {
      CanteenExemplar *e = redundant[k] >= 0 && (guint) redundant[k] < mine->len
                         ? g_ptr_array_index (mine, redundant[k]) : NULL;
      if (e != NULL && g_str_equal (e->source, "correction"))
        {
          g_array_append_val (drop, e->id);
          *out_dropped_new = *out_dropped_new || e->id == new_id;
        }
    }
  free (redundant);
  if (drop->len == 0)
    return TRUE;
  if (canteen_ledger_forget_exemplars (self->ledger, dish_id, (const gint64 *) (gpointer) drop->data,
                                       drop->len, error) < 0)
    {
      *out_dropped_new = FALSE;
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  CanteenFrame *frame;
  int           box[4];
  char         *dish_id;
} CorrectRequest;

static void
correct_request_free (CorrectRequest *request)
{
  canteen_frame_unref (request->frame);
  g_free (request->dish_id);
  g_free (request);
}

static gint64
worker_correct (CanteenKioskRecognizer *self, CorrectRequest *request, GError **error)
{
  CanteenVisionImage image = image_of (request->frame);
  g_autoptr(GBytes) exemplar = NULL;
  guint8 *data = NULL;
  size_t len = 0;
  gint64 id;

  if (canteen_vision_enroll_region (self->vision, &image, request->box, &data, &len) != CANTEEN_VISION_OK)
    {
      vision_failed (self, "learning the region", error);
      return -1;
    }
  exemplar = g_bytes_new_with_free_func (data, len, free, data);
  id = canteen_ledger_add_exemplar (self->ledger, request->dish_id, "correction", exemplar, error);
  if (id == 0)
    return -1;
  /* The correction is stored; a failure to prune loses nothing. */
  {
    g_autoptr(GError) local_error = NULL;
    gboolean dropped = FALSE;

    if (!worker_prune (self, request->dish_id, id, &dropped, &local_error))
      g_message ("recognition: %s", local_error->message);
    return dropped ? 0 : id;
  }
}

static void
recognize_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CanteenKioskRecognizer *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  CanteenRecognition *recognition = NULL;
  GError *error = NULL;

  if (worker_ensure (self, &error))
    recognition = worker_recognize (self, task_data, &error);
  if (recognition == NULL)
    {
      worker_check_ledger_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, recognition, (GDestroyNotify) canteen_recognition_free);
}

static void
correct_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CanteenKioskRecognizer *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  GError *error = NULL;
  gint64 id = -1;

  if (worker_ensure (self, &error) && worker_refresh (self, &error))
    id = worker_correct (self, task_data, &error);
  if (id < 0)
    {
      worker_check_ledger_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, (gssize) id);
}

/* ---- the main thread's side --------------------------------------------- */

static void
canteen_kiosk_recognizer_finalize (GObject *object)
{
  CanteenKioskRecognizer *self = CANTEEN_KIOSK_RECOGNIZER (object);

  /* Every task holds a reference: no worker can be running now. */
  g_clear_pointer (&self->ledger, canteen_ledger_close);
  g_clear_pointer (&self->vision, canteen_vision_free);
  g_clear_pointer (&self->dishes, g_ptr_array_unref);
  g_clear_pointer (&self->indexed, g_ptr_array_unref);
  g_free (self->fingerprint);
  g_free (self->db_path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_kiosk_recognizer_parent_class)->finalize (object);
}

static void
canteen_kiosk_recognizer_class_init (CanteenKioskRecognizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_kiosk_recognizer_finalize;
}

static void
canteen_kiosk_recognizer_init (CanteenKioskRecognizer *self)
{
  g_mutex_init (&self->lock);
}

CanteenKioskRecognizer *
canteen_kiosk_recognizer_new (const char *db_path)
{
  CanteenKioskRecognizer *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_RECOGNIZER, NULL);
  self->db_path = g_strdup (db_path);
  return self;
}

void
canteen_kiosk_recognizer_recognize_async (CanteenKioskRecognizer *self, CanteenFrame *frame,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CANTEEN_IS_KIOSK_RECOGNIZER (self));
  g_return_if_fail (frame != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, canteen_kiosk_recognizer_recognize_async);
  g_task_set_name (task, "canteen-recognize");
  g_task_set_task_data (task, canteen_frame_ref (frame), (GDestroyNotify) canteen_frame_unref);
  g_task_run_in_thread (task, recognize_thread);
}

CanteenRecognition *
canteen_kiosk_recognizer_recognize_finish (CanteenKioskRecognizer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_kiosk_recognizer_recognize_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
canteen_kiosk_recognizer_correct_async (CanteenKioskRecognizer *self, CanteenFrame *frame, const int box[4],
                                        const char *dish_id, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  CorrectRequest *request;

  g_return_if_fail (CANTEEN_IS_KIOSK_RECOGNIZER (self));
  g_return_if_fail (frame != NULL);
  g_return_if_fail (box != NULL);
  g_return_if_fail (dish_id != NULL);

  request = g_new0 (CorrectRequest, 1);
  request->frame = canteen_frame_ref (frame);
  memcpy (request->box, box, sizeof request->box);
  request->dish_id = g_strdup (dish_id);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, canteen_kiosk_recognizer_correct_async);
  g_task_set_name (task, "canteen-correct");
  g_task_set_task_data (task, request, (GDestroyNotify) correct_request_free);
  g_task_run_in_thread (task, correct_thread);
}

gboolean
canteen_kiosk_recognizer_correct_finish (CanteenKioskRecognizer *self, GAsyncResult *result, gint64 *out_id,
                                         GError **error)
{
  GError *local_error = NULL;
  gssize id;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_kiosk_recognizer_correct_async, FALSE);

  id = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (out_id != NULL)
    *out_id = id;
  return TRUE;
}
