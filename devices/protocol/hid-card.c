#include "hid-card.h"

#include "device-error.h"

#define KEY_A            0x04   /* ..0x09: a..f */
#define KEY_F            0x09
#define KEY_1            0x1E   /* ..0x26: 1..9, then 0x27: 0 */
#define KEY_0            0x27
#define KEY_ENTER        0x28
#define KEY_KP_ENTER     0x58
#define KEY_KP_1         0x59   /* ..0x61: keypad 1..9, then 0x62: keypad 0 */
#define KEY_KP_0         0x62
#define KEY_ERROR_LAST   0x03   /* 0x01 rollover, 0x02 POST fail, 0x03 undefined */
#define KEY_LEFT_CTRL    0xE0   /* ..0xE7: modifiers as keys */
#define MOD_SHIFT        0x22   /* left and right shift */

static void
uid_set_hex (CanteenHidCardUid *out)
{
  static const char digits[] = "0123456789ABCDEF";

  for (gsize i = 0; i < out->len; i++)
    {
      out->hex[2 * i] = digits[out->bytes[i] >> 4];
      out->hex[2 * i + 1] = digits[out->bytes[i] & 0x0F];
    }
  out->hex[2 * out->len] = '\0';
}

/* ---- what a keyboard-wedge reader typed ------------------------------- */

gboolean
canteen_hid_card_uid_from_typed (const char *typed, gsize len, CanteenHidCardUid *out, GError **error)
{
  gboolean all_decimal = TRUE;

  memset (out, 0, sizeof *out);
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) typed[i];
      if (!g_ascii_isxdigit (c))
        {
          if (g_ascii_isgraph (c))
            return canteen_device_protocol_error (error, "card UID", "character “%c” at %zu is not a hex digit", c, i);
          return canteen_device_protocol_error (error, "card UID", "byte 0x%02X at %zu is not a hex digit", c, i);
        }
      all_decimal = all_decimal && g_ascii_isdigit (c);
    }

  if (len == 10 && all_decimal)
    {
      /* A 4-byte UID the reader typed as an unsigned 32-bit decimal number. */
      guint64 v = 0;
      for (gsize i = 0; i < len; i++)
        v = v * 10 + (guint64) (typed[i] - '0');       /* ≤ 9 999 999 999: fits */
      if (v > G_MAXUINT32)
        return canteen_device_protocol_error (error, "card UID", "decimal %.10s is over 4294967295, not a 4-byte UID",
                                              typed);
      out->len = 4;
      out->bytes[0] = (guint8) (v >> 24);
      out->bytes[1] = (guint8) (v >> 16);
      out->bytes[2] = (guint8) (v >> 8);
      out->bytes[3] = (guint8) v;
    }
  else if (len == 8 || len == 14 || len == 20)
    {
      out->len = len / 2;
      for (gsize i = 0; i < out->len; i++)
        out->bytes[i] = (guint8) (g_ascii_xdigit_value (typed[2 * i]) << 4 | g_ascii_xdigit_value (typed[2 * i + 1]));
    }
  else
    return canteen_device_protocol_error (error, "card UID",
                                          "%zu characters “%.*s”: expected 10 decimal digits or 8, 14 or 20 hex digits",
                                          len, (int) MIN (len, (gsize) CANTEEN_HID_CARD_MAX_CHARS), typed);
  uid_set_hex (out);
  return TRUE;
}

/* ---- keyboard-wedge decoder --------------------------------------------- */

void
canteen_hid_card_decoder_init (CanteenHidCardDecoder *dec)
{
  memset (dec, 0, sizeof *dec);
  dec->state = CANTEEN_HID_CARD_DECODER_IDLE;
}

void
canteen_hid_card_decoder_reset (CanteenHidCardDecoder *dec)
{
  canteen_hid_card_decoder_init (dec);
}

/* The character a newly pressed key types, or 0 if it types nothing a
 * reader sends for a UID. */
static char
key_char (guint8 key, guint8 modifiers)
{
  gboolean shift = (modifiers & MOD_SHIFT) != 0;

  if (modifiers & ~MOD_SHIFT)
    return 0;                                        /* ctrl / alt / GUI chords */
  if (key >= KEY_A && key <= KEY_F)
    return (char) ((shift ? 'A' : 'a') + (key - KEY_A));
  if (key >= KEY_1 && key < KEY_0)
    return shift ? 0 : (char) ('1' + (key - KEY_1)); /* shift would type !@#... */
  if (key == KEY_0)
    return shift ? 0 : '0';
  if (key >= KEY_KP_1 && key < KEY_KP_0)
    return (char) ('1' + (key - KEY_KP_1));
  if (key == KEY_KP_0)
    return '0';
  return 0;
}

static gboolean
is_enter (guint8 key)
{
  return key == KEY_ENTER || key == KEY_KP_ENTER;
}

static gboolean
contains (const guint8 *keys, gsize n, guint8 key)
{
  for (gsize i = 0; i < n; i++)
    if (keys[i] == key)
      return TRUE;
  return FALSE;
}

/* Drop what was typed and ignore keys until Enter. */
static void
discard (CanteenHidCardDecoder *dec)
{
  dec->state = CANTEEN_HID_CARD_DECODER_DISCARD;
  dec->n_typed = 0;
  memset (dec->typed, 0, sizeof dec->typed);
}

CanteenHidCardFeedResult
canteen_hid_card_decoder_feed (CanteenHidCardDecoder *dec, const guint8 *report, gsize len,
                               CanteenHidCardUid *out, GError **error)
{
  const guint8 *keys;
  guint8 modifiers, fresh[6];
  gsize n_fresh = 0;
  gboolean enter = FALSE, failed = FALSE;

  memset (out, 0, sizeof *out);
  if (len != CANTEEN_HID_CARD_BOOT_REPORT_LEN)
    {
      discard (dec);
      canteen_device_protocol_error (error, "card reader", "report of %zu bytes, %d expected (boot keyboard)",
                                     len, CANTEEN_HID_CARD_BOOT_REPORT_LEN);
      return CANTEEN_HID_CARD_FAILED;
    }
  modifiers = report[0];
  keys = report + 2;                                 /* report[1] is reserved */

  for (gsize i = 0; i < 6; i++)
    if (keys[i] != 0 && keys[i] <= KEY_ERROR_LAST)
      {
        /* Rollover: the report no longer says which keys are down. */
        discard (dec);
        canteen_device_protocol_error (error, "card reader", "keyboard error code 0x%02X (rollover) in a report",
                                       keys[i]);
        return CANTEEN_HID_CARD_FAILED;
      }

  /* Keys down now and not in the last report; modifier keys listed as keys
   * count as modifiers. The pressed set becomes this report's keys. */
  for (gsize i = 0; i < 6; i++)
    {
      guint8 k = keys[i];
      if (k >= KEY_LEFT_CTRL && k <= KEY_LEFT_CTRL + 7)
        {
          modifiers |= (guint8) (1u << (k - KEY_LEFT_CTRL));
          continue;
        }
      if (k == 0 || contains (keys, i, k) || contains (dec->pressed, G_N_ELEMENTS (dec->pressed), k))
        continue;
      fresh[n_fresh++] = k;
    }
  memcpy (dec->pressed, keys, sizeof dec->pressed);

  /* Characters in slot order, then Enter: a report yields at most one UID. */
  for (gsize i = 0; i < n_fresh; i++)
    {
      char c;

      if (is_enter (fresh[i]))
        {
          enter = TRUE;
          continue;
        }
      if (dec->state == CANTEEN_HID_CARD_DECODER_DISCARD)
        continue;
      c = key_char (fresh[i], modifiers);
      if (c == 0)
        {
          discard (dec);
          failed = TRUE;
          canteen_device_protocol_error (error, "card reader",
                                         "keycode 0x%02X (modifiers 0x%02X) is not a digit, A–F or Enter",
                                         fresh[i], modifiers);
          continue;
        }
      if (dec->n_typed == CANTEEN_HID_CARD_MAX_CHARS)
        {
          discard (dec);
          failed = TRUE;
          canteen_device_protocol_error (error, "card reader", "more than %d characters before Enter",
                                         CANTEEN_HID_CARD_MAX_CHARS);
          continue;
        }
      dec->typed[dec->n_typed++] = c;
      dec->state = CANTEEN_HID_CARD_DECODER_TYPING;
    }

  if (enter)
    {
      CanteenHidCardDecoderState was = dec->state;
      gboolean ok = FALSE;

      if (was == CANTEEN_HID_CARD_DECODER_TYPING)
        ok = canteen_hid_card_uid_from_typed (dec->typed, dec->n_typed, out, failed ? NULL : error);
      else if (was == CANTEEN_HID_CARD_DECODER_IDLE && !failed)
        canteen_device_protocol_error (error, "card reader", "Enter with no UID typed before it");
      canteen_hid_card_decoder_init (dec);
      memcpy (dec->pressed, keys, sizeof dec->pressed);
      if (ok)
        return CANTEEN_HID_CARD_COMPLETE;
      if (was != CANTEEN_HID_CARD_DECODER_DISCARD)
        return CANTEEN_HID_CARD_FAILED;
    }
  return failed ? CANTEEN_HID_CARD_FAILED : CANTEEN_HID_CARD_NEED_MORE;
}

/* ---- vendor report --------------------------------------------------------- */

gboolean
canteen_hid_card_parse_vendor_report (const guint8 *report, gsize len, CanteenHidCardUid *out, GError **error)
{
  guint8 uid_len;

  memset (out, 0, sizeof *out);
  if (len < 2)
    return canteen_device_protocol_error (error, "card report", "%zu bytes, at least 2 needed", len);
  if (report[0] != CANTEEN_HID_CARD_VENDOR_REPORT_ID)
    return canteen_device_protocol_error (error, "card report", "report id %u is not the card report (%d)",
                                          report[0], CANTEEN_HID_CARD_VENDOR_REPORT_ID);
  uid_len = report[1];
  if (uid_len < CANTEEN_HID_CARD_MIN_UID || uid_len > CANTEEN_HID_CARD_MAX_UID)
    return canteen_device_protocol_error (error, "card report", "UID length %u is outside %d..%d",
                                          uid_len, CANTEEN_HID_CARD_MIN_UID, CANTEEN_HID_CARD_MAX_UID);
  if (len - 2 < uid_len)
    return canteen_device_protocol_error (error, "card report", "UID of %u bytes but only %zu follow",
                                          uid_len, len - 2);
  memcpy (out->bytes, report + 2, uid_len);
  out->len = uid_len;
  uid_set_hex (out);
  return TRUE;
}
