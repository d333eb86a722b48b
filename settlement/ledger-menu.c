/* ledger-menu.c — the dish catalogue and the day's menu. */
#include "ledger-private.h"

#include <stdio.h>

#include "canteen-error.h"
#include "validate.h"

static gboolean
check_day (const char *day, GError **error)
{
  int y, m, d;
  char tail;

  if (day == NULL || strlen (day) != 10 || sscanf (day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      g_autofree char *shown = canteen_text_excerpt (day, 20);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "day: “%s” is not a date like 2026-11-22", shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_ledger_import_dishes (CanteenLedger *l, GPtrArray *dishes, const char *day, GError **error)
{
  g_autofree char *agency = NULL;

  for (guint i = 0; i < dishes->len; i++)
    if (!canteen_dish_validate (g_ptr_array_index (dishes, i), error))
      return FALSE;
  if (day && !check_day (day, error))
    return FALSE;

  if (!ledger_begin (l, error))
    return FALSE;
  agency = ledger_meta_get (l, "agency");
  if (agency == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_INITIALISED,
                   "%s: not set up yet; run `canteenctl init` first", l->path);
      goto fail;
    }
  for (guint i = 0; i < dishes->len; i++)
    {
      const CanteenDish *d = g_ptr_array_index (dishes, i);
      guint periods = d->periods ? d->periods : CANTEEN_MEAL_ALL_BITS;
      sqlite3_stmt *stmt = ledger_stmt (l,
        "INSERT INTO dishes (id, name, name_en, category, price_fen, visitor_price_fen, portion_g, "
        "                    price_per_100g_fen, kcal, periods) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, "
        "  category = excluded.category, price_fen = excluded.price_fen, "
        "  visitor_price_fen = excluded.visitor_price_fen, portion_g = excluded.portion_g, "
        "  price_per_100g_fen = excluded.price_per_100g_fen, kcal = excluded.kcal, periods = excluded.periods",
        error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, d->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, d->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, d->name_en ? d->name_en : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, d->category, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, d->price_fen);
      sqlite3_bind_int64 (stmt, 6, d->visitor_price_fen);
      sqlite3_bind_int (stmt, 7, d->portion_g);
      if (d->price_per_100g_fen >= 0)
        sqlite3_bind_int64 (stmt, 8, d->price_per_100g_fen);
      if (d->kcal >= 0)
        sqlite3_bind_int (stmt, 9, d->kcal);
      sqlite3_bind_int (stmt, 10, (int) d->periods);
      if (!ledger_step_done (l, stmt, "storing a dish", error))
        goto fail;
      if (day == NULL)
        continue;
      for (int p = 0; p < CANTEEN_MEAL_N_PERIODS; p++)
        {
          if (!(periods & CANTEEN_MEAL_BIT (p)))
            continue;
          stmt = ledger_stmt (l, "INSERT OR IGNORE INTO menu_days (day, period, dish_id) VALUES (?1, ?2, ?3)", error);
          if (stmt == NULL)
            goto fail;
          sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, canteen_meal_period_id ((CanteenMealPeriod) p), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, d->id, -1, SQLITE_STATIC);
          if (!ledger_step_done (l, stmt, "putting a dish on the menu", error))
            goto fail;
        }
    }
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

static CanteenDish *
dish_from_row (sqlite3_stmt *stmt)
{
  CanteenDish *d = canteen_dish_new ();

  d->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  d->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  d->name_en = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  d->category = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  d->price_fen = sqlite3_column_int64 (stmt, 4);
  d->visitor_price_fen = sqlite3_column_int64 (stmt, 5);
  d->portion_g = sqlite3_column_int (stmt, 6);
  d->price_per_100g_fen = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 7);
  d->kcal = sqlite3_column_type (stmt, 8) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 8);
  d->periods = (guint) sqlite3_column_int (stmt, 9);
  return d;
}

#define DISH_COLUMNS "d.id, d.name, d.name_en, d.category, d.price_fen, d.visitor_price_fen, " \
                     "d.portion_g, d.price_per_100g_fen, d.kcal, d.periods"

GPtrArray *
canteen_ledger_list_dishes (CanteenLedger *l, const char *day, CanteenMealPeriod period, GError **error)
{
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  sqlite3_stmt *stmt;
  int rc;

  if (day == NULL)
    stmt = ledger_stmt (l, "SELECT " DISH_COLUMNS " FROM dishes d ORDER BY d.id", error);
  else
    {
      if (!check_day (day, error))
        return NULL;
      stmt = ledger_stmt (l, "SELECT " DISH_COLUMNS " FROM dishes d WHERE EXISTS ("
                             "  SELECT 1 FROM menu_days m WHERE m.dish_id = d.id AND m.day = ?1 "
                             "  AND (?2 IS NULL OR m.period = ?2)) ORDER BY d.id", error);
      if (stmt)
        {
          sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
          if (period != CANTEEN_MEAL_NONE)
            sqlite3_bind_text (stmt, 2, canteen_meal_period_id (period), -1, SQLITE_STATIC);
        }
    }
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (dishes, dish_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "reading the menu");
      return NULL;
    }
  return g_steal_pointer (&dishes);
}

CanteenDish *
canteen_ledger_get_dish (CanteenLedger *l, const char *dish_id, GError **error)
{
  sqlite3_stmt *stmt = ledger_stmt (l, "SELECT " DISH_COLUMNS " FROM dishes d WHERE d.id = ?1", error);
  CanteenDish *dish = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, dish_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    dish = dish_from_row (stmt);
  else if (rc == SQLITE_DONE)
    {
      g_autofree char *shown = canteen_text_excerpt (dish_id, 40);
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH,
                   "dish: “%s” is not on the menu", shown);
    }
  else
    ledger_set_db_error (l, error, "reading a dish");
  sqlite3_reset (stmt);
  return dish;
}
