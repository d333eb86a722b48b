/* test-kiosk-visitor.c — visiting officials pay at the kiosk, in-process.
 *
 * The app runs as `canteen-kiosk --demo --emulate-devices` does (see
 * test-kiosk-devices.c). The test ledger (agency GOV01) trusts a second
 * agency, GOV02, whose issuer key and card certificates the test makes with
 * the protocol library; its deny list is fresh, so visitor cards are
 * accepted offline within the card's offline cap and the terminal's floor
 * limit. An emulated CPU card holding such a certificate, tapped on the
 * emulated CCID reader, must pay exactly once at visitor prices, signing
 * through the card (INTERNAL AUTHENTICATE), and the result page must name
 * the issuer; a denied card, a forged certificate, a card whose key does
 * not match its certificate, a tray over the offline limit and a UID-only
 * card of no account must be declined with their reason and record
 * nothing. The status bar shows the clearing sync's state once the ledger
 * is enrolled (here with a service that is not running: the payment falls
 * back to the offline rules and the sync fails, which the cashier sees).
 *
 * With $CANTEEN_CLEARING (the canteen-clearing binary, set by meson) one
 * case runs the real service on loopback: the payment is authorised online
 * and the sync after it uploads the record.
 *
 * Screenshots go to $CANTEEN_SCREENSHOT_DIR (the build directory under
 * meson): kiosk-visitor-paid.png, kiosk-visitor-denied.png,
 * kiosk-visitor-sync-failed.png, kiosk-visitor-online.png.
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clearing-proto.h"
#include "emu-testbed.h"
#include "kiosk-app.h"
#include "kiosk-fixture.h"
#include "kiosk-test-app.h"
#include "kiosk-window.h"
#include "money.h"
#include "outbox.h"
#include "test-wait.h"
#include "visitor.h"

#define WAIT_MS 10000

#define ISSUER        "GOV02"
#define ISSUER_NAME   "临江市财政局"
#define VISITOR_CARD  "V-0001"
#define HOLDER        "王建国"
/* Visitor prices of the fixture's dishes (staff: 12.00 and 1.00). */
#define PORK_VISITOR_FEN 1500
#define RICE_VISITOR_FEN 200

typedef struct {
  char            *dir;
  char            *db_path;
  CanteenLedger   *ledger;      /* the test's own handle, for checking */
  CanteenKioskApp *app;
  guint            payments;    /* times the flow became busy */
  guint8           issuer_pk[CANTEEN_PROTO_PK_BYTES];
  guint8           issuer_sk[CANTEEN_PROTO_SK_BYTES];
  char            *issuer_key_file;   /* GOV02's, public */
  GPid             server;            /* canteen-clearing serve, or 0 */
  int              server_out;        /* its standard output, open while it runs */
} Fixture;

/* --- cards ---------------------------------------------------------------- */

/* A certificate of `agency` for a fresh card key, signed with `signer_sk`. */
static GBytes *
make_cert (const char *agency, const char *card, const guint8 signer_sk[CANTEEN_PROTO_SK_BYTES],
           gint64 offline_cap_fen, guint8 card_sk[CANTEEN_PROTO_SK_BYTES])
{
  CanteenCardCert cert = { 0 };
  GBytes *bytes;

  canteen_proto_keypair (cert.card_key, card_sk);
  cert.agency = g_strdup (agency);
  cert.card = g_strdup (card);
  cert.holder = g_strdup (HOLDER);
  /* Far ahead: the test must not depend on today's date. */
  cert.not_after = g_strdup ("2099-12-31");
  cert.offline_cap_fen = offline_cap_fen;
  cert.daily_cap_fen = 20000;
  canteen_card_cert_sign (&cert, signer_sk);
  bytes = canteen_card_cert_to_bytes (&cert);
  canteen_card_cert_clear (&cert);
  return bytes;
}

/* An emulated interoperable card: the certificate in its applet's file,
 * the card key inside (it signs, it never tells). */
static CanteenEmuCard *
make_card (GBytes *cert, const guint8 card_sk[CANTEEN_PROTO_SK_BYTES])
{
  static const guint8 uid[] = { 0x04, 0x52, 0x11, 0x9A, 0x3C, 0x60, 0x80 };
  return canteen_emu_card_new_cpu (uid, sizeof uid, card_sk, cert);
}

static CanteenEmuCard *
make_visitor_card (Fixture *f, gint64 offline_cap_fen)
{
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) cert = make_cert (ISSUER, VISITOR_CARD, f->issuer_sk, offline_cap_fen, card_sk);

  return make_card (cert, card_sk);
}

/* --- the app -------------------------------------------------------------- */

static CanteenKioskWindow *
window_of (Fixture *f)
{
  return CANTEEN_KIOSK_WINDOW (canteen_kiosk_app_get_window (f->app));
}

static CanteenCheckoutFlow *
flow_of (Fixture *f)
{
  return canteen_kiosk_app_get_flow (f->app);
}

static CanteenEmuCcidReader *
reader_of (Fixture *f)
{
  return canteen_kiosk_emulation_get_reader (canteen_kiosk_app_get_emulation (f->app));
}

static void
activate (Fixture *f, const char *action, GVariant *parameter)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), action, parameter);
}

static void
busy_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, Fixture *f)
{
  if (canteen_checkout_flow_get_busy (flow))
    f->payments++;
}

/* The ledger as `canteenctl init` leaves it, trusting GOV02 (from its
 * issuer key file, as an operator would without a clearing service), with
 * a deny list fetched just now. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *key_file;

  f->ledger = kiosk_fixture_create_in_temp ("canteen-kiosk-visitor", &f->dir, &f->db_path);
  g_assert_true (canteen_visitor_init_keys (f->ledger, NULL, &error));
  g_assert_no_error (error);

  canteen_proto_keypair (f->issuer_pk, f->issuer_sk);
  key_file = f->issuer_key_file = g_build_filename (f->dir, "gov02.issuer.json", NULL);
  g_assert_true (canteen_issuer_key_file_write (key_file, ISSUER, ISSUER_NAME, f->issuer_pk, &error));
  g_assert_no_error (error);
  g_assert_true (canteen_visitor_trust_key_file (f->ledger, key_file, &error));
  g_assert_no_error (error);
  g_assert_true (canteen_visitor_set_deny_fetched (f->ledger, now, &error));
  g_assert_no_error (error);
}

static void
start_app (Fixture *f)
{
  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE,
                                 "demo", TRUE, "emulate-devices", TRUE, NULL);
  g_assert_null (canteen_kiosk_app_get_devices_problem (f->app));
  kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
  g_signal_connect (flow_of (f), "notify::busy", G_CALLBACK (busy_cb), f);
}

static void
fixture_set_up_started (Fixture *f, gconstpointer data)
{
  fixture_set_up (f, data);
  start_app (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->app != NULL)
    {
      g_signal_handlers_disconnect_by_data (flow_of (f), f);
      kiosk_test_app_finish (&f->app);
    }
  if (f->server != 0)
    {
      int status = 0;

      kill (f->server, SIGTERM);
      g_assert_cmpint (waitpid (f->server, &status, 0), ==, f->server);
      g_spawn_close_pid (f->server);
      close (f->server_out);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  g_free (f->issuer_key_file);
  canteen_ledger_close (f->ledger);
  kiosk_test_remove_tree (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

/* --- checks ----------------------------------------------------------------- */

static gint64
visitor_records (Fixture *f)
{
  CanteenClearingState state;
  g_autoptr(GError) error = NULL;
  gint64 records;

  g_assert_true (canteen_visitor_get_state (f->ledger, &state, &error));
  g_assert_no_error (error);
  records = state.records;
  canteen_clearing_state_clear (&state);
  return records;
}

static void
assert_money_text (const char *text, gint64 fen)
{
  g_autofree char *expected = canteen_fen_format (fen);
  g_assert_cmpstr (text, ==, expected);
}

/* Pork and rice on the tray, then the tap page. */
static void
order_and_pay (Fixture *f)
{
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
}

static const char *
declined_title (Fixture *f)
{
  return canteen_problem_view_get_title_text (canteen_kiosk_window_get_declined_view (window_of (f)));
}

/* A decline: nothing recorded, nothing charged, and the tray's checkout id
 * dropped (the next attempt is a new checkout). */
static void
assert_declined (Fixture *f, const char *title)
{
  kiosk_test_app_wait_for_page (f->app, "declined", WAIT_MS);
  g_assert_cmpstr (declined_title (f), ==, title);
  g_assert_true (canteen_checkout_flow_get_problem (flow_of (f))->is_decline);
  g_assert_null (canteen_tray_peek_checkout_id (canteen_checkout_flow_get_tray (flow_of (f))));
  g_assert_cmpint (visitor_records (f), ==, 0);
  g_assert_cmpstr (canteen_checkout_flow_get_last_checkout_id (flow_of (f)), ==, "");
}

static gboolean
print_done (gpointer data)
{
  Fixture *f = data;
  return canteen_kiosk_print_get_state (canteen_kiosk_app_get_print (f->app)) == CANTEEN_KIOSK_PRINT_PRINTED;
}

/* --- paying ----------------------------------------------------------------- */

static void
test_tap_pays_offline (Fixture *f, gconstpointer data)
{
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  CanteenReceiptView *view = canteen_kiosk_window_get_receipt_view (window_of (f));
  const CanteenVisitorPaid *paid;
  const CanteenReceipt *receipt;
  g_autoptr(CanteenVisitorReceipt) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checkout_id = NULL;
  guint apdus;

  /* Not enrolled with a clearing service: no clearing indicator at all. */
  g_assert_null (canteen_status_bar_get_clearing_text (canteen_kiosk_window_get_statusbar (window_of (f))));

  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpuint (f->payments, ==, 1);

  /* Read (SELECT, READ BINARY and its GET RESPONSE chain) and signed by
   * the card itself (INTERNAL AUTHENTICATE). */
  apdus = canteen_emu_card_get_transmit_count (card);
  g_assert_cmpuint (apdus, >=, 3);

  /* The screen: paid at visitor prices, as a visitor, to GOV02, offline. */
  paid = canteen_checkout_flow_get_visitor (flow_of (f));
  g_assert_nonnull (paid);
  g_assert_cmpstr (paid->issuer, ==, ISSUER);
  g_assert_cmpstr (paid->issuer_name, ==, ISSUER_NAME);
  g_assert_false (paid->online);
  receipt = canteen_checkout_flow_get_receipt (flow_of (f));
  g_assert_cmpint (receipt->charged_fen, ==, PORK_VISITOR_FEN + RICE_VISITOR_FEN);
  g_assert_cmpint (receipt->payer, ==, CANTEEN_PAYER_VISITOR);
  assert_money_text (canteen_receipt_view_get_charged_text (view), PORK_VISITOR_FEN + RICE_VISITOR_FEN);
  g_assert_cmpstr (canteen_receipt_view_get_visitor_text (view), ==, "自行付费 · " ISSUER_NAME);
  g_assert_cmpstr (canteen_receipt_view_get_visitor_mode_text (view), ==, "脱机受理，稍后与发卡单位结算。");
  /* The issuer holds the account: no balance here. */
  g_assert_null (canteen_receipt_view_get_balance_text (view));
  kiosk_test_app_screenshot (f->app, "kiosk-visitor-paid.png", WAIT_MS);

  /* The paper receipt is the official's proof of payment: it names the
   * issuer and shows no balance. */
  {
    CanteenEmuPrinter *printer = canteen_kiosk_emulation_get_printer (canteen_kiosk_app_get_emulation (f->app));
    g_autoptr(GBytes) printed = NULL;
    g_autofree char *visitor_gb = g_convert ("自行付费 · " ISSUER_NAME, -1, "GB18030", "UTF-8", NULL, NULL, NULL);
    g_autofree char *balance_gb = g_convert ("余额", -1, "GB18030", "UTF-8", NULL, NULL, NULL);

    g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "print-receipt"));
    activate (f, "print-receipt", NULL);
    g_assert_true (test_wait_until (print_done, f, WAIT_MS));
    printed = canteen_emu_printer_get_printed (printer);
    g_assert_nonnull (memmem (g_bytes_get_data (printed, NULL), g_bytes_get_size (printed),
                              visitor_gb, strlen (visitor_gb)));
    g_assert_null (memmem (g_bytes_get_data (printed, NULL), g_bytes_get_size (printed),
                           balance_gb, strlen (balance_gb)));
  }

  /* The ledger: one visitor sale, journaled, in the outbox. */
  checkout_id = g_strdup (canteen_checkout_flow_get_last_checkout_id (flow_of (f)));
  stored = canteen_visitor_get_checkout (f->ledger, checkout_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->receipt->card, ==, VISITOR_CARD);
  g_assert_cmpstr (stored->receipt->agency, ==, ISSUER);
  g_assert_cmpint (stored->receipt->charged_fen, ==, PORK_VISITOR_FEN + RICE_VISITOR_FEN);
  g_assert_false (stored->online);
  g_assert_cmpint (visitor_records (f), ==, 1);
  /* No account of this ledger moved. */
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), ==, KIOSK_FIXTURE_CARD_CHIP_FEN);

  /* The same card again (taken away and tapped once more): pays nothing. */
  canteen_emu_ccid_reader_remove (reader_of (f));
  test_spin_ms (200);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 100);
  test_spin_ms (800);
  g_assert_cmpuint (f->payments, ==, 1);
  g_assert_cmpint (visitor_records (f), ==, 1);
  /* The reader asked its UID (GET DATA) and nothing else: not read, not signed. */
  g_assert_cmpuint (canteen_emu_card_get_transmit_count (card), <=, apdus + 1);
  {
    g_autofree char *page = kiosk_test_app_page (f->app);
    g_assert_cmpstr (page, ==, "result");
  }
}

static gboolean
page_is_result_or_error (gpointer data)
{
  Fixture *f = data;
  g_autofree char *page = kiosk_test_app_page (f->app);
  return g_str_equal (page, "result") || g_str_equal (page, "error");
}

/* Two taps in quick succession at the tap page: one payment. (The second
 * tap takes the card out of the field and back: when that happens before
 * the card has signed, the first payment fails cleanly and "try again"
 * pays under the same checkout id; either way the tray is paid once.) */
static void
test_double_tap (Fixture *f, gconstpointer data)
{
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  g_autofree char *page = NULL;

  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 300);
  test_spin_ms (100);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 300);
  g_assert_true (test_wait_until (page_is_result_or_error, f, WAIT_MS));
  test_spin_ms (800);
  g_assert_cmpuint (f->payments, ==, 1);
  page = kiosk_test_app_page (f->app);
  if (g_str_equal (page, "error"))
    {
      g_assert_cmpint (visitor_records (f), ==, 0);
      activate (f, "pay", NULL);
      kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
      canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
      kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
      g_assert_cmpuint (f->payments, ==, 2);
    }
  {
    g_autofree char *now = kiosk_test_app_page (f->app);
    g_assert_cmpstr (now, ==, "result");
  }
  g_assert_cmpint (visitor_records (f), ==, 1);
}

/* The demo button's path: app.visitor-tap with a card file, whose key
 * signs as the card would. */
static void
test_visitor_tap_action (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "v-0002.card.json", NULL);
  g_autoptr(GError) error = NULL;
  CanteenCardCert cert = { 0 };
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) bytes = make_cert (ISSUER, "V-0002", f->issuer_sk, CANTEEN_CARD_OFFLINE_CAP_FEN, card_sk);

  g_assert_true (canteen_card_cert_from_bytes (bytes, &cert, &error));
  g_assert_true (canteen_card_file_write (path, &cert, card_sk, &error));
  g_assert_no_error (error);
  canteen_card_cert_clear (&cert);

  order_and_pay (f);
  activate (f, "visitor-tap", g_variant_new_string (path));
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpstr (canteen_checkout_flow_get_visitor (flow_of (f))->issuer_name, ==, ISSUER_NAME);
  g_assert_cmpstr (canteen_checkout_flow_get_receipt (flow_of (f))->card, ==, "V-0002");
  g_assert_cmpint (visitor_records (f), ==, 1);
}

/* The first button under `widget` bound to `action`, or NULL. */
static GtkWidget *
find_action_button (GtkWidget *widget, const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* `canteen-kiosk --demo --visitor-card FILE`: a button on the tap page. */
static void
test_demo_visitor_button (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "v-0003.card.json", NULL);
  g_autoptr(GError) error = NULL;
  CanteenCardCert cert = { 0 };
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) bytes = make_cert (ISSUER, "V-0003", f->issuer_sk, CANTEEN_CARD_OFFLINE_CAP_FEN, card_sk);
  GtkWidget *button;

  g_assert_true (canteen_card_cert_from_bytes (bytes, &cert, &error));
  g_assert_true (canteen_card_file_write (path, &cert, card_sk, &error));
  g_assert_no_error (error);
  canteen_card_cert_clear (&cert);

  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE,
                                 "visitor-card", path, NULL);
  g_signal_connect (flow_of (f), "notify::busy", G_CALLBACK (busy_cb), f);
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
  button = find_action_button (GTK_WIDGET (canteen_kiosk_window_get_tap_page (window_of (f))), "app.visitor-tap");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpstr (canteen_checkout_flow_get_receipt (flow_of (f))->card, ==, "V-0003");
  g_assert_cmpint (canteen_checkout_flow_get_receipt (flow_of (f))->charged_fen, ==, RICE_VISITOR_FEN);
}

/* A card of our own agency is a staff card: paid from its account by UID,
 * as before. */
static void
test_own_agency_card_pays_by_account (Fixture *f, gconstpointer data)
{
  static const guint8 uid[] = { 0x04, 0xA1, 0xB2, 0xC3 };   /* KIOSK_FIXTURE_CARD_CHIP */
  guint8 own_sk[CANTEEN_PROTO_SK_BYTES], card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(CanteenEmuCard) card = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_visitor_issuer_key (f->ledger, own_sk, &error));
  g_assert_no_error (error);
  cert = make_cert (KIOSK_FIXTURE_AGENCY, KIOSK_FIXTURE_CARD_CHIP, own_sk, CANTEEN_CARD_OFFLINE_CAP_FEN, card_sk);
  card = canteen_emu_card_new_cpu (uid, sizeof uid, card_sk, cert);

  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_null (canteen_checkout_flow_get_visitor (flow_of (f)));
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), ==,
                   KIOSK_FIXTURE_CARD_CHIP_FEN - KIOSK_FIXTURE_DISH_PORK_FEN - KIOSK_FIXTURE_DISH_RICE_FEN);
  g_assert_cmpint (visitor_records (f), ==, 0);
}

static void
remove_card_when_busy_cb (CanteenCheckoutFlow *flow, GParamSpec *pspec, Fixture *f)
{
  if (canteen_checkout_flow_get_busy (flow))
    canteen_emu_ccid_reader_remove (reader_of (f));
}

/* The card leaves the reader after it was read and before it signs: the
 * payment fails cleanly (nothing recorded, the error page, the checkout id
 * kept), and tapping again pays once. */
static void
test_card_removed_before_signing (Fixture *f, gconstpointer data)
{
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  g_autofree char *checkout_id = NULL;
  const CanteenPaymentProblem *problem;

  order_and_pay (f);
  g_signal_connect (flow_of (f), "notify::busy", G_CALLBACK (remove_card_when_busy_cb), f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "error", WAIT_MS);
  g_signal_handlers_disconnect_by_func (flow_of (f), remove_card_when_busy_cb, f);
  problem = canteen_checkout_flow_get_problem (flow_of (f));
  g_assert_false (problem->is_decline);
  g_assert_cmpint (visitor_records (f), ==, 0);
  checkout_id = g_strdup (canteen_tray_peek_checkout_id (canteen_checkout_flow_get_tray (flow_of (f))));
  g_assert_nonnull (checkout_id);

  /* "Try again", and the card comes back. */
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpstr (canteen_checkout_flow_get_last_checkout_id (flow_of (f)), ==, checkout_id);
  g_assert_cmpint (visitor_records (f), ==, 1);
}

/* --- declines ------------------------------------------------------------------ */

static void
test_denied_card (Fixture *f, gconstpointer data)
{
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_visitor_set_denied (f->ledger, ISSUER, VISITOR_CARD, TRUE, &error));
  g_assert_no_error (error);
  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  assert_declined (f, "此卡已被发卡单位停用");
  g_assert_error (canteen_checkout_flow_get_problem (flow_of (f))->error,
                  CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_DENIED);
  kiosk_test_app_screenshot (f->app, "kiosk-visitor-denied.png", WAIT_MS);
}

static void
test_forged_certificate (Fixture *f, gconstpointer data)
{
  guint8 forger_pk[CANTEEN_PROTO_PK_BYTES], forger_sk[CANTEEN_PROTO_SK_BYTES];
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(CanteenEmuCard) card = NULL;

  /* A certificate naming GOV02, signed by a key that is not GOV02's. */
  canteen_proto_keypair (forger_pk, forger_sk);
  cert = make_cert (ISSUER, VISITOR_CARD, forger_sk, CANTEEN_CARD_OFFLINE_CAP_FEN, card_sk);
  card = make_card (cert, card_sk);
  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  assert_declined (f, "此卡不受信任");
}

/* A genuine certificate copied onto another card: the card cannot sign as
 * the certificate's key. */
static void
test_copied_certificate (Fixture *f, gconstpointer data)
{
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES], other_pk[CANTEEN_PROTO_PK_BYTES], other_sk[CANTEEN_PROTO_SK_BYTES];
  g_autoptr(GBytes) cert = make_cert (ISSUER, VISITOR_CARD, f->issuer_sk, CANTEEN_CARD_OFFLINE_CAP_FEN, card_sk);
  g_autoptr(CanteenEmuCard) card = NULL;

  canteen_proto_keypair (other_pk, other_sk);
  card = make_card (cert, other_sk);
  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  assert_declined (f, "卡片签名验证失败");
}

/* Offline, a tray over the terminal's floor limit (¥30.00) is refused. */
static void
test_over_offline_limit (Fixture *f, gconstpointer data)
{
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, 10000);

  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_PORK));
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  assert_declined (f, "超过本终端脱机限额");

  /* The card's own offline cap, lower than the floor limit. */
  canteen_emu_ccid_reader_remove (reader_of (f));
  activate (f, "cancel", NULL);
  kiosk_test_app_wait_for_page (f->app, "order", WAIT_MS);
  activate (f, "clear-tray", NULL);
  {
    g_autoptr(CanteenEmuCard) small = make_visitor_card (f, 1000);

    order_and_pay (f);
    canteen_emu_ccid_reader_tap (reader_of (f), small, 0);
    assert_declined (f, "超过此卡脱机限额");
  }
}

/* A UID-only card that is no account here cannot pay, as a visitor or at
 * all. */
static void
test_uid_only_unknown_card (Fixture *f, gconstpointer data)
{
  static const guint8 uid[] = { 0x04, 0x77, 0x66, 0x55 };
  g_autoptr(CanteenEmuCard) card = canteen_emu_card_new_uid_only (uid, sizeof uid);

  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  assert_declined (f, "无法识别此卡");
  g_assert_nonnull (strstr (canteen_problem_view_get_detail_text (canteen_kiosk_window_get_declined_view (window_of (f))),
                            "不能自行付费"));
}

/* --- the clearing sync in the status bar ---------------------------------------- */

/* A loopback port nobody listens on. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

typedef struct { Fixture *f; const char *prefix, *suffix; } ClearingWait;

static gboolean
clearing_text_is (gpointer data)
{
  ClearingWait *w = data;
  const char *text = canteen_status_bar_get_clearing_text (canteen_kiosk_window_get_statusbar (window_of (w->f)));

  return text != NULL && g_str_has_prefix (text, w->prefix) && g_str_has_suffix (text, w->suffix);
}

static void
wait_for_clearing_text (Fixture *f, const char *prefix, const char *suffix)
{
  ClearingWait w = { f, prefix, suffix };

  if (!test_wait_until (clearing_text_is, &w, WAIT_MS))
    g_error ("the status bar shows “%s”, expected “%s…%s”",
             canteen_status_bar_get_clearing_text (canteen_kiosk_window_get_statusbar (window_of (f))),
             prefix, suffix);
}

static void
test_sync_state_in_status_bar (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  g_autoptr(GError) error = NULL;
  guint8 clearing_pk[CANTEEN_PROTO_PK_BYTES], clearing_sk[CANTEEN_PROTO_SK_BYTES];

  /* Enrolled with a clearing service that is down. */
  canteen_proto_keypair (clearing_pk, clearing_sk);
  g_assert_true (canteen_visitor_set_enrolled (f->ledger, url, clearing_pk, now, &error));
  g_assert_no_error (error);
  start_app (f);
  wait_for_clearing_text (f, "结算", "");

  /* No answer to the online authorisation: the offline rules accept it. */
  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_false (canteen_checkout_flow_get_visitor (flow_of (f))->online);
  g_assert_cmpint (visitor_records (f), ==, 1);

  /* The record waits for upload; the sync fails, and says so. */
  wait_for_clearing_text (f, "结算离线 ", "次失败 · 待传 1 笔");
  g_assert_cmpuint (canteen_kiosk_clearing_get_n_syncs (canteen_kiosk_app_get_clearing (f->app)), >=, 1);
  kiosk_test_app_screenshot (f->app, "kiosk-visitor-sync-failed.png", WAIT_MS);

  /* In English too (the window is rebuilt and follows the same state). */
  activate (f, "set-language", g_variant_new_string ("en"));
  wait_for_clearing_text (f, "Clearing offline: ", " · 1 to upload");
}

/* --- online, with the real clearing service ------------------------------------ */

/* The child gets neither the emulation's preload nor a life of its own:
 * it dies with the test, even when an assertion aborts it. */
static void
server_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char **
server_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "LD_PRELOAD");
  return env;
}

/* `canteen-clearing ARGS... --db URI --key FILE`; its standard output. */
static char *
clearing_cli (Fixture *f, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) env = server_environ ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (g_getenv ("CANTEEN_CLEARING")));
  va_start (ap, f);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, g_strdup_printf ("--db=sqlite:%s/clearing.db", f->dir));
  g_ptr_array_add (argv, g_strdup_printf ("--key=%s/clearing.key", f->dir));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, env, 0, server_child_setup, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("canteen-clearing %s: %s", (char *) argv->pdata[1], err);
  return g_strstrip (g_steal_pointer (&out));
}

/* `canteen-clearing serve` on a free loopback port; its base URL. */
static char *
clearing_serve (Fixture *f)
{
  g_autofree char *db = g_strdup_printf ("--db=sqlite:%s/clearing.db", f->dir);
  g_autofree char *key = g_strdup_printf ("--key=%s/clearing.key", f->dir);
  const char *argv[] = { g_getenv ("CANTEEN_CLEARING"), "serve", db, key, "--listen", "127.0.0.1:0",
                         "--threads", "2", NULL };
  g_auto(GStrv) env = server_environ ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  char c;

  /* Its output stays open until it is stopped: it writes at shutdown. */
  g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, server_child_setup, NULL,
                            &f->server, NULL, &f->server_out, NULL, &error);
  g_assert_no_error (error);
  while (read (f->server_out, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  g_assert_true (g_str_has_prefix (line->str, "listening on 127.0.0.1:"));
  return g_strdup_printf ("http://%s", line->str + strlen ("listening on "));
}

/* The service knows both agencies and this terminal; the ledger enrolls.
 * The visitor's payment is then authorised online, and the sync after it
 * uploads the record: the status bar says when. */
static void
test_online_with_clearing_service (Fixture *f, gconstpointer data)
{
  g_autofree char *own_key = g_build_filename (f->dir, "gov01.issuer.json", NULL);
  g_autoptr(CanteenEmuCard) card = make_visitor_card (f, CANTEEN_CARD_OFFLINE_CAP_FEN);
  CanteenReceiptView *view;
  const CanteenVisitorPaid *paid;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL, *url = NULL, *out = NULL;

  if (g_getenv ("CANTEEN_CLEARING") == NULL)
    {
      g_test_skip ("CANTEEN_CLEARING (the canteen-clearing binary) is not set");
      return;
    }
  g_free (clearing_cli (f, "init", NULL));
  g_assert_true (canteen_visitor_export_issuer_key (f->ledger, own_key, &error));
  g_assert_no_error (error);
  out = clearing_cli (f, "agency", "add", KIOSK_FIXTURE_AGENCY, "--name", "市机关事务管理局",
                      "--issuer-key", own_key, NULL);
  g_free (g_steal_pointer (&out));
  out = clearing_cli (f, "agency", "add", ISSUER, "--name", ISSUER_NAME, "--issuer-key", f->issuer_key_file, NULL);
  token = clearing_cli (f, "terminal", "add", KIOSK_FIXTURE_TERMINAL, "--agency", KIOSK_FIXTURE_AGENCY, NULL);
  url = clearing_serve (f);
  g_assert_true (canteen_clearing_enroll (f->ledger, url, token, NULL, &error));
  g_assert_no_error (error);

  start_app (f);
  order_and_pay (f);
  canteen_emu_ccid_reader_tap (reader_of (f), card, 0);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  paid = canteen_checkout_flow_get_visitor (flow_of (f));
  g_assert_true (paid->online);
  g_assert_nonnull (paid->authorisation);
  g_assert_cmpstr (paid->issuer_name, ==, ISSUER_NAME);
  view = canteen_kiosk_window_get_receipt_view (window_of (f));
  g_assert_cmpstr (canteen_receipt_view_get_visitor_mode_text (view), ==, "已由结算中心联机授权。");
  g_assert_cmpint (visitor_records (f), ==, 1);

  /* Uploaded by the sync after the sale: nothing pending, a time shown. */
  wait_for_clearing_text (f, "结算 ✓ ", "");
  kiosk_test_app_screenshot (f->app, "kiosk-visitor-online.png", WAIT_MS);
  {
    CanteenClearingState state;

    g_assert_true (canteen_visitor_get_state (f->ledger, &state, &error));
    g_assert_cmpint (state.pending, ==, 0);
    g_assert_cmpint (state.failures, ==, 0);
    canteen_clearing_state_clear (&state);
  }
}

int
main (int argc, char *argv[])
{
  kiosk_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up_started, fn, fixture_tear_down)
  ADD ("/kiosk/visitor/tap-pays-offline", test_tap_pays_offline);
  ADD ("/kiosk/visitor/double-tap", test_double_tap);
  ADD ("/kiosk/visitor/visitor-tap-action", test_visitor_tap_action);
  ADD ("/kiosk/visitor/own-agency-card-pays-by-account", test_own_agency_card_pays_by_account);
  ADD ("/kiosk/visitor/card-removed-before-signing", test_card_removed_before_signing);
  ADD ("/kiosk/visitor/denied-card", test_denied_card);
  ADD ("/kiosk/visitor/forged-certificate", test_forged_certificate);
  ADD ("/kiosk/visitor/copied-certificate", test_copied_certificate);
  ADD ("/kiosk/visitor/over-offline-limit", test_over_offline_limit);
  ADD ("/kiosk/visitor/uid-only-unknown-card", test_uid_only_unknown_card);
#undef ADD
  g_test_add ("/kiosk/visitor/sync-state-in-status-bar", Fixture, NULL, fixture_set_up,
              test_sync_state_in_status_bar, fixture_tear_down);
  g_test_add ("/kiosk/visitor/demo-visitor-button", Fixture, NULL, fixture_set_up,
              test_demo_visitor_button, fixture_tear_down);
  g_test_add ("/kiosk/visitor/online-with-clearing-service", Fixture, NULL, fixture_set_up,
              test_online_with_clearing_service, fixture_tear_down);
  return g_test_run ();
}
