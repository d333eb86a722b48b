/* fuzz-escpos — the receipt printer: status replies (one, or the four
 * folded), text in either encoding, and arbitrary builder programs.
 *
 * Input: byte 0 picks what to do (low two bits) and the encoding (bit 2);
 * the rest is the reply, the text or the program. A program is a list of
 * opcodes, each with its arguments, over every builder call. Asserted: an
 * accepted reply keeps the fixed bits and yields one line; accepted text
 * grows the document by exactly its GB18030 (or ASCII) encoding, which
 * converts back to the same UTF-8; a refused call leaves the document as
 * it was; a QR command counts its own bytes. */
#include <stdint.h>
#include <string.h>

#include "escpos.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_status (const CanteenEscposStatus *s)
{
  g_assert (s->message != NULL && strchr (s->message, '\n') == NULL);
  g_assert (g_str_has_prefix (s->message, "printer: "));
  g_assert (!s->ready || (!s->cover_open && !s->paper_out && !s->cutter_error && !s->unrecoverable_error));
}

static void
fuzz_status (const uint8_t *data, size_t size)
{
  CanteenEscposStatus s;
  GError *error = NULL;

  if (size < 1)
    return;
  if (canteen_escpos_parse_status (data[0], data + 1, size - 1, &s, &error))
    {
      g_assert (size == 2 && data[0] >= 1 && data[0] <= 4);
      g_assert ((data[1] & 0x93) == 0x12);
      g_assert (s.known == 1u << data[0]);
      check_status (&s);
    }
  else
    fuzz_check_refusal (error);
}

static void
fuzz_status_all (const uint8_t *data, size_t size)
{
  CanteenEscposStatus s;
  GError *error = NULL;

  if (size < 4)
    return;
  if (canteen_escpos_parse_status_all (data, &s, &error))
    {
      for (int i = 0; i < 4; i++)
        g_assert ((data[i] & 0x93) == 0x12);
      g_assert (s.known == 0x1E);
      check_status (&s);
    }
  else
    {
      g_assert (s.known == 0 && !s.ready);
      fuzz_check_refusal (error);
    }
}

/* Text through the document: exact growth, round trip, or nothing. */
static void
add_text (CanteenEscpos *doc, CanteenEscposEncoding encoding, const uint8_t *text, size_t len)
{
  GError *error = NULL;
  gsize before, after;
  const guint8 *d;

  canteen_escpos_get_data (doc, &before);
  if (canteen_escpos_text (doc, (const char *) text, (gssize) len, &error))
    {
      d = canteen_escpos_get_data (doc, &after);
      g_assert (g_utf8_validate_len ((const char *) text, len, NULL));
      if (encoding == CANTEEN_ESCPOS_ENCODING_ASCII)
        {
          g_assert (after - before == len);
          g_assert (len == 0 || memcmp (d + before, text, len) == 0);
        }
      else if (after > before)
        {
          gsize back_len = 0;
          char *back = g_convert ((const char *) d + before, (gssize) (after - before), "UTF-8", "GB18030",
                                  NULL, &back_len, NULL);
          g_assert (back != NULL);
          g_assert (back_len == len && memcmp (back, text, len) == 0);
          g_free (back);
        }
      else
        g_assert (len == 0);
      /* Nothing below 0x20 but LF: no command can hide in text. */
      for (gsize i = before; i < after; i++)
        g_assert (d[i] >= 0x20 || d[i] == 0x0A);
    }
  else
    {
      canteen_escpos_get_data (doc, &after);
      g_assert (after == before);
      fuzz_check_refusal (error);
    }
}

static void
fuzz_program (CanteenEscposEncoding encoding, const uint8_t *p, size_t size)
{
  static guint8 big[CANTEEN_ESCPOS_QR_MAX + 64];
  CanteenEscpos *doc = canteen_escpos_new (encoding);
  const uint8_t *end = p + size;

  while (p < end)
    {
      uint8_t op = *p++;
      size_t left = (size_t) (end - p);
      gsize before, after;
      GError *error = NULL;

      canteen_escpos_get_data (doc, &before);
      switch (op % 12)
        {
        case 0:   /* text: length byte, bytes */
          {
            size_t n = left ? MIN ((size_t) p[0], left - 1) : 0;
            if (left == 0)
              break;
            add_text (doc, encoding, p + 1, n);
            p += 1 + n;
          }
          break;
        case 1:
          canteen_escpos_align (doc, (CanteenEscposAlign) (left ? p[0] % 3 : 0));
          p += left ? 1 : 0;
          break;
        case 2:
          canteen_escpos_bold (doc, op & 0x10);
          break;
        case 3:
          canteen_escpos_size (doc, op & 0x10, op & 0x20);
          break;
        case 4:
          canteen_escpos_newline (doc);
          break;
        case 5:
          canteen_escpos_feed (doc, left ? p[0] : 0);
          p += left ? 1 : 0;
          break;
        case 6:   /* QR: length (2 bytes), module size, data (from the input, else zeros) */
          {
            size_t n;
            guint module;
            const guint8 *qr;
            const guint8 *d;
            if (left < 3)
              {
                p = end;
                break;
              }
            n = (size_t) (p[0] << 8 | p[1]) % sizeof big;
            module = p[2];
            p += 3;
            left -= 3;
            qr = n <= left ? p : big;
            if (canteen_escpos_qr (doc, qr, n, module, &error))
              {
                d = canteen_escpos_get_data (doc, &after);
                g_assert (n >= 1 && n <= CANTEEN_ESCPOS_QR_MAX && module >= 1 && module <= 16);
                g_assert (after - before == 41 + n);
                g_assert ((gsize) (d[before + 28] | d[before + 29] << 8) == n + 3);
                g_assert (memcmp (d + before + 33, qr, n) == 0);
              }
            else
              {
                canteen_escpos_get_data (doc, &after);
                g_assert (after == before);
                fuzz_check_refusal (error);
              }
            if (qr == p)
              p += n;
          }
          break;
        case 7:
          canteen_escpos_cut (doc, (op & 0x10) ? CANTEEN_ESCPOS_CUT_PARTIAL : CANTEEN_ESCPOS_CUT_FULL,
                              left ? p[0] : 0);
          p += left ? 1 : 0;
          break;
        case 8:
          encoding = (op & 0x10) ? CANTEEN_ESCPOS_ENCODING_ASCII : CANTEEN_ESCPOS_ENCODING_GB18030;
          canteen_escpos_set_encoding (doc, encoding);
          break;
        case 9:
          canteen_escpos_initialize (doc);
          break;
        case 10:   /* a line: NUL-terminated copy of a length-prefixed run */
          {
            size_t n = left ? MIN ((size_t) p[0], left - 1) : 0;
            char *line;
            if (left == 0)
              break;
            line = g_strndup ((const char *) p + 1, n);
            if (canteen_escpos_line (doc, line, &error))
              {
                const guint8 *d = canteen_escpos_get_data (doc, &after);
                g_assert (after > before && d[after - 1] == 0x0A);
              }
            else
              {
                canteen_escpos_get_data (doc, &after);
                g_assert (after == before);
                fuzz_check_refusal (error);
              }
            g_free (line);
            p += 1 + n;
          }
          break;
        default:
          {
            g_autoptr(GBytes) req = canteen_escpos_status_request ((CanteenEscposStatusRequest) (op % 4 + 1));
            gsize n;
            const guint8 *r = g_bytes_get_data (req, &n);
            g_assert (n == 3 && r[0] == 0x10 && r[1] == 0x04 && r[2] == op % 4 + 1);
          }
          break;
        }
    }
  g_bytes_unref (canteen_escpos_free_to_bytes (doc));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CanteenEscposEncoding encoding;

  if (size < 1)
    return 0;
  encoding = (data[0] & 4) ? CANTEEN_ESCPOS_ENCODING_ASCII : CANTEEN_ESCPOS_ENCODING_GB18030;
  switch (data[0] & 3)
    {
    case 0:
      fuzz_status (data + 1, size - 1);
      break;
    case 1:
      fuzz_status_all (data + 1, size - 1);
      break;
    case 2:
      {
        g_autoptr(CanteenEscpos) doc = canteen_escpos_new (encoding);
        add_text (doc, encoding, data + 1, size - 1);
      }
      break;
    default:
      fuzz_program (encoding, data + 1, size - 1);
      break;
    }
  return 0;
}
