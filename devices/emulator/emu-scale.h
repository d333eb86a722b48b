/* emu-scale.h — an emulated USB HID point-of-sale scale.
 *
 * Contract: a CanteenEmuDevice with one HID interface (class 03h, no boot
 * subclass; "usbhid" bound until the client detaches it) whose report
 * descriptor is on the Scale usage page (8Dh), served by GET_DESCRIPTOR
 * (report) on the interface, and interrupt IN 81h. Its input report is the
 * one canteen_scale_parse_report() reads with a report id: [03h, status,
 * unit, exponent (signed), weight low, weight high] — 6 bytes.
 * canteen_emu_scale_set() sends a report when the reading changes, and a
 * client claiming the interface gets the current one at once; with a
 * period set it also repeats the current report every period (as many real
 * scales do; off by default to keep an idle system idle). Only the latest
 * report waits for a client that is not reading (the endpoint keeps one),
 * and GET_REPORT (input, id 3) answers the current one. A new scale reads
 * stable zero in grams.
 */
#pragma once

#include "emu-usb.h"
#include "hid-scale.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_SCALE_INTERRUPT_IN 0x81
#define CANTEEN_EMU_SCALE_VID 0x1209
#define CANTEEN_EMU_SCALE_PID 0x0003
#define CANTEEN_EMU_SCALE_REPORT_LEN 6

/* Units of the Scale page used here (as in hid-scale.c's table). */
enum {
  CANTEEN_EMU_SCALE_UNIT_MILLIGRAM = 1,
  CANTEEN_EMU_SCALE_UNIT_GRAM = 2,
  CANTEEN_EMU_SCALE_UNIT_KILOGRAM = 3,
  CANTEEN_EMU_SCALE_UNIT_OUNCE = 11,
  CANTEEN_EMU_SCALE_UNIT_POUND = 12,
};

#define CANTEEN_EMU_TYPE_SCALE (canteen_emu_scale_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuScale, canteen_emu_scale, CANTEEN_EMU, SCALE, CanteenEmuDevice)

CanteenEmuScale *canteen_emu_scale_new (void);
void canteen_emu_scale_set (CanteenEmuScale *scale, CanteenScaleStatus status, guint8 unit,
                            gint8 exponent, guint16 weight);
/* Stable grams (stable zero for 0, under zero below 0), unit gram, exponent 0. */
void canteen_emu_scale_set_grams (CanteenEmuScale *scale, gint grams);
/* The current report (CANTEEN_EMU_SCALE_REPORT_LEN bytes). */
void canteen_emu_scale_get_report (CanteenEmuScale *scale, guint8 report[CANTEEN_EMU_SCALE_REPORT_LEN]);
/* Repeat the report every `ms` (0: only on change). */
void canteen_emu_scale_set_period (CanteenEmuScale *scale, guint ms);

G_END_DECLS
