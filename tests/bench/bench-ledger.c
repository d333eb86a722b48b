/* bench-ledger — durable checkouts against a bare fsync'd SQLite insert.
 *
 * Both run on the same disk, in the same process, interleaved in blocks so
 * that whatever else the machine is doing weighs on both alike. The figure
 * that matters is the ratio: checkout latency over bare-commit latency
 * (target: p99 ≤ 2×). The baseline keeps SQLite's default checkpointing
 * inside its commits; the ledger checkpoints after the receipt, as the kiosk
 * does, timed apart and counted in its throughput. */
#include "bench.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dish.h"
#include "ledger.h"

#define BLOCKS 10

static void
bare_insert_block (sqlite3 *db, GArray *lat, int n, int *next_id)
{
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (db, "INSERT INTO t (id, card, amount, body) VALUES (?1, 'STAFF1', -1250, ?2)", -1, &stmt, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"seq\":%d,\"kind\":\"checkout\",\"amount_fen\":-1250}", *next_id);
      gint64 t0 = g_get_monotonic_time ();
      sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      sqlite3_bind_int (stmt, 1, (*next_id)++);
      sqlite3_bind_text (stmt, 2, body, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("bare insert: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      bench_record (lat, g_get_monotonic_time () - t0);
    }
  sqlite3_finalize (stmt);
}

/* As the kiosk does: the receipt goes to the screen, then the WAL is
 * checkpointed if it has grown, while the diner reads. Timed apart. */
static void
checkout_block (CanteenLedger *ledger, GArray *lat, GArray *checkpoints, int n, int *next_id)
{
  const CanteenOrderLine tray[] = { { "D01", 0 }, { "D02", 0 }, { "D03", 180 } };

  for (int i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench-%08d-0000-4000-8000-000000000000", (*next_id)++);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      CanteenReceipt *r = canteen_ledger_checkout (ledger, id, "STAFF1", tray, G_N_ELEMENTS (tray), now, &error);
      bench_record (lat, g_get_monotonic_time () - t0);
      if (r == NULL)
        g_error ("checkout: %s", error->message);
      canteen_receipt_free (r);
      {
        gboolean done = FALSE;
        gint64 c0 = g_get_monotonic_time ();
        if (!canteen_ledger_checkpoint (ledger, &done, &error))
          g_error ("checkpoint: %s", error->message);
        if (done)
          bench_record (checkpoints, g_get_monotonic_time () - c0);
      }
    }
}

/* A cold payment: a handle opened for it, as for the kiosk's first payment
 * after start (later ones reuse the payment desk's handle) or one
 * `canteenctl checkout`. Reported apart. */
static void
kiosk_payment_block (const char *path, GArray *lat, int n, int *next_id)
{
  const CanteenOrderLine tray[] = { { "D01", 0 }, { "D02", 0 } };

  for (int i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("kiosk-%08d-0000-4000-8000-000000000000", (*next_id)++);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      CanteenLedger *ledger = canteen_ledger_open (path, &error);
      CanteenReceipt *r = ledger ? canteen_ledger_checkout (ledger, id, "STAFF1", tray, G_N_ELEMENTS (tray), now, &error) : NULL;
      bench_record (lat, g_get_monotonic_time () - t0);
      if (r == NULL)
        g_error ("kiosk payment: %s", error->message);
      canteen_receipt_free (r);
      canteen_ledger_close (ledger);
    }
}

static CanteenDish *
dish (const char *id, const char *name, gint64 price, gint64 per_100g)
{
  CanteenDish *d = canteen_dish_new ();

  d->id = g_strdup (id);
  d->name = g_strdup (name);
  d->name_en = g_strdup ("");
  d->category = g_strdup ("热菜");
  d->price_fen = price;
  d->visitor_price_fen = price;
  d->portion_g = 200;
  d->price_per_100g_fen = per_100g;
  return d;
}

void
bench_ledger (const char *dir, int n)
{
  g_autofree char *ledger_path = g_build_filename (dir, "bench-ledger.db", NULL);
  g_autofree char *bare_path = g_build_filename (dir, "bench-bare.db", NULL);
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GArray) bare_lat = bench_latencies_new ();
  g_autoptr(GArray) checkout_lat = bench_latencies_new ();
  g_autoptr(GArray) checkpoint_lat = bench_latencies_new ();
  g_autoptr(GArray) kiosk_lat = bench_latencies_new ();
  int kiosk_id = 1;
  GError *error = NULL;
  sqlite3 *bare = NULL;
  gint64 bare_total = 0, checkout_total = 0;
  int bare_id = 1, checkout_id = 1;
  const char *exts[] = { "", "-wal", "-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (exts); i++)
    {
      g_autofree char *a = g_strconcat (ledger_path, exts[i], NULL);
      g_autofree char *b = g_strconcat (bare_path, exts[i], NULL);
      g_unlink (a);
      g_unlink (b);
    }

  ledger = canteen_ledger_open (ledger_path, &error);
  if (ledger == NULL ||
      !canteen_ledger_init (ledger, "ZJ001", "基准食堂", "T01", NULL, &error) ||
      !canteen_ledger_add_account (ledger, "STAFF1", "张伟", "ZJ001", 90000000, 0, &error))
    g_error ("%s", error->message);
  g_ptr_array_add (dishes, dish ("D01", "红烧肉", 1200, -1));
  g_ptr_array_add (dishes, dish ("D02", "米饭", 50, -1));
  g_ptr_array_add (dishes, dish ("D03", "称重凉菜", 0, 250));
  if (!canteen_ledger_import_dishes (ledger, dishes, NULL, &error))
    g_error ("%s", error->message);

  /* The baseline: one row per fsync'd transaction, WAL, synchronous=FULL. */
  sqlite3_open (bare_path, &bare);
  sqlite3_exec (bare, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                      "CREATE TABLE t (id INTEGER PRIMARY KEY, card TEXT, amount INTEGER, body TEXT)", NULL, NULL, NULL);

  /* Warm both (page cache, statement caches) before measuring. */
  {
    g_autoptr(GArray) warm = bench_latencies_new ();
    bare_insert_block (bare, warm, 50, &bare_id);
    checkout_block (ledger, warm, warm, 50, &checkout_id);
  }
  for (int b = 0; b < BLOCKS; b++)
    {
      gint64 t0 = g_get_monotonic_time ();
      bare_insert_block (bare, bare_lat, n / BLOCKS, &bare_id);
      bare_total += g_get_monotonic_time () - t0;
      t0 = g_get_monotonic_time ();
      checkout_block (ledger, checkout_lat, checkpoint_lat, n / BLOCKS, &checkout_id);
      checkout_total += g_get_monotonic_time () - t0;
    }
  sqlite3_close (bare);
  kiosk_payment_block (ledger_path, kiosk_lat, MAX (n / 10, 50), &kiosk_id);

  {
    double bare_p50 = bench_percentile (bare_lat, 50), bare_p99 = bench_percentile (bare_lat, 99);
    double co_p50 = bench_percentile (checkout_lat, 50), co_p99 = bench_percentile (checkout_lat, 99);
    double bare_rate = bare_lat->len / (bare_total / 1e6);
    double co_rate = checkout_lat->len / (checkout_total / 1e6);

    bench_section ("ledger: durable checkout vs bare fsync'd SQLite insert (same disk, interleaved)");
    bench_row ("bare insert", "%.0f commits/s   p50 %.0f µs   p99 %.0f µs   p99.9 %.0f µs   max %.0f µs",
               bare_rate, bare_p50, bare_p99, bench_percentile (bare_lat, 99.9), bench_percentile (bare_lat, 100));
    bench_row ("checkout (3 lines)", "%.0f checkouts/s   p50 %.0f µs   p99 %.0f µs   p99.9 %.0f µs   max %.0f µs",
               co_rate, co_p50, co_p99, bench_percentile (checkout_lat, 99.9), bench_percentile (checkout_lat, 100));
    bench_row ("WAL checkpoint", "%u runs after a receipt, off the payment path: p50 %.0f µs   max %.0f µs "
               "(included in checkouts/s)", checkpoint_lat->len, bench_percentile (checkpoint_lat, 50),
               bench_percentile (checkpoint_lat, 100));
    bench_row ("cold payment", "open + checkout (first after start): p50 %.0f µs   p99 %.0f µs "
               "(%.2fx / %.2fx the bare insert)", bench_percentile (kiosk_lat, 50), bench_percentile (kiosk_lat, 99),
               bench_percentile (kiosk_lat, 50) / bare_p50, bench_percentile (kiosk_lat, 99) / bare_p99);
    bench_row ("ratio checkout/bare", "p50 %.2fx   p99 %.2fx   throughput %.2fx   (target p99 <= 2x: %s)",
               co_p50 / bare_p50, co_p99 / bare_p99, co_rate / bare_rate,
               co_p99 / bare_p99 <= 2.0 ? "met" : "NOT met");
  }
}
