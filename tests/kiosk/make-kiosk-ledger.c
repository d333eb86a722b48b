/* make-kiosk-ledger.c — writes the kiosk test ledger to argv[1].
 *
 * Used by the end-to-end test (and handy for trying the kiosk by hand:
 * `make-kiosk-ledger /tmp/k.db && canteen-kiosk --db /tmp/k.db --windowed --demo`).
 */
#include <glib/gstdio.h>

#include "kiosk-fixture.h"

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenLedger) ledger = NULL;

  if (argc != 2)
    {
      g_printerr ("usage: %s LEDGER-FILE (must not exist)\n", argv[0]);
      return 2;
    }
  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_printerr ("%s: already exists\n", argv[1]);
      return 1;
    }
  ledger = kiosk_fixture_create (argv[1], &error);
  if (ledger == NULL)
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return 1;
    }
  return 0;
}
