/* visitor-card.h — an interoperable card as the kiosk holds it while a
 * visiting official pays: its certificate and a way to have it sign.
 *
 * Contract:
 *  - canteen_kiosk_visitor_card_read_async() SELECTs the canteen applet
 *    (CANTEEN_KIOSK_VISITOR_AID) on a CPU card and READs its whole data
 *    file, on the session's main context; _finish returns the file's bytes
 *    (unparsed) or NULL with the card's error: a UID-only card
 *    (NOT_SUPPORTED), no applet or an empty file (FAILED), a removed card
 *    (NO_CARD).
 *  - canteen_kiosk_visitor_cert_agency() says whose certificate a file is
 *    (NULL when it is none): the kiosk pays as a visitor only with the
 *    certificate of another agency than its ledger's.
 *  - A CanteenKioskVisitorCard is immutable and thread-safe (atomically
 *    refcounted), so the payment worker can use it to fill the
 *    CanteenVisitorCard that canteen_visitor_prepare() asks to sign:
 *     - from a card session, signing is INTERNAL AUTHENTICATE through the
 *       session, which lives on the main context it was made on: the
 *       worker's request is marshalled there (g_main_context_invoke) and
 *       waited for at most CANTEEN_KIOSK_VISITOR_SIGN_TIMEOUT_MS; a removed
 *       card, a refusal or no answer fails with the device's error and
 *       nothing is signed;
 *     - from a card file (the demo's button, tests), the file's secret key
 *       signs.
 *    The signer must never be called on the session's main context (it
 *    would wait for itself): the payment worker is another thread.
 */
#pragma once

#include <gio/gio.h>

#include "card-session.h"
#include "visitor.h"

G_BEGIN_DECLS

#define CANTEEN_KIOSK_VISITOR_AID     ((const guint8 *) "\xF0" "CANTEEN\x01")
#define CANTEEN_KIOSK_VISITOR_AID_LEN 9
#define CANTEEN_KIOSK_VISITOR_SIGN_TIMEOUT_MS 3000

void    canteen_kiosk_visitor_card_read_async  (CanteenCardSession *session, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
GBytes *canteen_kiosk_visitor_card_read_finish (GAsyncResult *result, GError **error);

/* The agency of the certificate in `file` (newly allocated), or NULL when
 * the file is not a certificate at all (its signature is not checked here:
 * canteen_visitor_prepare() does that and declines a forged one). */
char   *canteen_kiosk_visitor_cert_agency (GBytes *file);

typedef struct _CanteenKioskVisitorCard CanteenKioskVisitorCard;

/* `cert`: the file read from the card. The session is kept (its signing
 * runs on `context`; NULL: the thread-default context now). */
CanteenKioskVisitorCard *canteen_kiosk_visitor_card_new_for_session (CanteenCardSession *session, GBytes *cert,
                                                                     GMainContext *context);
/* A card file (settlement/API.md: certificate and secret key). */
CanteenKioskVisitorCard *canteen_kiosk_visitor_card_new_from_file (const char *path, GError **error);
CanteenKioskVisitorCard *canteen_kiosk_visitor_card_ref   (CanteenKioskVisitorCard *card);
void                     canteen_kiosk_visitor_card_unref (CanteenKioskVisitorCard *card);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenKioskVisitorCard, canteen_kiosk_visitor_card_unref)

/* "GOV02/V-0001" from the certificate, or the UID / file for messages. */
const char *canteen_kiosk_visitor_card_get_label (CanteenKioskVisitorCard *card);
/* `out` borrows from `card`, which must outlive its use. */
void        canteen_kiosk_visitor_card_fill (CanteenKioskVisitorCard *card, CanteenVisitorCard *out);

G_END_DECLS
