#include "emu-timer.h"

/* The timer thread and its context live for the rest of the process once
 * started: devices may be created and dropped many times by one test run,
 * and a thread per device would only add start-up cost and shutdown races. */
static GMainContext *timer_context;
static GMutex timers_lock;
static GHashTable *timers;          /* id → GSource (ref held), under timers_lock */
static guint next_id = 1;

typedef struct {
  GWeakRef object;
  CanteenEmuTimerFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  guint id;
} Timer;

static gpointer
timer_thread (gpointer data)
{
  GMainLoop *loop = g_main_loop_new (timer_context, FALSE);

  g_main_context_push_thread_default (timer_context);
  g_main_loop_run (loop);             /* never quits */
  return NULL;
}

static GMainContext *
get_timer_context (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      timer_context = g_main_context_new ();
      timers = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_thread_unref (g_thread_new ("canteen-emu-timer", timer_thread, NULL));
      g_once_init_leave (&started, 1);
    }
  return timer_context;
}

static void
timer_free (gpointer data)
{
  Timer *t = data;
  GSource *source;

  g_mutex_lock (&timers_lock);
  source = g_hash_table_lookup (timers, GUINT_TO_POINTER (t->id));
  g_hash_table_remove (timers, GUINT_TO_POINTER (t->id));
  g_mutex_unlock (&timers_lock);
  /* The table's reference; the context still holds its own until this
   * notify returns. */
  if (source)
    g_source_unref (source);

  if (t->destroy)
    t->destroy (t->user_data);
  g_weak_ref_clear (&t->object);
  g_free (t);
}

static gboolean
timer_fire (gpointer data)
{
  Timer *t = data;
  g_autoptr(GObject) object = g_weak_ref_get (&t->object);

  if (!object)
    return G_SOURCE_REMOVE;
  return t->func (object, t->user_data);
}

guint
canteen_emu_timer_add (GObject *object, guint interval_ms, CanteenEmuTimerFunc func,
                       gpointer user_data, GDestroyNotify destroy)
{
  GMainContext *ctx = get_timer_context ();
  Timer *t = g_new0 (Timer, 1);
  GSource *source;

  g_weak_ref_init (&t->object, object);
  t->func = func;
  t->user_data = user_data;
  t->destroy = destroy;

  source = g_timeout_source_new (interval_ms);
  g_source_set_static_name (source, "canteen-emu-timer");
  g_source_set_callback (source, timer_fire, t, timer_free);

  g_mutex_lock (&timers_lock);
  t->id = next_id++;
  if (next_id == 0)
    next_id = 1;
  g_hash_table_insert (timers, GUINT_TO_POINTER (t->id), source);   /* takes the new ref */
  g_mutex_unlock (&timers_lock);

  /* Attached last: once attached it may fire (and end) at once. */
  g_source_attach (source, ctx);
  return t->id;
}

void
canteen_emu_timer_cancel (guint id)
{
  GSource *source = NULL;

  if (id == 0 || !timers)
    return;
  g_mutex_lock (&timers_lock);
  source = g_hash_table_lookup (timers, GUINT_TO_POINTER (id));
  if (source)
    g_source_ref (source);
  g_mutex_unlock (&timers_lock);
  if (source)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
}
