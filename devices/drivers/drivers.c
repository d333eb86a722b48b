#include "drivers.h"

const GType *
canteen_drivers_get_types (guint *n_types)
{
  static GType types[4];
  static gsize done;

  if (g_once_init_enter (&done))
    {
      /* Specific id tables (VID:PID) before class matches. */
      types[0] = canteen_hid_reader_get_type ();
      types[1] = canteen_pos_scale_get_type ();
      types[2] = canteen_escpos_printer_get_type ();
      types[3] = canteen_ccid_reader_get_type ();
      g_once_init_leave (&done, 1);
    }
  *n_types = G_N_ELEMENTS (types);
  return types;
}
