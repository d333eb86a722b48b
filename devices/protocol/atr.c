#include "atr.h"

#include "device-error.h"

gboolean
canteen_atr_parse (const guint8 *data, gsize len, CanteenAtr *out, GError **error)
{
  gsize pos = 2;
  guint8 y, td;
  guint n_historical;
  gboolean tck_required = FALSE;
  guint index = 1;

  memset (out, 0, sizeof *out);
  out->ta1 = -1;
  if (len < 2)
    return canteen_device_protocol_error (error, "ATR", "%zu bytes, at least TS and T0 are needed", len);
  if (len > CANTEEN_ATR_MAX_LEN)
    return canteen_device_protocol_error (error, "ATR", "%zu bytes, at most %d allowed", len, CANTEEN_ATR_MAX_LEN);
  if (data[0] != 0x3B && data[0] != 0x3F)
    return canteen_device_protocol_error (error, "ATR", "TS is %02X, not 3B or 3F", data[0]);

  y = data[1] >> 4;
  n_historical = data[1] & 0x0F;
  /* Walk TAi, TBi, TCi, TDi as each TD announces them. */
  for (;;)
    {
      gboolean has_td = (y & 0x8) != 0;
      for (guint bit = 0; bit < 3; bit++)
        if (y & (1u << bit))
          {
            if (pos >= len)
              return canteen_device_protocol_error (error, "ATR", "ends inside interface bytes (group %u)", index);
            if (index == 1 && bit == 0)
              out->ta1 = data[pos];
            pos++;
          }
      if (!has_td)
        break;
      if (pos >= len)
        return canteen_device_protocol_error (error, "ATR", "ends before TD%u", index);
      td = data[pos++];
      out->protocols |= 1u << (td & 0x0F);
      if ((td & 0x0F) != 0)
        tck_required = TRUE;
      y = td >> 4;
      index++;
      if (index > 8)
        return canteen_device_protocol_error (error, "ATR", "more than 8 interface byte groups");
    }
  if (out->protocols == 0)
    out->protocols = 1;                    /* no TD1: T=0 only */

  if (pos + n_historical > len)
    return canteen_device_protocol_error (error, "ATR", "announces %u historical bytes, %zu present", n_historical, len - pos);
  out->n_historical = n_historical;
  pos += n_historical;

  if (tck_required)
    {
      guint8 x = 0;
      if (pos >= len)
        return canteen_device_protocol_error (error, "ATR", "TCK is missing");
      for (gsize i = 1; i <= pos; i++)
        x ^= data[i];
      if (x != 0)
        return canteen_device_protocol_error (error, "ATR", "TCK %02X does not check (XOR %02X)", data[pos], x);
      out->has_tck = TRUE;
      pos++;
    }
  if (pos != len)
    return canteen_device_protocol_error (error, "ATR", "%zu bytes after the end", len - pos);

  memcpy (out->bytes, data, len);
  out->len = len;
  out->inverse_convention = data[0] == 0x3F;
  out->historical = out->bytes + (pos - n_historical - (out->has_tck ? 1 : 0));
  return TRUE;
}

char *
canteen_atr_to_hex (const CanteenAtr *atr)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < atr->len; i++)
    g_string_append_printf (s, i ? " %02X" : "%02X", atr->bytes[i]);
  return g_string_free (s, FALSE);
}
