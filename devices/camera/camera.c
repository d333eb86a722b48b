/* camera.c — CanteenCamera: a worker thread reads and paces frames, and a
 * GSource on the owner's main context hands over the newest one.
 *
 * Hand-over: the worker leaves its frame (or news: a skipped image, the
 * end, a failure) in `pending_*` under `lock` and sets the delivery
 * source's ready time to 0, which wakes the owner's context from any
 * thread. The source's dispatch clears the ready time *before* taking the
 * pending items, so a frame posted meanwhile re-arms it and is never lost;
 * a frame posted before the dispatch simply replaces the older one. There
 * is one slot and one source, so nothing grows while the loop is busy. */
#include "camera.h"

#include "capture.h"
#include "device-error.h"

struct _CanteenCamera
{
  GObject             parent_instance;

  /* Set while constructing, read-only after. */
  char               *source;
  double              fps_hint;
  gboolean            loop;
  double              fps;
  gboolean            live;
  CanteenCapture     *capture;        /* the worker's alone while it runs */

  /* The owner thread's. */
  CanteenCameraState  state;
  GThread            *worker;
  GMainContext       *context;
  GSource            *delivery;
  CanteenFrame       *last_frame;

  /* Shared with the worker: under `lock`. */
  GMutex              lock;
  GCond               wake;           /* cuts a pacing wait short on stop */
  gboolean            stopping;
  CanteenFrame       *pending_frame;
  GError             *pending_skip;   /* the latest skipped image's reason */
  GError             *pending_error;  /* the worker failed and has exited */
  gboolean            pending_end;    /* the source ended and the worker has exited */
  guint64             n_dropped;
  guint64             n_skipped;

  guint64             sequence;       /* the worker's; only one runs at a time */
};

enum { PROP_0, PROP_SOURCE, PROP_FPS, PROP_LOOP, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_FRAME, SIGNAL_SKIPPED, SIGNAL_ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (CanteenCameraState, canteen_camera_state,
  G_DEFINE_ENUM_VALUE (CANTEEN_CAMERA_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CANTEEN_CAMERA_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (CANTEEN_CAMERA_ENDED, "ended"),
  G_DEFINE_ENUM_VALUE (CANTEEN_CAMERA_FAILED, "failed"))

static void canteen_camera_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CanteenCamera, canteen_camera, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, canteen_camera_initable_iface_init))

/* "camera “SOURCE”: OPERATION: CAUSE", the cause from the capture handle. */
static GError *
camera_error_new (CanteenCamera *self, const char *operation, CanteenCaptureStatus status)
{
  int code;

  switch (status)
    {
    case CANTEEN_CAPTURE_TOO_LARGE:
      code = CANTEEN_DEVICE_ERROR_TOO_LARGE;
      break;
    case CANTEEN_CAPTURE_SKIPPED:
      code = CANTEEN_DEVICE_ERROR_PROTOCOL;
      break;
    case CANTEEN_CAPTURE_OK:
    case CANTEEN_CAPTURE_END:
    case CANTEEN_CAPTURE_NOT_FOUND:
    case CANTEEN_CAPTURE_UNSUPPORTED:
    case CANTEEN_CAPTURE_FAILED:
    default:
      code = CANTEEN_DEVICE_ERROR_FAILED;
      break;
    }
  return g_error_new (CANTEEN_DEVICE_ERROR, code, "camera “%s”: %s: %s", self->source, operation,
                      self->capture != NULL ? canteen_capture_last_error (self->capture) : "out of memory");
}

static void
camera_set_state (CanteenCamera *self, CanteenCameraState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ---- the worker --------------------------------------------------------- */

static void
camera_wake_owner (CanteenCamera *self)
{
  /* Thread-safe: takes the context's lock and wakes its poll. */
  g_source_set_ready_time (self->delivery, 0);
}

static void
camera_post_frame (CanteenCamera *self, CanteenCaptureFrame *raw, gint64 timestamp)
{
  gsize size = raw->stride * (gsize) raw->height;
  /* The capture malloc()ed the pixels for us: the GBytes takes them over. */
  g_autoptr(GBytes) pixels = g_bytes_new_with_free_func (raw->data, size, free, raw->data);
  CanteenFrame *frame = canteen_frame_new (raw->width, raw->height, raw->stride, pixels, timestamp,
                                           ++self->sequence);

  raw->data = NULL;
  g_mutex_lock (&self->lock);
  if (self->pending_frame != NULL)
    {
      canteen_frame_unref (self->pending_frame);
      self->n_dropped++;
    }
  self->pending_frame = frame;
  g_mutex_unlock (&self->lock);
  camera_wake_owner (self);
}

static void
camera_post_skip (CanteenCamera *self)
{
  GError *reason = camera_error_new (self, "skipped an image", CANTEEN_CAPTURE_SKIPPED);

  g_mutex_lock (&self->lock);
  g_clear_error (&self->pending_skip);
  self->pending_skip = reason;
  self->n_skipped++;
  g_mutex_unlock (&self->lock);
  camera_wake_owner (self);
}

/* The worker's last word: it returns right after. */
static void
camera_post_end (CanteenCamera *self, CanteenCaptureStatus status)
{
  GError *failure = status == CANTEEN_CAPTURE_END ? NULL : camera_error_new (self, "cannot read a frame", status);

  g_mutex_lock (&self->lock);
  if (failure != NULL)
    self->pending_error = failure;
  else
    self->pending_end = TRUE;
  g_mutex_unlock (&self->lock);
  camera_wake_owner (self);
}

static gpointer
camera_worker (gpointer data)
{
  CanteenCamera *self = data;
  /* A camera's read blocks until its next frame; files need a beat. */
  const gint64 period = self->live ? 0 : (gint64) (G_USEC_PER_SEC / self->fps);
  gint64 due = g_get_monotonic_time ();

  for (;;)
    {
      CanteenCaptureFrame raw = { 0 };
      CanteenCaptureStatus status;
      gboolean stopping;
      gint64 now;

      g_mutex_lock (&self->lock);
      stopping = self->stopping;
      g_mutex_unlock (&self->lock);
      if (stopping)
        break;

      status = canteen_capture_read (self->capture, &raw);
      now = g_get_monotonic_time ();
      if (status == CANTEEN_CAPTURE_SKIPPED)
        {
          /* Straight on to the next image, so one bad file costs no beat;
           * the capture fails a folder with nothing readable, so this ends. */
          camera_post_skip (self);
          continue;
        }
      if (status != CANTEEN_CAPTURE_OK)
        {
          camera_post_end (self, status);
          break;
        }
      camera_post_frame (self, &raw, now);

      if (period == 0)
        continue;
      due += period;
      /* Behind (a slow decode, a suspended machine): restart the beat from
       * now rather than burst through the missed frames. */
      if (due < now)
        due = now;
      g_mutex_lock (&self->lock);
      while (!self->stopping && g_cond_wait_until (&self->wake, &self->lock, due))
        ;
      g_mutex_unlock (&self->lock);
    }
  return NULL;
}

/* ---- the owner's side --------------------------------------------------- */

/* Stops the worker and forgets anything it left undelivered. */
static void
camera_halt (CanteenCamera *self)
{
  if (self->worker != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->wake);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->worker));
    }
  if (self->delivery != NULL)
    {
      g_source_destroy (self->delivery);
      g_clear_pointer (&self->delivery, g_source_unref);
    }
  g_clear_pointer (&self->context, g_main_context_unref);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending_frame, canteen_frame_unref);
  g_clear_error (&self->pending_skip);
  g_clear_error (&self->pending_error);
  self->pending_end = FALSE;
  g_mutex_unlock (&self->lock);
}

static gboolean
camera_deliver (gpointer data)
{
  CanteenCamera *self = data;
  g_autoptr(CanteenFrame) frame = NULL;
  g_autoptr(GError) skip = NULL;
  g_autoptr(GError) failure = NULL;
  g_autoptr(CanteenCamera) hold = g_object_ref (self);  /* a handler may drop the last ref */
  gboolean ended;

  g_mutex_lock (&self->lock);
  frame = g_steal_pointer (&self->pending_frame);
  skip = g_steal_pointer (&self->pending_skip);
  failure = g_steal_pointer (&self->pending_error);
  ended = self->pending_end;
  self->pending_end = FALSE;
  g_mutex_unlock (&self->lock);

  if (frame != NULL)
    {
      g_clear_pointer (&self->last_frame, canteen_frame_unref);
      self->last_frame = canteen_frame_ref (frame);
      g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);
    }
  /* A handler may have stopped the camera: then the rest is stale. */
  if (skip != NULL && self->state == CANTEEN_CAMERA_RUNNING)
    g_signal_emit (self, signals[SIGNAL_SKIPPED], 0, skip);
  if ((failure != NULL || ended) && self->state == CANTEEN_CAMERA_RUNNING)
    {
      /* The worker has returned; joining it here cannot block. */
      camera_halt (self);
      camera_set_state (self, failure != NULL ? CANTEEN_CAMERA_FAILED : CANTEEN_CAMERA_ENDED);
      if (failure != NULL)
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, failure);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
delivery_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  /* Disarm before taking the pending items: see the top of the file. */
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs delivery_funcs = {
  .dispatch = delivery_dispatch,
};

gboolean
canteen_camera_start (CanteenCamera *self, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == CANTEEN_CAMERA_RUNNING)
    return TRUE;

  self->context = g_main_context_ref_thread_default ();
  self->delivery = g_source_new (&delivery_funcs, sizeof (GSource));
  g_source_set_callback (self->delivery, camera_deliver, self, NULL);
  g_source_set_priority (self->delivery, G_PRIORITY_DEFAULT);
  g_source_set_static_name (self->delivery, "[canteen] camera frames");
  g_source_attach (self->delivery, self->context);

  self->stopping = FALSE;
  self->worker = g_thread_try_new ("camera", camera_worker, self, &local_error);
  if (self->worker == NULL)
    {
      camera_halt (self);
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED, "camera “%s”: cannot start: %s",
                   self->source, local_error->message);
      return FALSE;
    }
  camera_set_state (self, CANTEEN_CAMERA_RUNNING);
  return TRUE;
}

void
canteen_camera_stop (CanteenCamera *self)
{
  g_return_if_fail (CANTEEN_IS_CAMERA (self));

  camera_halt (self);
  camera_set_state (self, CANTEEN_CAMERA_STOPPED);
}

/* ---- construction ------------------------------------------------------- */

static gboolean
canteen_camera_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  CanteenCamera *self = CANTEEN_CAMERA (initable);
  CanteenCaptureStatus status;

  if (self->capture != NULL)
    return TRUE;
  if (self->source == NULL)
    {
      g_set_error_literal (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED,
                           "camera: cannot open: no source given");
      return FALSE;
    }

  status = canteen_capture_open (self->source, self->fps_hint,
                                 self->loop ? CANTEEN_CAPTURE_LOOP : CANTEEN_CAPTURE_FLAGS_NONE, &self->capture);
  if (status != CANTEEN_CAPTURE_OK)
    {
      g_propagate_error (error, camera_error_new (self, "cannot open", status));
      /* Not kept: a later init() must retry rather than report success. */
      g_clear_pointer (&self->capture, canteen_capture_close);
      return FALSE;
    }
  self->fps = canteen_capture_get_fps (self->capture);
  self->live = canteen_capture_is_live (self->capture);
  return TRUE;
}

static void
canteen_camera_initable_iface_init (GInitableIface *iface)
{
  iface->init = canteen_camera_initable_init;
}

CanteenCamera *
canteen_camera_new_full (const char *source, double fps, gboolean loop, GError **error)
{
  return g_initable_new (CANTEEN_TYPE_CAMERA, NULL, error,
                         "source", source,
                         "fps", fps,
                         "loop", loop,
                         NULL);
}

CanteenCamera *
canteen_camera_new (const char *source, GError **error)
{
  return canteen_camera_new_full (source, 0.0, TRUE, error);
}

static void
canteen_camera_dispose (GObject *object)
{
  CanteenCamera *self = CANTEEN_CAMERA (object);

  camera_halt (self);
  g_clear_pointer (&self->last_frame, canteen_frame_unref);
  G_OBJECT_CLASS (canteen_camera_parent_class)->dispose (object);
}

static void
canteen_camera_finalize (GObject *object)
{
  CanteenCamera *self = CANTEEN_CAMERA (object);

  g_clear_pointer (&self->capture, canteen_capture_close);
  g_free (self->source);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  G_OBJECT_CLASS (canteen_camera_parent_class)->finalize (object);
}

static void
canteen_camera_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenCamera *self = CANTEEN_CAMERA (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_FPS:
      g_value_set_double (value, self->capture != NULL ? self->fps : self->fps_hint);
      break;
    case PROP_LOOP:
      g_value_set_boolean (value, self->loop);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_camera_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CanteenCamera *self = CANTEEN_CAMERA (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_free (self->source);
      self->source = g_value_dup_string (value);
      break;
    case PROP_FPS:
      self->fps_hint = g_value_get_double (value);
      break;
    case PROP_LOOP:
      self->loop = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_camera_class_init (CanteenCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_camera_dispose;
  object_class->finalize = canteen_camera_finalize;
  object_class->get_property = canteen_camera_get_property;
  object_class->set_property = canteen_camera_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Written: the requested rate (0 = the source's). Read: the rate in use. */
  properties[PROP_FPS] =
    g_param_spec_double ("fps", NULL, NULL, 0.0, 1000.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOP] =
    g_param_spec_boolean ("loop", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CANTEEN_TYPE_CAMERA_STATE, CANTEEN_CAMERA_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A new picture; it is also canteen_camera_get_last_frame() from now on. */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CANTEEN_TYPE_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* An unreadable image was passed over; the error names it. */
  signals[SIGNAL_SKIPPED] =
    g_signal_new ("skipped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* The source failed while running; the state is already FAILED. */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
canteen_camera_init (CanteenCamera *self)
{
  self->loop = TRUE;
  self->fps = CANTEEN_CAPTURE_DEFAULT_FPS;
  self->state = CANTEEN_CAMERA_STOPPED;
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
}

/* ---- getters ------------------------------------------------------------ */

const char *
canteen_camera_get_source (CanteenCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), NULL);
  return self->source;
}

CanteenCameraState
canteen_camera_get_state (CanteenCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), CANTEEN_CAMERA_STOPPED);
  return self->state;
}

double
canteen_camera_get_fps (CanteenCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), CANTEEN_CAPTURE_DEFAULT_FPS);
  return self->fps;
}

CanteenFrame *
canteen_camera_get_last_frame (CanteenCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), NULL);
  return self->last_frame;
}

guint64
canteen_camera_get_n_dropped (CanteenCamera *self)
{
  guint64 n;

  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), 0);
  g_mutex_lock (&self->lock);
  n = self->n_dropped;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
canteen_camera_get_n_skipped (CanteenCamera *self)
{
  guint64 n;

  g_return_val_if_fail (CANTEEN_IS_CAMERA (self), 0);
  g_mutex_lock (&self->lock);
  n = self->n_skipped;
  g_mutex_unlock (&self->lock);
  return n;
}
