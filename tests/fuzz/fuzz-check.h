/* fuzz-check.h — what every fuzz target asserts about a refusal: an error
 * was set, and its message is one line of valid UTF-8 (callers print it). */
#pragma once

#include <string.h>

#include <glib.h>

static inline void
fuzz_check_refusal (GError *error)
{
  g_assert (error != NULL && error->message != NULL);
  g_assert (g_utf8_validate (error->message, -1, NULL));
  g_assert (strchr (error->message, '\n') == NULL);
  g_error_free (error);
}
