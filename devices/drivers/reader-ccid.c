/* reader-ccid.c — USB CCID smart-card readers (interface class 0x0B, and
 * vendor-class interfaces that carry a CCID class descriptor), so readers we
 * have never seen work.
 *
 * One slot is driven (slot 0; multi-slot readers expose their first). The
 * card's life is an explicit state machine:
 *
 *   NO_CARD ──present──▶ POWERING_ON ──ATR──▶ READING_UID ──UID──▶ PRESENT
 *      ▲                      │ fail               │ fail              │
 *      │                      ▼                    ▼                   │
 *      └──────absent───── UNREADABLE ◀─────────────┘       absent ─────┘
 *
 * Presence comes from the interrupt endpoint's NotifySlotChange (or, for
 * readers without one, a GetSlotStatus poll). Every CCID command is a bulk
 * OUT message and a bulk IN reply, one at a time in a FIFO, with its own
 * bSeq; a reply asking for more time (time extension) re-arms the read.
 * A generation counter drops answers that arrive for a card already gone.
 */
#include "apdu.h"
#include "atr.h"
#include "card-reader.h"
#include "card-session.h"
#include "ccid.h"
#include "device-error.h"
#include "drivers.h"

#define CCID_SLOT              0
#define COMMAND_TIMEOUT_MS     2000
#define OUT_TIMEOUT_MS         1000
#define MAX_TIME_EXTENSIONS    60
#define POLL_INTERVAL_MS       250
#define MAX_UID_LEN            10

typedef enum {
  CCID_NO_CARD,
  CCID_POWERING_ON,
  CCID_READING_UID,
  CCID_PRESENT,
  CCID_UNREADABLE,
} CcidState;

struct _CanteenCcidReader {
  CanteenDevice          parent_instance;
  CanteenCcidDescriptor  desc;
  guint8                 ep_in, ep_out, ep_intr;
  guint16                intr_size;
  guint8                 seq;
  CcidState              state;
  guint                  generation;
  GBytes                *atr;
  CanteenCardSession    *session;
  GCancellable          *cancellable;   /* internal work; replaced on cancel */
  GQueue                 commands;      /* GTask of Command, in order */
  gboolean               command_running; /* the head's transfers are out */
  guint                  poll_id;
};

static void canteen_ccid_reader_card_reader_init (CanteenCardReaderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CanteenCcidReader, canteen_ccid_reader, CANTEEN_TYPE_DEVICE,
                               G_IMPLEMENT_INTERFACE (CANTEEN_TYPE_CARD_READER,
                                                      canteen_ccid_reader_card_reader_init))

/* --- commands: bulk OUT, bulk IN (again while the reader asks for time) */

typedef struct {
  GBytes          *message;
  guint8           seq;
  const char      *operation;
  guint            time_extensions;
  GBytes          *raw;      /* the reply */
  CanteenCcidReply reply;    /* points into raw */
} Command;

static void
command_free (gpointer data)
{
  Command *c = data;
  g_bytes_unref (c->message);
  g_clear_pointer (&c->raw, g_bytes_unref);
  g_free (c);
}

static void command_run_next (CanteenCcidReader *self);

static void
command_finish (CanteenCcidReader *self, GTask *task, GError *error)
{
  g_assert (g_queue_peek_head (&self->commands) == task);
  g_queue_pop_head (&self->commands);
  /* The callback may queue the next command and start it itself. */
  self->command_running = FALSE;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_task_get_task_data (task), NULL);
  g_object_unref (task);
  command_run_next (self);
}

static void
reply_read (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  Command *c = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) raw = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);
  g_autoptr (GError) parse_error = NULL;

  if (raw == NULL)
    return command_finish (self, task, error);
  if (!canteen_ccid_parse_reply (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), CCID_SLOT, c->seq,
                                 self->desc.max_message_length, &c->reply, &parse_error))
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_PROTOCOL,
                                c->operation, "%s", parse_error->message);
      return command_finish (self, task, error);
    }
  if (c->reply.command == CANTEEN_CCID_COMMAND_TIME_EXTENSION)
    {
      guint multiplier = MAX (c->reply.error, 1u);
      if (++c->time_extensions > MAX_TIME_EXTENSIONS)
        {
          canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_TIMED_OUT,
                                    c->operation, "the card kept asking for more time (%u extensions)",
                                    MAX_TIME_EXTENSIONS);
          return command_finish (self, task, error);
        }
      canteen_device_transfer (CANTEEN_DEVICE (self), c->operation, LIBUSB_TRANSFER_TYPE_BULK, self->ep_in,
                               NULL, self->desc.max_message_length, COMMAND_TIMEOUT_MS * multiplier,
                               g_task_get_cancellable (task), reply_read, task);
      return;
    }
  c->raw = g_steal_pointer (&raw);
  command_finish (self, task, NULL);
}

static void
message_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  Command *c = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) nothing = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);

  if (nothing == NULL)
    return command_finish (self, task, error);
  canteen_device_transfer (CANTEEN_DEVICE (self), c->operation, LIBUSB_TRANSFER_TYPE_BULK, self->ep_in,
                           NULL, self->desc.max_message_length, COMMAND_TIMEOUT_MS,
                           g_task_get_cancellable (task), reply_read, task);
}

static void
command_run_next (CanteenCcidReader *self)
{
  GTask *task = g_queue_peek_head (&self->commands);
  Command *c;

  if (task == NULL || self->command_running)
    return;
  self->command_running = TRUE;
  c = g_task_get_task_data (task);
  canteen_device_transfer (CANTEEN_DEVICE (self), c->operation, LIBUSB_TRANSFER_TYPE_BULK, self->ep_out,
                           c->message, 0, OUT_TIMEOUT_MS, g_task_get_cancellable (task), message_sent, task);
}

/* Queues a command; the callback gets a Command (command_result()). */
static void
command_send (CanteenCcidReader *self, const char *operation, GBytes *message, guint8 seq,
              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Command *c = g_new0 (Command, 1);

  c->message = g_bytes_ref (message);
  c->seq = seq;
  c->operation = operation;
  g_task_set_task_data (task, c, command_free);
  g_queue_push_tail (&self->commands, task);
  command_run_next (self);
}

static const Command *
command_result (CanteenCcidReader *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static guint8
next_seq (CanteenCcidReader *self)
{
  return self->seq++;
}

/* --- the card state machine ------------------------------------------ */

static void power_on (CanteenCcidReader *self);

static void
set_state (CanteenCcidReader *self, CcidState state)
{
  static const char *const names[] = { "no-card", "powering-on", "reading-uid", "present", "unreadable" };

  g_debug ("%s: %s → %s", canteen_device_get_name (CANTEEN_DEVICE (self)), names[self->state], names[state]);
  self->state = state;
}

static void
card_gone (CanteenCcidReader *self)
{
  g_autoptr (CanteenCardSession) session = g_steal_pointer (&self->session);

  self->generation++;
  g_clear_pointer (&self->atr, g_bytes_unref);
  set_state (self, CCID_NO_CARD);
  if (session != NULL)
    canteen_card_reader_emit_removed (CANTEEN_CARD_READER (self), session);
}

static void
power_off_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  (void) command_result (CANTEEN_CCID_READER (source), result, &error);
}

static void
card_unreadable (CanteenCcidReader *self, const GError *error)
{
  guint8 seq = next_seq (self);
  g_autoptr (GBytes) off = canteen_ccid_power_off (CCID_SLOT, seq);

  g_message ("%s", error->message);
  set_state (self, CCID_UNREADABLE);
  canteen_card_reader_emit_unreadable (CANTEEN_CARD_READER (self), error->message);
  command_send (self, "powering the card off", off, seq, self->cancellable, power_off_done, NULL);
}

static void
slot_presence (CanteenCcidReader *self, gboolean present)
{
  if (present && self->state == CCID_NO_CARD)
    power_on (self);
  else if (!present && self->state != CCID_NO_CARD)
    card_gone (self);
}

/* PC/SC part 3: a contactless storage card (MIFARE and the like) shows up
 * with historical bytes 80 4F 0C A0 00 00 03 06 …; it answers no APDUs of
 * its own, so it is known by its UID only. */
static CanteenCardKind
kind_from_atr (const CanteenAtr *atr)
{
  static const guint8 storage_card[] = { 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06 };

  if (atr->n_historical >= sizeof storage_card
      && memcmp (atr->historical, storage_card, sizeof storage_card) == 0)
    return CANTEEN_CARD_KIND_UID_ONLY;
  return CANTEEN_CARD_KIND_CPU;
}

static void
uid_read (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  guint generation = GPOINTER_TO_UINT (data);
  g_autoptr (GError) error = NULL;
  const Command *c = command_result (self, result, &error);
  CanteenApduResponse resp;
  CanteenAtr atr;
  g_autoptr (GBytes) uid = NULL;

  if (generation != self->generation || self->state != CCID_READING_UID)
    return;
  if (c == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        card_unreadable (self, error);
      return;
    }
  if (!canteen_ccid_reply_check (&c->reply, &error)
      || !canteen_apdu_parse_response (c->reply.data, c->reply.len, &resp, &error))
    {
      g_prefix_error (&error, "%s: reading the card's UID: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
      return card_unreadable (self, error);
    }
  if (resp.sw != 0x9000 || resp.len == 0 || resp.len > MAX_UID_LEN)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_FAILED,
                                "reading the card's UID", "SW %04X with %" G_GSIZE_FORMAT " bytes",
                                resp.sw, resp.len);
      return card_unreadable (self, error);
    }

  uid = g_bytes_new (resp.data, resp.len);
  (void) canteen_atr_parse (g_bytes_get_data (self->atr, NULL), g_bytes_get_size (self->atr), &atr, NULL);
  self->session = canteen_card_session_new (CANTEEN_CARD_READER (self), kind_from_atr (&atr), uid, self->atr);
  set_state (self, CCID_PRESENT);
  canteen_card_reader_emit_inserted (CANTEEN_CARD_READER (self), self->session);
}

static void
powered_on (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  guint generation = GPOINTER_TO_UINT (data);
  g_autoptr (GError) error = NULL;
  const Command *c = command_result (self, result, &error);
  CanteenAtr atr;
  g_autoptr (GBytes) get_uid = NULL, message = NULL;
  guint8 seq;

  if (generation != self->generation || self->state != CCID_POWERING_ON)
    return;
  if (c == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        card_unreadable (self, error);
      return;
    }
  if (!canteen_ccid_reply_check (&c->reply, &error))
    {
      /* The card left before it could be powered: not an error. */
      if (g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD))
        return card_gone (self);
      g_prefix_error (&error, "%s: powering the card: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
      return card_unreadable (self, error);
    }
  if (!canteen_atr_parse (c->reply.data, c->reply.len, &atr, &error))
    {
      g_prefix_error (&error, "%s: the card's ATR: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
      return card_unreadable (self, error);
    }
  self->atr = g_bytes_new (c->reply.data, c->reply.len);

  set_state (self, CCID_READING_UID);
  get_uid = canteen_apdu_get_uid ();
  seq = next_seq (self);
  message = canteen_ccid_xfr_block (CCID_SLOT, seq, g_bytes_get_data (get_uid, NULL), g_bytes_get_size (get_uid),
                                    0, self->desc.max_message_length, &error);
  if (message == NULL)
    return card_unreadable (self, error);
  command_send (self, "reading the card's UID", message, seq, self->cancellable, uid_read,
                GUINT_TO_POINTER (self->generation));
}

static void
power_on (CanteenCcidReader *self)
{
  guint8 seq = next_seq (self);
  g_autoptr (GBytes) message = canteen_ccid_power_on (CCID_SLOT, seq);

  self->generation++;
  set_state (self, CCID_POWERING_ON);
  command_send (self, "powering the card on", message, seq, self->cancellable, powered_on,
                GUINT_TO_POINTER (self->generation));
}

/* --- presence: NotifySlotChange, or polling GetSlotStatus ------------- */

static void listen (CanteenCcidReader *self);

static void
notified (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) msg = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);
  guint32 present = 0, changed = 0;

  g_debug ("%s: interrupt: %s", canteen_device_get_name (CANTEEN_DEVICE (self)), error ? error->message : "message");
  if (msg == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_GONE))
        return;
      /* The reader misbehaves: say so, and keep listening. */
      canteen_device_set_failed (CANTEEN_DEVICE (self), error);
      listen (self);
      return;
    }
  if (g_bytes_get_size (msg) > 0 && ((const guint8 *) g_bytes_get_data (msg, NULL))[0]
      == CANTEEN_CCID_RDR_TO_PC_HARDWARE_ERROR)
    g_message ("%s: the reader reports a hardware error", canteen_device_get_name (CANTEEN_DEVICE (self)));
  else if (canteen_ccid_parse_notify (g_bytes_get_data (msg, NULL), g_bytes_get_size (msg),
                                      self->desc.max_slot_index + 1u, &present, &changed, &error))
    {
      canteen_device_set_ready (CANTEEN_DEVICE (self));
      /* A tap quicker than one notification shows as "changed, absent":
       * treat it as a removal of whatever was there. */
      if ((changed & 1) && !(present & 1) && self->state != CCID_NO_CARD)
        card_gone (self);
      self->generation++;
      slot_presence (self, present & 1);
    }
  else
    g_message ("%s: ignoring a malformed notification: %s",
               canteen_device_get_name (CANTEEN_DEVICE (self)), error->message);
  listen (self);
}

static void
listen (CanteenCcidReader *self)
{
  canteen_device_transfer (CANTEEN_DEVICE (self), "waiting for a card", LIBUSB_TRANSFER_TYPE_INTERRUPT,
                           self->ep_intr, NULL, self->intr_size, 0, self->cancellable, notified, NULL);
}

static void
slot_status (GObject *source, GAsyncResult *result, gpointer data)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  g_autoptr (GError) error = NULL;
  const Command *c = command_result (self, result, &error);

  if (c == NULL)
    {
      g_debug ("slot status: %s", error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_GONE))
        canteen_device_set_failed (CANTEEN_DEVICE (self), error);
      return;
    }
  canteen_device_set_ready (CANTEEN_DEVICE (self));
  /* A notification that came in meanwhile is newer than this answer. */
  if (GPOINTER_TO_UINT (data) == self->generation)
    slot_presence (self, c->reply.icc != CANTEEN_CCID_ICC_ABSENT);
}

static void
ask_slot_status (CanteenCcidReader *self)
{
  guint8 seq = next_seq (self);
  g_autoptr (GBytes) message = canteen_ccid_get_slot_status (CCID_SLOT, seq);

  command_send (self, "asking for the slot status", message, seq, self->cancellable, slot_status,
                GUINT_TO_POINTER (self->generation));
}

static gboolean
poll_tick (gpointer data)
{
  CanteenCcidReader *self = data;

  /* Only when idle: a command in flight already tells us about the card. */
  if (g_queue_is_empty (&self->commands))
    ask_slot_status (self);
  return G_SOURCE_CONTINUE;
}

/* --- APDU exchange for card sessions --------------------------------- */

static void
exchanged (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  CanteenCcidReader *self = CANTEEN_CCID_READER (source);
  GError *error = NULL;
  const Command *c = command_result (self, result, &error);

  if (c == NULL)
    return g_task_return_error (task, error);
  if (!canteen_ccid_reply_check (&c->reply, &error))
    {
      g_prefix_error (&error, "%s: exchanging with the card: ", canteen_device_get_name (CANTEEN_DEVICE (self)));
      return g_task_return_error (task, error);
    }
  g_task_return_pointer (task, g_bytes_new (c->reply.data, c->reply.len), (GDestroyNotify) g_bytes_unref);
}

static void
ccid_exchange (CanteenCardReader *reader, CanteenCardSession *session, GBytes *apdu,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (reader);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  g_autoptr (GBytes) message = NULL;
  guint8 seq;

  g_task_set_source_tag (task, ccid_exchange);
  if (session != self->session || self->state != CCID_PRESENT)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_NO_CARD,
                                "exchanging with the card", "the card was removed");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  seq = next_seq (self);
  message = canteen_ccid_xfr_block (CCID_SLOT, seq, g_bytes_get_data (apdu, NULL), g_bytes_get_size (apdu),
                                    0, self->desc.max_message_length, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  command_send (self, "exchanging with the card", message, seq, cancellable, exchanged, task);
}

static GBytes *
ccid_exchange_finish (CanteenCardReader *reader, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- open / close ---------------------------------------------------- */

static gboolean
ccid_open (CanteenDevice *device, GError **error)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (device);
  CanteenInterfaceInfo info;
  g_autoptr (GError) local = NULL;
  gboolean ok = FALSE;

  self->ep_in = self->ep_out = self->ep_intr = 0;
  if (!canteen_device_get_interface_info (device, &info, error))
    return FALSE;
  if (!canteen_ccid_parse_descriptor (g_bytes_get_data (info.extra, NULL), g_bytes_get_size (info.extra),
                                      &self->desc, &local))
    canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "reading the CCID descriptor",
                              "%s", local->message);
  else if (canteen_ccid_exchange_level (&self->desc) == CANTEEN_CCID_LEVEL_CHARACTER)
    canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_NOT_SUPPORTED, "opening",
                              "character-level CCID readers are not supported");
  else if (!canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_BULK, LIBUSB_ENDPOINT_IN, &self->ep_in, NULL)
           || !canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_BULK, LIBUSB_ENDPOINT_OUT,
                                             &self->ep_out, NULL))
    canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "opening",
                              "the interface has no bulk IN/OUT endpoint pair");
  else
    ok = TRUE;
  canteen_interface_info_clear (&info);
  if (!ok || !canteen_device_claim_interface (device, canteen_device_get_interface (device), error))
    return FALSE;
  /* The interrupt endpoint is optional in CCID: without it, poll. */
  if (canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_INTERRUPT, LIBUSB_ENDPOINT_IN,
                                    &self->ep_intr, &self->intr_size))
    self->intr_size = MAX (self->intr_size, 2);

  self->state = CCID_NO_CARD;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ask_slot_status (self);
  if (self->ep_intr != 0)
    listen (self);
  else
    self->poll_id = g_timeout_add (POLL_INTERVAL_MS, poll_tick, self);
  return TRUE;
}

static void
ccid_cancel (CanteenDevice *device)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (device);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
ccid_close (CanteenDevice *device)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (device);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  card_gone (self);
}

static gboolean
ccid_probe (CanteenDeviceClass *klass, libusb_device *device, const struct libusb_interface_descriptor *alt)
{
  CanteenCcidDescriptor desc;

  /* Class 0x0B is CCID by definition; a vendor-class interface only when
   * it carries a well-formed CCID descriptor (some older readers). */
  if (alt->bInterfaceClass == LIBUSB_CLASS_SMART_CARD)
    return TRUE;
  return canteen_ccid_parse_descriptor (alt->extra, (gsize) MAX (alt->extra_length, 0), &desc, NULL);
}

static const CanteenUsbId ccid_ids[] = {
  CANTEEN_USB_ID_CLASS (LIBUSB_CLASS_SMART_CARD, -1, -1),
  CANTEEN_USB_ID_CLASS (LIBUSB_CLASS_VENDOR_SPEC, -1, -1),
  CANTEEN_USB_ID_END
};

static void
canteen_ccid_reader_dispose (GObject *object)
{
  CanteenCcidReader *self = CANTEEN_CCID_READER (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_object (&self->session);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (canteen_ccid_reader_parent_class)->dispose (object);
}

static void
canteen_ccid_reader_card_reader_init (CanteenCardReaderInterface *iface)
{
  iface->exchange = ccid_exchange;
  iface->exchange_finish = ccid_exchange_finish;
}

static void
canteen_ccid_reader_class_init (CanteenCcidReaderClass *klass)
{
  CanteenDeviceClass *device_class = CANTEEN_DEVICE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_ccid_reader_dispose;
  device_class->driver = "ccid";
  device_class->kind = CANTEEN_DEVICE_KIND_CARD_READER;
  device_class->id_table = ccid_ids;
  device_class->probe = ccid_probe;
  device_class->open = ccid_open;
  device_class->close = ccid_close;
  device_class->cancel = ccid_cancel;
}

static void
canteen_ccid_reader_init (CanteenCcidReader *self)
{
  g_queue_init (&self->commands);
}
