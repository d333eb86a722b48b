#include "emu-ccid-reader.h"

#include "ccid.h"
#include "emu-timer.h"

#define CCID_INTERFACE_CLASS   0x0B
#define FEATURES_AUTO          0x000000FE   /* ATR-based parameters, voltage, clock, baud, PPS, IFSD */
#define FEATURES_SHORT_APDU    0x00020000
#define FEATURES_EXTENDED_APDU 0x00040000
#define CLOCK_KHZ              4000
#define DATA_RATE_BPS          10752

/* bError values (CCID rev 1.1 §6.2.6) */
#define ERR_CMD_NOT_SUPPORTED  0x00
#define ERR_BAD_LENGTH         0x01         /* index of the faulty field: dwLength */
#define ERR_BAD_SLOT           0x05
#define ERR_XFR_OVERRUN        0xFC
#define ERR_ICC_MUTE           0xFE

/* Class requests (§5.3) */
#define REQ_ABORT                 0x01
#define REQ_GET_CLOCK_FREQUENCIES 0x02
#define REQ_GET_DATA_RATES        0x03

struct _CanteenEmuCcidReader {
  CanteenEmuDevice parent_instance;

  guint16 vendor_id, product_id;
  char   *product;
  guint32 max_message_length;

  GMutex  lock;             /* the slot; taken before the device's own lock */
  CanteenEmuCard *card;
  gboolean powered;
  guint   time_extensions;
  guint   tap_timer;
};

enum {
  PROP_0,
  PROP_VENDOR_ID,
  PROP_PRODUCT_ID,
  PROP_PRODUCT,
  PROP_MAX_MESSAGE_LENGTH,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (CanteenEmuCcidReader, canteen_emu_ccid_reader, CANTEEN_EMU_TYPE_DEVICE)

static void
put32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
  p[2] = (guint8) (v >> 16);
  p[3] = (guint8) (v >> 24);
}

/* ---- replies (reader lock held) ---------------------------------------- */

static guint8
icc_status_locked (CanteenEmuCcidReader *self)
{
  if (!self->card)
    return CANTEEN_CCID_ICC_ABSENT;
  return self->powered ? CANTEEN_CCID_ICC_ACTIVE : CANTEEN_CCID_ICC_INACTIVE;
}

static void
send_locked (CanteenEmuCcidReader *self, guint8 type, guint8 slot, guint8 seq, guint8 command_status,
             guint8 error, guint8 specific, const guint8 *data, gsize len)
{
  g_autofree guint8 *msg = g_malloc (CANTEEN_CCID_HEADER_LEN + len);

  msg[0] = type;
  put32 (msg + 1, (guint32) len);
  msg[5] = slot;
  msg[6] = seq;
  msg[7] = (guint8) (command_status << 6 | icc_status_locked (self));
  msg[8] = error;
  msg[9] = specific;
  if (len)
    memcpy (msg + CANTEEN_CCID_HEADER_LEN, data, len);
  canteen_emu_device_push_in (CANTEEN_EMU_DEVICE (self), CANTEEN_EMU_CCID_BULK_IN, msg,
                              CANTEEN_CCID_HEADER_LEN + len);
}

static void
slot_status_locked (CanteenEmuCcidReader *self, guint8 slot, guint8 seq, guint8 command_status, guint8 error)
{
  send_locked (self, CANTEEN_CCID_RDR_TO_PC_SLOT_STATUS, slot, seq, command_status, error,
               0 /* bClockStatus: running */, NULL, 0);
}

static void
time_extensions_locked (CanteenEmuCcidReader *self, guint8 slot, guint8 seq)
{
  for (guint i = 0; i < self->time_extensions; i++)
    send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_TIME_EXTENSION,
                 1 /* BWT multiplier */, 0, NULL, 0);
}

static void
notify_slot_locked (CanteenEmuCcidReader *self, gboolean present)
{
  guint8 msg[2] = { CANTEEN_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE, (guint8) ((present ? 0x01 : 0x00) | 0x02) };

  canteen_emu_device_push_in (CANTEEN_EMU_DEVICE (self), CANTEEN_EMU_CCID_INTERRUPT_IN, msg, sizeof msg);
}

/* ---- PC_to_RDR --------------------------------------------------------- */

static void
power_on_locked (CanteenEmuCcidReader *self, guint8 slot, guint8 seq)
{
  g_autoptr(GBytes) atr = NULL;
  gsize len;
  const guint8 *data;

  if (!self->card)
    {
      send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_FAILED,
                   ERR_ICC_MUTE, 0, NULL, 0);
      return;
    }
  canteen_emu_card_reset (self->card);
  self->powered = TRUE;
  atr = canteen_emu_card_get_atr (self->card);
  data = g_bytes_get_data (atr, &len);
  time_extensions_locked (self, slot, seq);
  send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_OK, 0, 0, data, len);
}

static void
xfr_block_locked (CanteenEmuCcidReader *self, guint8 slot, guint8 seq, const guint8 *apdu, gsize len)
{
  g_autoptr(GBytes) response = NULL;
  gsize rlen;
  const guint8 *rdata;

  if (!self->card || !self->powered)
    {
      send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_FAILED,
                   ERR_ICC_MUTE, 0, NULL, 0);
      return;
    }
  response = canteen_emu_card_transmit (self->card, apdu, len);
  rdata = g_bytes_get_data (response, &rlen);
  time_extensions_locked (self, slot, seq);
  if (CANTEEN_CCID_HEADER_LEN + rlen > self->max_message_length)
    send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_FAILED,
                 ERR_XFR_OVERRUN, 0, NULL, 0);
  else
    send_locked (self, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK, slot, seq, CANTEEN_CCID_COMMAND_OK, 0, 0, rdata, rlen);
}

static void
parameters_locked (CanteenEmuCcidReader *self, guint8 slot, guint8 seq)
{
  /* T=1: Fi/Di 11h, TCCKS 10h, guard time 0, BWI/CWI 4Dh, clock stop 0,
   * IFSC FEh, NAD 0. */
  static const guint8 t1[] = { 0x11, 0x10, 0x00, 0x4D, 0x00, 0xFE, 0x00 };

  if (!self->card)
    {
      slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_FAILED, ERR_ICC_MUTE);
      return;
    }
  send_locked (self, CANTEEN_CCID_RDR_TO_PC_PARAMETERS, slot, seq, CANTEEN_CCID_COMMAND_OK, 0,
               1 /* bProtocolNum: T=1 */, t1, sizeof t1);
}

static void
canteen_emu_ccid_reader_bulk_out (CanteenEmuDevice *device, guint8 endpoint, GBytes *bytes)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (device);
  gsize len;
  const guint8 *m = g_bytes_get_data (bytes, &len);
  guint32 dw;
  guint8 slot, seq;

  if (endpoint != CANTEEN_EMU_CCID_BULK_OUT || len < CANTEEN_CCID_HEADER_LEN)
    {
      g_debug ("emulated CCID: %zu bytes on endpoint %02x ignored", len, endpoint);
      return;
    }
  dw = (guint32) (m[1] | m[2] << 8 | m[3] << 16 | (guint32) m[4] << 24);
  slot = m[5];
  seq = m[6];

  g_mutex_lock (&self->lock);
  if ((gsize) dw != len - CANTEEN_CCID_HEADER_LEN)
    slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_FAILED, ERR_BAD_LENGTH);
  else if (slot != 0)
    slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_FAILED, ERR_BAD_SLOT);
  else
    switch (m[0])
      {
      case CANTEEN_CCID_PC_TO_RDR_ICC_POWER_ON:
        power_on_locked (self, slot, seq);
        break;
      case CANTEEN_CCID_PC_TO_RDR_ICC_POWER_OFF:
        self->powered = FALSE;
        slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_OK, 0);
        break;
      case CANTEEN_CCID_PC_TO_RDR_GET_SLOT_STATUS:
        slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_OK, 0);
        break;
      case CANTEEN_CCID_PC_TO_RDR_XFR_BLOCK:
        xfr_block_locked (self, slot, seq, m + CANTEEN_CCID_HEADER_LEN, dw);
        break;
      case 0x61:   /* SetParameters */
      case 0x6C:   /* GetParameters */
      case 0x6D:   /* ResetParameters */
        parameters_locked (self, slot, seq);
        break;
      default:
        slot_status_locked (self, slot, seq, CANTEEN_CCID_COMMAND_FAILED, ERR_CMD_NOT_SUPPORTED);
        break;
      }
  g_mutex_unlock (&self->lock);
}

static int
canteen_emu_ccid_reader_control (CanteenEmuDevice *device, const CanteenEmuSetup *setup,
                                 const guint8 *data, gsize len, GBytes **reply)
{
  guint8 v[4];

  if (setup->request_type == 0x21 && setup->request == REQ_ABORT)
    return 0;
  if (setup->request_type == 0xA1 && setup->request == REQ_GET_CLOCK_FREQUENCIES)
    {
      put32 (v, CLOCK_KHZ);
      *reply = g_bytes_new (v, 4);
      return 0;
    }
  if (setup->request_type == 0xA1 && setup->request == REQ_GET_DATA_RATES)
    {
      put32 (v, DATA_RATE_BPS);
      *reply = g_bytes_new (v, 4);
      return 0;
    }
  return CANTEEN_EMU_DEVICE_CLASS (canteen_emu_ccid_reader_parent_class)->control (device, setup, data, len, reply);
}

static void
canteen_emu_ccid_reader_reset (CanteenEmuDevice *device)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (device);

  g_mutex_lock (&self->lock);
  self->powered = FALSE;
  if (self->card)
    canteen_emu_card_reset (self->card);
  g_mutex_unlock (&self->lock);
}

/* ---- object ------------------------------------------------------------ */

static GBytes *
build_config (guint32 max_message_length)
{
  GByteArray *config = canteen_emu_config_new (100);
  guint8 ccid[0x36] = { 0x36, 0x21, 0x10, 0x01 /* bcdCCID 1.10 */, 0 /* one slot */, 0x07 /* 5, 3, 1.8 V */ };
  guint32 features = FEATURES_AUTO |
                     (max_message_length > CANTEEN_EMU_CCID_SHORT_MAX_MESSAGE ? FEATURES_EXTENDED_APDU
                                                                             : FEATURES_SHORT_APDU);

  put32 (ccid + 6, 0x00000002);          /* dwProtocols: T=1 */
  put32 (ccid + 10, CLOCK_KHZ);          /* dwDefaultClock */
  put32 (ccid + 14, CLOCK_KHZ);          /* dwMaximumClock */
  ccid[18] = 0;                          /* bNumClockSupported */
  put32 (ccid + 19, DATA_RATE_BPS);      /* dwDataRate */
  put32 (ccid + 23, DATA_RATE_BPS);      /* dwMaxDataRate */
  ccid[27] = 0;                          /* bNumDataRatesSupported */
  put32 (ccid + 28, 254);                /* dwMaxIFSD */
  put32 (ccid + 32, 0);                  /* dwSynchProtocols */
  put32 (ccid + 36, 0);                  /* dwMechanical */
  put32 (ccid + 40, features);
  put32 (ccid + 44, max_message_length);
  ccid[48] = 0xFF;                       /* bClassGetResponse: echo */
  ccid[49] = 0xFF;                       /* bClassEnvelope: echo */
  ccid[50] = ccid[51] = 0;               /* wLcdLayout */
  ccid[52] = 0;                          /* bPINSupport */
  ccid[53] = 1;                          /* bMaxCCIDBusySlots */

  canteen_emu_config_interface (config, 0, 3, CCID_INTERFACE_CLASS, 0, 0);
  canteen_emu_config_raw (config, ccid, sizeof ccid);
  canteen_emu_config_endpoint (config, CANTEEN_EMU_CCID_BULK_OUT, CANTEEN_EMU_EP_BULK, 64, 0);
  canteen_emu_config_endpoint (config, CANTEEN_EMU_CCID_BULK_IN, CANTEEN_EMU_EP_BULK, 64, 0);
  canteen_emu_config_endpoint (config, CANTEEN_EMU_CCID_INTERRUPT_IN, CANTEEN_EMU_EP_INTERRUPT, 8, 16);
  return canteen_emu_config_finish (config);
}

static void
canteen_emu_ccid_reader_constructed (GObject *object)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (object);
  CanteenEmuDevice *device = CANTEEN_EMU_DEVICE (object);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GError) error = NULL;
  CanteenEmuIdentity id = {
    .vendor_id = self->vendor_id,
    .product_id = self->product_id,
    .bcd_device = 0x0100,
    .manufacturer = "Canteen",
    .product = self->product,
    .serial = "EMU-CCID-0001",
  };

  G_OBJECT_CLASS (canteen_emu_ccid_reader_parent_class)->constructed (object);
  config = build_config (self->max_message_length);
  if (!canteen_emu_device_set_descriptors (device, &id, config, &error))
    g_error ("emulated CCID reader: %s", error->message);
  canteen_emu_device_set_in_limit (device, CANTEEN_EMU_CCID_INTERRUPT_IN, 8);
}

static void
canteen_emu_ccid_reader_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (object);

  switch (prop_id)
    {
    case PROP_VENDOR_ID:
      self->vendor_id = (guint16) g_value_get_uint (value);
      break;
    case PROP_PRODUCT_ID:
      self->product_id = (guint16) g_value_get_uint (value);
      break;
    case PROP_PRODUCT:
      g_free (self->product);
      self->product = g_value_dup_string (value);
      break;
    case PROP_MAX_MESSAGE_LENGTH:
      self->max_message_length = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_emu_ccid_reader_finalize (GObject *object)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (object);

  canteen_emu_timer_cancel (self->tap_timer);
  g_clear_object (&self->card);
  g_free (self->product);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_emu_ccid_reader_parent_class)->finalize (object);
}

static void
canteen_emu_ccid_reader_class_init (CanteenEmuCcidReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CanteenEmuDeviceClass *device_class = CANTEEN_EMU_DEVICE_CLASS (klass);
  GParamFlags flags = G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = canteen_emu_ccid_reader_constructed;
  object_class->set_property = canteen_emu_ccid_reader_set_property;
  object_class->finalize = canteen_emu_ccid_reader_finalize;
  device_class->bulk_out = canteen_emu_ccid_reader_bulk_out;
  device_class->control = canteen_emu_ccid_reader_control;
  device_class->reset = canteen_emu_ccid_reader_reset;

  g_object_class_install_property (object_class, PROP_VENDOR_ID,
    g_param_spec_uint ("vendor-id", NULL, NULL, 0, 0xFFFF, CANTEEN_EMU_CCID_DEFAULT_VID, flags));
  g_object_class_install_property (object_class, PROP_PRODUCT_ID,
    g_param_spec_uint ("product-id", NULL, NULL, 0, 0xFFFF, CANTEEN_EMU_CCID_DEFAULT_PID, flags));
  g_object_class_install_property (object_class, PROP_PRODUCT,
    g_param_spec_string ("product", NULL, NULL, "Canteen Emulated CCID Reader", flags));
  g_object_class_install_property (object_class, PROP_MAX_MESSAGE_LENGTH,
    g_param_spec_uint ("max-message-length", NULL, NULL, CANTEEN_CCID_HEADER_LEN + 5, CANTEEN_CCID_ABSOLUTE_MAX,
                       CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE, flags));
}

static void
canteen_emu_ccid_reader_init (CanteenEmuCcidReader *self)
{
  g_mutex_init (&self->lock);
}

CanteenEmuCcidReader *
canteen_emu_ccid_reader_new (void)
{
  return g_object_new (CANTEEN_EMU_TYPE_CCID_READER, NULL);
}

CanteenEmuCcidReader *
canteen_emu_ccid_reader_new_full (guint16 vendor_id, guint16 product_id, const char *product,
                                  guint32 max_message_length)
{
  return g_object_new (CANTEEN_EMU_TYPE_CCID_READER,
                       "vendor-id", (guint) (vendor_id ? vendor_id : CANTEEN_EMU_CCID_DEFAULT_VID),
                       "product-id", (guint) (product_id ? product_id : CANTEEN_EMU_CCID_DEFAULT_PID),
                       "product", product ? product : "Canteen Emulated CCID Reader",
                       "max-message-length", max_message_length ? max_message_length
                                                                : CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE,
                       NULL);
}

static void
remove_locked (CanteenEmuCcidReader *self)
{
  if (!self->card)
    return;
  g_clear_object (&self->card);
  self->powered = FALSE;
  notify_slot_locked (self, FALSE);
}

void
canteen_emu_ccid_reader_insert (CanteenEmuCcidReader *reader, CanteenEmuCard *card)
{
  g_return_if_fail (CANTEEN_EMU_IS_CARD (card));
  g_mutex_lock (&reader->lock);
  remove_locked (reader);
  reader->card = g_object_ref (card);
  reader->powered = FALSE;
  notify_slot_locked (reader, TRUE);
  g_mutex_unlock (&reader->lock);
}

void
canteen_emu_ccid_reader_remove (CanteenEmuCcidReader *reader)
{
  g_mutex_lock (&reader->lock);
  remove_locked (reader);
  g_mutex_unlock (&reader->lock);
}

static gboolean
tap_end_cb (GObject *object, gpointer user_data)
{
  CanteenEmuCcidReader *self = CANTEEN_EMU_CCID_READER (object);

  g_mutex_lock (&self->lock);
  /* Only the tapped card leaves; one put there since stays. */
  if (self->card == user_data)
    remove_locked (self);
  self->tap_timer = 0;
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

void
canteen_emu_ccid_reader_tap (CanteenEmuCcidReader *reader, CanteenEmuCard *card, guint hold_ms)
{
  guint old;

  canteen_emu_ccid_reader_insert (reader, card);
  if (!hold_ms)
    return;
  g_mutex_lock (&reader->lock);
  old = reader->tap_timer;
  reader->tap_timer = canteen_emu_timer_add (G_OBJECT (reader), hold_ms, tap_end_cb,
                                             g_object_ref (card), g_object_unref);
  g_mutex_unlock (&reader->lock);
  canteen_emu_timer_cancel (old);
}

CanteenEmuCard *
canteen_emu_ccid_reader_dup_card (CanteenEmuCcidReader *reader)
{
  CanteenEmuCard *card;

  g_mutex_lock (&reader->lock);
  card = reader->card ? g_object_ref (reader->card) : NULL;
  g_mutex_unlock (&reader->lock);
  return card;
}

void
canteen_emu_ccid_reader_set_time_extensions (CanteenEmuCcidReader *reader, guint n)
{
  g_mutex_lock (&reader->lock);
  reader->time_extensions = n;
  g_mutex_unlock (&reader->lock);
}
