/* frame.h — one picture from the camera, shared by reference.
 *
 * Contract:
 *  - Immutable once made; refcounting is atomic, so a frame may be handed to
 *    a vision thread while the UI shows it.
 *  - Pixels are RGB24: `height` rows of `stride` bytes, each row `width`
 *    R, G, B byte triplets (then padding, if stride > width * 3). That is
 *    GDK_MEMORY_R8G8B8, so the UI shows a frame without copying it:
 *      gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8,
 *                              canteen_frame_get_bytes (frame), stride);
 *    (devices/ has no GTK; that line belongs to the UI.)
 *  - `timestamp` is g_get_monotonic_time() (µs) when the frame was read from
 *    the source; `sequence` counts frames read since the camera was made,
 *    from 1, so a gap between two delivered frames is frames the UI did not
 *    take in time (the camera's n-dropped).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_FRAME (canteen_frame_get_type ())

typedef struct _CanteenFrame CanteenFrame;

GType         canteen_frame_get_type      (void) G_GNUC_CONST;

/* Takes a reference on `pixels`, which must hold exactly stride * height
 * bytes with stride >= width * 3 (a programming error otherwise: NULL). */
CanteenFrame *canteen_frame_new           (int     width,
                                           int     height,
                                           gsize   stride,
                                           GBytes *pixels,
                                           gint64  timestamp,
                                           guint64 sequence);
CanteenFrame *canteen_frame_ref           (CanteenFrame *frame);
void          canteen_frame_unref         (CanteenFrame *frame);

int           canteen_frame_get_width     (const CanteenFrame *frame);
int           canteen_frame_get_height    (const CanteenFrame *frame);
gsize         canteen_frame_get_stride    (const CanteenFrame *frame);
/* transfer none: the frame's own pixels. */
GBytes       *canteen_frame_get_bytes     (const CanteenFrame *frame);
gint64        canteen_frame_get_timestamp (const CanteenFrame *frame);
guint64       canteen_frame_get_sequence  (const CanteenFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenFrame, canteen_frame_unref)

G_END_DECLS
