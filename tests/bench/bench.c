/* canteen-bench — the benchmarks behind `./canteen bench [NAME...]`. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

#include "emu-testbed.h"

GArray *
bench_latencies_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gint64));
}

void
bench_record (GArray *lat, gint64 us)
{
  g_array_append_val (lat, us);
}

static gint
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

double
bench_percentile (GArray *lat, double p)
{
  guint index;

  if (lat->len == 0)
    return 0;
  g_array_sort (lat, compare_i64);
  index = (guint) ((p / 100.0) * (lat->len - 1) + 0.5);
  return (double) g_array_index (lat, gint64, MIN (index, lat->len - 1));
}

void
bench_section (const char *title)
{
  printf ("\n== %s\n", title);
}

void
bench_row (const char *name, const char *fmt, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, fmt);
  text = g_strdup_vprintf (fmt, args);
  va_end (args);
  printf ("  %-22s %s\n", name, text);
  fflush (stdout);
}

static gboolean
wants (int argc, char **argv, const char *name)
{
  return argc < 2 || g_strv_contains ((const char * const *) argv + 1, name);
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("CANTEEN_BENCH_DIR") ? g_getenv ("CANTEEN_BENCH_DIR") : ".";
  int n = g_getenv ("CANTEEN_BENCH_N") ? atoi (g_getenv ("CANTEEN_BENCH_N")) : 2000;
  g_autoptr (GError) error = NULL;

  for (int i = 1; i < argc; i++)
    if (!g_str_equal (argv[i], "ledger") && !g_str_equal (argv[i], "devices"))
      {
        fprintf (stderr, "canteen-bench: unknown benchmark “%s” (known: ledger, devices)\n", argv[i]);
        return 1;
      }
  if (wants (argc, argv, "ledger"))
    bench_ledger (dir, MAX (n, 100));
  if (wants (argc, argv, "devices"))
    {
      /* The USB emulation needs its preload library from the start of a
       * process; the ledger figures are taken without it. */
      if (argc < 2 || wants (argc, argv, "ledger"))
        {
          const char *child[] = { argv[0], "devices", NULL };
          int status = 0;
          if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                             NULL, NULL, &status, &error)
              || !g_spawn_check_wait_status (status, &error))
            {
              fprintf (stderr, "canteen-bench: devices: %s\n", error->message);
              return 1;
            }
          return 0;
        }
      if (!canteen_emu_ensure_preload (argv, &error))
        {
          fprintf (stderr, "canteen-bench: %s\n", error->message);
          return 1;
        }
      bench_devices (MAX (n / 10, 50));
    }
  return 0;
}
