/* receipt-escpos.h — a paid checkout as an ESC/POS print job.
 *
 * Contract: pure (no I/O). The document is what a 58 mm thermal printer
 * prints for the diner: the lines of canteen_receipt_to_text() in the
 * current language, encoded GB18030 (Chinese character mode), the canteen's
 * name centred in bold; then a QR code holding the checkout id (staff scan
 * it to find the checkout), a feed and a partial cut.
 *
 * Printers' Chinese fonts cover GB2312/GBK, not GB18030's four-byte part,
 * so "¥" (U+00A5, four bytes in GB18030) is printed as the full-width
 * "￥" (U+FFE5, A3A4 in GB2312); any character the ESC/POS builder refuses
 * (a control character, one outside the BMP — a holder's name is data) is
 * printed as "?" rather than losing the receipt. NULL with the builder's
 * error only when even that fails (a checkout id too long for a QR code).
 *
 * A visiting official's receipt (_visitor() with `visitor` set) has, in
 * place of the balance (the issuer holds the account), "Paid as a visitor ·
 * <issuer>" and how it was accepted, so it serves as the official's proof
 * of payment.
 */
#pragma once

#include <glib.h>

#include "payment.h"
#include "receipt.h"

G_BEGIN_DECLS

GBytes *canteen_receipt_to_escpos (const CanteenReceipt *receipt, GTimeZone *tz, GError **error);
/* `visitor` NULL: the same as canteen_receipt_to_escpos(). */
GBytes *canteen_receipt_to_escpos_visitor (const CanteenReceipt *receipt, const CanteenVisitorPaid *visitor,
                                           GTimeZone *tz, GError **error);

G_END_DECLS
