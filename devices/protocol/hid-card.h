/* hid-card.h — card UIDs from HID card readers (interrupt-IN reports).
 *
 * Contract: two kinds of reader.
 *
 * Keyboard-wedge readers are HID boot keyboards: 8-byte reports (modifier,
 * reserved, six keycodes) that "type" the UID as decimal digits or hex
 * characters and end it with Enter (0x28, or keypad Enter 0x58). The
 * CanteenHidCardDecoder is a small state machine fed one report at a time. A
 * keystroke is a key present in a report and absent from the one before (a
 * key held across reports, or listed twice in one, is one keystroke; the
 * all-zero key-up report releases everything). Accepted keys: 0–9 (0x1E–0x27,
 * no shift), keypad 0–9 (0x59–0x62), a–f (0x04–0x09, shift or not), Enter;
 * Enter in the same report as characters counts after them. Enter completes
 * the UID: 10 decimal digits (a 4-byte UID as a 32-bit number) become 8 hex
 * digits big-endian; 8, 14 or 20 hex characters are taken as they are; any
 * other form is CANTEEN_DEVICE_ERROR_PROTOCOL. So are a report that is not
 * 8 bytes, a keycode outside that set (including rollover 0x01..0x03 and
 * ctrl/alt/GUI chords) and a 21st character. After an error the decoder
 * drops keystrokes until the next Enter (or canteen_hid_card_decoder_reset(),
 * which a driver calls after an idle gap), so the tail of a bad read never
 * becomes a UID.
 *
 * Vendor-report readers send [report id 0x01][uid length 4..10][uid][padding];
 * canteen_hid_card_parse_vendor_report() accepts exactly that, and nothing
 * is read past `len`.
 *
 * Either way a UID is its bytes and its upper-case hex (at most 20 digits).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_HID_CARD_BOOT_REPORT_LEN 8
#define CANTEEN_HID_CARD_MAX_CHARS       20   /* typed characters before Enter */
#define CANTEEN_HID_CARD_MAX_UID         10   /* bytes: ISO 14443 triple-size UID */
#define CANTEEN_HID_CARD_MIN_UID         4
#define CANTEEN_HID_CARD_VENDOR_REPORT_ID 0x01

typedef struct {
  guint8 bytes[CANTEEN_HID_CARD_MAX_UID];
  gsize  len;
  char   hex[2 * CANTEEN_HID_CARD_MAX_UID + 1];   /* upper case, NUL-terminated */
} CanteenHidCardUid;

typedef enum {
  CANTEEN_HID_CARD_DECODER_IDLE,      /* nothing typed yet */
  CANTEEN_HID_CARD_DECODER_TYPING,    /* characters buffered, waiting for Enter */
  CANTEEN_HID_CARD_DECODER_DISCARD,   /* after an error: dropping keys until Enter */
} CanteenHidCardDecoderState;

typedef enum {
  CANTEEN_HID_CARD_NEED_MORE,         /* feed the next report */
  CANTEEN_HID_CARD_COMPLETE,          /* Enter arrived: *out holds the UID */
  CANTEEN_HID_CARD_FAILED,            /* *error says why; the decoder has reset */
} CanteenHidCardFeedResult;

/* On the stack or in a driver; fields are the decoder's own. */
typedef struct {
  CanteenHidCardDecoderState state;
  guint8 pressed[6];                  /* the keys down in the last report, 0 = none */
  char   typed[CANTEEN_HID_CARD_MAX_CHARS + 1];
  gsize  n_typed;
} CanteenHidCardDecoder;

void canteen_hid_card_decoder_init (CanteenHidCardDecoder *dec);
/* Forget what was typed and what is held (the next report starts afresh). */
void canteen_hid_card_decoder_reset (CanteenHidCardDecoder *dec);
CanteenHidCardFeedResult canteen_hid_card_decoder_feed (CanteenHidCardDecoder *dec,
                                                        const guint8 *report, gsize len,
                                                        CanteenHidCardUid *out, GError **error);

/* What a keyboard-wedge reader typed (without Enter) as a UID. */
gboolean canteen_hid_card_uid_from_typed (const char *typed, gsize len, CanteenHidCardUid *out, GError **error);

gboolean canteen_hid_card_parse_vendor_report (const guint8 *report, gsize len,
                                               CanteenHidCardUid *out, GError **error);

G_END_DECLS
