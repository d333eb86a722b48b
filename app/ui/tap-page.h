/* tap-page.h — the "please tap your card" page.
 *
 * Contract: a passive view. It shows the amount due, "card could not be
 * read, please tap again" when told (`unreadable`), "the card reader is
 * disconnected" when told (`reader_gone`, which wins) and, while the ledger
 * commits (`busy`), a spinner instead of the cancel button. In demo mode it
 * offers one button per ledger account that activates app.demo-tap(card):
 * a tap on the emulated reader with --emulate-devices, else app.tap-card,
 * and a visiting official's card file (--visitor-card) as app.visitor-tap.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_TAP_PAGE (canteen_tap_page_get_type ())
G_DECLARE_FINAL_TYPE (CanteenTapPage, canteen_tap_page, CANTEEN, TAP_PAGE, GtkBox)

void canteen_tap_page_set_amount (CanteenTapPage *self, gint64 due_fen);
void canteen_tap_page_set_busy   (CanteenTapPage *self, gboolean busy);
void canteen_tap_page_set_unreadable (CanteenTapPage *self, gboolean unreadable);
void canteen_tap_page_set_reader_gone (CanteenTapPage *self, gboolean gone);
/* Shows "any meal subsidy is deducted when you tap" only when one can be. */
void canteen_tap_page_set_subsidy_applies (CanteenTapPage *self, gboolean applies);
/* `accounts`: CanteenAccount (from canteen_ledger_list_accounts); NULL
 * hides the demo panel. Only active cards are useful, but all are shown so
 * a demo can show the lost-card decline too. */
void canteen_tap_page_set_demo_accounts (CanteenTapPage *self, GPtrArray *accounts);
/* A demo button for a visiting official's card file (app.visitor-tap),
 * after the accounts' at the next set_demo_accounts(); NULL: none. */
void canteen_tap_page_set_demo_visitor (CanteenTapPage *self, const char *path, const char *label);
/* The demo heading says whether the buttons tap the emulated reader. */
void canteen_tap_page_set_demo_emulated (CanteenTapPage *self, gboolean emulated);

/* For tests: the message shown ("please tap again"), else NULL. */
const char *canteen_tap_page_get_message_text (CanteenTapPage *self);

G_END_DECLS
