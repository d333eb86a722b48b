/* bench.h — what the benchmarks share: latency samples, percentiles and a
 * uniform way to print figures (always with the same-run baseline). */
#pragma once

#include <glib.h>

GArray *bench_latencies_new (void);                  /* gint64 µs */
void    bench_record (GArray *lat, gint64 us);
double  bench_percentile (GArray *lat, double p);    /* sorts lat */
void    bench_section (const char *title);
void    bench_row (const char *name, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

void    bench_ledger (const char *dir, int n);
void    bench_devices (int n);
