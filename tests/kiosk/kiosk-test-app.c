/* kiosk-test-app.c — a kiosk test's start, and start, shutdown and
 * finalization of an in-process kiosk app; see kiosk-test-app.h. */
#include "kiosk-test-app.h"

#include <glib/gstdio.h>

#include "emu-testbed.h"
#include "kiosk-devices.h"
#include "kiosk-i18n.h"
#include "test-wait.h"

CanteenKioskApp *
kiosk_test_app_start (const char *first_property, ...)
{
  g_autoptr(GError) error = NULL;
  CanteenKioskApp *app;
  va_list args;

  va_start (args, first_property);
  app = CANTEEN_KIOSK_APP (g_object_new_valist (CANTEEN_TYPE_KIOSK_APP, first_property, args));
  va_end (args);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  /* The checkout's window, or the return station's. */
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));
  return app;
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

void
kiosk_test_app_screenshot (CanteenKioskApp *app, const char *name, guint wait_ms)
{
  const char *dir = g_getenv ("CANTEEN_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  path = g_build_filename (dir, name, NULL);
  g_unlink (path);
  g_action_group_activate_action (G_ACTION_GROUP (app), "screenshot", g_variant_new_string (path));
  g_assert_true (test_wait_until (file_exists, path, wait_ms));
  g_test_message ("screenshot: %s", path);
}

char *
kiosk_test_app_state (CanteenKioskApp *app, const char *action)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (app), action);
  return g_variant_dup_string (state, NULL);
}

char *
kiosk_test_app_page (CanteenKioskApp *app)
{
  return kiosk_test_app_state (app, "page");
}

typedef struct { CanteenKioskApp *app; const char *action, *want; guint n; } AppWait;

static gboolean
state_is (gpointer data)
{
  AppWait *w = data;
  g_autofree char *now = kiosk_test_app_state (w->app, w->action);
  return g_str_equal (now, w->want);
}

void
kiosk_test_app_wait_for_state (CanteenKioskApp *app, const char *action, const char *want, guint wait_ms)
{
  AppWait w = { app, action, want, 0 };

  if (!test_wait_until (state_is, &w, wait_ms))
    {
      g_autofree char *now = kiosk_test_app_state (app, action);
      g_error ("app.%s is still “%s”, expected “%s”", action, now, want);
    }
}

void
kiosk_test_app_wait_for_page (CanteenKioskApp *app, const char *page, guint wait_ms)
{
  kiosk_test_app_wait_for_state (app, "page", page, wait_ms);
}

static gboolean
devices_ready (gpointer data)
{
  AppWait *w = data;
  GListModel *list = canteen_kiosk_devices_get_list (canteen_kiosk_app_get_devices (w->app));
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CanteenDevice) device = g_list_model_get_item (list, i);
      if (canteen_device_get_state (device) != CANTEEN_DEVICE_STATE_READY)
        return FALSE;
    }
  return n == w->n;
}

void
kiosk_test_app_wait_for_devices (CanteenKioskApp *app, guint n, guint wait_ms)
{
  AppWait w = { app, NULL, NULL, n };

  g_assert_true (test_wait_until (devices_ready, &w, wait_ms));
}

void
kiosk_test_remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        kiosk_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

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

void
kiosk_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  /* The emulated devices need libumockdev-preload from the start. */
  if (!canteen_emu_ensure_preload (*argv, &error))
    g_error ("%s", error->message);
  /* First, before anything translates (see kiosk-i18n.h). */
  canteen_kiosk_i18n_init ();
  g_test_init (argc, argv, NULL);
}
