/* test-kiosk-dashboard.c — the manager dashboard in-process, under Xvfb.
 *
 * A ledger with two weeks of lunches and dinners, returned trays and the
 * kitchen's figures, all on fixed days of November 2026 (Asia/Shanghai);
 * the app's "reference-day" fixes the dashboard's today, so nothing here
 * depends on the real date. Checks that a wrong PIN is refused without
 * saying which of id and PIN was wrong, that the right one opens the
 * board, that the figures shown are waste.h's, and that the exports are
 * written. With the emulated card reader: a manager's card tapped on the
 * sign-in page opens the board, a diner's card does not and says so, the
 * lockout holds for cards too, and taps pay at the checkout again once the
 * dashboard is closed. Screenshots go to $CANTEEN_SCREENSHOT_DIR.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "dashboard-window.h"
#include "kiosk-app.h"
#include "kiosk-dashboard.h"
#include "kiosk-fixture.h"
#include "kiosk-i18n.h"
#include "kiosk-test-app.h"
#include "screenshot.h"
#include "test-wait.h"
#include "waste.h"

#define MANAGER_ID   "M01"
#define MANAGER_PIN  "246810"
/* 刘经理's card: a chip UID the emulated reader can present. */
#define MANAGER_CARD "04C0FFEE"
#define UNKNOWN_CARD "04DEAD01"
#define WAIT_MS      10000
#define TARE_G       250

typedef struct {
  char            *dir;
  char            *db_path;
  CanteenLedger   *ledger;
  CanteenKioskApp *app;
} Fixture;

/* `day` hh:mm in Asia/Shanghai. */
static GDateTime *
at (const char *day, int hour, int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  int y, m, d;

  g_assert_cmpint (sscanf (day, "%d-%d-%d", &y, &m, &d), ==, 3);
  return g_date_time_new (tz, y, m, d, hour, minute, 0);
}

/* One meal: a checkout of `dishes` and its tray back with `left_g` grams
 * left, split by `fractions` ("D02=0.5 D03=0.1"). */
static void
meal (Fixture *f, const char *id, const char *card, const char *dishes, const char *day, int hour,
      gint left_g, const char *fractions)
{
  g_auto(GStrv) ids = g_strsplit (dishes, " ", -1);
  g_auto(GStrv) parts = g_strsplit (fractions, " ", -1);
  g_autoptr(GDateTime) sold = at (day, hour, 0);
  g_autoptr(GDateTime) back = at (day, hour, 25);
  g_autoptr(GError) error = NULL;
  CanteenOrderLine lines[8];
  CanteenLeftoverInput left[8];
  g_auto(GStrv) names = g_new0 (char *, 9);
  CanteenTrayReturnRequest request = { 0 };
  CanteenReceipt *receipt;
  CanteenTrayReturn *ret;
  guint n = 0, k = 0;

  for (; ids[n] != NULL; n++)
    lines[n] = (CanteenOrderLine) { ids[n], 0 };
  receipt = canteen_ledger_checkout (f->ledger, id, card, lines, n, sold, &error);
  g_assert_no_error (error);
  canteen_receipt_free (receipt);

  for (; parts[k] != NULL && *parts[k] != '\0'; k++)
    {
      char *eq = strchr (parts[k], '=');
      names[k] = g_strndup (parts[k], (gsize) (eq - parts[k]));
      left[k] = (CanteenLeftoverInput) { names[k], g_ascii_strtod (eq + 1, NULL), 0.0 };
    }
  request.checkout_id = id;
  request.weight_g = TARE_G + left_g;
  request.tare_g = TARE_G;
  request.leftovers = left;
  request.n_leftovers = k;
  ret = canteen_waste_record_return (f->ledger, &request, back, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ret->match, ==, CANTEEN_TRAY_MATCH_CHECKOUT);
  canteen_tray_return_free (ret);
}

static void
kitchen (Fixture *f, const char *day, gint64 purchased_g, gint64 waste_g, gint planned)
{
  g_autoptr(GDateTime) now = at (day, 20, 0);
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_waste_record_kitchen (f->ledger, day, purchased_g, waste_g, planned, now, &error));
  g_assert_no_error (error);
}

static void
fill_ledger (Fixture *f)
{
  static const char * const previous_week[] = { "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12" };
  static const char * const this_week[] = { "2026-11-16", "2026-11-17", "2026-11-18" };
  g_autoptr(GError) error = NULL;
  CanteenAccount account = { 0 };

  g_assert_true (canteen_ledger_add_manager (f->ledger, MANAGER_ID, "刘经理", MANAGER_PIN, &error));
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, MANAGER_ID, MANAGER_CARD, &error));
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_topup (f->ledger, KIOSK_FIXTURE_CARD_RICH, 50000, "dash-topup", &account, &error));
  g_assert_no_error (error);
  canteen_account_clear (&account);

  /* The previous week wasted more than this one. */
  for (guint i = 0; i < G_N_ELEMENTS (previous_week); i++)
    {
      const char *d = previous_week[i];
      g_autofree char *a = g_strdup_printf ("P%u-L1", i), *b = g_strdup_printf ("P%u-L2", i);
      g_autofree char *c = g_strdup_printf ("P%u-D1", i);

      meal (f, a, KIOSK_FIXTURE_CARD_RICH, "D01 D03", d, 12, 160, "D01=0.4 D03=0.3");
      meal (f, b, KIOSK_FIXTURE_CARD_CHIP, "D06 D08", d, 12, 60, "D06=0.3 D08=0.2");
      meal (f, c, KIOSK_FIXTURE_CARD_RICH, "D05 D03", d, 18, 120, "D05=0.4 D03=0.1");
      kitchen (f, d, 42000, 3100 + 100 * (gint64) i, 4);
    }
  for (guint i = 0; i < G_N_ELEMENTS (this_week); i++)
    {
      const char *d = this_week[i];
      g_autofree char *a = g_strdup_printf ("T%u-L1", i), *b = g_strdup_printf ("T%u-L2", i);
      g_autofree char *c = g_strdup_printf ("T%u-D1", i);

      meal (f, a, KIOSK_FIXTURE_CARD_RICH, "D01 D03", d, 12, 90 - 20 * (gint) i, "D01=0.3 D03=0.1");
      meal (f, b, KIOSK_FIXTURE_CARD_CHIP, "D06 D08", d, 12, 5, "D06=0.05");
      meal (f, c, KIOSK_FIXTURE_CARD_RICH, "D05 D03", d, 18, 70, "D05=0.3 D03=0.1");
      kitchen (f, d, 40000, 2500 - 200 * (gint64) i, 3 + (gint) i);
    }
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->ledger = kiosk_fixture_create_in_temp ("canteen-dashboard", &f->dir, &f->db_path);
  fill_ledger (f);
  /* A Thursday: "this week" is 11-16..11-22, compared with 11-09..11-15.
   * `data` non-NULL: with the emulated reader, scale and printer. */
  f->app = kiosk_test_app_start ("db-path", f->db_path, "windowed", TRUE, "demo", TRUE,
                                 "reference-day", "2026-11-19", "emulate-devices", data != NULL, NULL);
  if (data != NULL)
    kiosk_test_app_wait_for_devices (f->app, 3, WAIT_MS);
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

static void
wait_for_state (Fixture *f, const char *want)
{
  kiosk_test_app_wait_for_state (f->app, "dashboard", want, 10000);
}

static void
activate (Fixture *f, const char *action, GVariant *parameter)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), action, parameter);
}

static CanteenKioskDashboard *
dashboard_of (Fixture *f)
{
  return canteen_kiosk_app_get_dashboard (f->app);
}

static CanteenDashboardWindow *
window_of (Fixture *f)
{
  return canteen_kiosk_dashboard_get_window (dashboard_of (f));
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The dashboard's own window (app.screenshot shows the kiosk's). */
static void
screenshot_dashboard (Fixture *f, const char *name)
{
  const char *dir = g_getenv ("CANTEEN_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  path = g_build_filename (dir, name, NULL);
  g_unlink (path);
  canteen_widget_save_png_after_frame (GTK_WIDGET (window_of (f)), path);
  g_assert_true (test_wait_until (file_exists, path, 10000));
  g_test_message ("screenshot: %s", path);
}

static JsonObject *
indicator (JsonNode *report, const char *key)
{
  return json_object_get_object_member (json_object_get_object_member (json_node_get_object (report), "indicators"),
                                        key);
}

/* The card shows waste.h's own figure, formatted as the screen does. */
static void
assert_figures_match (Fixture *f)
{
  CanteenKioskDashboard *dashboard = dashboard_of (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = canteen_waste_report (f->ledger, canteen_kiosk_dashboard_get_from (dashboard),
                                                     canteen_kiosk_dashboard_get_to (dashboard), &error);
  double waste, clean;
  g_autofree char *waste_text = NULL, *clean_text = NULL, *diners_text = NULL;

  g_assert_no_error (error);
  waste = json_object_get_double_member (indicator (report, "waste_g_per_meal"), "value");
  clean = json_object_get_double_member (indicator (report, "clean_plate_rate"), "value");
  waste_text = g_strdup_printf ("%.1f", waste);
  clean_text = g_strdup_printf ("%.1f%%", clean * 100.0);
  diners_text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                 json_object_get_int_member (indicator (report, "diners"), "value"));
  g_assert_cmpstr (canteen_dashboard_window_get_indicator_text (window_of (f), "waste_g_per_meal"), ==, waste_text);
  g_assert_cmpstr (canteen_dashboard_window_get_indicator_text (window_of (f), "clean_plate_rate"), ==, clean_text);
  g_assert_cmpstr (canteen_dashboard_window_get_indicator_text (window_of (f), "diners"), ==, diners_text);
  g_test_message ("%s..%s: %s g per diner per meal, clean plates %s, %s diners",
                  canteen_kiosk_dashboard_get_from (dashboard), canteen_kiosk_dashboard_get_to (dashboard),
                  waste_text, clean_text, diners_text);
}

static void
sign_in (Fixture *f)
{
  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  activate (f, "manager-login", g_variant_new ("(ss)", MANAGER_ID, MANAGER_PIN));
  wait_for_state (f, "open");
}

static void
test_wrong_pin_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *wrong_pin = NULL;

  g_assert_null (window_of (f));
  /* The header's 管理 button opens it. */
  kiosk_test_app_screenshot (f->app, "kiosk-dashboard-header.png", 10000);
  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  g_assert_nonnull (window_of (f));
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "login");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "dashboard-export"));

  /* The sign-in button sends what was typed (the keypad fills the PIN). */
  gtk_editable_set_text (canteen_dashboard_window_get_manager_entry (window_of (f)), MANAGER_ID);
  gtk_editable_set_text (canteen_dashboard_window_get_pin_entry (window_of (f)), "1111");
  g_signal_emit_by_name (canteen_dashboard_window_get_login_button (window_of (f)), "clicked");
  wait_for_state (f, "login");
  g_assert_nonnull (canteen_dashboard_window_get_login_problem (window_of (f)));
  wrong_pin = g_strdup (canteen_dashboard_window_get_login_problem (window_of (f)));
  g_assert_cmpstr (wrong_pin, ==, "管理员编号或PIN不正确。");
  /* The PIN does not stay on the screen. */
  g_assert_cmpstr (gtk_editable_get_text (canteen_dashboard_window_get_pin_entry (window_of (f))), ==, "");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "login");
  screenshot_dashboard (f, "kiosk-dashboard-login.png");

  /* An unknown manager with a right PIN: the very same words. */
  activate (f, "manager-login", g_variant_new ("(ss)", "M99", MANAGER_PIN));
  wait_for_state (f, "checking");
  wait_for_state (f, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_login_problem (window_of (f)), ==, wrong_pin);

  /* Closing goes back to the checkout. */
  activate (f, "close-dashboard", NULL);
  wait_for_state (f, "closed");
  g_assert_null (window_of (f));
  {
    g_autoptr(GVariant) page = g_action_group_get_action_state (G_ACTION_GROUP (f->app), "page");
    g_assert_cmpstr (g_variant_get_string (page, NULL), ==, "order");
  }
}

/* PINs cannot be guessed: after 5 wrong ones in a row even the right one is
 * refused for a while, and closing and reopening does not reset that. */
static void
test_lockout (Fixture *f, gconstpointer data)
{
  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  for (int i = 0; i < 5; i++)
    {
      activate (f, "manager-login", g_variant_new ("(ss)", MANAGER_ID, "0000"));
      wait_for_state (f, "checking");
      wait_for_state (f, "login");
    }
  g_assert_cmpstr (canteen_dashboard_window_get_login_problem (window_of (f)), ==,
                   "PIN 错误次数过多：登录已锁定 60 秒。");
  activate (f, "close-dashboard", NULL);
  wait_for_state (f, "closed");
  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  activate (f, "manager-login", g_variant_new ("(ss)", MANAGER_ID, MANAGER_PIN));
  /* Refused at once: no check runs, the board stays shut. */
  wait_for_state (f, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_login_problem (window_of (f)), ==,
                   "PIN 错误次数过多：登录已锁定 60 秒。");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "dashboard-export"));
}

static void
test_board_figures (Fixture *f, gconstpointer data)
{
  CanteenKioskDashboard *dashboard = dashboard_of (f);
  const char *change;

  sign_in (f);
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "board");
  g_assert_cmpstr (canteen_kiosk_dashboard_get_from (dashboard), ==, "2026-11-16");
  g_assert_cmpstr (canteen_kiosk_dashboard_get_to (dashboard), ==, "2026-11-22");
  g_assert_nonnull (strstr (canteen_dashboard_window_get_span_text (window_of (f)), "2026-11-09"));
  g_assert_nonnull (strstr (canteen_dashboard_window_get_span_text (window_of (f)), "刘经理"));
  assert_figures_match (f);
  /* Less waste than the week before: a fall, shown as one. */
  change = canteen_dashboard_window_get_change_text (window_of (f), "waste_g_per_meal");
  g_assert_nonnull (strstr (change, "▼"));
  g_assert_cmpuint (canteen_waste_chart_get_n_values (canteen_dashboard_window_get_day_chart (window_of (f))), ==, 7);
  screenshot_dashboard (f, "kiosk-dashboard.png");

  /* The month: 11-01..11-30 against 10-02..10-31. */
  activate (f, "dashboard-period", g_variant_new_string ("month"));
  g_assert_cmpstr (canteen_kiosk_dashboard_get_from (dashboard), ==, "2026-11-01");
  g_assert_cmpstr (canteen_kiosk_dashboard_get_to (dashboard), ==, "2026-11-30");
  g_assert_cmpuint (canteen_waste_chart_get_n_values (canteen_dashboard_window_get_day_chart (window_of (f))), ==, 30);
  assert_figures_match (f);
  screenshot_dashboard (f, "kiosk-dashboard-month.png");

  /* The quarter: October to December. */
  activate (f, "dashboard-period", g_variant_new_string ("quarter"));
  g_assert_cmpstr (canteen_kiosk_dashboard_get_from (dashboard), ==, "2026-10-01");
  g_assert_cmpstr (canteen_kiosk_dashboard_get_to (dashboard), ==, "2026-12-31");
  assert_figures_match (f);
  activate (f, "dashboard-period", g_variant_new_string ("year"));   /* refused, logged */
  g_assert_cmpstr (canteen_kiosk_dashboard_get_from (dashboard), ==, "2026-10-01");
}

static void
assert_file_starts (const char *path, const char *head, gsize len)
{
  g_autofree char *contents = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, >, len);
  g_assert_cmpmem (contents, len, head, len);
}

static void
test_exports (Fixture *f, gconstpointer data)
{
  CanteenKioskDashboard *dashboard = dashboard_of (f);
  g_autofree char *expected_dir = g_strconcat (f->db_path, ".exports", NULL);
  g_autofree char *by_meal = NULL;
  GPtrArray *files;
  guint pngs = 0, csvs = 0;

  sign_in (f);
  g_assert_cmpstr (canteen_kiosk_dashboard_get_export_dir (dashboard), ==, expected_dir);
  activate (f, "dashboard-export", NULL);
  files = canteen_kiosk_dashboard_get_exported (dashboard);
  g_assert_nonnull (files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);

      g_assert_true (g_str_has_prefix (path, expected_dir));
      if (g_str_has_suffix (path, ".png"))
        {
          assert_file_starts (path, "\x89PNG\r\n\x1a\n", 8);
          pngs++;
          /* One exported chart kept next to the screenshots, to look at. */
          if (g_str_has_suffix (path, "-waste-by-meal.png") && g_getenv ("CANTEEN_SCREENSHOT_DIR") != NULL)
            {
              g_autofree char *contents = NULL, *copy = NULL;
              gsize size = 0;

              g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
              copy = g_build_filename (g_getenv ("CANTEEN_SCREENSHOT_DIR"), "kiosk-dashboard-export.png", NULL);
              g_assert_true (g_file_set_contents (copy, contents, (gssize) size, NULL));
            }
        }
      else
        {
          g_assert_true (g_str_has_suffix (path, ".csv"));
          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
          csvs++;
        }
    }
  g_assert_cmpuint (pngs, ==, 3);
  g_assert_cmpuint (csvs, >=, 6);
  /* A table on its own: by meal period, headed by its columns. */
  by_meal = g_build_filename (expected_dir, "waste-2026-11-16_2026-11-22-by_meal.csv", NULL);
  assert_file_starts (by_meal, "day,period,", 11);
  /* The screen says where the files went. */
  g_assert_nonnull (strstr (canteen_dashboard_window_get_export_note (window_of (f)), expected_dir));
  screenshot_dashboard (f, "kiosk-dashboard-exported.png");
}

/* ---- a manager's card ------------------------------------------------------ */

static gboolean
no_card_on_reader (gpointer data)
{
  g_autoptr(CanteenEmuCard) card = canteen_emu_ccid_reader_dup_card (data);
  return card == NULL;
}

/* A card tapped on the emulated reader, through the real driver; back
 * once it has left the reader, so the next tap is a tap of its own. */
static void
tap (Fixture *f, const char *card)
{
  CanteenKioskEmulation *emulation = canteen_kiosk_app_get_emulation (f->app);

  g_assert_true (canteen_kiosk_emulation_tap (emulation, card));
  g_assert_true (test_wait_until (no_card_on_reader, canteen_kiosk_emulation_get_reader (emulation), WAIT_MS));
}

typedef struct {
  Fixture    *f;
  const char *want;
} ProblemWait;

static gboolean
problem_is (gpointer data)
{
  ProblemWait *w = data;
  return window_of (w->f) != NULL
      && g_strcmp0 (canteen_dashboard_window_get_login_problem (window_of (w->f)), w->want) == 0;
}

/* The sign-in page shows `want` (after a tap's check came back). */
static void
wait_for_problem (Fixture *f, const char *want)
{
  ProblemWait w = { f, want };

  if (!test_wait_until (problem_is, &w, WAIT_MS))
    g_assert_cmpstr (canteen_dashboard_window_get_login_problem (window_of (f)), ==, want);
}

static void
test_card_sign_in (Fixture *f, gconstpointer data)
{
  g_autofree char *state = NULL;
  gint64 balance = kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP);
  GtkButton *demo;

  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_login_hint (window_of (f)), ==, "刷管理员卡或输入工号和密码");
  /* Demo mode: a button for the seeded manager's card. */
  demo = canteen_dashboard_window_get_demo_card_button (window_of (f));
  g_assert_nonnull (demo);
  g_assert_nonnull (strstr (gtk_button_get_label (demo), "刘经理"));
  g_assert_nonnull (strstr (gtk_button_get_label (demo), MANAGER_CARD));

  /* A diner's card: no board, and the page says why. */
  tap (f, KIOSK_FIXTURE_CARD_CHIP);
  wait_for_problem (f, "这是就餐卡，不是管理员卡。");
  wait_for_state (f, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "login");
  screenshot_dashboard (f, "kiosk-dashboard-diner-card.png");
  /* It paid nothing either (the checkout behind waits on its order page). */
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), ==, balance);
  /* A card nobody knows. */
  tap (f, UNKNOWN_CARD);
  wait_for_problem (f, "此卡不是管理员卡。");
  wait_for_state (f, "login");

  /* The manager's card opens the board in their name. */
  tap (f, MANAGER_CARD);
  wait_for_state (f, "open");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "board");
  g_assert_nonnull (strstr (canteen_dashboard_window_get_span_text (window_of (f)), "刘经理"));
  assert_figures_match (f);
  /* A tap on the open board neither signs in again nor pays. */
  tap (f, KIOSK_FIXTURE_CARD_CHIP);
  test_spin_ms (300);
  state = kiosk_test_app_state (f->app, "dashboard");
  g_assert_cmpstr (state, ==, "open");
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), ==, balance);

  /* Closed: the reader's taps pay at the checkout again. */
  activate (f, "close-dashboard", NULL);
  wait_for_state (f, "closed");
  activate (f, "add-dish", g_variant_new_string (KIOSK_FIXTURE_DISH_RICE));
  activate (f, "pay", NULL);
  kiosk_test_app_wait_for_page (f->app, "tap", WAIT_MS);
  tap (f, KIOSK_FIXTURE_CARD_CHIP);
  kiosk_test_app_wait_for_page (f->app, "result", WAIT_MS);
  g_assert_cmpint (kiosk_fixture_balance (f->ledger, KIOSK_FIXTURE_CARD_CHIP), <, balance);
  g_clear_pointer (&state, g_free);
  state = kiosk_test_app_state (f->app, "dashboard");
  g_assert_cmpstr (state, ==, "closed");
}

/* The demo's button taps the manager's card through the emulated reader. */
static void
test_demo_card_button (Fixture *f, gconstpointer data)
{
  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  screenshot_dashboard (f, "kiosk-dashboard-card-login.png");
  g_signal_emit_by_name (canteen_dashboard_window_get_demo_card_button (window_of (f)), "clicked");
  wait_for_state (f, "open");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "board");
}

/* Wrong PINs and unknown cards count together; once locked, the manager's
 * own card is refused too, and nothing is checked. */
static void
test_card_lockout (Fixture *f, gconstpointer data)
{
  const char *locked = "PIN 错误次数过多：登录已锁定 60 秒。";

  activate (f, "open-dashboard", NULL);
  wait_for_state (f, "login");
  for (int i = 0; i < 3; i++)
    {
      activate (f, "manager-login", g_variant_new ("(ss)", MANAGER_ID, "0000"));
      wait_for_state (f, "checking");
      wait_for_state (f, "login");
    }
  tap (f, UNKNOWN_CARD);
  wait_for_problem (f, "此卡不是管理员卡。");
  wait_for_state (f, "login");
  tap (f, KIOSK_FIXTURE_CARD_CHIP);
  wait_for_problem (f, locked);
  wait_for_state (f, "login");

  canteen_dashboard_window_set_login_problem (window_of (f), NULL);
  tap (f, MANAGER_CARD);
  wait_for_problem (f, locked);
  test_spin_ms (300);
  wait_for_state (f, "login");
  g_assert_cmpstr (canteen_dashboard_window_get_page (window_of (f)), ==, "login");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "dashboard-export"));
}

int
main (int argc, char **argv)
{
  /* Re-executes with libumockdev-preload (the emulated reader), sets up
   * gettext before anything translates, then g_test_init(). */
  kiosk_test_init (&argc, &argv);

  g_test_add ("/kiosk/dashboard/lockout", Fixture, NULL, fixture_set_up, test_lockout, fixture_tear_down);
  g_test_add ("/kiosk/dashboard/wrong-pin-refused", Fixture, NULL, fixture_set_up, test_wrong_pin_refused,
              fixture_tear_down);
  g_test_add ("/kiosk/dashboard/board-figures", Fixture, NULL, fixture_set_up, test_board_figures,
              fixture_tear_down);
  g_test_add ("/kiosk/dashboard/exports", Fixture, NULL, fixture_set_up, test_exports, fixture_tear_down);
  g_test_add ("/kiosk/dashboard/card-sign-in", Fixture, "emulated", fixture_set_up, test_card_sign_in,
              fixture_tear_down);
  g_test_add ("/kiosk/dashboard/demo-card-button", Fixture, "emulated", fixture_set_up, test_demo_card_button,
              fixture_tear_down);
  g_test_add ("/kiosk/dashboard/card-lockout", Fixture, "emulated", fixture_set_up, test_card_lockout,
              fixture_tear_down);
  return g_test_run ();
}
