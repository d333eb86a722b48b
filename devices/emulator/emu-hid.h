/* emu-hid.h — what the emulated HID devices share (internal).
 *
 * Contract: the HID class descriptor for a configuration, and the HID
 * class and standard-on-interface control requests every emulated HID
 * device answers the same way: GET_DESCRIPTOR (report descriptor, HID
 * descriptor), SET_IDLE, SET_PROTOCOL, SET_REPORT (accepted and ignored),
 * GET_IDLE, GET_PROTOCOL. GET_REPORT is the model's (it knows its reports).
 */
#pragma once

#include "emu-usb.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_HID_CLASS 0x03

/* The 9-byte HID descriptor announcing one report descriptor of `report_len`. */
void canteen_emu_hid_config_descriptor (GByteArray *config, gsize report_len);

/* Answers the request when it is one of the shared ones: returns TRUE and
 * sets *status (and *reply). FALSE: not handled, the caller goes on. */
gboolean canteen_emu_hid_control (const CanteenEmuSetup *setup, const guint8 *report_descriptor,
                                  gsize report_len, int *status, GBytes **reply);

G_END_DECLS
