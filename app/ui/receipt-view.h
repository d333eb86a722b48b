/* receipt-view.h — the "Paid" page: items, total, subsidy, charged, balance.
 *
 * Contract: shows a CanteenReceipt, which only exists for a durably
 * committed checkout, so this view is allowed to say "paid". It copies what
 * it shows and keeps no pointer to the receipt.
 */
#pragma once

#include <gtk/gtk.h>

#include "receipt.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_RECEIPT_VIEW (canteen_receipt_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenReceiptView, canteen_receipt_view, CANTEEN, RECEIPT_VIEW, GtkBox)

GtkWidget  *canteen_receipt_view_new          (void);
/* NULL empties the view. */
void        canteen_receipt_view_set_receipt  (CanteenReceiptView *self, const CanteenReceipt *receipt);
/* For tests: the balance after payment as shown ("¥76.00"). */
const char *canteen_receipt_view_get_balance_text (CanteenReceiptView *self);

G_END_DECLS
