/* kiosk-print.h — prints the receipt of the result page, one job at a time.
 *
 * Contract: start() renders a receipt (receipt-escpos.h) and sends it to a
 * printer; `state` goes PRINTING, then PRINTED or FAILED. A failure has the
 * device's error (for staff: "escpos 1209:0004 at 1-3: printing: printer:
 * paper out") and a `problem` the diner understands, from asking the
 * printer for its status after the failure. A finished or failed job may be
 * started again: a reprint. Printing is not
 * part of paying: nothing here reads or writes the ledger or the flow, so
 * a failure can never change a payment.
 *
 * reset() forgets the job (IDLE) when the receipt it printed leaves the
 * screen; a job still in flight then finishes unseen (logged), so a late
 * answer never shows against the next diner's receipt.
 */
#pragma once

#include <glib-object.h>

#include "drivers.h"
#include "payment.h"
#include "receipt.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_KIOSK_PRINT_IDLE,
  CANTEEN_KIOSK_PRINT_PRINTING,
  CANTEEN_KIOSK_PRINT_PRINTED,
  CANTEEN_KIOSK_PRINT_FAILED,
} CanteenKioskPrintState;

/* What stopped a print, in terms a diner can act on or report. */
typedef enum {
  CANTEEN_KIOSK_PRINT_PROBLEM_NONE,
  CANTEEN_KIOSK_PRINT_PROBLEM_PAPER_OUT,
  CANTEEN_KIOSK_PRINT_PROBLEM_COVER_OPEN,
  CANTEEN_KIOSK_PRINT_PROBLEM_OTHER,       /* see the error */
} CanteenKioskPrintProblem;

#define CANTEEN_TYPE_KIOSK_PRINT (canteen_kiosk_print_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskPrint, canteen_kiosk_print, CANTEEN, KIOSK_PRINT, GObject)

CanteenKioskPrint     *canteen_kiosk_print_new       (void);
/* FALSE (nothing started) while a job is printing. */
gboolean               canteen_kiosk_print_start     (CanteenKioskPrint    *self,
                                                      CanteenEscposPrinter *printer,
                                                      const CanteenReceipt *receipt,
                                                      GTimeZone            *tz);
/* The same for a visiting official's receipt (`visitor` NULL: start()). */
gboolean               canteen_kiosk_print_start_visitor (CanteenKioskPrint        *self,
                                                          CanteenEscposPrinter     *printer,
                                                          const CanteenReceipt     *receipt,
                                                          const CanteenVisitorPaid *visitor,
                                                          GTimeZone                *tz);
void                   canteen_kiosk_print_reset     (CanteenKioskPrint *self);
CanteenKioskPrintState canteen_kiosk_print_get_state (CanteenKioskPrint *self);
/* Why the last job failed (FAILED only), else NULL / _NONE. */
const char            *canteen_kiosk_print_get_error (CanteenKioskPrint *self);
CanteenKioskPrintProblem canteen_kiosk_print_get_problem (CanteenKioskPrint *self);

G_END_DECLS
