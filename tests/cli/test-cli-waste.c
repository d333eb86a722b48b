/* canteenctl's waste commands as an operator runs them: a bad weight is
 * refused by name and writes nothing, a tray nobody can be matched to is
 * kept as unmatched, and the evaluation pack comes out as JSON, CSV and a
 * PDF. Kitchen figures use fixed days; the returns are matched or not
 * whatever today is. Runs the real binary ($CANTEENCTL). */
#include <glib/gstdio.h>
#include <cairo.h>
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
#define assert_ok cli_run_assert_ok

/* Runs canteenctl --db DB ARGS...; NULL-terminated. */
static Run
ctl (Fixture *f, const char *first, ...)
{
  va_list args;
  Run r;

  va_start (args, first);
  r = cli_run_valist (f->db, f->dir, first, args);
  va_end (args);
  return r;
}

/* A plain grey "tray" (cairo writes PNG; the station takes JPEG or PNG). */
static void
write_tray_png (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 320, 240);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.6, 0.62, 0.65);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;

  f->dir = test_tmpdir ();
  f->db = g_build_filename (f->dir, "canteen.db", NULL);
  image = g_build_filename (f->dir, "tray.jpg", NULL);
  write_tray_png (image);
  assert_ok (ctl (f, "init", "--agency", "ZJ001", "--canteen", "市政府机关食堂", "--terminal", "T01", NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static void
test_tray_return (Fixture *f, gconstpointer data)
{
  g_autofree char *before = test_db_dump (f->db);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  Run r;

  r = ctl (f, "tray", "return", "--image", "tray.jpg", "--weight", "-20", "--card", "04A1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "weights cannot be negative"));
  run_clear (&r);
  r = ctl (f, "tray", "return", "--image", "tray.jpg", "--weight", "6000", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "over 5000 g"));
  run_clear (&r);
  {
    g_autofree char *after = test_db_dump (f->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* A file that is not a photo: refused by name, nothing recorded. */
  {
    g_autofree char *bogus = g_build_filename (f->dir, "bogus.jpg", NULL);
    g_assert_true (g_file_set_contents (bogus, "\xff\xd8 not really a photo", -1, NULL));
    r = ctl (f, "tray", "return", "--image", "bogus.jpg", "--weight", "330", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "photo:"));
    run_clear (&r);
    g_autofree char *after = test_db_dump (f->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* Nobody with this card ate here: kept and counted, attached to no one. */
  r = ctl (f, "--json", "tray", "return", "--image", "tray.jpg", "--weight", "330", "--tare", "250",
           "--card", "04A1", "--id", "RET-1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "match"), ==, "unmatched");
  g_assert_true (json_object_get_null_member (o, "checkout_id"));
  g_assert_cmpint (json_object_get_int_member (o, "leftover_g"), ==, 80);
  g_assert_cmpstr (json_object_get_string_member (o, "split"), ==, "unmatched");
  run_clear (&r);
}

static void
test_report_formats (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *pdf_path = g_build_filename (f->dir, "pack.pdf", NULL);
  g_autofree char *pdf = NULL;
  JsonObject *o, *ind;
  Run r;

  assert_ok (ctl (f, "kitchen", "record", "--day", "2026-11-23", "--purchased", "50000", "--kitchen-waste", "3000",
                  "--diners-planned", "120", NULL));
  assert_ok (ctl (f, "kitchen", "record", "--day", "2026-11-22", "--purchased", "40000", "--kitchen-waste", "2000",
                  "--diners-planned", "100", NULL));
  r = ctl (f, "kitchen", "record", "--day", "2026-11-31", "--purchased", "1", "--kitchen-waste", "1",
           "--diners-planned", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);

  r = ctl (f, "report", "waste", "--from", "2026-11-23", "--to", "2026-11-23", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  ind = json_object_get_object_member (json_object_get_object_member (o, "indicators"), "kitchen_waste_g");
  g_assert_cmpint (json_object_get_int_member (ind, "value"), ==, 3000);
  g_assert_cmpint (json_object_get_int_member (ind, "previous"), ==, 2000);
  g_assert_cmpfloat (json_object_get_double_member (ind, "change_pct"), ==, 50.0);
  run_clear (&r);

  r = ctl (f, "report", "waste", "--from", "2026-11-23", "--to", "2026-11-23", "--format", "csv", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "kitchen_waste_g,后厨损耗（克）,g,3000,2000,50\r\n"));
  run_clear (&r);

  r = ctl (f, "report", "waste", "--from", "2026-11-23", "--to", "2026-11-23", "--format", "pdf", NULL);
  g_assert_cmpint (r.status, ==, 1);   /* a PDF needs --out */
  run_clear (&r);
  assert_ok (ctl (f, "report", "waste", "--from", "2026-11-01", "--to", "2026-11-23", "--format", "pdf",
                  "--out", pdf_path, NULL));
  g_assert_true (g_file_get_contents (pdf_path, &pdf, NULL, NULL));
  g_assert_true (g_str_has_prefix (pdf, "%PDF"));

  r = ctl (f, "--json", "portions", "--as-of", "2026-11-23", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"recommendations\":[]"));
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli-waste/tray-return", Fixture, NULL, fixture_setup, test_tray_return, fixture_teardown);
  g_test_add ("/cli-waste/report-formats", Fixture, NULL, fixture_setup, test_report_formats, fixture_teardown);
  return g_test_run ();
}
