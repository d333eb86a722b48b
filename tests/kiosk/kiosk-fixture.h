/* kiosk-fixture.h — a small, realistic ledger for the kiosk tests.
 *
 * Contract: kiosk_fixture_create() makes an initialised ledger at `path`
 * (canteen 市政府机关第一食堂, terminal T01, Asia/Shanghai) with ten dishes on
 * today's menu (one weighed) and five cards, and returns it open. Amounts
 * are chosen so tests can reason about them exactly.
 * kiosk_fixture_create_in_temp() does the same in a new temporary folder
 * (the test removes it), failing the test if it cannot.
 */
#pragma once

#include "ledger.h"

G_BEGIN_DECLS

#define KIOSK_FIXTURE_AGENCY   "GOV01"
#define KIOSK_FIXTURE_TERMINAL "T01"

/* 红烧肉 ¥12.00 and 米饭 ¥1.00 (staff prices). */
#define KIOSK_FIXTURE_DISH_PORK      "D01"
#define KIOSK_FIXTURE_DISH_PORK_FEN  1200
#define KIOSK_FIXTURE_DISH_RICE      "D03"
#define KIOSK_FIXTURE_DISH_RICE_FEN  100
/* 称重自选菜: ¥2.50 per 100 g, standard portion 300 g → ¥7.50. */
#define KIOSK_FIXTURE_DISH_WEIGHED   "D07"
#define KIOSK_FIXTURE_DISH_WEIGHED_FEN 750

#define KIOSK_FIXTURE_CARD_RICH      "C1001"   /* 张伟, ¥100.00 */
#define KIOSK_FIXTURE_CARD_RICH_FEN  10000
#define KIOSK_FIXTURE_CARD_POOR      "C1002"   /* 李娜, ¥5.00 */
#define KIOSK_FIXTURE_CARD_POOR_FEN  500
#define KIOSK_FIXTURE_CARD_LOST      "C1003"   /* 王芳, reported lost */
#define KIOSK_FIXTURE_CARD_VISITOR   "C2001"   /* 陈明, another agency */
/* A chip card: its id is the UID a card reader reports (4 bytes, hex). */
#define KIOSK_FIXTURE_CARD_CHIP      "04A1B2C3"  /* 赵强, ¥50.00 */
#define KIOSK_FIXTURE_CARD_CHIP_FEN  5000

CanteenLedger *kiosk_fixture_create  (const char *path, GError **error);
/* The folder is named after `prefix` (e.g. "canteen-kiosk-return"); *dir and
 * *db_path (its "ledger.db") are the caller's to free. */
CanteenLedger *kiosk_fixture_create_in_temp (const char *prefix, char **dir, char **db_path);
gint64         kiosk_fixture_balance (CanteenLedger *ledger, const char *card);

G_END_DECLS
