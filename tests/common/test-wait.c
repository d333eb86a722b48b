/* test-wait.c — see test-wait.h. */
#include "test-wait.h"

static gboolean
flag_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_wait_until (gboolean (*cond) (gpointer data), gpointer data, guint ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, flag_timeout, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

gboolean
test_is_true (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
test_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

void
test_spin_ms (guint ms)
{
  gboolean never = FALSE;

  (void) test_wait_until (test_is_true, &never, ms);
}
