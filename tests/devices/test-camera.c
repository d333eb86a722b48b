/* The camera: folders, stills and videos play in order with the right
 * colours at their rate, the UI's main loop stays free, a busy loop sees
 * the newest frame rather than a backlog, stop is prompt, and every bad
 * source is a clear error naming it. Fixtures are made in a temporary
 * folder at run time: PPMs written here, videos and JPEGs through OpenCV
 * (camera-fixture.cpp). Timing checks are loose on purpose. */
#include <string.h>

#include <glib/gstdio.h>

#include "camera-fixture.h"
#include "camera.h"
#include "capture.h"
#include "device-error.h"

/* Distinct in every channel and never symmetric, so a BGR/RGB swap shows. */
static const guint8 colours[][3] = {
  { 200, 30, 10 }, { 20, 180, 60 }, { 40, 50, 220 }, { 250, 200, 0 },
  { 0, 120, 240 }, { 130, 0, 90 }, { 90, 90, 30 }, { 10, 240, 200 },
};

/* ---- fixtures ------------------------------------------------------------ */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("canteen-camera-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* The fixture folders are flat; a nested folder would fail the rmdir. */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static char *
write_ppm (const char *dir, const char *name, int width, int height, const guint8 rgb[3])
{
  g_autoptr(GString) ppm = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_string_printf (ppm, "P6\n%d %d\n255\n", width, height);
  for (int i = 0; i < width * height; i++)
    g_string_append_len (ppm, (const char *) rgb, 3);
  g_file_set_contents (path, ppm->str, (gssize) ppm->len, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_text (const char *dir, const char *name, const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A folder of `n` 8x6 PPMs, 00.ppm... in colours[0...], written last first
 * so that only sorting by name puts them in order. */
static char *
make_colour_folder (guint n)
{
  char *dir = make_dir ();

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (colours));
  for (guint i = n; i-- > 0;)
    {
      g_autofree char *name = g_strdup_printf ("%02u.ppm", i);
      g_autofree char *path = write_ppm (dir, name, 8, 6, colours[i]);
    }
  return dir;
}

/* ---- watching a camera --------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  GPtrArray *frames;      /* CanteenFrame, in delivery order */
  GPtrArray *skipped;     /* char *, the messages */
  GError    *error;       /* ::error, if emitted */
  guint      n_errors;
  guint      quit_after;  /* quit once this many frames came; 0: never */
  gboolean   timed_out;
} Watch;

static void
on_frame (CanteenCamera *camera, CanteenFrame *frame, Watch *w)
{
  g_ptr_array_add (w->frames, canteen_frame_ref (frame));
  if (w->quit_after > 0 && w->frames->len >= w->quit_after)
    g_main_loop_quit (w->loop);
}

static void
on_skipped (CanteenCamera *camera, const GError *error, Watch *w)
{
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
  g_ptr_array_add (w->skipped, g_strdup (error->message));
}

static void
on_error (CanteenCamera *camera, const GError *error, Watch *w)
{
  /* The UI reads the state in its handler: it must already say so. */
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_FAILED);
  w->n_errors++;
  g_clear_error (&w->error);
  w->error = g_error_copy (error);
}

static void
on_state (CanteenCamera *camera, GParamSpec *pspec, Watch *w)
{
  CanteenCameraState state = canteen_camera_get_state (camera);

  if (state == CANTEEN_CAMERA_ENDED || state == CANTEEN_CAMERA_FAILED)
    g_main_loop_quit (w->loop);
}

static void
watch_init (Watch *w, CanteenCamera *camera)
{
  *w = (Watch) {
    .loop = g_main_loop_new (NULL, FALSE),
    .frames = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_frame_unref),
    .skipped = g_ptr_array_new_with_free_func (g_free),
  };
  g_signal_connect (camera, "frame", G_CALLBACK (on_frame), w);
  g_signal_connect (camera, "skipped", G_CALLBACK (on_skipped), w);
  g_signal_connect (camera, "error", G_CALLBACK (on_error), w);
  g_signal_connect (camera, "notify::state", G_CALLBACK (on_state), w);
}

static void
watch_clear (Watch *w, CanteenCamera *camera)
{
  g_signal_handlers_disconnect_by_data (camera, w);
  g_main_loop_unref (w->loop);
  g_ptr_array_unref (w->frames);
  g_ptr_array_unref (w->skipped);
  g_clear_error (&w->error);
}

static gboolean
watch_time_up (gpointer data)
{
  Watch *w = data;

  w->timed_out = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the loop until the camera ends or fails, `quit_after` frames came,
 * or `ms` passed. */
static void
watch_run (Watch *w, guint ms)
{
  guint timeout = g_timeout_add (ms, watch_time_up, w);

  w->timed_out = FALSE;
  g_main_loop_run (w->loop);
  if (!w->timed_out)
    g_source_remove (timeout);
}

static CanteenFrame *
watch_frame (Watch *w, guint i)
{
  g_assert_cmpuint (i, <, w->frames->len);
  return g_ptr_array_index (w->frames, i);
}

/* Every pixel of `frame` within `tolerance` of rgb (JPEG is lossy). */
static void
assert_frame_colour (CanteenFrame *frame, const guint8 rgb[3], int tolerance)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (canteen_frame_get_bytes (frame), &size);
  const int width = canteen_frame_get_width (frame);
  const gsize stride = canteen_frame_get_stride (frame);

  /* The layout the UI hands to GDK as GDK_MEMORY_R8G8B8. */
  g_assert_cmpuint (stride, >=, (gsize) width * 3);
  g_assert_cmpuint (size, ==, stride * (gsize) canteen_frame_get_height (frame));
  for (int y = 0; y < canteen_frame_get_height (frame); y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        {
          int got = p[(gsize) y * stride + (gsize) x * 3 + (gsize) c];
          if (ABS (got - rgb[c]) > tolerance)
            g_error ("frame %" G_GUINT64_FORMAT " pixel %d,%d channel %d is %d, expected %d",
                     canteen_frame_get_sequence (frame), x, y, c, got, rgb[c]);
        }
}

static CanteenCamera *
camera_new_ok (const char *source, double fps, gboolean loop)
{
  g_autoptr(GError) error = NULL;
  CanteenCamera *camera = canteen_camera_new_full (source, fps, loop, &error);

  g_assert_no_error (error);
  g_assert_nonnull (camera);
  return camera;
}

static void
camera_start_ok (CanteenCamera *camera)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (canteen_camera_start (camera, &error));
  g_assert_no_error (error);
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_RUNNING);
}

/* ---- folders ------------------------------------------------------------- */

static void
test_folder_order_and_colours (void)
{
  g_autofree char *dir = make_colour_folder (5);
  g_autofree char *notes = write_text (dir, "notes.txt", "not a frame");
  g_autofree char *hidden = write_ppm (dir, ".00-hidden.ppm", 8, 6, colours[7]);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 50, FALSE);
  guint64 previous_sequence = 0;
  gint64 previous_time = 0;
  Watch w;

  watch_init (&w, camera);
  camera_start_ok (camera);
  watch_run (&w, 5000);

  g_assert_false (w.timed_out);
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_ENDED);
  g_assert_null (w.error);
  g_assert_cmpuint (w.skipped->len, ==, 0);
  /* Every frame read was shown or knowingly replaced by a newer one. */
  g_assert_cmpuint (w.frames->len + canteen_camera_get_n_dropped (camera), ==, 5);
  g_assert_cmpuint (w.frames->len, >=, 1);
  for (guint i = 0; i < w.frames->len; i++)
    {
      CanteenFrame *frame = watch_frame (&w, i);
      guint64 sequence = canteen_frame_get_sequence (frame);

      g_assert_cmpint (canteen_frame_get_width (frame), ==, 8);
      g_assert_cmpint (canteen_frame_get_height (frame), ==, 6);
      g_assert_cmpuint (canteen_frame_get_stride (frame), ==, 24);
      g_assert_cmpuint (sequence, >, previous_sequence);
      g_assert_cmpuint (sequence, <=, 5);
      g_assert_cmpint (canteen_frame_get_timestamp (frame), >, previous_time);
      /* Sorted by name, in RGB order, and the dot file is not a frame. */
      assert_frame_colour (frame, colours[sequence - 1], 0);
      previous_sequence = sequence;
      previous_time = canteen_frame_get_timestamp (frame);
    }
  g_assert_true (canteen_camera_get_last_frame (camera) == watch_frame (&w, w.frames->len - 1));
  /* A frame is a boxed type that is shared, not copied. */
  g_assert_true (g_boxed_copy (CANTEEN_TYPE_FRAME, watch_frame (&w, 0)) == watch_frame (&w, 0));
  canteen_frame_unref (watch_frame (&w, 0));

  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_folder_rate (void)
{
  g_autofree char *dir = make_colour_folder (3);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 20, TRUE);
  g_autoptr(CanteenCamera) default_rate = camera_new_ok (dir, 0, TRUE);
  guint64 n_read;
  Watch w;

  g_assert_cmpfloat (canteen_camera_get_fps (camera), ==, 20.0);
  g_assert_cmpfloat (canteen_camera_get_fps (default_rate), ==, CANTEEN_CAPTURE_DEFAULT_FPS);

  watch_init (&w, camera);
  camera_start_ok (camera);
  watch_run (&w, 1000);
  canteen_camera_stop (camera);

  /* 20 fps for a second, looping over 3 images: about 20, never a flood
   * and never a trickle. */
  n_read = w.frames->len + canteen_camera_get_n_dropped (camera);
  g_test_message ("%" G_GUINT64_FORMAT " frames read in 1 s at 20 fps", n_read);
  g_assert_cmpuint (n_read, >=, 10);
  g_assert_cmpuint (n_read, <=, 30);
  /* It looped: the 4th image is the 1st again. */
  for (guint i = 0; i < w.frames->len; i++)
    {
      CanteenFrame *frame = watch_frame (&w, i);
      assert_frame_colour (frame, colours[(canteen_frame_get_sequence (frame) - 1) % 3], 0);
    }
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_STOPPED);

  watch_clear (&w, camera);
  remove_dir (dir);
}

typedef struct {
  gint64 last;
  gint64 max_gap;
  guint  ticks;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last != 0)
    t->max_gap = MAX (t->max_gap, now - t->last);
  t->last = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_main_loop_responsive (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(CanteenCamera) camera = NULL;
  Ticker ticker = { 0 };
  guint ticker_id;
  Watch w;

  /* Real 1280x720 photos: decoding each takes milliseconds, none of which
   * may be spent on the UI's loop. */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02u.jpg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_cmpint (camera_fixture_write_photo (path, 1280, 720, i + 1), ==, 0);
    }
  camera = camera_new_ok (dir, 30, TRUE);
  watch_init (&w, camera);
  ticker_id = g_timeout_add (10, tick, &ticker);
  camera_start_ok (camera);
  watch_run (&w, 1000);
  canteen_camera_stop (camera);
  g_source_remove (ticker_id);

  g_test_message ("%u frames, %u ticks of 10 ms, longest gap %" G_GINT64_FORMAT " µs", w.frames->len,
                  ticker.ticks, ticker.max_gap);
  g_assert_cmpuint (w.frames->len, >=, 5);
  g_assert_cmpint (canteen_frame_get_width (watch_frame (&w, 0)), ==, 1280);
  g_assert_cmpint (canteen_frame_get_height (watch_frame (&w, 0)), ==, 720);
  /* A 10 ms timer kept firing while frames arrived. */
  g_assert_cmpuint (ticker.ticks, >=, 40);
  g_assert_cmpint (ticker.max_gap, <, 200 * 1000);

  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_stop_is_prompt (void)
{
  g_autofree char *dir = make_colour_folder (2);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 0.5, TRUE);
  gint64 before, took;
  guint n;
  Watch w;

  watch_init (&w, camera);
  w.quit_after = 1;
  camera_start_ok (camera);
  watch_run (&w, 5000);
  g_assert_cmpuint (w.frames->len, ==, 1);

  /* The worker is waiting 2 s for its next beat; stop must not. */
  before = g_get_monotonic_time ();
  canteen_camera_stop (camera);
  took = g_get_monotonic_time () - before;
  g_test_message ("stop took %" G_GINT64_FORMAT " µs", took);
  g_assert_cmpint (took, <, 500 * 1000);
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_STOPPED);
  canteen_camera_stop (camera);

  /* Nothing arrives after stop. */
  n = w.frames->len;
  w.quit_after = 0;
  watch_run (&w, 300);
  g_assert_cmpuint (w.frames->len, ==, n);

  /* It starts again where it was, at once. */
  w.quit_after = n + 1;
  camera_start_ok (camera);
  watch_run (&w, 1000);
  g_assert_false (w.timed_out);
  g_assert_cmpuint (canteen_frame_get_sequence (watch_frame (&w, n)), ==, 2);
  assert_frame_colour (watch_frame (&w, n), colours[1], 0);

  /* Dropping a running camera stops it too (ASan/valgrind would see the
   * thread or a frame outlive it). */
  watch_clear (&w, camera);
  g_clear_object (&camera);
  remove_dir (dir);
}

static void
stop_on_frame (CanteenCamera *camera, CanteenFrame *frame, gpointer data)
{
  canteen_camera_stop (camera);
}

/* "Photo taken, stop": stopping from the ::frame handler itself. */
static void
test_stop_from_frame_handler (void)
{
  g_autofree char *dir = make_colour_folder (2);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 100, TRUE);
  Watch w;

  watch_init (&w, camera);
  g_signal_connect (camera, "frame", G_CALLBACK (stop_on_frame), NULL);
  camera_start_ok (camera);
  watch_run (&w, 500);

  g_assert_cmpuint (w.frames->len, ==, 1);
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_STOPPED);
  g_assert_true (canteen_camera_get_last_frame (camera) == watch_frame (&w, 0));

  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_busy_loop_gets_newest (void)
{
  g_autofree char *dir = make_colour_folder (3);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 100, TRUE);
  CanteenFrame *frame;
  guint64 sequence;
  Watch w;

  watch_init (&w, camera);
  camera_start_ok (camera);
  /* The UI is busy for half a second: about 50 frames are read meanwhile. */
  g_usleep (500 * 1000);
  w.quit_after = 1;
  watch_run (&w, 2000);
  g_assert_cmpuint (w.frames->len, >=, 1);

  /* It sees the newest frame, not the oldest of a backlog... */
  frame = watch_frame (&w, 0);
  sequence = canteen_frame_get_sequence (frame);
  g_test_message ("first frame after the stall: #%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " dropped", sequence,
                  canteen_camera_get_n_dropped (camera));
  g_assert_cmpuint (sequence, >=, 15);
  g_assert_cmpuint (canteen_camera_get_n_dropped (camera), >=, sequence - 1);
  assert_frame_colour (frame, colours[(sequence - 1) % 3], 0);

  /* ...and no backlog follows: the next 200 ms bring about 20, not 70. */
  w.quit_after = 0;
  watch_run (&w, 200);
  g_assert_cmpuint (w.frames->len - 1, <=, 45);

  canteen_camera_stop (camera);
  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_folder_corrupt_skipped (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *good1 = write_ppm (dir, "01-red.ppm", 4, 4, colours[0]);
  g_autofree char *junk = write_text (dir, "02-junk.jpg", "this is not a JPEG at all");
  g_autofree char *cut = write_text (dir, "03-truncated.ppm", "P6\n4 4\n255\n\x01\x02\x03\x04\x05");
  g_autofree char *good2 = write_ppm (dir, "04-blue.ppm", 4, 4, colours[2]);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 50, FALSE);
  g_autofree char *prefix = g_strdup_printf ("camera “%s”: skipped an image: ", dir);
  gboolean saw_latest = FALSE;
  Watch w;

  watch_init (&w, camera);
  camera_start_ok (camera);
  watch_run (&w, 5000);

  /* The show goes on: both good images, in order, and the end. */
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_ENDED);
  g_assert_null (w.error);
  g_assert_cmpuint (w.frames->len + canteen_camera_get_n_dropped (camera), ==, 2);
  assert_frame_colour (watch_frame (&w, w.frames->len - 1), colours[2], 0);
  if (w.frames->len == 2)
    assert_frame_colour (watch_frame (&w, 0), colours[0], 0);

  /* Both bad files counted; each report names its file. Reports coalesce
   * like frames, but the latest always arrives. */
  g_assert_cmpuint (canteen_camera_get_n_skipped (camera), ==, 2);
  g_assert_cmpuint (w.skipped->len, >=, 1);
  for (guint i = 0; i < w.skipped->len; i++)
    {
      const char *message = g_ptr_array_index (w.skipped, i);
      g_test_message ("skipped: %s", message);
      g_assert_true (g_str_has_prefix (message, prefix));
      g_assert_true (strstr (message, "02-junk.jpg") != NULL || strstr (message, "03-truncated.ppm") != NULL);
      saw_latest |= strstr (message, "03-truncated.ppm") != NULL;
    }
  g_assert_true (saw_latest);

  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_folder_nothing_readable (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *a = write_text (dir, "a.jpg", "junk");
  g_autofree char *b = write_text (dir, "b.png", "more junk");

  /* Looping or not, it fails ("camera gone") instead of spinning. */
  for (int loop = 0; loop <= 1; loop++)
    {
      g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 50, loop);
      Watch w;

      watch_init (&w, camera);
      camera_start_ok (camera);
      watch_run (&w, 5000);
      g_assert_false (w.timed_out);
      g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_FAILED);
      g_assert_cmpuint (w.n_errors, ==, 1);
      g_assert_error (w.error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED);
      g_test_message ("%s", w.error->message);
      g_assert_true (strstr (w.error->message, dir) != NULL);
      g_assert_true (strstr (w.error->message, "none of the 2 images could be read") != NULL);
      g_assert_cmpuint (w.frames->len, ==, 0);
      watch_clear (&w, camera);
    }
  remove_dir (dir);
}

static void
test_folder_too_large_skipped (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *wide = write_ppm (dir, "01-wide.ppm", CANTEEN_CAPTURE_MAX_SIDE + 1, 1, colours[0]);
  g_autofree char *good = write_ppm (dir, "02-good.ppm", 4, 4, colours[1]);
  g_autoptr(CanteenCamera) camera = camera_new_ok (dir, 50, FALSE);
  g_autoptr(CanteenCamera) still = camera_new_ok (wide, 50, FALSE);
  Watch w;

  watch_init (&w, camera);
  camera_start_ok (camera);
  watch_run (&w, 5000);
  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_ENDED);
  g_assert_cmpuint (w.frames->len, ==, 1);
  assert_frame_colour (watch_frame (&w, 0), colours[1], 0);
  g_assert_cmpuint (w.skipped->len, ==, 1);
  g_test_message ("%s", (char *) g_ptr_array_index (w.skipped, 0));
  g_assert_true (strstr (g_ptr_array_index (w.skipped, 0), "01-wide.ppm: 8193x1 is over the limit of 8192x8192"));
  watch_clear (&w, camera);

  /* The same image alone is a source that cannot deliver anything. */
  watch_init (&w, still);
  camera_start_ok (still);
  watch_run (&w, 5000);
  g_assert_cmpint (canteen_camera_get_state (still), ==, CANTEEN_CAMERA_FAILED);
  g_assert_true (strstr (w.error->message, "over the limit") != NULL);
  watch_clear (&w, still);
  remove_dir (dir);
}

/* ---- sources that cannot be opened -------------------------------------- */

/* canteen_camera_new() fails at once, naming the source and the cause. */
static void
assert_open_fails (const char *source, const char *cause)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenCamera) camera = canteen_camera_new (source, &error);
  g_autofree char *expected = g_strdup_printf ("camera “%s”: cannot open: %s", source, cause);

  g_assert_null (camera);
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, expected))
    g_error ("expected “%s...”, got “%s”", expected, error->message);
}

static void
test_error_missing_path (void)
{
  assert_open_fails ("/nonexistent/canteen/trays", "no such file or folder");
  assert_open_fails ("", "no source given");
}

static void
test_error_empty_folder (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *notes = NULL;

  assert_open_fails (dir, "the folder has no images");
  /* Files that are not images do not count. */
  notes = write_text (dir, "notes.txt", "hello");
  assert_open_fails (dir, "the folder has no images");
  remove_dir (dir);
}

static void
test_error_not_an_image (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *menu = write_text (dir, "menu.txt", "红烧肉 12.00\n");
  g_autofree char *fake = write_text (dir, "fake.avi", "RIFF? no, just text");

  assert_open_fails (menu, "not an image");
  assert_open_fails (fake, "cannot be opened as a video");
  remove_dir (dir);
}

static void
test_error_no_device (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *prefixed = g_strdup_printf ("v4l2:%s", dir);

  assert_open_fails ("/dev/video99", "no such device");
  assert_open_fails ("v4l2:/dev/video99", "no such device");
  assert_open_fails (prefixed, "not a device");
  /* A character device that is no camera. */
  assert_open_fails ("/dev/null", "not a V4L2 capture device");
  remove_dir (dir);
}

/* ---- videos -------------------------------------------------------------- */

static char *
make_video (const char *dir, int n_frames)
{
  char *path = g_build_filename (dir, "tray.avi", NULL);

  g_assert_cmpint (camera_fixture_write_video (path, 160, 120, 25.0, n_frames, colours), ==, 0);
  return path;
}

static void
test_video_plays (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *video = make_video (dir, 8);
  g_autoptr(CanteenCamera) camera = camera_new_ok (video, 0, FALSE);
  gint64 started, took;
  Watch w;

  /* Its own rate, not the folder default. */
  g_assert_cmpfloat_with_epsilon (canteen_camera_get_fps (camera), 25.0, 0.01);
  watch_init (&w, camera);
  started = g_get_monotonic_time ();
  camera_start_ok (camera);
  watch_run (&w, 5000);
  took = g_get_monotonic_time () - started;

  g_assert_cmpint (canteen_camera_get_state (camera), ==, CANTEEN_CAMERA_ENDED);
  g_assert_null (w.error);
  g_assert_cmpuint (w.frames->len + canteen_camera_get_n_dropped (camera), ==, 8);
  for (guint i = 0; i < w.frames->len; i++)
    {
      CanteenFrame *frame = watch_frame (&w, i);
      g_assert_cmpint (canteen_frame_get_width (frame), ==, 160);
      g_assert_cmpint (canteen_frame_get_height (frame), ==, 120);
      assert_frame_colour (frame, colours[canteen_frame_get_sequence (frame) - 1], 12);
    }
  /* Played at 25 fps (8 frames ≈ 0.3 s), not as fast as it decodes. */
  g_test_message ("8 frames in %" G_GINT64_FORMAT " ms", took / 1000);
  g_assert_cmpint (took, >=, 200 * 1000);

  watch_clear (&w, camera);
  remove_dir (dir);
}

static void
test_video_loops (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *video = make_video (dir, 4);
  g_autoptr(CanteenCamera) camera = camera_new_ok (video, 0, TRUE);
  guint64 last_sequence;
  Watch w;

  watch_init (&w, camera);
  w.quit_after = 10;
  camera_start_ok (camera);
  watch_run (&w, 5000);
  canteen_camera_stop (camera);

  g_assert_false (w.timed_out);
  last_sequence = canteen_frame_get_sequence (watch_frame (&w, w.frames->len - 1));
  g_assert_cmpuint (last_sequence, >, 4);
  /* After frame 4 comes frame 1 again. */
  for (guint i = 0; i < w.frames->len; i++)
    {
      CanteenFrame *frame = watch_frame (&w, i);
      assert_frame_colour (frame, colours[(canteen_frame_get_sequence (frame) - 1) % 4], 12);
    }

  watch_clear (&w, camera);
  remove_dir (dir);
}

/* ---- the C ABI around OpenCV --------------------------------------------- */

static void
test_capture_abi (void)
{
  g_autofree char *dir = make_colour_folder (2);
  CanteenCapture *capture = NULL;
  CanteenCaptureFrame frame = { 0 };

  /* A failed open still gives a handle that says why. */
  g_assert_cmpint (canteen_capture_open (NULL, 0, 0, &capture), ==, CANTEEN_CAPTURE_UNSUPPORTED);
  g_assert_nonnull (capture);
  g_assert_cmpstr (canteen_capture_last_error (capture), ==, "no source given");
  canteen_capture_close (capture);
  g_assert_cmpint (canteen_capture_open ("/dev/video99", 0, 0, &capture), ==, CANTEEN_CAPTURE_NOT_FOUND);
  /* Reading it is an error, not a crash. */
  g_assert_cmpint (canteen_capture_read (capture, &frame), ==, CANTEEN_CAPTURE_FAILED);
  g_assert_cmpstr (canteen_capture_last_error (capture), ==, "not open");
  g_assert_null (frame.data);
  canteen_capture_close (capture);
  canteen_capture_close (NULL);
  g_assert_cmpint (canteen_capture_read (NULL, &frame), ==, CANTEEN_CAPTURE_FAILED);

  /* Without LOOP a folder ends, and says so. */
  g_assert_cmpint (canteen_capture_open (dir, 7.5, CANTEEN_CAPTURE_FLAGS_NONE, &capture), ==, CANTEEN_CAPTURE_OK);
  g_assert_false (canteen_capture_is_live (capture));
  g_assert_cmpfloat (canteen_capture_get_fps (capture), ==, 7.5);
  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpint (canteen_capture_read (capture, &frame), ==, CANTEEN_CAPTURE_OK);
      g_assert_cmpint (frame.width, ==, 8);
      g_assert_cmpuint (frame.stride, ==, 24);
      /* R, G, B in that order. */
      g_assert_cmpmem (frame.data, 3, colours[i], 3);
      canteen_capture_frame_clear (&frame);
      g_assert_null (frame.data);
    }
  g_assert_cmpint (canteen_capture_read (capture, &frame), ==, CANTEEN_CAPTURE_END);
  g_assert_null (frame.data);
  g_assert_cmpint (canteen_capture_read (capture, &frame), ==, CANTEEN_CAPTURE_END);
  canteen_capture_close (capture);
  remove_dir (dir);
}

static void
test_capture_jpeg_720p_read_time (void)
{
  g_autofree char *dir = make_dir ();
  CanteenCapture *capture = NULL;
  const int n = 50;
  gint64 started, took;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02u.jpg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_cmpint (camera_fixture_write_photo (path, 1280, 720, 100 + i), ==, 0);
    }
  g_assert_cmpint (canteen_capture_open (dir, 0, CANTEEN_CAPTURE_LOOP, &capture), ==, CANTEEN_CAPTURE_OK);
  started = g_get_monotonic_time ();
  for (int i = 0; i < n; i++)
    {
      CanteenCaptureFrame frame = { 0 };
      g_assert_cmpint (canteen_capture_read (capture, &frame), ==, CANTEEN_CAPTURE_OK);
      g_assert_cmpint (frame.width, ==, 1280);
      g_assert_cmpint (frame.height, ==, 720);
      canteen_capture_frame_clear (&frame);
    }
  took = g_get_monotonic_time () - started;
  canteen_capture_close (capture);

  g_test_message ("1280x720 JPEG read + BGR→RGB: %.2f ms per frame (average of %d)",
                  (double) took / n / 1000.0, n);
  /* Loose: a 10 fps demo needs under 100 ms; real figures are far below. */
  g_assert_cmpint (took / n, <, 100 * 1000);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/camera/folder/order-and-colours", test_folder_order_and_colours);
  g_test_add_func ("/camera/folder/rate", test_folder_rate);
  g_test_add_func ("/camera/folder/corrupt-skipped", test_folder_corrupt_skipped);
  g_test_add_func ("/camera/folder/nothing-readable", test_folder_nothing_readable);
  g_test_add_func ("/camera/folder/too-large-skipped", test_folder_too_large_skipped);
  g_test_add_func ("/camera/main-loop-responsive", test_main_loop_responsive);
  g_test_add_func ("/camera/stop-is-prompt", test_stop_is_prompt);
  g_test_add_func ("/camera/stop-from-frame-handler", test_stop_from_frame_handler);
  g_test_add_func ("/camera/busy-loop-gets-newest", test_busy_loop_gets_newest);
  g_test_add_func ("/camera/error/missing-path", test_error_missing_path);
  g_test_add_func ("/camera/error/empty-folder", test_error_empty_folder);
  g_test_add_func ("/camera/error/not-an-image", test_error_not_an_image);
  g_test_add_func ("/camera/error/no-device", test_error_no_device);
  g_test_add_func ("/camera/video/plays", test_video_plays);
  g_test_add_func ("/camera/video/loops", test_video_loops);
  g_test_add_func ("/camera/capture/abi", test_capture_abi);
  g_test_add_func ("/camera/capture/jpeg-720p-read-time", test_capture_jpeg_720p_read_time);

  return g_test_run ();
}
