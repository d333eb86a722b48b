#include "canteen-error.h"

G_DEFINE_QUARK (canteen-input-error-quark, canteen_input_error)
