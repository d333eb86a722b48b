/* emu-printer.h — an emulated ESC/POS receipt printer (58 mm thermal).
 *
 * Contract: a CanteenEmuDevice with one printer-class interface (07h,
 * subclass 01h, protocol 02h bidirectional: bulk OUT 01h, bulk IN 82h),
 * bound to the kernel's "usblp" until the client detaches it. Every byte
 * written is kept (get_received). The real-time request DLE EOT n
 * (10h 04h n, n = 1..4) is answered at once on bulk IN with the status byte
 * — fixed bits 1 and 4 set, and
 *   n=1 printer:       bit 3 offline
 *   n=2 offline cause: bit 2 cover open, bit 5 stopped at paper end,
 *                      bit 6 an error occurred
 *   n=3 error cause:   bit 3 autocutter error, bit 5 unrecoverable error
 *   n=4 paper sensors: bits 2-3 paper near end, bits 5-6 paper end
 * — even in the middle of a job or split across transfers, and is taken
 * out of the print stream. The rest is the print stream: printed at once
 * while the printer is ready, held while it is not (paper out, cover open,
 * offline, an error) and printed when it is ready again, as a real
 * printer's receive buffer does. Nothing is ever refused or stalled.
 * Control requests: GET_DEVICE_ID ("MFG:Canteen;MDL:EMU-58;CMD:ESC/POS;"),
 * GET_PORT_STATUS, SOFT_RESET. Thread-safe; getters return copies.
 */
#pragma once

#include "emu-usb.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_PRINTER_BULK_OUT 0x01
#define CANTEEN_EMU_PRINTER_BULK_IN  0x82
#define CANTEEN_EMU_PRINTER_VID 0x1209
#define CANTEEN_EMU_PRINTER_PID 0x0004
#define CANTEEN_EMU_PRINTER_DEVICE_ID "MFG:Canteen;MDL:EMU-58;CMD:ESC/POS;"

typedef enum {
  CANTEEN_EMU_PRINTER_PAPER_OUT           = 1 << 0,
  CANTEEN_EMU_PRINTER_PAPER_NEAR_END      = 1 << 1,   /* still prints */
  CANTEEN_EMU_PRINTER_COVER_OPEN          = 1 << 2,
  CANTEEN_EMU_PRINTER_OFFLINE             = 1 << 3,   /* any other reason */
  CANTEEN_EMU_PRINTER_CUTTER_ERROR        = 1 << 4,
  CANTEEN_EMU_PRINTER_UNRECOVERABLE_ERROR = 1 << 5,
} CanteenEmuPrinterCondition;

#define CANTEEN_EMU_TYPE_PRINTER (canteen_emu_printer_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuPrinter, canteen_emu_printer, CANTEEN_EMU, PRINTER, CanteenEmuDevice)

CanteenEmuPrinter *canteen_emu_printer_new (void);

/* Sets or clears conditions; becoming ready prints what was held. */
void     canteen_emu_printer_set_condition (CanteenEmuPrinter *printer, CanteenEmuPrinterCondition condition,
                                            gboolean on);
CanteenEmuPrinterCondition canteen_emu_printer_get_conditions (CanteenEmuPrinter *printer);
/* The reply to DLE EOT n (n = 1..4) in the present state. */
guint8   canteen_emu_printer_status_byte (CanteenEmuPrinter *printer, guint8 n);

GBytes  *canteen_emu_printer_get_received (CanteenEmuPrinter *printer);   /* every byte written */
GBytes  *canteen_emu_printer_get_printed (CanteenEmuPrinter *printer);    /* on paper */
GBytes  *canteen_emu_printer_get_held (CanteenEmuPrinter *printer);       /* waiting to be printed */
guint    canteen_emu_printer_get_status_requests (CanteenEmuPrinter *printer);
void     canteen_emu_printer_clear (CanteenEmuPrinter *printer);

G_END_DECLS
