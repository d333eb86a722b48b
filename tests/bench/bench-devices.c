/* bench-devices — card tap to UID on the main loop, and idle CPU with
 * devices attached, through the real drivers and emulated USB devices.
 *
 * Baselines from the same run: for a tap, one APDU round trip through the
 * same reader (a tap is notification + power on + UID, so about three);
 * for idle CPU, the same process idling with no device attached.
 */
#include <sys/resource.h>

#include "bench.h"
#include "card-session.h"
#include "device-manager.h"
#include "drivers.h"
#include "emu-card.h"
#include "emu-ccid-reader.h"
#include "emu-hid-reader.h"
#include "emu-printer.h"
#include "emu-scale.h"
#include "emu-testbed.h"
#include "test-wait.h"

/* Runs the main loop until *done; the benchmark is void if it never comes. */
static void
run_until (gboolean *done, guint ms)
{
  if (!test_wait_until (test_is_true, done, ms))
    g_error ("bench: gave up waiting");
}

static double
cpu_seconds (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return (double) (u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double) (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double
idle_cpu_percent (guint seconds)
{
  double before = cpu_seconds ();

  test_spin_ms (seconds * 1000);
  return (cpu_seconds () - before) * 100.0 / seconds;
}

static void
kick (gpointer device, gpointer user_data)
{
  canteen_usb_context_kick (user_data);
}

static CanteenDevice *
find (CanteenDeviceManager *m, const char *driver)
{
  GListModel *list = canteen_device_manager_get_devices (m);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (CanteenDevice) dev = g_list_model_get_item (list, i);
      if (g_str_equal (canteen_device_get_driver (dev), driver)
          && canteen_device_get_state (dev) == CANTEEN_DEVICE_STATE_READY)
        return dev;
    }
  return NULL;
}

typedef struct {
  gint64   t_end;
  gboolean done;
} Stamp;

static void
on_inserted (CanteenCardReader *reader, CanteenCardSession *session, Stamp *s)
{
  s->t_end = g_get_monotonic_time ();
  s->done = TRUE;
}

static void
on_removed (CanteenCardReader *reader, CanteenCardSession *session, Stamp *s)
{
  s->done = TRUE;
}

static void
on_command (GObject *source, GAsyncResult *res, gpointer data)
{
  Stamp *s = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = canteen_card_session_command_finish (CANTEEN_CARD_SESSION (source), res, &error);

  if (reply == NULL)
    g_error ("bench: %s", error->message);
  s->t_end = g_get_monotonic_time ();
  s->done = TRUE;
}

static void
report (const char *name, GArray *lat, double base_p50)
{
  double p50 = bench_percentile (lat, 50), p95 = bench_percentile (lat, 95);

  if (base_p50 > 0)
    bench_row (name, "p50 %6.0f µs  p95 %6.0f µs  (%.2f× one APDU round trip)", p50, p95, p50 / base_p50);
  else
    bench_row (name, "p50 %6.0f µs  p95 %6.0f µs  (baseline)", p50, p95);
}

/* Taps `n` times; with `kicked` the emulator wakes the loop (in-process),
 * without it the tick alone reaps (as for an emulator in another process). */
static void
measure_taps (CanteenDeviceManager *m, CanteenEmuCcidReader *emu, CanteenEmuCard *card,
              int n, gboolean kicked, double base_p50)
{
  CanteenDevice *reader = find (m, "ccid");
  g_autoptr (GArray) lat = bench_latencies_new ();
  Stamp s = { 0 };
  gulong in_id, out_id;

  if (!kicked)
    canteen_emu_device_set_notify (CANTEEN_EMU_DEVICE (emu), NULL, NULL, NULL);
  in_id = g_signal_connect (reader, "card-inserted", G_CALLBACK (on_inserted), &s);
  out_id = g_signal_connect (reader, "card-removed", G_CALLBACK (on_removed), &s);
  for (int i = 0; i < n; i++)
    {
      gint64 t0;
      s.done = FALSE;
      t0 = g_get_monotonic_time ();
      canteen_emu_ccid_reader_insert (emu, card);
      run_until (&s.done, 5000);
      bench_record (lat, s.t_end - t0);
      s.done = FALSE;
      canteen_emu_ccid_reader_remove (emu);
      run_until (&s.done, 5000);
    }
  g_signal_handler_disconnect (reader, in_id);
  g_signal_handler_disconnect (reader, out_id);
  report (kicked ? "tap → UID (CCID)" : "tap → UID, no kick", lat, base_p50);
}

static double
measure_apdu (CanteenDeviceManager *m, CanteenEmuCcidReader *emu, CanteenEmuCard *card, int n)
{
  CanteenDevice *reader = find (m, "ccid");
  g_autoptr (GArray) lat = bench_latencies_new ();
  Stamp s = { 0 };
  CanteenCardSession *session;
  gulong id = g_signal_connect (reader, "card-inserted", G_CALLBACK (on_inserted), &s);
  double p50;

  canteen_emu_ccid_reader_insert (emu, card);
  run_until (&s.done, 5000);
  g_signal_handler_disconnect (reader, id);
  session = canteen_card_reader_get_session (CANTEEN_CARD_READER (reader));
  for (int i = 0; i < n; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      s.done = FALSE;
      canteen_card_session_select (session, (const guint8 *) CANTEEN_EMU_CARD_AID, CANTEEN_EMU_CARD_AID_LEN,
                                   NULL, on_command, &s);
      run_until (&s.done, 5000);
      bench_record (lat, s.t_end - t0);
    }
  canteen_emu_ccid_reader_remove (emu);
  s.done = FALSE;
  test_spin_ms (100);
  p50 = bench_percentile (lat, 50);
  report ("one APDU round trip", lat, 0);
  return p50;
}

static void
measure_hid_taps (CanteenDeviceManager *m, CanteenEmuHidReader *emu, int n)
{
  CanteenDevice *reader = find (m, "hid-reader");
  g_autoptr (GArray) lat = bench_latencies_new ();
  Stamp s = { 0 };
  gulong id = g_signal_connect (reader, "card-inserted", G_CALLBACK (on_inserted), &s);

  for (int i = 0; i < n; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      s.done = FALSE;
      canteen_emu_hid_reader_tap (emu, "3735928559");
      run_until (&s.done, 5000);
      bench_record (lat, s.t_end - t0);
    }
  g_signal_handler_disconnect (reader, id);
  bench_row ("tap → UID (HID wedge)", "p50 %6.0f µs  p95 %6.0f µs  (22 key reports)",
             bench_percentile (lat, 50), bench_percentile (lat, 95));
}

void
bench_devices (int n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CanteenEmuTestbed) tb = NULL;
  g_autoptr (CanteenEmuCcidReader) ccid = NULL;
  g_autoptr (CanteenEmuHidReader) hid = NULL;
  g_autoptr (CanteenEmuScale) scale = NULL;
  g_autoptr (CanteenEmuPrinter) printer = NULL;
  g_autoptr (CanteenEmuCard) card = NULL;
  g_autoptr (CanteenDeviceManager) manager = NULL;
  static const guint8 uid[] = { 0x04, 0xA1, 0xB2, 0xC3 };
  double idle_none, idle_tick, idle_kick, base;
  const guint idle_s = 5;

  bench_section ("devices (real drivers, emulated USB devices)");
  tb = canteen_emu_testbed_new ();

  /* Baseline: the loop with a USB context and no device at all. */
  manager = canteen_device_manager_new (&error);
  if (manager == NULL || !canteen_device_manager_start (manager, &error))
    g_error ("bench: %s", error->message);
  idle_none = idle_cpu_percent (idle_s);
  g_clear_object (&manager);

  ccid = canteen_emu_ccid_reader_new ();
  hid = canteen_emu_hid_reader_new ();
  scale = canteen_emu_scale_new ();
  printer = canteen_emu_printer_new ();
  card = canteen_emu_card_new_cpu (uid, sizeof uid, NULL, NULL);
  canteen_emu_scale_set_grams (scale, 420);
  if (!canteen_emu_testbed_add (tb, CANTEEN_EMU_DEVICE (ccid), &error)
      || !canteen_emu_testbed_add (tb, CANTEEN_EMU_DEVICE (hid), &error)
      || !canteen_emu_testbed_add (tb, CANTEEN_EMU_DEVICE (scale), &error)
      || !canteen_emu_testbed_add (tb, CANTEEN_EMU_DEVICE (printer), &error))
    g_error ("bench: %s", error->message);
  manager = canteen_device_manager_new (&error);
  if (manager == NULL || !canteen_device_manager_start (manager, &error))
    g_error ("bench: %s", error->message);
  test_spin_ms (500);
  if (find (manager, "ccid") == NULL || find (manager, "hid-reader") == NULL)
    g_error ("bench: the emulated readers did not come up");

  /* Emulated devices are always poll-ready, so without help the context
   * reaps on a 50 ms tick (an emulator in another process); an emulator in
   * this process kicks the loop instead, and the tick is a 1 s safety net.
   * Real hardware needs neither: its descriptors are polled directly. */
  idle_tick = idle_cpu_percent (idle_s);
  {
    CanteenEmuDevice *all[] = { CANTEEN_EMU_DEVICE (ccid), CANTEEN_EMU_DEVICE (hid),
                                CANTEEN_EMU_DEVICE (scale), CANTEEN_EMU_DEVICE (printer) };
    for (guint i = 0; i < G_N_ELEMENTS (all); i++)
      canteen_emu_device_set_notify (all[i], kick, g_object_ref (canteen_device_manager_get_usb_context (manager)),
                                     g_object_unref);
    canteen_usb_context_set_emulated_tick (canteen_device_manager_get_usb_context (manager), 1000);
  }
  idle_kick = idle_cpu_percent (idle_s);
  bench_row ("idle, no device", "%5.2f %% of a core (baseline)", idle_none);
  bench_row ("idle, 4 devices, kick", "%5.2f %% of a core (%+.2f points; emulator included)",
             idle_kick, idle_kick - idle_none);
  bench_row ("idle, 4 devices, tick", "%5.2f %% of a core (%+.2f points; 50 ms reaping tick)",
             idle_tick, idle_tick - idle_none);

  base = measure_apdu (manager, ccid, card, n);
  measure_taps (manager, ccid, card, n, TRUE, base);
  canteen_usb_context_set_emulated_tick (canteen_device_manager_get_usb_context (manager), 50);
  measure_taps (manager, ccid, card, MAX (n / 10, 10), FALSE, base);
  measure_hid_taps (manager, hid, MAX (n / 4, 10));
  canteen_emu_device_set_notify (CANTEEN_EMU_DEVICE (ccid), NULL, NULL, NULL);
  canteen_emu_device_set_notify (CANTEEN_EMU_DEVICE (hid), NULL, NULL, NULL);
  g_clear_object (&manager);
}
