/* main.c — the canteen-kiosk program: everything lives in CanteenKioskApp
 * (canteen-kiosk-lib), so the tests link the same code this runs. */
#include "kiosk-app.h"
#include "kiosk-i18n.h"

int
main (int argc, char *argv[])
{
  g_autoptr(CanteenKioskApp) app = NULL;

  /* Before the app exists, so --help and option errors are translated. */
  canteen_kiosk_i18n_init ();
  app = canteen_kiosk_app_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
