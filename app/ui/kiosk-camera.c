/* kiosk-camera.c — opening, watching and re-opening the camera; the preview.
 *
 * Opening: a thread makes the CanteenCamera (canteen_camera_new opens the
 * source at once) and wakes the main context through `opened_source`,
 * whose dispatch starts the camera on the main context, so its frames
 * arrive there. One opener at a time; dispose joins it. */
#include "kiosk-camera.h"

#include <string.h>

struct _CanteenKioskCamera
{
  GObject             parent_instance;

  char               *source;
  double              fps;

  /* The main thread's. */
  CanteenDeviceState  state;
  char               *error;
  CanteenCamera      *camera;         /* started, or NULL */
  GdkTexture         *texture;
  gint64              texture_time;   /* g_get_monotonic_time() of `texture` */
  guint               preview_id;     /* a throttled texture update is due */
  guint               retry_id;
  GThread            *opener;
  GSource            *opened_source;

  /* Handed over by the opener: under `lock`. */
  GMutex              lock;
  CanteenCamera      *opened;
  GError             *open_error;
};

enum { PROP_0, PROP_STATE, PROP_ERROR, PROP_TEXTURE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CanteenKioskCamera, canteen_kiosk_camera, G_TYPE_OBJECT)

static void canteen_kiosk_camera_open (CanteenKioskCamera *self);

static void
set_texture (CanteenKioskCamera *self, GdkTexture *texture)
{
  if (self->texture == texture)
    return;
  g_set_object (&self->texture, texture);
  self->texture_time = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
}

static void
set_state (CanteenKioskCamera *self, CanteenDeviceState state, const char *error)
{
  gboolean error_changed = g_strcmp0 (self->error, error) != 0;

  /* Logged once per change, not on every retry that fails the same way. */
  if (error != NULL && (error_changed || self->state != state))
    g_message ("%s", error);
  if (error_changed)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* ---- the preview ------------------------------------------------------ */

static void
update_texture (CanteenKioskCamera *self)
{
  CanteenFrame *frame = self->camera != NULL ? canteen_camera_get_last_frame (self->camera) : NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (frame == NULL)
    return;
  /* The frame's own pixels: RGB24 is GDK_MEMORY_R8G8B8 (see frame.h). */
  texture = gdk_memory_texture_new (canteen_frame_get_width (frame), canteen_frame_get_height (frame),
                                    GDK_MEMORY_R8G8B8, canteen_frame_get_bytes (frame),
                                    canteen_frame_get_stride (frame));
  set_texture (self, texture);
}

static gboolean
preview_due_cb (gpointer data)
{
  CanteenKioskCamera *self = data;

  self->preview_id = 0;
  update_texture (self);
  return G_SOURCE_REMOVE;
}

/* A camera may deliver 30 frames a second; the preview is a glance for the
 * diner, and each new texture is a redraw: at most PREVIEW_FPS of them,
 * always of the newest frame. */
static void
frame_cb (CanteenCamera *camera, CanteenFrame *frame, CanteenKioskCamera *self)
{
  const gint64 period = G_USEC_PER_SEC / CANTEEN_KIOSK_CAMERA_PREVIEW_FPS;
  gint64 since;

  if (self->preview_id != 0)
    return;
  since = g_get_monotonic_time () - self->texture_time;
  if (self->texture == NULL || since >= period)
    update_texture (self);
  else
    self->preview_id = g_timeout_add ((guint) ((period - since) / 1000) + 1, preview_due_cb, self);
}

/* ---- failing and retrying --------------------------------------------- */

static gboolean
retry_cb (gpointer data)
{
  CanteenKioskCamera *self = data;

  self->retry_id = 0;
  canteen_kiosk_camera_open (self);
  return G_SOURCE_REMOVE;
}

static void
drop_camera (CanteenKioskCamera *self)
{
  g_clear_handle_id (&self->preview_id, g_source_remove);
  if (self->camera != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->camera, self);
      canteen_camera_stop (self->camera);
      g_clear_object (&self->camera);
    }
  set_texture (self, NULL);
}

/* A V4L2 node or a folder that is no longer there was unplugged or taken
 * away (GONE); one that is there but does not work is FAILED. */
static gboolean
source_exists (const char *source)
{
  const char *path = g_str_has_prefix (source, "v4l2:") ? source + strlen ("v4l2:") : source;

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
fail (CanteenKioskCamera *self, const char *message)
{
  drop_camera (self);
  set_state (self, source_exists (self->source) ? CANTEEN_DEVICE_STATE_FAILED : CANTEEN_DEVICE_STATE_GONE,
             message);
  if (self->retry_id == 0)
    self->retry_id = g_timeout_add (CANTEEN_KIOSK_CAMERA_RETRY_MS, retry_cb, self);
}

static void
camera_error_cb (CanteenCamera *camera, GError *error, CanteenKioskCamera *self)
{
  fail (self, error->message);
}

static void
camera_state_cb (CanteenCamera *camera, GParamSpec *pspec, CanteenKioskCamera *self)
{
  /* Files and folders loop, so an end is unexpected: a still that went away. */
  if (canteen_camera_get_state (camera) == CANTEEN_CAMERA_ENDED)
    {
      g_autofree char *message = g_strdup_printf ("camera “%s”: the source ended", self->source);
      fail (self, message);
    }
}

/* ---- opening ---------------------------------------------------------- */

static gpointer
opener_thread (gpointer data)
{
  CanteenKioskCamera *self = data;
  GError *error = NULL;
  CanteenCamera *camera = canteen_camera_new_full (self->source, self->fps, TRUE, &error);

  g_mutex_lock (&self->lock);
  self->opened = camera;
  self->open_error = error;
  g_mutex_unlock (&self->lock);
  /* Thread-safe: wakes the main context. */
  g_source_set_ready_time (self->opened_source, 0);
  return NULL;
}

static gboolean
opened_cb (gpointer data)
{
  CanteenKioskCamera *self = data;
  g_autoptr(CanteenCamera) camera = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  camera = g_steal_pointer (&self->opened);
  error = g_steal_pointer (&self->open_error);
  g_mutex_unlock (&self->lock);
  if (self->opener == NULL)
    return G_SOURCE_CONTINUE;
  /* It has handed over and is returning: joining does not wait. */
  g_thread_join (g_steal_pointer (&self->opener));

  if (camera == NULL)
    {
      fail (self, error->message);
      return G_SOURCE_CONTINUE;
    }
  self->camera = g_steal_pointer (&camera);
  g_signal_connect (self->camera, "frame", G_CALLBACK (frame_cb), self);
  g_signal_connect (self->camera, "error", G_CALLBACK (camera_error_cb), self);
  g_signal_connect (self->camera, "notify::state", G_CALLBACK (camera_state_cb), self);
  if (!canteen_camera_start (self->camera, &error))
    {
      fail (self, error->message);
      return G_SOURCE_CONTINUE;
    }
  set_state (self, CANTEEN_DEVICE_STATE_READY, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
opened_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs opened_funcs = {
  .dispatch = opened_dispatch,
};

static void
canteen_kiosk_camera_open (CanteenKioskCamera *self)
{
  g_autoptr(GError) error = NULL;

  if (self->opener != NULL || self->camera != NULL)
    return;
  self->opener = g_thread_try_new ("camera-open", opener_thread, self, &error);
  if (self->opener == NULL)
    {
      g_autofree char *message = g_strdup_printf ("camera “%s”: cannot open: %s", self->source, error->message);
      fail (self, message);
    }
}

/* ---- object ----------------------------------------------------------- */

static void
canteen_kiosk_camera_dispose (GObject *object)
{
  CanteenKioskCamera *self = CANTEEN_KIOSK_CAMERA (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->opener != NULL)
    g_thread_join (g_steal_pointer (&self->opener));
  g_mutex_lock (&self->lock);
  g_clear_object (&self->opened);
  g_clear_error (&self->open_error);
  g_mutex_unlock (&self->lock);
  if (self->opened_source != NULL)
    {
      g_source_destroy (self->opened_source);
      g_clear_pointer (&self->opened_source, g_source_unref);
    }
  drop_camera (self);
  G_OBJECT_CLASS (canteen_kiosk_camera_parent_class)->dispose (object);
}

static void
canteen_kiosk_camera_finalize (GObject *object)
{
  CanteenKioskCamera *self = CANTEEN_KIOSK_CAMERA (object);

  g_free (self->source);
  g_free (self->error);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_kiosk_camera_parent_class)->finalize (object);
}

static void
canteen_kiosk_camera_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenKioskCamera *self = CANTEEN_KIOSK_CAMERA (object);

  switch (prop_id)
    {
    case PROP_STATE:   g_value_set_int (value, (int) self->state); break;
    case PROP_ERROR:   g_value_set_string (value, self->error); break;
    case PROP_TEXTURE: g_value_set_object (value, self->texture); break;
    default:           G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_camera_class_init (CanteenKioskCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_kiosk_camera_dispose;
  object_class->finalize = canteen_kiosk_camera_finalize;
  object_class->get_property = canteen_kiosk_camera_get_property;

  /* A CanteenDeviceState (devices/ registers no GType for it). */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, G_MAXINT, CANTEEN_DEVICE_STATE_CLOSED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXTURE] =
    g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
canteen_kiosk_camera_init (CanteenKioskCamera *self)
{
  g_mutex_init (&self->lock);
  self->state = CANTEEN_DEVICE_STATE_CLOSED;
}

CanteenKioskCamera *
canteen_kiosk_camera_new (const char *source, double fps)
{
  CanteenKioskCamera *self;

  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_CAMERA, NULL);
  self->source = g_strdup (source);
  self->fps = fps > 0 ? fps : 0.0;
  self->opened_source = g_source_new (&opened_funcs, sizeof (GSource));
  g_source_set_callback (self->opened_source, opened_cb, self, NULL);
  g_source_set_static_name (self->opened_source, "[canteen] camera opened");
  g_source_attach (self->opened_source, g_main_context_get_thread_default ());
  canteen_kiosk_camera_open (self);
  return self;
}

const char *
canteen_kiosk_camera_get_source (CanteenKioskCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (self), NULL);
  return self->source;
}

CanteenDeviceState
canteen_kiosk_camera_get_state (CanteenKioskCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (self), CANTEEN_DEVICE_STATE_FAILED);
  return self->state;
}

const char *
canteen_kiosk_camera_get_error (CanteenKioskCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (self), NULL);
  return self->error;
}

CanteenFrame *
canteen_kiosk_camera_get_frame (CanteenKioskCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (self), NULL);
  return self->camera != NULL ? canteen_camera_get_last_frame (self->camera) : NULL;
}

GdkTexture *
canteen_kiosk_camera_get_texture (CanteenKioskCamera *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CAMERA (self), NULL);
  return self->texture;
}
