/* test-visitor.c — the terminal's side of cross-agency settlement, at the
 * ledger level (no network): visitor checkout (every way a card is refused,
 * the offline rules, exactly once, durable), outbox batches (chain, exact
 * bytes, kill between build and send) and issuer posting (exactly once).
 *
 * Two real ledgers in a temp dir: agency A (issuer of the card, back
 * office) and agency B (the canteen the official visits). Times are fixed
 * (never today's date): lunch on 2026-11-20 in Asia/Shanghai.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "canteen-error.h"
#include "clearing-proto.h"
#include "menu-file.h"
#include "outbox.h"
#include "visitor.h"

static const char MENU[] =
  "{\"dishes\":["
  "{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":1200,\"visitor_price_fen\":1500,"
  "\"portion_g\":250,\"periods\":[\"breakfast\",\"lunch\",\"dinner\"]},"
  "{\"id\":\"D02\",\"name\":\"米饭\",\"category\":\"主食\",\"price_fen\":100,\"visitor_price_fen\":200,"
  "\"portion_g\":150,\"periods\":[\"breakfast\",\"lunch\",\"dinner\"]}]}";

typedef struct {
  char *dir;
  char *path_a, *path_b;
  CanteenLedger *a, *b;
  GDateTime *now;             /* 2026-11-20 12:00 in Shanghai */
  char *card_file;            /* A0001, offline cap 5000 */
  CanteenCardCert cert;
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  GBytes *cert_bytes;
  int n;                      /* checkout ids */
  char chain_prev[65];        /* check_chain's place in the outbox chain */
  gint64 chain_batch, chain_seq;
} Fixture;

static GDateTime *
utc (const char *text)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (text, tz);
}

static CanteenLedger *
make_ledger (Fixture *f, const char *path, const char *agency, const char *name, const char *terminal)
{
  g_autoptr(GError) error = NULL;
  CanteenLedger *l = canteen_ledger_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (canteen_ledger_init (l, agency, name, terminal, "Asia/Shanghai", &error));
  g_assert_true (canteen_visitor_init_keys (l, name, &error));
  g_assert_no_error (error);
  return l;
}

static void
load_card (const char *path, CanteenCardCert *cert, guint8 sk[64], GBytes **bytes)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_card_file_read (path, cert, sk, &error));
  g_assert_no_error (error);
  *bytes = canteen_card_cert_to_bytes (cert);
}

static char *
issue (Fixture *f, CanteenLedger *l, const char *card, gint64 offline_cap, const char *not_after)
{
  g_autoptr(GError) error = NULL;
  char *path = g_strdup_printf ("%s/%s.card", f->dir, card);
  CanteenCardIssue is = { card, "张三", offline_cap, 20000, not_after };
  gboolean opened = FALSE;

  g_assert_true (canteen_visitor_issue_card (l, &is, path, f->now, &opened, &error));
  g_assert_no_error (error);
  return path;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dishes = NULL;
  g_autofree char *key = NULL;

  f->dir = g_dir_make_tmp ("test-visitor-XXXXXX", &error);
  g_assert_no_error (error);
  f->path_a = g_build_filename (f->dir, "a.db", NULL);
  f->path_b = g_build_filename (f->dir, "b.db", NULL);
  f->now = utc ("2026-11-20T04:00:00Z");
  f->a = make_ledger (f, f->path_a, "A", "甲机关", "TA1");
  f->b = make_ledger (f, f->path_b, "B", "乙机关", "TB1");
  dishes = canteen_menu_parse_json (MENU, sizeof MENU - 1, &error);
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_import_dishes (f->b, dishes, "2026-11-20", &error));
  /* B trusts A (as a sync would make it), and its deny list is an hour old. */
  key = g_build_filename (f->dir, "a.key", NULL);
  g_assert_true (canteen_visitor_export_issuer_key (f->a, key, &error));
  g_assert_true (canteen_visitor_trust_key_file (f->b, key, &error));
  {
    g_autoptr(GDateTime) hour_ago = g_date_time_add_hours (f->now, -1);
    g_assert_true (canteen_visitor_set_deny_fetched (f->b, hour_ago, &error));
  }
  g_assert_no_error (error);
  f->card_file = issue (f, f->a, "A0001", 5000, NULL);
  memset (f->chain_prev, '0', 64);
  f->chain_batch = f->chain_seq = 1;
  load_card (f->card_file, &f->cert, f->card_sk, &f->cert_bytes);
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  canteen_ledger_close (f->a);
  canteen_ledger_close (f->b);
  canteen_card_cert_clear (&f->cert);
  g_bytes_unref (f->cert_bytes);
  g_date_time_unref (f->now);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path_a);
  g_free (f->path_b);
  g_free (f->card_file);
}

static const CanteenOrderLine TRAY_1700[] = { { "D01", 0 }, { "D02", 0 } };   /* visitor prices 1500 + 200 */
static const CanteenOrderLine TRAY_4500[] = { { "D01", 0 }, { "D01", 0 }, { "D01", 0 } };

static CanteenVisitorCard
card_of (Fixture *f)
{
  CanteenVisitorCard card = { f->cert_bytes, "04A1B2C3", canteen_visitor_sign_with_key, f->card_sk };
  return card;
}

static char *
next_id (Fixture *f)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012d", ++f->n);
}

static CanteenVisitorReceipt *
pay (Fixture *f, const CanteenVisitorCard *card, const CanteenOrderLine *lines, guint n,
     const CanteenAuthorisation *auth, GError **error)
{
  g_autofree char *id = next_id (f);
  g_autoptr(CanteenVisitorSale) sale = canteen_visitor_prepare (f->b, id, card, lines, n, f->now, error);

  if (sale == NULL)
    return NULL;
  return canteen_visitor_commit (f->b, sale, auth, f->now, error);
}

static gint64
count (CanteenLedger *l)
{
  g_autoptr(GError) error = NULL;
  CanteenClearingState s;
  gint64 n;

  g_assert_true (canteen_visitor_get_state (l, &s, &error));
  n = s.records;
  canteen_clearing_state_clear (&s);
  return n;
}

static void
assert_verifies (CanteenLedger *l)
{
  g_autoptr(GError) error = NULL;
  CanteenVerifyReport report;

  g_assert_true (canteen_ledger_verify (l, &report, &error));
  g_assert_no_error (error);
  canteen_verify_report_clear (&report);
}

/* ---- accepting ------------------------------------------------------------- */

static void
test_offline_accepted (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorReceipt) r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_autoptr(CanteenLedger) again = NULL;
  g_autoptr(CanteenVisitorReceipt) stored = NULL;

  g_assert_no_error (error);
  /* Fatal even where assertions are made non-fatal: r is read below. */
  g_assert (r != NULL);
  /* Visitor prices, the issuer's name, offline, the first record. */
  g_assert_cmpint (r->receipt->charged_fen, ==, 1700);
  g_assert_cmpint (r->receipt->payer, ==, CANTEEN_PAYER_VISITOR);
  g_assert_cmpstr (r->issuer_name, ==, "甲机关");
  g_assert_cmpstr (r->receipt->agency, ==, "A");
  g_assert_false (r->online);
  g_assert_null (r->authorisation);
  g_assert_cmpint (r->record_seq, ==, 1);
  g_assert_false (r->receipt->replayed);
  /* On disk: another handle (another process would do the same) sees it. */
  again = canteen_ledger_open (f->path_b, &error);
  stored = canteen_visitor_get_checkout (again, r->receipt->checkout_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->receipt->charged_fen, ==, 1700);
  g_assert_cmpint (stored->receipt->lines->len, ==, 2);
  assert_verifies (f->b);
}

static void
test_online_approved (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  CanteenAuthorisation auth = { TRUE, TRUE, (char *) "auth-1", NULL, (char *) "甲机关 (service)", NULL };
  g_autoptr(CanteenVisitorReceipt) r = NULL;
  g_autoptr(GDateTime) old = g_date_time_add_hours (f->now, -48);

  /* Online, neither the offline cap nor the floor limit nor the list's age apply. */
  g_assert_true (canteen_visitor_set_deny_fetched (f->b, old, &error));
  r = pay (f, &card, TRAY_4500, 3, &auth, &error);
  g_assert_no_error (error);
  g_assert_true (r->online);
  g_assert_cmpstr (r->authorisation, ==, "auth-1");
  g_assert_cmpstr (r->issuer_name, ==, "甲机关 (service)");
  g_assert_cmpint (r->receipt->charged_fen, ==, 4500);
}

static void
test_online_declined (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  CanteenAuthorisation auth = { TRUE, FALSE, NULL, (char *) "daily_cap", (char *) "甲机关", NULL };
  g_autoptr(CanteenVisitorReceipt) r = pay (f, &card, TRAY_1700, 2, &auth, &error);

  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_DECLINED);
  g_assert_true (canteen_visitor_error_is_decline (error));
  g_assert_nonnull (strstr (error->message, "daily_cap"));
  g_assert_nonnull (strstr (error->message, "甲机关"));
  g_assert_cmpint (count (f->b), ==, 0);
}

/* ---- the offline rules ------------------------------------------------------- */

static void
test_offline_cap (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = issue (f, f->a, "A0002", 1000, NULL);
  CanteenCardCert cert = { 0 };
  guint8 sk[64];
  g_autoptr(GBytes) bytes = NULL;
  CanteenVisitorCard card;
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  load_card (path, &cert, sk, &bytes);
  card = (CanteenVisitorCard) { bytes, NULL, canteen_visitor_sign_with_key, sk };
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_OFFLINE_CAP);
  g_assert_nonnull (strstr (error->message, "offline cap"));
  g_clear_error (&error);
  /* Within the cap it passes. */
  {
    const CanteenOrderLine rice[] = { { "D02", 0 } };
    g_autoptr(CanteenVisitorReceipt) ok = pay (f, &card, rice, 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ok->receipt->charged_fen, ==, 200);
  }
  canteen_card_cert_clear (&cert);
}

static void
test_floor_limit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  /* 4500 is within the card's cap (5000) but over the default floor limit (3000). */
  r = pay (f, &card, TRAY_4500, 3, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_FLOOR_LIMIT);
  g_clear_error (&error);
  g_assert_true (canteen_visitor_set_floor_limit (f->b, 5000, &error));
  r = pay (f, &card, TRAY_4500, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->receipt->charged_fen, ==, 4500);
}

static void
test_deny_list_age (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(GDateTime) stale = g_date_time_add_hours (f->now, -24);
  g_autoptr(GDateTime) fresh = g_date_time_add_seconds (stale, 1);
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  g_assert_true (canteen_visitor_set_deny_fetched (f->b, stale, &error));
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_LIST_TOO_OLD);
  g_clear_error (&error);
  /* A second younger than 24 hours is fresh enough. */
  g_assert_true (canteen_visitor_set_deny_fetched (f->b, fresh, &error));
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
}

static void
test_deny_list_never_fetched (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "c.db", NULL);
  g_autofree char *key = g_build_filename (f->dir, "a.key", NULL);
  g_autoptr(CanteenLedger) c = make_ledger (f, path, "C", "丙机关", "TC1");
  g_autoptr(GPtrArray) dishes = canteen_menu_parse_json (MENU, sizeof MENU - 1, &error);
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorSale) sale = NULL;
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  g_assert_true (canteen_ledger_import_dishes (c, dishes, "2026-11-20", &error));
  g_assert_true (canteen_visitor_trust_key_file (c, key, &error));
  sale = canteen_visitor_prepare (c, "x-1", &card, TRAY_1700, 2, f->now, &error);
  g_assert_no_error (error);
  r = canteen_visitor_commit (c, sale, NULL, f->now, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_LIST_TOO_OLD);
}

/* ---- refusals, online or not ---------------------------------------------------- */

static void
test_denied_card (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorSale) sale = NULL;
  static const char deny[] = "{\"version\":7,\"entries\":[{\"agency\":\"A\",\"card\":\"A0001\",\"denied\":true}]}";
  g_autoptr(GBytes) body = g_bytes_new_static (deny, sizeof deny - 1);

  g_assert_true (canteen_visitor_apply_deny (f->b, body, f->now, &error));
  g_assert_no_error (error);
  /* Refused before the card signs or the service is asked. */
  sale = canteen_visitor_prepare (f->b, "d-1", &card, TRAY_1700, 2, f->now, &error);
  g_assert_null (sale);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_DENIED);
  g_assert_true (canteen_visitor_error_is_decline (error));
  g_clear_error (&error);
  /* Lifted by a later list. */
  {
    static const char lift[] = "{\"version\":8,\"entries\":[{\"agency\":\"A\",\"card\":\"A0001\",\"denied\":false}]}";
    g_autoptr(GBytes) body2 = g_bytes_new_static (lift, sizeof lift - 1);
    g_autoptr(CanteenVisitorReceipt) r = NULL;
    CanteenClearingState s;
    g_assert_true (canteen_visitor_apply_deny (f->b, body2, f->now, &error));
    r = pay (f, &card, TRAY_1700, 2, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (canteen_visitor_get_state (f->b, &s, &error));
    g_assert_cmpint (s.deny_version, ==, 8);
    canteen_clearing_state_clear (&s);
  }
}

static void
test_expired (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = issue (f, f->a, "A0003", 5000, "2026-11-19");
  CanteenCardCert cert = { 0 };
  guint8 sk[64];
  g_autoptr(GBytes) bytes = NULL;
  CanteenVisitorCard card;
  CanteenAuthorisation approve = { TRUE, TRUE, (char *) "auth-x", NULL, NULL, NULL };
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  load_card (path, &cert, sk, &bytes);
  card = (CanteenVisitorCard) { bytes, NULL, canteen_visitor_sign_with_key, sk };
  r = pay (f, &card, TRAY_1700, 2, &approve, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "2026-11-19"));
  canteen_card_cert_clear (&cert);
}

static gboolean
sign_with_other_key (const guint8 *message, gsize len, guint8 sig[64], gpointer data, GError **error)
{
  guint8 pk[32], sk[64];

  canteen_proto_keypair (pk, sk);
  canteen_proto_sign (sk, message, len, sig);
  return TRUE;
}

static void
test_forged_card_signature (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  /* The certificate copied from a real card, but not its secret key. */
  CanteenVisitorCard card = { f->cert_bytes, NULL, sign_with_other_key, NULL };
  CanteenAuthorisation approve = { TRUE, TRUE, (char *) "auth-x", NULL, NULL, NULL };
  g_autoptr(CanteenVisitorReceipt) r = pay (f, &card, TRAY_1700, 2, &approve, &error);

  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_SIGNATURE);
  g_assert_cmpint (count (f->b), ==, 0);
}

static void
test_unknown_issuer (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path_c = g_build_filename (f->dir, "c.db", NULL);
  g_autoptr(CanteenLedger) c = make_ledger (f, path_c, "C", "丙机关", "TC1");
  g_autofree char *file = issue (f, c, "C0001", 5000, NULL);
  CanteenCardCert cert = { 0 };
  guint8 sk[64], issuer_sk[64];
  g_autoptr(GBytes) bytes = NULL;
  CanteenVisitorCard card;
  g_autoptr(CanteenVisitorReceipt) r = NULL;

  /* C is not on B's trust list. */
  load_card (file, &cert, sk, &bytes);
  card = (CanteenVisitorCard) { bytes, NULL, canteen_visitor_sign_with_key, sk };
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER);
  g_clear_error (&error);

  /* C signs a certificate claiming to be A's: A's key does not verify it. */
  g_assert_true (canteen_visitor_issuer_key (c, issuer_sk, &error));
  g_free (cert.agency);
  cert.agency = g_strdup ("A");
  canteen_card_cert_sign (&cert, issuer_sk);
  g_bytes_unref (bytes);
  bytes = canteen_card_cert_to_bytes (&cert);
  card.cert = bytes;
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE);
  canteen_card_cert_clear (&cert);
}

static void
test_uid_only (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = { NULL, "04A1B2C3", NULL, NULL };
  g_autoptr(CanteenVisitorSale) sale = canteen_visitor_prepare (f->b, "u-1", &card, TRAY_1700, 2, f->now, &error);

  g_assert_null (sale);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_UID_ONLY);
  g_assert_nonnull (strstr (error->message, "04A1B2C3"));
}

/* ---- exactly once, all or nothing ----------------------------------------------------- */

static void
test_idempotent (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorReceipt) first = canteen_visitor_checkout (f->b, "same-id", &card, TRAY_1700, 2, NULL, NULL,
                                                                   f->now, &error);
  g_autoptr(CanteenVisitorReceipt) second = NULL;
  g_autoptr(CanteenVisitorReceipt) other = NULL;

  g_assert_no_error (error);
  second = canteen_visitor_checkout (f->b, "same-id", &card, TRAY_1700, 2, NULL, NULL, f->now, &error);
  g_assert_no_error (error);
  g_assert_true (second->receipt->replayed);
  g_assert_cmpint (second->record_seq, ==, first->record_seq);
  g_assert_cmpint (second->receipt->journal_seq, ==, first->receipt->journal_seq);
  g_assert_cmpint (count (f->b), ==, 1);
  /* The same id for another tray is a conflict, not a second sale. */
  other = canteen_visitor_checkout (f->b, "same-id", &card, TRAY_4500, 3, NULL, NULL, f->now, &error);
  g_assert_null (other);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_assert_cmpint (count (f->b), ==, 1);
}

static void
test_nothing_written_on_failure (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorSale) s1 = canteen_visitor_prepare (f->b, "r-1", &card, TRAY_1700, 2, f->now, &error);
  g_autoptr(CanteenVisitorSale) s2 = canteen_visitor_prepare (f->b, "r-2", &card, TRAY_1700, 2, f->now, &error);
  g_autoptr(CanteenVisitorReceipt) r2 = NULL, r1 = NULL;
  CanteenVerifyReport before, after;

  g_assert_no_error (error);
  /* Both signed record 1; the second to commit must not renumber a signed record. */
  r2 = canteen_visitor_commit (f->b, s2, NULL, f->now, &error);
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_verify (f->b, &before, &error));
  r1 = canteen_visitor_commit (f->b, s1, NULL, f->now, &error);
  g_assert_null (r1);
  g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_RETRY);
  g_clear_error (&error);
  g_assert_true (canteen_ledger_verify (f->b, &after, &error));
  g_assert_cmpint (after.entries, ==, before.entries);
  g_assert_cmpstr (after.head_hash, ==, before.head_hash);
  g_assert_cmpint (count (f->b), ==, 1);
  canteen_verify_report_clear (&before);
  canteen_verify_report_clear (&after);
}

/* ---- outbox -------------------------------------------------------------------------- */

static void
sell (Fixture *f, int n)
{
  CanteenVisitorCard card = card_of (f);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CanteenVisitorReceipt) r = pay (f, &card, TRAY_1700, 2, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Checks the unsent part of the chain, continuing where the last call
 * stopped: hashes, prev_hash links, consecutive records, every card
 * signature; acknowledges each batch; returns the number of records. */
static gint64
check_chain (Fixture *f, CanteenLedger *l)
{
  g_autoptr(GError) error = NULL;
  gint64 first_seq = f->chain_seq;
  guint8 issuer_pk[32];
  g_autofree char *key = g_build_filename (f->dir, "a.key", NULL);
  g_autofree char *agency = NULL, *name = NULL;

  g_assert_true (canteen_issuer_key_file_read (key, &agency, &name, issuer_pk, &error));
  for (;;)
    {
      g_autoptr(CanteenOutboxBatch) b = canteen_outbox_next_unsent (l, &error);
      g_autoptr(CanteenBatch) parsed = NULL;
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      char hash[65];

      g_assert_no_error (error);
      if (b == NULL)
        break;
      g_assert_cmpint (b->batch, ==, f->chain_batch);
      canteen_proto_sha256_hex (g_bytes_get_data (b->body, NULL), g_bytes_get_size (b->body), hash);
      g_assert_cmpstr (hash, ==, b->hash);
      parsed = canteen_batch_from_bytes (g_bytes_get_data (b->body, NULL), g_bytes_get_size (b->body), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (parsed->prev_hash, ==, f->chain_prev);
      g_assert_cmpstr (parsed->terminal, ==, "TB1");
      for (guint i = 0; i < parsed->records->len; i++)
        {
          CanteenRecord *r = g_ptr_array_index (parsed->records, i);
          g_assert_cmpint (r->seq, ==, f->chain_seq++);
          if (r->kind == CANTEEN_RECORD_REVERSAL)
            continue;
          g_assert_true (canteen_record_verify_card (r, &error));
          g_assert_true (canteen_card_cert_verify (&r->cert, issuer_pk, &error));
          g_assert_no_error (error);
        }
      g_assert_cmpint (parsed->records->len, <=, CANTEEN_OUTBOX_MAX_RECORDS);
      /* Sent: acknowledge it the way a sync does after the receipt verified. */
      {
        g_autoptr(GBytes) receipt = g_bytes_new_static ("{}", 2);
        g_assert_true (canteen_outbox_mark_sent (l, b->batch, receipt, "sig", "1", now, &error));
      }
      g_strlcpy (f->chain_prev, hash, sizeof f->chain_prev);
      f->chain_batch++;
    }
  return f->chain_seq - first_seq;
}

static void
test_outbox_batches (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenClearingState s;

  sell (f, 5);
  /* Batches of at most 2 records here (500 in use): 2 + 2 + 1. */
  g_assert_cmpint (canteen_outbox_build (f->b, 2, f->now, &error), ==, 3);
  g_assert_cmpint (canteen_outbox_build (f->b, 2, f->now, &error), ==, 0);
  g_assert_true (canteen_visitor_get_state (f->b, &s, &error));
  g_assert_cmpint (s.pending, ==, 5);
  g_assert_cmpint (s.batches_unsent, ==, 3);
  g_assert_cmpint (s.unbatched, ==, 0);
  canteen_clearing_state_clear (&s);
  g_assert_cmpint (check_chain (f, f->b), ==, 5);
  /* Later sales continue the chain from the last batch. */
  sell (f, 3);
  g_assert_cmpint (canteen_outbox_build (f->b, 0, f->now, &error), ==, 1);
  g_assert_cmpint (check_chain (f, f->b), ==, 3);   /* the unsent part: records 6..8 */
  g_assert_true (canteen_visitor_get_state (f->b, &s, &error));
  g_assert_cmpint (s.pending, ==, 0);
  g_assert_cmpint (s.records, ==, 8);
  canteen_clearing_state_clear (&s);
  assert_verifies (f->b);
}

static void
test_outbox_killed_between_build_and_send (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenOutboxBatch) first = NULL, again = NULL;
  pid_t pid;
  int status = 0;

  sell (f, 4);
  /* A process builds the batches and is killed before it sends anything. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      CanteenLedger *l = canteen_ledger_open (f->path_b, NULL);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      if (l == NULL || canteen_outbox_build (l, 3, now, NULL) != 2)
        _exit (3);
      kill (getpid (), SIGKILL);
      _exit (4);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* After the "restart": the same batches, byte for byte, none built again. */
  {
    g_autoptr(CanteenLedger) l = canteen_ledger_open (f->path_b, &error);
    g_assert_no_error (error);
    first = canteen_outbox_next_unsent (l, &error);
    g_assert_cmpint (canteen_outbox_build (l, 3, f->now, &error), ==, 0);
    again = canteen_outbox_next_unsent (l, &error);
    g_assert_nonnull (first);
    g_assert_cmpint (first->batch, ==, 1);
    g_assert_true (g_bytes_equal (first->body, again->body));
    sell (f, 1);
    g_assert_cmpint (canteen_outbox_build (l, 3, f->now, &error), ==, 1);
    g_assert_cmpint (check_chain (f, l), ==, 5);
  }
}

static void
test_backoff (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenClearingState s;
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();

  /* Doubling from the base, capped, never under half the delay. */
  g_assert_cmpint (canteen_outbox_backoff_ms (0, 0), ==, 0);
  g_assert_cmpint (canteen_outbox_backoff_ms (1, 0), ==, CANTEEN_OUTBOX_BACKOFF_BASE_MS / 2);
  g_assert_cmpint (canteen_outbox_backoff_ms (1, G_MAXUINT32), ==, CANTEEN_OUTBOX_BACKOFF_BASE_MS);
  g_assert_cmpint (canteen_outbox_backoff_ms (3, G_MAXUINT32), ==, 4 * CANTEEN_OUTBOX_BACKOFF_BASE_MS);
  g_assert_cmpint (canteen_outbox_backoff_ms (40, G_MAXUINT32), ==, CANTEEN_OUTBOX_BACKOFF_MAX_MS);
  g_assert_cmpint (canteen_outbox_backoff_ms (40, 0), ==, CANTEEN_OUTBOX_BACKOFF_MAX_MS / 2);

  /* Failures are counted and persisted; a success resets them. */
  g_assert_true (canteen_outbox_note_attempt (f->b, FALSE, "no answer", f->now, &error));
  g_assert_true (canteen_outbox_note_attempt (f->b, FALSE, "no answer", f->now, &error));
  {
    g_autoptr(CanteenLedger) l = canteen_ledger_open (f->path_b, &error);
    g_autoptr(GDateTime) next = NULL;
    g_assert_true (canteen_visitor_get_state (l, &s, &error));
    g_assert_cmpint (s.failures, ==, 2);
    g_assert_cmpstr (s.last_error, ==, "no answer");
    next = g_date_time_new_from_iso8601 (s.next_attempt, tz);
    g_assert_cmpint (g_date_time_difference (next, f->now), >=, CANTEEN_OUTBOX_BACKOFF_BASE_MS * 1000);
    g_assert_cmpint (g_date_time_difference (next, f->now), <=, 2 * CANTEEN_OUTBOX_BACKOFF_BASE_MS * 1000);
    canteen_clearing_state_clear (&s);
  }
  g_assert_true (canteen_outbox_note_attempt (f->b, TRUE, NULL, f->now, &error));
  g_assert_true (canteen_visitor_get_state (f->b, &s, &error));
  g_assert_cmpint (s.failures, ==, 0);
  g_assert_null (s.next_attempt);
  g_assert_nonnull (s.last_success);
  canteen_clearing_state_clear (&s);
}

/* ---- reversal ------------------------------------------------------------------------------ */

static void
test_reversal (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorReceipt) sale = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_autoptr(CanteenVisitorReceipt) other = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_autoptr(GDateTime) later = g_date_time_add_days (f->now, 31);
  CanteenVisitorReversal r;

  g_assert_no_error (error);
  /* More than was paid, or too late: refused, nothing written. */
  g_assert_false (canteen_visitor_reverse (f->b, sale->receipt->checkout_id, "rev-1", 1701, "cold", "manager:M1 王",
                                           f->now, &r, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE);
  g_clear_error (&error);
  g_assert_false (canteen_visitor_reverse (f->b, other->receipt->checkout_id, "rev-9", 0, "cold", "manager:M1 王",
                                           later, &r, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE);
  g_clear_error (&error);
  g_assert_cmpint (count (f->b), ==, 2);

  /* A part given back: the next record, negative, naming the sale. */
  g_assert_true (canteen_visitor_reverse (f->b, sale->receipt->checkout_id, "rev-1", 500, "cold", "manager:M1 王",
                                          f->now, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.record_seq, ==, 3);
  g_assert_cmpint (r.reverses_seq, ==, sale->record_seq);
  g_assert_cmpint (r.amount_fen, ==, 500);
  g_assert_false (r.replayed);
  canteen_visitor_reversal_clear (&r);
  /* Asked again: the same reversal, nothing new; another one: refused. */
  g_assert_true (canteen_visitor_reverse (f->b, sale->receipt->checkout_id, "rev-1", 500, "cold", "manager:M1 王",
                                          f->now, &r, &error));
  g_assert_true (r.replayed);
  g_assert_cmpint (r.record_seq, ==, 3);
  canteen_visitor_reversal_clear (&r);
  g_assert_false (canteen_visitor_reverse (f->b, sale->receipt->checkout_id, "rev-2", 100, "again", "manager:M1 王",
                                           f->now, &r, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE);
  g_clear_error (&error);
  g_assert_false (canteen_visitor_reverse (f->b, other->receipt->checkout_id, "rev-1", 500, "x", "manager:M1 王",
                                           f->now, &r, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);

  /* It travels in the outbox as API.md's reversal record (proto checks it). */
  g_assert_cmpint (canteen_outbox_build (f->b, 0, f->now, &error), ==, 1);
  g_assert_cmpint (check_chain (f, f->b), ==, 3);
  assert_verifies (f->b);
}

/* ---- issuer posting ----------------------------------------------------------------------- */

static gboolean
post (Fixture *f, const char *json, CanteenPostingReport *report, GError **error)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return canteen_visitor_post_statement (f->a, body, f->now, report, error);
}

static void
test_issuer_posting_once (Fixture *f, gconstpointer data)
{
  static const char statement[] =
    "{\"window\":4,\"agency\":\"A\",\"closed\":\"2026-11-20T16:00:00Z\",\"net_fen\":-5700,"
    "\"receivable\":[],\"payable\":[{\"to\":\"B\",\"fen\":5700}],\"records\":["
    "{\"terminal\":\"TB1\",\"seq\":1,\"kind\":\"sale\",\"role\":\"issuer\",\"card\":\"A0001\",\"amount_fen\":1700,\"time\":\"2026-11-20T04:00:00Z\"},"
    "{\"terminal\":\"TB1\",\"seq\":2,\"kind\":\"sale\",\"role\":\"issuer\",\"card\":\"A0001\",\"amount_fen\":4500,\"time\":\"2026-11-20T04:01:00Z\"},"
    "{\"terminal\":\"TB1\",\"seq\":3,\"kind\":\"reversal\",\"role\":\"issuer\",\"card\":\"A0001\",\"amount_fen\":-500,\"time\":\"2026-11-20T04:02:00Z\"},"
    "{\"terminal\":\"TA1\",\"seq\":9,\"kind\":\"sale\",\"role\":\"acquirer\",\"card\":\"B0001\",\"amount_fen\":900,\"time\":\"2026-11-20T04:03:00Z\"}]}";
  g_autoptr(GError) error = NULL;
  CanteenPostingReport report;
  CanteenAccount account;

  /* The account is empty: nothing is half-posted, all is held. */
  g_assert_true (post (f, statement, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report.posted, ==, 1);     /* the reversal credits even an empty account */
  g_assert_cmpint (report.held, ==, 2);
  canteen_posting_report_clear (&report);

  g_assert_true (canteen_ledger_topup (f->a, "A0001", 10000, "t-1", &account, &error));
  canteen_account_clear (&account);
  g_assert_true (post (f, statement, &report, &error));
  g_assert_cmpint (report.posted, ==, 2);
  g_assert_cmpint (report.already, ==, 1);
  g_assert_cmpint (report.held, ==, 0);
  canteen_posting_report_clear (&report);
  g_assert_true (canteen_ledger_get_account (f->a, "A0001", &account, &error));
  g_assert_cmpint (account.balance_fen, ==, 500 + 10000 - 1700 - 4500);
  canteen_account_clear (&account);

  /* Again: nothing new. */
  g_assert_true (post (f, statement, &report, &error));
  g_assert_cmpint (report.posted, ==, 0);
  g_assert_cmpint (report.already, ==, 3);
  canteen_posting_report_clear (&report);
  g_assert_true (canteen_ledger_get_account (f->a, "A0001", &account, &error));
  g_assert_cmpint (account.balance_fen, ==, 4300);
  canteen_account_clear (&account);
  assert_verifies (f->a);

  /* Someone else's statement is refused whole. */
  {
    g_autofree char *other = g_strdup (statement);
    memcpy (strstr (other, "\"agency\":\"A\"") + 10, "B", 1);
    g_assert_false (post (f, other, &report, &error));
    g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT);
    canteen_posting_report_clear (&report);
  }
}

/* ---- keys and cards ------------------------------------------------------------------------- */

static void
test_keys_and_card_issue (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = canteen_visitor_keys_dir (f->a);
  g_autofree char *issuer = g_build_filename (keys, "issuer.key", NULL);
  g_autofree char *again_path = g_build_filename (f->dir, "again.card", NULL);
  GStatBuf st;
  guint8 sk[64], pk[32];
  g_autofree char *agency = NULL, *name = NULL;
  g_autofree char *key = g_build_filename (f->dir, "a.key", NULL);
  CanteenCardIssue is = { "A0001", "李四", 5000, 20000, NULL };
  gboolean opened = TRUE;
  CanteenAccount account;

  /* Secret keys: owner-only files; init again keeps them. */
  g_assert_cmpint (g_stat (issuer, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (canteen_visitor_issuer_key (f->a, sk, &error));
  g_assert_true (canteen_visitor_init_keys (f->a, NULL, &error));
  g_assert_no_error (error);
  /* The exported key is the public half of the issuer key, and signs the card. */
  g_assert_true (canteen_issuer_key_file_read (key, &agency, &name, pk, &error));
  g_assert_cmpstr (agency, ==, "A");
  g_assert_cmpstr (name, ==, "甲机关");
  g_assert_true (canteen_card_cert_verify (&f->cert, pk, &error));
  g_assert_cmpint (f->cert.offline_cap_fen, ==, 5000);
  g_assert_cmpstr (f->cert.not_after, ==, "2028-11-20");
  /* The card opened the official's account; issuing it again is refused. */
  g_assert_true (canteen_ledger_get_account (f->a, "A0001", &account, &error));
  g_assert_cmpstr (account.holder, ==, "张三");
  canteen_account_clear (&account);
  g_assert_false (canteen_visitor_issue_card (f->a, &is, again_path, f->now, &opened, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_EXISTS);
  g_assert_false (g_file_test (again_path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  /* An existing account is linked, not opened. */
  g_assert_true (canteen_ledger_add_account (f->a, "A0009", "王五", "A", 3000, 0, &error));
  is.card = "a0009";
  g_assert_true (canteen_visitor_issue_card (f->a, &is, again_path, f->now, &opened, &error));
  g_assert_false (opened);
  g_assert_true (canteen_ledger_get_account (f->a, "A0009", &account, &error));
  g_assert_cmpint (account.balance_fen, ==, 3000);
  canteen_account_clear (&account);
}

/* A malformed list from the service is refused whole and changes nothing:
 * the versions stay, and a card it would deny still pays. */
static void
test_bad_lists_change_nothing (Fixture *f, gconstpointer data)
{
  static const char *const bad_deny[] = {
    "not json",
    "{\"entries\":[]}",
    "{\"version\":9,\"entries\":{}}",
    "{\"version\":9,\"entries\":[],\"extra\":1}",
    "{\"version\":\"9\",\"entries\":[]}",
    "{\"version\":9,\"entries\":[{\"agency\":\"A\",\"card\":\"A0001\",\"denied\":\"yes\"}]}",
    "{\"version\":9,\"entries\":[{\"agency\":\"A\",\"card\":\"A0001\",\"denied\":true},7]}",
  };
  static const char *const bad_trust[] = {
    "[]",
    "{\"version\":9,\"agencies\":null}",
    "{\"version\":-1,\"agencies\":[]}",
    "{\"version\":9,\"agencies\":[{\"code\":\"Z\",\"name\":\"Z\",\"issuer_key\":\"short\",\"active\":true}]}",
  };
  CanteenVisitorCard card = card_of (f);
  g_autoptr(CanteenVisitorReceipt) r = NULL;
  g_autoptr(GError) error = NULL;
  CanteenClearingState before, after;

  g_assert_true (canteen_visitor_get_state (f->b, &before, &error));
  for (guint i = 0; i < G_N_ELEMENTS (bad_deny); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bad_deny[i], strlen (bad_deny[i]));
      g_assert_false (canteen_visitor_apply_deny (f->b, body, f->now, &error));
      g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT);
      g_assert_nonnull (strstr (error->message, "deny list"));
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_trust); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bad_trust[i], strlen (bad_trust[i]));
      g_assert_false (canteen_visitor_apply_trust (f->b, body, &error));
      g_assert_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_BAD_DOCUMENT);
      g_assert_nonnull (strstr (error->message, "trust list"));
      g_clear_error (&error);
    }
  g_assert_true (canteen_visitor_get_state (f->b, &after, &error));
  g_assert_cmpint (after.deny_version, ==, before.deny_version);
  g_assert_cmpint (after.trust_version, ==, before.trust_version);
  g_assert_cmpstr (after.deny_fetched, ==, before.deny_fetched);
  canteen_clearing_state_clear (&before);
  canteen_clearing_state_clear (&after);
  r = pay (f, &card, TRAY_1700, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add ("/visitor/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("keys-and-card-issue", test_keys_and_card_issue);
  ADD ("offline-accepted", test_offline_accepted);
  ADD ("online-approved", test_online_approved);
  ADD ("online-declined", test_online_declined);
  ADD ("offline-cap", test_offline_cap);
  ADD ("floor-limit", test_floor_limit);
  ADD ("deny-list-age", test_deny_list_age);
  ADD ("deny-list-never-fetched", test_deny_list_never_fetched);
  ADD ("denied-card", test_denied_card);
  ADD ("bad-lists-change-nothing", test_bad_lists_change_nothing);
  ADD ("expired", test_expired);
  ADD ("forged-card-signature", test_forged_card_signature);
  ADD ("unknown-issuer", test_unknown_issuer);
  ADD ("uid-only", test_uid_only);
  ADD ("idempotent-checkout-id", test_idempotent);
  ADD ("nothing-written-on-failure", test_nothing_written_on_failure);
  ADD ("outbox-batches", test_outbox_batches);
  ADD ("outbox-killed-between-build-and-send", test_outbox_killed_between_build_and_send);
  ADD ("backoff", test_backoff);
  ADD ("reversal", test_reversal);
  ADD ("issuer-posting-once", test_issuer_posting_once);
  return g_test_run ();
}
