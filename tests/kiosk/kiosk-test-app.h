/* kiosk-test-app.h — ending an in-process kiosk app the way a run does.
 *
 * Contract: the tests register and activate a CanteenKioskApp without
 * g_application_run() (no session bus, several apps per process).
 * kiosk_test_app_finish() destroys the app's windows, emits "shutdown" as
 * g_application_run() does at its end (GTK then drops the reference it took
 * at startup; the app closes its devices and ledger), and checks that the
 * app is finalized: nothing of it, no USB context or emulated device, may
 * leak into the next test. GApplication's warning for an app finalized
 * without g_application_run() — "did not unregister from D-Bus", given once
 * per process — is expected there: these apps were never on a bus.
 */
#pragma once

#include "kiosk-app.h"

G_BEGIN_DECLS

void kiosk_test_app_finish (CanteenKioskApp **app);

G_END_DECLS
