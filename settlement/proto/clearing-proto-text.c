/* clearing-proto-text.c — the small textual pieces of the protocol:
 * identifiers, times and dates, b64, hex SHA-256, nonces, and the error
 * messages that name where input went wrong.
 *
 * Contract: checks are pure functions of their input (no locale, no time
 * zone); every refusal is CANTEEN_PROTO_ERROR_INVALID with a one-line,
 * valid UTF-8 message naming the member, so callers may show it as is.
 */
#include "clearing-proto-private.h"

#include <stdarg.h>
#include <string.h>

#include <sodium.h>

G_DEFINE_QUARK (canteen-proto-error-quark, canteen_proto_error)

void
proto_sodium_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Fails only when the system has no entropy source: nothing signed
       * or random here could be trusted then. */
      if (sodium_init () < 0)
        g_error ("libsodium cannot initialise");
      g_once_init_leave (&done, 1);
    }
}

void
proto_fail (GError **error, const char *what, const char *member, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;
  GString *text = g_string_new (NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (what != NULL && what[0] != '\0')
    g_string_append_printf (text, "%s: ", what);
  if (member != NULL && member[0] != '\0')
    g_string_append_printf (text, "%s: ", member);
  g_string_append (text, message);
  g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_INVALID, text->str);
  g_string_free (text, TRUE);
}

char *
proto_excerpt (const char *text, gssize len, guint max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", text != NULL ? len : 0);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);
      if (n == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

gboolean
proto_is_hex (const char *text, gsize len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
      return FALSE;
  return TRUE;
}

/* ---- identifiers ------------------------------------------------------- */

static gboolean
ascii_id (const char *value, gsize max, gboolean dot)
{
  gsize n = strlen (value);

  if (n < 1 || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char c = value[i];
      if (!g_ascii_isalnum (c) && c != '-' && c != '_' && !(dot && c == '.'))
        return FALSE;
    }
  return TRUE;
}

/* Valid UTF-8 without control characters (they would break the one-line
 * canonical messages); `max` counts bytes or characters. */
static gboolean
utf8_text (const char *value, gsize max, gboolean chars)
{
  gsize n = chars ? 0 : strlen (value);

  if (value[0] == '\0' || !g_utf8_validate (value, -1, NULL))
    return FALSE;
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        return FALSE;
      if (chars)
        n++;
    }
  return n <= max;
}

gboolean
proto_check_id (const char *value, ProtoIdKind kind, const char *what, const char *member, GError **error)
{
  const char *rule = NULL;
  gboolean ok = FALSE;

  if (value == NULL)
    {
      proto_fail (error, what, member, "missing");
      return FALSE;
    }
  switch (kind)
    {
    case PROTO_ID_AGENCY:
      ok = ascii_id (value, 16, FALSE);
      rule = "must be 1 to 16 characters of A-Z a-z 0-9 - _";
      break;
    case PROTO_ID_TERMINAL:
    case PROTO_ID_CARD:
      ok = ascii_id (value, 32, TRUE);
      rule = "must be 1 to 32 characters of A-Z a-z 0-9 - _ .";
      break;
    case PROTO_ID_KEY:
      ok = ascii_id (value, PROTO_KEY_MAX_LEN, TRUE);
      rule = "must be 1 to 64 characters of A-Z a-z 0-9 - _ .";
      break;
    case PROTO_ID_HOLDER:
      ok = utf8_text (value, 64, FALSE);
      rule = "must be 1 to 64 bytes of UTF-8 without control characters";
      break;
    case PROTO_ID_NAME:
      ok = utf8_text (value, 64, TRUE);
      rule = "must be 1 to 64 characters of UTF-8 without control characters";
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    proto_fail (error, what, member, "%s", rule);
  return ok;
}

gboolean
canteen_proto_check_agency (const char *agency, GError **error)
{
  return proto_check_id (agency, PROTO_ID_AGENCY, NULL, "agency", error);
}

gboolean
canteen_proto_check_terminal (const char *terminal, GError **error)
{
  return proto_check_id (terminal, PROTO_ID_TERMINAL, NULL, "terminal", error);
}

gboolean
canteen_proto_check_card (const char *card, GError **error)
{
  return proto_check_id (card, PROTO_ID_CARD, NULL, "card", error);
}

gboolean
canteen_proto_check_holder (const char *holder, GError **error)
{
  return proto_check_id (holder, PROTO_ID_HOLDER, NULL, "holder", error);
}

gboolean
canteen_proto_check_name (const char *name, GError **error)
{
  return proto_check_id (name, PROTO_ID_NAME, NULL, "name", error);
}

gboolean
canteen_proto_check_checkout (const char *checkout, GError **error)
{
  return proto_check_id (checkout, PROTO_ID_KEY, NULL, "checkout", error);
}

gboolean
canteen_proto_check_authorisation (const char *authorisation, GError **error)
{
  return proto_check_id (authorisation, PROTO_ID_KEY, NULL, "authorisation", error);
}

gboolean
proto_check_nonce (const char *value, const char *what, const char *member, GError **error)
{
  if (!proto_is_hex (value, CANTEEN_PROTO_NONCE_HEX))
    {
      proto_fail (error, what, member, "must be 32 lowercase hex digits");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_proto_check_nonce (const char *nonce, GError **error)
{
  return proto_check_nonce (nonce, NULL, "nonce", error);
}

/* ---- times and dates --------------------------------------------------- */

/* Digits at `text[from..to)`, as a number; -1 if any is not a digit. */
static int
digits (const char *text, int from, int to)
{
  int n = 0;

  for (int i = from; i < to; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return -1;
      n = n * 10 + (text[i] - '0');
    }
  return n;
}

/* "YYYY-MM-DD" at the start of `text` (which is at least 10 bytes) as a
 * valid calendar date of years 1..9999. */
static gboolean
parse_date (const char *text, int *y, int *m, int *d)
{
  if (text[4] != '-' || text[7] != '-')
    return FALSE;
  *y = digits (text, 0, 4);
  *m = digits (text, 5, 7);
  *d = digits (text, 8, 10);
  return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1
         && g_date_valid_dmy ((GDateDay) *d, (GDateMonth) *m, (GDateYear) *y);
}

GDateTime *
canteen_proto_parse_time (const char *text, GError **error)
{
  int y, mo, d, h, mi, s;

  if (text == NULL || strlen (text) != 20 || !parse_date (text, &y, &mo, &d)
      || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z'
      || (h = digits (text, 11, 13)) < 0 || h > 23
      || (mi = digits (text, 14, 16)) < 0 || mi > 59
      || (s = digits (text, 17, 19)) < 0 || s > 59)
    {
      proto_fail (error, NULL, NULL, "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
      return NULL;
    }
  return g_date_time_new_utc (y, mo, d, h, mi, s);
}

char *
canteen_proto_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  /* Not g_date_time_format's %Y: it does not pad years before 1000. */
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year (utc),
                          g_date_time_get_month (utc), g_date_time_get_day_of_month (utc),
                          g_date_time_get_hour (utc), g_date_time_get_minute (utc),
                          g_date_time_get_second (utc));
}

gboolean
proto_check_time (const char *value, const char *what, const char *member, GError **error)
{
  g_autoptr(GDateTime) t = canteen_proto_parse_time (value, NULL);

  if (t == NULL)
    {
      proto_fail (error, what, member, "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
      return FALSE;
    }
  return TRUE;
}

gboolean
proto_check_date (const char *value, const char *what, const char *member, GError **error)
{
  int y, m, d;

  if (value == NULL || strlen (value) != 10 || !parse_date (value, &y, &m, &d))
    {
      proto_fail (error, what, member, "must be a date YYYY-MM-DD");
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_proto_check_date (const char *date, GError **error)
{
  return proto_check_date (date, NULL, NULL, error);
}

/* ---- encodings --------------------------------------------------------- */

char *
canteen_proto_b64_encode (const guint8 *data, gsize len)
{
  gsize size = sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_ORIGINAL);
  char *out = g_malloc (size);

  sodium_bin2base64 (out, size, data, len, sodium_base64_VARIANT_ORIGINAL);
  return out;
}

gboolean
canteen_proto_b64_decode (const char *text, guint8 *out, gsize len, GError **error)
{
  g_autofree guint8 *buf = NULL;
  g_autofree char *again = NULL;
  size_t got = 0;
  const char *end = NULL;
  gsize tlen = text != NULL ? strlen (text) : 0;

  /* The exact length first: it bounds the work and the buffer. */
  if (text == NULL || tlen != sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_ORIGINAL) - 1)
    goto bad;
  buf = g_malloc (len + 1);
  if (sodium_base642bin (buf, len, text, tlen, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0
      || got != len || end != text + tlen)
    goto bad;
  /* Only the one canonical spelling of these bytes (no stray padding bits),
   * so equal keys and signatures are equal strings. */
  again = canteen_proto_b64_encode (buf, len);
  if (strcmp (again, text) != 0)
    goto bad;
  memcpy (out, buf, len);
  sodium_memzero (buf, len);
  return TRUE;

bad:
  if (buf != NULL)
    sodium_memzero (buf, len);
  proto_fail (error, NULL, NULL, "must be the standard base64 of %" G_GSIZE_FORMAT " bytes", len);
  return FALSE;
}

void
canteen_proto_sha256_hex (const void *data, gsize len, char out[65])
{
  guint8 hash[crypto_hash_sha256_BYTES];

  proto_sodium_init ();
  crypto_hash_sha256 (hash, data != NULL ? data : (const void *) "", len);
  sodium_bin2hex (out, 65, hash, sizeof hash);
}

char *
canteen_proto_new_nonce (void)
{
  guint8 bytes[CANTEEN_PROTO_NONCE_HEX / 2];
  char *out = g_malloc (CANTEEN_PROTO_NONCE_HEX + 1);

  proto_sodium_init ();
  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (out, CANTEEN_PROTO_NONCE_HEX + 1, bytes, sizeof bytes);
  return out;
}
