/* The ledger: what is charged, exactly once, what is refused and why, and
 * that the journal catches every kind of after-the-fact edit. */
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "canteen-error.h"
#include "ledger-private.h"
#include "test-util.h"

typedef struct {
  char          *dir;
  char          *path;
  CanteenLedger *ledger;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = test_tmpdir ();
  f->ledger = test_ledger_new (f->dir, &f->path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  canteen_ledger_close (f->ledger);
  test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
assert_verifies (CanteenLedger *ledger)
{
  CanteenVerifyReport report;
  GError *error = NULL;

  g_assert_true (canteen_ledger_verify (ledger, &report, &error));
  g_assert_no_error (error);
  canteen_verify_report_clear (&report);
}

static CanteenReceipt *
checkout (Fixture *f, const char *id, const char *card, const char *const *dishes, GDateTime *when, GError **error)
{
  CanteenOrderLine lines[8];
  guint n = 0;

  for (; dishes[n]; n++)
    {
      lines[n].dish_id = dishes[n];
      lines[n].grams = g_str_equal (dishes[n], "D03") ? 200 : 0;
    }
  return canteen_ledger_checkout (f->ledger, id, card, lines, n, when, error);
}

static void
test_schema (Fixture *f, gconstpointer data)
{
  CanteenIdentity id;
  GError *error = NULL;

  g_assert_cmpint (canteen_ledger_schema_version (f->ledger), ==, canteen_ledger_latest_schema_version ());
  g_assert_true (canteen_ledger_get_identity (f->ledger, &id, &error));
  g_assert_cmpstr (id.agency, ==, TEST_AGENCY);
  g_assert_cmpstr (id.canteen, ==, "测试食堂");
  canteen_identity_clear (&id);
  /* A second init would re-point the terminal at another agency: refused. */
  g_assert_false (canteen_ledger_init (f->ledger, "OTHER", "x", "T02", NULL, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_ALREADY_INITIALISED);
  g_clear_error (&error);
  assert_verifies (f->ledger);
}

static void
test_checkout_charges_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *tray[] = { "D01", "D02", "D03", NULL };
  g_autoptr(CanteenReceipt) r1 = NULL;
  g_autoptr(CanteenReceipt) r2 = NULL;
  g_autofree char *before = NULL;
  GError *error = NULL;

  r1 = checkout (f, "6f1c2a34-0000-4000-8000-000000000001", "staff1", tray, at, &error);
  g_assert_no_error (error);
  /* 1200 + 50 + 200 g × 250/100 g = 1750 */
  g_assert_cmpint (r1->total_fen, ==, 1750);
  g_assert_cmpint (r1->charged_fen, ==, 1750);
  g_assert_cmpint (r1->balance_fen, ==, 10000 - 1750);
  g_assert_cmpstr (r1->card, ==, "STAFF1");
  g_assert_cmpstr (r1->holder, ==, "张伟");
  g_assert_false (r1->replayed);
  g_assert_cmpuint (r1->lines->len, ==, 3);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 8250);

  /* The same checkout again (a retry after a timeout): the original receipt,
   * nothing charged, nothing written. */
  before = test_db_dump (f->path);
  r2 = checkout (f, "6f1c2a34-0000-4000-8000-000000000001", "STAFF1", tray, at, &error);
  g_assert_no_error (error);
  g_assert_true (r2->replayed);
  g_assert_cmpint (r2->charged_fen, ==, 1750);
  g_assert_cmpint (r2->balance_fen, ==, 8250);
  g_assert_cmpint (r2->journal_seq, ==, r1->journal_seq);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 8250);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
  assert_verifies (f->ledger);
}

static void
test_checkout_id_reuse_conflict (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *tray[] = { "D01", NULL };
  const char *other[] = { "D02", NULL };
  g_autoptr(CanteenReceipt) r = checkout (f, "id-1", "STAFF1", tray, at, NULL);
  g_autofree char *before = test_db_dump (f->path);
  GError *error = NULL;

  g_assert_nonnull (r);
  g_assert_null (checkout (f, "id-1", "STAFF1", other, at, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (checkout (f, "id-1", "VISIT1", tray, at, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
}

static void
assert_declined (Fixture *f, const char *card, const char *const *tray, int code)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  g_autofree char *before = test_db_dump (f->path);
  g_autofree char *id = g_uuid_string_random ();
  GError *error = NULL;

  g_assert_null (checkout (f, id, card, tray, at, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, code);
  g_assert_true (canteen_ledger_error_is_decline (error));
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
}

static void
test_declines_change_nothing (Fixture *f, gconstpointer data)
{
  const char *pork[] = { "D01", NULL };
  const char *unknown[] = { "D01", "D99", NULL };
  GError *error = NULL;

  assert_declined (f, "POOR", pork, CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_declined (f, "NOBODY", pork, CANTEEN_LEDGER_ERROR_UNKNOWN_CARD);
  assert_declined (f, "STAFF1", unknown, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH);
  g_assert_true (canteen_ledger_set_account_status (f->ledger, "STAFF1", CANTEEN_ACCOUNT_LOST, "经理", &error));
  assert_declined (f, "STAFF1", pork, CANTEEN_LEDGER_ERROR_CARD_LOST);
  g_assert_true (canteen_ledger_set_account_status (f->ledger, "STAFF1", CANTEEN_ACCOUNT_CLOSED, "经理", &error));
  assert_declined (f, "STAFF1", pork, CANTEEN_LEDGER_ERROR_CARD_CLOSED);
  /* A closed card stays closed. */
  g_assert_false (canteen_ledger_set_account_status (f->ledger, "STAFF1", CANTEEN_ACCOUNT_ACTIVE, "经理", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CARD_CLOSED);
  g_clear_error (&error);
  assert_verifies (f->ledger);
}

static void
test_credit_limit (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *pork[] = { "D01", NULL };
  g_autoptr(CanteenReceipt) r = NULL;
  GError *error = NULL;

  /* 300 fen and a 1000 fen credit limit: a 1200 tray goes to -900. */
  g_assert_true (canteen_ledger_add_account (f->ledger, "CREDIT", "赵强", TEST_AGENCY, 300, 1000, &error));
  r = checkout (f, "c-1", "CREDIT", pork, at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->balance_fen, ==, -900);
  /* Another one would reach -2100: past the limit. */
  g_assert_null (checkout (f, "c-2", "CREDIT", pork, at, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  g_clear_error (&error);
  g_assert_cmpint (test_balance (f->ledger, "CREDIT"), ==, -900);
  assert_verifies (f->ledger);
}

static void
test_visitor_prices (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) lunch = test_local_time (12, 0);
  const char *tray[] = { "D01", "D02", NULL };
  g_autoptr(CanteenReceipt) r = NULL;
  GError *error = NULL;
  CanteenMealTimes times = { 11 * 60, 13 * 60 + 30, 500 };

  g_assert_true (canteen_ledger_set_meal_times (f->ledger, CANTEEN_MEAL_LUNCH, &times, &error));
  r = checkout (f, "v-1", "VISIT1", tray, lunch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->payer, ==, CANTEEN_PAYER_VISITOR);
  g_assert_cmpint (r->total_fen, ==, 1600);     /* visitor prices */
  g_assert_cmpint (r->subsidy_fen, ==, 0);      /* and no subsidy: 自行付费 */
  g_assert_cmpint (r->charged_fen, ==, 1600);
}

static void
test_meal_subsidy (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) lunch = test_local_time (12, 0);
  g_autoptr(GDateTime) lunch2 = test_local_time (12, 30);
  g_autoptr(GDateTime) afternoon = test_local_time (15, 0);
  const char *pork[] = { "D01", NULL };
  const char *soup[] = { "D04", NULL };
  CanteenMealTimes times = { 11 * 60, 13 * 60 + 30, 1500 };
  g_autoptr(CanteenReceipt) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;
  CanteenCorrection c;
  GError *error = NULL;

  g_assert_true (canteen_ledger_set_meal_times (f->ledger, CANTEEN_MEAL_LUNCH, &times, &error));
  /* Lunch subsidy ¥15 a day: the first tray (¥12) is covered entirely... */
  r1 = checkout (f, "s-1", "STAFF1", pork, lunch, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r1->period, ==, "lunch");
  g_assert_cmpint (r1->subsidy_fen, ==, 1200);
  g_assert_cmpint (r1->charged_fen, ==, 0);
  /* ...the second gets what is left (¥3)... */
  r2 = checkout (f, "s-2", "STAFF1", pork, lunch2, &error);
  g_assert_cmpint (r2->subsidy_fen, ==, 300);
  g_assert_cmpint (r2->charged_fen, ==, 900);
  /* ...and outside meal times there is none. */
  r3 = checkout (f, "s-3", "STAFF1", soup, afternoon, &error);
  g_assert_cmpstr (r3->period, ==, "none");
  g_assert_cmpint (r3->subsidy_fen, ==, 0);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 10000 - 900 - 200);

  /* Voiding the first gives its subsidy back for the rest of lunch. */
  g_assert_true (canteen_ledger_void (f->ledger, "s-1", "打错了", "经理", lunch2, &c, &error));
  canteen_correction_clear (&c);
  r4 = checkout (f, "s-4", "STAFF1", pork, lunch2, &error);
  g_assert_cmpint (r4->subsidy_fen, ==, 1200);
  r5 = checkout (f, "s-5", "STAFF1", soup, lunch2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r5->subsidy_fen, ==, 0);   /* 300 + 1200 = 1500 used */
  assert_verifies (f->ledger);
}

static void
test_void_and_refund (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *tray[] = { "D01", "D04", NULL };
  g_autoptr(CanteenReceipt) r = checkout (f, "r-1", "STAFF1", tray, at, NULL);
  g_autoptr(CanteenReceipt) again = NULL;
  CanteenCorrection c;
  GError *error = NULL;

  g_assert_nonnull (r);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 8600);
  /* The soup came back: refund ¥2, retried with the same id → once. */
  g_assert_true (canteen_ledger_refund (f->ledger, "r-1", "ref-1", 200, "汤洒了", "经理", at, &c, &error));
  g_assert_false (c.replayed);
  g_assert_cmpint (c.balance_fen, ==, 8800);
  canteen_correction_clear (&c);
  g_assert_true (canteen_ledger_refund (f->ledger, "r-1", "ref-1", 200, "汤洒了", "经理", at, &c, &error));
  g_assert_true (c.replayed);
  canteen_correction_clear (&c);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 8800);
  /* More than is left to refund: refused. */
  g_assert_false (canteen_ledger_refund (f->ledger, "r-1", "ref-2", 1201, "x", "经理", at, &c, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE);
  g_clear_error (&error);
  /* Void returns only what was not refunded yet; voiding twice is a no-op. */
  g_assert_true (canteen_ledger_void (f->ledger, "r-1", "顾客取消", "经理", at, &c, &error));
  g_assert_cmpint (c.credited_fen, ==, 1200);
  g_assert_cmpint (c.balance_fen, ==, 10000);
  canteen_correction_clear (&c);
  g_assert_true (canteen_ledger_void (f->ledger, "r-1", "顾客取消", "经理", at, &c, &error));
  g_assert_true (c.replayed);
  canteen_correction_clear (&c);
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 10000);
  g_assert_false (canteen_ledger_refund (f->ledger, "r-1", "ref-3", 1, "x", "经理", at, &c, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_void (f->ledger, "no-such", "x", "经理", at, &c, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* The receipt remembers it was voided. */
  again = canteen_ledger_get_checkout (f->ledger, "r-1", &error);
  g_assert_true (again->voided);
  assert_verifies (f->ledger);
}

static void
test_topup (Fixture *f, gconstpointer data)
{
  CanteenAccount a;
  GError *error = NULL;

  g_assert_true (canteen_ledger_topup (f->ledger, "POOR", 5000, "t-1", &a, &error));
  g_assert_cmpint (a.balance_fen, ==, 5300);
  canteen_account_clear (&a);
  g_assert_true (canteen_ledger_topup (f->ledger, "POOR", 5000, "t-1", &a, &error));   /* retry */
  g_assert_cmpint (a.balance_fen, ==, 5300);
  canteen_account_clear (&a);
  g_assert_false (canteen_ledger_topup (f->ledger, "POOR", 6000, "t-1", &a, &error));  /* same id, other amount */
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_topup (f->ledger, "POOR", 0, NULL, &a, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_topup (f->ledger, "POOR", -100, NULL, &a, &error));
  g_clear_error (&error);
  g_assert_false (canteen_ledger_topup (f->ledger, "NOBODY", 100, NULL, &a, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (test_balance (f->ledger, "POOR"), ==, 5300);
  assert_verifies (f->ledger);
}

static gint64
z_line (const CanteenZReport *r, const char *kind, gint *count)
{
  for (guint i = 0; i < r->lines->len; i++)
    {
      const CanteenZLine *l = &g_array_index (r->lines, CanteenZLine, i);
      if (g_str_equal (l->kind, kind))
        {
          *count = l->count;
          return l->amount_fen;
        }
    }
  g_assert_not_reached ();
}

static void
test_shift_z_report (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *pork[] = { "D01", NULL };
  const char *rice[] = { "D02", NULL };
  g_autoptr(CanteenReceipt) a = checkout (f, "z-1", "STAFF1", pork, at, NULL);
  g_autoptr(CanteenReceipt) b = checkout (f, "z-2", "VISIT1", pork, at, NULL);
  g_autoptr(CanteenReceipt) c = checkout (f, "z-3", "STAFF1", rice, at, NULL);
  g_autoptr(CanteenZReport) z = NULL;
  g_autoptr(CanteenZReport) next = NULL;
  CanteenCorrection corr;
  CanteenAccount acc;
  GError *error = NULL;
  gint count = 0;

  g_assert_true (canteen_ledger_void (f->ledger, "z-3", "重复", "经理", at, &corr, &error));
  canteen_correction_clear (&corr);
  g_assert_true (canteen_ledger_topup (f->ledger, "POOR", 1000, NULL, &acc, &error));
  canteen_account_clear (&acc);

  z = canteen_ledger_close_shift (f->ledger, at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (z->shift_no, ==, 1);
  g_assert_cmpint (z->checkouts, ==, 3);
  g_assert_cmpint (z->sales_fen, ==, 1200 + 1500 + 50);
  g_assert_cmpint (z_line (z, "staff", &count), ==, 1250);
  g_assert_cmpint (count, ==, 2);
  g_assert_cmpint (z_line (z, "visitor", &count), ==, 1500);
  g_assert_cmpint (count, ==, 1);
  g_assert_cmpint (z_line (z, "void", &count), ==, 50);
  g_assert_cmpint (count, ==, 1);
  g_assert_cmpint (z_line (z, "topup", &count), ==, 1000);
  /* The next shift starts empty. */
  next = canteen_ledger_shift_report (f->ledger, &error);
  g_assert_cmpint (next->shift_no, ==, 2);
  g_assert_cmpint (next->checkouts, ==, 0);
  g_assert_null (next->opened);
  assert_verifies (f->ledger);
}

/* ---- tampering: every edit made behind the ledger's back is found ------ */

static void
tamper (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("tampering failed: %s", msg);
  sqlite3_close (db);
}

static void
assert_corrupt (Fixture *f, const char *message_part)
{
  CanteenVerifyReport report;
  GError *error = NULL;

  g_assert_false (canteen_ledger_verify (f->ledger, &report, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, message_part);
  g_clear_error (&error);
}

static void
sell_a_little (Fixture *f)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *tray[] = { "D01", "D02", NULL };

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("t-%d", i);
      g_autoptr(CanteenReceipt) r = checkout (f, id, "STAFF1", tray, at, NULL);
      g_assert_nonnull (r);
    }
  assert_verifies (f->ledger);
}

#define UNGUARD "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; " \
                "DROP TRIGGER checkouts_no_update; "

static void
test_tamper_balance (Fixture *f, gconstpointer data)
{
  sell_a_little (f);
  tamper (f, "UPDATE accounts SET balance_fen = balance_fen + 10000 WHERE card = 'STAFF1'");
  assert_corrupt (f, "account STAFF1");
}

static void
test_tamper_amount (Fixture *f, gconstpointer data)
{
  sell_a_little (f);
  tamper (f, UNGUARD "UPDATE journal SET body = replace (body, '\"amount_fen\":-1250', '\"amount_fen\":-125') WHERE seq = 5");
  assert_corrupt (f, "journal entry 5: content changed");
}

static void
test_tamper_deleted_entry (Fixture *f, gconstpointer data)
{
  sell_a_little (f);
  tamper (f, UNGUARD "DELETE FROM journal WHERE seq = 4");
  assert_corrupt (f, "journal entry 4: missing");
}

static void
test_tamper_rehashed (Fixture *f, gconstpointer data)
{
  /* Someone edits an entry and recomputes its own hash: the next entry's
   * prev_hash no longer matches. */
  g_autofree char *body = NULL, *prev = NULL, *hash = NULL, *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  sell_a_little (f);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "SELECT body, prev_hash FROM journal WHERE seq = 5", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  body = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  prev = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  {
    g_autofree char *edited = NULL;
    GString *s = g_string_new (body);
    g_string_replace (s, "\"ref\":\"t-1\"", "\"ref\":\"t-9\"", 1);
    edited = g_string_free (s, FALSE);
    hash = ledger_sha256_hex (prev, edited);
    sql = g_strdup_printf (UNGUARD "UPDATE journal SET body = '%s', hash = '%s', ref = 't-9' WHERE seq = 5", edited, hash);
  }
  tamper (f, sql);
  assert_corrupt (f, "journal entry 6: does not follow entry 5");
}

static void
test_tamper_column (Fixture *f, gconstpointer data)
{
  sell_a_little (f);
  tamper (f, UNGUARD "UPDATE journal SET amount_fen = -1 WHERE seq = 6");
  assert_corrupt (f, "journal entry 6: columns disagree");
}

static void
test_tamper_checkout_row (Fixture *f, gconstpointer data)
{
  sell_a_little (f);
  tamper (f, "DROP TRIGGER checkouts_no_update; "
             "UPDATE checkouts SET total_fen = 50, charged_fen = 50 WHERE id = 't-2'");
  assert_corrupt (f, "checkout t-2");
}

static void
test_tamper_deleted_checkout (Fixture *f, gconstpointer data)
{
  /* A sale's record removed (items too): the journal still says it happened. */
  sell_a_little (f);
  tamper (f, "DROP TRIGGER checkouts_no_delete; DROP TRIGGER checkout_items_no_delete; "
             "DELETE FROM checkout_items WHERE checkout_id = 't-1'; DELETE FROM checkouts WHERE id = 't-1'");
  assert_corrupt (f, "journal entries of kind checkout (3) and their records (2) do not match");
}

static void
test_append_only_triggers (Fixture *f, gconstpointer data)
{
  sqlite3 *db = NULL;
  const char *sql[] = {
    "UPDATE journal SET amount_fen = 0 WHERE seq = 1",
    "DELETE FROM journal",
    "DELETE FROM checkouts",
    "UPDATE checkout_items SET amount_fen = 0",
    "DELETE FROM voids",
  };

  g_autoptr(GDateTime) at = test_local_time (15, 0);
  CanteenCorrection c;

  sell_a_little (f);
  g_assert_true (canteen_ledger_void (f->ledger, "t-0", "测试", "经理", at, &c, NULL));
  canteen_correction_clear (&c);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  for (gsize i = 0; i < G_N_ELEMENTS (sql); i++)
    if (sqlite3_exec (db, sql[i], NULL, NULL, NULL) != SQLITE_CONSTRAINT)
      g_error ("allowed: %s", sql[i]);
  sqlite3_close (db);
  assert_verifies (f->ledger);
}

/* ---- managers ------------------------------------------------------------ */

static void
test_managers (Fixture *f, gconstpointer data)
{
  g_autofree char *name = NULL;
  GError *error = NULL;
  const char *bad_pins[] = { "123", "1234567890123", "12a4", "", NULL };

  g_assert_true (canteen_ledger_add_manager (f->ledger, "M01", "王经理", "2580", &error));
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_check_manager (f->ledger, "M01", "2580", &name, &error));
  g_assert_cmpstr (name, ==, "王经理");
  /* Wrong PIN and unknown manager fail alike: the message gives nothing away. */
  g_assert_false (canteen_ledger_check_manager (f->ledger, "M01", "2581", NULL, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED);
  g_assert_cmpstr (error->message, ==, "manager: unknown manager or wrong PIN");
  g_clear_error (&error);
  g_assert_false (canteen_ledger_check_manager (f->ledger, "M99", "2580", NULL, &error));
  g_assert_cmpstr (error->message, ==, "manager: unknown manager or wrong PIN");
  g_clear_error (&error);
  g_assert_false (canteen_ledger_add_manager (f->ledger, "M01", "另一个", "1111", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS);
  g_clear_error (&error);
  for (const char **p = bad_pins; *p; p++)
    {
      g_assert_false (canteen_ledger_add_manager (f->ledger, "M02", "新经理", *p, &error));
      g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
      g_clear_error (&error);
    }
  /* The PIN itself is nowhere in the file. */
  {
    g_autofree char *dump = test_db_dump (f->path);
    g_assert_null (strstr (dump, "|2580|"));
    g_assert_nonnull (strstr (dump, "$argon2id$"));
  }
  assert_verifies (f->ledger);
}

/* A manager's card signs them in by a tap: one spelling per card (as
 * account cards), one manager per card, journaled, and nothing but an
 * active manager's card is let in. */
static void
test_manager_cards (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL, *name = NULL, *before = NULL, *after = NULL;
  g_autoptr(GPtrArray) managers = NULL;
  CanteenManager *m;
  GError *error = NULL;

  g_assert_true (canteen_ledger_add_manager (f->ledger, "M01", "王经理", "2580", &error));
  g_assert_true (canteen_ledger_add_manager (f->ledger, "M02", "李经理", "1357", &error));
  g_assert_no_error (error);
  /* No card yet: nobody signs in by one. */
  g_assert_false (canteen_ledger_find_manager_by_card (f->ledger, "04C0FFEE", &id, &name, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED);
  g_assert_null (id);
  g_clear_error (&error);

  /* Lower case as typed, upper case as stored and as a reader reports it. */
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, "M01", "04c0ffee", &error));
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_find_manager_by_card (f->ledger, "04C0FFEE", &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "M01");
  g_assert_cmpstr (name, ==, "王经理");
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&name, g_free);

  before = test_db_dump (f->path);
  /* Bad card ids are refused as account cards are, and write nothing. */
  g_assert_false (canteen_ledger_set_manager_card (f->ledger, "M02", "04-C0", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_set_manager_card (f->ledger, "M02", "", &error));
  g_assert_true (error != NULL && error->domain == CANTEEN_INPUT_ERROR);
  g_clear_error (&error);
  /* One card, one manager. */
  g_assert_false (canteen_ledger_set_manager_card (f->ledger, "M02", "04C0FFEE", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "M01"));
  g_clear_error (&error);
  g_assert_false (canteen_ledger_set_manager_card (f->ledger, "M99", "04AABBCC", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* The same card again is no change: nothing journaled. */
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, "M01", "04C0FFEE", &error));
  g_assert_no_error (error);
  after = test_db_dump (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (canteen_ledger_find_manager_by_card (f->ledger, "04-C0", NULL, NULL, &error));
  g_assert_true (error != NULL && error->domain == CANTEEN_INPUT_ERROR);
  g_clear_error (&error);

  /* A diner's account card may be a manager's card too. */
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, "M02", "STAFF1", &error));
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_find_manager_by_card (f->ledger, "staff1", &id, NULL, &error));
  g_assert_cmpstr (id, ==, "M02");
  g_clear_pointer (&id, g_free);

  managers = canteen_ledger_list_managers (f->ledger, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (managers->len, ==, 2);
  m = g_ptr_array_index (managers, 0);
  g_assert_cmpstr (m->id, ==, "M01");
  g_assert_cmpstr (m->card, ==, "04C0FFEE");
  g_assert_true (m->active);

  /* Cleared: the card opens nothing any more, and may go to another. */
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, "M01", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (canteen_ledger_find_manager_by_card (f->ledger, "04C0FFEE", NULL, NULL, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED);
  g_clear_error (&error);
  g_assert_true (canteen_ledger_set_manager_card (f->ledger, "M02", "04C0FFEE", &error));
  g_assert_no_error (error);

  /* A disabled manager's card is refused like an unknown one. */
  tamper (f, "UPDATE managers SET active = 0 WHERE id = 'M02'");
  g_assert_false (canteen_ledger_find_manager_by_card (f->ledger, "04C0FFEE", NULL, NULL, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_AUTHORISED);
  g_clear_error (&error);

  /* Every change is in the journal, chained like the rest. */
  {
    g_autofree char *dump = test_db_dump (f->path);
    g_assert_nonnull (strstr (dump, "\"kind\":\"manager-card\""));
    g_assert_nonnull (strstr (dump, "\"card\":\"04C0FFEE\",\"previous\":\"STAFF1\""));
  }
  assert_verifies (f->ledger);
}

/* A ledger made by the first release (schema 1) opens in this one: its
 * data stays, the new tables appear, and it verifies. */
static void
test_migrate_from_v1 (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v1.db", NULL);
  g_autofree char *sql_path = g_build_filename (g_getenv ("CANTEEN_MIGRATIONS"), "0001-ledger.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenIdentity id;
  GError *error = NULL;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, NULL));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 1128353364; PRAGMA journal_mode = WAL", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 1; "
                                     "INSERT INTO meta VALUES ('agency', 'ZJ001'), ('canteen', '旧食堂'), "
                                     "('terminal', 'T01'), ('timezone', 'Asia/Shanghai')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  ledger = canteen_ledger_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (canteen_ledger_schema_version (ledger), ==, canteen_ledger_latest_schema_version ());
  g_assert_true (canteen_ledger_get_identity (ledger, &id, &error));
  g_assert_cmpstr (id.canteen, ==, "旧食堂");
  canteen_identity_clear (&id);
  g_assert_true (canteen_ledger_add_manager (ledger, "M01", "王经理", "2580", &error));
  g_assert_true (canteen_ledger_set_manager_card (ledger, "M01", "04A1B2C3", &error));
  g_assert_no_error (error);
  assert_verifies (ledger);
}

/* ---- files that are not ours -------------------------------------------- */

static void
test_not_a_database (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "menu.txt", NULL);
  g_autofree char *hash_before = NULL, *hash_after = NULL;
  GError *error = NULL;
  char junk[4096];

  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (char) ('a' + i % 26);
  g_assert_true (g_file_set_contents (path, junk, sizeof junk, NULL));
  hash_before = test_file_sha256 (path);
  g_assert_null (canteen_ledger_open (path, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_A_LEDGER);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  hash_after = test_file_sha256 (path);
  g_assert_cmpstr (hash_before, ==, hash_after);
}

static void
test_someone_elses_database (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "other.db", NULL);
  g_autofree char *before = NULL, *after = NULL;
  sqlite3 *db = NULL;
  GError *error = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (42)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = test_file_sha256 (path);
  g_assert_null (canteen_ledger_open (path, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_A_LEDGER);
  g_clear_error (&error);
  after = test_file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_schema_too_new (Fixture *f, gconstpointer data)
{
  GError *error = NULL;

  tamper (f, "PRAGMA user_version = 99");
  g_assert_null (canteen_ledger_open (f->path, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_TOO_NEW);
  g_clear_error (&error);
}

/* ---- faults ----------------------------------------------------------- */

static void
test_disk_full_changes_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  const char *tray[] = { "D01", "D02", "D04", NULL };
  g_autofree char *before = NULL;
  GError *error = NULL;
  int failures = 0;

  /* Fill the file up to a page limit, then keep selling until SQLite
   * reports it full: the failing checkout must leave no trace. */
  g_assert_cmpint (sqlite3_exec (f->ledger->db, "PRAGMA max_page_count = 40", NULL, NULL, NULL), ==, SQLITE_OK);
  for (int i = 0; i < 2000 && failures == 0; i++)
    {
      g_autofree char *id = g_strdup_printf ("full-%d-%s", i, "padding-to-make-rows-larger-xxxxxxxxxxxx");
      g_autoptr(CanteenReceipt) r = NULL;
      if (test_balance (f->ledger, "STAFF1") < 1500)
        {
          CanteenAccount a;
          if (!canteen_ledger_topup (f->ledger, "STAFF1", 100000, NULL, &a, &error))
            break;
          canteen_account_clear (&a);
        }
      g_free (before);
      before = test_db_dump (f->path);
      r = checkout (f, id, "STAFF1", tray, at, &error);
      if (r == NULL)
        failures++;
    }
  g_assert_cmpint (failures, ==, 1);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB);
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
  assert_verifies (f->ledger);
}

/* ---- two writers ---------------------------------------------------------- */

typedef struct {
  const char *path;
  int         worker;
  int         done;
} Worker;

static gpointer
sell_many (gpointer data)
{
  Worker *w = data;
  g_autoptr(CanteenLedger) ledger = canteen_ledger_open (w->path, NULL);
  g_autoptr(GDateTime) at = test_local_time (15, 0);
  CanteenOrderLine rice = { "D02", 0 };

  for (int i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("w%d-%d", w->worker, i);
      GError *error = NULL;
      CanteenReceipt *r = canteen_ledger_checkout (ledger, id, "STAFF1", &rice, 1, at, &error);
      g_assert_no_error (error);
      canteen_receipt_free (r);
      w->done++;
    }
  return NULL;
}

static void
test_two_writers (Fixture *f, gconstpointer data)
{
  Worker a = { f->path, 1, 0 }, b = { f->path, 2, 0 };
  GThread *ta = g_thread_new ("a", sell_many, &a);
  GThread *tb = g_thread_new ("b", sell_many, &b);

  g_thread_join (ta);
  g_thread_join (tb);
  g_assert_cmpint (a.done + b.done, ==, 200);
  /* Both sold from the same card at once: not one fen lost or doubled. */
  g_assert_cmpint (test_balance (f->ledger, "STAFF1"), ==, 10000 - 200 * 50);
  assert_verifies (f->ledger);
}

/* ---- dish recognition exemplars ----------------------------------------- */

static void
test_exemplars (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) some = NULL;
  g_autoptr(GPtrArray) menu = g_ptr_array_new ();
  g_autoptr(GBytes) blob = g_bytes_new_static ("features", 8);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  CanteenDish d01 = { .id = (char *) "D01" };
  GError *error = NULL;
  gint64 first, id;

  /* Enrolled photos are kept; corrections beyond the bound drop the
   * oldest correction first. */
  first = canteen_ledger_add_exemplar (f->ledger, "D01", "enroll", blob, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);
  for (int i = 0; i < CANTEEN_EXEMPLARS_PER_DISH + 3; i++)
    {
      id = canteen_ledger_add_exemplar (f->ledger, "D01", "correction", blob, &error);
      g_assert_no_error (error);
      g_assert_cmpint (id, >, first);
    }
  g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, "D02", "enroll", blob, &error), >, 0);
  all = canteen_ledger_list_exemplars (f->ledger, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, CANTEEN_EXEMPLARS_PER_DISH + 1);
  g_assert_cmpint (((CanteenExemplar *) all->pdata[0])->id, ==, first);
  g_assert_cmpstr (((CanteenExemplar *) all->pdata[0])->source, ==, "enroll");
  g_assert_true (g_bytes_equal (((CanteenExemplar *) all->pdata[0])->exemplar, blob));

  /* Only the dishes asked for (today's menu). */
  g_ptr_array_add (menu, &d01);
  some = canteen_ledger_list_exemplars (f->ledger, menu, &error);
  g_assert_cmpuint (some->len, ==, CANTEEN_EXEMPLARS_PER_DISH);

  /* Bad input changes nothing. */
  g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, "D99", "enroll", blob, &error), ==, 0);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH);
  g_clear_error (&error);
  g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, "D01", "guess", blob, &error), ==, 0);
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (canteen_ledger_add_exemplar (f->ledger, "D01", "enroll", empty, &error), ==, 0);
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);

  /* Forget one, then the dish. */
  g_assert_cmpint (canteen_ledger_forget_exemplars (f->ledger, "D01", &first, 1, &error), ==, 1);
  g_assert_cmpint (canteen_ledger_forget_exemplars (f->ledger, "D01", NULL, 0, &error), ==, CANTEEN_EXEMPLARS_PER_DISH - 1);
  g_assert_cmpint (canteen_ledger_forget_exemplars (f->ledger, "D01", NULL, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = canteen_ledger_list_exemplars (f->ledger, NULL, &error);
  g_assert_cmpuint (all->len, ==, 1);
  assert_verifies (f->ledger);
}

static void
test_checkout_frames (Fixture *f, gconstpointer data)
{
  static const char *const tray[] = { "D01", NULL };
  static const guint8 jpeg_a[] = { 0xFF, 0xD8, 0xFF, 0xE0, 'a', 0xFF, 0xD9 };
  static const guint8 jpeg_b[] = { 0xFF, 0xD8, 0xFF, 0xE0, 'b', 0xFF, 0xD9 };
  g_autoptr(GBytes) a = g_bytes_new_static (jpeg_a, sizeof jpeg_a);
  g_autoptr(GBytes) b = g_bytes_new_static (jpeg_b, sizeof jpeg_b);
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  g_autoptr(CanteenReceipt) r = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GDateTime) noon = test_local_time (12, 0);
  GError *error = NULL;

  r = checkout (f, "6f0e3f7a-0000-4000-8000-00000000f001", "STAFF1", (const char *const *) tray, noon, &error);
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_keep_frame (f->ledger, r->checkout_id, a, &error));
  g_assert_no_error (error);
  /* The same frame again (a retry) is fine; another one is not. */
  g_assert_true (canteen_ledger_keep_frame (f->ledger, r->checkout_id, a, &error));
  g_assert_false (canteen_ledger_keep_frame (f->ledger, r->checkout_id, b, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_keep_frame (f->ledger, "6f0e3f7a-0000-4000-8000-00000000f999", a, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_keep_frame (f->ledger, r->checkout_id, text, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);

  path = canteen_ledger_get_frame (f->ledger, r->checkout_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path, ".jpg"));
  /* A frame swapped on disk is caught by its SHA-256. */
  g_assert_true (g_file_set_contents (path, (const char *) jpeg_b, sizeof jpeg_b, NULL));
  g_free (canteen_ledger_get_frame (f->ledger, r->checkout_id, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT);
  g_clear_error (&error);
  assert_verifies (f->ledger);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/ledger/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("schema", test_schema);
  ADD ("checkout-charges-once", test_checkout_charges_once);
  ADD ("checkout-id-reuse-conflict", test_checkout_id_reuse_conflict);
  ADD ("declines-change-nothing", test_declines_change_nothing);
  ADD ("credit-limit", test_credit_limit);
  ADD ("visitor-prices", test_visitor_prices);
  ADD ("meal-subsidy", test_meal_subsidy);
  ADD ("void-and-refund", test_void_and_refund);
  ADD ("topup", test_topup);
  ADD ("shift-z-report", test_shift_z_report);
  ADD ("tamper/balance", test_tamper_balance);
  ADD ("tamper/amount", test_tamper_amount);
  ADD ("tamper/deleted-entry", test_tamper_deleted_entry);
  ADD ("tamper/rehashed-entry", test_tamper_rehashed);
  ADD ("tamper/column", test_tamper_column);
  ADD ("tamper/checkout-row", test_tamper_checkout_row);
  ADD ("tamper/deleted-checkout", test_tamper_deleted_checkout);
  ADD ("append-only-triggers", test_append_only_triggers);
  ADD ("schema-too-new", test_schema_too_new);
  ADD ("disk-full-changes-nothing", test_disk_full_changes_nothing);
  ADD ("two-writers", test_two_writers);
  ADD ("managers", test_managers);
  ADD ("manager-cards", test_manager_cards);
  ADD ("exemplars", test_exemplars);
  ADD ("checkout-frames", test_checkout_frames);
  g_test_add_func ("/ledger/migrate-from-v1", test_migrate_from_v1);
  g_test_add_func ("/ledger/not-a-database", test_not_a_database);
  g_test_add_func ("/ledger/someone-elses-database", test_someone_elses_database);
  return g_test_run ();
}
