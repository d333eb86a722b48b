/* checkout-flow.h — what the kiosk is doing: the tray and the payment steps.
 *
 * Contract: the single source of truth the window renders and the actions
 * drive; it outlives windows (a language switch rebuilds the window, not
 * the flow). Pages move  order → tap → result | declined | error,  and back
 * to order by cancel/done (or 8 s after a result, unless held).
 *
 *  - The result page is entered only with a receipt from the ledger, i.e.
 *    after the checkout was durably committed.
 *  - While a payment is in flight (`busy`), nothing that would change what
 *    is being paid is accepted: tray edits, other cards, cancel.
 *  - A decline drops the tray's checkout id (nothing was charged); any other
 *    failure keeps it, so paying the same tray again replays rather than
 *    charges twice.
 *  - ::committed (checkout id) is emitted once a checkout is durably
 *    committed and before the tray is cleared, so its handlers still see
 *    the tray that was paid for (the frame it was recognised from is kept
 *    then). It never delays or changes the payment's outcome.
 *  - Refused requests return FALSE and change nothing; they are not errors
 *    (a stray D-Bus call or a double tap must not crash the kiosk).
 *  - A visiting official pays with an interoperable card
 *    (canteen_checkout_flow_tap_visitor) under the same rules: one payment
 *    at a time, the result page only after the durable commit, a decline
 *    drops the checkout id and any other failure keeps it. The result page
 *    then also has get_visitor() (the issuer, online or offline); the
 *    receipt's balance means nothing there (the issuer holds the account).
 */
#pragma once

#include <glib-object.h>

#include "ledger.h"
#include "payment.h"
#include "tray.h"
#include "visitor-card.h"

G_BEGIN_DECLS

#define CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS 8

typedef enum {
  CANTEEN_KIOSK_PAGE_ORDER,
  CANTEEN_KIOSK_PAGE_TAP,
  CANTEEN_KIOSK_PAGE_RESULT,
  CANTEEN_KIOSK_PAGE_DECLINED,
  CANTEEN_KIOSK_PAGE_ERROR,
} CanteenKioskPage;

#define CANTEEN_TYPE_KIOSK_PAGE (canteen_kiosk_page_get_type ())
GType       canteen_kiosk_page_get_type (void);
/* "order", "tap", "result", "declined", "error": the stack page names and
 * the state of the app.page action. */
const char *canteen_kiosk_page_id (CanteenKioskPage page);

/* Why the last payment did not go through (declined and error pages). */
typedef struct {
  GError        *error;        /* the ledger's error, as it came */
  gboolean       is_decline;
  char          *card;
  gint64         due_fen;      /* the tray total that was asked for */
  gboolean       has_account;  /* declines of a known card */
  CanteenAccount account;
  gboolean       visitor;      /* an interoperable card paying as a visitor */
  char          *reason;       /* the clearing service's decline reason code, or NULL */
} CanteenPaymentProblem;

#define CANTEEN_TYPE_CHECKOUT_FLOW (canteen_checkout_flow_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCheckoutFlow, canteen_checkout_flow, CANTEEN, CHECKOUT_FLOW, GObject)

/* `db_path` is what the payment worker opens for its own ledger handle. */
CanteenCheckoutFlow *canteen_checkout_flow_new (const char *db_path);

CanteenTray      *canteen_checkout_flow_get_tray    (CanteenCheckoutFlow *self);
CanteenKioskPage  canteen_checkout_flow_get_page    (CanteenCheckoutFlow *self);
gboolean          canteen_checkout_flow_get_busy    (CanteenCheckoutFlow *self);
/* The receipt on the result page, else NULL. */
const CanteenReceipt *canteen_checkout_flow_get_receipt (CanteenCheckoutFlow *self);
/* On the result page of a visitor payment, what it adds; else NULL. */
const CanteenVisitorPaid *canteen_checkout_flow_get_visitor (CanteenCheckoutFlow *self);
/* The problem on the declined/error pages, else NULL. */
const CanteenPaymentProblem *canteen_checkout_flow_get_problem (CanteenCheckoutFlow *self);
/* The id of the last committed checkout ("" before the first). */
const char       *canteen_checkout_flow_get_last_checkout_id (CanteenCheckoutFlow *self);

gboolean canteen_checkout_flow_add_dish    (CanteenCheckoutFlow *self, const CanteenDish *dish,
                                            gint grams, GError **error);
/* A made item (from the camera) onto the tray, as add_dish does. */
gboolean canteen_checkout_flow_add_item    (CanteenCheckoutFlow *self, CanteenTrayItem *item, GError **error);
/* The camera's items replace the previous ones (manual ones stay). */
gboolean canteen_checkout_flow_replace_from_camera (CanteenCheckoutFlow *self, GPtrArray *items,
                                                    GError **error);
gboolean canteen_checkout_flow_remove_item (CanteenCheckoutFlow *self, guint position);
gboolean canteen_checkout_flow_clear_tray  (CanteenCheckoutFlow *self);
gboolean canteen_checkout_flow_can_pay     (CanteenCheckoutFlow *self);
/* order → tap: ask for a card. */
gboolean canteen_checkout_flow_pay         (CanteenCheckoutFlow *self);
/* Starts paying the tray with `card` (from order, tap, declined or error). */
gboolean canteen_checkout_flow_tap_card    (CanteenCheckoutFlow *self, const char *card);
/* The same with an interoperable card of another agency: paid as a
 * visitor (visitor prices, the issuer owes this canteen). */
gboolean canteen_checkout_flow_tap_visitor (CanteenCheckoutFlow *self, CanteenKioskVisitorCard *card);
/* On the result page: TRUE stops the return to order after
 * CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS (a receipt is printing, or waits for
 * a reprint); FALSE starts the countdown afresh. Elsewhere nothing. */
void     canteen_checkout_flow_hold_result (CanteenCheckoutFlow *self, gboolean hold);
/* tap/declined/error → order, tray kept. */
gboolean canteen_checkout_flow_cancel      (CanteenCheckoutFlow *self);
/* result (or any page but a busy tap) → order. */
gboolean canteen_checkout_flow_done        (CanteenCheckoutFlow *self);

G_END_DECLS
