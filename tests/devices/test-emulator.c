/* The emulated USB devices, through plain libusb: what a driver will see.
 *
 * One testbed with the four devices serves every test (in order; the
 * unplug/replug test comes last). Synchronous libusb calls are fine here:
 * this tests the emulator, not a driver's event loop. The program re-runs
 * itself with libumockdev-preload when started without it, and "--probe"
 * is the child canteen-emulate runs in the cross-process test.
 */
#include <errno.h>
#include <string.h>

#include <libusb.h>
#include <sodium.h>

#include "apdu.h"
#include "atr.h"
#include "ccid.h"
#include "device-error.h"
#include "emu-card.h"
#include "emu-ccid-reader.h"
#include "emu-hid-reader.h"
#include "emu-printer.h"
#include "emu-scale.h"
#include "emu-testbed.h"
#include "escpos.h"
#include "hid-card.h"
#include "hid-scale.h"

#define TIMEOUT_MS 2000
#define FILE_LEN   600
#define CCID_BUF   (CANTEEN_CCID_HEADER_LEN + 65544)

static const guint8 cpu_uid[] = { 0x04, 0xA1, 0xB2, 0xC3 };
static const guint8 mifare_uid[] = { 0xDE, 0xAD, 0xBE, 0xEF };

static CanteenEmuTestbed *tb;
static CanteenEmuCcidReader *ccid;
static CanteenEmuHidReader *hid_reader;
static CanteenEmuScale *scale;
static CanteenEmuPrinter *printer;
static CanteenEmuCard *cpu_card;
static GBytes *card_file;
static libusb_context *ctx;
static guint8 ccid_seq;
static gint notify_count;

/* ---- helpers ------------------------------------------------------------ */

static libusb_device_handle *
open_claimed (guint16 vid, guint16 pid)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, vid, pid);

  g_assert_nonnull (h);
  if (libusb_kernel_driver_active (h, 0) == 1)
    g_assert_cmpint (libusb_detach_kernel_driver (h, 0), ==, 0);
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  return h;
}

static void
close_released (libusb_device_handle *h)
{
  libusb_release_interface (h, 0);
  libusb_close (h);
}

static void
ccid_send (libusb_device_handle *h, GBytes *msg)
{
  int sent = 0;

  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_OUT, (guint8 *) g_bytes_get_data (msg, NULL),
                                         (int) g_bytes_get_size (msg), &sent, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (sent, ==, (int) g_bytes_get_size (msg));
}

/* One bulk-IN message into `buf`; its length, or a negative libusb error. */
static int
ccid_receive (libusb_device_handle *h, guint8 *buf, unsigned timeout)
{
  int got = 0, r = libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf, CCID_BUF, &got, timeout);

  return r < 0 ? r : got;
}

/* Sends `msg` (built for seq `seq`) and parses the one reply. */
static void
ccid_exchange (libusb_device_handle *h, GBytes *msg, guint8 seq, guint8 *buf, CanteenCcidReply *reply)
{
  g_autoptr(GError) error = NULL;
  int n;

  ccid_send (h, msg);
  n = ccid_receive (h, buf, TIMEOUT_MS);
  g_assert_cmpint (n, >=, CANTEEN_CCID_HEADER_LEN);
  g_assert_true (canteen_ccid_parse_reply (buf, (gsize) n, 0, seq, CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE, reply, &error));
  g_assert_no_error (error);
}

/* An APDU through XfrBlock: the response APDU (data + SW) as GBytes. */
static GBytes *
transmit (libusb_device_handle *h, GBytes *apdu)
{
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  CanteenCcidReply reply;
  guint8 seq = ccid_seq++;

  msg = canteen_ccid_xfr_block (0, seq, g_bytes_get_data (apdu, NULL), g_bytes_get_size (apdu),
                                0, CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE, &error);
  g_assert_no_error (error);
  ccid_exchange (h, msg, seq, buf, &reply);
  g_assert_true (canteen_ccid_reply_check (&reply, &error));
  g_assert_no_error (error);
  return g_bytes_new (reply.data, reply.len);
}

static guint16
sw_of (GBytes *resp)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (resp, &n);

  g_assert_cmpuint (n, >=, 2);
  return (guint16) (d[n - 2] << 8 | d[n - 1]);
}

static void
power_on (libusb_device_handle *h, CanteenCcidReply *reply, guint8 *buf)
{
  g_autoptr(GBytes) msg = NULL;
  guint8 seq = ccid_seq++;

  msg = canteen_ccid_power_on (0, seq);
  ccid_exchange (h, msg, seq, buf, reply);
}

static void
select_applet (libusb_device_handle *h)
{
  g_autoptr(GBytes) apdu = canteen_apdu_build (0x00, 0xA4, 0x04, 0x00, (const guint8 *) CANTEEN_EMU_CARD_AID,
                                               CANTEEN_EMU_CARD_AID_LEN, CANTEEN_APDU_NO_LE, FALSE, NULL);
  g_autoptr(GBytes) resp = transmit (h, apdu);

  g_assert_cmphex (sw_of (resp), ==, 0x9000);
}

static libusb_device_handle *
ccid_with_card (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  CanteenCcidReply reply;
  guint8 drain[64];
  int got;

  canteen_emu_ccid_reader_insert (ccid, cpu_card);
  /* Slot change notifications of earlier tests are not this test's. */
  while (libusb_interrupt_transfer (h, CANTEEN_EMU_CCID_INTERRUPT_IN, drain, sizeof drain, &got, 20) == 0)
    ;
  power_on (h, &reply, buf);
  g_assert_cmpint (reply.command, ==, CANTEEN_CCID_COMMAND_OK);
  return h;
}

static int
interrupt_read (libusb_device_handle *h, guint8 ep, guint8 *buf, int len, unsigned timeout)
{
  int got = 0, r = libusb_interrupt_transfer (h, ep, buf, len, &got, timeout);

  return r < 0 ? r : got;
}

static void
count_notify (gpointer device, gpointer user_data)
{
  g_atomic_int_inc (&notify_count);
}

/* ---- enumeration -------------------------------------------------------- */

static void
test_enumerate (void)
{
  struct { guint16 vid, pid; guint8 cls, sub, proto; gboolean found; } want[] = {
    { CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID, 0x0B, 0, 0 },
    { CANTEEN_EMU_HID_READER_VID, CANTEEN_EMU_HID_READER_PID, 0x03, 1, 1 },
    { CANTEEN_EMU_SCALE_VID, CANTEEN_EMU_SCALE_PID, 0x03, 0, 0 },
    { CANTEEN_EMU_PRINTER_VID, CANTEEN_EMU_PRINTER_PID, 0x07, 1, 2 },
  };
  libusb_device **list;
  ssize_t n = libusb_get_device_list (ctx, &list);

  g_assert_cmpint (n, ==, 4);
  for (ssize_t i = 0; i < n; i++)
    {
      struct libusb_device_descriptor dd;
      struct libusb_config_descriptor *cfg = NULL;

      g_assert_cmpint (libusb_get_device_descriptor (list[i], &dd), ==, 0);
      g_assert_cmpint (libusb_get_active_config_descriptor (list[i], &cfg), ==, 0);
      g_assert_cmpint (libusb_get_bus_number (list[i]), ==, 1);
      for (guint w = 0; w < G_N_ELEMENTS (want); w++)
        if (dd.idVendor == want[w].vid && dd.idProduct == want[w].pid)
          {
            const struct libusb_interface_descriptor *alt = &cfg->interface[0].altsetting[0];

            g_assert_false (want[w].found);
            want[w].found = TRUE;
            g_assert_cmpuint (alt->bInterfaceClass, ==, want[w].cls);
            g_assert_cmpuint (alt->bInterfaceSubClass, ==, want[w].sub);
            g_assert_cmpuint (alt->bInterfaceProtocol, ==, want[w].proto);
            if (want[w].cls == 0x0B)
              {
                CanteenCcidDescriptor desc;
                g_autoptr(GError) error = NULL;

                g_assert_true (canteen_ccid_parse_descriptor (alt->extra, (gsize) alt->extra_length, &desc, &error));
                g_assert_no_error (error);
                g_assert_cmpuint (desc.max_message_length, ==, 65544);
                g_assert_cmpint (canteen_ccid_exchange_level (&desc), ==, CANTEEN_CCID_LEVEL_EXTENDED_APDU);
                g_assert_cmpuint (alt->bNumEndpoints, ==, 3);
              }
          }
      libusb_free_config_descriptor (cfg);
    }
  libusb_free_device_list (list, 1);
  for (guint w = 0; w < G_N_ELEMENTS (want); w++)
    g_assert_true (want[w].found);
}

static void
test_strings (void)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_PRINTER_VID, CANTEEN_EMU_PRINTER_PID);
  struct libusb_device_descriptor dd;
  unsigned char s[128];

  g_assert_nonnull (h);
  g_assert_cmpint (libusb_get_device_descriptor (libusb_get_device (h), &dd), ==, 0);
  g_assert_cmpint (libusb_get_string_descriptor_ascii (h, dd.iProduct, s, sizeof s), >, 0);
  g_assert_cmpstr ((char *) s, ==, "Canteen Emulated Receipt Printer EMU-58");
  g_assert_cmpint (libusb_get_string_descriptor_ascii (h, dd.iManufacturer, s, sizeof s), >, 0);
  g_assert_cmpstr ((char *) s, ==, "Canteen");
  libusb_close (h);
}

/* ---- the card on its own ------------------------------------------------ */

static void
assert_sw (CanteenEmuCard *card, const guint8 *apdu, gsize len, guint16 sw)
{
  g_autoptr(GBytes) r = canteen_emu_card_transmit (card, apdu, len);

  g_assert_cmphex (sw_of (r), ==, sw);
}

static void
test_card_status_words (void)
{
  g_autoptr(CanteenEmuCard) card = canteen_emu_card_new_cpu (cpu_uid, sizeof cpu_uid, NULL, card_file);
  g_autoptr(CanteenEmuCard) mifare = canteen_emu_card_new_uid_only (mifare_uid, sizeof mifare_uid);
  static const guint8 select[] = { 0x00, 0xA4, 0x04, 0x00, 0x09, 0xF0, 'C', 'A', 'N', 'T', 'E', 'E', 'N', 0x01 };
  static const guint8 select_other[] = { 0x00, 0xA4, 0x04, 0x00, 0x03, 0xA0, 0x00, 0x01 };
  static const guint8 read0[] = { 0x00, 0xB0, 0x00, 0x00, 0x10 };
  static const guint8 auth_bad_le[] = { 0x00, 0x88, 0x00, 0x00, 0x02, 0x01, 0x02, 0x20 };
  static const guint8 auth_bad_p1[] = { 0x00, 0x88, 0x01, 0x00, 0x02, 0x01, 0x02, 0x00 };
  static const guint8 unknown_ins[] = { 0x00, 0x99, 0x00, 0x00 };
  static const guint8 bad_cla[] = { 0x80, 0xB0, 0x00, 0x00, 0x10 };
  static const guint8 bad_len[] = { 0x00, 0xA4, 0x04, 0x00, 0x09, 0xF0 };
  static const guint8 past_end[] = { 0x00, 0xB0, 0x7F, 0x00, 0x10 };
  static const guint8 read_tail_long[] = { 0x00, 0xB0, 0x02, 0x50, 0x10 };   /* offset 592: 8 left */
  static const guint8 uid_short_le[] = { 0xFF, 0xCA, 0x00, 0x00, 0x02 };
  static const guint8 get_response[] = { 0x00, 0xC0, 0x00, 0x00, 0x10 };
  g_autoptr(GBytes) uid = NULL;
  g_autoptr(GBytes) atr = NULL;
  g_autoptr(GError) error = NULL;
  CanteenAtr parsed;

  assert_sw (card, read0, sizeof read0, 0x6985);            /* nothing selected */
  assert_sw (card, select_other, sizeof select_other, 0x6A82);
  assert_sw (card, select, sizeof select, 0x9000);
  assert_sw (card, read0, sizeof read0, 0x9000);
  assert_sw (card, read_tail_long, sizeof read_tail_long, 0x6C08);
  assert_sw (card, past_end, sizeof past_end, 0x6B00);
  assert_sw (card, auth_bad_le, sizeof auth_bad_le, 0x6C40);
  assert_sw (card, auth_bad_p1, sizeof auth_bad_p1, 0x6A86);
  assert_sw (card, unknown_ins, sizeof unknown_ins, 0x6D00);
  assert_sw (card, bad_cla, sizeof bad_cla, 0x6E00);
  assert_sw (card, bad_len, sizeof bad_len, 0x6700);
  assert_sw (card, uid_short_le, sizeof uid_short_le, 0x6C04);
  assert_sw (card, get_response, sizeof get_response, 0x6985);   /* nothing pending */
  canteen_emu_card_reset (card);
  assert_sw (card, read0, sizeof read0, 0x6985);            /* a reset forgets the selection */

  /* MIFARE-like: the UID and nothing else. */
  uid = canteen_emu_card_transmit (mifare, (const guint8 *) "\xFF\xCA\x00\x00\x00", 5);
  g_assert_cmpmem (g_bytes_get_data (uid, NULL), g_bytes_get_size (uid), "\xDE\xAD\xBE\xEF\x90\x00", 6);
  assert_sw (mifare, select, sizeof select, 0x6A81);
  atr = canteen_emu_card_get_atr (mifare);
  g_assert_true (canteen_atr_parse (g_bytes_get_data (atr, NULL), g_bytes_get_size (atr), &parsed, &error));
  g_assert_no_error (error);
  g_assert_false (canteen_emu_card_get_public_key (mifare, (guint8[32]) { 0 }));
}

/* ---- CCID ---------------------------------------------------------------- */

static void
test_ccid_no_card (void)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_CCID_DEFAULT_VID,
                                                             CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  CanteenCcidReply reply;
  guint8 seq;

  canteen_emu_ccid_reader_remove (ccid);
  g_assert_nonnull (h);
  g_assert_cmpint (libusb_kernel_driver_active (h, 0), ==, 0);     /* no kernel CCID driver */
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  power_on (h, &reply, buf);
  g_assert_cmpint (reply.icc, ==, CANTEEN_CCID_ICC_ABSENT);
  g_assert_cmpint (reply.command, ==, CANTEEN_CCID_COMMAND_FAILED);
  g_assert_cmphex (reply.error, ==, 0xFE);
  g_assert_false (canteen_ccid_reply_check (&reply, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD);

  seq = ccid_seq++;
  msg = canteen_ccid_get_slot_status (0, seq);
  ccid_exchange (h, msg, seq, buf, &reply);
  g_assert_cmpint (reply.type, ==, CANTEEN_CCID_RDR_TO_PC_SLOT_STATUS);
  g_assert_cmpint (reply.icc, ==, CANTEEN_CCID_ICC_ABSENT);
  g_assert_cmpint (reply.command, ==, CANTEEN_CCID_COMMAND_OK);
  close_released (h);
}

static void
transfer_done (struct libusb_transfer *transfer)
{
  *(int *) transfer->user_data = 1;
}

static void
wait_transfer (int *done)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!*done && g_get_monotonic_time () < end)
    {
      struct timeval tv = { 0, 100000 };
      libusb_handle_events_timeout_completed (ctx, &tv, done);
    }
  g_assert_true (*done);
}

/* A card arriving while the interrupt URB waits: NotifySlotChange, and the
 * notify callback says a URB became reapable. */
static void
test_ccid_insert_notify (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  struct libusb_transfer *t = libusb_alloc_transfer (0);
  guint8 buf[8], drain[8];
  int done = 0, got;
  guint32 present, changed;
  g_autoptr(GError) error = NULL;

  canteen_emu_ccid_reader_remove (ccid);
  while (libusb_interrupt_transfer (h, CANTEEN_EMU_CCID_INTERRUPT_IN, drain, sizeof drain, &got, 20) == 0)
    ;
  canteen_emu_device_set_notify (CANTEEN_EMU_DEVICE (ccid), count_notify, NULL, NULL);
  libusb_fill_interrupt_transfer (t, h, CANTEEN_EMU_CCID_INTERRUPT_IN, buf, sizeof buf, transfer_done, &done, 0);
  g_assert_cmpint (libusb_submit_transfer (t), ==, 0);
  g_assert_cmpuint (canteen_emu_device_get_pending_in (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_INTERRUPT_IN), ==, 1);
  g_atomic_int_set (&notify_count, 0);
  canteen_emu_ccid_reader_insert (ccid, cpu_card);
  g_assert_cmpint (g_atomic_int_get (&notify_count), >=, 1);
  wait_transfer (&done);
  g_assert_cmpint (t->status, ==, LIBUSB_TRANSFER_COMPLETED);
  g_assert_cmpint (t->actual_length, ==, 2);
  g_assert_true (canteen_ccid_parse_notify (buf, 2, 1, &present, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (present, ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  /* Taking it away says so too. */
  canteen_emu_ccid_reader_remove (ccid);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_CCID_INTERRUPT_IN, buf, sizeof buf, TIMEOUT_MS), ==, 2);
  g_assert_true (canteen_ccid_parse_notify (buf, 2, 1, &present, &changed, &error));
  g_assert_cmpuint (present, ==, 0);
  g_assert_cmpuint (changed, ==, 1);

  canteen_emu_device_set_notify (CANTEEN_EMU_DEVICE (ccid), NULL, NULL, NULL);
  libusb_free_transfer (t);
  close_released (h);
}

static void
test_ccid_power_on_atr (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) atr = canteen_emu_card_get_atr (cpu_card);
  g_autoptr(GError) error = NULL;
  CanteenCcidReply reply;
  CanteenAtr parsed;

  canteen_emu_ccid_reader_insert (ccid, cpu_card);
  power_on (h, &reply, buf);
  g_assert_true (canteen_ccid_reply_check (&reply, &error));
  g_assert_cmpint (reply.type, ==, CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK);
  g_assert_cmpint (reply.icc, ==, CANTEEN_CCID_ICC_ACTIVE);
  g_assert_cmpmem (reply.data, reply.len, g_bytes_get_data (atr, NULL), g_bytes_get_size (atr));
  g_assert_true (canteen_atr_parse (reply.data, reply.len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_true (parsed.protocols & (1u << 1));
  close_released (h);
}

static void
test_ccid_uid (void)
{
  libusb_device_handle *h = ccid_with_card ();
  g_autoptr(CanteenEmuCard) mifare = canteen_emu_card_new_uid_only (mifare_uid, sizeof mifare_uid);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) get_uid = canteen_apdu_get_uid ();
  g_autoptr(GBytes) resp = transmit (h, get_uid);
  g_autoptr(GBytes) resp2 = NULL;
  g_autoptr(GError) error = NULL;
  CanteenApduResponse r;
  CanteenCcidReply reply;

  g_assert_true (canteen_apdu_parse_response (g_bytes_get_data (resp, NULL), g_bytes_get_size (resp), &r, &error));
  g_assert_cmphex (r.sw, ==, 0x9000);
  g_assert_cmpmem (r.data, r.len, cpu_uid, sizeof cpu_uid);

  /* A MIFARE-like card: its UID, and its ATR on power-on. */
  canteen_emu_ccid_reader_insert (ccid, mifare);
  power_on (h, &reply, buf);
  g_assert_cmpuint (reply.len, ==, 20);
  resp2 = transmit (h, get_uid);
  g_assert_cmpmem (g_bytes_get_data (resp2, NULL), g_bytes_get_size (resp2), "\xDE\xAD\xBE\xEF\x90\x00", 6);
  close_released (h);
}

/* READ BINARY of 600 bytes: short Le = 00 answers 256 + 61xx, and GET
 * RESPONSE (as canteen_apdu_next() asks) brings the rest. */
static void
test_ccid_read_file_chaining (void)
{
  libusb_device_handle *h = ccid_with_card ();
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GBytes) read = canteen_apdu_build (0x00, 0xB0, 0x00, 0x00, NULL, 0, 0, FALSE, NULL);
  g_autoptr(GBytes) read_ext = canteen_apdu_build (0x00, 0xB0, 0x00, 0x00, NULL, 0, 65536, TRUE, NULL);
  g_autoptr(GBytes) whole = NULL;
  GBytes *resp;
  guint rounds = 0;

  select_applet (h);
  resp = transmit (h, read);
  for (;;)
    {
      CanteenApduResponse r;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) next = NULL;
      gint le;

      g_assert_true (canteen_apdu_parse_response (g_bytes_get_data (resp, NULL), g_bytes_get_size (resp), &r, &error));
      g_byte_array_append (file, r.data, (guint) r.len);
      rounds++;
      if (canteen_apdu_next (r.sw, &le) != CANTEEN_APDU_GET_RESPONSE)
        {
          g_assert_cmphex (r.sw, ==, 0x9000);
          g_bytes_unref (resp);
          break;
        }
      g_assert_cmpuint (r.len, ==, 256);
      next = canteen_apdu_get_response (le);
      g_bytes_unref (resp);
      resp = transmit (h, next);
    }
  g_assert_cmpuint (rounds, ==, 3);                  /* 256 + 256 + 88 */
  g_assert_cmpmem (file->data, file->len, g_bytes_get_data (card_file, NULL), FILE_LEN);

  /* Extended Le: all 600 at once. */
  whole = transmit (h, read_ext);
  g_assert_cmpuint (g_bytes_get_size (whole), ==, FILE_LEN + 2);
  g_assert_cmphex (sw_of (whole), ==, 0x9000);
  g_assert_cmpmem (g_bytes_get_data (whole, NULL), FILE_LEN, g_bytes_get_data (card_file, NULL), FILE_LEN);
  close_released (h);
}

static void
test_ccid_internal_authenticate (void)
{
  libusb_device_handle *h = ccid_with_card ();
  guint8 challenge[32], pk[32];
  g_autoptr(GBytes) auth = NULL;
  g_autoptr(GBytes) auth_le = NULL;
  g_autoptr(GBytes) resp = NULL;
  g_autoptr(GBytes) resp_le = NULL;
  g_autoptr(GBytes) resp_unselected = NULL;
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  CanteenCcidReply reply;

  randombytes_buf (challenge, sizeof challenge);
  auth = canteen_apdu_build (0x00, 0x88, 0x00, 0x00, challenge, sizeof challenge, 0, FALSE, NULL);
  auth_le = canteen_apdu_build (0x00, 0x88, 0x00, 0x00, challenge, sizeof challenge, 16, FALSE, NULL);

  /* Not before the applet is selected. */
  resp_unselected = transmit (h, auth);
  g_assert_cmphex (sw_of (resp_unselected), ==, 0x6985);

  select_applet (h);
  resp = transmit (h, auth);
  g_assert_cmphex (sw_of (resp), ==, 0x9000);
  g_assert_cmpuint (g_bytes_get_size (resp), ==, 64 + 2);
  g_assert_true (canteen_emu_card_get_public_key (cpu_card, pk));
  g_assert_cmpint (crypto_sign_verify_detached (g_bytes_get_data (resp, NULL), challenge, sizeof challenge, pk), ==, 0);
  challenge[0] ^= 1;
  g_assert_cmpint (crypto_sign_verify_detached (g_bytes_get_data (resp, NULL), challenge, sizeof challenge, pk), !=, 0);

  resp_le = transmit (h, auth_le);
  g_assert_cmphex (sw_of (resp_le), ==, 0x6C40);

  /* A power cycle deselects the applet. */
  power_on (h, &reply, buf);
  g_bytes_unref (resp_unselected);
  resp_unselected = transmit (h, auth);
  g_assert_cmphex (sw_of (resp_unselected), ==, 0x6985);
  close_released (h);
}

static void
test_ccid_time_extension (void)
{
  libusb_device_handle *h = ccid_with_card ();
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  CanteenCcidReply reply;
  guint8 seq = ccid_seq++;

  canteen_emu_ccid_reader_set_time_extensions (ccid, 2);
  msg = canteen_ccid_power_on (0, seq);
  ccid_send (h, msg);
  for (int i = 0; i < 3; i++)
    {
      int n = ccid_receive (h, buf, TIMEOUT_MS);
      g_assert_cmpint (n, >=, CANTEEN_CCID_HEADER_LEN);
      g_assert_true (canteen_ccid_parse_reply (buf, (gsize) n, 0, seq, CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE, &reply, &error));
      g_assert_no_error (error);
      g_assert_cmpint (reply.command, ==, i < 2 ? CANTEEN_CCID_COMMAND_TIME_EXTENSION : CANTEEN_CCID_COMMAND_OK);
    }
  g_assert_cmpuint (reply.len, >, 0);                /* the ATR at last */
  canteen_emu_ccid_reader_set_time_extensions (ccid, 0);
  close_released (h);
}

static void
test_ccid_bad_messages (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  /* dwLength says 5, no data follows; then an unknown command; then slot 1. */
  static const guint8 bad_len[] = { 0x6F, 0x05, 0, 0, 0, 0x00, 0x31, 0, 0, 0 };
  static const guint8 unknown[] = { 0x6B, 0x00, 0, 0, 0, 0x00, 0x32, 0, 0, 0 };
  static const guint8 slot1[] = { 0x65, 0x00, 0, 0, 0, 0x01, 0x33, 0, 0, 0 };
  struct { const guint8 *m; guint8 error; } cases[] = { { bad_len, 0x01 }, { unknown, 0x00 }, { slot1, 0x05 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) msg = g_bytes_new_static (cases[i].m, 10);
      int n;

      ccid_send (h, msg);
      n = ccid_receive (h, buf, TIMEOUT_MS);
      g_assert_cmpint (n, ==, 10);
      g_assert_cmphex (buf[0], ==, CANTEEN_CCID_RDR_TO_PC_SLOT_STATUS);
      g_assert_cmphex (buf[5], ==, cases[i].m[5]);              /* bSlot echoed */
      g_assert_cmphex (buf[6], ==, cases[i].m[6]);              /* bSeq echoed */
      g_assert_cmphex (buf[7] >> 6, ==, CANTEEN_CCID_COMMAND_FAILED);
      g_assert_cmphex (buf[8], ==, cases[i].error);
    }
  close_released (h);
}

/* A reader plugged in while libusb runs (hotplug "add"), short APDUs only:
 * its descriptor says so, and 256 bytes + SW still fit its messages. */
static void
test_ccid_short_reader (void)
{
  g_autoptr(CanteenEmuCcidReader) reader = canteen_emu_ccid_reader_new_full (0x1209, 0x0005, "Short CCID",
                                                                            CANTEEN_EMU_CCID_SHORT_MAX_MESSAGE);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) on = canteen_ccid_power_on (0, 1);
  g_autoptr(GBytes) select = NULL;
  g_autoptr(GBytes) read = NULL;
  libusb_device_handle *h = NULL;
  struct libusb_config_descriptor *cfg = NULL;
  const struct libusb_interface_descriptor *alt;
  CanteenCcidDescriptor desc;
  CanteenCcidReply reply;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  int n;

  canteen_emu_ccid_reader_insert (reader, cpu_card);
  g_assert_true (canteen_emu_testbed_add (tb, CANTEEN_EMU_DEVICE (reader), &error));
  g_assert_no_error (error);
  while (!h && g_get_monotonic_time () < end)
    {
      struct timeval tv = { 0, 20000 };
      libusb_handle_events_timeout (ctx, &tv);
      h = libusb_open_device_with_vid_pid (ctx, 0x1209, 0x0005);
    }
  g_assert_nonnull (h);
  g_assert_cmpint (libusb_get_active_config_descriptor (libusb_get_device (h), &cfg), ==, 0);
  alt = &cfg->interface[0].altsetting[0];
  g_assert_true (canteen_ccid_parse_descriptor (alt->extra, (gsize) alt->extra_length, &desc, &error));
  g_assert_cmpuint (desc.max_message_length, ==, 271);
  g_assert_cmpint (canteen_ccid_exchange_level (&desc), ==, CANTEEN_CCID_LEVEL_SHORT_APDU);
  libusb_free_config_descriptor (cfg);

  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  ccid_send (h, on);
  n = ccid_receive (h, buf, TIMEOUT_MS);
  g_assert_true (canteen_ccid_parse_reply (buf, (gsize) n, 0, 1, 271, &reply, &error));
  g_assert_no_error (error);
  select = canteen_ccid_xfr_block (0, 2, (const guint8 *) "\x00\xA4\x04\x00\x09\xF0" "CANTEEN\x01", 14, 0, 271, &error);
  ccid_send (h, select);
  n = ccid_receive (h, buf, TIMEOUT_MS);
  g_assert_true (canteen_ccid_parse_reply (buf, (gsize) n, 0, 2, 271, &reply, &error));
  read = canteen_ccid_xfr_block (0, 3, (const guint8 *) "\x00\xB0\x00\x00\x00", 5, 0, 271, &error);
  ccid_send (h, read);
  n = ccid_receive (h, buf, TIMEOUT_MS);
  g_assert_cmpint (n, ==, 10 + 256 + 2);
  g_assert_true (canteen_ccid_parse_reply (buf, (gsize) n, 0, 3, 271, &reply, &error));
  g_assert_no_error (error);
  g_assert_cmphex (reply.data[256], ==, 0x61);
  close_released (h);
  canteen_emu_testbed_unplug (tb, CANTEEN_EMU_DEVICE (reader));
}

/* The demo's tap: in the field, then gone by itself. */
static void
test_ccid_tap (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  guint8 buf[8];
  gint64 start;

  canteen_emu_ccid_reader_remove (ccid);
  while (interrupt_read (h, CANTEEN_EMU_CCID_INTERRUPT_IN, buf, sizeof buf, 20) > 0)
    ;
  start = g_get_monotonic_time ();
  canteen_emu_ccid_reader_tap (ccid, cpu_card, 100);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_CCID_INTERRUPT_IN, buf, sizeof buf, TIMEOUT_MS), ==, 2);
  g_assert_cmphex (buf[1], ==, 0x03);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_CCID_INTERRUPT_IN, buf, sizeof buf, TIMEOUT_MS), ==, 2);
  g_assert_cmphex (buf[1], ==, 0x02);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
  g_assert_null (canteen_emu_ccid_reader_dup_card (ccid));
  close_released (h);
}

/* ---- HID keyboard-wedge reader ----------------------------------------- */

static void
test_hid_reader_tap (void)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_HID_READER_VID, CANTEEN_EMU_HID_READER_PID);
  CanteenHidCardDecoder dec;
  CanteenHidCardUid uid;
  guint8 report[8];
  guint n_reports = 0;
  CanteenHidCardFeedResult res = CANTEEN_HID_CARD_NEED_MORE;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (h);
  g_assert_cmpint (libusb_kernel_driver_active (h, 0), ==, 1);
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, LIBUSB_ERROR_BUSY);
  /* Typed while usbhid has it: the kernel's, not ours. */
  g_assert_true (canteen_emu_hid_reader_tap (hid_reader, "12345"));
  g_assert_cmpint (libusb_detach_kernel_driver (h, 0), ==, 0);
  g_assert_cmpint (libusb_kernel_driver_active (h, 0), ==, 0);
  g_assert_false (canteen_emu_device_get_kernel_driver_bound (CANTEEN_EMU_DEVICE (hid_reader), 0));
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_HID_READER_INTERRUPT_IN, report, sizeof report, 100), ==,
                   LIBUSB_ERROR_TIMEOUT);

  g_assert_false (canteen_emu_hid_reader_tap (hid_reader, "12-34"));
  g_assert_true (canteen_emu_hid_reader_tap (hid_reader, "3735928559"));
  canteen_hid_card_decoder_init (&dec);
  while (res == CANTEEN_HID_CARD_NEED_MORE)
    {
      g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_HID_READER_INTERRUPT_IN, report, sizeof report, TIMEOUT_MS), ==, 8);
      if (n_reports == 0)
        g_assert_cmpmem (report, 8, "\x00\x00\x20\x00\x00\x00\x00\x00", 8);   /* '3' down */
      if (n_reports == 1)
        g_assert_cmpmem (report, 8, "\x00\x00\x00\x00\x00\x00\x00\x00", 8);   /* key up */
      n_reports++;
      res = canteen_hid_card_decoder_feed (&dec, report, sizeof report, &uid, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (res, ==, CANTEEN_HID_CARD_COMPLETE);
  g_assert_cmpuint (n_reports, ==, 2 * 10 + 1);               /* Enter's key-up still to come */
  g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_HID_READER_INTERRUPT_IN, report, sizeof report, TIMEOUT_MS), ==, 8);

  /* Upper case comes with left shift. */
  g_assert_true (canteen_emu_hid_reader_tap (hid_reader, "A"));
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_HID_READER_INTERRUPT_IN, report, sizeof report, TIMEOUT_MS), ==, 8);
  g_assert_cmpmem (report, 8, "\x02\x00\x04\x00\x00\x00\x00\x00", 8);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_HID_READER_INTERRUPT_IN, report, sizeof report, TIMEOUT_MS), ==, 8);
  g_assert_cmpmem (report, 8, "\x00\x00\x00\x00\x00\x00\x00\x00", 8);

  /* Reattaching the kernel driver needs the interface back. */
  g_assert_cmpint (libusb_attach_kernel_driver (h, 0), ==, LIBUSB_ERROR_BUSY);
  g_assert_cmpint (libusb_release_interface (h, 0), ==, 0);
  g_assert_cmpint (libusb_attach_kernel_driver (h, 0), ==, 0);
  g_assert_cmpint (libusb_kernel_driver_active (h, 0), ==, 1);
  libusb_close (h);
}

/* ---- scale -------------------------------------------------------------- */

static void
read_scale (libusb_device_handle *h, CanteenScaleReading *reading)
{
  guint8 report[8];
  g_autoptr(GError) error = NULL;
  int n = interrupt_read (h, CANTEEN_EMU_SCALE_INTERRUPT_IN, report, sizeof report, TIMEOUT_MS);

  g_assert_cmpint (n, ==, CANTEEN_EMU_SCALE_REPORT_LEN);
  g_assert_true (canteen_scale_parse_report (report, (gsize) n, TRUE, reading, &error));
  g_assert_no_error (error);
}

static void
test_scale_report (void)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_SCALE_VID, CANTEEN_EMU_SCALE_PID);
  guint8 desc[256], report[8];
  CanteenScaleReading reading;
  int n;

  g_assert_nonnull (h);
  /* The report descriptor belongs to the interface: while usbhid has it
   * the kernel refuses the URB (EBUSY, which libusb reports as an I/O error). */
  n = libusb_control_transfer (h, 0x81, LIBUSB_REQUEST_GET_DESCRIPTOR, 0x2200, 0, desc, sizeof desc, TIMEOUT_MS);
  g_assert_cmpint (n, ==, LIBUSB_ERROR_IO);
  g_assert_cmpint (libusb_detach_kernel_driver (h, 0), ==, 0);
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  n = libusb_control_transfer (h, 0x81, LIBUSB_REQUEST_GET_DESCRIPTOR, 0x2200, 0, desc, sizeof desc, TIMEOUT_MS);
  g_assert_cmpint (n, >, 4);
  g_assert_cmpmem (desc, 2, "\x05\x8D", 2);                      /* usage page: scale */

  canteen_emu_scale_set (scale, CANTEEN_SCALE_STABLE, CANTEEN_EMU_SCALE_UNIT_GRAM, -1, 12345);
  read_scale (h, &reading);
  g_assert_true (reading.stable);
  g_assert_cmpint (reading.grams, ==, 1235);                   /* 1234.5 g, half up */

  /* Only the latest reading waits for a client that is not reading. */
  canteen_emu_scale_set (scale, CANTEEN_SCALE_IN_MOTION, CANTEEN_EMU_SCALE_UNIT_KILOGRAM, -3, 400);
  canteen_emu_scale_set (scale, CANTEEN_SCALE_STABLE, CANTEEN_EMU_SCALE_UNIT_KILOGRAM, -3, 1500);
  read_scale (h, &reading);
  g_assert_true (reading.stable);
  g_assert_cmpint (reading.grams, ==, 1500);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_SCALE_INTERRUPT_IN, report, sizeof report, 100), ==, LIBUSB_ERROR_TIMEOUT);

  /* The same value again is no news... */
  canteen_emu_scale_set (scale, CANTEEN_SCALE_STABLE, CANTEEN_EMU_SCALE_UNIT_KILOGRAM, -3, 1500);
  g_assert_cmpint (interrupt_read (h, CANTEEN_EMU_SCALE_INTERRUPT_IN, report, sizeof report, 100), ==, LIBUSB_ERROR_TIMEOUT);
  /* ...unless the scale repeats itself. */
  canteen_emu_scale_set_period (scale, 30);
  read_scale (h, &reading);
  read_scale (h, &reading);
  g_assert_cmpint (reading.grams, ==, 1500);
  canteen_emu_scale_set_period (scale, 0);

  /* GET_REPORT: the current reading. */
  canteen_emu_scale_set_grams (scale, -20);
  n = libusb_control_transfer (h, 0xA1, 0x01, 0x0103, 0, report, sizeof report, TIMEOUT_MS);
  g_assert_cmpint (n, ==, CANTEEN_EMU_SCALE_REPORT_LEN);
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (canteen_scale_parse_report (report, (gsize) n, TRUE, &reading, &error));
    g_assert_cmpint (reading.grams, ==, -20);
  }
  close_released (h);
}

/* ---- printer ------------------------------------------------------------ */

static guint8
printer_status (libusb_device_handle *h, guint8 which)
{
  g_autoptr(GBytes) req = canteen_escpos_status_request (which);
  guint8 status[8];
  int sent = 0, got = 0;

  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_OUT, (guint8 *) g_bytes_get_data (req, NULL),
                                         (int) g_bytes_get_size (req), &sent, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_IN, status, sizeof status, &got, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (got, ==, 1);
  return status[0];
}

static void
test_printer (void)
{
  libusb_device_handle *h = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_PRINTER_VID, CANTEEN_EMU_PRINTER_PID);
  static const guint8 job[] = { 0x1B, 0x40, 'H', 'i', '\n', 0x10 /* split DLE EOT 2 follows */ };
  static const guint8 job2[] = { 0x04, 0x02, 'O', 'K', '\n' };
  static const guint8 paper_job[] = { 'L', 'a', 't', 'e', 'r', '\n' };
  guint8 id[128], status[4];
  int n, sent, got;
  CanteenEscposStatus parsed;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) printed = NULL;
  g_autoptr(GBytes) received = NULL;
  g_autoptr(GBytes) held = NULL;

  g_assert_nonnull (h);
  /* GET_DEVICE_ID even while usblp holds the interface (the kernel allows it). */
  g_assert_cmpint (libusb_kernel_driver_active (h, 0), ==, 1);
  n = libusb_control_transfer (h, 0xA1, 0x00, 0, 0, id, sizeof id, TIMEOUT_MS);
  g_assert_cmpint (n, ==, 2 + (int) strlen (CANTEEN_EMU_PRINTER_DEVICE_ID));
  g_assert_cmpint (id[0] << 8 | id[1], ==, n);
  g_assert_cmpmem (id + 2, (gsize) n - 2, CANTEEN_EMU_PRINTER_DEVICE_ID, strlen (CANTEEN_EMU_PRINTER_DEVICE_ID));

  canteen_emu_printer_clear (printer);
  g_assert_cmpint (libusb_detach_kernel_driver (h, 0), ==, 0);
  g_assert_cmpint (libusb_claim_interface (h, 0), ==, 0);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_OUT, (guint8 *) job, sizeof job, &sent, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_OUT, (guint8 *) job2, sizeof job2, &sent, TIMEOUT_MS), ==, 0);
  /* The DLE EOT 2 split across transfers is answered: online, no cause. */
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_IN, status, sizeof status, &got, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (got, ==, 1);
  g_assert_cmphex (status[0], ==, 0x12);
  printed = canteen_emu_printer_get_printed (printer);
  g_assert_cmpmem (g_bytes_get_data (printed, NULL), g_bytes_get_size (printed), "\x1B@Hi\nOK\n", 8);
  received = canteen_emu_printer_get_received (printer);
  g_assert_cmpuint (g_bytes_get_size (received), ==, sizeof job + sizeof job2);

  g_assert_true (canteen_escpos_parse_status (4, (guint8[]) { printer_status (h, 4) }, 1, &parsed, &error));
  g_assert_false (parsed.paper_out);

  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_PAPER_OUT, TRUE);
  g_assert_true (canteen_escpos_parse_status (4, (guint8[]) { printer_status (h, 4) }, 1, &parsed, &error));
  g_assert_no_error (error);
  g_assert_true (parsed.paper_out);
  g_assert_cmphex (printer_status (h, 1), ==, 0x1A);            /* offline */
  g_assert_cmphex (printer_status (h, 2), ==, 0x32);            /* stopped at paper end */
  /* Held while out of paper, printed once paper is back. */
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_PRINTER_BULK_OUT, (guint8 *) paper_job, sizeof paper_job, &sent, TIMEOUT_MS), ==, 0);
  held = canteen_emu_printer_get_held (printer);
  g_assert_cmpmem (g_bytes_get_data (held, NULL), g_bytes_get_size (held), paper_job, sizeof paper_job);
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_PAPER_OUT, FALSE);
  g_bytes_unref (printed);
  printed = canteen_emu_printer_get_printed (printer);
  g_assert_cmpuint (g_bytes_get_size (printed), ==, 8 + sizeof paper_job);

  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_COVER_OPEN, TRUE);
  g_assert_cmphex (printer_status (h, 2), ==, 0x16);
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_COVER_OPEN, FALSE);
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_CUTTER_ERROR, TRUE);
  g_assert_cmphex (printer_status (h, 3), ==, 0x1A);
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_CUTTER_ERROR, FALSE);
  g_assert_cmphex (printer_status (h, 1), ==, 0x12);
  close_released (h);
}

/* ---- faults ------------------------------------------------------------- */

static void
test_fault_swallow (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GBytes) msg2 = NULL;
  CanteenCcidReply reply;
  guint discards = canteen_emu_device_get_discards (CANTEEN_EMU_DEVICE (ccid));
  gint64 start;
  guint8 seq = ccid_seq++;

  canteen_emu_device_swallow (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN, 1);
  msg = canteen_ccid_get_slot_status (0, seq);
  ccid_send (h, msg);
  start = g_get_monotonic_time ();
  g_assert_cmpint (ccid_receive (h, buf, 200), ==, LIBUSB_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  /* libusb timed out by discarding the URB. */
  g_assert_cmpuint (canteen_emu_device_get_discards (CANTEEN_EMU_DEVICE (ccid)), ==, discards + 1);
  g_assert_cmpuint (canteen_emu_device_get_pending_in (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN), ==, 0);

  /* One reply swallowed; the next is answered. */
  seq = ccid_seq++;
  msg2 = canteen_ccid_get_slot_status (0, seq);
  ccid_exchange (h, msg2, seq, buf, &reply);

  /* Swallowed control transfers time out as well. */
  canteen_emu_device_swallow (CANTEEN_EMU_DEVICE (ccid), 0x00, 1);
  g_assert_cmpint (libusb_control_transfer (h, 0x80, LIBUSB_REQUEST_GET_STATUS, 0, 0, buf, 2, 200), ==,
                   LIBUSB_ERROR_TIMEOUT);
  g_assert_cmpint (libusb_control_transfer (h, 0x80, LIBUSB_REQUEST_GET_STATUS, 0, 0, buf, 2, TIMEOUT_MS), ==, 2);
  close_released (h);
}

static void
test_fault_stall (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  CanteenCcidReply reply;
  guint8 seq;
  int sent;

  canteen_emu_device_stall_next (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN);
  g_assert_cmpint (ccid_receive (h, buf, TIMEOUT_MS), ==, LIBUSB_ERROR_PIPE);
  g_assert_cmpint (libusb_clear_halt (h, CANTEEN_EMU_CCID_BULK_IN), ==, 0);

  canteen_emu_device_stall_next (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_OUT);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_OUT, buf, 10, &sent, TIMEOUT_MS), ==, LIBUSB_ERROR_PIPE);

  canteen_emu_device_stall_next (CANTEEN_EMU_DEVICE (ccid), 0x00);
  g_assert_cmpint (libusb_control_transfer (h, 0x80, LIBUSB_REQUEST_GET_STATUS, 0, 0, buf, 2, TIMEOUT_MS), ==,
                   LIBUSB_ERROR_PIPE);
  /* Unknown requests stall as well. */
  g_assert_cmpint (libusb_control_transfer (h, 0xC0, 0x42, 0, 0, buf, 2, TIMEOUT_MS), ==, LIBUSB_ERROR_PIPE);

  seq = ccid_seq++;
  msg = canteen_ccid_get_slot_status (0, seq);
  ccid_exchange (h, msg, seq, buf, &reply);
  close_released (h);
}

static void
test_fault_corrupt (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 garbage[] = { 0x80, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 };
  CanteenCcidReply reply;
  guint8 seq = ccid_seq++;
  int n;

  canteen_emu_device_corrupt_next (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN, garbage, sizeof garbage);
  msg = canteen_ccid_get_slot_status (0, seq);
  ccid_send (h, msg);
  n = ccid_receive (h, buf, TIMEOUT_MS);
  g_assert_cmpint (n, ==, sizeof garbage);
  g_assert_false (canteen_ccid_parse_reply (buf, (gsize) n, 0, seq, CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE, &reply, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
  close_released (h);
}

static void
test_fault_delay (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  g_autoptr(GBytes) msg2 = NULL;
  CanteenCcidReply reply;
  gint64 start;
  guint8 seq = ccid_seq++;

  canteen_emu_device_set_delay (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN, 150);
  msg = canteen_ccid_get_slot_status (0, seq);
  start = g_get_monotonic_time ();
  ccid_exchange (h, msg, seq, buf, &reply);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);

  /* Shorter than the delay: a timeout, and the late reply is gone with it. */
  seq = ccid_seq++;
  msg2 = canteen_ccid_get_slot_status (0, seq);
  ccid_send (h, msg2);
  g_assert_cmpint (ccid_receive (h, buf, 50), ==, LIBUSB_ERROR_TIMEOUT);
  canteen_emu_device_clear_faults (CANTEEN_EMU_DEVICE (ccid));
  close_released (h);
}


/* Claims belong to an open file, as with the kernel: a second handle
 * cannot claim what the first holds, and can once the first is closed
 * (without releasing: closing is enough). */
static void
test_claim_per_handle (void)
{
  for (int round = 0; round < 5; round++)
    {
      libusb_device_handle *h1 = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
      libusb_device_handle *h2 = libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_CCID_DEFAULT_VID,
                                                                  CANTEEN_EMU_CCID_DEFAULT_PID);

      g_assert_nonnull (h2);
      g_assert_cmpint (libusb_claim_interface (h2, 0), ==, LIBUSB_ERROR_BUSY);
      libusb_close (h1);
      g_assert_cmpint (libusb_claim_interface (h2, 0), ==, 0);
      close_released (h2);
    }
}

/* A bulk pipe: a message longer than a whole-packet URB continues in the
 * next one; one that does not fit a URB of another size is babble. */
static void
test_packets (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  guint8 msg[100], buf[128];
  int got = 0;

  for (guint i = 0; i < sizeof msg; i++)
    msg[i] = (guint8) i;
  canteen_emu_device_push_in (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN, msg, sizeof msg);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf, 64, &got, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (got, ==, 64);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf + 64, 64, &got, TIMEOUT_MS), ==, 0);
  g_assert_cmpint (got, ==, 36);
  g_assert_cmpmem (buf, 100, msg, sizeof msg);

  canteen_emu_device_push_in (CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_CCID_BULK_IN, msg, sizeof msg);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf, 10, &got, TIMEOUT_MS), ==,
                   LIBUSB_ERROR_OVERFLOW);
  close_released (h);
}

/* ---- hotplug ------------------------------------------------------------ */

typedef struct {
  int arrived;
  int left;
} HotplugSeen;

static int
hotplug_cb (libusb_context *c, libusb_device *dev, libusb_hotplug_event event, void *user_data)
{
  HotplugSeen *seen = user_data;

  if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
    seen->arrived++;
  else
    seen->left++;
  return 0;
}

static void
wait_for (int *counter)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (*counter == 0 && g_get_monotonic_time () < end)
    {
      struct timeval tv = { 0, 50000 };
      libusb_handle_events_timeout (ctx, &tv);
    }
  g_assert_cmpint (*counter, >, 0);
}

static void
test_unplug_replug (void)
{
  libusb_device_handle *h = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  libusb_device_handle *h2;
  libusb_hotplug_callback_handle cb;
  HotplugSeen seen = { 0 };
  struct libusb_transfer *t = libusb_alloc_transfer (0);
  g_autofree guint8 *buf = g_malloc (CCID_BUF);
  g_autoptr(GBytes) msg = NULL;
  CanteenCcidReply reply;
  guint8 ibuf[8], seq;
  int done = 0, sent;
  guint old_devnum = canteen_emu_testbed_get_devnum (tb, CANTEEN_EMU_DEVICE (ccid));
  g_autoptr(GError) error = NULL;

  g_assert_true (libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG));
  g_assert_cmpint (libusb_hotplug_register_callback (ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                                     0, CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID,
                                                     LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, &seen, &cb), ==, 0);
  canteen_emu_ccid_reader_remove (ccid);
  while (interrupt_read (h, CANTEEN_EMU_CCID_INTERRUPT_IN, ibuf, sizeof ibuf, 20) > 0)
    ;

  /* Pulled out while a transfer waits. */
  libusb_fill_interrupt_transfer (t, h, CANTEEN_EMU_CCID_INTERRUPT_IN, ibuf, sizeof ibuf, transfer_done, &done, 0);
  g_assert_cmpint (libusb_submit_transfer (t), ==, 0);
  canteen_emu_testbed_unplug (tb, CANTEEN_EMU_DEVICE (ccid));
  wait_transfer (&done);
  g_assert_cmpint (t->status, ==, LIBUSB_TRANSFER_NO_DEVICE);
  wait_for (&seen.left);
  g_assert_cmpint (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_OUT, buf, 10, &sent, TIMEOUT_MS), ==,
                   LIBUSB_ERROR_NO_DEVICE);
  g_assert_null (libusb_open_device_with_vid_pid (ctx, CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID));
  libusb_close (h);

  /* Back in, under a new device number; the old handle stays dead. */
  g_assert_true (canteen_emu_testbed_replug (tb, CANTEEN_EMU_DEVICE (ccid), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (canteen_emu_testbed_get_devnum (tb, CANTEEN_EMU_DEVICE (ccid)), !=, old_devnum);
  wait_for (&seen.arrived);
  h2 = open_claimed (CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  g_assert_cmpuint (libusb_get_device_address (libusb_get_device (h2)), ==,
                    canteen_emu_testbed_get_devnum (tb, CANTEEN_EMU_DEVICE (ccid)));
  seq = ccid_seq++;
  msg = canteen_ccid_get_slot_status (0, seq);
  ccid_exchange (h2, msg, seq, buf, &reply);
  g_assert_cmpint (reply.icc, ==, CANTEEN_CCID_ICC_ABSENT);
  close_released (h2);

  libusb_hotplug_deregister_callback (ctx, cb);
  libusb_free_transfer (t);
}

/* ---- another process ---------------------------------------------------- */

/* The child canteen-emulate runs: a card tapped on the CCID reader and a
 * scale, seen through this process's own libusb. */
static int
probe_main (void)
{
  libusb_context *c = NULL;
  libusb_device_handle *h;
  guint8 buf[512], ibuf[8];
  int got = 0, sent;
  g_autoptr(GBytes) on = canteen_ccid_power_on (0, 1);
  g_autoptr(GBytes) uid_apdu = canteen_apdu_get_uid ();
  g_autoptr(GBytes) xfr = canteen_ccid_xfr_block (0, 2, g_bytes_get_data (uid_apdu, NULL), g_bytes_get_size (uid_apdu),
                                                  0, 271, NULL);
  CanteenScaleReading reading;

  if (libusb_init (&c) != 0)
    return 10;
  h = libusb_open_device_with_vid_pid (c, CANTEEN_EMU_CCID_DEFAULT_VID, CANTEEN_EMU_CCID_DEFAULT_PID);
  if (!h || libusb_claim_interface (h, 0) != 0)
    return 11;
  /* Wait for the tap. */
  if (libusb_interrupt_transfer (h, CANTEEN_EMU_CCID_INTERRUPT_IN, ibuf, sizeof ibuf, &got, 5000) != 0 ||
      got != 2 || ibuf[1] != 0x03)
    return 12;
  if (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_OUT, (guint8 *) g_bytes_get_data (on, NULL), 10, &sent, 2000) != 0 ||
      libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf, sizeof buf, &got, 2000) != 0 || got <= 10)
    return 13;
  if (libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_OUT, (guint8 *) g_bytes_get_data (xfr, NULL),
                            (int) g_bytes_get_size (xfr), &sent, 2000) != 0 ||
      libusb_bulk_transfer (h, CANTEEN_EMU_CCID_BULK_IN, buf, sizeof buf, &got, 2000) != 0 || got < 12)
    return 14;
  printf ("uid");
  for (int i = 10; i < got - 2; i++)
    printf (" %02X", buf[i]);
  printf (" sw %02X%02X\n", buf[got - 2], buf[got - 1]);
  libusb_release_interface (h, 0);
  libusb_close (h);

  h = libusb_open_device_with_vid_pid (c, CANTEEN_EMU_SCALE_VID, CANTEEN_EMU_SCALE_PID);
  if (!h || libusb_detach_kernel_driver (h, 0) != 0 || libusb_claim_interface (h, 0) != 0)
    return 15;
  if (libusb_interrupt_transfer (h, CANTEEN_EMU_SCALE_INTERRUPT_IN, ibuf, sizeof ibuf, &got, 2000) != 0 ||
      !canteen_scale_parse_report (ibuf, (gsize) got, TRUE, &reading, NULL))
    return 16;
  printf ("scale %d g\n", reading.grams);
  libusb_release_interface (h, 0);
  libusb_close (h);
  libusb_exit (c);
  return 0;
}

static void
test_cross_process (void)
{
  const char *emulate = g_getenv ("CANTEEN_EMULATE");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  const char *argv[] = { emulate, "--ccid-card", "cpu:04A1B2C3", "--scale", "250", "--tap-after", "0.3",
                         "--", self, "--probe", NULL };
  /* Neither the testbed of this process nor its preload: the child gets
   * canteen-emulate's. */
  g_auto(GStrv) env = g_get_environ ();

  if (!emulate)
    {
      g_test_skip ("CANTEEN_EMULATE is not set");
      return;
    }
  env = g_environ_unsetenv (env, "UMOCKDEV_DIR");
  env = g_environ_unsetenv (env, "LD_PRELOAD");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("canteen-emulate: %s\nstdout: %s\nstderr: %s", error->message, out, err);
  g_assert_cmpstr (out, ==, "uid 04 A1 B2 C3 sw 9000\nscale 250 g\n");
}

/* ---- setup -------------------------------------------------------------- */

static void
add (CanteenEmuDevice *dev)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_emu_testbed_add (tb, dev, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  guint8 *file;
  int ret;

  if (argc > 1 && g_str_equal (argv[1], "--probe"))
    return probe_main ();
  if (!canteen_emu_ensure_preload (argv, &error))
    g_error ("%s", error->message);
  g_test_init (&argc, &argv, NULL);
  if (sodium_init () < 0)
    g_error ("libsodium");

  /* The testbed before anything looks at devices. */
  tb = canteen_emu_testbed_new ();
  file = g_malloc (FILE_LEN);
  for (int i = 0; i < FILE_LEN; i++)
    file[i] = (guint8) (i * 7 + 3);
  card_file = g_bytes_new_take (file, FILE_LEN);
  cpu_card = canteen_emu_card_new_cpu (cpu_uid, sizeof cpu_uid, NULL, card_file);
  ccid = canteen_emu_ccid_reader_new ();
  hid_reader = canteen_emu_hid_reader_new ();
  scale = canteen_emu_scale_new ();
  printer = canteen_emu_printer_new ();
  add (CANTEEN_EMU_DEVICE (ccid));
  add (CANTEEN_EMU_DEVICE (hid_reader));
  add (CANTEEN_EMU_DEVICE (scale));
  add (CANTEEN_EMU_DEVICE (printer));
  if (libusb_init (&ctx) != 0)
    g_error ("libusb_init failed");

  g_test_add_func ("/emulator/enumerate", test_enumerate);
  g_test_add_func ("/emulator/strings", test_strings);
  g_test_add_func ("/emulator/card/status-words", test_card_status_words);
  g_test_add_func ("/emulator/ccid/no-card", test_ccid_no_card);
  g_test_add_func ("/emulator/ccid/insert-notify", test_ccid_insert_notify);
  g_test_add_func ("/emulator/ccid/power-on-atr", test_ccid_power_on_atr);
  g_test_add_func ("/emulator/ccid/uid", test_ccid_uid);
  g_test_add_func ("/emulator/ccid/read-file-chaining", test_ccid_read_file_chaining);
  g_test_add_func ("/emulator/ccid/internal-authenticate", test_ccid_internal_authenticate);
  g_test_add_func ("/emulator/ccid/time-extension", test_ccid_time_extension);
  g_test_add_func ("/emulator/ccid/bad-messages", test_ccid_bad_messages);
  g_test_add_func ("/emulator/ccid/short-reader", test_ccid_short_reader);
  g_test_add_func ("/emulator/ccid/tap", test_ccid_tap);
  g_test_add_func ("/emulator/hid-reader/detach-and-tap", test_hid_reader_tap);
  g_test_add_func ("/emulator/scale/report", test_scale_report);
  g_test_add_func ("/emulator/printer/bytes-and-status", test_printer);
  g_test_add_func ("/emulator/fault/swallow-timeout", test_fault_swallow);
  g_test_add_func ("/emulator/fault/stall", test_fault_stall);
  g_test_add_func ("/emulator/fault/corrupt", test_fault_corrupt);
  g_test_add_func ("/emulator/fault/delay", test_fault_delay);
  g_test_add_func ("/emulator/usb/claim-per-handle", test_claim_per_handle);
  g_test_add_func ("/emulator/usb/packets", test_packets);
  g_test_add_func ("/emulator/hotplug/unplug-replug", test_unplug_replug);
  g_test_add_func ("/emulator/cross-process", test_cross_process);
  ret = g_test_run ();

  libusb_exit (ctx);
  g_object_unref (ccid);
  g_object_unref (hid_reader);
  g_object_unref (scale);
  g_object_unref (printer);
  g_object_unref (cpu_card);
  g_bytes_unref (card_file);
  g_object_unref (tb);
  return ret;
}
