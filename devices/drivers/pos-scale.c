/* pos-scale.c — USB HID point-of-sale scales.
 *
 * Matched by VID:PID (the scales sold for counters) and confirmed at open by
 * the report descriptor's usage page 0x8D (Scale): probing every HID device
 * by its descriptor would mean detaching the kiosk's own touch screen. The
 * report descriptor also says whether reports carry a report ID.
 */
#include "device-error.h"
#include "pos-scale.h"

#define CONTROL_TIMEOUT_MS   1000
#define RETRY_AFTER_MS       500
#define HID_REPORT_DESCRIPTOR 0x22
#define HID_GET_REPORT        0x01
#define HID_INPUT_REPORT      0x01
#define USAGE_PAGE_SCALE      0x8D

struct _CanteenPosScale {
  CanteenDevice        parent_instance;
  guint8               ep_intr;
  guint16              report_size;
  gboolean             has_report_id;
  gboolean             have_reading;
  CanteenScaleReading  gross;
  gint                 tare;
  GCancellable        *cancellable;
  guint                retry_id;
};

G_DEFINE_FINAL_TYPE (CanteenPosScale, canteen_pos_scale, CANTEEN_TYPE_DEVICE)

enum { SIGNAL_READING_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

const char *
canteen_scale_status_to_string (CanteenScaleStatus status)
{
  switch (status)
    {
    case CANTEEN_SCALE_FAULT:             return "fault";
    case CANTEEN_SCALE_STABLE_ZERO:       return "zero";
    case CANTEEN_SCALE_IN_MOTION:         return "in-motion";
    case CANTEEN_SCALE_STABLE:            return "stable";
    case CANTEEN_SCALE_UNDER_ZERO:        return "under-zero";
    case CANTEEN_SCALE_OVER_CAPACITY:     return "over-capacity";
    case CANTEEN_SCALE_NEEDS_CALIBRATION: return "needs-calibration";
    case CANTEEN_SCALE_NEEDS_REZERO:      return "needs-rezero";
    default:                              return "unknown";
    }
}

gboolean
canteen_pos_scale_get_reading (CanteenPosScale *self, CanteenScaleReading *out)
{
  g_return_val_if_fail (CANTEEN_IS_POS_SCALE (self), FALSE);
  if (!self->have_reading)
    return FALSE;
  *out = self->gross;
  if (out->valid)
    out->grams -= self->tare;
  return TRUE;
}

gint
canteen_pos_scale_get_tare (CanteenPosScale *self)
{
  return self->tare;
}

gboolean
canteen_pos_scale_tare (CanteenPosScale *self, GError **error)
{
  if (!self->have_reading || !self->gross.valid || !self->gross.stable)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), error, CANTEEN_DEVICE_ERROR_FAILED, "taring",
                                "the weight is not stable");
      return FALSE;
    }
  self->tare = self->gross.grams;
  g_signal_emit (self, signals[SIGNAL_READING_CHANGED], 0);
  return TRUE;
}

void
canteen_pos_scale_clear_tare (CanteenPosScale *self)
{
  self->tare = 0;
  g_signal_emit (self, signals[SIGNAL_READING_CHANGED], 0);
}

static void
take_report (CanteenPosScale *self, GBytes *report)
{
  g_autoptr (GError) error = NULL;
  CanteenScaleReading r;

  if (!canteen_scale_parse_report (g_bytes_get_data (report, NULL), g_bytes_get_size (report),
                                   self->has_report_id, &r, &error))
    {
      /* Another report of the device (not the weight), or garbage: skip. */
      g_debug ("%s: %s", canteen_device_get_name (CANTEEN_DEVICE (self)), error->message);
      return;
    }
  if (self->have_reading && memcmp (&r, &self->gross, sizeof r) == 0)
    return;
  self->gross = r;
  self->have_reading = TRUE;
  g_signal_emit (self, signals[SIGNAL_READING_CHANGED], 0);
}

static void listen (CanteenPosScale *self);

static gboolean
retry_listen (gpointer data)
{
  CanteenPosScale *self = data;

  self->retry_id = 0;
  listen (self);
  return G_SOURCE_REMOVE;
}

static gboolean
ignorable (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_GONE);
}

static void
report_received (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) report = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);

  if (report == NULL)
    {
      if (ignorable (error))
        return;
      canteen_device_set_failed (CANTEEN_DEVICE (self), error);
      self->retry_id = g_timeout_add (RETRY_AFTER_MS, retry_listen, self);
      return;
    }
  canteen_device_set_ready (CANTEEN_DEVICE (self));
  take_report (self, report);
  listen (self);
}

static void
listen (CanteenPosScale *self)
{
  canteen_device_transfer (CANTEEN_DEVICE (self), "reading the weight", LIBUSB_TRANSFER_TYPE_INTERRUPT,
                           self->ep_intr, NULL, self->report_size, 0, self->cancellable,
                           report_received, NULL);
}

static void
current_report (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) report = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);

  /* GET_REPORT is optional for us: the interrupt reports follow anyway. */
  if (report != NULL && !self->have_reading)
    take_report (self, report);
}

/* Walks the report descriptor's short items: is there a Usage Page
 * (Scale), and a Report ID? */
static gboolean
scan_report_descriptor (const guint8 *d, gsize len, gboolean *has_report_id)
{
  gboolean scale = FALSE;

  *has_report_id = FALSE;
  for (gsize i = 0; i < len;)
    {
      guint8 prefix = d[i];
      gsize size = (prefix & 3) == 3 ? 4 : (prefix & 3);
      guint32 value = 0;

      if (prefix == 0xFE)   /* long item: skip it whole */
        {
          if (i + 1 >= len)
            break;
          i += 3 + d[i + 1];
          continue;
        }
      if (i + 1 + size > len)
        break;
      for (gsize b = 0; b < size; b++)
        value |= (guint32) d[i + 1 + b] << (8 * b);
      if ((prefix & 0xFC) == 0x04 && value == USAGE_PAGE_SCALE)
        scale = TRUE;
      if ((prefix & 0xFC) == 0x84)
        *has_report_id = TRUE;
      i += 1 + size;
    }
  return scale;
}

static void
descriptor_read (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (source);
  CanteenDevice *device = CANTEEN_DEVICE (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) desc = canteen_device_transfer_finish (device, result, &error);

  if (desc == NULL)
    {
      if (!ignorable (error))
        canteen_device_set_failed (device, error);
      return;
    }
  if (!scan_report_descriptor (g_bytes_get_data (desc, NULL), g_bytes_get_size (desc), &self->has_report_id))
    {
      canteen_device_set_error (device, &error, CANTEEN_DEVICE_ERROR_NOT_SUPPORTED, "opening",
                                "not a point-of-sale scale (no usage page 0x8D)");
      canteen_device_set_failed (device, error);
      return;
    }
  canteen_device_control (device, "asking for the weight",
                          LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                          HID_GET_REPORT, (HID_INPUT_REPORT << 8) | (self->has_report_id ? CANTEEN_SCALE_REPORT_ID : 0),
                          (guint16) canteen_device_get_interface (device), NULL, self->report_size,
                          CONTROL_TIMEOUT_MS, self->cancellable, current_report, NULL);
  listen (self);
}

static gboolean
scale_open (CanteenDevice *device, GError **error)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (device);
  gint number = canteen_device_get_interface (device);

  self->have_reading = FALSE;
  if (!canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_INTERRUPT, LIBUSB_ENDPOINT_IN,
                                     &self->ep_intr, &self->report_size))
    {
      canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "opening",
                                "interface %d has no interrupt IN endpoint", number);
      return FALSE;
    }
  self->report_size = MAX (self->report_size, 8);
  if (!canteen_device_claim_interface (device, number, error))
    return FALSE;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  canteen_device_control (device, "reading the report descriptor",
                          LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD | LIBUSB_RECIPIENT_INTERFACE,
                          LIBUSB_REQUEST_GET_DESCRIPTOR, HID_REPORT_DESCRIPTOR << 8, (guint16) number,
                          NULL, 1024, CONTROL_TIMEOUT_MS, self->cancellable, descriptor_read, NULL);
  return TRUE;
}

static void
scale_cancel (CanteenDevice *device)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (device);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
scale_close (CanteenDevice *device)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (device);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->have_reading = FALSE;
}

static const CanteenUsbId scale_ids[] = {
  CANTEEN_USB_ID_VIDPID_CLASS (0x0922, 0x8003, LIBUSB_CLASS_HID),   /* DYMO M10 */
  CANTEEN_USB_ID_VIDPID_CLASS (0x0922, 0x8004, LIBUSB_CLASS_HID),   /* DYMO M25 */
  CANTEEN_USB_ID_VIDPID_CLASS (0x0922, 0x8009, LIBUSB_CLASS_HID),   /* DYMO S250 */
  CANTEEN_USB_ID_VIDPID_CLASS (0x0EB8, 0xF000, LIBUSB_CLASS_HID),   /* Mettler Toledo PS60 */
  CANTEEN_USB_ID_VIDPID_CLASS (0x1446, 0x6A73, LIBUSB_CLASS_HID),   /* Stamps.com scales */
  CANTEEN_USB_ID_VIDPID_CLASS (0x0B67, 0x555E, LIBUSB_CLASS_HID),   /* Fairbanks SCB-R9000 */
  CANTEEN_USB_ID_VIDPID_CLASS (0x1209, 0x0003, LIBUSB_CLASS_HID),   /* canteen emulated scale (pid.codes test VID) */
  CANTEEN_USB_ID_END
};

static void
canteen_pos_scale_dispose (GObject *object)
{
  CanteenPosScale *self = CANTEEN_POS_SCALE (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (canteen_pos_scale_parent_class)->dispose (object);
}

static void
canteen_pos_scale_class_init (CanteenPosScaleClass *klass)
{
  CanteenDeviceClass *device_class = CANTEEN_DEVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_pos_scale_dispose;
  device_class->driver = "hid-pos-scale";
  device_class->kind = CANTEEN_DEVICE_KIND_SCALE;
  device_class->id_table = scale_ids;
  device_class->open = scale_open;
  device_class->close = scale_close;
  device_class->cancel = scale_cancel;

  signals[SIGNAL_READING_CHANGED] =
    g_signal_new ("reading-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
canteen_pos_scale_init (CanteenPosScale *self)
{
}
