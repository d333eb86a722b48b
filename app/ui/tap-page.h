/* tap-page.h — the "please tap your card" page.
 *
 * Contract: a passive view. It shows the amount due and, while the ledger
 * commits (`busy`), a spinner instead of the cancel button. In demo mode it
 * offers one button per ledger account that activates app.tap-card(card),
 * standing in for the card reader.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_TAP_PAGE (canteen_tap_page_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTapPage, canteen_tap_page, CANTEEN, TAP_PAGE, GtkBox)

void canteen_tap_page_set_amount (CanteenTapPage *self, gint64 due_fen);
void canteen_tap_page_set_busy   (CanteenTapPage *self, gboolean busy);
/* Shows "any meal subsidy is deducted when you tap" only when one can be. */
void canteen_tap_page_set_subsidy_applies (CanteenTapPage *self, gboolean applies);
/* `accounts`: CanteenAccount (from canteen_ledger_list_accounts); NULL
 * hides the demo panel. Only active cards are useful, but all are shown so
 * a demo can show the lost-card decline too. */
void canteen_tap_page_set_demo_accounts (CanteenTapPage *self, GPtrArray *accounts);

G_END_DECLS
