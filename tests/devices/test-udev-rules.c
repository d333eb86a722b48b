/* test-udev-rules — assets/udev/70-canteen-devices.rules gives access to
 * every device a driver would claim: each VID:PID in the id tables, and
 * each interface class matched without a VID:PID. A driver that learns a new
 * scale without the rule would fail on a real kiosk with "permission
 * denied", which no emulated test would notice.
 */
#include "drivers.h"

static char *rules;

static void
test_every_id_has_a_rule (void)
{
  guint n_types;
  const GType *types = canteen_drivers_get_types (&n_types);
  guint checked = 0;

  g_assert_cmpuint (n_types, ==, 4);
  for (guint i = 0; i < n_types; i++)
    {
      g_autoptr(GTypeClass) klass = g_type_class_ref (types[i]);
      const CanteenUsbId *id = CANTEEN_DEVICE_CLASS (klass)->id_table;

      for (; !id->end; id++)
        {
          g_autofree char *needle = NULL;
          if (id->vid == 0x1209)          /* the emulated devices (pid.codes test VID) */
            continue;
          if (id->vid != 0)
            needle = g_strdup_printf ("ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\"", id->vid, id->pid);
          else if (id->iface_class == 0xFF)
            continue;                     /* vendor class: only with a CCID descriptor, same rule as 0x0B */
          else if (id->iface_subclass >= 0)
            needle = g_strdup_printf ("*:%02x%02x??:*", id->iface_class, id->iface_subclass);
          else
            needle = g_strdup_printf ("*:%02x????:*", id->iface_class);
          if (strstr (rules, needle) == NULL)
            g_error ("driver %s: no udev rule with %s", CANTEEN_DEVICE_CLASS (klass)->driver, needle);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >=, 10);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!g_file_get_contents (g_getenv ("CANTEEN_UDEV_RULES"), &rules, NULL, &error))
    g_error ("%s", error->message);
  g_test_add_func ("/udev-rules/every-id-has-a-rule", test_every_id_has_a_rule);
  return g_test_run ();
}
