/* canteenctl speaks the staff's language: with LANGUAGE=zh_CN and the built
 * catalogue ($CANTEEN_LOCALEDIR) its help, errors and confirmations are in
 * Chinese; with no language chosen (CI, scripts) they are the English
 * msgids, and what machines read (--json, command names) is the same bytes
 * in both. Runs the real binary ($CANTEENCTL) as an operator would. */

#include "cli-run.h"
#include "test-util.h"

typedef struct {
  char *dir;
  char *db;
} Fixture;

/* canteenctl --db DB ARGS... (NULL-terminated). `language` is what the
 * operator's session sets: "zh_CN", or NULL for none at all (no LANG either,
 * as under systemd or CI). */
static CliRun
ctl (Fixture *f, const char *language, const char *first, ...)
{
  g_auto(GStrv) env = g_get_environ ();
  CliRun r;
  va_list args;

  env = g_environ_unsetenv (env, "LC_ALL");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  if (language != NULL)
    {
      /* As the kiosk's tests do: a UTF-8 locale that every machine has,
       * and the language through LANGUAGE. */
      env = g_environ_setenv (env, "LANG", "C.UTF-8", TRUE);
      env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
    }
  else
    {
      env = g_environ_unsetenv (env, "LANG");
      env = g_environ_unsetenv (env, "LANGUAGE");
    }
  va_start (args, first);
  r = cli_run_env_valist (f->db, NULL, env, first, args);
  va_end (args);
  return r;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  CliRun r;

  f->dir = test_tmpdir ();
  f->db = g_build_filename (f->dir, "canteen.db", NULL);
  r = ctl (f, NULL, "init", "--agency", "ZJ001", "--canteen", "市政府机关食堂", "--terminal", "T01", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli_run_clear (&r);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

/* The help in Chinese, command names still as typed; English without a
 * language. */
static void
test_help (Fixture *f, gconstpointer data)
{
  CliRun zh = ctl (f, "zh_CN", "--help", NULL);
  CliRun en = ctl (f, NULL, "--help", NULL);

  g_assert_cmpint (zh.status, ==, 0);
  g_assert_true (g_str_has_prefix (zh.out, "用法：canteenctl [--db 路径] [--json] 命令 [选项]\n\n命令：\n"));
  g_assert_nonnull (strstr (zh.out, "\n  checkout           用卡为一个托盘结账"));
  g_assert_nonnull (strstr (zh.out, "\n  dish enroll        用一份菜品的照片录入识别样本"));
  g_assert_null (strstr (zh.out, "Sell a tray"));

  g_assert_cmpint (en.status, ==, 0);
  g_assert_true (g_str_has_prefix (en.out, "Usage: canteenctl [--db PATH] [--json] COMMAND [OPTIONS]\n\nCommands:\n"));
  g_assert_nonnull (strstr (en.out, "\n  checkout           Sell a tray to a card"));
  cli_run_clear (&zh);
  cli_run_clear (&en);
}

/* canteenctl's own errors, and its word in front of a decline; the exit
 * codes do not change with the language. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  CliRun zh = ctl (f, "zh_CN", "frobnicate", NULL);
  CliRun en = ctl (f, NULL, "frobnicate", NULL);

  g_assert_cmpint (zh.status, ==, 1);
  g_assert_cmpstr (zh.err, ==, "canteenctl: “frobnicate”不是命令，请查看 canteenctl --help\n");
  g_assert_cmpint (en.status, ==, 1);
  g_assert_cmpstr (en.err, ==, "canteenctl: “frobnicate” is not a command; see canteenctl --help\n");
  cli_run_clear (&zh);
  cli_run_clear (&en);

  zh = ctl (f, "zh_CN", "checkout", "--card", "NOPE", "--dish", "D99", NULL);
  en = ctl (f, NULL, "checkout", "--card", "NOPE", "--dish", "D99", NULL);
  g_assert_cmpint (zh.status, ==, 2);
  g_assert_true (g_str_has_prefix (zh.err, "canteenctl: 已拒绝："));
  g_assert_cmpint (en.status, ==, 2);
  g_assert_true (g_str_has_prefix (en.err, "canteenctl: declined: "));
  cli_run_clear (&zh);
  cli_run_clear (&en);

  zh = ctl (f, "zh_CN", "account", "add", "--card", "04A1B2C3", NULL);
  g_assert_cmpint (zh.status, ==, 1);
  g_assert_cmpstr (zh.err, ==, "canteenctl: account add：必须给出 --card、--name 和 --agency\n");
  cli_run_clear (&zh);
}

/* Text for people is translated; JSON for machines is the same bytes. */
static void
test_machine_output (Fixture *f, gconstpointer data)
{
  CliRun zh = ctl (f, "zh_CN", "period", "list", NULL);
  CliRun en = ctl (f, NULL, "period", "list", NULL);

  g_assert_cmpint (zh.status, ==, 0);
  g_assert_nonnull (strstr (zh.out, "lunch      11:00–13:30  补贴 0 分\n"));
  g_assert_cmpint (en.status, ==, 0);
  g_assert_nonnull (strstr (en.out, "lunch      11:00–13:30  subsidy 0 fen\n"));
  cli_run_clear (&zh);
  cli_run_clear (&en);

  zh = ctl (f, "zh_CN", "--json", "period", "list", NULL);
  en = ctl (f, NULL, "--json", "period", "list", NULL);
  g_assert_cmpint (zh.status, ==, 0);
  g_assert_cmpint (en.status, ==, 0);
  g_assert_true (g_str_has_prefix (en.out, "{\"periods\":[{\"period\":\"breakfast\""));
  g_assert_cmpstr (zh.out, ==, en.out);
  cli_run_clear (&zh);
  cli_run_clear (&en);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli-i18n/help", Fixture, NULL, fixture_setup, test_help, fixture_teardown);
  g_test_add ("/cli-i18n/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/cli-i18n/machine-output", Fixture, NULL, fixture_setup, test_machine_output, fixture_teardown);
  return g_test_run ();
}
