/* kiosk-camera.h — the counter's camera, as the kiosk uses it.
 *
 * Contract: wraps a CanteenCamera (devices/camera) made from `source`
 * ("/dev/video0", a video file, an image or a folder of images; folders and
 * files loop) and keeps it going on the main context:
 *
 *  - Opening runs on a thread of its own (a V4L2 device may take a moment),
 *    so nothing here ever blocks the main loop. The state is a device state,
 *    so the status bar shows the camera like the USB devices: CLOSED while
 *    opening, READY while frames come, FAILED when the source cannot be
 *    opened or read, GONE when the source no longer exists (unplugged).
 *    After a failure it tries again every CANTEEN_KIOSK_CAMERA_RETRY_MS, and
 *    becomes READY by itself when the camera is back.
 *  - get_frame() is the newest frame the camera delivered (what recognition
 *    uses); "texture" is a GdkTexture of it for the preview, replaced at
 *    most CANTEEN_KIOSK_CAMERA_PREVIEW_FPS times a second whatever the
 *    camera's rate, without copying the pixels; NULL unless READY.
 *  - Disposing stops the camera and waits for an opening in progress.
 */
#pragma once

#include <gtk/gtk.h>

#include "camera.h"
#include "device.h"

G_BEGIN_DECLS

#define CANTEEN_KIOSK_CAMERA_RETRY_MS    3000
#define CANTEEN_KIOSK_CAMERA_PREVIEW_FPS 10

#define CANTEEN_TYPE_KIOSK_CAMERA (canteen_kiosk_camera_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskCamera, canteen_kiosk_camera, CANTEEN, KIOSK_CAMERA, GObject)

/* `fps` <= 0: the source's own rate (10 for folders and stills). Starts
 * opening at once. */
CanteenKioskCamera *canteen_kiosk_camera_new         (const char *source, double fps);

const char         *canteen_kiosk_camera_get_source  (CanteenKioskCamera *self);
CanteenDeviceState  canteen_kiosk_camera_get_state   (CanteenKioskCamera *self);
/* Why the camera is FAILED or GONE ("camera “/dev/video0”: ..."), else NULL. */
const char         *canteen_kiosk_camera_get_error   (CanteenKioskCamera *self);
/* The newest frame, or NULL (none yet, or not READY); transfer none. */
CanteenFrame       *canteen_kiosk_camera_get_frame   (CanteenKioskCamera *self);
/* The preview picture, or NULL; transfer none. */
GdkTexture         *canteen_kiosk_camera_get_texture (CanteenKioskCamera *self);

G_END_DECLS
