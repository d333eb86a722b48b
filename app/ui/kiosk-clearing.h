/* kiosk-clearing.h — the terminal's clearing sync, for the status bar.
 *
 * Contract: owned by the application, on the main context.
 *  - The sync state (canteen_visitor_get_state) is read with the app's
 *    main-thread ledger handle (read-only) at start, after every sync and
 *    after every visitor sale; "changed" is emitted whenever it was read
 *    again. get_state() is NULL before the first read or when it failed.
 *  - Only while the ledger is enrolled with a clearing service (checked at
 *    every tick, so `canteenctl clearing enroll` while the kiosk runs is
 *    picked up): canteen_clearing_sync_async() with respect_backoff TRUE,
 *    CANTEEN_KIOSK_CLEARING_FIRST_S after start, every
 *    CANTEEN_KIOSK_CLEARING_PERIOD_S and CANTEEN_KIOSK_CLEARING_AFTER_SALE_S
 *    after each visitor sale; one sync at a time (its own thread and ledger
 *    handle). A sync never touches a payment: the outbox is the ledger's.
 *  - stop() (the app's shutdown) cancels the sync in flight and waits for
 *    its answer, iterating the default main context (bounded by the sync's
 *    own request timeouts), and removes the timers: afterwards nothing of
 *    it runs and the ledger handle is no longer used.
 */
#pragma once

#include <glib-object.h>

#include "ledger.h"
#include "visitor.h"

G_BEGIN_DECLS

#define CANTEEN_KIOSK_CLEARING_FIRST_S       2
#define CANTEEN_KIOSK_CLEARING_PERIOD_S      60
#define CANTEEN_KIOSK_CLEARING_AFTER_SALE_S  2

#define CANTEEN_TYPE_KIOSK_CLEARING (canteen_kiosk_clearing_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskClearing, canteen_kiosk_clearing, CANTEEN, KIOSK_CLEARING, GObject)

/* `ledger` is the app's main-thread handle (not owned; NULL: no ledger,
 * nothing ever runs); `db_path` is what each sync opens. */
CanteenKioskClearing       *canteen_kiosk_clearing_new (const char *db_path, CanteenLedger *ledger);
void                        canteen_kiosk_clearing_start (CanteenKioskClearing *self);
void                        canteen_kiosk_clearing_stop (CanteenKioskClearing *self);
/* A visitor sale was committed: show it as pending, upload soon. */
void                        canteen_kiosk_clearing_sale_committed (CanteenKioskClearing *self);
/* Reads the state again now (and emits "changed"). */
void                        canteen_kiosk_clearing_refresh (CanteenKioskClearing *self);
const CanteenClearingState *canteen_kiosk_clearing_get_state (CanteenKioskClearing *self);
gboolean                    canteen_kiosk_clearing_get_syncing (CanteenKioskClearing *self);
/* How many syncs have finished (for tests). */
guint                       canteen_kiosk_clearing_get_n_syncs (CanteenKioskClearing *self);

G_END_DECLS
