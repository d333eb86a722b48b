#include "escpos.h"

#include "device-error.h"

#define ESC 0x1B
#define FS  0x1C
#define GS  0x1D
#define DLE 0x10
#define EOT 0x04
#define LF  0x0A

struct _CanteenEscpos {
  GByteArray *bytes;
  CanteenEscposEncoding encoding;
};

static void
put (CanteenEscpos *doc, const guint8 *b, gsize n)
{
  g_byte_array_append (doc->bytes, b, (guint) n);
}

CanteenEscpos *
canteen_escpos_new (CanteenEscposEncoding encoding)
{
  CanteenEscpos *doc = g_new0 (CanteenEscpos, 1);

  doc->bytes = g_byte_array_sized_new (512);
  doc->encoding = encoding;
  canteen_escpos_initialize (doc);
  return doc;
}

void
canteen_escpos_free (CanteenEscpos *doc)
{
  if (doc == NULL)
    return;
  g_byte_array_unref (doc->bytes);
  g_free (doc);
}

const guint8 *
canteen_escpos_get_data (const CanteenEscpos *doc, gsize *len)
{
  *len = doc->bytes->len;
  return doc->bytes->data;
}

GBytes *
canteen_escpos_free_to_bytes (CanteenEscpos *doc)
{
  GBytes *bytes = g_byte_array_free_to_bytes (doc->bytes);

  g_free (doc);
  return bytes;
}

void
canteen_escpos_initialize (CanteenEscpos *doc)
{
  /* ESC @ restores the memory-switch defaults, which on Chinese models often
   * means the China character set (0x24 prints ¥) and whatever code page:
   * select USA and PC437 so that ASCII is ASCII, then the encoding. */
  const guint8 init[] = { ESC, '@', ESC, 'R', 0, ESC, 't', 0 };

  put (doc, init, sizeof init);
  canteen_escpos_set_encoding (doc, doc->encoding);
}

void
canteen_escpos_set_encoding (CanteenEscpos *doc, CanteenEscposEncoding encoding)
{
  const guint8 chinese_on[] = { FS, '&' }, chinese_off[] = { FS, '.' };

  switch (encoding)
    {
    case CANTEEN_ESCPOS_ENCODING_GB18030:
      put (doc, chinese_on, sizeof chinese_on);
      break;
    case CANTEEN_ESCPOS_ENCODING_ASCII:
      put (doc, chinese_off, sizeof chinese_off);
      break;
    default:
      g_return_if_reached ();
    }
  doc->encoding = encoding;
}

/* "U+1F35C “🍜”", or only the code point when the character has no glyph
 * (a control character must not reach a message, let alone a newline). */
static char *
describe_char (gunichar c)
{
  char utf8[8] = { 0 };

  if (!g_unichar_isgraph (c) || g_unichar_type (c) == G_UNICODE_PRIVATE_USE)
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, utf8);
  return g_strdup_printf ("U+%04X “%s”", c, utf8);
}

static gboolean
refuse_char (GError **error, gunichar c, gsize offset, const char *why)
{
  g_autofree char *name = describe_char (c);

  return canteen_device_protocol_error (error, "receipt text", "character %s at byte %zu %s", name, offset, why);
}

static gboolean
check_text (const char *text, gsize len, CanteenEscposEncoding encoding, GError **error)
{
  const char *end = NULL, *p;

  if (!g_utf8_validate_len (text, len, &end))
    {
      if (*end == '\0')
        return canteen_device_protocol_error (error, "receipt text", "NUL byte at byte %zu", (gsize) (end - text));
      return canteen_device_protocol_error (error, "receipt text", "invalid UTF-8 at byte %zu (0x%02X)",
                                          (gsize) (end - text), (guint) (guint8) *end);
    }
  for (p = text; p < text + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize offset = (gsize) (p - text);
      GUnicodeType type;

      if (c == '\n')
        continue;
      type = g_unichar_type (c);
      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
          type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return refuse_char (error, c, offset, "is a control or format character, not printable");
      if (type == G_UNICODE_UNASSIGNED || type == G_UNICODE_PRIVATE_USE || type == G_UNICODE_SURROGATE)
        return refuse_char (error, c, offset, "is unassigned or private-use: no printer has a glyph for it");
      if (encoding == CANTEEN_ESCPOS_ENCODING_ASCII && (c < 0x20 || c > 0x7E))
        return refuse_char (error, c, offset, "is not printable ASCII (the document is in ASCII mode)");
      if (c > 0xFFFF)
        return refuse_char (error, c, offset, "is outside the printer's GB18030 font (Basic Multilingual Plane only)");
    }
  return TRUE;
}

gboolean
canteen_escpos_text (CanteenEscpos *doc, const char *text, gssize len, GError **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  g_autoptr(GError) local = NULL;
  g_autofree char *converted = NULL;
  gsize read = 0, written = 0;

  if (!check_text (text, n, doc->encoding, error))
    return FALSE;
  if (n == 0)
    return TRUE;
  if (doc->encoding == CANTEEN_ESCPOS_ENCODING_ASCII)
    {
      put (doc, (const guint8 *) text, n);   /* checked: printable ASCII and '\n' (LF) */
      return TRUE;
    }
  converted = g_convert (text, (gssize) n, "GB18030", "UTF-8", &read, &written, &local);
  if (converted == NULL)
    {
      if (read < n && g_error_matches (local, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
        {
          g_autofree char *name = describe_char (g_utf8_get_char (text + read));
          return canteen_device_protocol_error (error, "receipt text", "character %s at byte %zu cannot be converted to GB18030",
                                                name, read);
        }
      return canteen_device_protocol_error (error, "receipt text", "cannot convert to GB18030 (%s)",
                                            local ? local->message : "no reason given");
    }
  put (doc, (const guint8 *) converted, written);
  return TRUE;
}

gboolean
canteen_escpos_line (CanteenEscpos *doc, const char *text, GError **error)
{
  if (!canteen_escpos_text (doc, text, -1, error))
    return FALSE;
  canteen_escpos_newline (doc);
  return TRUE;
}

void
canteen_escpos_align (CanteenEscpos *doc, CanteenEscposAlign align)
{
  guint8 cmd[] = { ESC, 'a', 0 };

  switch (align)
    {
    case CANTEEN_ESCPOS_ALIGN_LEFT:
    case CANTEEN_ESCPOS_ALIGN_CENTER:
    case CANTEEN_ESCPOS_ALIGN_RIGHT:
      cmd[2] = (guint8) align;
      break;
    default:
      g_return_if_reached ();
    }
  put (doc, cmd, sizeof cmd);
}

void
canteen_escpos_bold (CanteenEscpos *doc, gboolean on)
{
  const guint8 cmd[] = { ESC, 'E', on ? 1 : 0 };

  put (doc, cmd, sizeof cmd);
}

void
canteen_escpos_size (CanteenEscpos *doc, gboolean double_width, gboolean double_height)
{
  /* Bits 4..6: width − 1; bits 0..2: height − 1 (applies to Chinese characters too). */
  const guint8 cmd[] = { GS, '!', (guint8) ((double_width ? 0x10 : 0) | (double_height ? 0x01 : 0)) };

  put (doc, cmd, sizeof cmd);
}

void
canteen_escpos_newline (CanteenEscpos *doc)
{
  const guint8 lf = LF;

  put (doc, &lf, 1);
}

void
canteen_escpos_feed (CanteenEscpos *doc, guint8 lines)
{
  const guint8 cmd[] = { ESC, 'd', lines };

  put (doc, cmd, sizeof cmd);
}

gboolean
canteen_escpos_qr (CanteenEscpos *doc, const guint8 *data, gsize len, guint module_size, GError **error)
{
  /* GS ( k pL pH cn=49 fn ...: pL + pH × 256 counts the bytes after pH. */
  const guint8 model[] = { GS, '(', 'k', 4, 0, 49, 65, 50, 0 };       /* fn 65: model 2 */
  guint8 size[] = { GS, '(', 'k', 3, 0, 49, 67, 0 };                  /* fn 67: module size */
  const guint8 level[] = { GS, '(', 'k', 3, 0, 49, 69, 49 };          /* fn 69: level M (49) */
  guint8 store[] = { GS, '(', 'k', 0, 0, 49, 80, 48 };                /* fn 80: store data */
  const guint8 print[] = { GS, '(', 'k', 3, 0, 49, 81, 48 };          /* fn 81: print */

  if (len == 0)
    return canteen_device_protocol_error (error, "QR code", "no data to encode");
  if (len > CANTEEN_ESCPOS_QR_MAX)
    {
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE,
                   "QR code: %zu bytes is over the %d a model 2 code holds at level M", len, CANTEEN_ESCPOS_QR_MAX);
      return FALSE;
    }
  if (module_size < 1 || module_size > 16)
    return canteen_device_protocol_error (error, "QR code", "module size %u is outside 1..16 dots", module_size);

  size[7] = (guint8) module_size;
  store[3] = (guint8) ((len + 3) & 0xFF);
  store[4] = (guint8) ((len + 3) >> 8);
  put (doc, model, sizeof model);
  put (doc, size, sizeof size);
  put (doc, level, sizeof level);
  put (doc, store, sizeof store);
  put (doc, data, len);
  put (doc, print, sizeof print);
  return TRUE;
}

void
canteen_escpos_cut (CanteenEscpos *doc, CanteenEscposCut kind, guint8 feed)
{
  guint8 cmd[] = { GS, 'V', 0, feed };

  switch (kind)
    {
    case CANTEEN_ESCPOS_CUT_FULL:
    case CANTEEN_ESCPOS_CUT_PARTIAL:
      cmd[2] = (guint8) kind;
      break;
    default:
      g_return_if_reached ();
    }
  put (doc, cmd, sizeof cmd);
}

GBytes *
canteen_escpos_status_request (CanteenEscposStatusRequest which)
{
  static const guint8 requests[4][3] = {
    { DLE, EOT, 1 }, { DLE, EOT, 2 }, { DLE, EOT, 3 }, { DLE, EOT, 4 },
  };

  switch (which)
    {
    case CANTEEN_ESCPOS_STATUS_PRINTER:
    case CANTEEN_ESCPOS_STATUS_OFFLINE:
    case CANTEEN_ESCPOS_STATUS_ERROR:
    case CANTEEN_ESCPOS_STATUS_PAPER:
      return g_bytes_new_static (requests[which - 1], 3);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- status ------------------------------------------------------------ */

#define FIXED_MASK  0x93   /* bits 7, 4, 1, 0 */
#define FIXED_VALUE 0x12   /* bits 4 and 1 set, 7 and 0 clear */

static gboolean
check_reply (guint8 request_n, const guint8 *reply, gsize len, GError **error)
{
  if (request_n < 1 || request_n > 4)
    return canteen_device_protocol_error (error, "printer status", "DLE EOT %u is not a status request (1..4)", request_n);
  if (len != 1)
    return canteen_device_protocol_error (error, "printer status", "reply to DLE EOT %u is %zu bytes, 1 expected",
                                          request_n, len);
  if ((reply[0] & FIXED_MASK) != FIXED_VALUE)
    return canteen_device_protocol_error (error, "printer status",
                                          "reply 0x%02X to DLE EOT %u breaks the fixed bits (bits 1 and 4 set, 0 and 7 clear)",
                                          reply[0], request_n);
  return TRUE;
}

static void
fold (CanteenEscposStatus *s, guint8 request_n, guint8 b)
{
  s->known |= (guint8) (1u << request_n);
  switch (request_n)
    {
    case 1:
      s->drawer_pin3_high = (b & 0x04) != 0;
      s->online = (b & 0x08) == 0;
      s->waiting_online_recovery = (b & 0x20) != 0;
      s->feed_button |= (b & 0x40) != 0;
      break;
    case 2:
      s->cover_open = (b & 0x04) != 0;
      s->feed_button |= (b & 0x08) != 0;
      s->paper_end_stop = (b & 0x20) != 0;
      s->paper_out |= s->paper_end_stop;
      s->error = (b & 0x40) != 0;
      break;
    case 3:
      s->recoverable_error = (b & 0x04) != 0;
      s->cutter_error = (b & 0x08) != 0;
      s->unrecoverable_error = (b & 0x20) != 0;
      s->auto_recoverable_error = (b & 0x40) != 0;
      break;
    case 4:
      /* Each pair is one sensor reported twice, or two sensors: either counts. */
      s->paper_near_end = (b & 0x0C) != 0;
      s->paper_out |= (b & 0x60) != 0;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Worst first: what the cashier must fix before anything prints. */
static void
summarise (CanteenEscposStatus *s)
{
  gboolean offline = (s->known & (1u << 1)) && !s->online;

  s->ready = FALSE;
  if (s->unrecoverable_error)
    s->message = "printer: unrecoverable error, call for service";
  else if (s->cutter_error)
    s->message = "printer: cutter error (paper jammed at the cutter?)";
  else if (s->cover_open)
    s->message = "printer: cover open";
  else if (s->paper_out)
    s->message = "printer: paper out";
  else if (s->recoverable_error)
    s->message = "printer: mechanical error (paper jam?)";
  else if (s->auto_recoverable_error)
    s->message = "printer: print head too hot, waiting";
  else if (s->error)
    s->message = "printer: error";
  else if (offline)
    s->message = "printer: offline";
  else
    {
      s->ready = TRUE;
      s->message = s->paper_near_end ? "printer: paper nearly out" : "printer: ready";
    }
}

gboolean
canteen_escpos_parse_status (guint8 request_n, const guint8 *reply, gsize len,
                             CanteenEscposStatus *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->message = "printer: status unknown";
  if (!check_reply (request_n, reply, len, error))
    return FALSE;
  fold (out, request_n, reply[0]);
  summarise (out);
  return TRUE;
}

gboolean
canteen_escpos_parse_status_all (const guint8 replies[4], CanteenEscposStatus *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->message = "printer: status unknown";
  for (guint8 n = 1; n <= 4; n++)
    if (!check_reply (n, replies + n - 1, 1, error))
      {
        memset (out, 0, sizeof *out);
        out->message = "printer: status unknown";
        return FALSE;
      }
  for (guint8 n = 1; n <= 4; n++)
    fold (out, n, replies[n - 1]);
  summarise (out);
  return TRUE;
}
