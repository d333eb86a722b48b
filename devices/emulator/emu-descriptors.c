#include "emu-descriptors.h"

#include "device-error.h"

#define DT_DEVICE    0x01
#define DT_CONFIG    0x02
#define DT_STRING    0x03
#define DT_INTERFACE 0x04
#define DT_ENDPOINT  0x05

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
}

GByteArray *
canteen_emu_config_new (guint max_power_ma)
{
  GByteArray *config = g_byte_array_new ();
  guint8 header[9] = {
    9, DT_CONFIG,
    0, 0,                        /* wTotalLength: canteen_emu_config_finish() */
    0,                           /* bNumInterfaces: likewise */
    1,                           /* bConfigurationValue */
    0,                           /* iConfiguration */
    0x80,                        /* bmAttributes: bus powered */
    (guint8) MIN (max_power_ma / 2, 250),
  };

  g_byte_array_append (config, header, sizeof header);
  return config;
}

void
canteen_emu_config_interface (GByteArray *config, guint8 number, guint8 n_endpoints,
                              guint8 cls, guint8 subclass, guint8 protocol)
{
  guint8 d[9] = { 9, DT_INTERFACE, number, 0 /* alt */, n_endpoints, cls, subclass, protocol, 0 };

  g_byte_array_append (config, d, sizeof d);
}

void
canteen_emu_config_raw (GByteArray *config, const guint8 *descriptor, gsize len)
{
  g_return_if_fail (len >= 2 && descriptor[0] == len);
  g_byte_array_append (config, descriptor, (guint) len);
}

void
canteen_emu_config_endpoint (GByteArray *config, guint8 address, guint8 type,
                             guint16 max_packet, guint8 interval)
{
  guint8 d[7] = { 7, DT_ENDPOINT, address, type, 0, 0, interval };

  put16 (d + 4, max_packet);
  g_byte_array_append (config, d, sizeof d);
}

GBytes *
canteen_emu_config_finish (GByteArray *config)
{
  guint8 n_interfaces = 0;

  for (guint pos = 0; pos + 2 <= config->len && config->data[pos] >= 2; pos += config->data[pos])
    if (config->data[pos + 1] == DT_INTERFACE && config->data[pos + 3] == 0)
      n_interfaces++;
  put16 (config->data + 2, (guint16) config->len);
  config->data[4] = n_interfaces;
  return g_byte_array_free_to_bytes (config);
}

GBytes *
canteen_emu_descriptors_build (const CanteenEmuIdentity *id, GBytes *config)
{
  GByteArray *out = g_byte_array_new ();
  guint8 dev[18] = {
    18, DT_DEVICE,
    0x00, 0x02,                  /* bcdUSB 2.00 */
    id->device_class, id->device_subclass, id->device_protocol,
    64,                          /* bMaxPacketSize0 */
    0, 0, 0, 0, 0, 0,            /* idVendor, idProduct, bcdDevice */
    id->manufacturer ? 1 : 0,
    id->product ? 2 : 0,
    id->serial ? 3 : 0,
    1,                           /* bNumConfigurations */
  };
  gsize len;
  const guint8 *cfg = g_bytes_get_data (config, &len);

  put16 (dev + 8, id->vendor_id);
  put16 (dev + 10, id->product_id);
  put16 (dev + 12, id->bcd_device);
  g_byte_array_append (out, dev, sizeof dev);
  g_byte_array_append (out, cfg, (guint) len);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
canteen_emu_string_descriptor (const char *text)
{
  g_autofree gunichar2 *utf16 = NULL;
  glong n = 0;
  GByteArray *out;
  guint8 header[2];

  utf16 = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  if (!utf16)
    n = 0;
  n = MIN (n, 126);              /* bLength is one byte */
  header[0] = (guint8) (2 + 2 * n);
  header[1] = DT_STRING;
  out = g_byte_array_sized_new ((guint) (2 + 2 * n));
  g_byte_array_append (out, header, 2);
  for (glong i = 0; i < n; i++)
    {
      guint8 le[2] = { (guint8) utf16[i], (guint8) (utf16[i] >> 8) };
      g_byte_array_append (out, le, 2);
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
canteen_emu_language_descriptor (void)
{
  static const guint8 langs[] = { 4, DT_STRING, 0x09, 0x04 };   /* en-US */

  return g_bytes_new_static (langs, sizeof langs);
}

#define WHAT "emulated descriptors"

gboolean
canteen_emu_descriptors_parse (GBytes *descriptors, CanteenEmuLayout *out, GError **error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (descriptors, &len);
  gsize pos, total;
  gint current_interface = -1;

  memset (out, 0, sizeof *out);
  if (len < 18 + 9 || d[0] != 18 || d[1] != DT_DEVICE)
    return canteen_device_protocol_error (error, WHAT, "no device descriptor (%zu bytes)", len);
  out->vendor_id = (guint16) (d[8] | d[9] << 8);
  out->product_id = (guint16) (d[10] | d[11] << 8);
  out->max_packet0 = d[7];
  if (d[18] != 9 || d[19] != DT_CONFIG)
    return canteen_device_protocol_error (error, WHAT, "no configuration descriptor at byte %d", 18);
  total = (gsize) (d[20] | d[21] << 8);
  if (18 + total != len)
    return canteen_device_protocol_error (error, WHAT, "wTotalLength does not match the %zu configuration bytes", len - 18);

  for (pos = 18 + 9; pos < len; pos += d[pos])
    {
      if (pos + 2 > len || d[pos] < 2 || pos + d[pos] > len)
        return canteen_device_protocol_error (error, WHAT, "descriptor at byte %zu runs past the end", pos);
      if (d[pos + 1] == DT_INTERFACE)
        {
          CanteenEmuInterfaceInfo *i;

          if (d[pos] != 9 || out->n_interfaces == CANTEEN_EMU_MAX_INTERFACES)
            return canteen_device_protocol_error (error, WHAT, "interface descriptor at byte %zu", pos);
          i = &out->interfaces[out->n_interfaces++];
          i->number = d[pos + 2];
          i->cls = d[pos + 5];
          i->subclass = d[pos + 6];
          i->protocol = d[pos + 7];
          current_interface = i->number;
        }
      else if (d[pos + 1] == DT_ENDPOINT)
        {
          CanteenEmuEndpointInfo *e;

          if (d[pos] != 7 || current_interface < 0 || out->n_endpoints == CANTEEN_EMU_MAX_ENDPOINTS ||
              (d[pos + 2] & 0x0F) == 0)
            return canteen_device_protocol_error (error, WHAT, "endpoint descriptor at byte %zu", pos);
          e = &out->endpoints[out->n_endpoints++];
          e->address = d[pos + 2];
          e->type = d[pos + 3] & 0x03;
          e->max_packet = (guint16) (d[pos + 4] | d[pos + 5] << 8);
          e->interface = (guint8) current_interface;
          if (e->max_packet == 0)
            return canteen_device_protocol_error (error, WHAT, "endpoint at byte %zu has wMaxPacketSize 0", pos);
        }
    }
  if (out->n_interfaces == 0)
    return canteen_device_protocol_error (error, WHAT, "no interface in %zu bytes", len);
  return TRUE;
}
