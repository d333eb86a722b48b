/* fuzz-hid-card — card UIDs from HID readers: a keyboard-wedge decoder fed
 * a stream of arbitrary 8-byte reports (a short tail is fed too, and must
 * be refused), the typed-UID conversion, and the vendor report.
 *
 * Input: byte 0 picks the target (low two bits); the rest is the stream,
 * the typed text or the report. Asserted: every UID is 4, 7 or 10 bytes
 * whose upper-case hex it carries; the decoder's state stays consistent
 * (nothing buffered unless typing, never over 20 characters); an error is
 * set exactly when a report is refused. */
#include <stdint.h>
#include <string.h>

#include "fuzz-check.h"
#include "hid-card.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_uid (const CanteenHidCardUid *uid)
{
  static const char digits[] = "0123456789ABCDEF";

  g_assert (uid->len >= CANTEEN_HID_CARD_MIN_UID && uid->len <= CANTEEN_HID_CARD_MAX_UID);
  g_assert (strlen (uid->hex) == 2 * uid->len);
  for (gsize i = 0; i < uid->len; i++)
    {
      g_assert (uid->hex[2 * i] == digits[uid->bytes[i] >> 4]);
      g_assert (uid->hex[2 * i + 1] == digits[uid->bytes[i] & 0x0F]);
    }
}

static void
check_decoder (const CanteenHidCardDecoder *dec)
{
  g_assert (dec->n_typed <= CANTEEN_HID_CARD_MAX_CHARS);
  g_assert (dec->typed[dec->n_typed] == '\0');
  switch (dec->state)
    {
    case CANTEEN_HID_CARD_DECODER_IDLE:
    case CANTEEN_HID_CARD_DECODER_DISCARD:
      g_assert (dec->n_typed == 0);
      break;
    case CANTEEN_HID_CARD_DECODER_TYPING:
      g_assert (dec->n_typed > 0);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
feed_one (CanteenHidCardDecoder *dec, const uint8_t *report, size_t len)
{
  CanteenHidCardUid uid;
  GError *error = NULL;

  switch (canteen_hid_card_decoder_feed (dec, report, len, &uid, &error))
    {
    case CANTEEN_HID_CARD_NEED_MORE:
      g_assert (error == NULL);
      g_assert (len == CANTEEN_HID_CARD_BOOT_REPORT_LEN);
      break;
    case CANTEEN_HID_CARD_COMPLETE:
      g_assert (error == NULL);
      g_assert (uid.len == 4 || uid.len == 7 || uid.len == 10);
      check_uid (&uid);
      g_assert (dec->state == CANTEEN_HID_CARD_DECODER_IDLE);
      break;
    case CANTEEN_HID_CARD_FAILED:
      fuzz_check_refusal (error);
      break;
    default:
      g_assert_not_reached ();
    }
  check_decoder (dec);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CanteenHidCardUid uid;
  GError *error = NULL;

  if (size < 1)
    return 0;
  switch (data[0] & 3)
    {
    case 0:
    case 1:
      {
        CanteenHidCardDecoder dec;
        size_t i;

        canteen_hid_card_decoder_init (&dec);
        for (i = 1; i + CANTEEN_HID_CARD_BOOT_REPORT_LEN <= size; i += CANTEEN_HID_CARD_BOOT_REPORT_LEN)
          feed_one (&dec, data + i, CANTEEN_HID_CARD_BOOT_REPORT_LEN);
        if (i < size)
          feed_one (&dec, data + i, size - i);   /* a short report: refused */
        if (data[0] & 1)
          {
            canteen_hid_card_decoder_reset (&dec);
            g_assert (dec.state == CANTEEN_HID_CARD_DECODER_IDLE && dec.n_typed == 0);
          }
      }
      break;
    case 2:
      if (canteen_hid_card_uid_from_typed ((const char *) data + 1, size - 1, &uid, &error))
        {
          check_uid (&uid);
          g_assert (size - 1 == 10 || size - 1 == 2 * uid.len);
        }
      else
        {
          g_assert (uid.len == 0);
          fuzz_check_refusal (error);
        }
      break;
    default:
      if (canteen_hid_card_parse_vendor_report (data + 1, size - 1, &uid, &error))
        {
          check_uid (&uid);
          g_assert (data[1] == CANTEEN_HID_CARD_VENDOR_REPORT_ID && uid.len == data[2]);
          g_assert (memcmp (uid.bytes, data + 3, uid.len) == 0);
        }
      else
        {
          g_assert (uid.len == 0);
          fuzz_check_refusal (error);
        }
      break;
    }
  return 0;
}
