/* kiosk-emulation.h — emulated USB devices for `canteen-kiosk --demo --emulate-devices`.
 *
 * Contract: lets a newcomer (and the tests) pay with a card tap through the
 * real drivers on a machine with no reader, scale or printer. The devices are
 * umockdev emulators (devices/emulator) living in the kiosk process: a CCID
 * reader, a POS scale reading a stable CANTEEN_KIOSK_EMULATION_SCALE_GRAMS
 * and an ESC/POS printer. libusb sees them as real USB devices, so taps,
 * weights and receipts go through exactly the code a real terminal runs.
 *
 *  - libumockdev-preload must be in the process from its very start:
 *    main() calls canteen_emu_ensure_preload() first thing when
 *    canteen_kiosk_emulation_wanted() (and only then: a plain run must never
 *    re-execute itself).
 *  - canteen_kiosk_emulation_new() must come before the device manager
 *    (libusb has to find the testbed when it first looks); _attach() then
 *    wakes the manager's USB context whenever an emulated device finishes a
 *    transfer, so nothing waits for the emulated-mode tick.
 *  - _tap() presents a CPU card whose UID is the bytes of the hex card id
 *    (4, 7 or 10 bytes, as the ledger's chip card ids are) to the reader for
 *    CANTEEN_KIOSK_EMULATION_TAP_MS; FALSE, with nothing presented, for any
 *    other id.
 *  - Dispose it after the device manager: the manager's dispose waits for
 *    cancelled transfers, which the emulated devices answer.
 */
#pragma once

#include <glib-object.h>

#include "emu-ccid-reader.h"
#include "emu-printer.h"
#include "emu-scale.h"
#include "emu-testbed.h"
#include "usb-context.h"

G_BEGIN_DECLS

#define CANTEEN_KIOSK_EMULATION_OPTION     "--emulate-devices"
#define CANTEEN_KIOSK_EMULATION_SCALE_GRAMS 420
#define CANTEEN_KIOSK_EMULATION_TAP_MS      400

#define CANTEEN_TYPE_KIOSK_EMULATION (canteen_kiosk_emulation_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskEmulation, canteen_kiosk_emulation, CANTEEN, KIOSK_EMULATION, GObject)

/* Whether CANTEEN_KIOSK_EMULATION_OPTION is among the options in argv. */
gboolean               canteen_kiosk_emulation_wanted (int argc, char **argv);

CanteenKioskEmulation *canteen_kiosk_emulation_new    (GError **error);
void                   canteen_kiosk_emulation_attach (CanteenKioskEmulation *self, CanteenUsbContext *usb);
gboolean               canteen_kiosk_emulation_tap    (CanteenKioskEmulation *self, const char *card);

/* For tests: the emulated devices (owned by the emulation). */
CanteenEmuTestbed     *canteen_kiosk_emulation_get_testbed (CanteenKioskEmulation *self);
CanteenEmuCcidReader  *canteen_kiosk_emulation_get_reader  (CanteenKioskEmulation *self);
CanteenEmuScale       *canteen_kiosk_emulation_get_scale   (CanteenKioskEmulation *self);
CanteenEmuPrinter     *canteen_kiosk_emulation_get_printer (CanteenKioskEmulation *self);

G_END_DECLS
