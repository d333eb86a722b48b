/* test-wait.h — waiting on the GLib main loop, for tests and benchmarks
 * that drive devices, emulators or the kiosk on the default main context.
 * Depends on GLib only (tests/common/meson.build: test_wait_dep). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterates the default main context until `cond (data)` holds or `ms`
 * milliseconds pass; returns `cond (data)` at the end. */
gboolean test_wait_until (gboolean (*cond) (gpointer data), gpointer data, guint ms);
/* Iterates the default main context for `ms` milliseconds. */
void     test_spin_ms (guint ms);
/* Conditions: `*(gboolean *) data`, and `*(gpointer *) data != NULL`. */
gboolean test_is_true (gpointer data);
gboolean test_is_set (gpointer data);

G_END_DECLS
