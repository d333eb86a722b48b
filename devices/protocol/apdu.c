#include "apdu.h"

#include "device-error.h"

GBytes *
canteen_apdu_build (guint8 cla, guint8 ins, guint8 p1, guint8 p2,
                    const guint8 *data, gsize len, gint ne,
                    gboolean extended_ok, GError **error)
{
  GByteArray *apdu;
  gboolean extended;
  guint8 header[4] = { cla, ins, p1, p2 };

  if (len > 65535 || ne < CANTEEN_APDU_NO_LE || ne > 65536)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE,
                   "APDU: %zu data bytes or Ne %d out of range", len, ne);
      return NULL;
    }
  extended = len > 255 || ne > 256;
  if (extended && !extended_ok)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE,
                   "APDU: %zu data bytes / Ne %d need extended length, which the reader does not do", len, ne);
      return NULL;
    }
  apdu = g_byte_array_sized_new ((guint) (4 + 3 + len + 3));
  g_byte_array_append (apdu, header, 4);
  if (len > 0)
    {
      if (extended)
        {
          guint8 lc[3] = { 0, (guint8) (len >> 8), (guint8) len };
          g_byte_array_append (apdu, lc, 3);
        }
      else
        {
          guint8 lc = (guint8) len;
          g_byte_array_append (apdu, &lc, 1);
        }
      g_byte_array_append (apdu, data, (guint) len);
    }
  if (ne != CANTEEN_APDU_NO_LE)
    {
      /* Ne 256 (short) and 65536 (extended) encode as zeros, as does 0. */
      if (extended)
        {
          guint8 le[3] = { 0, (guint8) (ne >> 8), (guint8) ne };
          /* With Lc present the extended Le has two bytes, else three. */
          g_byte_array_append (apdu, len > 0 ? le + 1 : le, len > 0 ? 2 : 3);
        }
      else
        {
          guint8 le = (guint8) ne;
          g_byte_array_append (apdu, &le, 1);
        }
    }
  return g_byte_array_free_to_bytes (apdu);
}

gboolean
canteen_apdu_parse_response (const guint8 *resp, gsize len, CanteenApduResponse *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (len < 2)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL,
                   "APDU: response of %zu bytes has no status word", len);
      return FALSE;
    }
  if (len - 2 > CANTEEN_APDU_MAX_RESPONSE)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE,
                   "APDU: response of %zu bytes is over %d", len, CANTEEN_APDU_MAX_RESPONSE);
      return FALSE;
    }
  out->data = len > 2 ? resp : NULL;
  out->len = len - 2;
  out->sw = (guint16) (resp[len - 2] << 8 | resp[len - 1]);
  return TRUE;
}

CanteenApduNext
canteen_apdu_next (guint16 sw, gint *out_le)
{
  guint8 sw1 = (guint8) (sw >> 8), sw2 = (guint8) sw;

  *out_le = 0;
  if (sw1 == 0x61)
    {
      *out_le = sw2 ? sw2 : 256;
      return CANTEEN_APDU_GET_RESPONSE;
    }
  if (sw1 == 0x6C)
    {
      *out_le = sw2 ? sw2 : 256;
      return CANTEEN_APDU_RESEND;
    }
  return CANTEEN_APDU_DONE;
}

GBytes *
canteen_apdu_get_uid (void)
{
  static const guint8 get_uid[] = { 0xFF, 0xCA, 0x00, 0x00, 0x00 };

  return g_bytes_new_static (get_uid, sizeof get_uid);
}

GBytes *
canteen_apdu_get_response (gint le)
{
  return canteen_apdu_build (0x00, 0xC0, 0x00, 0x00, NULL, 0, CLAMP (le, 1, 256), FALSE, NULL);
}
