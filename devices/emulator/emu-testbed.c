#include "emu-testbed.h"

#include <errno.h>
#include <unistd.h>

#define PRELOAD_LIB "libumockdev-preload.so.0"
#define REEXEC_MARK "CANTEEN_EMU_REEXEC"

/* Where a device is plugged in. The port stays across replugs (the same
 * socket on the hub); the device number is new each time, as the kernel's. */
typedef struct {
  CanteenEmuDevice *device;
  guint  port;
  guint  devnum;          /* 0 while unplugged */
  char  *sysfs_path;      /* "/sys/devices/..." while plugged */
  char  *devnode;
} Plug;

struct _CanteenEmuTestbed {
  GObject parent_instance;

  UMockdevTestbed *umockdev;
  char   *root_dir;
  GMutex  lock;
  GPtrArray *plugs;       /* Plug* */
  guint   next_port;
  guint   next_devnum;
};

G_DEFINE_FINAL_TYPE (CanteenEmuTestbed, canteen_emu_testbed, G_TYPE_OBJECT)

static void
plug_free (gpointer data)
{
  Plug *plug = data;

  g_object_unref (plug->device);
  g_free (plug->sysfs_path);
  g_free (plug->devnode);
  g_free (plug);
}

static Plug *
find_plug (CanteenEmuTestbed *self, CanteenEmuDevice *device)
{
  for (guint i = 0; i < self->plugs->len; i++)
    {
      Plug *plug = g_ptr_array_index (self->plugs, i);
      if (plug->device == device)
        return plug;
    }
  return NULL;
}

static void
canteen_emu_testbed_finalize (GObject *object)
{
  CanteenEmuTestbed *self = CANTEEN_EMU_TESTBED (object);

  /* Devices first: their clients' URBs refer to umockdev's connections. */
  for (guint i = 0; i < self->plugs->len; i++)
    {
      Plug *plug = g_ptr_array_index (self->plugs, i);
      if (plug->devnum)
        canteen_emu_device_disconnect (plug->device);
    }
  g_ptr_array_unref (self->plugs);
  g_clear_object (&self->umockdev);
  g_free (self->root_dir);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (canteen_emu_testbed_parent_class)->finalize (object);
}

static void
canteen_emu_testbed_class_init (CanteenEmuTestbedClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_emu_testbed_finalize;
}

static void
canteen_emu_testbed_init (CanteenEmuTestbed *self)
{
  g_mutex_init (&self->lock);
  self->plugs = g_ptr_array_new_with_free_func (plug_free);
  self->next_port = 1;
  self->next_devnum = 2;          /* 1 is the root hub's */
}

CanteenEmuTestbed *
canteen_emu_testbed_new (void)
{
  CanteenEmuTestbed *self = g_object_new (CANTEEN_EMU_TYPE_TESTBED, NULL);

  /* Makes $TMPDIR/umockdev.XXXXXX and sets UMOCKDEV_DIR in this process. */
  self->umockdev = umockdev_testbed_new ();
  self->root_dir = umockdev_testbed_get_root_dir (self->umockdev);
  return self;
}

UMockdevTestbed *
canteen_emu_testbed_get_umockdev (CanteenEmuTestbed *self)
{
  return self->umockdev;
}

const char *
canteen_emu_testbed_get_root_dir (CanteenEmuTestbed *self)
{
  return self->root_dir;
}

/* An attribute value in the .umockdev text: C escapes, one line. */
static void
append_attr (GString *s, const char *name, const char *value)
{
  g_autofree char *escaped = NULL;

  if (!value)
    return;
  escaped = g_strescape (value, NULL);
  g_string_append_printf (s, "A: %s=%s\\n\n", name, escaped);
}

static char *
describe (CanteenEmuDevice *device, const Plug *plug)
{
  GString *s = g_string_new (NULL);
  GBytes *descriptors = canteen_emu_device_get_descriptors (device);
  const CanteenEmuLayout *layout = canteen_emu_device_get_layout (device);
  gsize len;
  const guint8 *d = g_bytes_get_data (descriptors, &len);
  guint16 vid = layout->vendor_id, pid = layout->product_id;
  guint16 bcd = (guint16) (d[12] | d[13] << 8);
  char num[16];

  g_string_append_printf (s, "P: /devices/pci0000:00/0000:00:14.0/usb1/1-%u\n", plug->port);
  g_string_append_printf (s, "N: bus/usb/001/%03u\n", plug->devnum);
  g_string_append_printf (s, "E: DEVNAME=/dev/bus/usb/001/%03u\n", plug->devnum);
  g_string_append (s, "E: DEVTYPE=usb_device\n");
  g_string_append (s, "E: DRIVER=usb\n");
  g_string_append_printf (s, "E: PRODUCT=%x/%x/%x\n", vid, pid, bcd);
  g_string_append_printf (s, "E: TYPE=%u/%u/%u\n", d[4], d[5], d[6]);
  g_string_append (s, "E: BUSNUM=001\n");
  g_string_append_printf (s, "E: DEVNUM=%03u\n", plug->devnum);
  g_string_append (s, "E: MAJOR=189\n");
  g_string_append_printf (s, "E: MINOR=%u\n", plug->devnum - 1);
  g_string_append_printf (s, "E: ID_VENDOR_ID=%04x\n", vid);
  g_string_append_printf (s, "E: ID_MODEL_ID=%04x\n", pid);
  g_string_append (s, "E: SUBSYSTEM=usb\n");
  append_attr (s, "busnum", "1");
  g_snprintf (num, sizeof num, "%u", plug->devnum);
  append_attr (s, "devnum", num);
  g_snprintf (num, sizeof num, "%u", plug->port);
  append_attr (s, "devpath", num);
  append_attr (s, "speed", "12");
  /* libusb asks sysfs for the active configuration; without it
   * libusb_get_active_config_descriptor() fails. */
  append_attr (s, "bConfigurationValue", "1");
  append_attr (s, "bNumConfigurations", "1");
  g_snprintf (num, sizeof num, "%2u", layout->n_interfaces);
  append_attr (s, "bNumInterfaces", num);
  g_snprintf (num, sizeof num, "%04x", vid);
  append_attr (s, "idVendor", num);
  g_snprintf (num, sizeof num, "%04x", pid);
  append_attr (s, "idProduct", num);
  append_attr (s, "manufacturer", canteen_emu_device_get_manufacturer (device));
  append_attr (s, "product", canteen_emu_device_get_product (device));
  append_attr (s, "serial", canteen_emu_device_get_serial (device));
  g_string_append (s, "H: descriptors=");
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02X", d[i]);
  g_string_append_c (s, '\n');
  return g_string_free (s, FALSE);
}

static gboolean
plug_in (CanteenEmuTestbed *self, Plug *plug, GError **error)
{
  g_autofree char *text = NULL;

  plug->devnum = self->next_devnum++;
  if (self->next_devnum > 127)
    self->next_devnum = 2;
  plug->devnode = g_strdup_printf ("/dev/bus/usb/001/%03u", plug->devnum);
  plug->sysfs_path = g_strdup_printf ("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%u", plug->port);
  text = describe (plug->device, plug);

  /* Live before it appears: the "add" uevent may make a client open it at
   * once. */
  canteen_emu_device_connect (plug->device, plug->devnode);
  if (!umockdev_testbed_attach_ioctl (self->umockdev, plug->devnode, UMOCKDEV_IOCTL_BASE (plug->device), error) ||
      !umockdev_testbed_add_from_string (self->umockdev, text, error))
    {
      canteen_emu_device_disconnect (plug->device);
      plug->devnum = 0;
      g_clear_pointer (&plug->devnode, g_free);
      g_clear_pointer (&plug->sysfs_path, g_free);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_emu_testbed_add (CanteenEmuTestbed *self, CanteenEmuDevice *device, GError **error)
{
  Plug *plug;
  gboolean ok;

  g_return_val_if_fail (CANTEEN_EMU_IS_TESTBED (self), FALSE);
  g_return_val_if_fail (canteen_emu_device_get_descriptors (device) != NULL, FALSE);
  g_mutex_lock (&self->lock);
  if (find_plug (self, device))
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "emulated %s is already in the testbed",
                   canteen_emu_device_get_product (device));
      return FALSE;
    }
  plug = g_new0 (Plug, 1);
  plug->device = g_object_ref (device);
  plug->port = self->next_port++;
  ok = plug_in (self, plug, error);
  if (ok)
    g_ptr_array_add (self->plugs, plug);
  else
    {
      self->next_port--;
      plug_free (plug);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

void
canteen_emu_testbed_unplug (CanteenEmuTestbed *self, CanteenEmuDevice *device)
{
  Plug *plug;
  g_autofree char *sysfs = NULL;

  g_mutex_lock (&self->lock);
  plug = find_plug (self, device);
  if (!plug || !plug->devnum)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  /* Transfers in flight fail first (the client sees NO_DEVICE), then the
   * uevent tells hotplug listeners, then the sysfs entry and node go. */
  canteen_emu_device_disconnect (device);
  sysfs = g_steal_pointer (&plug->sysfs_path);
  plug->devnum = 0;
  g_clear_pointer (&plug->devnode, g_free);
  umockdev_testbed_uevent (self->umockdev, sysfs, "remove");
  umockdev_testbed_remove_device (self->umockdev, sysfs);
  g_mutex_unlock (&self->lock);
}

gboolean
canteen_emu_testbed_replug (CanteenEmuTestbed *self, CanteenEmuDevice *device, GError **error)
{
  Plug *plug;
  gboolean ok;

  g_mutex_lock (&self->lock);
  plug = find_plug (self, device);
  if (!plug)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "emulated %s was never added to the testbed",
                   canteen_emu_device_get_product (device));
      return FALSE;
    }
  ok = plug->devnum != 0 || plug_in (self, plug, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

const char *
canteen_emu_testbed_get_sysfs_path (CanteenEmuTestbed *self, CanteenEmuDevice *device)
{
  Plug *plug;
  const char *path;

  g_mutex_lock (&self->lock);
  plug = find_plug (self, device);
  path = plug ? plug->sysfs_path : NULL;
  g_mutex_unlock (&self->lock);
  return path;
}

guint
canteen_emu_testbed_get_devnum (CanteenEmuTestbed *self, CanteenEmuDevice *device)
{
  Plug *plug;
  guint devnum;

  g_mutex_lock (&self->lock);
  plug = find_plug (self, device);
  devnum = plug ? plug->devnum : 0;
  g_mutex_unlock (&self->lock);
  return devnum;
}

static char **
environ_with_preload (char **env)
{
  const char *preload = g_environ_getenv (env, "LD_PRELOAD");
  const char *asan = g_environ_getenv (env, "ASAN_OPTIONS");

  if (!preload || !strstr (preload, "libumockdev-preload"))
    {
      g_autofree char *value = preload && *preload ? g_strconcat (preload, ":" PRELOAD_LIB, NULL)
                                                   : g_strdup (PRELOAD_LIB);
      env = g_environ_setenv (env, "LD_PRELOAD", value, TRUE);
    }
  /* ASan wants its runtime first among the preloaded libraries; umockdev's
   * preload library comes first instead, which is harmless here. */
  if (!asan || !strstr (asan, "verify_asan_link_order"))
    {
      g_autofree char *value = asan && *asan ? g_strconcat (asan, ":verify_asan_link_order=0", NULL)
                                             : g_strdup ("verify_asan_link_order=0");
      env = g_environ_setenv (env, "ASAN_OPTIONS", value, TRUE);
    }
  return env;
}

char **
canteen_emu_testbed_child_environ (CanteenEmuTestbed *self)
{
  char **env = environ_with_preload (g_get_environ ());

  return g_environ_setenv (env, "UMOCKDEV_DIR", self->root_dir, TRUE);
}

gboolean
canteen_emu_ensure_preload (char **argv, GError **error)
{
  const char *preload = g_getenv ("LD_PRELOAD");
  g_auto(GStrv) env = NULL;

  if (preload && strstr (preload, "libumockdev-preload"))
    {
      g_unsetenv (REEXEC_MARK);   /* children start clean */
      return TRUE;
    }
  if (g_getenv (REEXEC_MARK))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "re-executed with LD_PRELOAD=%s but it is not in effect", PRELOAD_LIB);
      return FALSE;
    }
  env = environ_with_preload (g_get_environ ());
  env = g_environ_setenv (env, REEXEC_MARK, "1", TRUE);
  execve ("/proc/self/exe", argv, env);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               "cannot re-execute %s with %s: %s", argv[0], PRELOAD_LIB, g_strerror (errno));
  return FALSE;
}
