#include "device-error.h"

G_DEFINE_QUARK (canteen-device-error-quark, canteen_device_error)

gboolean
canteen_device_protocol_error (GError **error, const char *what, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL, "%s: %s", what, message);
  return FALSE;
}
