/* validate.h — checks for the identifiers and names people type.
 *
 * Contract: each check returns TRUE for an acceptable value, or FALSE with a
 * CANTEEN_INPUT_ERROR naming `field` and saying what is wrong. They never
 * modify their input; canteen_card_normalize returns a new string.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_ID_MAX_LEN     32   /* dish ids, agency codes, terminal ids */
#define CANTEEN_NAME_MAX_CHARS 64   /* dish names, holders, canteen names (characters, not bytes) */
#define CANTEEN_TEXT_MAX_CHARS 200  /* free text such as a void reason */

#define CANTEEN_KEY_MAX_LEN    64   /* idempotency keys: checkout, refund and top-up ids (UUIDs) */

/* Letters, digits, '-' and '_', 1..CANTEEN_ID_MAX_LEN. */
gboolean canteen_check_id   (const char *value, const char *field, GError **error);
/* The same characters, 1..CANTEEN_KEY_MAX_LEN: room for a UUID. */
gboolean canteen_check_key  (const char *value, const char *field, GError **error);
/* Valid UTF-8, no control characters, 1..max_chars characters after trimming. */
gboolean canteen_check_text (const char *value, const char *field, guint max_chars, GError **error);
gboolean canteen_check_name (const char *value, const char *field, GError **error);

/* At most `max_chars` characters of `text` for an error message: always
 * valid UTF-8 (bad bytes replaced), control characters (newlines too)
 * shown as '?', cut between characters, "…" if cut. Also for messages of
 * libraries that quote the bad input back. */
char *canteen_text_excerpt (const char *text, guint max_chars);

/* Card numbers as printed or as a UID in hex: letters and digits, up to 32;
 * returned upper-case so "04a1b2" and "04A1B2" are the same card. */
char *canteen_card_normalize (const char *value, GError **error);

G_END_DECLS
