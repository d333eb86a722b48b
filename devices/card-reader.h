/* card-reader.h — what every card reader driver offers the layers above.
 *
 * Contract: when a card is presented the reader emits "card-inserted" with
 * a CanteenCardSession (UID known, ATR for CPU cards); when it leaves,
 * "card-removed" with the same session, which from then on refuses every
 * exchange with CANTEEN_DEVICE_ERROR_NO_CARD. A reader that can talk to the
 * card implements `exchange`: one raw command APDU → one raw response
 * (data + SW1 SW2), no chaining (CanteenCardSession does 61xx/6Cxx).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CanteenCardSession CanteenCardSession;

#define CANTEEN_TYPE_CARD_READER (canteen_card_reader_get_type ())
G_DECLARE_INTERFACE (CanteenCardReader, canteen_card_reader, CANTEEN, CARD_READER, GObject)

struct _CanteenCardReaderInterface {
  GTypeInterface g_iface;

  void    (*exchange)        (CanteenCardReader *self, CanteenCardSession *session, GBytes *apdu,
                              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
  GBytes *(*exchange_finish) (CanteenCardReader *self, GAsyncResult *result, GError **error);
};

/* The session of the card now presented, or NULL. */
CanteenCardSession *canteen_card_reader_get_session (CanteenCardReader *self);

/* For drivers. "card-unreadable" (a message) tells the diner to try again:
 * a card was seen but could not be read (no ATR, no UID). */
void canteen_card_reader_emit_unreadable (CanteenCardReader *self, const char *message);
void canteen_card_reader_emit_inserted (CanteenCardReader *self, CanteenCardSession *session);
void canteen_card_reader_emit_removed (CanteenCardReader *self, CanteenCardSession *session);

G_END_DECLS
