/* frame.c — CanteenFrame, an atomically refcounted boxed type. */
#include "frame.h"

struct _CanteenFrame
{
  int     width;
  int     height;
  gsize   stride;
  GBytes *pixels;
  gint64  timestamp;
  guint64 sequence;
};

G_DEFINE_BOXED_TYPE (CanteenFrame, canteen_frame, canteen_frame_ref, canteen_frame_unref)

CanteenFrame *
canteen_frame_new (int width, int height, gsize stride, GBytes *pixels, gint64 timestamp, guint64 sequence)
{
  CanteenFrame *frame;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (stride / 3 >= (gsize) width, NULL);
  /* Division, not multiplication: a bogus stride must not overflow into a
   * size that happens to match. */
  g_return_val_if_fail (g_bytes_get_size (pixels) / stride == (gsize) height
                        && g_bytes_get_size (pixels) % stride == 0, NULL);

  frame = g_atomic_rc_box_new0 (CanteenFrame);
  frame->width = width;
  frame->height = height;
  frame->stride = stride;
  frame->pixels = g_bytes_ref (pixels);
  frame->timestamp = timestamp;
  frame->sequence = sequence;
  return frame;
}

CanteenFrame *
canteen_frame_ref (CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  return g_atomic_rc_box_acquire (frame);
}

static void
canteen_frame_clear (gpointer data)
{
  CanteenFrame *frame = data;

  g_bytes_unref (frame->pixels);
}

void
canteen_frame_unref (CanteenFrame *frame)
{
  g_return_if_fail (frame != NULL);
  g_atomic_rc_box_release_full (frame, canteen_frame_clear);
}

int
canteen_frame_get_width (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->width;
}

int
canteen_frame_get_height (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->height;
}

gsize
canteen_frame_get_stride (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->stride;
}

GBytes *
canteen_frame_get_bytes (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  return frame->pixels;
}

gint64
canteen_frame_get_timestamp (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->timestamp;
}

guint64
canteen_frame_get_sequence (const CanteenFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->sequence;
}
