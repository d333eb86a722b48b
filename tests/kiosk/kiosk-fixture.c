/* kiosk-fixture.c — builds the test ledger through the public ledger API. */
#include "kiosk-fixture.h"

typedef struct {
  const char *id, *name, *name_en, *category;
  gint64 price, visitor_price;
  gint portion_g;
  gint64 per_100g;
} FixtureDish;

static const FixtureDish fixture_dishes[] = {
  { "D01", "红烧肉",     "Braised pork belly",     "热菜", 1200, 1500, 250, -1 },
  { "D02", "清炒时蔬",   "Stir-fried greens",      "热菜",  600,  800, 200, -1 },
  { "D03", "米饭",       "Steamed rice",           "主食",  100,  200, 200, -1 },
  { "D04", "番茄蛋花汤", "Tomato and egg soup",    "汤",    300,  400, 300, -1 },
  { "D05", "宫保鸡丁",   "Kung pao chicken",       "热菜", 1000, 1300, 220, -1 },
  { "D06", "凉拌黄瓜",   "Smashed cucumber",       "凉菜",  400,  500, 150, -1 },
  { "D07", "称重自选菜", "Self-serve, by weight",  "其他",    0,    0, 300, 250 },
  { "D08", "馒头",       "Steamed bun",            "面点",   50,  100, 100, -1 },
  { "D09", "水果拼盘",   "Fruit plate",            "水果",  500,  600, 200, -1 },
  { "D10", "酸奶",       "Yogurt",                 "饮品",  300,  300, 150, -1 },
};

static gboolean
import_dishes (CanteenLedger *ledger, GError **error)
{
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  g_autoptr(GDateTime) now = g_date_time_new_now (canteen_ledger_get_timezone (ledger));
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  for (gsize i = 0; i < G_N_ELEMENTS (fixture_dishes); i++)
    {
      const FixtureDish *f = &fixture_dishes[i];
      CanteenDish *d = canteen_dish_new ();

      d->id = g_strdup (f->id);
      d->name = g_strdup (f->name);
      d->name_en = g_strdup (f->name_en);
      d->category = g_strdup (f->category);
      d->price_fen = f->price;
      d->visitor_price_fen = f->visitor_price;
      d->portion_g = f->portion_g;
      d->price_per_100g_fen = f->per_100g;
      d->periods = 0;   /* every period, so the test passes at any hour */
      g_ptr_array_add (dishes, d);
    }
  /* Today's menu in the ledger's time zone: what the kiosk looks up. */
  return canteen_ledger_import_dishes (ledger, dishes, today, error);
}

CanteenLedger *
kiosk_fixture_create (const char *path, GError **error)
{
  g_autoptr(CanteenLedger) ledger = canteen_ledger_open (path, error);

  if (ledger == NULL
      || !canteen_ledger_init (ledger, KIOSK_FIXTURE_AGENCY, "市政府机关第一食堂",
                               KIOSK_FIXTURE_TERMINAL, "Asia/Shanghai", error)
      || !import_dishes (ledger, error)
      || !canteen_ledger_add_account (ledger, KIOSK_FIXTURE_CARD_RICH, "张伟", KIOSK_FIXTURE_AGENCY,
                                      KIOSK_FIXTURE_CARD_RICH_FEN, 0, error)
      || !canteen_ledger_add_account (ledger, KIOSK_FIXTURE_CARD_POOR, "李娜", KIOSK_FIXTURE_AGENCY,
                                      KIOSK_FIXTURE_CARD_POOR_FEN, 0, error)
      || !canteen_ledger_add_account (ledger, KIOSK_FIXTURE_CARD_LOST, "王芳", KIOSK_FIXTURE_AGENCY,
                                      5000, 0, error)
      || !canteen_ledger_set_account_status (ledger, KIOSK_FIXTURE_CARD_LOST, CANTEEN_ACCOUNT_LOST,
                                             "fixture", error)
      || !canteen_ledger_add_account (ledger, KIOSK_FIXTURE_CARD_VISITOR, "陈明", "GOV02",
                                      8000, 0, error)
      || !canteen_ledger_add_account (ledger, KIOSK_FIXTURE_CARD_CHIP, "赵强", KIOSK_FIXTURE_AGENCY,
                                      KIOSK_FIXTURE_CARD_CHIP_FEN, 0, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

gint64
kiosk_fixture_balance (CanteenLedger *ledger, const char *card)
{
  CanteenAccount account = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 balance;

  if (!canteen_ledger_get_account (ledger, card, &account, &error))
    g_error ("balance of %s: %s", card, error->message);
  balance = account.balance_fen;
  canteen_account_clear (&account);
  return balance;
}

CanteenLedger *
kiosk_fixture_create_in_temp (const char *prefix, char **dir, char **db_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);
  CanteenLedger *ledger;

  *dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  *db_path = g_build_filename (*dir, "ledger.db", NULL);
  ledger = kiosk_fixture_create (*db_path, &error);
  g_assert_no_error (error);
  return ledger;
}
