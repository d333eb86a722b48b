/* test-drivers — the real drivers (libusb, on the GLib main loop) against
 * emulated USB devices (umockdev): a CCID reader with a software card, a
 * keyboard-wedge reader, a POS scale and an ESC/POS printer, all at once,
 * with hotplug, timeouts, stalls, malformed replies and unplugs.
 */
#include <sodium.h>
#include <sys/resource.h>

#include "card-session.h"
#include "device-error.h"
#include "device-manager.h"
#include "drivers.h"
#include "emu-card.h"
#include "emu-ccid-reader.h"
#include "emu-hid-reader.h"
#include "emu-printer.h"
#include "emu-scale.h"
#include "emu-testbed.h"
#include "test-wait.h"

typedef struct {
  CanteenEmuTestbed    *testbed;
  CanteenEmuCcidReader *ccid;
  CanteenEmuHidReader  *hid;
  CanteenEmuScale      *scale;
  CanteenEmuPrinter    *printer;
  CanteenDeviceManager *manager;
  CanteenEmuCard       *cpu_card;
  CanteenEmuCard       *mifare;
  GBytes               *card_file;
} Fixture;

static const guint8 cpu_uid[] = { 0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6 };
static const guint8 mifare_uid[] = { 0xDE, 0xAD, 0xBE, 0xEF };

/* --- fixture ---------------------------------------------------------- */

static void
kick (gpointer device, gpointer user_data)
{
  canteen_usb_context_kick (user_data);
}

static CanteenDevice *
find_device (Fixture *f, const char *driver)
{
  GListModel *list = canteen_device_manager_get_devices (f->manager);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      if (g_str_equal (canteen_device_get_driver (dev), driver))
        return dev;   /* the list keeps it alive */
    }
  return NULL;
}

static gboolean
all_ready (gpointer data)
{
  Fixture *f = data;
  GListModel *list = canteen_device_manager_get_devices (f->manager);
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      if (canteen_device_get_state (dev) != CANTEEN_DEVICE_STATE_READY)
        return FALSE;
    }
  return n == 4;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  CanteenEmuDevice *devices[4];
  GByteArray *file = g_byte_array_new ();

  for (guint i = 0; i < 600; i++)
    g_byte_array_append (file, (const guint8 []) { (guint8) (i * 7) }, 1);
  f->card_file = g_byte_array_free_to_bytes (file);
  f->cpu_card = canteen_emu_card_new_cpu (cpu_uid, sizeof cpu_uid, NULL, f->card_file);
  f->mifare = canteen_emu_card_new_uid_only (mifare_uid, sizeof mifare_uid);

  f->testbed = canteen_emu_testbed_new ();
  f->ccid = canteen_emu_ccid_reader_new ();
  f->hid = canteen_emu_hid_reader_new ();
  f->scale = canteen_emu_scale_new ();
  f->printer = canteen_emu_printer_new ();
  devices[0] = CANTEEN_EMU_DEVICE (f->ccid);
  devices[1] = CANTEEN_EMU_DEVICE (f->hid);
  devices[2] = CANTEEN_EMU_DEVICE (f->scale);
  devices[3] = CANTEEN_EMU_DEVICE (f->printer);
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_assert_true (canteen_emu_testbed_add (f->testbed, devices[i], &error));
      g_assert_no_error (error);
    }

  f->manager = canteen_device_manager_new (&error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    canteen_emu_device_set_notify (devices[i], kick,
                                   g_object_ref (canteen_device_manager_get_usb_context (f->manager)),
                                   g_object_unref);
  g_assert_true (canteen_device_manager_start (f->manager, &error));
  g_assert_true (test_wait_until (all_ready, f, 5000));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  CanteenEmuDevice *devices[] = { CANTEEN_EMU_DEVICE (f->ccid), CANTEEN_EMU_DEVICE (f->hid),
                                  CANTEEN_EMU_DEVICE (f->scale), CANTEEN_EMU_DEVICE (f->printer) };

  g_clear_object (&f->manager);
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    canteen_emu_device_set_notify (devices[i], NULL, NULL, NULL);
  g_clear_object (&f->ccid);
  g_clear_object (&f->hid);
  g_clear_object (&f->scale);
  g_clear_object (&f->printer);
  g_clear_object (&f->testbed);
  g_clear_object (&f->cpu_card);
  g_clear_object (&f->mifare);
  g_clear_pointer (&f->card_file, g_bytes_unref);
}

/* --- card helpers ----------------------------------------------------- */

typedef struct {
  CanteenCardSession *inserted;
  CanteenCardSession *removed;
  char               *unreadable;
} CardEvents;

static void on_inserted (CanteenCardReader *r, CanteenCardSession *s, CardEvents *e)
{ g_set_object (&e->inserted, s); }
static void on_removed (CanteenCardReader *r, CanteenCardSession *s, CardEvents *e)
{ g_set_object (&e->removed, s); }
static void on_unreadable (CanteenCardReader *r, const char *m, CardEvents *e)
{ g_free (e->unreadable); e->unreadable = g_strdup (m); }

static void
watch_card (CanteenDevice *reader, CardEvents *e)
{
  g_signal_connect (reader, "card-inserted", G_CALLBACK (on_inserted), e);
  g_signal_connect (reader, "card-removed", G_CALLBACK (on_removed), e);
  g_signal_connect (reader, "card-unreadable", G_CALLBACK (on_unreadable), e);
}

static void
card_events_clear (CanteenDevice *reader, CardEvents *e)
{
  g_signal_handlers_disconnect_by_data (reader, e);
  g_clear_object (&e->inserted);
  g_clear_object (&e->removed);
  g_clear_pointer (&e->unreadable, g_free);
}

typedef struct {
  GBytes  *data;
  GError  *error;
  gboolean done;
} Result;

static void
command_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Result *r = data;
  r->data = canteen_card_session_command_finish (CANTEEN_CARD_SESSION (source), res, &r->error);
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->data, g_bytes_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

/* --- tests ------------------------------------------------------------ */

static void
test_enumerate (Fixture *f, gconstpointer data)
{
  struct { const char *driver; CanteenDeviceKind kind; guint16 vid, pid; } expected[] = {
    { "ccid", CANTEEN_DEVICE_KIND_CARD_READER, 0x1209, 0x0001 },
    { "hid-reader", CANTEEN_DEVICE_KIND_CARD_READER, 0x1209, 0x0002 },
    { "hid-pos-scale", CANTEEN_DEVICE_KIND_SCALE, 0x1209, 0x0003 },
    { "escpos", CANTEEN_DEVICE_KIND_PRINTER, 0x1209, 0x0004 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      CanteenDevice *dev = find_device (f, expected[i].driver);
      g_assert_nonnull (dev);
      g_assert_cmpint (canteen_device_get_kind (dev), ==, expected[i].kind);
      g_assert_cmphex (canteen_device_get_vid (dev), ==, expected[i].vid);
      g_assert_cmphex (canteen_device_get_pid (dev), ==, expected[i].pid);
      g_assert_cmpint (canteen_device_get_state (dev), ==, CANTEEN_DEVICE_STATE_READY);
      g_assert_null (canteen_device_get_error (dev));
    }
  /* The keyboard-wedge reader's usbhid was detached, not left typing into
   * whatever window has focus. */
  g_assert_false (canteen_emu_device_get_kernel_driver_bound (CANTEEN_EMU_DEVICE (f->hid), 0));
  g_assert_true (canteen_emu_device_get_claimed (CANTEEN_EMU_DEVICE (f->hid), 0));
}

static void
test_ccid_cpu_card (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };
  Result r = { 0 };
  guint8 pk[32];
  g_autoptr (GBytes) challenge = NULL;
  g_autofree char *atr = NULL;
  const guint8 nonce[40] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

  watch_card (reader, &e);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));
  g_assert_cmpstr (canteen_card_session_get_uid (e.inserted), ==, "04A1B2C3D4E5F6");
  g_assert_cmpint (canteen_card_session_get_kind (e.inserted), ==, CANTEEN_CARD_KIND_CPU);
  atr = canteen_card_session_get_atr_hex (e.inserted);
  g_assert_true (g_str_has_prefix (atr, "3B "));
  g_assert_true (canteen_card_reader_get_session (CANTEEN_CARD_READER (reader)) == e.inserted);

  /* SELECT the canteen applet, then READ BINARY: 600 bytes need GET
   * RESPONSE chaining (61xx) behind the scenes. */
  canteen_card_session_select (e.inserted, (const guint8 *) CANTEEN_EMU_CARD_AID, CANTEEN_EMU_CARD_AID_LEN,
                               NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 3000));
  g_assert_no_error (r.error);
  result_clear (&r);
  canteen_card_session_read_binary (e.inserted, 0, 0, NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 3000));
  g_assert_no_error (r.error);
  g_assert_true (g_bytes_equal (r.data, f->card_file));
  result_clear (&r);

  /* INTERNAL AUTHENTICATE: the card signs the challenge with its key. */
  challenge = g_bytes_new (nonce, sizeof nonce);
  canteen_card_session_internal_authenticate (e.inserted, challenge, NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 3000));
  g_assert_no_error (r.error);
  g_assert_cmpuint (g_bytes_get_size (r.data), ==, crypto_sign_BYTES);
  g_assert_true (canteen_emu_card_get_public_key (f->cpu_card, pk));
  g_assert_cmpint (crypto_sign_verify_detached (g_bytes_get_data (r.data, NULL), nonce, sizeof nonce, pk), ==, 0);
  result_clear (&r);

  /* The card leaves: the session says so and refuses further commands. */
  canteen_emu_ccid_reader_remove (f->ccid);
  g_assert_true (test_wait_until (test_is_set, &e.removed, 3000));
  g_assert_true (e.removed == e.inserted);
  g_assert_false (canteen_card_session_is_present (e.removed));
  canteen_card_session_read_binary (e.removed, 0, 16, NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 1000));
  g_assert_error (r.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD);
  result_clear (&r);
  card_events_clear (reader, &e);
}

static void
test_ccid_uid_only (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };
  Result r = { 0 };

  watch_card (reader, &e);
  canteen_emu_ccid_reader_tap (f->ccid, f->mifare, 300);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));
  g_assert_cmpstr (canteen_card_session_get_uid (e.inserted), ==, "DEADBEEF");
  g_assert_cmpint (canteen_card_session_get_kind (e.inserted), ==, CANTEEN_CARD_KIND_UID_ONLY);
  /* A memory card answers no commands: policy code gets a clear refusal. */
  canteen_card_session_read_binary (e.inserted, 0, 16, NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 1000));
  g_assert_error (r.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NOT_SUPPORTED);
  result_clear (&r);
  /* The tap ends by itself. */
  g_assert_true (test_wait_until (test_is_set, &e.removed, 3000));
  card_events_clear (reader, &e);
}

static void
test_ccid_time_extension (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };

  watch_card (reader, &e);
  canteen_emu_ccid_reader_set_time_extensions (f->ccid, 3);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 5000));
  g_assert_cmpstr (canteen_card_session_get_uid (e.inserted), ==, "04A1B2C3D4E5F6");
  g_assert_null (e.unreadable);
  canteen_emu_ccid_reader_set_time_extensions (f->ccid, 0);
  card_events_clear (reader, &e);
}

static void
test_ccid_malformed_reply (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };
  /* A DataBlock header announcing 200 bytes and carrying 3. */
  static const guint8 bad[] = { 0x80, 200, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00, 0x00 };

  watch_card (reader, &e);
  canteen_emu_device_corrupt_next (CANTEEN_EMU_DEVICE (f->ccid), CANTEEN_EMU_CCID_BULK_IN, bad, sizeof bad);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.unreadable, 3000));
  g_assert_null (e.inserted);
  g_assert_nonnull (strstr (e.unreadable, "ccid 1209:0001"));
  /* The reader is still usable: the next tap reads. */
  canteen_emu_ccid_reader_remove (f->ccid);
  test_spin_ms (100);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));
  g_assert_cmpint (canteen_device_get_state (reader), ==, CANTEEN_DEVICE_STATE_READY);
  card_events_clear (reader, &e);
}

static void
test_ccid_timeout_and_stall (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };
  Result r = { 0 };
  gint64 start;

  watch_card (reader, &e);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));

  /* The reader never answers: the command ends with a timeout that names
   * the device and the operation, after the driver's 2 s, not never. */
  canteen_emu_device_swallow (CANTEEN_EMU_DEVICE (f->ccid), CANTEEN_EMU_CCID_BULK_IN, 1);
  start = g_get_monotonic_time ();
  canteen_card_session_select (e.inserted, (const guint8 *) CANTEEN_EMU_CARD_AID, CANTEEN_EMU_CARD_AID_LEN,
                               NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 6000));
  g_assert_error (r.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (r.error->message, "ccid 1209:0001"));
  g_assert_nonnull (strstr (r.error->message, "exchanging with the card"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1900 * 1000);
  g_assert_cmpuint (canteen_emu_device_get_discards (CANTEEN_EMU_DEVICE (f->ccid)), >=, 1);
  result_clear (&r);

  /* A stalled endpoint is an I/O error, not a hang or a crash. */
  canteen_emu_device_clear_faults (CANTEEN_EMU_DEVICE (f->ccid));
  canteen_emu_device_stall_next (CANTEEN_EMU_DEVICE (f->ccid), CANTEEN_EMU_CCID_BULK_IN);
  canteen_card_session_select (e.inserted, (const guint8 *) CANTEEN_EMU_CARD_AID, CANTEEN_EMU_CARD_AID_LEN,
                               NULL, command_done, &r);
  g_assert_true (test_wait_until (test_is_true, &r.done, 3000));
  g_assert_error (r.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_IO);
  g_assert_nonnull (strstr (r.error->message, "stalled"));
  result_clear (&r);
  card_events_clear (reader, &e);
}

static gboolean
reader_gone (gpointer data)
{
  return canteen_device_get_state (data) == CANTEEN_DEVICE_STATE_GONE;
}

static gboolean
reader_ready (gpointer data)
{
  return canteen_device_get_state (data) == CANTEEN_DEVICE_STATE_READY;
}

static void
test_hotplug_and_unplug_mid_transfer (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "ccid");
  CardEvents e = { 0 };
  Result r = { 0 };
  g_autoptr (GError) error = NULL;

  watch_card (reader, &e);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));

  /* Pull the cable while a command waits for its (delayed) answer. */
  canteen_emu_device_set_delay (CANTEEN_EMU_DEVICE (f->ccid), CANTEEN_EMU_CCID_BULK_IN, 1000);
  canteen_card_session_select (e.inserted, (const guint8 *) CANTEEN_EMU_CARD_AID, CANTEEN_EMU_CARD_AID_LEN,
                               NULL, command_done, &r);
  test_spin_ms (100);
  canteen_emu_testbed_unplug (f->testbed, CANTEEN_EMU_DEVICE (f->ccid));
  g_assert_true (test_wait_until (test_is_true, &r.done, 3000));
  g_assert_nonnull (r.error);
  g_assert_true (r.error->domain == CANTEEN_DEVICE_ERROR);
  result_clear (&r);
  g_assert_true (test_wait_until (reader_gone, reader, 3000));
  g_assert_true (test_wait_until (test_is_set, &e.removed, 1000));
  /* A gone reader is never offered for payment. */
  g_assert_true (canteen_device_manager_find (f->manager, CANTEEN_DEVICE_KIND_CARD_READER) != reader);

  /* Plug it back: the same device object comes back by itself and reads. */
  canteen_emu_device_clear_faults (CANTEEN_EMU_DEVICE (f->ccid));
  g_clear_object (&e.inserted);
  g_assert_true (canteen_emu_testbed_replug (f->testbed, CANTEEN_EMU_DEVICE (f->ccid), &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_until (reader_ready, reader, 5000));
  g_assert_true (find_device (f, "ccid") == reader);
  g_assert_cmpuint (g_list_model_get_n_items (canteen_device_manager_get_devices (f->manager)), ==, 4);
  canteen_emu_ccid_reader_remove (f->ccid);
  test_spin_ms (50);
  canteen_emu_ccid_reader_insert (f->ccid, f->cpu_card);
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));
  card_events_clear (reader, &e);
}

static void
test_hid_reader (Fixture *f, gconstpointer data)
{
  CanteenDevice *reader = find_device (f, "hid-reader");
  CardEvents e = { 0 };

  watch_card (reader, &e);
  g_assert_true (canteen_emu_hid_reader_tap (f->hid, "3735928559"));
  g_assert_true (test_wait_until (test_is_set, &e.inserted, 3000));
  g_assert_cmpstr (canteen_card_session_get_uid (e.inserted), ==, "DEADBEEF");
  g_assert_cmpint (canteen_card_session_get_kind (e.inserted), ==, CANTEEN_CARD_KIND_UID_ONLY);
  g_assert_null (canteen_card_session_get_atr (e.inserted));
  /* Keyboard readers never say the card left; the session ends itself. */
  g_assert_true (test_wait_until (test_is_set, &e.removed, 3000));
  card_events_clear (reader, &e);
}

static gboolean
scale_shows (gpointer data)
{
  gpointer *args = data;
  CanteenScaleReading r;

  return canteen_pos_scale_get_reading (args[0], &r) && r.valid && r.stable == GPOINTER_TO_INT (args[2])
      && r.grams == GPOINTER_TO_INT (args[1]);
}

static void
expect_weight (CanteenPosScale *scale, gint grams, gboolean stable)
{
  gpointer args[] = { scale, GINT_TO_POINTER (grams), GINT_TO_POINTER (stable) };
  CanteenScaleReading r = { 0 };

  if (!test_wait_until (scale_shows, args, 3000))
    {
      canteen_pos_scale_get_reading (scale, &r);
      g_error ("scale shows %d g (valid %d stable %d), expected %d g stable %d",
               r.grams, r.valid, r.stable, grams, stable);
    }
}

static void
test_scale (Fixture *f, gconstpointer data)
{
  CanteenPosScale *scale = CANTEEN_POS_SCALE (find_device (f, "hid-pos-scale"));
  g_autoptr (GError) error = NULL;
  CanteenScaleReading r;

  canteen_emu_scale_set_grams (f->scale, 352);
  expect_weight (scale, 352, TRUE);

  /* Moving: a weight, not one to sell by. */
  canteen_emu_scale_set (f->scale, CANTEEN_SCALE_IN_MOTION, CANTEEN_EMU_SCALE_UNIT_GRAM, 0, 360);
  expect_weight (scale, 360, FALSE);
  g_assert_false (canteen_pos_scale_tare (scale, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED);
  g_clear_error (&error);

  /* Kilograms with an exponent: 0.45 kg. */
  canteen_emu_scale_set (f->scale, CANTEEN_SCALE_STABLE, CANTEEN_EMU_SCALE_UNIT_KILOGRAM, -2, 45);
  expect_weight (scale, 450, TRUE);

  /* Tare the empty tray, then the food on it weighs net. */
  g_assert_true (canteen_pos_scale_tare (scale, &error));
  g_assert_no_error (error);
  expect_weight (scale, 0, TRUE);
  canteen_emu_scale_set_grams (f->scale, 450 + 287);
  expect_weight (scale, 287, TRUE);
  canteen_pos_scale_clear_tare (scale);
  expect_weight (scale, 737, TRUE);

  /* Over capacity: no weight at all. */
  canteen_emu_scale_set (f->scale, CANTEEN_SCALE_OVER_CAPACITY, CANTEEN_EMU_SCALE_UNIT_GRAM, 0, 0);
  test_spin_ms (200);
  g_assert_true (canteen_pos_scale_get_reading (scale, &r));
  g_assert_false (r.valid);
  g_assert_cmpint (r.status, ==, CANTEEN_SCALE_OVER_CAPACITY);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} PrintResult;

static void
printed (GObject *source, GAsyncResult *res, gpointer data)
{
  PrintResult *p = data;
  p->ok = canteen_escpos_printer_print_finish (CANTEEN_ESCPOS_PRINTER (source), res, &p->error);
  p->done = TRUE;
}

static GBytes *
receipt_bytes (void)
{
  g_autoptr (CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  g_autoptr (GError) error = NULL;
  GString *big = g_string_new (NULL);

  canteen_escpos_initialize (doc);
  g_assert_true (canteen_escpos_line (doc, "红烧肉 ¥12.00", &error));
  /* Long enough to need several bulk writes. */
  for (guint i = 0; i < 600; i++)
    g_string_append (big, "米饭 ");
  g_assert_true (canteen_escpos_line (doc, big->str, &error));
  g_string_free (big, TRUE);
  canteen_escpos_cut (doc, CANTEEN_ESCPOS_CUT_PARTIAL, 0);
  return canteen_escpos_free_to_bytes (g_steal_pointer (&doc));
}

static void
test_printer (Fixture *f, gconstpointer data)
{
  CanteenEscposPrinter *printer = CANTEEN_ESCPOS_PRINTER (find_device (f, "escpos"));
  g_autoptr (GBytes) doc = receipt_bytes ();
  g_autoptr (GBytes) printed_bytes = NULL;
  PrintResult p = { 0 };

  /* Paper out: refused before anything is sent, with the cause named. */
  canteen_emu_printer_set_condition (f->printer, CANTEEN_EMU_PRINTER_PAPER_OUT, TRUE);
  canteen_escpos_printer_print (printer, doc, NULL, printed, &p);
  g_assert_true (test_wait_until (test_is_true, &p.done, 5000));
  g_assert_false (p.ok);
  g_assert_error (p.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED);
  g_assert_nonnull (strstr (p.error->message, "paper out"));
  g_clear_error (&p.error);
  printed_bytes = canteen_emu_printer_get_printed (f->printer);
  g_assert_cmpuint (g_bytes_get_size (printed_bytes), ==, 0);
  g_clear_pointer (&printed_bytes, g_bytes_unref);

  /* Paper loaded: the same job prints, byte for byte. */
  canteen_emu_printer_set_condition (f->printer, CANTEEN_EMU_PRINTER_PAPER_OUT, FALSE);
  p.done = FALSE;
  canteen_escpos_printer_print (printer, doc, NULL, printed, &p);
  g_assert_true (test_wait_until (test_is_true, &p.done, 5000));
  g_assert_no_error (p.error);
  g_assert_true (p.ok);
  printed_bytes = canteen_emu_printer_get_printed (f->printer);
  g_assert_true (g_bytes_equal (printed_bytes, doc));
  g_assert_cmpuint (canteen_emu_printer_get_status_requests (f->printer), >=, 8);
}

static void
test_idle_does_not_spin (Fixture *f, gconstpointer data)
{
  struct rusage before, after;
  double cpu_s;

  /* Four devices attached, each with a transfer waiting (card, weight):
   * a second of idling must cost a few ms of CPU, not a core. */
  getrusage (RUSAGE_SELF, &before);
  test_spin_ms (1000);
  getrusage (RUSAGE_SELF, &after);
  cpu_s = (double) (after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec - before.ru_stime.tv_sec)
        + (double) (after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
  g_test_message ("idle CPU with 4 emulated devices: %.1f%% of a core (both sides of the emulation)", cpu_s * 100);
  g_assert_cmpfloat (cpu_s, <, 0.25);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  if (!canteen_emu_ensure_preload (argv, &error))
    g_error ("%s", error->message);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/drivers/enumerate", test_enumerate);
  ADD ("/drivers/ccid/cpu-card", test_ccid_cpu_card);
  ADD ("/drivers/ccid/uid-only", test_ccid_uid_only);
  ADD ("/drivers/ccid/time-extension", test_ccid_time_extension);
  ADD ("/drivers/ccid/malformed-reply", test_ccid_malformed_reply);
  ADD ("/drivers/ccid/timeout-and-stall", test_ccid_timeout_and_stall);
  ADD ("/drivers/ccid/hotplug-unplug-mid-transfer", test_hotplug_and_unplug_mid_transfer);
  ADD ("/drivers/hid-reader/tap", test_hid_reader);
  ADD ("/drivers/scale", test_scale);
  ADD ("/drivers/printer", test_printer);
  ADD ("/drivers/idle-does-not-spin", test_idle_does_not_spin);
  return g_test_run ();
}
