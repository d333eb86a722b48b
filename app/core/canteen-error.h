/* canteen-error.h — error domains of the domain core.
 *
 * Contract: every function in app/core that can fail takes a GError ** last
 * and returns FALSE/NULL on failure with the error set. Messages name the
 * field (or file line) and the problem, in words an operator can act on.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_INPUT_ERROR (canteen_input_error_quark ())

typedef enum {
  CANTEEN_INPUT_ERROR_INVALID,       /* malformed value (wrong characters, not a number) */
  CANTEEN_INPUT_ERROR_MISSING,       /* a required field is absent or empty */
  CANTEEN_INPUT_ERROR_TOO_LONG,      /* a string is over its limit */
  CANTEEN_INPUT_ERROR_OUT_OF_RANGE,  /* a number is negative, zero where not allowed, or absurd */
  CANTEEN_INPUT_ERROR_DUPLICATE,     /* the same id twice in one input */
  CANTEEN_INPUT_ERROR_FORMAT,        /* the file as a whole cannot be parsed */
} CanteenInputError;

GQuark canteen_input_error_quark (void);

G_END_DECLS
