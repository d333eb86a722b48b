/* payment.h — commits one checkout without blocking the screen.
 *
 * Contract: canteen_payment_run_async() charges `card` for `lines` under
 * `checkout_id` in a worker thread, on a ledger handle of its own (opened
 * from `db_path` in that thread, because a CanteenLedger is used by one
 * thread at a time). The callback runs in the caller's main context.
 * There is no cancellable on purpose: once started, a payment is either
 * committed or not, and the caller must always learn which.
 *
 * _finish() returns the receipt only when the ledger committed the checkout
 * durably (or had committed it before: receipt->replayed). On failure it
 * returns NULL with the ledger's error, untouched, so the caller can tell a
 * decline (canteen_ledger_error_is_decline) from a failure; for a decline
 * `out_account` (nullable) receives the card's account when it exists, so
 * the screen can show the balance the diner lacks.
 */
#pragma once

#include <gio/gio.h>

#include "ledger.h"

G_BEGIN_DECLS

void            canteen_payment_run_async  (const char             *db_path,
                                            const char             *checkout_id,
                                            const char             *card,
                                            const CanteenOrderLine *lines,
                                            guint                   n_lines,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
/* `out_account` is zeroed first; canteen_account_clear() it afterwards. */
CanteenReceipt *canteen_payment_run_finish (GAsyncResult   *result,
                                            CanteenAccount *out_account,
                                            GError        **error);

G_END_DECLS
