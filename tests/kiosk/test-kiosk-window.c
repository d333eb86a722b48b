/* test-kiosk-window.c — the kiosk in-process, under Xvfb.
 *
 * Drives the real CanteenKioskApp through its app.* actions, as the
 * buttons and D-Bus do, against a fresh ledger per test, and checks both
 * what the screen shows and what the ledger holds. The app has no id here,
 * so it stays off the session bus.
 */
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "kiosk-app.h"
#include "kiosk-fixture.h"
#include "kiosk-i18n.h"
#include "kiosk-test-app.h"
#include "kiosk-window.h"
#include "money.h"
#include "receipt-escpos.h"

#define WAIT_TIMEOUT_US (15 * G_USEC_PER_SEC)

typedef struct {
  char            *dir;
  char            *db_path;
  CanteenLedger   *ledger;   /* the test's own handle, for checking */
  CanteenKioskApp *app;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->ledger = kiosk_fixture_create_in_temp ("canteen-kiosk", &f->dir, &f->db_path);

  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  kiosk_test_app_finish (&f->app);
  canteen_ledger_close (f->ledger);
  kiosk_test_remove_tree (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

static CanteenKioskWindow *
window_of (Fixture *f)
{
  return CANTEEN_KIOSK_WINDOW (canteen_kiosk_app_get_window (f->app));
}

static char *
action_state (Fixture *f, const char *action)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (f->app), action);
  return g_variant_dup_string (state, NULL);
}

static void
activate (Fixture *f, const char *action, GVariant *parameter)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), action, parameter);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until app.page is `page`; fails the test on timeout
 * instead of hanging. */
static void
wait_for_page (Fixture *f, const char *page)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;
  guint tick = g_timeout_add (20, tick_cb, NULL);

  for (;;)
    {
      g_autofree char *now = action_state (f, "page");
      if (g_str_equal (now, page))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("page is still “%s” after %d s, expected “%s”", now,
                 (int) (WAIT_TIMEOUT_US / G_USEC_PER_SEC), page);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static guint
tray_items (Fixture *f)
{
  return canteen_tray_get_n_items (canteen_checkout_flow_get_tray (canteen_kiosk_app_get_flow (f->app)));
}

static void
assert_money_text (const char *text, gint64 fen)
{
  g_autofree char *expected = canteen_fen_format (fen);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_menu_shown (Fixture *f, gconstpointer data)
{
  g_autofree char *page = action_state (f, "page");

  g_assert_cmpstr (page, ==, "order");
  g_assert_cmpuint (canteen_kiosk_window_get_n_dishes (window_of (f)), ==, 10);
  /* Empty tray: Pay is disabled (its button greys out). */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "pay"));
  /* No USB device here: no indicator, no weight, and no problem either
   * (libusb starts fine with nothing plugged in). */
  for (CanteenDeviceKind kind = CANTEEN_DEVICE_KIND_CARD_READER; kind <= CANTEEN_DEVICE_KIND_PRINTER; kind++)
    g_assert_null (canteen_status_bar_get_device_text (canteen_kiosk_window_get_statusbar (window_of (f)), kind));
  g_assert_null (canteen_tray_view_get_scale_text (canteen_kiosk_window_get_tray_view (window_of (f))));
  g_assert_null (canteen_kiosk_app_get_emulation (f->app));
}

static void
test_edit_tray (Fixture *f, gconstpointer data)
{
  CanteenTrayView *view = canteen_kiosk_window_get_tray_view (window_of (f));

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string ("NO-SUCH-DISH"));   /* refused, logged */
  g_assert_cmpuint (tray_items (f), ==, 3);
  assert_money_text (canteen_tray_view_get_total_text (view),
                     2 * KIOSK_FIXTURE_DISH_PORK_FEN + KIOSK_FIXTURE_DISH_RICE_FEN);

  activate (f, "remove-item", g_variant_new_uint32 (1));
  g_assert_cmpuint (tray_items (f), ==, 2);
  assert_money_text (canteen_tray_view_get_total_text (view), 2 * KIOSK_FIXTURE_DISH_PORK_FEN);
  activate (f, "remove-item", g_variant_new_uint32 (7));   /* no such row: nothing happens */
  g_assert_cmpuint (tray_items (f), ==, 2);

  activate (f, "pay", NULL);
  wait_for_page (f, "tap");
  activate (f, "cancel", NULL);
  wait_for_page (f, "order");
  g_assert_cmpuint (tray_items (f), ==, 2);

  activate (f, "clear-tray", NULL);
  g_assert_cmpuint (tray_items (f), ==, 0);
  assert_money_text (canteen_tray_view_get_total_text (view), 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "pay"));
  /* A card tapped at an empty tray pays nothing. */
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "order");
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_RICH), ==, KIOSK_FIXTURE_CARD_RICH_FEN);
}

static void
test_checkout (Fixture *f, gconstpointer data)
{
  const gint64 total = 2 * KIOSK_FIXTURE_DISH_PORK_FEN;
  const CanteenReceipt *receipt;
  g_autofree char *last = NULL;
  g_autoptr(CanteenReceipt) stored = NULL;
  g_autoptr(GError) error = NULL;

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  g_assert_cmpuint (tray_items (f), ==, 2);
  assert_money_text (canteen_tray_view_get_total_text (canteen_kiosk_window_get_tray_view (window_of (f))), total);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "pay"));

  /* Straight from the order page: a card tap pays the tray. */
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "result");

  receipt = canteen_checkout_flow_get_receipt (canteen_kiosk_app_get_flow (f->app));
  g_assert_nonnull (receipt);
  g_assert_cmpint (receipt->total_fen, ==, total);
  g_assert_cmpint (receipt->subsidy_fen, ==, 0);   /* the fixture sets no subsidy */
  g_assert_false (receipt->replayed);
  /* The ledger (read through another handle) took exactly the total. */
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_RICH), ==,
                   KIOSK_FIXTURE_CARD_RICH_FEN - total);
  assert_money_text (canteen_receipt_view_get_balance_text (canteen_kiosk_window_get_receipt_view (window_of (f))),
                     KIOSK_FIXTURE_CARD_RICH_FEN - total);

  last = action_state (f, "last-checkout");
  g_assert_cmpstr (last, ==, receipt->checkout_id);
  stored = canteen_ledger_get_checkout (f->ledger, last, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->charged_fen, ==, total);
  g_assert_cmpuint (tray_items (f), ==, 0);
  /* A receipt but no printer: nothing to print on. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "print-receipt"));

  activate (f, "done", NULL);
  wait_for_page (f, "order");
}

/* The demo's card buttons without emulated devices: app.tap-card directly. */
static void
test_demo_tap_direct (Fixture *f, gconstpointer data)
{
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "pay", NULL);
  wait_for_page (f, "tap");
  activate (f, "demo-tap", g_variant_new_string (KIOSK_FIXTURE_CARD_CHIP));
  wait_for_page (f, "result");
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), ==,
                   KIOSK_FIXTURE_CARD_CHIP_FEN - KIOSK_FIXTURE_DISH_RICE_FEN);
}

static void
test_weighed_dish (Fixture *f, gconstpointer data)
{
  const CanteenReceipt *receipt;
  const CanteenPricedLine *line;

  /* No scale: the standard portion (300 g) is sold. */
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_WEIGHED));
  assert_money_text (canteen_tray_view_get_total_text (canteen_kiosk_window_get_tray_view (window_of (f))),
                     KIOSK_FIXTURE_DISH_WEIGHED_FEN);
  activate (f, "pay", NULL);
  wait_for_page (f, "tap");
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "result");

  receipt = canteen_checkout_flow_get_receipt (canteen_kiosk_app_get_flow (f->app));
  g_assert_cmpuint (receipt->lines->len, ==, 1);
  line = g_ptr_array_index (receipt->lines, 0);
  g_assert_cmpint (line->grams, ==, 300);
  g_assert_cmpint (line->amount_fen, ==, KIOSK_FIXTURE_DISH_WEIGHED_FEN);
}

static void
test_declined_insufficient (Fixture *f, gconstpointer data)
{
  CanteenProblemView *view;
  g_autofree char *last = NULL;

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "pay", NULL);
  wait_for_page (f, "tap");
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_POOR));
  wait_for_page (f, "declined");

  view = canteen_kiosk_window_get_declined_view (window_of (f));
  g_assert_cmpstr (canteen_problem_view_get_title_text (view), ==, "余额不足");
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_POOR), ==, KIOSK_FIXTURE_CARD_POOR_FEN);
  last = action_state (f, "last-checkout");
  g_assert_cmpstr (last, ==, "");

  /* Back to the tray, which is kept, and another card pays it. */
  activate (f, "cancel", NULL);
  wait_for_page (f, "order");
  g_assert_cmpuint (tray_items (f), ==, 1);
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "result");
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_RICH), ==,
                   KIOSK_FIXTURE_CARD_RICH_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
}

static void
test_declined_lost_and_unknown (Fixture *f, gconstpointer data)
{
  CanteenProblemView *view;

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_LOST));
  wait_for_page (f, "declined");
  view = canteen_kiosk_window_get_declined_view (window_of (f));
  g_assert_cmpstr (canteen_problem_view_get_title_text (view), ==, "此卡已挂失");

  /* From the declined page another tap is a new attempt. */
  activate (f, "tap-card", g_variant_new_string ("NOSUCHCARD"));
  wait_for_page (f, "tap");
  wait_for_page (f, "declined");
  g_assert_cmpstr (canteen_problem_view_get_title_text (view), ==, "无法识别此卡");
  g_assert_cmpuint (tray_items (f), ==, 1);
}

/* A failure that is not a decline: "NOT taken", and the same tray retried
 * later uses the same checkout id, so it can never be charged twice. */
static void
test_failure_keeps_checkout_id (Fixture *f, gconstpointer data)
{
  CanteenTray *tray = canteen_checkout_flow_get_tray (canteen_kiosk_app_get_flow (f->app));
  g_autofree char *aside = g_strconcat (f->db_path, ".aside", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *last = NULL;
  CanteenProblemView *view;

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  /* The worker opens the ledger by path: a directory there cannot be
   * opened, which is a database failure, not a decline. The open handles
   * (the app's, the test's) keep the real file meanwhile. */
  g_assert_cmpint (g_rename (f->db_path, aside), ==, 0);
  g_assert_cmpint (g_mkdir (f->db_path, 0700), ==, 0);
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "tap");
  wait_for_page (f, "error");
  view = canteen_kiosk_window_get_error_view (window_of (f));
  g_assert_cmpstr (canteen_problem_view_get_title_text (view), ==, "支付未完成，未扣款");
  kept = g_strdup (canteen_tray_peek_checkout_id (tray));
  g_assert_nonnull (kept);
  g_assert_cmpuint (tray_items (f), ==, 1);

  g_assert_cmpint (g_rmdir (f->db_path), ==, 0);
  g_assert_cmpint (g_rename (aside, f->db_path), ==, 0);
  activate (f, "pay", NULL);   /* "Try again" */
  wait_for_page (f, "tap");
  activate (f, "tap-card", g_variant_new_string (KIOSK_FIXTURE_CARD_RICH));
  wait_for_page (f, "result");
  last = action_state (f, "last-checkout");
  g_assert_cmpstr (last, ==, kept);
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_RICH), ==,
                   KIOSK_FIXTURE_CARD_RICH_FEN - KIOSK_FIXTURE_DISH_PORK_FEN);
}

static void
test_language_switch (Fixture *f, gconstpointer data)
{
  g_autofree char *english = NULL;

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  g_assert_cmpstr (gtk_button_get_label (canteen_kiosk_window_get_pay_button (window_of (f))), ==, "支付");

  activate (f, "set-language", g_variant_new_string ("en"));
  english = action_state (f, "set-language");
  g_assert_cmpstr (english, ==, "en");
  g_assert_cmpstr (gtk_button_get_label (canteen_kiosk_window_get_pay_button (window_of (f))), ==, "Pay");
  /* The rebuilt window shows the same tray. */
  g_assert_cmpuint (tray_items (f), ==, 1);
  assert_money_text (canteen_tray_view_get_total_text (canteen_kiosk_window_get_tray_view (window_of (f))),
                     KIOSK_FIXTURE_DISH_RICE_FEN);

  activate (f, "set-language", g_variant_new_string ("zh_CN"));
  g_assert_cmpstr (gtk_button_get_label (canteen_kiosk_window_get_pay_button (window_of (f))), ==, "支付");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 1);
}

static void
test_tray_checkout_id (void)
{
  g_autoptr(CanteenTray) tray = canteen_tray_new ();
  g_autoptr(CanteenDish) dish = canteen_dish_new ();
  g_autofree char *first = NULL;
  g_autoptr(GError) error = NULL;

  dish->id = g_strdup ("D01");
  dish->name = g_strdup ("红烧肉");
  dish->name_en = g_strdup ("");
  dish->category = g_strdup ("热菜");
  dish->price_fen = 1200;
  dish->visitor_price_fen = 1500;
  dish->portion_g = 250;

  g_assert_null (canteen_tray_peek_checkout_id (tray));
  g_assert_true (canteen_tray_add (tray, dish, 0, &error));
  g_assert_no_error (error);
  /* The same tray retried keeps its id: a retry replays, never charges twice. */
  first = g_strdup (canteen_tray_ensure_checkout_id (tray));
  g_assert_true (g_uuid_string_is_valid (first));
  g_assert_cmpstr (canteen_tray_ensure_checkout_id (tray), ==, first);
  /* A changed tray is a different payment. */
  g_assert_true (canteen_tray_add (tray, dish, 0, &error));
  g_assert_null (canteen_tray_peek_checkout_id (tray));
  g_assert_cmpstr (canteen_tray_ensure_checkout_id (tray), !=, first);
  /* A portion dish given grams is refused, and nothing changes. */
  g_assert_false (canteen_tray_add (tray, dish, 100, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (canteen_tray_get_n_items (tray), ==, 2);
  g_assert_cmpint (canteen_tray_get_total (tray), ==, 2400);
}

static gsize
count_bytes (GBytes *haystack, const void *needle, gsize needle_len)
{
  gsize len, n = 0;
  const guint8 *data = g_bytes_get_data (haystack, &len);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      n++;
  return n;
}

/* The receipt as an ESC/POS job: GB18030 text, ￥ for ¥, "?" for what no
 * printer font has, a QR code with the checkout id, a partial cut. */
static void
test_receipt_escpos (void)
{
  g_autoptr(CanteenReceipt) receipt = canteen_receipt_new ();
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GBytes) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pork = NULL;
  g_autofree char *holder = NULL;
  CanteenPricedLine *line = g_new0 (CanteenPricedLine, 1);
  static const guint8 partial_cut[] = { 0x1D, 0x56, 0x42, 0x00 };
  gsize pork_len = 0, holder_len = 0;

  receipt->checkout_id = g_strdup ("6f1c0f5e-3a52-4d35-9d43-0d1c2b7f9a10");
  receipt->card = g_strdup ("04A1B2C3");
  receipt->holder = g_strdup ("张伟\xF0\x9F\x98\x80\t");   /* an emoji and a tab: data, not commands */
  receipt->canteen = g_strdup ("市政府机关第一食堂");
  receipt->terminal = g_strdup ("T01");
  receipt->created = g_date_time_new_utc (2025, 3, 4, 4, 30, 0);
  line->dish_id = g_strdup ("D01");
  line->name = g_strdup ("红烧肉");
  line->amount_fen = 1200;
  g_ptr_array_add (receipt->lines, line);
  receipt->total_fen = receipt->charged_fen = 1200;
  receipt->balance_fen = 3800;

  doc = canteen_receipt_to_escpos (receipt, tz, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  pork = g_convert ("红烧肉", -1, "GB18030", "UTF-8", NULL, &pork_len, NULL);
  g_assert_cmpuint (count_bytes (doc, pork, pork_len), ==, 1);
  /* ￥ (A3A4) for every amount; the four-byte GB18030 ¥ never. */
  g_assert_cmpuint (count_bytes (doc, "\xA3\xA4", 2), >=, 4);
  g_assert_cmpuint (count_bytes (doc, "\x81\x30\x84\x36", 4), ==, 0);
  holder = g_convert ("张伟??", -1, "GB18030", "UTF-8", NULL, &holder_len, NULL);
  g_assert_cmpuint (count_bytes (doc, holder, holder_len), ==, 1);
  g_assert_cmpuint (count_bytes (doc, receipt->checkout_id, strlen (receipt->checkout_id)), >=, 2);
  g_assert_cmpuint (count_bytes (doc, partial_cut, sizeof partial_cut), ==, 1);
}

int
main (int argc, char *argv[])
{
  /* First, before anything translates (see kiosk-i18n.h). */
  canteen_kiosk_i18n_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kiosk/tray/checkout-id", test_tray_checkout_id);
  g_test_add_func ("/kiosk/receipt/escpos", test_receipt_escpos);
  g_test_add ("/kiosk/window/menu", Fixture, NULL, fixture_set_up, test_menu_shown, fixture_tear_down);
  g_test_add ("/kiosk/window/edit-tray", Fixture, NULL, fixture_set_up, test_edit_tray, fixture_tear_down);
  g_test_add ("/kiosk/window/checkout", Fixture, NULL, fixture_set_up, test_checkout, fixture_tear_down);
  g_test_add ("/kiosk/window/demo-tap-direct", Fixture, NULL, fixture_set_up, test_demo_tap_direct, fixture_tear_down);
  g_test_add ("/kiosk/window/weighed", Fixture, NULL, fixture_set_up, test_weighed_dish, fixture_tear_down);
  g_test_add ("/kiosk/window/declined-insufficient", Fixture, NULL, fixture_set_up,
              test_declined_insufficient, fixture_tear_down);
  g_test_add ("/kiosk/window/declined-lost-unknown", Fixture, NULL, fixture_set_up,
              test_declined_lost_and_unknown, fixture_tear_down);
  g_test_add ("/kiosk/window/failure-keeps-id", Fixture, NULL, fixture_set_up,
              test_failure_keeps_checkout_id, fixture_tear_down);
  g_test_add ("/kiosk/window/language", Fixture, NULL, fixture_set_up, test_language_switch, fixture_tear_down);
  return g_test_run ();
}
