/* canteenctl as operators and scripts use it: the fixed command names, exit
 * codes 0/1/2, JSON output, and bad input that changes nothing. Runs the
 * real binary (path in $CANTEENCTL) against real ledger files. */
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/wait.h>

#include "cli-run.h"
#include "test-util.h"

typedef struct {
  char *dir;
  char *db;
} Fixture;

typedef CliRun Run;
#define run_clear cli_run_clear
#define assert_ok cli_run_assert_quiet

/* Runs canteenctl --db DB ARGS...; NULL-terminated. */
static Run
ctl (Fixture *f, const char *first, ...)
{
  va_list args;
  Run r;

  va_start (args, first);
  r = cli_run_valist (f->db, NULL, first, args);
  va_end (args);
  return r;
}

static JsonObject *
parse_object (const char *text, JsonParser **out_parser)
{
  JsonParser *parser = json_parser_new ();
  GError *error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  *out_parser = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

static const char MENU_JSON[] =
  "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"name_en\":\"Braised pork\",\"category\":\"热菜\","
  "\"price_fen\":1200,\"visitor_price_fen\":1500,\"portion_g\":250},"
  "{\"id\":\"D02\",\"name\":\"米饭\",\"category\":\"主食\",\"price_fen\":50,\"visitor_price_fen\":100,\"portion_g\":200},"
  "{\"id\":\"D03\",\"name\":\"称重凉菜\",\"category\":\"凉菜\",\"price_fen\":0,\"portion_g\":150,\"price_per_100g_fen\":250}]}";

static char *
write_file (Fixture *f, const char *name, const char *body, gssize len)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, body, len, NULL));
  return path;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *menu = NULL;

  f->dir = test_tmpdir ();
  f->db = g_build_filename (f->dir, "canteen.db", NULL);
  menu = write_file (f, "menu.json", MENU_JSON, -1);
  assert_ok (ctl (f, "init", "--agency", "ZJ001", "--canteen", "市政府机关食堂", "--terminal", "T01", NULL));
  assert_ok (ctl (f, "menu", "import", menu, NULL));
  assert_ok (ctl (f, "account", "add", "--card", "04A1B2C3", "--name", "张伟", "--agency", "ZJ001",
                  "--balance", "5000", NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static gint64
balance (Fixture *f, const char *card)
{
  g_autoptr(JsonParser) p = NULL;
  Run r = ctl (f, "--json", "account", "show", "--card", card, NULL);
  gint64 value;

  g_assert_cmpint (r.status, ==, 0);
  value = json_object_get_int_member (parse_object (r.out, &p), "balance_fen");
  run_clear (&r);
  return value;
}

static void
test_checkout_json (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) p = NULL, p2 = NULL;
  Run r = ctl (f, "checkout", "--card", "04a1b2c3", "--dish", "D01", "--dish", "D02", "--dish", "D03:300",
               "--id", "0b9e7a52-59b7-4c1e-9d8e-3f1a2b3c4d5e", "--json", NULL);
  Run again;
  JsonObject *o;

  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "checkout_id"), ==, "0b9e7a52-59b7-4c1e-9d8e-3f1a2b3c4d5e");
  g_assert_cmpint (json_object_get_int_member (o, "total_fen"), ==, 1200 + 50 + 750);
  g_assert_cmpint (json_object_get_int_member (o, "balance_fen"), ==, 5000 - 2000);
  g_assert_false (json_object_get_boolean_member (o, "replayed"));
  run_clear (&r);

  /* Same id again: the same receipt, charged once. */
  again = ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D01", "--dish", "D02", "--dish", "D03:300",
               "--id", "0b9e7a52-59b7-4c1e-9d8e-3f1a2b3c4d5e", "--json", NULL);
  g_assert_cmpint (again.status, ==, 0);
  o = parse_object (again.out, &p2);
  g_assert_true (json_object_get_boolean_member (o, "replayed"));
  g_assert_cmpint (json_object_get_int_member (o, "balance_fen"), ==, 3000);
  run_clear (&again);
  g_assert_cmpint (balance (f, "04A1B2C3"), ==, 3000);
}

static void
test_text_receipt (Fixture *f, gconstpointer data)
{
  Run r = ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D01", NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "红烧肉"));
  g_assert_nonnull (strstr (r.out, "¥12.00"));
  g_assert_nonnull (strstr (r.out, "¥38.00"));    /* the balance after */
  run_clear (&r);
}

/* Declines exit 2 with one line naming the reason; nothing changes. */
static void
assert_exit_unchanged (Fixture *f, int status, const char *message_part, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *before = test_db_dump (f->db);
  g_autofree char *after = NULL;
  g_autofree char *cmd = NULL;
  va_list args;
  const char *arg;
  char *out = NULL, *err = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, g_strdup (g_getenv ("CANTEENCTL")));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (f->db));
  va_start (args, message_part);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  cmd = g_strjoinv (" ", (char **) argv->pdata);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                               &out, &err, &wait_status, NULL));
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != status)
    g_error ("%s: exit %d, wanted %d (%s)", cmd, WEXITSTATUS (wait_status), status, err);
  if (strstr (err, message_part) == NULL)
    g_error ("%s: stderr “%s” does not say “%s”", cmd, err, message_part);
  /* One line, so an operator's script can show it as it is. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (gssize) strlen (err) - 1);
  g_assert_cmpstr (out, ==, "");
  after = test_db_dump (f->db);
  if (g_strcmp0 (before, after) != 0)
    g_error ("%s changed the database", cmd);
  g_free (out);
  g_free (err);
}

static void
test_declines (Fixture *f, gconstpointer data)
{
  assert_ok (ctl (f, "account", "add", "--card", "POOR01", "--name", "王芳", "--agency", "ZJ001", "--balance", "100", NULL));
  assert_ok (ctl (f, "account", "add", "--card", "LOST01", "--name", "陈静", "--agency", "ZJ001", "--balance", "9000", NULL));
  assert_ok (ctl (f, "account", "status", "--card", "LOST01", "--set", "lost", NULL));
  assert_ok (ctl (f, "account", "add", "--card", "GONE01", "--name", "刘洋", "--agency", "ZJ001", "--balance", "9000", NULL));
  assert_ok (ctl (f, "account", "status", "--card", "GONE01", "--set", "closed", NULL));

  assert_exit_unchanged (f, 2, "has ¥1.00, the tray costs ¥12.00", "checkout", "--card", "POOR01", "--dish", "D01", NULL);
  assert_exit_unchanged (f, 2, "LOST01 is reported lost", "checkout", "--card", "LOST01", "--dish", "D01", NULL);
  assert_exit_unchanged (f, 2, "GONE01 is closed", "checkout", "--card", "GONE01", "--dish", "D01", NULL);
  assert_exit_unchanged (f, 2, "“D99” is not on the menu", "checkout", "--card", "04A1B2C3", "--dish", "D01", "--dish", "D99", NULL);
  assert_exit_unchanged (f, 2, "NOBODY is not registered", "checkout", "--card", "NOBODY", "--dish", "D01", NULL);
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autofree char *long_name = NULL;
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 65; i++)
    g_string_append (s, "张");
  long_name = g_string_free (s, FALSE);

  assert_exit_unchanged (f, 1, "amount: must not be negative", "account", "topup", "--card", "04A1B2C3", "--amount", "-500", NULL);
  assert_exit_unchanged (f, 1, "amount: “12.5” is not a whole number", "account", "topup", "--card", "04A1B2C3", "--amount", "12.5", NULL);
  assert_exit_unchanged (f, 1, "amount: amount “100000001” is over the limit", "account", "topup", "--card", "04A1B2C3", "--amount", "100000001", NULL);
  assert_exit_unchanged (f, 1, "balance: must not be negative", "account", "add", "--card", "NEW1", "--name", "新", "--agency", "ZJ001", "--balance", "-1", NULL);
  assert_exit_unchanged (f, 1, "name: 65 characters, at most 64", "account", "add", "--card", "NEW1", "--name", long_name, "--agency", "ZJ001", NULL);
  assert_exit_unchanged (f, 1, "card: 33 characters", "account", "add", "--card", "123456789012345678901234567890123", "--name", "x", "--agency", "ZJ001", NULL);
  assert_exit_unchanged (f, 1, "card: “04A1;DROP” may hold only letters and digits", "checkout", "--card", "04A1;DROP", "--dish", "D01", NULL);
  assert_exit_unchanged (f, 1, "card: 04A1B2C3 is already registered", "account", "add", "--card", "04a1b2c3", "--name", "x", "--agency", "ZJ001", NULL);
  assert_exit_unchanged (f, 1, "the weight after ':' must be 1..5000 grams", "checkout", "--card", "04A1B2C3", "--dish", "D03:0", NULL);
  assert_exit_unchanged (f, 1, "dish D03 is sold by weight", "checkout", "--card", "04A1B2C3", "--dish", "D03", NULL);
  assert_exit_unchanged (f, 1, "reason: must not be empty", "void", "whatever", "--reason", "  ", NULL);
  assert_exit_unchanged (f, 1, "checkout: nope does not exist", "void", "nope", "--reason", "测试", NULL);
  assert_exit_unchanged (f, 1, "Unknown option --balanse", "account", "add", "--card", "NEW1", "--name", "x", "--agency", "ZJ001", "--balanse", "5", NULL);
  assert_exit_unchanged (f, 1, "“frobnicate” is not a command", "frobnicate", NULL);
  assert_exit_unchanged (f, 1, "--card and at least one --dish are required", "checkout", "--card", "04A1B2C3", NULL);
  assert_exit_unchanged (f, 1, "already set up for agency ZJ001", "init", "--agency", "XX", "--canteen", "x", "--terminal", "T9", NULL);
}

static void
test_bad_menu_files (Fixture *f, gconstpointer data)
{
  struct { const char *name; const char *body; gssize len; const char *says; } cases[] = {
    { "truncated.json", "{\"dishes\":[{\"id\":\"D09\",\"name\":\"", -1, "not valid JSON" },
    { "typo.json", "{\"dishes\":[{\"id\":\"D09\",\"name\":\"鱼\",\"category\":\"热菜\",\"price\":800,\"portion_g\":200}]}", -1, "unknown field “price”" },
    { "float.json", "{\"dishes\":[{\"id\":\"D09\",\"name\":\"鱼\",\"category\":\"热菜\",\"price_fen\":8.5,\"portion_g\":200}]}", -1, "price_fen must be a whole number" },
    { "negative.csv", "id,name,category,price_fen,portion_g\nD09,鱼,热菜,-800,200\n", -1, "line 2: price_fen “-800”" },
    /* The second dish is bad: the first must not be imported either. */
    { "half.csv", "id,name,category,price_fen,portion_g\nD09,鱼,热菜,800,200\nD10,汤,汤羹,300,250\n", -1, "line 3: dish D10: category" },
    { "binary.json", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "not UTF-8" },
    { "empty.csv", "", 0, "empty" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (f, cases[i].name, cases[i].body, cases[i].len);
      assert_exit_unchanged (f, 1, cases[i].says, "menu", "import", path, NULL);
    }
  {
    g_autofree char *missing = g_build_filename (f->dir, "missing.json", NULL);
    assert_exit_unchanged (f, 1, "No such file", "menu", "import", missing, NULL);
  }
}

static void
test_not_sqlite (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "report.pdf", "%PDF-1.4\n%garbage that is not a database\n", -1);
  g_autofree char *before = test_file_sha256 (path);
  g_autofree char *after = NULL;
  const char *argv[] = { g_getenv ("CANTEENCTL"), "--db", path, "account", "show", "--card", "X1", NULL };
  char *out = NULL, *err = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err, &wait_status, NULL));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
  g_assert_nonnull (strstr (err, "report.pdf"));
  g_assert_nonnull (strstr (err, "not a database"));
  after = test_file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  g_free (out);
  g_free (err);
}

static void
test_menu_list_and_csv (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = write_file (f, "more.csv",
    "id,name,name_en,category,price_fen,visitor_price_fen,portion_g\n"
    "D10,\"牛肉面\",\"Beef noodles, large\",主食,1200,1500,450\n", -1);
  g_autoptr(JsonParser) p = NULL;
  Run r;
  JsonArray *dishes;

  /* A day that is never "today", whenever the test runs. */
  assert_ok (ctl (f, "menu", "import", csv, "--day", "2031-06-15", NULL));
  r = ctl (f, "menu", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  dishes = json_object_get_array_member (parse_object (r.out, &p), "dishes");
  g_assert_cmpuint (json_array_get_length (dishes), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (dishes, 3), "name_en"), ==,
                   "Beef noodles, large");
  run_clear (&r);
  {
    g_autoptr(JsonParser) p2 = NULL;
    r = ctl (f, "menu", "list", "--day", "2031-06-15", "--json", NULL);
    dishes = json_object_get_array_member (parse_object (r.out, &p2), "dishes");
    g_assert_cmpuint (json_array_get_length (dishes), ==, 1);
    run_clear (&r);
  }
}

static void
test_void_shift_verify (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) p = NULL, p2 = NULL;
  JsonObject *o;
  Run r;

  assert_ok (ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D01", "--id", "sale-1", NULL));
  assert_ok (ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D02", "--id", "sale-2", NULL));
  assert_ok (ctl (f, "void", "sale-1", "--reason", "顾客退餐", "--by", "食堂经理", NULL));
  g_assert_cmpint (balance (f, "04A1B2C3"), ==, 5000 - 50);
  assert_ok (ctl (f, "account", "topup", "--card", "04A1B2C3", "--amount", "1000", "--id", "top-1", NULL));
  assert_ok (ctl (f, "account", "topup", "--card", "04A1B2C3", "--amount", "1000", "--id", "top-1", NULL));
  g_assert_cmpint (balance (f, "04A1B2C3"), ==, 5950);

  r = ctl (f, "shift", "close", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  g_assert_cmpint (json_object_get_int_member (o, "checkouts"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (o, "by_kind"), "void"), "amount_fen"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (o, "by_kind"), "topup"), "amount_fen"), ==, 1000);
  run_clear (&r);

  r = ctl (f, "journal", "verify", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p2);
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpint (json_object_get_int_member (o, "entries"), ==, 1 + 2 + 1 + 1 + 1);
  run_clear (&r);
}

static void
test_verify_names_bad_entry (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = NULL;
  Run r;

  assert_ok (ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D01", NULL));
  cmd = g_strdup_printf ("sqlite3 '%s' \"DROP TRIGGER journal_no_update; "
                         "UPDATE journal SET body = replace (body, '-1200', '-12') WHERE seq = 2\"", f->db);
  g_assert_cmpint (system (cmd), ==, 0);
  r = ctl (f, "journal", "verify", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "journal entry 2"));
  run_clear (&r);
}

static void
test_period_set (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  Run r = ctl (f, "period", "set", "lunch", "--from", "11:15", "--subsidy", "600", "--json", NULL);

  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, "11:15");
  g_assert_cmpstr (json_object_get_string_member (o, "to"), ==, "13:30");
  g_assert_cmpint (json_object_get_int_member (o, "subsidy_fen"), ==, 600);
  run_clear (&r);
  assert_exit_unchanged (f, 1, "dinner: overlaps lunch", "period", "set", "dinner", "--from", "12:00", NULL);
  assert_exit_unchanged (f, 1, "from: “25:00” is not a time of day", "period", "set", "dinner", "--from", "25:00", NULL);
  assert_exit_unchanged (f, 1, "period: “supper” is not breakfast", "period", "set", "supper", NULL);
}

/* canteenctl --db DB ARGS... with `input` on standard input. */
static Run
ctl_input (Fixture *f, const char *input, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  GError *error = NULL;
  Run r = { 0 };

  g_ptr_array_add (argv, (gpointer) g_getenv ("CANTEENCTL"));
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, f->db);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (proc);
  return r;
}

static void
test_manager_authority (Fixture *f, gconstpointer data)
{
  g_autofree char *before = NULL, *after = NULL;
  Run r;

  r = ctl_input (f, "2580\n", (const char *[]) { "manager", "add", "--id", "M01", "--name", "王经理", NULL });
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  assert_ok (ctl (f, "checkout", "--card", "04A1B2C3", "--dish", "D01", "--id", "sale-m", NULL));

  /* A wrong PIN: refused, nothing written. */
  before = test_db_dump (f->db);
  r = ctl_input (f, "0000\n", (const char *[]) { "void", "sale-m", "--reason", "退餐", "--manager", "M01", NULL });
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "unknown manager or wrong PIN"));
  run_clear (&r);
  /* No PIN at all (stdin closed, as under CI): a clear error, no waiting. */
  r = ctl (f, "void", "sale-m", "--reason", "退餐", "--manager", "M01", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "pin: give the manager's PIN"));
  run_clear (&r);
  after = test_db_dump (f->db);
  g_assert_cmpstr (before, ==, after);

  /* The right PIN: voided, and the journal names the manager. */
  r = ctl_input (f, "2580\n", (const char *[]) { "void", "sale-m", "--reason", "退餐", "--manager", "M01", NULL });
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  g_assert_cmpint (balance (f, "04A1B2C3"), ==, 5000);
  {
    g_autofree char *dump = test_db_dump (f->db);
    g_assert_nonnull (strstr (dump, "\"by\":\"manager:M01 王经理\""));
  }
  assert_ok (ctl (f, "journal", "verify", NULL));
}

/* A manager's card for the dashboard: set (spelled as the ledger stores
 * it), refused for a second manager or a bad id without writing, cleared,
 * and every change journaled. */
static void
test_manager_card (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) p = NULL;
  g_autofree char *before = NULL, *after = NULL, *dump = NULL;
  JsonObject *o;
  Run r;

  r = ctl_input (f, "2580\n", (const char *[]) { "manager", "add", "--id", "M01", "--name", "王经理", NULL });
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  r = ctl_input (f, "1357\n", (const char *[]) { "manager", "add", "--id", "M02", "--name", "李经理", NULL });
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);

  r = ctl (f, "manager", "card", "M01", "04c0ffee", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "Manager M01 signs in with card 04C0FFEE\n");
  run_clear (&r);
  /* A diner's card (张伟's) may be a manager's too. */
  r = ctl (f, "manager", "card", "M02", "04A1B2C3", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "M02");
  g_assert_cmpstr (json_object_get_string_member (o, "card"), ==, "04A1B2C3");
  run_clear (&r);

  before = test_db_dump (f->db);
  r = ctl (f, "manager", "card", "M02", "04C0FFEE", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "already manager M01's card"));
  run_clear (&r);
  r = ctl (f, "manager", "card", "M01", "04-C0", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "card: "));
  run_clear (&r);
  r = ctl (f, "manager", "card", "M99", "04AABBCC", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "M99 is not a manager"));
  run_clear (&r);
  r = ctl (f, "manager", "card", "M01", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "MANAGER_ID and CARD"));
  run_clear (&r);
  r = ctl (f, "manager", "card", "M01", "04C0FFEE", "--clear", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);
  after = test_db_dump (f->db);
  g_assert_cmpstr (before, ==, after);

  r = ctl (f, "manager", "card", "M01", "--clear", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_object (&p);
  o = parse_object (r.out, &p);
  g_assert_true (json_node_is_null (json_object_get_member (o, "card")));
  run_clear (&r);
  r = ctl (f, "manager", "card", "M01", "--clear", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "Manager M01 has no card now\n");
  run_clear (&r);

  dump = test_db_dump (f->db);
  g_assert_nonnull (strstr (dump, "\"kind\":\"manager-card\""));
  assert_ok (ctl (f, "journal", "verify", NULL));
}

/* The kiosk and canteenctl on one file at once: separate processes,
 * each selling, none losing or doubling a fen. */
static void
test_concurrent_processes (Fixture *f, gconstpointer data)
{
  enum { PROCS = 4, EACH = 15 };
  GPid pids[PROCS];

  assert_ok (ctl (f, "account", "topup", "--card", "04A1B2C3", "--amount", "100000", NULL));
  for (int p = 0; p < PROCS; p++)
    {
      g_autofree char *script = g_strdup_printf (
        "for i in $(seq 1 %d); do \"$0\" --db \"$1\" checkout --card 04A1B2C3 --dish D02 --id p%d-$i >/dev/null || exit 1; done",
        EACH, p);
      const char *argv[] = { "/bin/sh", "-c", script, g_getenv ("CANTEENCTL"), f->db, NULL };
      GError *error = NULL;
      g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pids[p], &error);
      g_assert_no_error (error);
    }
  for (int p = 0; p < PROCS; p++)
    {
      int status = 0;
      g_assert_cmpint (waitpid (pids[p], &status, 0), ==, pids[p]);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      g_spawn_close_pid (pids[p]);
    }
  g_assert_cmpint (balance (f, "04A1B2C3"), ==, 5000 + 100000 - PROCS * EACH * 50);
  assert_ok (ctl (f, "journal", "verify", NULL));
}

/* ---- dish recognition ---------------------------------------------------- */

/* A 640x360 PPM of a grey tray with white plates; plate i holds food of a
 * colour and stripe pattern of its own (a stand-in for a photo; the
 * recognition harness in tests/vision measures real accuracy). */
static const guint8 food_rgb[][3] = { { 170, 40, 30 }, { 60, 150, 50 }, { 230, 200, 60 } };

static char *
write_tray (Fixture *f, const char *name, const int *foods, int n)
{
  const int w = 640, h = 360;
  g_autofree char *header = g_strdup_printf ("P6\n%d %d\n255\n", w, h);
  GByteArray *img = g_byte_array_new ();
  char *path;

  g_byte_array_append (img, (const guint8 *) header, (guint) strlen (header));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 px[3] = { 120, 124, 128 };      /* stainless tray */
        for (int i = 0; i < n; i++)
          {
            int cx = 120 + i * 200, cy = 180, dx = x - cx, dy = y - cy, d2 = dx * dx + dy * dy;
            if (d2 < 85 * 85)
              {
                px[0] = px[1] = px[2] = 245;    /* plate */
                if (d2 < 60 * 60)
                  {
                    const guint8 *c = food_rgb[foods[i]];
                    int shade = ((x / (3 + foods[i] * 2)) + (y / 4)) % 2 ? 0 : 30;
                    px[0] = (guint8) MAX (c[0] - shade, 0);
                    px[1] = (guint8) MAX (c[1] - shade, 0);
                    px[2] = (guint8) MAX (c[2] - shade, 0);
                  }
              }
          }
        g_byte_array_append (img, px, 3);
      }
  path = write_file (f, name, (const char *) img->data, img->len);
  g_byte_array_unref (img);
  return path;
}

static int
count_exemplars (Fixture *f)
{
  g_autoptr(CanteenLedger) ledger = canteen_ledger_open (f->db, NULL);
  g_autoptr(GPtrArray) all = canteen_ledger_list_exemplars (ledger, NULL, NULL);

  return (int) all->len;
}

static void
test_dish_recognition (Fixture *f, gconstpointer data)
{
  const int d01[] = { 0 }, d02[] = { 1 }, tray[] = { 0, 1 };
  g_autofree char *p01 = write_tray (f, "d01.ppm", d01, 1);
  g_autofree char *p02 = write_tray (f, "d02.ppm", d02, 1);
  g_autofree char *ptray = write_tray (f, "tray.ppm", tray, 2);
  g_autofree char *broken = write_file (f, "broken.jpg", "\xFF\xD8\xFF\xE0 not really", 16);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  JsonArray *items;
  Run r;

  /* Teaching: one photo of one plate per dish (several are allowed). */
  r = ctl (f, "dish", "enroll", "D01", p01, p01, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  g_assert_cmpint (json_object_get_int_member (o, "added"), ==, 2);
  run_clear (&r);
  assert_ok (ctl (f, "dish", "enroll", "D02", p02, NULL));
  g_assert_cmpint (count_exemplars (f), ==, 3);

  /* Bad photos and unknown dishes: refused by name, nothing learnt. */
  before = test_db_dump (f->db);
  r = ctl (f, "dish", "enroll", "D01", p01, broken, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "broken.jpg"));
  run_clear (&r);
  r = ctl (f, "dish", "enroll", "D99", p01, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "D99"));
  run_clear (&r);
  r = ctl (f, "tray", "recognize", broken, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "broken.jpg"));
  run_clear (&r);
  after = test_db_dump (f->db);
  g_assert_cmpstr (before, ==, after);

  /* Recognising: the JSON the issue fixes, dishes only from today's menu. */
  g_clear_object (&p);
  r = ctl (f, "tray", "recognize", ptray, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (r.out, &p);
  items = json_object_get_array_member (o, "items");
  g_assert_nonnull (items);
  g_assert_true (json_object_has_member (o, "unknown"));
  g_assert_true (json_object_has_member (o, "total_fen"));
  g_assert_true (json_object_has_member (o, "elapsed_ms"));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *it = json_array_get_object_element (items, i);
      JsonNode *dish = json_object_get_member (it, "dish");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (it, "box")), ==, 4);
      g_assert_true (json_object_has_member (it, "alternatives"));
      if (!JSON_NODE_HOLDS_NULL (dish))
        g_assert_true (g_str_equal (json_node_get_string (dish), "D01")
                       || g_str_equal (json_node_get_string (dish), "D02")
                       || g_str_equal (json_node_get_string (dish), "D03"));
    }
  run_clear (&r);

  /* Forgetting. */
  g_clear_object (&p);
  r = ctl (f, "dish", "forget", "D01", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (parse_object (r.out, &p), "forgotten"), ==, 2);
  run_clear (&r);
  g_assert_cmpint (count_exemplars (f), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("CANTEENCTL"));
  g_unsetenv ("CANTEEN_MANAGER_PIN");
#define ADD(path, fn) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("checkout-json", test_checkout_json);
  ADD ("text-receipt", test_text_receipt);
  ADD ("declines", test_declines);
  ADD ("bad-input", test_bad_input);
  ADD ("bad-menu-files", test_bad_menu_files);
  ADD ("not-sqlite", test_not_sqlite);
  ADD ("menu-list-and-csv", test_menu_list_and_csv);
  ADD ("void-shift-verify", test_void_shift_verify);
  ADD ("verify-names-bad-entry", test_verify_names_bad_entry);
  ADD ("concurrent-processes", test_concurrent_processes);
  ADD ("manager-authority", test_manager_authority);
  ADD ("manager-card", test_manager_card);
  ADD ("period-set", test_period_set);
  ADD ("dish-recognition", test_dish_recognition);
  return g_test_run ();
}
