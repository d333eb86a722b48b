/* emu-hid-reader.h — an emulated keyboard-wedge card reader.
 *
 * Contract: a CanteenEmuDevice that is a HID boot keyboard (interface class
 * 03h, subclass 01h, protocol 01h; interrupt IN 81h, 8-byte reports) with
 * the kernel's "usbhid" driver bound: a client detaches it before claiming
 * (claiming fails with EBUSY until then), and keystrokes typed while it is
 * bound go to "the kernel" and are lost, as on a real machine.
 * canteen_emu_hid_reader_tap() types the text as the reader does for a
 * card: for each character a key-down report [modifier, 0, keycode, 0...]
 * then an all-zero key-up report, and finally Enter (28h) and key-up.
 * Keycodes: '1'..'9' 1Eh..26h, '0' 27h, 'a'..'z' 04h..1Dh; upper case
 * with left shift (modifier 02h). GET_REPORT answers an all-zero report.
 */
#pragma once

#include "emu-usb.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_HID_READER_INTERRUPT_IN 0x81
#define CANTEEN_EMU_HID_READER_VID 0x1209
#define CANTEEN_EMU_HID_READER_PID 0x0002

#define CANTEEN_EMU_TYPE_HID_READER (canteen_emu_hid_reader_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuHidReader, canteen_emu_hid_reader, CANTEEN_EMU, HID_READER, CanteenEmuDevice)

CanteenEmuHidReader *canteen_emu_hid_reader_new (void);
/* Digits and ASCII letters only; FALSE (and nothing typed) otherwise. */
gboolean canteen_emu_hid_reader_tap (CanteenEmuHidReader *reader, const char *text);

G_END_DECLS
