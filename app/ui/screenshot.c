/* screenshot.c — widget paintable → snapshot → texture → PNG. */
#include "screenshot.h"

gboolean
canteen_widget_save_png (GtkWidget *widget, const char *path, GError **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  GtkNative *native;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  native = gtk_widget_get_native (widget);
  renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "cannot save %s: the window is not shown yet", path);
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot save %s: the window drew nothing", path);
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot write the screenshot to %s", path);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GtkWidget     *widget;   /* owned ref */
  char          *path;
  GdkFrameClock *clock;    /* owned ref */
  gulong         handler;
} PendingShot;

static void
save_logged (GtkWidget *widget, const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!canteen_widget_save_png (widget, path, &error))
    g_message ("screenshot: %s", error->message);
}

static void
after_paint_cb (GdkFrameClock *clock, PendingShot *shot)
{
  g_signal_handler_disconnect (clock, shot->handler);
  save_logged (shot->widget, shot->path);
  g_object_unref (shot->clock);
  g_object_unref (shot->widget);
  g_free (shot->path);
  g_free (shot);
}

void
canteen_widget_save_png_after_frame (GtkWidget *widget, const char *path)
{
  GdkFrameClock *clock;
  PendingShot *shot;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (path != NULL);

  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    {
      save_logged (widget, path);   /* not shown: reports why */
      return;
    }
  shot = g_new0 (PendingShot, 1);
  shot->widget = g_object_ref (widget);
  shot->path = g_strdup (path);
  shot->clock = g_object_ref (clock);
  shot->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), shot);
  /* Nothing may be dirty: ask for a frame so after-paint comes. */
  gtk_widget_queue_draw (widget);
}
