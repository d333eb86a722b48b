/* cli-devices.c — the devices attached to this terminal: list them, read a
 * card, read the scale, print a test receipt. Each command starts the device
 * manager, waits on the main loop (never busy) for what it needs, and stops.
 */
#include <stdio.h>

#include "card-session.h"
#include "cli.h"
#include "device-error.h"
#include "device-manager.h"
#include "drivers.h"
#include "escpos.h"

static CanteenDeviceManager *
start_devices (GError **error)
{
  g_autoptr (CanteenDeviceManager) manager = canteen_device_manager_new (error);

  if (manager == NULL || !canteen_device_manager_start (manager, error))
    return NULL;
  canteen_device_manager_settle (manager);
  return g_steal_pointer (&manager);
}

static gboolean
deadline_reached (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (blocking in poll, never spinning) until *done or
 * `seconds` pass; FALSE on timeout. */
static gboolean
wait_for (gboolean *done, double seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint) (seconds * 1000), deadline_reached, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *done;
}

static char *
vid_pid (CanteenDevice *dev)
{
  return g_strdup_printf ("%04X:%04X", canteen_device_get_vid (dev), canteen_device_get_pid (dev));
}

/* --- devices ---------------------------------------------------------- */

static gint
by_location (gconstpointer a, gconstpointer b, gpointer data)
{
  CanteenDevice *x = (CanteenDevice *) a, *y = (CanteenDevice *) b;
  gint c = g_strcmp0 (canteen_device_get_location (x), canteen_device_get_location (y));

  return c != 0 ? c : g_strcmp0 (canteen_device_get_driver (x), canteen_device_get_driver (y));
}

static int
cmd_devices (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (CanteenDeviceManager) manager = NULL;
  g_autoptr (GListStore) sorted = g_list_store_new (CANTEEN_TYPE_DEVICE);
  GListModel *list, *all;
  GError *error = NULL;
  guint n;

  if (!cli_parse_options ("devices", "", entries, &argc, &argv))
    return CLI_FAILED;
  if ((manager = start_devices (&error)) == NULL)
    return cli_fail (error);
  /* In port order, so the listing is the same from run to run. */
  all = canteen_device_manager_get_devices (manager);
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (all, i);
      g_list_store_insert_sorted (sorted, dev, by_location, NULL);
    }
  list = G_LIST_MODEL (sorted);
  n = g_list_model_get_n_items (list);

  if (g->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "devices");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
          g_autofree char *id = vid_pid (dev);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, canteen_device_kind_to_string (canteen_device_get_kind (dev)));
          json_builder_set_member_name (b, "vid_pid");
          json_builder_add_string_value (b, id);
          json_builder_set_member_name (b, "driver");
          json_builder_add_string_value (b, canteen_device_get_driver (dev));
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, canteen_device_state_to_string (canteen_device_get_state (dev)));
          json_builder_set_member_name (b, "location");
          json_builder_add_string_value (b, canteen_device_get_location (dev));
          json_builder_set_member_name (b, "error");
          if (canteen_device_get_error (dev) != NULL)
            json_builder_add_string_value (b, canteen_device_get_error (dev));
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
      return CLI_OK;
    }

  if (n == 0)
    printf (_("No supported devices found.\n"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      g_autofree char *id = vid_pid (dev);
      const char *err = canteen_device_get_error (dev);
      printf ("%-12s %s  %-14s %-7s %s%s%s\n", canteen_device_kind_to_string (canteen_device_get_kind (dev)), id,
              canteen_device_get_driver (dev), canteen_device_state_to_string (canteen_device_get_state (dev)),
              canteen_device_get_location (dev), err ? "  " : "", err ? err : "");
    }
  return CLI_OK;
}

/* --- card read -------------------------------------------------------- */

typedef struct {
  gboolean            done;
  CanteenCardSession *session;
  char               *unreadable;
} CardWait;

static void
card_inserted (CanteenCardReader *reader, CanteenCardSession *session, CardWait *w)
{
  if (w->session == NULL)
    w->session = g_object_ref (session);
  w->done = TRUE;
}

static void
card_unreadable (CanteenCardReader *reader, const char *message, CardWait *w)
{
  g_free (w->unreadable);
  w->unreadable = g_strdup (message);
}

static void
watch_reader (CanteenDevice *dev, CardWait *w)
{
  CanteenCardSession *present;

  if (!CANTEEN_IS_CARD_READER (dev) || g_object_get_data (G_OBJECT (dev), "cli-watched"))
    return;
  g_object_set_data (G_OBJECT (dev), "cli-watched", w);
  g_signal_connect (dev, "card-inserted", G_CALLBACK (card_inserted), w);
  g_signal_connect (dev, "card-unreadable", G_CALLBACK (card_unreadable), w);
  present = canteen_card_reader_get_session (CANTEEN_CARD_READER (dev));
  if (present != NULL)
    card_inserted (CANTEEN_CARD_READER (dev), present, w);
}

static void
readers_changed (GListModel *list, guint position, guint removed, guint added, CardWait *w)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      watch_reader (dev, w);
    }
}

static int
cmd_card_read (CliGlobal *g, int argc, char **argv)
{
  double timeout = 10;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Seconds to wait for a tap (default 10)"), "S" },
    { NULL }
  };
  g_autoptr (CanteenDeviceManager) manager = NULL;
  CardWait w = { 0 };
  GListModel *list;
  GError *error = NULL;
  gboolean any_reader = FALSE;
  g_autofree char *atr = NULL;
  int rc = CLI_OK;

  if (!cli_parse_options ("card read", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (!(timeout > 0 && timeout <= 3600))
    return cli_usage_error (_("--timeout: must be between 0 and 3600 seconds, not %g"), timeout);
  if ((manager = start_devices (&error)) == NULL)
    return cli_fail (error);

  list = canteen_device_manager_get_devices (manager);
  g_signal_connect (list, "items-changed", G_CALLBACK (readers_changed), &w);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      any_reader |= CANTEEN_IS_CARD_READER (dev);
      watch_reader (dev, &w);
    }
  if (!any_reader)
    {
      g_signal_handlers_disconnect_by_data (list, &w);
      return cli_usage_error (_("card read: no card reader is attached (see canteenctl devices)"));
    }
  if (!g->json)
    fprintf (stderr, _("Waiting for a card (%g s)…\n"), timeout);
  if (!wait_for (&w.done, timeout))
    rc = w.unreadable ? cli_usage_error (_("card read: no card within %g s; last attempt: %s"), timeout, w.unreadable)
                      : cli_usage_error (_("card read: no card within %g s"), timeout);
  g_signal_handlers_disconnect_by_data (list, &w);

  if (w.session != NULL)
    {
      const char *uid = canteen_card_session_get_uid (w.session);
      const char *kind = canteen_card_kind_to_string (canteen_card_session_get_kind (w.session));
      atr = canteen_card_session_get_atr_hex (w.session);
      if (g->json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "uid");
          json_builder_add_string_value (b, uid);
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, kind);
          json_builder_set_member_name (b, "atr");
          if (atr != NULL)
            json_builder_add_string_value (b, atr);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
          cli_print_json (json_builder_get_root (b));
        }
      else
        /* Translators: the card's UID and kind; ATR (the card's answer to
         * reset, in hex, or nothing) follows as is. */
        printf (_("Card %s (%s)%s%s\n"), uid, kind, atr ? "  ATR " : "", atr ? atr : "");
    }
  g_clear_object (&w.session);
  g_free (w.unreadable);
  return rc;
}

/* --- scale read ------------------------------------------------------- */

static void
reading_changed (CanteenPosScale *scale, gboolean *stable)
{
  CanteenScaleReading r;

  if (canteen_pos_scale_get_reading (scale, &r) && r.stable)
    *stable = TRUE;
}

static int
cmd_scale_read (CliGlobal *g, int argc, char **argv)
{
  double timeout = 5;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Seconds to wait for a stable weight (default 5)"), "S" },
    { NULL }
  };
  g_autoptr (CanteenDeviceManager) manager = NULL;
  CanteenDevice *dev;
  CanteenScaleReading r;
  gboolean stable = FALSE;
  GError *error = NULL;

  if (!cli_parse_options ("scale read", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (!(timeout > 0 && timeout <= 3600))
    return cli_usage_error (_("--timeout: must be between 0 and 3600 seconds, not %g"), timeout);
  if ((manager = start_devices (&error)) == NULL)
    return cli_fail (error);
  dev = canteen_device_manager_find (manager, CANTEEN_DEVICE_KIND_SCALE);
  if (dev == NULL)
    return cli_usage_error (_("scale read: no scale is attached (see canteenctl devices)"));

  g_signal_connect (dev, "reading-changed", G_CALLBACK (reading_changed), &stable);
  reading_changed (CANTEEN_POS_SCALE (dev), &stable);
  (void) wait_for (&stable, timeout);
  g_signal_handlers_disconnect_by_data (dev, &stable);

  if (canteen_device_get_state (dev) == CANTEEN_DEVICE_STATE_FAILED)
    return cli_usage_error ("scale read: %s", canteen_device_get_error (dev));
  if (!canteen_pos_scale_get_reading (CANTEEN_POS_SCALE (dev), &r))
    return cli_usage_error (_("scale read: %s sent no weight within %g s"), canteen_device_get_name (dev), timeout);
  if (g->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "grams");
      if (r.valid)
        json_builder_add_int_value (b, r.grams);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "stable");
      json_builder_add_boolean_value (b, r.stable);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, canteen_scale_status_to_string (r.status));
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else if (r.valid)
    printf ("%d g%s\n", r.grams, r.stable ? "" : _(" (not stable yet)"));
  else
    /* Translators: followed by the scale's status id. */
    printf (_("no weight: %s\n"), canteen_scale_status_to_string (r.status));
  return r.valid ? CLI_OK : CLI_FAILED;
}

/* --- print test ------------------------------------------------------- */

static GBytes *
test_page (GError **error)
{
  g_autoptr (CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  static const char qr[] = "canteen:print-test";

  canteen_escpos_initialize (doc);
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_CENTER);
  canteen_escpos_size (doc, TRUE, TRUE);
  if (!canteen_escpos_line (doc, "打印测试", error))
    return NULL;
  canteen_escpos_size (doc, FALSE, FALSE);
  if (!canteen_escpos_line (doc, "Printer test", error)
      || !canteen_escpos_line (doc, when, error))
    return NULL;
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_LEFT);
  if (!canteen_escpos_line (doc, "中文：红烧肉 ¥12.00  米饭 ¥1.00", error)
      || !canteen_escpos_line (doc, "ASCII: 0123456789 ABCDEFGHIJ", error))
    return NULL;
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_CENTER);
  if (!canteen_escpos_qr (doc, (const guint8 *) qr, sizeof qr - 1, 6, error))
    return NULL;
  canteen_escpos_feed (doc, 3);
  canteen_escpos_cut (doc, CANTEEN_ESCPOS_CUT_PARTIAL, 0);
  return canteen_escpos_free_to_bytes (g_steal_pointer (&doc));
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} PrintWait;

static void
printed (GObject *source, GAsyncResult *result, gpointer data)
{
  PrintWait *w = data;

  w->ok = canteen_escpos_printer_print_finish (CANTEEN_ESCPOS_PRINTER (source), result, &w->error);
  w->done = TRUE;
}

static int
cmd_print_test (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (CanteenDeviceManager) manager = NULL;
  g_autoptr (GBytes) page = NULL;
  CanteenDevice *dev;
  PrintWait w = { 0 };
  GError *error = NULL;

  if (!cli_parse_options ("print test", "", entries, &argc, &argv))
    return CLI_FAILED;
  if ((page = test_page (&error)) == NULL)
    return cli_fail (error);
  if ((manager = start_devices (&error)) == NULL)
    return cli_fail (error);
  dev = canteen_device_manager_find (manager, CANTEEN_DEVICE_KIND_PRINTER);
  if (dev == NULL)
    return cli_usage_error (_("print test: no receipt printer is attached (see canteenctl devices)"));

  canteen_escpos_printer_print (CANTEEN_ESCPOS_PRINTER (dev), page, NULL, printed, &w);
  /* The driver's own timeouts end the job; this bound is a backstop. */
  (void) wait_for (&w.done, 60);
  if (!w.done)
    return cli_usage_error (_("print test: %s did not finish"), canteen_device_get_name (dev));
  if (!w.ok)
    return cli_fail (w.error);
  if (g->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "printed");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) g_bytes_get_size (page));
      json_builder_set_member_name (b, "printer");
      json_builder_add_string_value (b, canteen_device_get_name (dev));
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    printf (_("Printed a test page (%zu bytes) on %s.\n"), (size_t) g_bytes_get_size (page),
            canteen_device_get_name (dev));
  return CLI_OK;
}

const CliCommand cli_device_commands[] = {
  { "devices",    N_("List card readers, scales and printers, and their state"), cmd_devices },
  { "card read",  N_("Wait for a card tap and show its UID and kind"),           cmd_card_read },
  { "scale read", N_("Show the scale's weight in grams"),                        cmd_scale_read },
  { "print test", N_("Print a test receipt (Chinese text, QR code, cut)"),        cmd_print_test },
  { NULL }
};
