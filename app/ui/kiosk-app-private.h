/* kiosk-app-private.h — what kiosk-app-actions.c needs from the app.
 *
 * Contract: internal to app/ui; tests use kiosk-app.h and the actions.
 */
#pragma once

#include "kiosk-app.h"

G_BEGIN_DECLS

/* Installs every app.* action and keeps their enabled flags and states
 * (page, last-checkout, set-language) in step with the flow. */
void     canteen_kiosk_app_install_actions (CanteenKioskApp *self);
/* Switches gettext to `language` and rebuilds the window; FALSE (nothing
 * changed) while a payment is in flight or for an unknown language. */
gboolean canteen_kiosk_app_switch_language (CanteenKioskApp *self, const char *language);
/* Quits now, or as soon as the payment in flight has its answer. */
void     canteen_kiosk_app_request_quit    (CanteenKioskApp *self);

G_END_DECLS
