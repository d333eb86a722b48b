/* receipt-view.h — the "Paid" page: items, total, subsidy, charged, balance.
 *
 * Contract: shows a CanteenReceipt, which only exists for a durably
 * committed checkout, so this view is allowed to say "paid". It copies what
 * it shows and keeps no pointer to the receipt. With a receipt printer
 * present it offers "Print receipt" (app.print-receipt, which greys out by
 * itself) and says how the print went; a failed print says why in the
 * diner's words (with the device's error underneath, small, for staff) and
 * that the payment is done all the same.
 *
 * A visiting official's receipt (set_visitor() before set_receipt()) says
 * "Paid as a visitor" with the issuing agency's name and whether it was
 * authorised online or accepted offline; the amount is what was paid at
 * visitor prices, and there is no balance (the issuer holds the account).
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-print.h"
#include "payment.h"
#include "receipt.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_RECEIPT_VIEW (canteen_receipt_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenReceiptView, canteen_receipt_view, CANTEEN, RECEIPT_VIEW, GtkBox)

GtkWidget  *canteen_receipt_view_new          (void);
/* NULL empties the view. */
void        canteen_receipt_view_set_receipt  (CanteenReceiptView *self, const CanteenReceipt *receipt);
/* NULL: a staff card's receipt (the default). */
void        canteen_receipt_view_set_visitor  (CanteenReceiptView *self, const CanteenVisitorPaid *visitor);
void        canteen_receipt_view_set_printer_present (CanteenReceiptView *self, gboolean present);
/* `problem` and `error` (the device's message) for FAILED. */
void        canteen_receipt_view_set_print_state (CanteenReceiptView *self, CanteenKioskPrintState state,
                                                  CanteenKioskPrintProblem problem, const char *error);
/* For tests: the print outcome as shown, and the device's error under it;
 * NULL when not shown. */
const char *canteen_receipt_view_get_print_text   (CanteenReceiptView *self);
const char *canteen_receipt_view_get_print_detail_text (CanteenReceiptView *self);
/* For tests: the balance after payment as shown ("¥76.00"); NULL when
 * not shown (a visitor's receipt). */
const char *canteen_receipt_view_get_balance_text (CanteenReceiptView *self);
/* For tests: the amount charged as shown ("¥18.00"). */
const char *canteen_receipt_view_get_charged_text (CanteenReceiptView *self);
/* For tests: "自行付费 · <issuer>" and the acceptance line; NULL when not a
 * visitor's receipt. */
const char *canteen_receipt_view_get_visitor_text (CanteenReceiptView *self);
const char *canteen_receipt_view_get_visitor_mode_text (CanteenReceiptView *self);

G_END_DECLS
