/* checkout-frame.h — what the checkout camera leaves with a committed
 * checkout: its frame, and the tray the food was served on.
 *
 * Contract
 *  - Call after the checkout committed; the payment stands whatever
 *    happens here.
 *  - The frame (JPEG) is kept (canteen_ledger_keep_frame). When it shows
 *    the tray's own tag (canteen_vision_read_tray_tag), the tray is recorded
 *    with the checkout (canteen_ledger_set_checkout_tray), so the return
 *    station can find the checkout from the returned tray's photo alone.
 *  - A frame without a readable tag is no error: that checkout is found at
 *    the return by card instead. Keeping the same frame again is a no-op.
 *  - Synchronous (a JPEG decode and a QR search, tens of ms): a worker
 *    thread with its own ledger and vision handles.
 */
#pragma once

#include <glib.h>

#include "ledger.h"
#include "vision.h"

G_BEGIN_DECLS

/* *out_tag (nullable) gets the tray's tag, or NULL when none was read. */
gboolean canteen_checkout_frame_keep (CanteenLedger *ledger, CanteenVision *vision, const char *checkout_id,
                                      GBytes *jpeg, char **out_tag, GError **error);

G_END_DECLS
