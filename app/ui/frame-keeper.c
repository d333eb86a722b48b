/* frame-keeper.c — JPEG encoding and canteen_checkout_frame_keep() (the
 * frame and the tray it shows) in a GTask worker thread. The vision module
 * has no encoder; gdk-pixbuf's JPEG saver is part of the GTK stack the kiosk
 * has anyway. */
#include "frame-keeper.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "checkout-frame.h"
#include "ledger.h"

struct _CanteenFrameKeeper
{
  GObject        parent_instance;
  char          *db_path;
  GMutex         lock;      /* one request at a time on `ledger` */
  CanteenLedger *ledger;    /* the worker's; NULL until first used or after a failure */
  CanteenVision *vision;    /* the worker's, for the tray's tag; NULL until first used */
};

G_DEFINE_FINAL_TYPE (CanteenFrameKeeper, canteen_frame_keeper, G_TYPE_OBJECT)

typedef struct {
  char         *checkout_id;
  CanteenFrame *frame;
} KeepRequest;

static void
keep_request_free (KeepRequest *request)
{
  g_free (request->checkout_id);
  canteen_frame_unref (request->frame);
  g_free (request);
}

GBytes *
canteen_frame_encode_jpeg (CanteenFrame *frame, int quality, GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *quality_text = NULL;
  gchar *buffer = NULL;
  gsize len = 0;

  g_return_val_if_fail (frame != NULL, NULL);

  /* RGB24 rows of `stride` bytes are exactly a pixbuf without alpha. */
  pixbuf = gdk_pixbuf_new_from_bytes (canteen_frame_get_bytes (frame), GDK_COLORSPACE_RGB, FALSE, 8,
                                      canteen_frame_get_width (frame), canteen_frame_get_height (frame),
                                      (int) canteen_frame_get_stride (frame));
  quality_text = g_strdup_printf ("%d", CLAMP (quality, 1, 100));
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "jpeg", error, "quality", quality_text, NULL))
    return NULL;
  return g_bytes_new_take (buffer, len);
}

static void
keep_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CanteenFrameKeeper *self = source_object;
  KeepRequest *request = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GBytes) jpeg = NULL;
  GError *error = NULL;

  jpeg = canteen_frame_encode_jpeg (request->frame, CANTEEN_FRAME_KEEPER_JPEG_QUALITY, &error);
  if (jpeg != NULL && self->ledger == NULL)
    self->ledger = canteen_ledger_open (self->db_path, &error);
  if (self->vision == NULL && (self->vision = canteen_vision_new ()) == NULL && error == NULL)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "the vision module could not start");
  if (jpeg == NULL || self->ledger == NULL || self->vision == NULL
      || !canteen_checkout_frame_keep (self->ledger, self->vision, request->checkout_id, jpeg, NULL, &error))
    {
      if (g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB))
        g_clear_pointer (&self->ledger, canteen_ledger_close);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
canteen_frame_keeper_finalize (GObject *object)
{
  CanteenFrameKeeper *self = CANTEEN_FRAME_KEEPER (object);

  /* Every task holds a reference: no worker can be running now. */
  g_clear_pointer (&self->ledger, canteen_ledger_close);
  g_clear_pointer (&self->vision, canteen_vision_free);
  g_free (self->db_path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_frame_keeper_parent_class)->finalize (object);
}

static void
canteen_frame_keeper_class_init (CanteenFrameKeeperClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_frame_keeper_finalize;
}

static void
canteen_frame_keeper_init (CanteenFrameKeeper *self)
{
  g_mutex_init (&self->lock);
}

CanteenFrameKeeper *
canteen_frame_keeper_new (const char *db_path)
{
  CanteenFrameKeeper *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_FRAME_KEEPER, NULL);
  self->db_path = g_strdup (db_path);
  return self;
}

static void
keep_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!canteen_frame_keeper_keep_finish (CANTEEN_FRAME_KEEPER (source), result, &error))
    return;   /* logged by _finish */
}

void
canteen_frame_keeper_keep_async (CanteenFrameKeeper *self, const char *checkout_id, CanteenFrame *frame,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  KeepRequest *request;

  g_return_if_fail (CANTEEN_IS_FRAME_KEEPER (self));
  g_return_if_fail (checkout_id != NULL);
  g_return_if_fail (frame != NULL);

  request = g_new0 (KeepRequest, 1);
  request->checkout_id = g_strdup (checkout_id);
  request->frame = canteen_frame_ref (frame);

  task = g_task_new (self, NULL, callback != NULL ? callback : keep_done_cb, user_data);
  g_task_set_source_tag (task, canteen_frame_keeper_keep_async);
  g_task_set_name (task, "canteen-keep-frame");
  g_task_set_task_data (task, request, (GDestroyNotify) keep_request_free);
  g_task_run_in_thread (task, keep_thread);
}

gboolean
canteen_frame_keeper_keep_finish (CanteenFrameKeeper *self, GAsyncResult *result, GError **error)
{
  GError *local_error = NULL;
  KeepRequest *request;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_frame_keeper_keep_async, FALSE);

  if (g_task_propagate_boolean (G_TASK (result), &local_error))
    return TRUE;
  request = g_task_get_task_data (G_TASK (result));
  /* The payment stands; the audit trail misses a picture. */
  g_warning ("checkout %s: the camera frame was not kept: %s", request->checkout_id, local_error->message);
  g_propagate_error (error, local_error);
  return FALSE;
}
