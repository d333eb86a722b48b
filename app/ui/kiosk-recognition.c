/* kiosk-recognition.c — the tray's recognition: start, answer, questions,
 * corrections, and the frame kept after the payment. */
#include "kiosk-recognition.h"

#include <string.h>

struct _CanteenKioskRecognition
{
  GObject                       parent_instance;

  CanteenKioskCamera           *camera;
  CanteenKioskRecognizer       *recognizer;
  CanteenFrameKeeper           *keeper;
  CanteenCheckoutFlow          *flow;
  CanteenKioskDevices          *devices;

  CanteenKioskRecognitionState  state;
  GCancellable                 *cancellable;   /* of the recognition running */
  CanteenFrame                 *frame;         /* behind the tray's camera items */
  GQueue                        questions;     /* CanteenRecognitionQuestion; the head is asked */
  guint                         n_asked;
  guint                         next_id;
  guint                         n_learning;

  gboolean                      done;
  guint                         n_recognised;
  guint                         n_unrecognised;
  guint                         n_exemplars;
  double                        elapsed_ms;
  char                         *error;
};

enum { PROP_0, PROP_STATE, PROP_N_LEARNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (CanteenKioskRecognitionState, canteen_kiosk_recognition_state,
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_RECOGNITION_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_RECOGNITION_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_RECOGNITION_CHOOSING, "choosing"))

G_DEFINE_FINAL_TYPE (CanteenKioskRecognition, canteen_kiosk_recognition, G_TYPE_OBJECT)

const char *
canteen_kiosk_recognition_state_id (CanteenKioskRecognitionState state)
{
  switch (state)
    {
    case CANTEEN_KIOSK_RECOGNITION_RUNNING:  return "running";
    case CANTEEN_KIOSK_RECOGNITION_CHOOSING: return "choosing";
    case CANTEEN_KIOSK_RECOGNITION_IDLE:
    default:                                 return "idle";
    }
}

static void
question_free (CanteenRecognitionQuestion *question)
{
  canteen_frame_unref (question->frame);
  for (guint i = 0; i < question->n_choices; i++)
    canteen_dish_free (question->choices[i]);
  g_free (question);
}

static void
changed (CanteenKioskRecognition *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
set_state (CanteenKioskRecognition *self, CanteenKioskRecognitionState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The state follows the questions left; one ::changed per step. */
static void
settle (CanteenKioskRecognition *self)
{
  if (self->state != CANTEEN_KIOSK_RECOGNITION_RUNNING)
    set_state (self, g_queue_is_empty (&self->questions) ? CANTEEN_KIOSK_RECOGNITION_IDLE
                                                         : CANTEEN_KIOSK_RECOGNITION_CHOOSING);
  changed (self);
}

static void
drop_questions (CanteenKioskRecognition *self)
{
  g_queue_clear_full (&self->questions, (GDestroyNotify) question_free);
  self->n_asked = 0;
}

static void
forget (CanteenKioskRecognition *self)
{
  if (self->cancellable != NULL)
    {
      /* Its answer, when it comes, belongs to a tray that is gone. */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      set_state (self, CANTEEN_KIOSK_RECOGNITION_IDLE);
    }
  drop_questions (self);
  g_clear_pointer (&self->frame, canteen_frame_unref);
}

static void
clear_summary (CanteenKioskRecognition *self)
{
  self->done = FALSE;
  self->n_recognised = self->n_unrecognised = self->n_exemplars = 0;
  self->elapsed_ms = 0;
  g_clear_pointer (&self->error, g_free);
}

/* ---- the answer --------------------------------------------------------- */

static CanteenRecognitionQuestion *
question_new (CanteenKioskRecognition *self, CanteenFrame *frame, const CanteenRecognisedRegion *region)
{
  CanteenRecognitionQuestion *question = g_new0 (CanteenRecognitionQuestion, 1);

  question->id = ++self->next_id;
  question->frame = canteen_frame_ref (frame);
  memcpy (question->box, region->box, sizeof question->box);
  for (guint i = 0; i < region->n_guesses && i < CANTEEN_VISION_TOP; i++)
    {
      question->choices[i] = canteen_dish_copy (region->guesses[i]);
      question->confidence[i] = region->guess_confidence[i];
    }
  question->n_choices = MIN (region->n_guesses, CANTEEN_VISION_TOP);
  return question;
}

static void
apply (CanteenKioskRecognition *self, CanteenRecognition *recognition)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  GQueue questions = G_QUEUE_INIT;

  self->done = TRUE;
  self->n_exemplars = recognition->n_exemplars;
  self->elapsed_ms = recognition->elapsed_ms;
  for (guint i = 0; i < recognition->regions->len; i++)
    {
      const CanteenRecognisedRegion *region = g_ptr_array_index (recognition->regions, i);
      CanteenTrayItem *item = NULL;

      if (region->dish != NULL && region->confidence >= CANTEEN_VISION_SURE)
        {
          g_autoptr(GError) item_error = NULL;

          item = canteen_tray_item_new_from_camera (region->dish,
                                                    canteen_kiosk_devices_grams_for (self->devices, region->dish),
                                                    CANTEEN_TRAY_ITEM_RECOGNISED, region->confidence,
                                                    &item_error);
          if (item != NULL)
            {
              g_ptr_array_add (items, item);
              continue;
            }
          /* A dish the pricing refuses (a bad weight): ask instead. */
          g_message ("recognition: %s: %s", region->dish->id, item_error->message);
        }
      if (region->n_guesses > 0)
        g_queue_push_tail (&questions, question_new (self, recognition->frame, region));
      else
        self->n_unrecognised++;
    }

  if (!canteen_checkout_flow_replace_from_camera (self->flow, items, &error))
    {
      g_message ("recognition: the tray was not changed: %s", error->message);
      g_queue_clear_full (&questions, (GDestroyNotify) question_free);
      self->error = g_strdup (error->message);
      return;
    }
  self->n_recognised = items->len;
  /* The tray's camera items are this frame's now. */
  g_clear_pointer (&self->frame, canteen_frame_unref);
  self->frame = canteen_frame_ref (recognition->frame);
  self->questions = questions;
  self->n_asked = g_queue_get_length (&self->questions);
}

static void
recognize_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CanteenKioskRecognition) self = user_data;   /* the ref taken in start() */
  g_autoptr(CanteenRecognition) recognition = NULL;
  g_autoptr(GError) error = NULL;

  recognition = canteen_kiosk_recognizer_recognize_finish (CANTEEN_KIOSK_RECOGNIZER (source), result, &error);
  /* Reset (or disposed) meanwhile: the state was settled then. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  set_state (self, CANTEEN_KIOSK_RECOGNITION_IDLE);
  if (recognition == NULL)
    {
      g_message ("recognition: %s", error->message);
      self->done = TRUE;
      self->error = g_strdup (error->message);
    }
  else
    apply (self, recognition);
  settle (self);
}

static void
correct_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CanteenKioskRecognition) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (!canteen_kiosk_recognizer_correct_finish (CANTEEN_KIOSK_RECOGNIZER (source), result, &id, &error))
    g_message ("recognition: the correction was not learnt: %s", error->message);
  else if (id == 0)
    g_debug ("recognition: the correction taught nothing new and was dropped");
  self->n_learning--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LEARNING]);
}

/* ---- after the payment -------------------------------------------------- */

static void
committed_cb (CanteenCheckoutFlow *flow, const char *checkout_id, CanteenKioskRecognition *self)
{
  /* The tray is still the one paid for: keep the frame only if the
   * camera put something on it. */
  if (self->frame != NULL && canteen_tray_has_camera_items (canteen_checkout_flow_get_tray (flow)))
    canteen_frame_keeper_keep_async (self->keeper, checkout_id, self->frame, NULL, NULL);
  forget (self);
  clear_summary (self);
  settle (self);
}

/* ---- object ------------------------------------------------------------- */

static void
canteen_kiosk_recognition_dispose (GObject *object)
{
  CanteenKioskRecognition *self = CANTEEN_KIOSK_RECOGNITION (object);

  forget (self);
  if (self->flow != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flow, self);
      g_clear_object (&self->flow);
    }
  g_clear_object (&self->camera);
  g_clear_object (&self->recognizer);
  g_clear_object (&self->keeper);
  g_clear_object (&self->devices);
  G_OBJECT_CLASS (canteen_kiosk_recognition_parent_class)->dispose (object);
}

static void
canteen_kiosk_recognition_finalize (GObject *object)
{
  CanteenKioskRecognition *self = CANTEEN_KIOSK_RECOGNITION (object);

  g_free (self->error);
  G_OBJECT_CLASS (canteen_kiosk_recognition_parent_class)->finalize (object);
}

static void
canteen_kiosk_recognition_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenKioskRecognition *self = CANTEEN_KIOSK_RECOGNITION (object);

  switch (prop_id)
    {
    case PROP_STATE:      g_value_set_enum (value, self->state); break;
    case PROP_N_LEARNING: g_value_set_uint (value, self->n_learning); break;
    default:              G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_recognition_class_init (CanteenKioskRecognitionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_kiosk_recognition_dispose;
  object_class->finalize = canteen_kiosk_recognition_finalize;
  object_class->get_property = canteen_kiosk_recognition_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CANTEEN_TYPE_KIOSK_RECOGNITION_STATE, CANTEEN_KIOSK_RECOGNITION_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LEARNING] =
    g_param_spec_uint ("n-learning", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
canteen_kiosk_recognition_init (CanteenKioskRecognition *self)
{
  g_queue_init (&self->questions);
}

CanteenKioskRecognition *
canteen_kiosk_recognition_new (CanteenKioskCamera *camera, CanteenKioskRecognizer *recognizer,
                               CanteenFrameKeeper *keeper, CanteenCheckoutFlow *flow, CanteenKioskDevices *devices)
{
  CanteenKioskRecognition *self;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (camera), NULL);
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNIZER (recognizer), NULL);
  g_return_val_if_fail (CANTEEN_IS_FRAME_KEEPER (keeper), NULL);
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (flow), NULL);
  g_return_val_if_fail (CANTEEN_IS_KIOSK_DEVICES (devices), NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_RECOGNITION, NULL);
  self->camera = g_object_ref (camera);
  self->recognizer = g_object_ref (recognizer);
  self->keeper = g_object_ref (keeper);
  self->flow = g_object_ref (flow);
  self->devices = g_object_ref (devices);
  g_signal_connect (flow, "committed", G_CALLBACK (committed_cb), self);
  return self;
}

CanteenKioskCamera *
canteen_kiosk_recognition_get_camera (CanteenKioskRecognition *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), NULL);
  return self->camera;
}

CanteenKioskRecognitionState
canteen_kiosk_recognition_get_state (CanteenKioskRecognition *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), CANTEEN_KIOSK_RECOGNITION_IDLE);
  return self->state;
}

gboolean
canteen_kiosk_recognition_can_start (CanteenKioskRecognition *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), FALSE);

  return self->state != CANTEEN_KIOSK_RECOGNITION_RUNNING
      && !canteen_checkout_flow_get_busy (self->flow)
      && canteen_kiosk_camera_get_frame (self->camera) != NULL;
}

gboolean
canteen_kiosk_recognition_start (CanteenKioskRecognition *self)
{
  CanteenFrame *frame;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), FALSE);

  if (!canteen_kiosk_recognition_can_start (self))
    return FALSE;
  frame = canteen_kiosk_camera_get_frame (self->camera);
  /* A new look at the tray supersedes what is still asked about the last;
   * the last frame stays with the tray's items until this one replaces
   * them. */
  drop_questions (self);
  clear_summary (self);
  self->cancellable = g_cancellable_new ();
  set_state (self, CANTEEN_KIOSK_RECOGNITION_RUNNING);
  canteen_kiosk_recognizer_recognize_async (self->recognizer, frame, self->cancellable, recognize_done_cb,
                                            g_object_ref (self));
  changed (self);
  return TRUE;
}

const CanteenRecognitionQuestion *
canteen_kiosk_recognition_get_question (CanteenKioskRecognition *self)
{
  CanteenRecognitionQuestion *question;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), NULL);

  if (self->state != CANTEEN_KIOSK_RECOGNITION_CHOOSING)
    return NULL;
  question = g_queue_peek_head (&self->questions);
  /* Numbered as the diner sees them: "2 of 3". */
  if (question != NULL)
    {
      question->total = self->n_asked;
      question->number = self->n_asked - g_queue_get_length (&self->questions) + 1;
    }
  return question;
}

gboolean
canteen_kiosk_recognition_choose (CanteenKioskRecognition *self, guint question_id, const char *dish_id)
{
  CanteenRecognitionQuestion *question;
  const CanteenDish *chosen = NULL;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), FALSE);
  g_return_val_if_fail (dish_id != NULL, FALSE);

  question = self->state == CANTEEN_KIOSK_RECOGNITION_CHOOSING ? g_queue_peek_head (&self->questions) : NULL;
  /* A second tap on the same button arrives for an answered question. */
  if (question == NULL || question->id != question_id)
    return FALSE;
  for (guint i = 0; i < question->n_choices && *dish_id != '\0'; i++)
    if (g_str_equal (question->choices[i]->id, dish_id))
      chosen = question->choices[i];
  if (*dish_id != '\0' && chosen == NULL)
    return FALSE;

  if (chosen != NULL)
    {
      g_autoptr(CanteenTrayItem) item = NULL;
      g_autoptr(GError) error = NULL;

      item = canteen_tray_item_new_from_camera (chosen, canteen_kiosk_devices_grams_for (self->devices, chosen),
                                                CANTEEN_TRAY_ITEM_CONFIRMED, 1.0f, &error);
      if (item == NULL || !canteen_checkout_flow_add_item (self->flow, item, &error))
        {
          g_message ("choose-dish %s: %s", chosen->id, error->message);
          return FALSE;
        }
      self->n_recognised++;
      /* "This is X" is worth learning: the next tray like it needs nobody. */
      self->n_learning++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LEARNING]);
      canteen_kiosk_recognizer_correct_async (self->recognizer, question->frame, question->box, chosen->id, NULL,
                                              correct_done_cb, g_object_ref (self));
    }
  else
    /* For staff to add from the menu, as one nothing resembled. */
    self->n_unrecognised++;
  question_free (g_queue_pop_head (&self->questions));
  settle (self);
  return TRUE;
}

void
canteen_kiosk_recognition_reset (CanteenKioskRecognition *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self));

  forget (self);
  clear_summary (self);
  settle (self);
}

void
canteen_kiosk_recognition_get_summary (CanteenKioskRecognition *self, CanteenRecognitionSummary *out)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self));
  g_return_if_fail (out != NULL);

  *out = (CanteenRecognitionSummary) {
    .done = self->done,
    .n_recognised = self->n_recognised,
    .n_asked = self->n_asked,
    .n_unrecognised = self->n_unrecognised,
    .n_exemplars = self->n_exemplars,
    .elapsed_ms = self->elapsed_ms,
    .error = self->error,
  };
}

guint
canteen_kiosk_recognition_get_n_learning (CanteenKioskRecognition *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_RECOGNITION (self), 0);
  return self->n_learning;
}
