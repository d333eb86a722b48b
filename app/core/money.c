#include "money.h"

#include "canteen-error.h"
#include "validate.h"

gboolean
canteen_fen_parse (const char  *text,
                   const char  *field,
                   gint64       max_fen,
                   gint64      *out_fen,
                   GError     **error)
{
  guint64 value = 0;
  GError *local = NULL;

  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (out_fen != NULL, FALSE);

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "%s: an amount in fen is required", field);
      return FALSE;
    }
  if (*text == '-')
    {
      g_autofree char *shown = canteen_text_excerpt (text, 24);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "%s: must not be negative (got “%s”)", field, shown);
      return FALSE;
    }
  /* Only plain digits: "12.5", "1e3", " 5" and "+5" are all refused, because
   * an operator who typed them did not mean a whole number of fen. */
  if (!g_ascii_string_to_unsigned (text, 10, 0, (guint64) max_fen, &value, &local))
    {
      gboolean range = g_error_matches (local, G_NUMBER_PARSER_ERROR,
                                        G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS);
      g_autofree char *shown = canteen_text_excerpt (text, 24);
      g_set_error (error, CANTEEN_INPUT_ERROR,
                   range ? CANTEEN_INPUT_ERROR_OUT_OF_RANGE : CANTEEN_INPUT_ERROR_INVALID,
                   range ? "%s: amount “%s” is over the limit of %" G_GINT64_FORMAT " fen"
                         : "%s: “%s” is not a whole number of fen",
                   field, shown, max_fen);
      g_error_free (local);
      return FALSE;
    }
  *out_fen = (gint64) value;
  return TRUE;
}

char *
canteen_fen_format_plain (gint64 fen)
{
  guint64 abs_fen = fen < 0 ? (guint64) (-(fen + 1)) + 1 : (guint64) fen;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "",
                          abs_fen / 100, (unsigned) (abs_fen % 100));
}

char *
canteen_fen_format (gint64 fen)
{
  guint64 abs_fen = fen < 0 ? (guint64) (-(fen + 1)) + 1 : (guint64) fen;

  return g_strdup_printf ("%s¥%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "",
                          abs_fen / 100, (unsigned) (abs_fen % 100));
}
