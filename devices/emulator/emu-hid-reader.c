#include "emu-hid-reader.h"

#include <errno.h>

#include "emu-hid.h"

#define KEY_ENTER       0x28
#define MOD_LEFT_SHIFT  0x02
#define REPORT_LEN      8

/* The HID 1.11 appendix B.1 boot keyboard: modifiers, reserved byte, LED
 * output report, six keycodes. */
static const guint8 report_descriptor[] = {
  0x05, 0x01, 0x09, 0x06, 0xA1, 0x01,             /* Generic Desktop, Keyboard, Application */
  0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
  0x75, 0x01, 0x95, 0x08, 0x81, 0x02,             /* 8 modifier bits */
  0x95, 0x01, 0x75, 0x08, 0x81, 0x01,             /* reserved byte */
  0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02,   /* 5 LEDs */
  0x95, 0x01, 0x75, 0x03, 0x91, 0x01,             /* LED padding */
  0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
  0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, /* 6 keycodes */
  0xC0,
};

struct _CanteenEmuHidReader {
  CanteenEmuDevice parent_instance;
  GMutex lock;              /* keeps one tap's reports together */
};

G_DEFINE_FINAL_TYPE (CanteenEmuHidReader, canteen_emu_hid_reader, CANTEEN_EMU_TYPE_DEVICE)

static int
canteen_emu_hid_reader_control (CanteenEmuDevice *device, const CanteenEmuSetup *setup,
                                const guint8 *data, gsize len, GBytes **reply)
{
  int status;

  if (canteen_emu_hid_control (setup, report_descriptor, sizeof report_descriptor, &status, reply))
    return status;
  if (setup->request_type == 0xA1 && setup->request == 0x01)    /* GET_REPORT: nothing pressed */
    {
      *reply = g_bytes_new_take (g_malloc0 (REPORT_LEN), REPORT_LEN);
      return 0;
    }
  return CANTEEN_EMU_DEVICE_CLASS (canteen_emu_hid_reader_parent_class)->control (device, setup, data, len, reply);
}

static void
canteen_emu_hid_reader_constructed (GObject *object)
{
  CanteenEmuDevice *device = CANTEEN_EMU_DEVICE (object);
  GByteArray *builder = canteen_emu_config_new (100);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GError) error = NULL;
  CanteenEmuIdentity id = {
    .vendor_id = CANTEEN_EMU_HID_READER_VID,
    .product_id = CANTEEN_EMU_HID_READER_PID,
    .bcd_device = 0x0100,
    .manufacturer = "Canteen",
    .product = "Canteen Emulated Keyboard Card Reader",
    .serial = "EMU-HIDR-0001",
  };

  G_OBJECT_CLASS (canteen_emu_hid_reader_parent_class)->constructed (object);
  canteen_emu_config_interface (builder, 0, 1, CANTEEN_EMU_HID_CLASS, 0x01 /* boot */, 0x01 /* keyboard */);
  canteen_emu_hid_config_descriptor (builder, sizeof report_descriptor);
  canteen_emu_config_endpoint (builder, CANTEEN_EMU_HID_READER_INTERRUPT_IN, CANTEEN_EMU_EP_INTERRUPT, 8, 10);
  config = canteen_emu_config_finish (builder);
  if (!canteen_emu_device_set_descriptors (device, &id, config, &error))
    g_error ("emulated HID reader: %s", error->message);
  canteen_emu_device_set_kernel_driver (device, 0, "usbhid");
  /* A wedge reader buffers a few UIDs' worth of keystrokes at most. */
  canteen_emu_device_set_in_limit (device, CANTEEN_EMU_HID_READER_INTERRUPT_IN, 256);
}

static void
canteen_emu_hid_reader_finalize (GObject *object)
{
  g_mutex_clear (&CANTEEN_EMU_HID_READER (object)->lock);
  G_OBJECT_CLASS (canteen_emu_hid_reader_parent_class)->finalize (object);
}

static void
canteen_emu_hid_reader_class_init (CanteenEmuHidReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = canteen_emu_hid_reader_constructed;
  G_OBJECT_CLASS (klass)->finalize = canteen_emu_hid_reader_finalize;
  CANTEEN_EMU_DEVICE_CLASS (klass)->control = canteen_emu_hid_reader_control;
}

static void
canteen_emu_hid_reader_init (CanteenEmuHidReader *self)
{
  g_mutex_init (&self->lock);
}

CanteenEmuHidReader *
canteen_emu_hid_reader_new (void)
{
  return g_object_new (CANTEEN_EMU_TYPE_HID_READER, NULL);
}

static gboolean
keycode (char c, guint8 *key, guint8 *modifier)
{
  *key = 0;
  *modifier = 0;
  if (c == '0')
    *key = 0x27;
  else if (c >= '1' && c <= '9')
    *key = (guint8) (0x1E + (c - '1'));
  else if (c >= 'a' && c <= 'z')
    *key = (guint8) (0x04 + (c - 'a'));
  else if (c >= 'A' && c <= 'Z')
    {
      *key = (guint8) (0x04 + (c - 'A'));
      *modifier = MOD_LEFT_SHIFT;
    }
  else
    return FALSE;
  return TRUE;
}

static void
press (CanteenEmuDevice *device, guint8 modifier, guint8 key)
{
  guint8 down[REPORT_LEN] = { modifier, 0, key, 0, 0, 0, 0, 0 };
  guint8 up[REPORT_LEN] = { 0 };

  canteen_emu_device_push_in (device, CANTEEN_EMU_HID_READER_INTERRUPT_IN, down, sizeof down);
  canteen_emu_device_push_in (device, CANTEEN_EMU_HID_READER_INTERRUPT_IN, up, sizeof up);
}

gboolean
canteen_emu_hid_reader_tap (CanteenEmuHidReader *reader, const char *text)
{
  CanteenEmuDevice *device = CANTEEN_EMU_DEVICE (reader);
  guint8 key = 0, modifier = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  for (const char *p = text; *p; p++)
    if (!keycode (*p, &key, &modifier))
      return FALSE;
  g_mutex_lock (&reader->lock);
  for (const char *p = text; *p; p++)
    {
      keycode (*p, &key, &modifier);
      press (device, modifier, key);
    }
  press (device, 0, KEY_ENTER);
  g_mutex_unlock (&reader->lock);
  return TRUE;
}
