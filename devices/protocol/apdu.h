/* apdu.h — ISO/IEC 7816-4 command and response APDUs.
 *
 * Contract: canteen_apdu_build() encodes a command in the short form when
 * it fits (Lc ≤ 255, Ne ≤ 256) and in the extended form otherwise, only if
 * the reader allows extended APDUs; out-of-range lengths are errors.
 * canteen_apdu_parse_response() splits the data from SW1 SW2 (at least two
 * bytes). canteen_apdu_next() tells a caller what a status word asks for:
 * 61xx (more data: GET RESPONSE for xx bytes) and 6Cxx (resend with Le=xx).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_APDU_NO_LE (-1)
#define CANTEEN_APDU_MAX_RESPONSE 65536

typedef struct {
  const guint8 *data;
  gsize         len;
  guint16       sw;     /* SW1 << 8 | SW2; 0x9000 is success */
} CanteenApduResponse;

typedef enum {
  CANTEEN_APDU_DONE,           /* final status word (success or not) */
  CANTEEN_APDU_GET_RESPONSE,   /* 61xx: send GET RESPONSE with Le = *out_le */
  CANTEEN_APDU_RESEND,         /* 6Cxx: send the same command with Le = *out_le */
} CanteenApduNext;

/* `ne`: expected response length 1..65536, 0 meaning "all, up to 256 (short)
 * or 65536 (extended)", or CANTEEN_APDU_NO_LE. */
GBytes  *canteen_apdu_build (guint8 cla, guint8 ins, guint8 p1, guint8 p2,
                             const guint8 *data, gsize len, gint ne,
                             gboolean extended_ok, GError **error);
gboolean canteen_apdu_parse_response (const guint8 *resp, gsize len, CanteenApduResponse *out, GError **error);
CanteenApduNext canteen_apdu_next (guint16 sw, gint *out_le);

/* FF CA 00 00 00: a PC/SC reader's pseudo-APDU for a contactless card's UID. */
GBytes  *canteen_apdu_get_uid (void);
/* 00 C0 00 00 Le */
GBytes  *canteen_apdu_get_response (gint le);

G_END_DECLS
