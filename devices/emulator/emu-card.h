/* emu-card.h — a software smart card (no USB: what sits in a reader's field).
 *
 * Contract: a card is either
 *  - CPU: an ISO/IEC 14443-4 contactless CPU card with an Ed25519 key and
 *    a canteen applet (AID F0 43 41 4E 54 45 45 4E 01, "\xF0CANTEEN\x01")
 *    holding one data file set by its creator (a certificate, say); or
 *  - UID-only: a MIFARE-Classic-like card of which a reader can only learn
 *    the UID.
 * canteen_emu_card_transmit() answers one command APDU with one response
 * APDU (data + SW1 SW2), as the card behind a PC/SC reader would:
 *
 *   FF CA 00 00 Le   the reader's GET DATA pseudo-APDU: the UID (P1 = 01:
 *                    the historical bytes, CPU cards only); Le shorter
 *                    than the UID → 6Cxx
 *   00 A4 04 00 Lc AID        SELECT the applet: 9000, unknown AID 6A82
 *   00 B0 P1 P2 Le            READ BINARY at offset P1P2 (P1 bit 8 clear);
 *                             short Le = 00 over more than 256 bytes left
 *                             answers 256 bytes + 61xx and the rest comes
 *                             through GET RESPONSE (as T=0 cards chain);
 *                             explicit Le past the end → 6Cxx; extended
 *                             Le returns up to Ne bytes at once
 *   00 C0 00 00 Le            GET RESPONSE: the next bytes, 61xx while more
 *                             remain; Le over what remains → 6Cxx
 *   00 88 00 00 Lc data Le    INTERNAL AUTHENTICATE: the 64-byte Ed25519
 *                             signature of `data`; Le not 00/40 → 6C40
 *
 * Errors: malformed lengths 6700, CLA other than 00 (or FF) 6E00, unknown
 * INS 6D00, wrong P1 P2 6A86, no applet selected 6985, offset past the
 * file 6B00. A UID-only card answers everything but FF CA with 6A81
 * (function not supported), as PC/SC readers do for MIFARE Classic.
 * canteen_emu_card_reset() is a power cycle: selection and pending
 * response data are forgotten. Thread-safe.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CANTEEN_EMU_CARD_AID     "\xF0" "CANTEEN\x01"
#define CANTEEN_EMU_CARD_AID_LEN 9
#define CANTEEN_EMU_CARD_MAX_UID 10

typedef enum {
  CANTEEN_EMU_CARD_CPU,
  CANTEEN_EMU_CARD_UID_ONLY,
} CanteenEmuCardKind;

#define CANTEEN_EMU_TYPE_CARD (canteen_emu_card_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuCard, canteen_emu_card, CANTEEN_EMU, CARD, GObject)

/* `uid`: 4, 7 or 10 bytes. `secret_key`: a libsodium Ed25519 secret key
 * (64 bytes), or NULL for a fresh one. `file`: the applet's data file, or
 * NULL for an empty one. */
CanteenEmuCard *canteen_emu_card_new_cpu (const guint8 *uid, gsize uid_len,
                                          const guint8 *secret_key, GBytes *file);
CanteenEmuCard *canteen_emu_card_new_uid_only (const guint8 *uid, gsize uid_len);

CanteenEmuCardKind canteen_emu_card_get_kind (CanteenEmuCard *card);
GBytes   *canteen_emu_card_get_uid (CanteenEmuCard *card);
/* The (pseudo-)ATR a PC/SC reader reports for it. */
GBytes   *canteen_emu_card_get_atr (CanteenEmuCard *card);
/* FALSE for a UID-only card. */
gboolean  canteen_emu_card_get_public_key (CanteenEmuCard *card, guint8 public_key[32]);
/* Whether extended-length APDUs are understood (default TRUE for CPU cards). */
void      canteen_emu_card_set_extended (CanteenEmuCard *card, gboolean extended);

void      canteen_emu_card_reset (CanteenEmuCard *card);
GBytes   *canteen_emu_card_transmit (CanteenEmuCard *card, const guint8 *apdu, gsize len);
/* How many APDUs the card has answered (for tests). */
guint     canteen_emu_card_get_transmit_count (CanteenEmuCard *card);

G_END_DECLS
