/* emu-timer.h — the emulators' own clock (internal to devices/emulator).
 *
 * Contract: one process-wide thread, started on first use, runs a GLib main
 * context that only the emulators use. Timed behaviour of an emulated device
 * (a reply held back by N ms, a tapped card taken away, a scale's periodic
 * report) runs there, so it happens on time whatever the test's or the
 * program's own main loop is doing — a test blocked in a synchronous libusb
 * call included. A timer is tied to an object by a weak reference: once the
 * object is finalized the callback is not called any more, and a timer never
 * keeps its object alive.
 *
 * Callbacks run on the timer thread; they must take their object's lock.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Called with a strong reference to `object` held for the call. Return
 * G_SOURCE_CONTINUE to run again after the same interval. */
typedef gboolean (*CanteenEmuTimerFunc) (GObject *object, gpointer user_data);

/* Returns a source id for canteen_emu_timer_cancel(); never 0. `destroy`
 * frees `user_data` when the timer ends (fired once, cancelled, or its
 * object gone). */
guint canteen_emu_timer_add (GObject *object, guint interval_ms, CanteenEmuTimerFunc func,
                             gpointer user_data, GDestroyNotify destroy);
/* Safe from any thread, also for a timer that has already ended. */
void  canteen_emu_timer_cancel (guint id);

G_END_DECLS
