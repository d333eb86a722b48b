/* camera.h — the kiosk's camera, delivering frames on the GLib main loop.
 *
 * Contract:
 *  - A camera is made from a source string (see capture.h): "/dev/videoN"
 *    or "v4l2:/dev/videoN", a video file, an image, or a folder of images.
 *    canteen_camera_new() opens it at once, so a missing or unreadable
 *    source is a GError there and then, not a silent black screen later.
 *  - Between start() and stop() a worker thread reads frames at the
 *    source's own rate (a V4L2 camera paces itself; files and folders are
 *    paced at their frame rate) and ::frame is emitted on the GMainContext
 *    that was thread-default when start() was called. Decoding never runs
 *    on that context, so the UI stays responsive.
 *  - Only the newest frame waits for the main loop. If the loop has not
 *    taken the previous one, it is replaced and counted in n-dropped:
 *    nothing queues, however long the loop is busy, and the UI always shows
 *    the latest picture.
 *  - An image of a folder that cannot be decoded is skipped: ::skipped
 *    carries the reason (naming the file; coalesced like frames) and
 *    n-skipped counts them. A folder where nothing is readable fails.
 *  - A source that fails while running ("camera gone") emits ::error once
 *    and the state becomes FAILED; a file or folder played to its end
 *    without looping becomes ENDED. Either way the worker has exited; a new
 *    camera is needed to try again.
 *  - Methods, signals and notifications belong to the thread that runs the
 *    context start() used (the UI thread). stop() returns once the worker
 *    has exited — at most one frame read later; a pacing wait is cut short —
 *    and no ::frame is emitted after it. Disposing a camera stops it.
 *  - Errors are CANTEEN_DEVICE_ERROR and read "camera “SOURCE”: OPERATION:
 *    CAUSE": _TOO_LARGE for frames over 8192x8192, _PROTOCOL for an
 *    undecodable image, _FAILED for the rest.
 */
#pragma once

#include <gio/gio.h>

#include "frame.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_CAMERA_STOPPED,  /* made, or stopped */
  CANTEEN_CAMERA_RUNNING,
  CANTEEN_CAMERA_ENDED,    /* a file or folder played to its end (no loop) */
  CANTEEN_CAMERA_FAILED,   /* the source failed while running; ::error said why */
} CanteenCameraState;

#define CANTEEN_TYPE_CAMERA_STATE (canteen_camera_state_get_type ())
GType canteen_camera_state_get_type (void) G_GNUC_CONST;

#define CANTEEN_TYPE_CAMERA (canteen_camera_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCamera, canteen_camera, CANTEEN, CAMERA, GObject)

/* Files and folders loop, at their own rate or 10 frames per second. */
CanteenCamera      *canteen_camera_new            (const char *source,
                                                   GError    **error);
/* `fps` <= 0: the source's own rate (a video's, a camera's) or 10; for a
 * camera it is a request. `loop`: a file or folder starts over at its end. */
CanteenCamera      *canteen_camera_new_full       (const char *source,
                                                   double      fps,
                                                   gboolean    loop,
                                                   GError    **error);

/* Starts delivering on the thread-default main context. TRUE if running
 * (also when it already was); FALSE only if no thread could be made. */
gboolean            canteen_camera_start          (CanteenCamera *self,
                                                   GError       **error);
/* Stops and joins the worker; the state becomes STOPPED. Idempotent. */
void                canteen_camera_stop           (CanteenCamera *self);

const char         *canteen_camera_get_source     (CanteenCamera *self);
CanteenCameraState  canteen_camera_get_state      (CanteenCamera *self);
/* The rate frames are read at (always > 0). */
double              canteen_camera_get_fps        (CanteenCamera *self);
/* The last frame ::frame carried, or NULL; transfer none. */
CanteenFrame       *canteen_camera_get_last_frame (CanteenCamera *self);
/* Frames read but replaced before the main loop took them. */
guint64             canteen_camera_get_n_dropped  (CanteenCamera *self);
/* Images of a folder skipped as unreadable. */
guint64             canteen_camera_get_n_skipped  (CanteenCamera *self);

G_END_DECLS
