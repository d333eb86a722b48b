#include "ccid.h"

#include "device-error.h"

#define CCID_DESCRIPTOR_TYPE 0x21
#define CCID_DESCRIPTOR_LEN  0x36

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

gboolean
canteen_ccid_parse_descriptor (const guint8 *extra, gsize len, CanteenCcidDescriptor *out, GError **error)
{
  gsize pos = 0;

  memset (out, 0, sizeof *out);
  while (pos + 2 <= len)
    {
      guint8 dlen = extra[pos], dtype = extra[pos + 1];
      const guint8 *d = extra + pos;

      if (dlen < 2 || pos + dlen > len)
        return canteen_device_protocol_error (error, "CCID", "descriptor at byte %zu has length %u, %zu bytes left", pos, dlen, len - pos);
      if (dtype == CCID_DESCRIPTOR_TYPE)
        {
          if (dlen != CCID_DESCRIPTOR_LEN)
            return canteen_device_protocol_error (error, "CCID", "class descriptor of %u bytes, %u expected", dlen, CCID_DESCRIPTOR_LEN);
          out->bcd_ccid = (guint16) (d[2] | d[3] << 8);
          out->max_slot_index = d[4];
          out->voltage_support = d[5];
          out->protocols = le32 (d + 6);
          out->max_ifsd = le32 (d + 28);
          out->features = le32 (d + 40);
          out->max_message_length = le32 (d + 44);
          out->max_busy_slots = d[53];
          if (out->max_message_length < CANTEEN_CCID_HEADER_LEN + 5 ||
              out->max_message_length > CANTEEN_CCID_ABSOLUTE_MAX)
            return canteen_device_protocol_error (error, "CCID", "dwMaxCCIDMessageLength %u is outside %d..%d", out->max_message_length,
                               CANTEEN_CCID_HEADER_LEN + 5, CANTEEN_CCID_ABSOLUTE_MAX);
          if (out->max_slot_index > 31)
            return canteen_device_protocol_error (error, "CCID", "bMaxSlotIndex %u: at most 32 slots are supported", out->max_slot_index);
          if ((out->protocols & 0x3) == 0)
            return canteen_device_protocol_error (error, "CCID", "dwProtocols %08X offers neither T=0 nor T=1", out->protocols);
          return TRUE;
        }
      pos += dlen;
    }
  if (pos != len)
    return canteen_device_protocol_error (error, "CCID", "%zu stray bytes after the descriptors", len - pos);
  return canteen_device_protocol_error (error, "CCID", "no class descriptor (type 21h) on the interface");
}

CanteenCcidExchangeLevel
canteen_ccid_exchange_level (const CanteenCcidDescriptor *desc)
{
  if (desc->features & 0x00040000)
    return CANTEEN_CCID_LEVEL_EXTENDED_APDU;
  if (desc->features & 0x00020000)
    return CANTEEN_CCID_LEVEL_SHORT_APDU;
  if (desc->features & 0x00010000)
    return CANTEEN_CCID_LEVEL_TPDU;
  return CANTEEN_CCID_LEVEL_CHARACTER;
}

static GBytes *
build (guint8 type, guint8 slot, guint8 seq, guint8 p1, guint8 p2, guint8 p3, const guint8 *data, gsize len)
{
  guint8 *msg = g_malloc (CANTEEN_CCID_HEADER_LEN + len);

  msg[0] = type;
  msg[1] = (guint8) len;
  msg[2] = (guint8) (len >> 8);
  msg[3] = (guint8) (len >> 16);
  msg[4] = (guint8) (len >> 24);
  msg[5] = slot;
  msg[6] = seq;
  msg[7] = p1;
  msg[8] = p2;
  msg[9] = p3;
  if (len)
    memcpy (msg + CANTEEN_CCID_HEADER_LEN, data, len);
  return g_bytes_new_take (msg, CANTEEN_CCID_HEADER_LEN + len);
}

GBytes *
canteen_ccid_power_on (guint8 slot, guint8 seq)
{
  return build (CANTEEN_CCID_PC_TO_RDR_ICC_POWER_ON, slot, seq, 0 /* automatic voltage */, 0, 0, NULL, 0);
}

GBytes *
canteen_ccid_power_off (guint8 slot, guint8 seq)
{
  return build (CANTEEN_CCID_PC_TO_RDR_ICC_POWER_OFF, slot, seq, 0, 0, 0, NULL, 0);
}

GBytes *
canteen_ccid_get_slot_status (guint8 slot, guint8 seq)
{
  return build (CANTEEN_CCID_PC_TO_RDR_GET_SLOT_STATUS, slot, seq, 0, 0, 0, NULL, 0);
}

GBytes *
canteen_ccid_xfr_block (guint8 slot, guint8 seq, const guint8 *data, gsize len,
                        guint16 level, guint32 max_message_length, GError **error)
{
  if (CANTEEN_CCID_HEADER_LEN + len > MIN (max_message_length, (guint32) CANTEEN_CCID_ABSOLUTE_MAX))
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE,
                   "CCID: XfrBlock of %zu bytes is over the reader's %u-byte messages", len, max_message_length);
      return NULL;
    }
  return build (CANTEEN_CCID_PC_TO_RDR_XFR_BLOCK, slot, seq, 0 /* bBWI */, (guint8) level,
                (guint8) (level >> 8), data, len);
}

gboolean
canteen_ccid_parse_reply (const guint8 *msg, gsize len, guint8 slot, guint8 seq,
                          guint32 max_message_length, CanteenCcidReply *out, GError **error)
{
  guint32 dw;
  guint8 status;

  memset (out, 0, sizeof *out);
  if (len < CANTEEN_CCID_HEADER_LEN)
    return canteen_device_protocol_error (error, "CCID", "reply of %zu bytes, shorter than the 10-byte header", len);
  if (msg[0] != CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK && msg[0] != CANTEEN_CCID_RDR_TO_PC_SLOT_STATUS &&
      msg[0] != CANTEEN_CCID_RDR_TO_PC_PARAMETERS)
    return canteen_device_protocol_error (error, "CCID", "unknown reply type %02Xh", msg[0]);
  dw = le32 (msg + 1);
  if (len > max_message_length || dw > max_message_length - CANTEEN_CCID_HEADER_LEN)
    return canteen_device_protocol_error (error, "CCID", "reply of %zu bytes (dwLength %u) is over the reader's %u-byte limit",
                       len, dw, max_message_length);
  if ((gsize) dw != len - CANTEEN_CCID_HEADER_LEN)
    return canteen_device_protocol_error (error, "CCID", "dwLength %u but %zu data bytes received", dw, len - CANTEEN_CCID_HEADER_LEN);
  if (msg[5] != slot)
    return canteen_device_protocol_error (error, "CCID", "reply for slot %u, slot %u was asked", msg[5], slot);
  if (msg[6] != seq)
    return canteen_device_protocol_error (error, "CCID", "reply with bSeq %u to request %u", msg[6], seq);
  status = msg[7];
  if ((status & 0x03) == 3 || (status >> 6) == 3 || (status & 0x3C) != 0)
    return canteen_device_protocol_error (error, "CCID", "reserved bits in bStatus %02Xh", status);

  out->type = msg[0];
  out->slot = msg[5];
  out->seq = msg[6];
  out->icc = (CanteenCcidIccStatus) (status & 0x03);
  out->command = (CanteenCcidCommandStatus) (status >> 6);
  out->error = msg[8];
  out->specific = msg[9];
  out->data = dw ? msg + CANTEEN_CCID_HEADER_LEN : NULL;
  out->len = dw;
  return TRUE;
}

gboolean
canteen_ccid_reply_check (const CanteenCcidReply *reply, GError **error)
{
  if (reply->command == CANTEEN_CCID_COMMAND_OK)
    return TRUE;
  if (reply->command == CANTEEN_CCID_COMMAND_TIME_EXTENSION)
    return canteen_device_protocol_error (error, "CCID", "time extension is not a final answer");
  if (reply->icc == CANTEEN_CCID_ICC_ABSENT || reply->error == 0xFE)   /* ICC_MUTE */
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD,
                   reply->icc == CANTEEN_CCID_ICC_ABSENT ? "CCID: no card in slot %u"
                                                        : "CCID: the card in slot %u does not answer", reply->slot);
      return FALSE;
    }
  g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED,
               "CCID: slot %u: the reader reports error %02Xh", reply->slot, reply->error);
  return FALSE;
}

gboolean
canteen_ccid_parse_notify (const guint8 *msg, gsize len, guint n_slots,
                           guint32 *present, guint32 *changed, GError **error)
{
  gsize need = 1 + (2 * (gsize) n_slots + 7) / 8;

  *present = *changed = 0;
  if (n_slots == 0 || n_slots > 32)
    return canteen_device_protocol_error (error, "CCID", "%u slots; 1 to 32 are supported", n_slots);
  if (len < 1 || msg[0] != CANTEEN_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE)
    return canteen_device_protocol_error (error, "CCID", "interrupt message type %02Xh is not NotifySlotChange", len ? msg[0] : 0);
  if (len < need)
    return canteen_device_protocol_error (error, "CCID", "NotifySlotChange of %zu bytes for %u slots (%zu needed)", len, n_slots, need);
  for (guint s = 0; s < n_slots; s++)
    {
      guint8 bits = (guint8) (msg[1 + s / 4] >> ((s % 4) * 2));
      if (bits & 1)
        *present |= 1u << s;
      if (bits & 2)
        *changed |= 1u << s;
    }
  return TRUE;
}
