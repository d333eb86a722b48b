/* test-kiosk-devices.c — the kiosk with emulated USB devices, in-process.
 *
 * The app runs as `canteen-kiosk --demo --emulate-devices` does: a umockdev
 * testbed with a CCID reader, a POS scale and an ESC/POS printer, found by
 * the real device manager through libusb. A card tap on the emulated reader
 * must pay exactly once, an unreadable card must say so, an unplugged
 * reader must show in the status bar and come back by itself, the scale's
 * weight must show on the tray and price a weighed dish, and a receipt must
 * print — or fail with its cause, leaving the payment alone.
 *
 * Screenshots go to $CANTEEN_SCREENSHOT_DIR (the build directory under
 * meson): kiosk-devices-tap.png, kiosk-devices-paid.png,
 * kiosk-devices-reader-gone.png, kiosk-devices-scale.png,
 * kiosk-devices-print-failed.png.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "emu-testbed.h"
#include "kiosk-app.h"
#include "kiosk-fixture.h"
#include "kiosk-test-app.h"
#include "kiosk-window.h"
#include "money.h"
#include "test-wait.h"

#define WAIT_MS 10000

#define CHIP_CARD     KIOSK_FIXTURE_CARD_CHIP
#define CHIP_CARD_FEN KIOSK_FIXTURE_CARD_CHIP_FEN

typedef struct {
  char            *dir;
  char            *db_path;
  CanteenLedger   *ledger;   /* the test's own handle, for checking */
  CanteenKioskApp *app;
  guint            payments; /* times the flow became busy */
} Fixture;

/* --- the app ------------------------------------------------------------ */

static CanteenKioskWindow *
window_of (Fixture *f)
{
  return CANTEEN_KIOSK_WINDOW (canteen_kiosk_app_get_window (f->app));
}

static CanteenKioskEmulation *
emulation_of (Fixture *f)
{
  return canteen_kiosk_app_get_emulation (f->app);
}

static void
activate (Fixture *f, const char *action, GVariant *parameter)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), action, parameter);
}

static gboolean
action_enabled (Fixture *f, const char *action)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), action);
}

static void
busy_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, Fixture *f)
{
  if (canteen_checkout_flow_get_busy (flow))
    f->payments++;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->ledger = kiosk_fixture_create_in_temp ("canteen-kiosk-dev", &f->dir, &f->db_path);

  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE,
                                 "demo", TRUE, "emulate-devices", TRUE, NULL);
  g_assert_nonnull (emulation_of (f));
  g_assert_null (canteen_kiosk_app_get_devices_problem (f->app));
  kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
  g_signal_connect (canteen_kiosk_app_get_flow (f->app), "notify::busy", G_CALLBACK (busy_cb), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_signal_handlers_disconnect_by_data (canteen_kiosk_app_get_flow (f->app), f);
  kiosk_test_app_finish (&f->app);
  canteen_ledger_close (f->ledger);
  kiosk_test_remove_tree (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

/* Saves what the window shows (after the next frame) and waits for it. */
static void
assert_money_text (const char *text, gint64 fen)
{
  g_autofree char *expected = canteen_fen_format (fen);
  g_assert_cmpstr (text, ==, expected);
}

static gint64
balance (Fixture *f)
{
  return kiosk_fixture_balance (f->ledger, CHIP_CARD);
}

/* The dish on the tray, then the tap page. */
static void
order_and_pay (Fixture *f, const char *dish)
{
  activate (f, "add-dish", g_variant_new_string (dish));
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
}

/* --- tap pays ------------------------------------------------------------ */

static void
test_tap_pays_once (Fixture *f, gconstpointer data)
{
  CanteenEmuCcidReader *reader = canteen_kiosk_emulation_get_reader (emulation_of (f));
  g_autoptr(CanteenEmuCard) card = NULL;
  static const guint8 uid[] = { 0x04, 0xA1, 0xB2, 0xC3 };

  /* A card at the order page pays nothing: only the tap page takes one. */
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  card = canteen_emu_card_new_cpu (uid, sizeof uid, NULL, NULL);
  canteen_emu_ccid_reader_tap (reader, card, 100);
  test_spin_ms (600);
  g_assert_cmpuint (f->payments, ==, 0);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN);

  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
  kiosk_test_app_screenshot (f->app, "kiosk-devices-tap.png", WAIT_MS);

  /* The demo button's path: the emulated reader, the real driver, then
   * app.tap-card with the UID it read. */
  activate (f, "demo-tap", g_variant_new_string (CHIP_CARD));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
  g_assert_cmpstr (canteen_checkout_flow_get_receipt (canteen_kiosk_app_get_flow (f->app))->card, ==, CHIP_CARD);

  /* The same card again at once (a diner tapping twice): ignored. */
  canteen_emu_ccid_reader_tap (reader, card, 100);
  test_spin_ms (300);
  canteen_emu_ccid_reader_tap (reader, card, 100);
  test_spin_ms (600);
  g_assert_cmpuint (f->payments, ==, 1);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
  {
    g_autofree char *page = kiosk_test_app_page (f->app);
    g_assert_cmpstr (page, ==, "result");
  }
}

/* A card id no reader could report (a staff number) is paid directly. */
static void
test_demo_tap_non_chip_card (Fixture *f, gconstpointer data)
{
  order_and_pay (f, KIOSK_FIXTURE_DISH_RICE);
  activate (f, "demo-tap", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_RICH), ==,
                   KIOSK_FIXTURE_CARD_RICH_FEN - KIOSK_FIXTURE_DISH_RICE_FEN);
}

/* Two taps in quick succession at the tap page: the first pays, the
 * second arrives while the payment is in flight or shown, and pays nothing. */
static void
test_double_tap (Fixture *f, gconstpointer data)
{
  CanteenEmuCcidReader *reader = canteen_kiosk_emulation_get_reader (emulation_of (f));
  g_autoptr(CanteenEmuCard) card = NULL;
  static const guint8 uid[] = { 0x04, 0xA1, 0xB2, 0xC3 };

  order_and_pay (f, KIOSK_FIXTURE_DISH_RICE);
  card = canteen_emu_card_new_cpu (uid, sizeof uid, NULL, NULL);
  canteen_emu_ccid_reader_tap (reader, card, 60);
  test_spin_ms (120);
  canteen_emu_ccid_reader_tap (reader, card, 60);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  test_spin_ms (800);
  g_assert_cmpuint (f->payments, ==, 1);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_RICE_FEN);
}

static gboolean
message_shown (gpointer data)
{
  Fixture *f = data;
  return canteen_tap_page_get_message_text (canteen_kiosk_window_get_tap_page (window_of (f))) != NULL;
}

static void
test_unreadable_then_pays (Fixture *f, gconstpointer data)
{
  CanteenEmuCcidReader *reader = canteen_kiosk_emulation_get_reader (emulation_of (f));
  CanteenTapPage *tap_page = canteen_kiosk_window_get_tap_page (window_of (f));
  /* A DataBlock header announcing 200 bytes and carrying 3. */
  static const guint8 bad[] = { 0x80, 200, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00, 0x00 };

  order_and_pay (f, KIOSK_FIXTURE_DISH_PORK);
  g_assert_null (canteen_tap_page_get_message_text (tap_page));
  canteen_emu_device_corrupt_next (CANTEEN_EMU_DEVICE (reader), CANTEEN_EMU_CCID_BULK_IN, bad, sizeof bad);
  activate (f, "demo-tap", g_variant_new_string (CHIP_CARD));
  g_assert_true (test_wait_until (message_shown, f, WAIT_MS));
  g_assert_cmpstr (canteen_tap_page_get_message_text (tap_page), ==, "读卡失败，请重新刷卡");
  {
    g_autofree char *page = kiosk_test_app_page (f->app);
    g_assert_cmpstr (page, ==, "tap");
  }
  g_assert_cmpuint (f->payments, ==, 0);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN);

  /* The emulated tap ends by itself; the next one reads and pays. */
  test_spin_ms (CANTEEN_KIOSK_EMULATION_TAP_MS + 200);
  activate (f, "demo-tap", g_variant_new_string (CHIP_CARD));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
  /* The message belonged to the tap page. */
  g_assert_null (canteen_tap_page_get_message_text (tap_page));
}

/* --- status bar ---------------------------------------------------------- */

typedef struct { Fixture *f; CanteenDeviceKind kind; const char *text; } IndicatorWait;

static gboolean
indicator_is (gpointer data)
{
  IndicatorWait *w = data;
  CanteenStatusBar *bar = canteen_kiosk_window_get_statusbar (window_of (w->f));
  return g_strcmp0 (canteen_status_bar_get_device_text (bar, w->kind), w->text) == 0;
}

static void
wait_for_indicator (Fixture *f, CanteenDeviceKind kind, const char *text)
{
  IndicatorWait w = { f, kind, text };

  if (!test_wait_until (indicator_is, &w, WAIT_MS))
    g_error ("status bar shows “%s”, expected “%s”",
             canteen_status_bar_get_device_text (canteen_kiosk_window_get_statusbar (window_of (f)), kind),
             text);
}

static void
test_reader_unplug_replug (Fixture *f, gconstpointer data)
{
  CanteenEmuTestbed *testbed = canteen_kiosk_emulation_get_testbed (emulation_of (f));
  CanteenEmuDevice *reader = CANTEEN_EMU_DEVICE (canteen_kiosk_emulation_get_reader (emulation_of (f)));
  g_autoptr(GError) error = NULL;

  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "读卡器");
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_SCALE, "秤");
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_PRINTER, "打印机");

  canteen_emu_testbed_unplug (testbed, reader);
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "读卡器 已断开");
  /* The others are untouched. */
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_PRINTER, "打印机");
  order_and_pay (f, KIOSK_FIXTURE_DISH_RICE);
  g_assert_cmpstr (canteen_tap_page_get_message_text (canteen_kiosk_window_get_tap_page (window_of (f))), ==,
                   "读卡器已断开，请联系食堂工作人员。");
  kiosk_test_app_screenshot (f->app, "kiosk-devices-reader-gone.png", WAIT_MS);

  /* Back in: ready again by itself, and it pays. */
  g_assert_true (canteen_emu_testbed_replug (testbed, reader, &error));
  g_assert_no_error (error);
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "读卡器");
  g_assert_null (canteen_tap_page_get_message_text (canteen_kiosk_window_get_tap_page (window_of (f))));
  activate (f, "demo-tap", g_variant_new_string (CHIP_CARD));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_RICE_FEN);

  /* A language switch rebuilds the window: the new status bar follows the
   * same devices. */
  activate (f, "set-language", g_variant_new_string ("en"));
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "Card reader");
  canteen_emu_testbed_unplug (testbed, reader);
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "Card reader disconnected");
  activate (f, "set-language", g_variant_new_string ("zh_CN"));
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_CARD_READER, "读卡器 已断开");
}

/* --- scale --------------------------------------------------------------- */

typedef struct { Fixture *f; const char *text; } ScaleWait;

static gboolean
scale_text_is (gpointer data)
{
  ScaleWait *w = data;
  CanteenTrayView *view = canteen_kiosk_window_get_tray_view (window_of (w->f));
  return g_strcmp0 (canteen_tray_view_get_scale_text (view), w->text) == 0;
}

static void
wait_for_scale_text (Fixture *f, const char *text)
{
  ScaleWait w = { f, text };

  if (!test_wait_until (scale_text_is, &w, WAIT_MS))
    g_error ("the tray shows “%s”, expected “%s”",
             canteen_tray_view_get_scale_text (canteen_kiosk_window_get_tray_view (window_of (f))), text);
}

static gint
last_item_grams (Fixture *f)
{
  CanteenTray *tray = canteen_checkout_flow_get_tray (canteen_kiosk_app_get_flow (f->app));
  guint n = canteen_tray_get_n_items (tray);
  g_autoptr(CanteenTrayItem) item = g_list_model_get_item (G_LIST_MODEL (tray), n - 1);

  return canteen_tray_item_get_grams (item);
}

static void
test_scale_on_tray (Fixture *f, gconstpointer data)
{
  CanteenEmuScale *scale = canteen_kiosk_emulation_get_scale (emulation_of (f));
  CanteenTrayView *view = canteen_kiosk_window_get_tray_view (window_of (f));

  /* The emulation starts with a plate on the scale. */
  wait_for_scale_text (f, "秤 420 g");

  /* Settling: shown as such, and a weighed dish gets its standard portion. */
  canteen_emu_scale_set (scale, CANTEEN_SCALE_IN_MOTION, CANTEEN_EMU_SCALE_UNIT_GRAM, 0, 360);
  wait_for_scale_text (f, "秤 称重中…");
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_WEIGHED));
  g_assert_cmpint (last_item_grams (f), ==, 300);
  assert_money_text (canteen_tray_view_get_total_text (view), KIOSK_FIXTURE_DISH_WEIGHED_FEN);

  /* Stable: the plate's weight is what is sold (352 g at ¥2.50/100 g). */
  canteen_emu_scale_set_grams (scale, 352);
  wait_for_scale_text (f, "秤 352 g");
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_WEIGHED));
  g_assert_cmpint (last_item_grams (f), ==, 352);
  assert_money_text (canteen_tray_view_get_total_text (view), KIOSK_FIXTURE_DISH_WEIGHED_FEN + 880);
  /* A portion dish is never weighed. */
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  g_assert_cmpint (last_item_grams (f), ==, 0);
  kiosk_test_app_screenshot (f->app, "kiosk-devices-scale.png", WAIT_MS);

  /* An empty scale says nothing about a plate: the standard portion. */
  canteen_emu_scale_set_grams (scale, 0);
  wait_for_scale_text (f, "秤 0 g");
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_WEIGHED));
  g_assert_cmpint (last_item_grams (f), ==, 300);

  /* The scale unplugged: no weight shown. */
  canteen_emu_testbed_unplug (canteen_kiosk_emulation_get_testbed (emulation_of (f)), CANTEEN_EMU_DEVICE (scale));
  wait_for_scale_text (f, NULL);
  wait_for_indicator (f, CANTEEN_DEVICE_KIND_SCALE, "秤 已断开");
}

/* --- receipt printer ----------------------------------------------------- */

typedef struct { Fixture *f; CanteenKioskPrintState state; } PrintWait;

static gboolean
print_state_is (gpointer data)
{
  PrintWait *w = data;
  return canteen_kiosk_print_get_state (canteen_kiosk_app_get_print (w->f->app)) == w->state;
}

static void
print_and_wait (Fixture *f, CanteenKioskPrintState expected)
{
  PrintWait w = { f, expected };

  g_assert_true (action_enabled (f, "print-receipt"));
  activate (f, "print-receipt", NULL);
  if (!test_wait_until (print_state_is, &w, WAIT_MS))
    g_error ("print state %d, expected %d",
             canteen_kiosk_print_get_state (canteen_kiosk_app_get_print (f->app)), expected);
}

static gsize
count_occurrences (GBytes *haystack, const char *needle, gsize needle_len)
{
  gsize len, n = 0;
  const guint8 *data = g_bytes_get_data (haystack, &len);
  const guint8 *p = data;

  while (p != NULL && (gsize) (p - data) + needle_len <= len)
    {
      p = memmem (p, len - (gsize) (p - data), needle, needle_len);
      if (p != NULL)
        {
          n++;
          p += needle_len;
        }
    }
  return n;
}

static void
test_print_receipt (Fixture *f, gconstpointer data)
{
  CanteenEmuPrinter *printer = canteen_kiosk_emulation_get_printer (emulation_of (f));
  CanteenReceiptView *view = canteen_kiosk_window_get_receipt_view (window_of (f));
  g_autofree char *pork_gb = NULL;
  g_autofree char *checkout_id = NULL;
  g_autoptr(GBytes) printed = NULL;
  gsize pork_len = 0;
  const char *text;

  /* Nothing to print before a payment. */
  g_assert_false (action_enabled (f, "print-receipt"));
  order_and_pay (f, KIOSK_FIXTURE_DISH_PORK);
  activate (f, "demo-tap", g_variant_new_string (CHIP_CARD));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  checkout_id = g_strdup (canteen_checkout_flow_get_last_checkout_id (canteen_kiosk_app_get_flow (f->app)));
  kiosk_test_app_screenshot (f->app, "kiosk-devices-paid.png", WAIT_MS);

  print_and_wait (f, CANTEEN_KIOSK_PRINT_PRINTED);
  pork_gb = g_convert ("红烧肉", -1, "GB18030", "UTF-8", NULL, &pork_len, NULL);
  g_assert_nonnull (pork_gb);
  printed = canteen_emu_printer_get_printed (printer);
  g_assert_cmpuint (count_occurrences (printed, pork_gb, pork_len), ==, 1);
  /* The currency sign a GB2312 font has (A3A4), and the QR code's data. */
  g_assert_cmpuint (count_occurrences (printed, "\xA3\xA4", 2), >, 0);
  g_assert_cmpuint (count_occurrences (printed, checkout_id, strlen (checkout_id)), >=, 1);
  g_assert_cmpstr (canteen_receipt_view_get_print_text (view), ==, "小票已打印，请取走。");
  g_clear_pointer (&printed, g_bytes_unref);

  /* Paper out: the cause is shown; the payment stays as it was. */
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_PAPER_OUT, TRUE);
  print_and_wait (f, CANTEEN_KIOSK_PRINT_FAILED);
  text = canteen_receipt_view_get_print_text (view);
  g_assert_cmpstr (text, ==, "小票未打印：打印机缺纸。支付已完成，可重新打印。");
  text = canteen_receipt_view_get_print_detail_text (view);
  g_assert_nonnull (strstr (text, "paper out"));
  kiosk_test_app_screenshot (f->app, "kiosk-devices-print-failed.png", WAIT_MS);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
  g_assert_cmpuint (f->payments, ==, 1);
  {
    g_autofree char *page = kiosk_test_app_page (f->app);
    g_assert_cmpstr (page, ==, "result");
  }

  /* Paper loaded: the button still works, and reprints. */
  canteen_emu_printer_set_condition (printer, CANTEEN_EMU_PRINTER_PAPER_OUT, FALSE);
  print_and_wait (f, CANTEEN_KIOSK_PRINT_PRINTED);
  printed = canteen_emu_printer_get_printed (printer);
  g_assert_cmpuint (count_occurrences (printed, pork_gb, pork_len), ==, 2);
  g_assert_cmpint (balance (f), ==, CHIP_CARD_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
  g_assert_cmpuint (f->payments, ==, 1);

  /* Back to ordering: no receipt, nothing to print. */
  activate (f, "done", NULL);
  kiosk_test_app_wait_for_page (f->app, "order", WAIT_MS);
  g_assert_false (action_enabled (f, "print-receipt"));
}

int
main (int argc, char *argv[])
{
  kiosk_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/kiosk/devices/tap-pays-once", test_tap_pays_once);
  ADD ("/kiosk/devices/double-tap", test_double_tap);
  ADD ("/kiosk/devices/demo-tap-non-chip-card", test_demo_tap_non_chip_card);
  ADD ("/kiosk/devices/unreadable-then-pays", test_unreadable_then_pays);
  ADD ("/kiosk/devices/reader-unplug-replug", test_reader_unplug_replug);
  ADD ("/kiosk/devices/scale-on-tray", test_scale_on_tray);
  ADD ("/kiosk/devices/print-receipt", test_print_receipt);
  return g_test_run ();
}
