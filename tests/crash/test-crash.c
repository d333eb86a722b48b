/* Killing the terminal at any moment loses nothing and charges nothing
 * twice. In each round (until 24 kills have hit a running batch) a child
 * process starts selling a batch of
 * 1,000 trays, is SIGKILLed at a random moment, and is restarted from the
 * last tray it reported until the batch is done.
 * After every kill: the journal verifies, every checkout the child reported
 * is stored exactly once, and the card's balance is exactly what the stored
 * checkouts and voids imply. */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

#define TRAYS 1000
#define KILLS 24
#define START_BALANCE 50000000

typedef struct {
  GHashTable *committed;   /* id → charged (reported) */
  GHashTable *voided;      /* id → credited (reported) */
  char       *batch;       /* id prefix of the current batch */
  long        next;        /* first tray of the batch not yet reported */
} Reported;

static long
tray_number (const char *id)
{
  return strtol (strrchr (id, '-') + 1, NULL, 10);
}

static void
parse_lines (Reported *rep, GString *buf)
{
  char *line_end;

  while ((line_end = strchr (buf->str, '\n')) != NULL)
    {
      g_auto(GStrv) words = NULL;
      *line_end = '\0';
      words = g_strsplit (buf->str, " ", 3);
      if (g_strv_length (words) == 3)
        {
          gint64 amount = g_ascii_strtoll (words[2], NULL, 10);
          if (g_str_equal (words[0], "committed"))
            {
              long i = tray_number (words[1]);
              gpointer old;
              /* A replayed checkout reports the same charge as the original. */
              if (g_hash_table_lookup_extended (rep->committed, words[1], NULL, &old))
                g_assert_cmpint (GPOINTER_TO_SIZE (old), ==, (gsize) amount);
              g_hash_table_insert (rep->committed, g_strdup (words[1]), GSIZE_TO_POINTER ((gsize) amount));
              /* A tray that is voided reports twice; resume after its void. */
              if (i % 7 != 0)
                rep->next = MAX (rep->next, i + 1);
            }
          else if (g_str_equal (words[0], "voided"))
            {
              long i = tray_number (words[1]);
              g_hash_table_insert (rep->voided, g_strdup (words[1]), GSIZE_TO_POINTER ((gsize) amount));
              rep->next = MAX (rep->next, i + 1);
            }
        }
      g_string_erase (buf, 0, line_end - buf->str + 1);
    }
}

/* Runs the child from rep->next; kills it after `kill_after_us` (0: never).
 * Returns TRUE when the kill landed while it was still working. */
static gboolean
run_child (const char *db, Reported *rep, gint64 kill_after_us)
{
  g_autofree char *first = g_strdup_printf ("%ld", rep->next);
  g_autofree char *last = g_strdup_printf ("%d", TRAYS);
  const char *argv[] = { g_getenv ("CRASH_CHILD"), db, rep->batch, first, last, NULL };
  g_autoptr(GString) buf = g_string_new (NULL);
  GError *error = NULL;
  GPid pid;
  int out_fd, status = 0;
  gboolean killed = FALSE;
  gint64 deadline = g_get_monotonic_time () + kill_after_us;
  char chunk[4096];

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  fcntl (out_fd, F_SETFL, O_NONBLOCK);
  for (;;)
    {
      ssize_t n = read (out_fd, chunk, sizeof chunk);
      if (n > 0)
        {
          g_string_append_len (buf, chunk, n);
          continue;
        }
      if (n == 0)
        break;                       /* the child finished on its own */
      if (kill_after_us > 0 && !killed && g_get_monotonic_time () >= deadline)
        {
          kill (pid, SIGKILL);
          killed = TRUE;
        }
      g_usleep (200);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  close (out_fd);
  if (!killed || !WIFSIGNALED (status))
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  /* A partial last line (killed mid-printf) is simply not a report. */
  parse_lines (rep, buf);
  return killed && WIFSIGNALED (status);
}

static gint64
count (sqlite3 *db, const char *sql, const char *id)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (id)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
check_after_restart (const char *path, Reported *rep)
{
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenVerifyReport report;
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3 *db = NULL;
  gint64 charged, credited;

  /* Opening after a kill is also what recovers the WAL. */
  ledger = canteen_ledger_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (canteen_ledger_verify (ledger, &report, &error));
  g_assert_no_error (error);
  canteen_verify_report_clear (&report);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* No sale and no void is in the journal twice (one pass over all of it). */
  g_assert_cmpint (count (db, "SELECT count (*) FROM (SELECT ref FROM journal WHERE kind IN ('checkout', 'void') "
                              "GROUP BY kind, ref HAVING count (*) > 1)", NULL), ==, 0);
  /* Every reported sale of this batch is stored, with the charge reported. */
  {
    g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *pattern = g_strdup_printf ("%s-%%", rep->batch);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT c.id, c.charged_fen, EXISTS (SELECT 1 FROM voids v WHERE v.checkout_id = c.id) "
                                             "FROM checkouts c WHERE c.id LIKE ?1", -1, &stmt, NULL), ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_hash_table_insert (stored, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           GSIZE_TO_POINTER ((gsize) (sqlite3_column_int64 (stmt, 1) * 2 + sqlite3_column_int (stmt, 2))));
    sqlite3_finalize (stmt);
    g_hash_table_iter_init (&iter, rep->committed);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        gpointer found;
        if (!g_str_has_prefix (key, rep->batch))
          continue;
        if (!g_hash_table_lookup_extended (stored, key, NULL, &found))
          g_error ("%s was reported committed but is not in the ledger", (char *) key);
        g_assert_cmpint ((gint64) GPOINTER_TO_SIZE (found) / 2, ==, (gint64) GPOINTER_TO_SIZE (value));
        if (g_hash_table_contains (rep->voided, key))
          g_assert_true (GPOINTER_TO_SIZE (found) % 2 == 1);
      }
  }
  /* The balance is what the stored sales and voids say: nothing lost, nothing twice. */
  charged = count (db, "SELECT COALESCE (SUM (charged_fen), 0) FROM checkouts WHERE card = 'CRASH'", NULL);
  credited = count (db, "SELECT COALESCE (SUM (v.credited_fen), 0) FROM voids v JOIN checkouts c ON c.id = v.checkout_id "
                        "WHERE c.card = 'CRASH'", NULL);
  g_assert_cmpint (test_balance (ledger, "CRASH"), ==, START_BALANCE - charged + credited);
  sqlite3_close (db);
}

static void
test_kill_anywhere (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = NULL;
  g_autofree char *cmd = NULL;
  Reported rep = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    NULL,
    1
  };
  GRand *rand = g_rand_new_with_seed ((guint32) g_test_rand_int ());
  int kills_mid_work = 0, rounds;
  gint64 batch_us;

  {
    g_autoptr(CanteenLedger) ledger = test_ledger_new (dir, &path);
    GError *error = NULL;
    g_assert_true (canteen_ledger_add_account (ledger, "CRASH", "崩溃测试", TEST_AGENCY, START_BALANCE, 0, &error));
  }

  /* Calibrate: how long does an uninterrupted batch take on this machine? */
  {
    gint64 t0 = g_get_monotonic_time ();
    rep.batch = g_strdup ("calibrate");
    run_child (path, &rep, 0);
    batch_us = g_get_monotonic_time () - t0;
    check_after_restart (path, &rep);
    g_assert_cmpuint (g_hash_table_size (rep.committed), ==, TRAYS);
  }

  /* Until 24 kills have landed mid-batch (a kill after a fast batch has
   * finished does not count), within a bound. */
  for (rounds = 0; kills_mid_work < KILLS && rounds < 3 * KILLS; rounds++)
    {
      int round = rounds;
      /* Anywhere from before the ledger is open to late in the batch. */
      gint64 after_us = g_rand_int_range (rand, 500, (gint32) MAX (batch_us * 80 / 100, 1000));
      g_free (rep.batch);
      rep.batch = g_strdup_printf ("r%02d", round);
      rep.next = 1;
      if (run_child (path, &rep, after_us))
        kills_mid_work++;
      else
        batch_us = batch_us * 2 / 3;   /* the batch finished first: aim earlier */
      check_after_restart (path, &rep);
      g_test_message ("round %d: killed after %" G_GINT64_FORMAT " µs at tray %ld",
                      round, after_us, rep.next);
      /* Restart from the last reported tray and finish the batch: the
       * replayed tray (if any) must not be charged again. */
      run_child (path, &rep, 0);
      g_assert_cmpint (rep.next, ==, TRAYS + 1);
      {
        sqlite3 *db = NULL;
        g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM checkouts WHERE id LIKE '%s-%%'", rep.batch);
        g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
        g_assert_cmpint (count (db, sql, NULL), ==, TRAYS);
        sqlite3_close (db);
      }
    }
  g_assert_cmpint (kills_mid_work, >=, 20);
  check_after_restart (path, &rep);
  g_test_message ("%d kills mid-batch in %d rounds", kills_mid_work, rounds);

  /* Every batch complete: 1,000 sales each, each once. */
  g_assert_cmpuint (g_hash_table_size (rep.committed), ==, (rounds + 1) * TRAYS);
  {
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (count (db, "SELECT count (*) FROM checkouts WHERE card = 'CRASH'", NULL), ==, (rounds + 1) * TRAYS);
    g_assert_cmpint (count (db, "SELECT count (*) FROM voids", NULL), ==, (rounds + 1) * (TRAYS / 7));
    sqlite3_close (db);
  }

  g_rand_free (rand);
  g_hash_table_unref (rep.committed);
  g_hash_table_unref (rep.voided);
  g_free (rep.batch);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("CRASH_CHILD"));
  g_test_add_func ("/crash/kill-anywhere", test_kill_anywhere);
  return g_test_run ();
}
