#include "test-util.h"

#include <stdlib.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dish.h"

char *
test_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("canteen-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_rmdir (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_cmpint (system (cmd), ==, 0);
}

static CanteenDish *
make_dish (const char *id, const char *name, const char *category, gint64 price, gint64 visitor,
           gint portion, gint64 per_100g)
{
  CanteenDish *d = canteen_dish_new ();

  d->id = g_strdup (id);
  d->name = g_strdup (name);
  d->name_en = g_strdup ("");
  d->category = g_strdup (category);
  d->price_fen = price;
  d->visitor_price_fen = visitor;
  d->portion_g = portion;
  d->price_per_100g_fen = per_100g;
  return d;
}

CanteenLedger *
test_ledger_new (const char *dir, char **out_path)
{
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  GError *error = NULL;
  CanteenLedger *ledger = canteen_ledger_open (path, &error);

  g_assert_no_error (error);
  canteen_ledger_init (ledger, TEST_AGENCY, "测试食堂", "T01", "Asia/Shanghai", &error);
  g_assert_no_error (error);
  g_ptr_array_add (dishes, make_dish ("D01", "红烧肉", "热菜", 1200, 1500, 200, -1));
  g_ptr_array_add (dishes, make_dish ("D02", "米饭", "主食", 50, 100, 200, -1));
  g_ptr_array_add (dishes, make_dish ("D03", "称重凉菜", "凉菜", 0, 0, 150, 250));
  g_ptr_array_add (dishes, make_dish ("D04", "紫菜蛋花汤", "汤", 200, 300, 250, -1));
  canteen_ledger_import_dishes (ledger, dishes, "2026-11-23", &error);
  g_assert_no_error (error);
  canteen_ledger_add_account (ledger, "STAFF1", "张伟", TEST_AGENCY, 10000, 0, &error);
  g_assert_no_error (error);
  canteen_ledger_add_account (ledger, "POOR", "王芳", TEST_AGENCY, 300, 0, &error);
  g_assert_no_error (error);
  canteen_ledger_add_account (ledger, "VISIT1", "李娜", TEST_VISITOR_AGENCY, 5000, 0, &error);
  g_assert_no_error (error);
  if (out_path)
    *out_path = g_steal_pointer (&path);
  return ledger;
}

GDateTime *
test_local_time (int hour, int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) local = g_date_time_new (tz, 2026, 11, 23, hour, minute, 0);

  return g_date_time_to_utc (local);
}

char *
test_db_dump (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1", sqlite3_column_text (tables, 0));
      sqlite3_stmt *rows = NULL;
      g_string_append_printf (out, "[%s]\n", sqlite3_column_text (tables, 0));
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (rows); c++)
            g_string_append_printf (out, "%s|", sqlite3_column_text (rows, c) ? (const char *) sqlite3_column_text (rows, c) : "NULL");
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  {
    sqlite3_stmt *v = NULL;
    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &v, NULL);
    if (sqlite3_step (v) == SQLITE_ROW)
      g_string_append_printf (out, "user_version=%d\n", sqlite3_column_int (v, 0));
    sqlite3_finalize (v);
  }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

gint64
test_balance (CanteenLedger *ledger, const char *card)
{
  CanteenAccount account;
  GError *error = NULL;
  gint64 balance;

  canteen_ledger_get_account (ledger, card, &account, &error);
  g_assert_no_error (error);
  balance = account.balance_fen;
  canteen_account_clear (&account);
  return balance;
}

char *
test_file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}
