/* test-device-cli — `canteenctl devices | card read | scale read | print
 * test`, the real binary against emulated devices served from another
 * process (canteen-emulate), as an operator would run them.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

static const char *emulate;
static const char *canteenctl;

typedef struct {
  int    status;
  char  *out;
  char  *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* canteen-emulate EMU_ARGS... -- canteenctl CTL_ARGS... (NULL-separated). */
static Run
run (const char *const *emu_args, const char *const *ctl_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  Run r = { 0 };

  g_ptr_array_add (argv, (gpointer) emulate);
  for (const char *const *a = emu_args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, (gpointer) "--");
  g_ptr_array_add (argv, (gpointer) canteenctl);
  for (const char *const *a = ctl_args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                            | G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return r;
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_devices_json (void)
{
  const char *emu[] = { "--ccid", "--hid-reader", "--scale", "0", "--printer", NULL };
  const char *ctl[] = { "devices", "--json", NULL };
  Run r = run (emu, ctl);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *devices;
  guint readers = 0, scales = 0, printers = 0;

  g_assert_cmpint (r.status, ==, 0);
  devices = json_object_get_array_member (parse_object (parser, r.out), "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 4);
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *d = json_array_get_object_element (devices, i);
      const char *kind = json_object_get_string_member (d, "kind");
      g_assert_cmpstr (json_object_get_string_member (d, "state"), ==, "ready");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (d, "vid_pid"), "1209:"));
      g_assert_nonnull (json_object_get_string_member (d, "driver"));
      readers += g_str_equal (kind, "card-reader");
      scales += g_str_equal (kind, "scale");
      printers += g_str_equal (kind, "printer");
    }
  g_assert_cmpuint (readers, ==, 2);
  g_assert_cmpuint (scales, ==, 1);
  g_assert_cmpuint (printers, ==, 1);
  run_clear (&r);
}

static void
test_card_read (void)
{
  const char *emu[] = { "--ccid-card", "cpu:04a1b2c3", "--tap-after", "0.3", NULL };
  const char *ctl[] = { "card", "read", "--json", "--timeout", "5", NULL };
  const char *emu_uid[] = { "--ccid-card", "uid:DEADBEEF", "--tap-after", "0.3", NULL };
  const char *emu_hid[] = { "--hid-reader", "--tap-after", "0.3", "0A0B0C0D", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  Run r = run (emu, ctl);

  /* A CPU card: UID in upper-case hex, its kind and its ATR. */
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "uid"), ==, "04A1B2C3");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "cpu");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "atr"), "3B "));
  run_clear (&r);

  /* A memory card is uid-only: policy may refuse it. */
  r = run (emu_uid, ctl);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "uid"), ==, "DEADBEEF");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "uid-only");
  run_clear (&r);

  /* A keyboard-wedge reader: no ATR. */
  r = run (emu_hid, ctl);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "uid"), ==, "0A0B0C0D");
  g_assert_true (json_object_get_null_member (o, "atr"));
  run_clear (&r);
}

static void
test_card_read_refusals (void)
{
  const char *emu_none[] = { NULL };
  const char *emu_reader[] = { "--ccid", NULL };
  const char *ctl_wait[] = { "card", "read", "--timeout", "0.5", NULL };
  const char *ctl_bad[] = { "card", "read", "--timeout", "-3", NULL };
  Run r;

  /* No reader: says so at once, exit 1. */
  r = run (emu_none, ctl_wait);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no card reader"));
  run_clear (&r);

  /* A reader but no tap: a timeout, not a hang. */
  r = run (emu_reader, ctl_wait);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no card within"));
  run_clear (&r);

  r = run (emu_reader, ctl_bad);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "--timeout"));
  run_clear (&r);
}

static void
test_scale_read (void)
{
  const char *emu[] = { "--scale", "352", NULL };
  const char *ctl[] = { "scale", "read", "--json", NULL };
  const char *none[] = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  Run r = run (emu, ctl);

  g_assert_cmpint (r.status, ==, 0);
  o = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (o, "grams"), ==, 352);
  g_assert_true (json_object_get_boolean_member (o, "stable"));
  run_clear (&r);

  r = run (none, ctl);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no scale"));
  run_clear (&r);
}

static void
test_print_test (void)
{
  g_autofree char *dir = g_dir_make_tmp ("canteen-print-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "paper.bin", NULL);
  const char *emu[] = { "--printer", "--printer-out", out, NULL };
  const char *ctl[] = { "print", "test", NULL };
  g_autofree char *paper = NULL;
  gsize len = 0;
  /* "打印测试" in GB18030 */
  static const char title[] = "\xB4\xF2\xD3\xA1\xB2\xE2\xCA\xD4";
  Run r = run (emu, ctl);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (out, &paper, &len, NULL));
  g_assert_nonnull (memmem (paper, len, title, sizeof title - 1));
  /* It ends with a cut (GS V 66 n). */
  g_assert_nonnull (memmem (paper, len, "\x1D\x56\x42", 3));
  run_clear (&r);
  g_unlink (out);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  emulate = g_getenv ("CANTEEN_EMULATE");
  canteenctl = g_getenv ("CANTEENCTL");
  g_assert_nonnull (emulate);
  g_assert_nonnull (canteenctl);

  g_test_add_func ("/device-cli/devices-json", test_devices_json);
  g_test_add_func ("/device-cli/card-read", test_card_read);
  g_test_add_func ("/device-cli/card-read-refusals", test_card_read_refusals);
  g_test_add_func ("/device-cli/scale-read", test_scale_read);
  g_test_add_func ("/device-cli/print-test", test_print_test);
  return g_test_run ();
}
