/* frame-keeper.h — keeps the camera frame a checkout was recognised from.
 *
 * Contract: canteen_frame_keeper_keep_async() encodes the frame as a JPEG
 * and hands it to canteen_checkout_frame_keep() for `checkout_id` (the
 * frame, and the tray's tag when the frame shows one: app/station), in a
 * worker thread with ledger and vision handles of its own (opened from
 * `db_path` on first use, one request at a time). Call it only after the checkout committed:
 * it is never part of the payment, and its outcome changes nothing about
 * it. A failure is logged (g_warning: staff should see frames go missing)
 * and reported to the callback; the same frame kept twice is a no-op.
 */
#pragma once

#include <gio/gio.h>

#include "frame.h"

G_BEGIN_DECLS

/* Enough to tell the dishes apart later (waste, audit), a few hundred KB. */
#define CANTEEN_FRAME_KEEPER_JPEG_QUALITY 85

#define CANTEEN_TYPE_FRAME_KEEPER (canteen_frame_keeper_get_type ())
G_DECLARE_FINAL_TYPE (CanteenFrameKeeper, canteen_frame_keeper, CANTEEN, FRAME_KEEPER, GObject)

CanteenFrameKeeper *canteen_frame_keeper_new          (const char *db_path);

/* `callback` may be NULL (the outcome is logged either way). */
void                canteen_frame_keeper_keep_async   (CanteenFrameKeeper  *self,
                                                       const char          *checkout_id,
                                                       CanteenFrame        *frame,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            canteen_frame_keeper_keep_finish  (CanteenFrameKeeper  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* The frame as JPEG bytes (gdk-pixbuf's encoder); NULL with an error. */
GBytes             *canteen_frame_encode_jpeg         (CanteenFrame *frame, int quality, GError **error);

G_END_DECLS
