/* problem-view.h — the declined and error pages.
 *
 * Contract: turns a CanteenPaymentProblem into words a diner can act on.
 * A decline names its reason (insufficient balance with the balance and the
 * amount due, lost card, closed card, unknown card, dish off sale; for a
 * visiting official's card: a card that cannot pay as a visitor, an
 * agency not accepted, a certificate not trusted, expired, a failed
 * signature, blocked, over the offline or daily limits, lists out of
 * date, or the clearing service's refusal). Any
 * other failure says the payment was NOT taken and to call staff, with the
 * technical message in small type for them; it offers "Try again", which
 * reuses the same checkout id and so cannot charge twice.
 */
#pragma once

#include <gtk/gtk.h>

#include "checkout-flow.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_PROBLEM_VIEW (canteen_problem_view_get_type ())
G_DECLARE_FINAL_TYPE (CanteenProblemView, canteen_problem_view, CANTEEN, PROBLEM_VIEW, GtkBox)

GtkWidget  *canteen_problem_view_new         (void);
/* NULL empties the view. */
void        canteen_problem_view_set_problem (CanteenProblemView *self, const CanteenPaymentProblem *problem);
/* For tests: the headline as shown ("余额不足"). */
const char *canteen_problem_view_get_title_text (CanteenProblemView *self);
/* For tests: the advice under it. */
const char *canteen_problem_view_get_detail_text (CanteenProblemView *self);

G_END_DECLS
