/* kiosk-test-app.c — shutdown and finalization of an in-process kiosk app. */
#include "kiosk-test-app.h"

void
kiosk_test_app_finish (CanteenKioskApp **app)
{
  static gboolean warned;
  GList *windows;

  /* Every window (a language switch makes new ones) before the app. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (*app))) != NULL)
    gtk_window_destroy (windows->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_emit_by_name (*app, "shutdown");

  if (!warned)
    g_test_expect_message ("GLib-GIO", G_LOG_LEVEL_WARNING, "*did not unregister from D-Bus*");
  g_object_add_weak_pointer (G_OBJECT (*app), (gpointer *) app);
  g_object_unref (*app);
  g_assert_null (*app);
  if (!warned)
    g_test_assert_expected_messages ();
  warned = TRUE;
}
