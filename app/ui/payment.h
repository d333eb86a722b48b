/* payment.h — commits one checkout without blocking the screen.
 *
 * Contract: a CanteenPaymentDesk owns the ledger handle payments use: opened
 * from `db_path` in the worker on first use and kept (opening costs more
 * than a checkout), used by one payment at a time (a CanteenLedger is one
 * thread's at a time), and dropped after a database failure so the next
 * payment reopens it. canteen_payment_run_async() charges `card` for `lines`
 * under `checkout_id` in a worker thread; the callback runs in the caller's
 * main context. After handing over the result, the worker checkpoints the
 * WAL if it has grown, while the diner reads the screen.
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

typedef struct _CanteenPaymentDesk CanteenPaymentDesk;

CanteenPaymentDesk *canteen_payment_desk_new   (const char *db_path);
CanteenPaymentDesk *canteen_payment_desk_ref   (CanteenPaymentDesk *desk);
void                canteen_payment_desk_unref (CanteenPaymentDesk *desk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenPaymentDesk, canteen_payment_desk_unref)

void            canteen_payment_run_async  (CanteenPaymentDesk     *desk,
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
