/* main.c — the canteen-kiosk program: everything lives in CanteenKioskApp
 * (canteen-kiosk-lib), so the tests link the same code this runs. */
#include "emu-testbed.h"
#include "kiosk-app.h"
#include "kiosk-emulation.h"
#include "kiosk-i18n.h"
#include "vision.h"

int
main (int argc, char *argv[])
{
  g_autoptr(CanteenKioskApp) app = NULL;

  /* Trays are analysed over and over: keep their buffers (vision.h). */
  canteen_vision_keep_freed_memory ();

  /* Emulated devices need libumockdev-preload in the process from its
   * start: re-execute with it now, before anything else runs. Only when
   * asked for — a plain kiosk never re-executes itself. */
  if (canteen_kiosk_emulation_wanted (argc, argv))
    {
      g_autoptr(GError) error = NULL;

      if (!canteen_emu_ensure_preload (argv, &error))
        {
          g_printerr ("canteen-kiosk: %s\n", error->message);
          return 1;
        }
    }

  /* Before the app exists, so --help and option errors are translated. */
  canteen_kiosk_i18n_init ();
  app = canteen_kiosk_app_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
