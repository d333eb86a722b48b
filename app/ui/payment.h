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
#include "visitor-card.h"

G_BEGIN_DECLS

/* A visiting official's payment (canteen_payment_run_visitor_async()):
 * prepare with the card's signature, the online authorisation when the
 * ledger is enrolled with a clearing service (an asynchronous request on
 * the worker's own main context, CANTEEN_VISITOR_ONLINE_TIMEOUT_MS; no
 * answer means the offline rules), then the durable commit. A RETRY (a
 * record number taken meanwhile by another process) prepares again, which
 * asks the card to sign again. Visitor money moves no account here: the
 * receipt's balance means nothing and is not shown.
 *
 * Both kinds share the desk's ledger handle and lock, and each first looks
 * whether the checkout id was committed by the other kind: a tray paid by
 * a staff card and then tapped with a visitor card (or the other way
 * round, after a lost answer) replays that receipt instead of charging
 * twice. */
typedef struct {
  char    *issuer;             /* the card's agency code */
  char    *issuer_name;        /* as the trust list or the service names it */
  gboolean online;             /* authorised online; else accepted offline */
  char    *authorisation;      /* online only */
} CanteenVisitorPaid;

void canteen_visitor_paid_free (CanteenVisitorPaid *paid);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenVisitorPaid, canteen_visitor_paid_free)

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
void            canteen_payment_run_visitor_async (CanteenPaymentDesk      *desk,
                                                   const char              *checkout_id,
                                                   CanteenKioskVisitorCard *card,
                                                   const CanteenOrderLine  *lines,
                                                   guint                    n_lines,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
/* `out_account` is zeroed first; canteen_account_clear() it afterwards. */
CanteenReceipt *canteen_payment_run_finish (GAsyncResult   *result,
                                            CanteenAccount *out_account,
                                            GError        **error);
/* The same for either kind. `out_visitor` (nullable) receives what a
 * visitor receipt adds (NULL for a staff card's); `out_reason` (nullable)
 * the clearing service's reason code when it declined online
 * ("daily_cap", ...; settlement/API.md), else NULL. */
CanteenReceipt *canteen_payment_run_finish_full (GAsyncResult        *result,
                                                 CanteenAccount      *out_account,
                                                 CanteenVisitorPaid **out_visitor,
                                                 char               **out_reason,
                                                 GError             **error);

G_END_DECLS
