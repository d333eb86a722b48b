/* money.h — amounts of money.
 *
 * Contract: money is an int64 count of fen (分, 1/100 yuan) everywhere; no
 * floating point touches an amount. Parsing is strict: what an operator types
 * is either a whole, non-negative number of fen within CANTEEN_FEN_MAX, or an
 * error naming the field. Nothing is rounded or clamped silently.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One million yuan: far above any balance or top-up a canteen card holds,
 * and far below where int64 sums of many amounts could overflow. */
#define CANTEEN_FEN_MAX G_GINT64_CONSTANT (100000000)

gboolean canteen_fen_parse (const char  *text,
                            const char  *field,
                            gint64       max_fen,
                            gint64      *out_fen,
                            GError     **error);

/* "¥12.00", "-¥3.50": for screens, receipts and reports. */
char *canteen_fen_format (gint64 fen);

/* "12.00" without the currency sign, for CSV. */
char *canteen_fen_format_plain (gint64 fen);

G_END_DECLS
