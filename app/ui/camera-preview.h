/* camera-preview.h — a camera picture, scaled to fit a small box.
 *
 * Contract: draws its paintable (a frame's texture) as large as fits its
 * allocation, keeping the aspect ratio, centred on a dark background.
 * Unlike GtkPicture it never asks for the picture's own size, so a 1280x720
 * frame cannot widen the pane it sits in: its size is what CSS gives it
 * (min-width/min-height) or what its parent allocates.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_CAMERA_PREVIEW (canteen_camera_preview_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCameraPreview, canteen_camera_preview, CANTEEN, CAMERA_PREVIEW, GtkWidget)

GtkWidget    *canteen_camera_preview_new           (void);
/* NULL draws the background only. */
void          canteen_camera_preview_set_paintable (CanteenCameraPreview *self, GdkPaintable *paintable);
GdkPaintable *canteen_camera_preview_get_paintable (CanteenCameraPreview *self);

G_END_DECLS
