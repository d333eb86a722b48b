#include "emu-hid.h"

#include <errno.h>

#define HID_DT_HID     0x21
#define HID_DT_REPORT  0x22
#define HID_GET_IDLE     0x02
#define HID_GET_PROTOCOL 0x03
#define HID_SET_REPORT   0x09
#define HID_SET_IDLE     0x0A
#define HID_SET_PROTOCOL 0x0B

static void
hid_descriptor (guint8 d[9], gsize report_len)
{
  d[0] = 9;
  d[1] = HID_DT_HID;
  d[2] = 0x11;                  /* bcdHID 1.11 */
  d[3] = 0x01;
  d[4] = 0;                     /* bCountryCode: not localised */
  d[5] = 1;                     /* bNumDescriptors */
  d[6] = HID_DT_REPORT;
  d[7] = (guint8) report_len;
  d[8] = (guint8) (report_len >> 8);
}

void
canteen_emu_hid_config_descriptor (GByteArray *config, gsize report_len)
{
  guint8 d[9];

  hid_descriptor (d, report_len);
  canteen_emu_config_raw (config, d, sizeof d);
}

gboolean
canteen_emu_hid_control (const CanteenEmuSetup *setup, const guint8 *report_descriptor,
                         gsize report_len, int *status, GBytes **reply)
{
  static const guint8 zero[1] = { 0 }, report_protocol[1] = { 1 };

  *status = 0;
  /* Standard GET_DESCRIPTOR addressed to the interface. */
  if (setup->request_type == 0x81 && setup->request == 0x06)
    {
      if (setup->value >> 8 == HID_DT_REPORT)
        *reply = g_bytes_new (report_descriptor, report_len);
      else if (setup->value >> 8 == HID_DT_HID)
        {
          guint8 d[9];
          hid_descriptor (d, report_len);
          *reply = g_bytes_new (d, sizeof d);
        }
      else
        *status = -EPIPE;
      return TRUE;
    }
  if (setup->request_type == 0x21)
    switch (setup->request)
      {
      case HID_SET_IDLE:
      case HID_SET_PROTOCOL:
      case HID_SET_REPORT:     /* keyboard LEDs, and the like */
        return TRUE;
      default:
        break;
      }
  if (setup->request_type == 0xA1)
    switch (setup->request)
      {
      case HID_GET_IDLE:
        *reply = g_bytes_new_static (zero, 1);
        return TRUE;
      case HID_GET_PROTOCOL:
        *reply = g_bytes_new_static (report_protocol, 1);
        return TRUE;
      default:
        break;
      }
  return FALSE;
}
