/* kiosk-test-app.h — starting and ending an in-process kiosk app the way a
 * run does, and what the kiosk tests share around it.
 *
 * Contract: the tests register and activate a CanteenKioskApp without
 * g_application_run() (no session bus, several apps per process).
 * kiosk_test_app_start() makes one with the given properties, registers
 * and activates it, and checks that it has its window.
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

/* g_object_new()'s property list, NULL-terminated. */
CanteenKioskApp *kiosk_test_app_start (const char *first_property, ...) G_GNUC_NULL_TERMINATED;
void kiosk_test_app_finish (CanteenKioskApp **app);
/* Saves what the window shows (app.screenshot, after the next frame) as
 * `name` in $CANTEEN_SCREENSHOT_DIR and waits for the file; does nothing
 * when that variable is unset. */
void kiosk_test_app_screenshot (CanteenKioskApp *app, const char *name, guint wait_ms);
/* The string state of app.`action`, newly allocated. */
char *kiosk_test_app_state (CanteenKioskApp *app, const char *action);
/* Iterates the main loop until app.`action`'s state is `want`; fails the
 * test (naming the state it is in) after `wait_ms`. */
void kiosk_test_app_wait_for_state (CanteenKioskApp *app, const char *action, const char *want, guint wait_ms);
/* app.page's state ("order", "tap", "result"...), newly allocated. */
char *kiosk_test_app_page (CanteenKioskApp *app);
/* Iterates the main loop until app.page is `page`; fails the test (naming
 * the page it is on) after `wait_ms`. */
void kiosk_test_app_wait_for_page (CanteenKioskApp *app, const char *page, guint wait_ms);
/* Iterates the main loop until the app follows exactly `n` devices, all
 * READY; fails the test after `wait_ms`. */
void kiosk_test_app_wait_for_devices (CanteenKioskApp *app, guint n, guint wait_ms);
/* First thing in a kiosk test's main(): re-executes the test with
 * libumockdev-preload (for the emulated devices), sets up gettext before
 * anything translates, then g_test_init(). */
void kiosk_test_init (int *argc, char ***argv);
/* Removes a test's temporary directory and everything in it. */
void kiosk_test_remove_tree (const char *path);

G_END_DECLS
