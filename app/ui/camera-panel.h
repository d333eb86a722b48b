/* camera-panel.h — the camera on the order page: a live preview, the
 * "Recognise tray" button and what the last recognition found.
 *
 * Contract: a view that follows a CanteenKioskRecognition by itself (its
 * camera's preview texture, its state and summary); it never changes
 * anything: the button is app.recognize-tray, which greys out when
 * recognition cannot start. A spinner turns while the worker recognises.
 * Without a recognition (no camera) it shows nothing and takes no space.
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-recognition.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_CAMERA_PANEL (canteen_camera_panel_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCameraPanel, canteen_camera_panel, CANTEEN, CAMERA_PANEL, GtkBox)

void        canteen_camera_panel_set_recognition (CanteenCameraPanel *self, CanteenKioskRecognition *recognition);

/* For tests. */
const char *canteen_camera_panel_get_status_text (CanteenCameraPanel *self);
gboolean    canteen_camera_panel_get_spinning    (CanteenCameraPanel *self);
/* Whether a camera picture is shown (not the placeholder). */
gboolean    canteen_camera_panel_get_has_picture (CanteenCameraPanel *self);

G_END_DECLS
