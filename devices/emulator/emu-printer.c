#include "emu-printer.h"

#include <errno.h>

#define DLE 0x10
#define EOT 0x04
#define STATUS_FIXED 0x12          /* bits 1 and 4 of every status byte */
#define NOT_READY (CANTEEN_EMU_PRINTER_PAPER_OUT | CANTEEN_EMU_PRINTER_COVER_OPEN | CANTEEN_EMU_PRINTER_OFFLINE | \
                   CANTEEN_EMU_PRINTER_CUTTER_ERROR | CANTEEN_EMU_PRINTER_UNRECOVERABLE_ERROR)

/* Printer class requests (USB Printer Class 1.1 §4.2) */
#define REQ_GET_DEVICE_ID   0x00
#define REQ_GET_PORT_STATUS 0x01
#define REQ_SOFT_RESET      0x02

/* Where the real-time command scanner is: DLE EOT n may be split across
 * transfers, so the bytes of an unfinished one wait here. */
typedef enum {
  SCAN_TEXT,
  SCAN_DLE,                        /* seen DLE */
  SCAN_DLE_EOT,                    /* seen DLE EOT */
} ScanState;

struct _CanteenEmuPrinter {
  CanteenEmuDevice parent_instance;

  GMutex lock;
  CanteenEmuPrinterCondition conditions;
  ScanState scan;
  GByteArray *received;
  GByteArray *printed;
  GByteArray *held;
  guint status_requests;
};

G_DEFINE_FINAL_TYPE (CanteenEmuPrinter, canteen_emu_printer, CANTEEN_EMU_TYPE_DEVICE)

static guint8
status_locked (CanteenEmuPrinter *self, guint8 n)
{
  CanteenEmuPrinterCondition c = self->conditions;
  guint8 s = STATUS_FIXED;

  switch (n)
    {
    case 1:
      if (c & NOT_READY)
        s |= 0x08;
      break;
    case 2:
      if (c & CANTEEN_EMU_PRINTER_COVER_OPEN)
        s |= 0x04;
      if (c & CANTEEN_EMU_PRINTER_PAPER_OUT)
        s |= 0x20;
      if (c & (CANTEEN_EMU_PRINTER_CUTTER_ERROR | CANTEEN_EMU_PRINTER_UNRECOVERABLE_ERROR))
        s |= 0x40;
      break;
    case 3:
      if (c & CANTEEN_EMU_PRINTER_CUTTER_ERROR)
        s |= 0x08;
      if (c & CANTEEN_EMU_PRINTER_UNRECOVERABLE_ERROR)
        s |= 0x20;
      break;
    case 4:
      if (c & CANTEEN_EMU_PRINTER_PAPER_NEAR_END)
        s |= 0x0C;
      if (c & CANTEEN_EMU_PRINTER_PAPER_OUT)
        s |= 0x60;
      break;
    default:
      break;
    }
  return s;
}

static void
stream_locked (CanteenEmuPrinter *self, const guint8 *data, guint len)
{
  g_byte_array_append ((self->conditions & NOT_READY) ? self->held : self->printed, data, len);
}

static void
canteen_emu_printer_bulk_out (CanteenEmuDevice *device, guint8 endpoint, GBytes *bytes)
{
  CanteenEmuPrinter *self = CANTEEN_EMU_PRINTER (device);
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  static const guint8 dle[1] = { DLE }, dle_eot[2] = { DLE, EOT };

  if (endpoint != CANTEEN_EMU_PRINTER_BULK_OUT)
    return;
  g_mutex_lock (&self->lock);
  g_byte_array_append (self->received, d, (guint) len);
  for (gsize i = 0; i < len;)
    {
      guint8 b = d[i];

      switch (self->scan)
        {
        case SCAN_TEXT:
          if (b == DLE)
            self->scan = SCAN_DLE;
          else
            stream_locked (self, &b, 1);
          i++;
          break;
        case SCAN_DLE:
          self->scan = SCAN_TEXT;
          if (b == EOT)
            {
              self->scan = SCAN_DLE_EOT;
              i++;
            }
          else
            stream_locked (self, dle, 1);     /* just a DLE; `b` is looked at again */
          break;
        case SCAN_DLE_EOT:
          self->scan = SCAN_TEXT;
          if (b >= 1 && b <= 4)
            {
              guint8 status = status_locked (self, b);
              self->status_requests++;
              canteen_emu_device_push_in (device, CANTEEN_EMU_PRINTER_BULK_IN, &status, 1);
              i++;
            }
          else
            stream_locked (self, dle_eot, 2);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_mutex_unlock (&self->lock);
}

static int
canteen_emu_printer_control (CanteenEmuDevice *device, const CanteenEmuSetup *setup,
                             const guint8 *data, gsize len, GBytes **reply)
{
  CanteenEmuPrinter *self = CANTEEN_EMU_PRINTER (device);

  if (setup->request_type == 0xA1 && setup->request == REQ_GET_DEVICE_ID)
    {
      /* Two-byte big-endian length (counting itself), then the IEEE 1284 id. */
      gsize n = strlen (CANTEEN_EMU_PRINTER_DEVICE_ID) + 2;
      guint8 *id = g_malloc (n);

      id[0] = (guint8) (n >> 8);
      id[1] = (guint8) n;
      memcpy (id + 2, CANTEEN_EMU_PRINTER_DEVICE_ID, n - 2);
      *reply = g_bytes_new_take (id, n);
      return 0;
    }
  if (setup->request_type == 0xA1 && setup->request == REQ_GET_PORT_STATUS)
    {
      guint8 port;

      g_mutex_lock (&self->lock);
      port = (guint8) (((self->conditions & ~(CANTEEN_EMU_PRINTER_PAPER_OUT | CANTEEN_EMU_PRINTER_PAPER_NEAR_END) & NOT_READY)
                        ? 0 : 0x08)                          /* not error */
                       | ((self->conditions & NOT_READY) ? 0 : 0x10)   /* selected */
                       | ((self->conditions & CANTEEN_EMU_PRINTER_PAPER_OUT) ? 0x20 : 0));
      g_mutex_unlock (&self->lock);
      *reply = g_bytes_new (&port, 1);
      return 0;
    }
  if (setup->request_type == 0x21 && setup->request == REQ_SOFT_RESET)
    {
      g_mutex_lock (&self->lock);
      self->scan = SCAN_TEXT;
      g_mutex_unlock (&self->lock);
      return 0;
    }
  return CANTEEN_EMU_DEVICE_CLASS (canteen_emu_printer_parent_class)->control (device, setup, data, len, reply);
}

static void
canteen_emu_printer_reset (CanteenEmuDevice *device)
{
  CanteenEmuPrinter *self = CANTEEN_EMU_PRINTER (device);

  g_mutex_lock (&self->lock);
  self->scan = SCAN_TEXT;
  g_mutex_unlock (&self->lock);
}

static void
canteen_emu_printer_constructed (GObject *object)
{
  CanteenEmuDevice *device = CANTEEN_EMU_DEVICE (object);
  GByteArray *builder = canteen_emu_config_new (100);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GError) error = NULL;
  CanteenEmuIdentity id = {
    .vendor_id = CANTEEN_EMU_PRINTER_VID,
    .product_id = CANTEEN_EMU_PRINTER_PID,
    .bcd_device = 0x0100,
    .manufacturer = "Canteen",
    .product = "Canteen Emulated Receipt Printer EMU-58",
    .serial = "EMU-PRN-0001",
  };

  G_OBJECT_CLASS (canteen_emu_printer_parent_class)->constructed (object);
  canteen_emu_config_interface (builder, 0, 2, 0x07 /* printer */, 0x01, 0x02 /* bidirectional */);
  canteen_emu_config_endpoint (builder, CANTEEN_EMU_PRINTER_BULK_OUT, CANTEEN_EMU_EP_BULK, 64, 0);
  canteen_emu_config_endpoint (builder, CANTEEN_EMU_PRINTER_BULK_IN, CANTEEN_EMU_EP_BULK, 64, 0);
  config = canteen_emu_config_finish (builder);
  if (!canteen_emu_device_set_descriptors (device, &id, config, &error))
    g_error ("emulated printer: %s", error->message);
  canteen_emu_device_set_kernel_driver (device, 0, "usblp");
  canteen_emu_device_set_in_limit (device, CANTEEN_EMU_PRINTER_BULK_IN, 64);
}

static void
canteen_emu_printer_finalize (GObject *object)
{
  CanteenEmuPrinter *self = CANTEEN_EMU_PRINTER (object);

  g_byte_array_unref (self->received);
  g_byte_array_unref (self->printed);
  g_byte_array_unref (self->held);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_emu_printer_parent_class)->finalize (object);
}

static void
canteen_emu_printer_class_init (CanteenEmuPrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = canteen_emu_printer_constructed;
  G_OBJECT_CLASS (klass)->finalize = canteen_emu_printer_finalize;
  CANTEEN_EMU_DEVICE_CLASS (klass)->bulk_out = canteen_emu_printer_bulk_out;
  CANTEEN_EMU_DEVICE_CLASS (klass)->control = canteen_emu_printer_control;
  CANTEEN_EMU_DEVICE_CLASS (klass)->reset = canteen_emu_printer_reset;
}

static void
canteen_emu_printer_init (CanteenEmuPrinter *self)
{
  g_mutex_init (&self->lock);
  self->received = g_byte_array_new ();
  self->printed = g_byte_array_new ();
  self->held = g_byte_array_new ();
}

CanteenEmuPrinter *
canteen_emu_printer_new (void)
{
  return g_object_new (CANTEEN_EMU_TYPE_PRINTER, NULL);
}

void
canteen_emu_printer_set_condition (CanteenEmuPrinter *printer, CanteenEmuPrinterCondition condition, gboolean on)
{
  g_mutex_lock (&printer->lock);
  if (on)
    printer->conditions |= condition;
  else
    printer->conditions &= ~condition;
  if (!(printer->conditions & NOT_READY) && printer->held->len)
    {
      g_byte_array_append (printer->printed, printer->held->data, printer->held->len);
      g_byte_array_set_size (printer->held, 0);
    }
  g_mutex_unlock (&printer->lock);
}

CanteenEmuPrinterCondition
canteen_emu_printer_get_conditions (CanteenEmuPrinter *printer)
{
  CanteenEmuPrinterCondition c;

  g_mutex_lock (&printer->lock);
  c = printer->conditions;
  g_mutex_unlock (&printer->lock);
  return c;
}

guint8
canteen_emu_printer_status_byte (CanteenEmuPrinter *printer, guint8 n)
{
  guint8 s;

  g_mutex_lock (&printer->lock);
  s = status_locked (printer, n);
  g_mutex_unlock (&printer->lock);
  return s;
}

static GBytes *
copy_array (CanteenEmuPrinter *printer, GByteArray *array)
{
  GBytes *b;

  g_mutex_lock (&printer->lock);
  b = g_bytes_new (array->data, array->len);
  g_mutex_unlock (&printer->lock);
  return b;
}

GBytes *
canteen_emu_printer_get_received (CanteenEmuPrinter *printer)
{
  return copy_array (printer, printer->received);
}

GBytes *
canteen_emu_printer_get_printed (CanteenEmuPrinter *printer)
{
  return copy_array (printer, printer->printed);
}

GBytes *
canteen_emu_printer_get_held (CanteenEmuPrinter *printer)
{
  return copy_array (printer, printer->held);
}

guint
canteen_emu_printer_get_status_requests (CanteenEmuPrinter *printer)
{
  guint n;

  g_mutex_lock (&printer->lock);
  n = printer->status_requests;
  g_mutex_unlock (&printer->lock);
  return n;
}

void
canteen_emu_printer_clear (CanteenEmuPrinter *printer)
{
  g_mutex_lock (&printer->lock);
  g_byte_array_set_size (printer->received, 0);
  g_byte_array_set_size (printer->printed, 0);
  g_byte_array_set_size (printer->held, 0);
  printer->status_requests = 0;
  printer->scan = SCAN_TEXT;
  g_mutex_unlock (&printer->lock);
}
