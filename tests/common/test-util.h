/* test-util.h — helpers the tests share: temporary ledgers, fixed clocks,
 * and a logical dump of a database so "bad input changed nothing" can be
 * asserted exactly. */
#pragma once

#include <glib.h>

#include "ledger.h"

G_BEGIN_DECLS

#define TEST_AGENCY  "ZJ001"
#define TEST_VISITOR_AGENCY "NB002"

/* A fresh directory under the test's tmp; test_rmdir() removes it. */
char          *test_tmpdir (void);
/* Removes `dir` and everything under it; the test fails if that fails. */
void           test_rmdir (const char *dir);
/* A new initialised ledger in `dir` with a small menu (D01 红烧肉 1200/1500,
 * D02 米饭 50/100, D03 称重凉菜 250 per 100 g, D04 紫菜蛋花汤 200/300) and
 * cards STAFF1 (10000 fen), POOR (300 fen), VISIT1 (other agency, 5000). */
CanteenLedger *test_ledger_new (const char *dir, char **out_path);
/* 2026-11-23 in Asia/Shanghai at hh:mm, as UTC. */
GDateTime     *test_local_time (int hour, int minute);
/* Every row of every table, in order: equal dumps mean equal databases. */
char          *test_db_dump (const char *path);
gint64         test_balance (CanteenLedger *ledger, const char *card);
/* Bytes of a file, for "this file was not touched". */
char          *test_file_sha256 (const char *path);

G_END_DECLS
