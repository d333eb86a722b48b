/* receipt-escpos.c — canteen_receipt_to_text() lines, a QR code, a cut. */
#include "receipt-escpos.h"

#include <string.h>

#include "escpos.h"

/* Dots per QR module: about 2.5 cm wide for a 36-character UUID on a
 * 203 dpi head, easy for a phone or a desk scanner. */
#define QR_MODULE_SIZE 6

/* What the ESC/POS builder accepts in GB18030 mode (see escpos.h). */
static gboolean
printable (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return c <= 0xFFFF
      && type != G_UNICODE_CONTROL && type != G_UNICODE_FORMAT
      && type != G_UNICODE_LINE_SEPARATOR && type != G_UNICODE_PARAGRAPH_SEPARATOR
      && type != G_UNICODE_UNASSIGNED && type != G_UNICODE_PRIVATE_USE
      && type != G_UNICODE_SURROGATE;
}

/* One line of the receipt text as the printer's font can print it. */
static char *
printer_line (const char *line)
{
  GString *out = g_string_sized_new (strlen (line) + 8);

  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x00A5)                 /* ¥ → ￥: in every GB2312 font */
        g_string_append (out, "\xEF\xBF\xA5");
      else if (printable (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_c (out, '?');
    }
  return g_string_free (out, FALSE);
}

GBytes *
canteen_receipt_to_escpos (const CanteenReceipt *receipt, GTimeZone *tz, GError **error)
{
  return canteen_receipt_to_escpos_visitor (receipt, NULL, tz, error);
}

GBytes *
canteen_receipt_to_escpos_visitor (const CanteenReceipt *receipt, const CanteenVisitorPaid *visitor,
                                   GTimeZone *tz, GError **error)
{
  g_autoptr(CanteenEscpos) doc = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_return_val_if_fail (receipt != NULL, NULL);
  g_return_val_if_fail (tz != NULL, NULL);

  /* The text is valid UTF-8 (GLib made it); a field that held invalid bytes
   * would already have been refused by the ledger. */
  if (visitor != NULL && receipt->issuer_name == NULL)
    {
      /* The issuer given beside the receipt rather than on it. */
      CanteenReceipt named = *receipt;
      named.issuer_name = visitor->issuer_name;
      named.cleared_online = visitor->online;
      text = canteen_receipt_to_text (&named, tz);
    }
  else
    text = canteen_receipt_to_text (receipt, tz);
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  /* The text ends with "\n": no empty last line on paper. */
  if (n > 0 && *lines[n - 1] == '\0')
    n--;

  doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  /* Line by line: the builder takes no control character but "\n", so
   * every line break is ours and no text can smuggle in a command. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = printer_line (lines[i]);

      if (i == 0)
        {
          /* The canteen's name heads the receipt. */
          canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_CENTER);
          canteen_escpos_bold (doc, TRUE);
        }
      if (!canteen_escpos_line (doc, line, error))
        return NULL;
      if (i == 0)
        {
          canteen_escpos_bold (doc, FALSE);
          canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_LEFT);
        }
    }

  canteen_escpos_newline (doc);
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_CENTER);
  if (!canteen_escpos_qr (doc, (const guint8 *) receipt->checkout_id, strlen (receipt->checkout_id),
                          QR_MODULE_SIZE, error))
    return NULL;
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_LEFT);
  /* Past the tear bar, then a partial cut: the receipt hangs until taken. */
  canteen_escpos_feed (doc, 4);
  canteen_escpos_cut (doc, CANTEEN_ESCPOS_CUT_PARTIAL, 0);
  return canteen_escpos_free_to_bytes (g_steal_pointer (&doc));
}
