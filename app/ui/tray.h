/* tray.h — the diner's tray: the plates about to be paid for.
 *
 * Contract: a GListModel of CanteenTrayItem, at most CANTEEN_TRAY_MAX_LINES.
 * Any change re-announces every position from the first changed one on,
 * because rows act on their position (app.remove-item(u)).
 *
 * The tray also keeps the checkout id of its pending payment: made on the
 * first attempt, kept while the tray stays the same so a retry after a
 * failure can never charge twice (the ledger replays a committed id), and
 * dropped whenever the contents change or a payment is settled/declined.
 *
 * Items from the camera (see tray-item.h) are replaced as a whole when the
 * tray is recognised again; manual items keep their places.
 */
#pragma once

#include <gio/gio.h>

#include "ledger.h"
#include "tray-item.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_TRAY (canteen_tray_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTray, canteen_tray, CANTEEN, TRAY, GObject)

CanteenTray *canteen_tray_new           (void);
gboolean     canteen_tray_add           (CanteenTray *self, const CanteenDish *dish, gint grams,
                                         GError **error);
/* Appends a made item (one from the camera, say). */
gboolean     canteen_tray_add_item      (CanteenTray *self, CanteenTrayItem *item, GError **error);
/* Drops every item that is not MANUAL and appends `items` (CanteenTrayItem)
 * in their order; nothing changes when the result would not fit. */
gboolean     canteen_tray_replace_from_camera (CanteenTray *self, GPtrArray *items, GError **error);
/* Whether any item came from the camera (recognised or confirmed). */
gboolean     canteen_tray_has_camera_items (CanteenTray *self);
gboolean     canteen_tray_remove        (CanteenTray *self, guint position);
void         canteen_tray_clear         (CanteenTray *self);
guint        canteen_tray_get_n_items   (CanteenTray *self);
gint64       canteen_tray_get_total     (CanteenTray *self);

/* The id for paying this tray as it is now (made on first call). */
const char  *canteen_tray_ensure_checkout_id (CanteenTray *self);
const char  *canteen_tray_peek_checkout_id   (CanteenTray *self);
void         canteen_tray_forget_checkout_id (CanteenTray *self);

/* The lines for canteen_ledger_checkout(); dish ids point into the tray's
 * items, so the array must not outlive the tray's current contents. */
GArray      *canteen_tray_get_order_lines (CanteenTray *self);

G_END_DECLS
