/* kiosk-devices.h — the device manager, connected to the checkout flow.
 *
 * Contract: follows every device the manager reports (present at start or
 * plugged in later, and back after an unplug) on the main context, and
 * turns what they do into kiosk terms. The window and the actions read it;
 * it never edits the tray or pays by itself.
 *
 *  - Tap pays: a card presented to any card reader while the flow waits for
 *    one (tap page, no payment in flight) activates app.tap-card with the
 *    card's UID (upper-case hex, as the ledger's chip card ids are) on
 *    `actions` — the very path of a demo button or a D-Bus call. A card
 *    presented at any other moment (order page, while paying, on the
 *    receipt) is ignored and logged; so a card tapped twice pays once.
 *  - Visitors: a CPU card is first asked for the canteen applet's file
 *    (visitor-card.h). When that is the certificate of another agency than
 *    set_own_agency() named, "visitor-card" is emitted instead, with a
 *    CanteenKioskVisitorCard that signs through this card session (a card
 *    session cannot travel through an action); the application pays with
 *    it. Anything else — a UID-only card, no applet, an empty file, our
 *    own agency's certificate, a card removed while being read — goes the
 *    UID way above, as before. While one card is being read, other taps
 *    are ignored; if the flow moved on meanwhile, the read card pays nothing.
 *  - Sign-in: while set_sign_in_action() names an action (a manager's
 *    sign-in page is showing), every tap activates app.`action`(s UID)
 *    instead, whatever the flow or the return station waits for: the card
 *    neither pays nor names a tray, and a card being read for a payment is
 *    dropped. NULL gives the taps back.
 *  - "unreadable" is TRUE after a reader saw a card it could not read while
 *    the flow waited for one, until a card is read or the page changes.
 *  - The weight: get_scale_reading() is the reading of the first READY scale
 *    (net of its tare); "scale-changed" is emitted whenever it may differ.
 *  - "devices-changed" is emitted when a device arrives or changes state
 *    (READY, FAILED, GONE and back): status bar, print action.
 *
 * `manager` may be NULL (libusb could not start): then no device is ever
 * present. `actions` (the application) is not referenced: it must outlive
 * this object.
 */
#pragma once

#include <gio/gio.h>

#include "checkout-flow.h"
#include "device-manager.h"
#include "drivers.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_KIOSK_DEVICES (canteen_kiosk_devices_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskDevices, canteen_kiosk_devices, CANTEEN, KIOSK_DEVICES, GObject)

CanteenKioskDevices  *canteen_kiosk_devices_new (CanteenDeviceManager *manager,
                                                 CanteenCheckoutFlow  *flow,
                                                 GActionGroup         *actions);

/* The ledger's agency code: certificates of any other are visitors'. */
void                  canteen_kiosk_devices_set_own_agency  (CanteenKioskDevices *self, const char *agency);
/* Every card tap activates app.`action`(s UID) instead of paying (the
 * return station); NULL: taps pay again. */
void                  canteen_kiosk_devices_set_tap_action  (CanteenKioskDevices *self, const char *action);
/* Every card tap activates app.`action`(s UID) and nothing else, before
 * the tap action above (a manager's sign-in page); NULL: as before. */
void                  canteen_kiosk_devices_set_sign_in_action (CanteenKioskDevices *self, const char *action);

/* The manager's devices (CanteenDevice), or an empty model without one. */
GListModel           *canteen_kiosk_devices_get_list        (CanteenKioskDevices *self);
/* Whether a device of `kind` was ever seen (whatever its state now). */
gboolean              canteen_kiosk_devices_has_kind        (CanteenKioskDevices *self, CanteenDeviceKind kind);
gboolean              canteen_kiosk_devices_get_unreadable  (CanteenKioskDevices *self);
/* Whether a card reader is READY now. */
gboolean              canteen_kiosk_devices_get_reader_ready (CanteenKioskDevices *self);
/* FALSE when no READY scale has reported a weight yet. */
gboolean              canteen_kiosk_devices_get_scale_reading (CanteenKioskDevices *self, CanteenScaleReading *out);
/* The grams a weighed dish is sold by now: the scale's stable, positive
 * net weight (the diner put the plate on it), else the dish's standard
 * portion; 0 for a dish sold by portion. */
gint                  canteen_kiosk_devices_grams_for       (CanteenKioskDevices *self, const CanteenDish *dish);
/* The first READY receipt printer, or NULL. */
CanteenEscposPrinter *canteen_kiosk_devices_get_printer     (CanteenKioskDevices *self);

G_END_DECLS
