/* escpos-printer.h — ESC/POS receipt printers (USB printer class, bulk OUT,
 * and bulk IN when the printer is bidirectional).
 *
 * Contract: print() asks for the printer's status first (when it can
 * answer) and refuses to send a job to a printer that reports paper out,
 * cover open or an error — the error names the cause; then it writes the
 * document and asks again, so paper running out mid-receipt is reported
 * too. A failed print changes nothing anywhere else: the caller may repeat
 * it (a receipt reprint never touches the payment).
 */
#pragma once

#include "device.h"
#include "escpos.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_ESCPOS_PRINTER (canteen_escpos_printer_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEscposPrinter, canteen_escpos_printer, CANTEEN, ESCPOS_PRINTER, CanteenDevice)

void     canteen_escpos_printer_print (CanteenEscposPrinter *self, GBytes *document, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean canteen_escpos_printer_print_finish (CanteenEscposPrinter *self, GAsyncResult *result, GError **error);

/* *answered is FALSE for a printer that does not answer status requests
 * (write-only, or no bulk IN): then *out says nothing. */
void     canteen_escpos_printer_query_status (CanteenEscposPrinter *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean canteen_escpos_printer_query_status_finish (CanteenEscposPrinter *self, GAsyncResult *result,
                                                     CanteenEscposStatus *out, gboolean *answered,
                                                     GError **error);

G_END_DECLS
