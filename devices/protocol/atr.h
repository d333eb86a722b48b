/* atr.h — a smart card's Answer To Reset (ISO/IEC 7816-3 §8).
 *
 * Contract: canteen_atr_parse() accepts exactly one well-formed ATR of at
 * most CANTEEN_ATR_MAX_LEN bytes: TS is 3B or 3F, the interface bytes are
 * those T0 and the TDi announce, K historical bytes follow, and TCK is
 * present (and makes the XOR of T0..TCK zero) exactly when a protocol other
 * than T=0 is announced. Anything else is CANTEEN_DEVICE_ERROR_PROTOCOL
 * saying which byte is wrong. Nothing is read past `len`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_ATR_MAX_LEN 33

typedef struct {
  guint8  bytes[CANTEEN_ATR_MAX_LEN];
  gsize   len;
  gboolean inverse_convention;   /* TS = 3F */
  guint32 protocols;             /* bit n set: T=n offered (T=0 when no TD1) */
  gint    ta1;                   /* Fi/Di byte, -1 when absent */
  const guint8 *historical;      /* into `bytes` */
  gsize   n_historical;
  gboolean has_tck;
} CanteenAtr;

gboolean canteen_atr_parse (const guint8 *data, gsize len, CanteenAtr *out, GError **error);
/* "3B 8F 80 01 ..." upper-case hex, for logs and `canteenctl card read --json`. */
char    *canteen_atr_to_hex (const CanteenAtr *atr);

G_END_DECLS
