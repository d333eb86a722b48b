/* reader-hid.c — HID card readers that report a card's UID in interrupt-IN
 * reports: keyboard-wedge readers (a boot keyboard that "types" the UID and
 * Enter) and readers with a vendor report (report 01, length, UID).
 *
 * A keyboard-wedge reader is indistinguishable from a keyboard by class, so
 * this driver matches by VID:PID only, and detaches the kernel's usbhid
 * explicitly: the UID must reach the till, not whatever window has focus.
 * Such a reader says nothing when the card leaves, so the session is
 * removed shortly after the tap (REMOVE_AFTER_MS). Sessions are UID-only.
 */
#include "card-reader.h"
#include "card-session.h"
#include "device-error.h"
#include "drivers.h"
#include "hid-card.h"

#define REMOVE_AFTER_MS  800
#define RETRY_AFTER_MS   500
/* A reader types a UID in a few tens of ms; keys after a longer silence
 * start a new UID (the rest of a half-typed one is never kept). */
#define TYPING_GAP_US    (500 * G_TIME_SPAN_MILLISECOND)

struct _CanteenHidReader {
  CanteenDevice          parent_instance;
  guint8                 ep_intr;
  guint16                report_size;
  gboolean               keyboard;
  CanteenHidCardDecoder  decoder;
  gint64                 last_report;
  CanteenCardSession    *session;
  GCancellable          *cancellable;
  guint                  remove_id;
  guint                  retry_id;
};

static void canteen_hid_reader_card_reader_init (CanteenCardReaderInterface *iface) { }

G_DEFINE_FINAL_TYPE_WITH_CODE (CanteenHidReader, canteen_hid_reader, CANTEEN_TYPE_DEVICE,
                               G_IMPLEMENT_INTERFACE (CANTEEN_TYPE_CARD_READER,
                                                      canteen_hid_reader_card_reader_init))

static void
end_session (CanteenHidReader *self)
{
  g_autoptr (CanteenCardSession) session = g_steal_pointer (&self->session);

  g_clear_handle_id (&self->remove_id, g_source_remove);
  if (session != NULL)
    canteen_card_reader_emit_removed (CANTEEN_CARD_READER (self), session);
}

static gboolean
remove_timeout (gpointer data)
{
  CanteenHidReader *self = data;

  self->remove_id = 0;
  end_session (self);
  return G_SOURCE_REMOVE;
}

static void
card_read (CanteenHidReader *self, const CanteenHidCardUid *uid)
{
  g_autoptr (GBytes) bytes = g_bytes_new (uid->bytes, uid->len);

  end_session (self);
  self->session = canteen_card_session_new (CANTEEN_CARD_READER (self), CANTEEN_CARD_KIND_UID_ONLY, bytes, NULL);
  canteen_card_reader_emit_inserted (CANTEEN_CARD_READER (self), self->session);
  if (self->session != NULL && self->remove_id == 0)
    self->remove_id = g_timeout_add (REMOVE_AFTER_MS, remove_timeout, self);
}

static void listen (CanteenHidReader *self);

static gboolean
retry_listen (gpointer data)
{
  CanteenHidReader *self = data;

  self->retry_id = 0;
  listen (self);
  return G_SOURCE_REMOVE;
}

static void
report_received (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenHidReader *self = CANTEEN_HID_READER (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) report = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);
  CanteenHidCardUid uid;
  gsize len;
  const guint8 *bytes;

  if (report == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_GONE))
        return;
      canteen_device_set_failed (CANTEEN_DEVICE (self), error);
      self->retry_id = g_timeout_add (RETRY_AFTER_MS, retry_listen, self);
      return;
    }
  canteen_device_set_ready (CANTEEN_DEVICE (self));
  bytes = g_bytes_get_data (report, &len);

  if (self->keyboard)
    {
      gint64 now = g_get_monotonic_time ();
      if (now - self->last_report > TYPING_GAP_US)
        canteen_hid_card_decoder_reset (&self->decoder);
      self->last_report = now;
      switch (canteen_hid_card_decoder_feed (&self->decoder, bytes, len, &uid, &error))
        {
        case CANTEEN_HID_CARD_COMPLETE:
          card_read (self, &uid);
          break;
        case CANTEEN_HID_CARD_FAILED:
          g_prefix_error (&error, "%s: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
          canteen_card_reader_emit_unreadable (CANTEEN_CARD_READER (self), error->message);
          break;
        case CANTEEN_HID_CARD_NEED_MORE:
        default:
          break;
        }
    }
  else if (canteen_hid_card_parse_vendor_report (bytes, len, &uid, &error))
    card_read (self, &uid);
  else
    {
      g_prefix_error (&error, "%s: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
      canteen_card_reader_emit_unreadable (CANTEEN_CARD_READER (self), error->message);
    }
  listen (self);
}

static void
listen (CanteenHidReader *self)
{
  canteen_device_transfer (CANTEEN_DEVICE (self), "waiting for a card", LIBUSB_TRANSFER_TYPE_INTERRUPT,
                           self->ep_intr, NULL, self->report_size, 0, self->cancellable,
                           report_received, NULL);
}

static gboolean
hid_open (CanteenDevice *device, GError **error)
{
  CanteenHidReader *self = CANTEEN_HID_READER (device);
  CanteenInterfaceInfo info;

  if (!canteen_device_get_interface_info (device, &info, error))
    return FALSE;
  self->keyboard = info.subclass == 1 && info.protocol == 1;
  canteen_interface_info_clear (&info);
  if (!canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_INTERRUPT, LIBUSB_ENDPOINT_IN,
                                     &self->ep_intr, &self->report_size))
    {
      canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "opening",
                                "the interface has no interrupt IN endpoint");
      return FALSE;
    }
  self->report_size = MAX (self->report_size, CANTEEN_HID_CARD_BOOT_REPORT_LEN);
  if (!canteen_device_claim_interface (device, canteen_device_get_interface (device), error))
    return FALSE;

  canteen_hid_card_decoder_init (&self->decoder);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  listen (self);
  return TRUE;
}

static void
hid_cancel (CanteenDevice *device)
{
  CanteenHidReader *self = CANTEEN_HID_READER (device);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
hid_close (CanteenDevice *device)
{
  CanteenHidReader *self = CANTEEN_HID_READER (device);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  end_session (self);
}

/* Keyboard-wedge and vendor-report readers seen in canteens, plus the
 * emulated reader (tests and demo). */
static const CanteenUsbId hid_reader_ids[] = {
  CANTEEN_USB_ID_VIDPID_CLASS (0xFFFF, 0x0035, LIBUSB_CLASS_HID),   /* "Sycreader" RFID keyboard readers */
  CANTEEN_USB_ID_VIDPID_CLASS (0x08FF, 0x0009, LIBUSB_CLASS_HID),   /* AuthenTec-based RFID keyboard readers */
  CANTEEN_USB_ID_VIDPID_CLASS (0x1A86, 0xDD01, LIBUSB_CLASS_HID),   /* CH9328-based RFID keyboard readers */
  CANTEEN_USB_ID_VIDPID_CLASS (0x1209, 0x0002, LIBUSB_CLASS_HID),   /* canteen emulated HID reader (pid.codes test VID) */
  CANTEEN_USB_ID_END
};

static void
canteen_hid_reader_dispose (GObject *object)
{
  CanteenHidReader *self = CANTEEN_HID_READER (object);

  g_clear_handle_id (&self->remove_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (canteen_hid_reader_parent_class)->dispose (object);
}

static void
canteen_hid_reader_class_init (CanteenHidReaderClass *klass)
{
  CanteenDeviceClass *device_class = CANTEEN_DEVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_hid_reader_dispose;
  device_class->driver = "hid-reader";
  device_class->kind = CANTEEN_DEVICE_KIND_CARD_READER;
  device_class->id_table = hid_reader_ids;
  device_class->open = hid_open;
  device_class->close = hid_close;
  device_class->cancel = hid_cancel;
}

static void
canteen_hid_reader_init (CanteenHidReader *self)
{
}
