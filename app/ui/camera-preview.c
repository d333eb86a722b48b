/* camera-preview.c — a widget that snapshots a paintable, aspect-fit. */
#include "camera-preview.h"

struct _CanteenCameraPreview
{
  GtkWidget     parent_instance;
  GdkPaintable *paintable;
};

G_DEFINE_FINAL_TYPE (CanteenCameraPreview, canteen_camera_preview, GTK_TYPE_WIDGET)

static void
canteen_camera_preview_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                                int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* Nothing of its own: CSS and the parent decide (see the header). */
  *minimum = *natural = 0;
}

static void
canteen_camera_preview_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CanteenCameraPreview *self = CANTEEN_CAMERA_PREVIEW (widget);
  const double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double ratio, w, h;

  if (self->paintable == NULL || width <= 0 || height <= 0)
    return;
  ratio = gdk_paintable_get_intrinsic_aspect_ratio (self->paintable);
  if (ratio <= 0)
    ratio = width / height;
  w = width;
  h = w / ratio;
  if (h > height)
    {
      h = height;
      w = h * ratio;
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) ((width - w) / 2), (float) ((height - h) / 2)));
  gdk_paintable_snapshot (self->paintable, GDK_SNAPSHOT (snapshot), w, h);
  gtk_snapshot_restore (snapshot);
}

static void
canteen_camera_preview_dispose (GObject *object)
{
  canteen_camera_preview_set_paintable (CANTEEN_CAMERA_PREVIEW (object), NULL);
  G_OBJECT_CLASS (canteen_camera_preview_parent_class)->dispose (object);
}

static void
canteen_camera_preview_class_init (CanteenCameraPreviewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_camera_preview_dispose;
  widget_class->measure = canteen_camera_preview_measure;
  widget_class->snapshot = canteen_camera_preview_snapshot;
  gtk_widget_class_set_css_name (widget_class, "camera-preview");
}

static void
canteen_camera_preview_init (CanteenCameraPreview *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
canteen_camera_preview_new (void)
{
  return g_object_new (CANTEEN_TYPE_CAMERA_PREVIEW, NULL);
}

void
canteen_camera_preview_set_paintable (CanteenCameraPreview *self, GdkPaintable *paintable)
{
  g_return_if_fail (CANTEEN_IS_CAMERA_PREVIEW (self));
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  if (self->paintable == paintable)
    return;
  g_set_object (&self->paintable, paintable);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkPaintable *
canteen_camera_preview_get_paintable (CanteenCameraPreview *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA_PREVIEW (self), NULL);
  return self->paintable;
}
