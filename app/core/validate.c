#include "validate.h"

#include "canteen-error.h"

static gboolean
check_token (const char *value, const char *field, gsize max_len, GError **error)
{
  gsize len;

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "%s: a value is required", field);
      return FALSE;
    }
  len = strlen (value);
  if (len > max_len)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_TOO_LONG,
                   "%s: %zu characters, at most %zu allowed", field, len, max_len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      char c = value[i];
      if (!g_ascii_isalnum (c) && c != '-' && c != '_')
        {
          g_autofree char *shown = canteen_text_excerpt (value, 40);
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "%s: “%s” may hold only letters, digits, '-' and '_'", field, shown);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
canteen_check_id (const char *value, const char *field, GError **error)
{
  return check_token (value, field, CANTEEN_ID_MAX_LEN, error);
}

gboolean
canteen_check_key (const char *value, const char *field, GError **error)
{
  return check_token (value, field, CANTEEN_KEY_MAX_LEN, error);
}

gboolean
canteen_check_text (const char *value, const char *field, guint max_chars, GError **error)
{
  glong chars;

  if (value == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "%s: a value is required", field);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: not valid UTF-8 text", field);
      return FALSE;
    }
  for (const char *p = value; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                     "%s: control characters are not allowed", field);
        return FALSE;
      }
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (value));
    if (*trimmed == '\0')
      {
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                     "%s: must not be empty", field);
        return FALSE;
      }
  }
  chars = g_utf8_strlen (value, -1);
  if (chars > (glong) max_chars)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_TOO_LONG,
                   "%s: %ld characters, at most %u allowed", field, chars, max_chars);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_check_name (const char *value, const char *field, GError **error)
{
  return canteen_check_text (value, field, CANTEEN_NAME_MAX_CHARS, error);
}

char *
canteen_card_normalize (const char *value, GError **error)
{
  gsize len;

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "card: a card number is required");
      return NULL;
    }
  len = strlen (value);
  if (len > CANTEEN_ID_MAX_LEN)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_TOO_LONG,
                   "card: %zu characters, at most %d allowed", len, CANTEEN_ID_MAX_LEN);
      return NULL;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (value[i]))
      {
        g_autofree char *shown = canteen_text_excerpt (value, 40);
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                     "card: “%s” may hold only letters and digits", shown);
        return NULL;
      }
  return g_ascii_strup (value, -1);
}

char *
canteen_text_excerpt (const char *text, guint max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  g_autofree char *head = NULL;

  /* ASCII control bytes never occur inside a UTF-8 sequence, so this
   * byte-wise pass keeps the text valid. */
  for (char *p = valid; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  if (g_utf8_strlen (valid, -1) <= (glong) max_chars)
    return g_steal_pointer (&valid);
  head = g_utf8_substring (valid, 0, max_chars);
  return g_strconcat (head, "…", NULL);
}
