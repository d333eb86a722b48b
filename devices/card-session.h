/* card-session.h — one card presented to one reader, for the layers above.
 *
 * Contract:
 *  - `uid` is upper-case hex; `kind` is CPU (an ISO 7816-4 card that answers
 *    APDUs, with an ATR) or UID_ONLY (a memory card known by its UID alone:
 *    clonable, so policy may refuse it where it matters).
 *  - Exchanges are asynchronous, one at a time per session, with a
 *    GCancellable; 61xx (GET RESPONSE) and 6Cxx (resend with Le) are handled
 *    here, so the result is the whole response data and the final status
 *    word. The helpers (SELECT, READ BINARY, INTERNAL AUTHENTICATE) also
 *    require SW 9000 and turn any other status into
 *    CANTEEN_DEVICE_ERROR_FAILED naming the command and the SW.
 *  - Once the card is removed every exchange fails with _NO_CARD.
 */
#pragma once

#include <gio/gio.h>

#include "card-reader.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_CARD_KIND_CPU,
  CANTEEN_CARD_KIND_UID_ONLY,
} CanteenCardKind;

#define CANTEEN_TYPE_CARD_SESSION (canteen_card_session_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCardSession, canteen_card_session, CANTEEN, CARD_SESSION, GObject)

/* For drivers. `atr` may be NULL (HID readers). */
CanteenCardSession *canteen_card_session_new (CanteenCardReader *reader, CanteenCardKind kind,
                                              GBytes *uid, GBytes *atr);
void                canteen_card_session_mark_removed (CanteenCardSession *self);

const char       *canteen_card_kind_to_string (CanteenCardKind kind);   /* "cpu", "uid-only" */
CanteenCardKind   canteen_card_session_get_kind (CanteenCardSession *self);
const char       *canteen_card_session_get_uid (CanteenCardSession *self);       /* "04A1B2C3" */
GBytes           *canteen_card_session_get_uid_bytes (CanteenCardSession *self);
GBytes           *canteen_card_session_get_atr (CanteenCardSession *self);       /* NULL if none */
char             *canteen_card_session_get_atr_hex (CanteenCardSession *self);   /* NULL if none */
gboolean          canteen_card_session_is_present (CanteenCardSession *self);
CanteenCardReader *canteen_card_session_get_reader (CanteenCardSession *self);   /* NULL once gone */

/* Any APDU; the response data without the status word, which goes to *sw. */
void     canteen_card_session_transmit (CanteenCardSession *self, GBytes *apdu, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
GBytes  *canteen_card_session_transmit_finish (CanteenCardSession *self, GAsyncResult *result,
                                               guint16 *sw, GError **error);

/* 00 A4 04 00 (select by AID). */
void     canteen_card_session_select (CanteenCardSession *self, const guint8 *aid, gsize aid_len,
                                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* 00 B0: `length` bytes from `offset` of the selected file (0 = all the card sends, up to 256). */
void     canteen_card_session_read_binary (CanteenCardSession *self, guint16 offset, guint length,
                                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* 00 88 00 00: the card's answer to `challenge` (a signature, for the canteen applet). */
void     canteen_card_session_internal_authenticate (CanteenCardSession *self, GBytes *challenge,
                                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                                     gpointer user_data);
/* The response data of any of the three; fails unless SW was 9000. */
GBytes  *canteen_card_session_command_finish (CanteenCardSession *self, GAsyncResult *result, GError **error);

G_END_DECLS
