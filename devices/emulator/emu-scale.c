#include "emu-scale.h"

#include <errno.h>

#include "emu-hid.h"
#include "emu-timer.h"

/* Scale page (HID Usage Tables §18): Scales application; the Scale Data
 * Report with status, unit, data scaling (exponent) and data weight. */
static const guint8 report_descriptor[] = {
  0x05, 0x8D,                   /* Usage Page (Scale) */
  0x09, 0x01,                   /* Usage (Scales) */
  0xA1, 0x01,                   /* Collection (Application) */
  0x85, CANTEEN_SCALE_REPORT_ID,/*   Report ID (3) */
  0x09, 0x32,                   /*   Usage (Scale Data Report) */
  0xA1, 0x02,                   /*   Collection (Logical) */
  0x09, 0x70,                   /*     Usage (Scale Status) */
  0x15, 0x01, 0x25, 0x08,       /*     Logical 1..8 */
  0x75, 0x08, 0x95, 0x01,       /*     8 bits × 1 */
  0x81, 0x02,                   /*     Input (Data, Var, Abs) */
  0x09, 0x50,                   /*     Usage (Weight Unit) */
  0x15, 0x01, 0x25, 0x0C,       /*     Logical 1..12 */
  0x81, 0x02,                   /*     Input */
  0x09, 0x41,                   /*     Usage (Data Scaling) */
  0x15, 0x81, 0x25, 0x7F,       /*     Logical -127..127 */
  0x81, 0x02,                   /*     Input */
  0x09, 0x40,                   /*     Usage (Data Weight) */
  0x15, 0x00, 0x27, 0xFF, 0xFF, 0x00, 0x00,   /* Logical 0..65535 */
  0x75, 0x10,                   /*     16 bits */
  0x81, 0x02,                   /*     Input */
  0xC0,                         /*   End Collection */
  0xC0,                         /* End Collection */
};

struct _CanteenEmuScale {
  CanteenEmuDevice parent_instance;

  GMutex lock;
  guint8 report[CANTEEN_EMU_SCALE_REPORT_LEN];
  guint  period_ms;
  guint  period_timer;
};

G_DEFINE_FINAL_TYPE (CanteenEmuScale, canteen_emu_scale, CANTEEN_EMU_TYPE_DEVICE)

static void
send_locked (CanteenEmuScale *self)
{
  canteen_emu_device_push_in (CANTEEN_EMU_DEVICE (self), CANTEEN_EMU_SCALE_INTERRUPT_IN, self->report,
                              sizeof self->report);
}

static int
canteen_emu_scale_control (CanteenEmuDevice *device, const CanteenEmuSetup *setup,
                           const guint8 *data, gsize len, GBytes **reply)
{
  CanteenEmuScale *self = CANTEEN_EMU_SCALE (device);
  int status;

  if (canteen_emu_hid_control (setup, report_descriptor, sizeof report_descriptor, &status, reply))
    return status;
  /* GET_REPORT (input report 3) */
  if (setup->request_type == 0xA1 && setup->request == 0x01)
    {
      if (setup->value != (0x0100 | CANTEEN_SCALE_REPORT_ID))
        return -EPIPE;
      g_mutex_lock (&self->lock);
      *reply = g_bytes_new (self->report, sizeof self->report);
      g_mutex_unlock (&self->lock);
      return 0;
    }
  return CANTEEN_EMU_DEVICE_CLASS (canteen_emu_scale_parent_class)->control (device, setup, data, len, reply);
}

/* A host starts listening: it hears the current reading at once, not only
 * at the next change. */
static void
canteen_emu_scale_claimed (CanteenEmuDevice *device, guint8 interface)
{
  CanteenEmuScale *self = CANTEEN_EMU_SCALE (device);

  g_mutex_lock (&self->lock);
  send_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
canteen_emu_scale_constructed (GObject *object)
{
  CanteenEmuDevice *device = CANTEEN_EMU_DEVICE (object);
  GByteArray *builder = canteen_emu_config_new (100);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GError) error = NULL;
  CanteenEmuIdentity id = {
    .vendor_id = CANTEEN_EMU_SCALE_VID,
    .product_id = CANTEEN_EMU_SCALE_PID,
    .bcd_device = 0x0100,
    .manufacturer = "Canteen",
    .product = "Canteen Emulated POS Scale",
    .serial = "EMU-SCALE-0001",
  };

  G_OBJECT_CLASS (canteen_emu_scale_parent_class)->constructed (object);
  canteen_emu_config_interface (builder, 0, 1, CANTEEN_EMU_HID_CLASS, 0, 0);
  canteen_emu_hid_config_descriptor (builder, sizeof report_descriptor);
  canteen_emu_config_endpoint (builder, CANTEEN_EMU_SCALE_INTERRUPT_IN, CANTEEN_EMU_EP_INTERRUPT, 8, 10);
  config = canteen_emu_config_finish (builder);
  if (!canteen_emu_device_set_descriptors (device, &id, config, &error))
    g_error ("emulated scale: %s", error->message);
  canteen_emu_device_set_kernel_driver (device, 0, "usbhid");
  /* A HID device's interrupt endpoint holds its latest report only. */
  canteen_emu_device_set_in_limit (device, CANTEEN_EMU_SCALE_INTERRUPT_IN, 1);
}

static void
canteen_emu_scale_finalize (GObject *object)
{
  CanteenEmuScale *self = CANTEEN_EMU_SCALE (object);

  canteen_emu_timer_cancel (self->period_timer);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_emu_scale_parent_class)->finalize (object);
}

static void
canteen_emu_scale_class_init (CanteenEmuScaleClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = canteen_emu_scale_constructed;
  G_OBJECT_CLASS (klass)->finalize = canteen_emu_scale_finalize;
  CANTEEN_EMU_DEVICE_CLASS (klass)->control = canteen_emu_scale_control;
  CANTEEN_EMU_DEVICE_CLASS (klass)->claimed = canteen_emu_scale_claimed;
}

static void
canteen_emu_scale_init (CanteenEmuScale *self)
{
  g_mutex_init (&self->lock);
  self->report[0] = CANTEEN_SCALE_REPORT_ID;
  self->report[1] = CANTEEN_SCALE_STABLE_ZERO;
  self->report[2] = CANTEEN_EMU_SCALE_UNIT_GRAM;
}

CanteenEmuScale *
canteen_emu_scale_new (void)
{
  return g_object_new (CANTEEN_EMU_TYPE_SCALE, NULL);
}

void
canteen_emu_scale_set (CanteenEmuScale *scale, CanteenScaleStatus status, guint8 unit, gint8 exponent, guint16 weight)
{
  guint8 report[CANTEEN_EMU_SCALE_REPORT_LEN] = {
    CANTEEN_SCALE_REPORT_ID, (guint8) status, unit, (guint8) exponent, (guint8) weight, (guint8) (weight >> 8),
  };

  g_mutex_lock (&scale->lock);
  if (memcmp (report, scale->report, sizeof report) != 0)
    {
      memcpy (scale->report, report, sizeof report);
      send_locked (scale);
    }
  g_mutex_unlock (&scale->lock);
}

void
canteen_emu_scale_set_grams (CanteenEmuScale *scale, gint grams)
{
  CanteenScaleStatus status = grams == 0 ? CANTEEN_SCALE_STABLE_ZERO
                              : grams < 0 ? CANTEEN_SCALE_UNDER_ZERO : CANTEEN_SCALE_STABLE;
  guint magnitude = (guint) ABS (grams);

  if (magnitude > 0xFFFF)
    canteen_emu_scale_set (scale, CANTEEN_SCALE_OVER_CAPACITY, CANTEEN_EMU_SCALE_UNIT_GRAM, 0, 0);
  else
    canteen_emu_scale_set (scale, status, CANTEEN_EMU_SCALE_UNIT_GRAM, 0, (guint16) magnitude);
}

void
canteen_emu_scale_get_report (CanteenEmuScale *scale, guint8 report[CANTEEN_EMU_SCALE_REPORT_LEN])
{
  g_mutex_lock (&scale->lock);
  memcpy (report, scale->report, CANTEEN_EMU_SCALE_REPORT_LEN);
  g_mutex_unlock (&scale->lock);
}

static gboolean
period_cb (GObject *object, gpointer user_data)
{
  CanteenEmuScale *self = CANTEEN_EMU_SCALE (object);

  g_mutex_lock (&self->lock);
  send_locked (self);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

void
canteen_emu_scale_set_period (CanteenEmuScale *scale, guint ms)
{
  guint old;

  g_mutex_lock (&scale->lock);
  old = scale->period_timer;
  scale->period_ms = ms;
  scale->period_timer = ms ? canteen_emu_timer_add (G_OBJECT (scale), ms, period_cb, NULL, NULL) : 0;
  g_mutex_unlock (&scale->lock);
  canteen_emu_timer_cancel (old);
}
