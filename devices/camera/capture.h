/* capture.h — frames from a camera, a video file or a folder of images,
 * read through OpenCV behind a plain C ABI.
 *
 * Contract:
 *  - No C++ exception and no OpenCV type crosses this header. Every entry
 *    point catches everything and returns a CanteenCaptureStatus; the reason
 *    for the last failure or skipped image is a string on the handle
 *    (canteen_capture_last_error), like sqlite3_errmsg.
 *  - A handle does no locking: one thread at a time (the camera's worker).
 *  - Sources:
 *      "v4l2:/dev/videoN" or "/dev/videoN"  a V4L2 camera; it paces itself
 *      a directory       its .jpg/.jpeg/.png/.ppm/.bmp files, sorted by name
 *                        (byte order, so number them with leading zeros);
 *                        other files are ignored
 *      an image file     that one image, as a still
 *      a video file      .avi/.mp4/.mkv/.mov/.webm/.mjpg/.mjpeg/.m4v/.ogv
 *    Files and folders are NOT paced here: the caller waits 1/fps between
 *    reads (canteen_capture_is_live() says whether the source paces itself).
 *  - A frame is RGB24 (R, G, B bytes per pixel), rows of `stride` bytes with
 *    stride == width * 3, at most CANTEEN_CAPTURE_MAX_SIDE on either side.
 *    Its pixels are malloc()ed and belong to the caller (free() them, or
 *    canteen_capture_frame_clear()): the GLib side wraps them in a GBytes
 *    with free() as the free function, so a frame is copied exactly once,
 *    by the BGR→RGB conversion itself.
 *  - An image in a folder that cannot be decoded (corrupt, truncated, too
 *    large) is CANTEEN_CAPTURE_SKIPPED: nothing is delivered, the error names
 *    the file, and the next read moves on. A folder where a whole pass finds
 *    no readable image is CANTEEN_CAPTURE_FAILED, so a reader that retries
 *    skips can never spin forever.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Larger frames are refused: no camera the kiosk uses comes near it, and a
 * bogus header must not make the terminal allocate gigabytes. */
#define CANTEEN_CAPTURE_MAX_SIDE 8192
/* Frames per second of a folder or still when the caller gives no hint. */
#define CANTEEN_CAPTURE_DEFAULT_FPS 10.0

typedef struct CanteenCapture CanteenCapture;

typedef enum {
  CANTEEN_CAPTURE_OK = 0,
  CANTEEN_CAPTURE_END,          /* a file or folder (without LOOP) has no more frames */
  CANTEEN_CAPTURE_SKIPPED,      /* one image was unreadable; read again for the next */
  CANTEEN_CAPTURE_NOT_FOUND,    /* the path or device does not exist */
  CANTEEN_CAPTURE_UNSUPPORTED,  /* it exists but is no camera, video or image (folder) */
  CANTEEN_CAPTURE_TOO_LARGE,    /* a frame over CANTEEN_CAPTURE_MAX_SIDE */
  CANTEEN_CAPTURE_FAILED,       /* the device or decoder failed, or memory ran out */
} CanteenCaptureStatus;

typedef enum {
  CANTEEN_CAPTURE_FLAGS_NONE = 0,
  CANTEEN_CAPTURE_LOOP       = 1 << 0,  /* a file or folder starts over at its end (the demo) */
} CanteenCaptureFlags;

typedef struct {
  int            width;
  int            height;
  size_t         stride;  /* bytes per row; width * 3 */
  unsigned char *data;    /* stride * height bytes, malloc()ed, the caller's */
} CanteenCaptureFrame;

/* Opens `source`. `fps_hint` is the rate for folders and stills (<= 0: the
 * default) and is asked of a V4L2 camera; a video file's own rate wins.
 * *out_capture is set even on failure, so the error can be read from it
 * (it is NULL only if memory ran out); close it in every case. */
CanteenCaptureStatus canteen_capture_open (const char      *source,
                                           double           fps_hint,
                                           unsigned         flags,
                                           CanteenCapture **out_capture);

/* Reads the next frame into *frame (only on CANTEEN_CAPTURE_OK; otherwise
 * *frame is zeroed). Blocks for a V4L2 camera until it has a frame. */
CanteenCaptureStatus canteen_capture_read (CanteenCapture      *capture,
                                           CanteenCaptureFrame *frame);

/* Frames per second: the video's or camera's own rate when it reports a
 * sane one, else the hint, else CANTEEN_CAPTURE_DEFAULT_FPS. Always > 0. */
double      canteen_capture_get_fps     (const CanteenCapture *capture);
/* True for a camera, whose reads block until the next frame. */
bool        canteen_capture_is_live     (const CanteenCapture *capture);
/* What went wrong last ("" if nothing has); valid until the next call on
 * the handle. Names the file for folder images; does not repeat the source. */
const char *canteen_capture_last_error  (const CanteenCapture *capture);
/* Releases the device or files. NULL is allowed. */
void        canteen_capture_close       (CanteenCapture *capture);

/* Frees frame->data and zeroes the frame. */
void        canteen_capture_frame_clear (CanteenCaptureFrame *frame);

#ifdef __cplusplus
}
#endif
