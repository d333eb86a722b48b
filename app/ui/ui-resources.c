/* ui-resources.c — registers the compiled GResource once.
 *
 * The resource is compiled with --manual-register (see assets/meson.build)
 * because it lives in a static library: its automatic constructor would be
 * dropped by the linker whenever no other symbol of its object is used.
 */
#include "ui-resources.h"

#include <gio/gio.h>

#include "canteen-resources.h"

void
canteen_ui_resources_ensure (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      canteen_ui_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}
