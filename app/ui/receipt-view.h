/* receipt-view.h — the "Paid" page: items, total, subsidy, charged, balance.
 *
 * Contract: shows a CanteenReceipt, which only exists for a durably
 * committed checkout, so this view is allowed to say "paid". It copies what
 * it shows and keeps no pointer to the receipt. With a receipt printer
 * present it offers "Print receipt" (app.print-receipt, which greys out by
 * itself) and says how the print went; a failed print says why in the
 * diner's words (with the device's error underneath, small, for staff) and
 * that the payment is done all the same.
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-print.h"
#include "receipt.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_RECEIPT_VIEW (canteen_receipt_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenReceiptView, canteen_receipt_view, CANTEEN, RECEIPT_VIEW, GtkBox)

GtkWidget  *canteen_receipt_view_new          (void);
/* NULL empties the view. */
void        canteen_receipt_view_set_receipt  (CanteenReceiptView *self, const CanteenReceipt *receipt);
void        canteen_receipt_view_set_printer_present (CanteenReceiptView *self, gboolean present);
/* `problem` and `error` (the device's message) for FAILED. */
void        canteen_receipt_view_set_print_state (CanteenReceiptView *self, CanteenKioskPrintState state,
                                                  CanteenKioskPrintProblem problem, const char *error);
/* For tests: the print outcome as shown, and the device's error under it;
 * NULL when not shown. */
const char *canteen_receipt_view_get_print_text   (CanteenReceiptView *self);
const char *canteen_receipt_view_get_print_detail_text (CanteenReceiptView *self);
/* For tests: the balance after payment as shown ("¥76.00"). */
const char *canteen_receipt_view_get_balance_text (CanteenReceiptView *self);

G_END_DECLS
