#include "device-error.h"

G_DEFINE_QUARK (canteen-device-error-quark, canteen_device_error)
