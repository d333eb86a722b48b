/* The receipt printer's ESC/POS commands and status replies, and the card
 * UIDs HID readers type or report: exact bytes out, every status bit in,
 * and every malformed reply or keystroke a clear error. */
#include <string.h>

#include "device-error.h"
#include "escpos.h"
#include "hid-card.h"

/* What canteen_escpos_new() always starts with: ESC @, ESC R 0, ESC t 0. */
static const guint8 escpos_init[] = { 0x1B, 0x40, 0x1B, 0x52, 0x00, 0x1B, 0x74, 0x00 };
#define HEADER_LEN (sizeof escpos_init + 2)

static void
assert_error_says (GError *error, gint code, const char *says)
{
  g_assert_error (error, CANTEEN_DEVICE_ERROR, code);
  if (strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
  g_assert_null (strchr (error->message, '\n'));
}

/* The document's bytes after the header. */
static const guint8 *
body (CanteenEscpos *doc, gsize *len)
{
  const guint8 *d = canteen_escpos_get_data (doc, len);

  g_assert_cmpuint (*len, >=, HEADER_LEN);
  *len -= HEADER_LEN;
  return d + HEADER_LEN;
}

/* ---- ESC/POS builder ---------------------------------------------------- */

static void
test_escpos_init (void)
{
  g_autoptr(CanteenEscpos) zh = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  g_autoptr(CanteenEscpos) ascii = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_ASCII);
  const guint8 *d;
  gsize n;

  d = canteen_escpos_get_data (zh, &n);
  g_assert_cmpuint (n, ==, HEADER_LEN);
  g_assert_cmpmem (d, sizeof escpos_init, escpos_init, sizeof escpos_init);
  g_assert_cmpmem (d + sizeof escpos_init, 2, "\x1C\x26", 2);            /* FS &: Chinese mode */
  d = canteen_escpos_get_data (ascii, &n);
  g_assert_cmpmem (d + sizeof escpos_init, 2, "\x1C\x2E", 2);            /* FS .: cancelled */

  /* Switching mid-document, and initialising again, re-asserts the encoding. */
  canteen_escpos_set_encoding (ascii, CANTEEN_ESCPOS_ENCODING_GB18030);
  canteen_escpos_initialize (ascii);
  d = body (ascii, &n);
  g_assert_cmpuint (n, ==, 2 + sizeof escpos_init + 2);
  g_assert_cmpmem (d, 2, "\x1C\x26", 2);
  g_assert_cmpmem (d + 2, sizeof escpos_init, escpos_init, sizeof escpos_init);
  g_assert_cmpmem (d + 2 + sizeof escpos_init, 2, "\x1C\x26", 2);
}

static void
test_escpos_gb18030 (void)
{
  /* iconv -f UTF-8 -t GB18030 <<< '红烧肉 ¥12.00': ¥ (U+00A5) is one of
   * GB18030's four-byte sequences. */
  const guint8 expected[] = { 0xBA, 0xEC, 0xC9, 0xD5, 0xC8, 0xE2, 0x20, 0x81, 0x30, 0x84, 0x36,
                              0x31, 0x32, 0x2E, 0x30, 0x30 };
  g_autoptr(CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  GError *error = NULL;
  const guint8 *d;
  gsize n;

  g_assert_true (canteen_escpos_text (doc, "红烧肉 ¥12.00", -1, &error));
  g_assert_no_error (error);
  d = body (doc, &n);
  g_assert_cmpmem (d, n, expected, sizeof expected);

  /* A line ends in LF; '\n' inside text is LF too; explicit length honoured. */
  g_assert_true (canteen_escpos_line (doc, "合计", &error));
  g_assert_true (canteen_escpos_text (doc, "a\nbcdef", 3, &error));
  g_assert_no_error (error);
  d = body (doc, &n);
  g_assert_cmpuint (n, ==, sizeof expected + 5 + 3);
  g_assert_cmpmem (d + sizeof expected, 8, "\xBA\xCF\xBC\xC6\x0A" "a\nb", 8);

  /* Empty text appends nothing. */
  g_assert_true (canteen_escpos_text (doc, "", -1, &error));
  d = body (doc, &n);
  g_assert_cmpuint (n, ==, sizeof expected + 8);
}

static void
test_escpos_text_refused (void)
{
  g_autoptr(CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  g_autoptr(CanteenEscpos) ascii = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_ASCII);
  struct { const char *text; gssize len; const char *says; } bad[] = {
    { "红烧🍜面", -1, "character U+1F35C “🍜” at byte 6 is outside" },    /* no printer font has emoji */
    { "a\x1b@b", -1, "character U+001B at byte 1 is a control" },       /* no command smuggled in text */
    { "x\ty", -1, "U+0009 at byte 1" },
    { "价\xe6\xa0", -1, "invalid UTF-8 at byte 3 (0xE6)" },
    { "ab\0cd", 5, "NUL byte at byte 2" },
    { "\xef\xbb\xbf菜单", -1, "U+FEFF at byte 0" },                      /* a BOM is not printable */
    { "\xee\x80\x80", -1, "U+E000 at byte 0 is unassigned or private-use" },
    { "\xef\xbf\xbf", -1, "U+FFFF at byte 0" },
  };
  GError *error = NULL;
  gsize before, after;

  canteen_escpos_get_data (doc, &before);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (canteen_escpos_text (doc, bad[i].text, bad[i].len, &error));
      assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, bad[i].says);
      g_clear_error (&error);
    }
  g_assert_false (canteen_escpos_line (doc, "🍜", &error));   /* and no LF either */
  g_clear_error (&error);
  canteen_escpos_get_data (doc, &after);
  g_assert_cmpuint (after, ==, before);                       /* refused text appends nothing */

  /* ASCII mode: printable ASCII only, Chinese named. */
  g_assert_true (canteen_escpos_text (ascii, "Total 12.00\n", -1, &error));
  g_assert_no_error (error);
  g_assert_false (canteen_escpos_text (ascii, "Total 红烧肉", -1, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "character U+7EA2 “红” at byte 6 is not printable ASCII");
  g_clear_error (&error);
  {
    const guint8 *d = body (ascii, &after);
    g_assert_cmpmem (d, after, "Total 12.00\n", 12);
  }
}

static void
test_escpos_styles (void)
{
  g_autoptr(CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  const guint8 expected[] = {
    0x1B, 0x61, 0x01,          /* ESC a 1: centre */
    0x1B, 0x61, 0x02,          /* ESC a 2: right */
    0x1B, 0x61, 0x00,          /* ESC a 0: left */
    0x1B, 0x45, 0x01,          /* ESC E 1: bold */
    0x1B, 0x45, 0x00,
    0x1D, 0x21, 0x11,          /* GS !: double width and height */
    0x1D, 0x21, 0x10,          /* double width */
    0x1D, 0x21, 0x01,          /* double height */
    0x1D, 0x21, 0x00,
    0x0A,                      /* LF */
    0x1B, 0x64, 0x05,          /* ESC d 5 */
  };
  const guint8 *d;
  gsize n;

  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_CENTER);
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_RIGHT);
  canteen_escpos_align (doc, CANTEEN_ESCPOS_ALIGN_LEFT);
  canteen_escpos_bold (doc, TRUE);
  canteen_escpos_bold (doc, FALSE);
  canteen_escpos_size (doc, TRUE, TRUE);
  canteen_escpos_size (doc, TRUE, FALSE);
  canteen_escpos_size (doc, FALSE, TRUE);
  canteen_escpos_size (doc, FALSE, FALSE);
  canteen_escpos_newline (doc);
  canteen_escpos_feed (doc, 5);
  d = body (doc, &n);
  g_assert_cmpmem (d, n, expected, sizeof expected);
}

static void
test_escpos_qr (void)
{
  g_autoptr(CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  guint8 payload[CANTEEN_ESCPOS_QR_MAX + 1];
  const guint8 head[] = {
    0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,   /* fn 65: model 2 */
    0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,         /* fn 67: module 6 dots */
    0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,         /* fn 69: level M */
    0x1D, 0x28, 0x6B, 0xCB, 0x00, 0x31, 0x50, 0x30,         /* fn 80: store, pL pH = 200 + 3 */
  };
  const guint8 print[] = { 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30 };  /* fn 81: print */
  GError *error = NULL;
  const guint8 *d;
  gsize n, before;

  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) ('A' + i % 26);
  g_assert_true (canteen_escpos_qr (doc, payload, 200, 6, &error));
  g_assert_no_error (error);
  d = body (doc, &n);
  g_assert_cmpuint (n, ==, sizeof head + 200 + sizeof print);
  g_assert_cmpmem (d, sizeof head, head, sizeof head);
  g_assert_cmpmem (d + sizeof head, 200, payload, 200);
  g_assert_cmpmem (d + sizeof head + 200, sizeof print, print, sizeof print);

  /* 300 bytes: pL pH = 303 = 0x012F; the limit itself fits. */
  g_assert_true (canteen_escpos_qr (doc, payload, 300, 3, &error));
  d = body (doc, &n);
  g_assert_cmpuint (d[sizeof head + 200 + sizeof print + 28], ==, 0x2F);
  g_assert_cmpuint (d[sizeof head + 200 + sizeof print + 29], ==, 0x01);
  g_assert_true (canteen_escpos_qr (doc, payload, CANTEEN_ESCPOS_QR_MAX, 1, &error));
  g_assert_no_error (error);

  canteen_escpos_get_data (doc, &before);
  g_assert_false (canteen_escpos_qr (doc, payload, CANTEEN_ESCPOS_QR_MAX + 1, 6, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_TOO_LARGE, "2332 bytes is over the 2331");
  g_clear_error (&error);
  g_assert_false (canteen_escpos_qr (doc, payload, 0, 6, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "no data");
  g_clear_error (&error);
  g_assert_false (canteen_escpos_qr (doc, payload, 10, 0, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "module size 0 is outside 1..16");
  g_clear_error (&error);
  g_assert_false (canteen_escpos_qr (doc, payload, 10, 17, &error));
  g_clear_error (&error);
  canteen_escpos_get_data (doc, &n);
  g_assert_cmpuint (n, ==, before);
}

static void
test_escpos_cut (void)
{
  g_autoptr(CanteenEscpos) doc = canteen_escpos_new (CANTEEN_ESCPOS_ENCODING_GB18030);
  const guint8 expected[] = { 0x1D, 0x56, 0x42, 0x00, 0x1D, 0x56, 0x41, 0x30 };
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *d;
  gsize n;

  canteen_escpos_cut (doc, CANTEEN_ESCPOS_CUT_PARTIAL, 0);
  canteen_escpos_cut (doc, CANTEEN_ESCPOS_CUT_FULL, 48);
  d = body (doc, &n);
  g_assert_cmpmem (d, n, expected, sizeof expected);

  bytes = canteen_escpos_free_to_bytes (g_steal_pointer (&doc));
  d = g_bytes_get_data (bytes, &n);
  g_assert_cmpuint (n, ==, HEADER_LEN + sizeof expected);
  g_assert_cmpmem (d + HEADER_LEN, sizeof expected, expected, sizeof expected);
}

static void
test_escpos_status_request (void)
{
  for (guint8 i = 1; i <= 4; i++)
    {
      g_autoptr(GBytes) req = canteen_escpos_status_request ((CanteenEscposStatusRequest) i);
      const guint8 expected[] = { 0x10, 0x04, i };
      gsize n;
      const guint8 *d = g_bytes_get_data (req, &n);
      g_assert_cmpmem (d, n, expected, sizeof expected);
    }
}

/* ---- ESC/POS status ---------------------------------------------------- */

static CanteenEscposStatus
status_of (guint8 n, guint8 byte)
{
  CanteenEscposStatus s;
  GError *error = NULL;

  g_assert_true (canteen_escpos_parse_status (n, &byte, 1, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.known, ==, 1u << n);
  return s;
}

static void
test_escpos_status_bits (void)
{
  CanteenEscposStatus s;

  /* DLE EOT 1: printer. 0x12 is the all-clear byte (only the fixed bits). */
  s = status_of (1, 0x12);
  g_assert_true (s.online && s.ready);
  g_assert_false (s.drawer_pin3_high || s.waiting_online_recovery || s.feed_button);
  g_assert_cmpstr (s.message, ==, "printer: ready");
  g_assert_true (status_of (1, 0x16).drawer_pin3_high);
  s = status_of (1, 0x1A);
  g_assert_false (s.online);
  g_assert_false (s.ready);
  g_assert_cmpstr (s.message, ==, "printer: offline");
  g_assert_true (status_of (1, 0x32).waiting_online_recovery);
  g_assert_true (status_of (1, 0x52).feed_button);

  /* DLE EOT 2: offline cause. */
  s = status_of (2, 0x12);
  g_assert_false (s.cover_open || s.feed_button || s.paper_end_stop || s.error || s.paper_out);
  s = status_of (2, 0x16);
  g_assert_true (s.cover_open);
  g_assert_cmpstr (s.message, ==, "printer: cover open");
  g_assert_true (status_of (2, 0x1A).feed_button);
  s = status_of (2, 0x32);
  g_assert_true (s.paper_end_stop && s.paper_out);
  g_assert_cmpstr (s.message, ==, "printer: paper out");
  s = status_of (2, 0x52);
  g_assert_true (s.error);
  g_assert_false (s.ready);

  /* DLE EOT 3: error cause. */
  s = status_of (3, 0x12);
  g_assert_false (s.recoverable_error || s.cutter_error || s.unrecoverable_error || s.auto_recoverable_error);
  g_assert_true (status_of (3, 0x16).recoverable_error);
  s = status_of (3, 0x1A);
  g_assert_true (s.cutter_error);
  g_assert_cmpstr (s.message, ==, "printer: cutter error (paper jammed at the cutter?)");
  s = status_of (3, 0x32);
  g_assert_true (s.unrecoverable_error);
  g_assert_cmpstr (s.message, ==, "printer: unrecoverable error, call for service");
  s = status_of (3, 0x52);
  g_assert_true (s.auto_recoverable_error);
  g_assert_cmpstr (s.message, ==, "printer: print head too hot, waiting");

  /* DLE EOT 4: paper roll. Near end: bits 2 and 3; end: bits 5 and 6
   * (either one, for printers with two sensors). */
  s = status_of (4, 0x12);
  g_assert_false (s.paper_near_end || s.paper_out);
  s = status_of (4, 0x1E);
  g_assert_true (s.paper_near_end && s.ready);
  g_assert_false (s.paper_out);
  g_assert_cmpstr (s.message, ==, "printer: paper nearly out");
  g_assert_true (status_of (4, 0x16).paper_near_end);
  g_assert_true (status_of (4, 0x1A).paper_near_end);
  s = status_of (4, 0x72);
  g_assert_true (s.paper_out);
  g_assert_false (s.ready);
  g_assert_true (status_of (4, 0x32).paper_out);
  g_assert_true (status_of (4, 0x52).paper_out);
}

static void
test_escpos_status_refused (void)
{
  struct { guint8 n; const guint8 *reply; gsize len; const char *says; } bad[] = {
    { 1, (const guint8 *) "\x00", 1, "0x00 to DLE EOT 1 breaks the fixed bits" },
    { 1, (const guint8 *) "\x10", 1, "0x10" },                      /* bit 1 clear */
    { 2, (const guint8 *) "\x02", 1, "0x02" },                      /* bit 4 clear */
    { 3, (const guint8 *) "\x13", 1, "0x13" },                      /* bit 0 set */
    { 4, (const guint8 *) "\x92", 1, "0x92" },                      /* bit 7 set */
    { 1, (const guint8 *) "\xFF", 1, "0xFF" },
    { 1, (const guint8 *) "", 0, "0 bytes, 1 expected" },
    { 2, (const guint8 *) "\x12\x12", 2, "2 bytes, 1 expected" },
    { 0, (const guint8 *) "\x12", 1, "DLE EOT 0 is not a status request" },
    { 5, (const guint8 *) "\x12", 1, "DLE EOT 5" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CanteenEscposStatus s;
      GError *error = NULL;
      g_assert_false (canteen_escpos_parse_status (bad[i].n, bad[i].reply, bad[i].len, &s, &error));
      assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, bad[i].says);
      g_assert_false (s.ready);
      g_clear_error (&error);
    }
}

static void
test_escpos_status_all (void)
{
  struct { guint8 r[4]; gboolean ready; const char *message; } cases[] = {
    { { 0x12, 0x12, 0x12, 0x12 }, TRUE, "printer: ready" },
    { { 0x16, 0x12, 0x12, 0x1E }, TRUE, "printer: paper nearly out" },
    { { 0x1A, 0x32, 0x12, 0x7E }, FALSE, "printer: paper out" },        /* offline at paper end */
    { { 0x1A, 0x16, 0x12, 0x12 }, FALSE, "printer: cover open" },
    { { 0x1A, 0x52, 0x1A, 0x12 }, FALSE, "printer: cutter error (paper jammed at the cutter?)" },
    { { 0x1A, 0x56, 0x32, 0x72 }, FALSE, "printer: unrecoverable error, call for service" },  /* worst wins */
    { { 0x1A, 0x12, 0x12, 0x12 }, FALSE, "printer: offline" },
  };
  CanteenEscposStatus s;
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (canteen_escpos_parse_status_all (cases[i].r, &s, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (s.known, ==, 0x1E);
      g_assert_cmpint (s.ready, ==, cases[i].ready);
      g_assert_cmpstr (s.message, ==, cases[i].message);
    }
  g_assert_true (canteen_escpos_parse_status_all ((const guint8 *) "\x1A\x32\x12\x7E", &s, &error));
  g_assert_false (s.online);
  g_assert_true (s.paper_out && s.paper_near_end && s.paper_end_stop);
  g_assert_false (s.cover_open || s.cutter_error || s.unrecoverable_error);

  /* One bad reply spoils the lot, and says which. */
  g_assert_false (canteen_escpos_parse_status_all ((const guint8 *) "\x12\x12\x00\x12", &s, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "reply 0x00 to DLE EOT 3");
  g_assert_false (s.ready);
  g_assert_cmpuint (s.known, ==, 0);
  g_clear_error (&error);
}

/* ---- HID card: keyboard wedge ------------------------------------------- */

#define SHIFT 0x02

static const guint8 key_up[8] = { 0 };

static guint8
keycode_of (char c, gboolean keypad)
{
  if (c == '\n')
    return 0x28;
  if (c >= '1' && c <= '9')
    return (guint8) ((keypad ? 0x59 : 0x1E) + (c - '1'));
  if (c == '0')
    return keypad ? 0x62 : 0x27;
  if (c >= 'a' && c <= 'f')
    return (guint8) (0x04 + (c - 'a'));
  if (c >= 'A' && c <= 'F')
    return (guint8) (0x04 + (c - 'A'));
  g_assert_not_reached ();
}

/* Types `text` as a reader does (key down, key up); returns what the last
 * report gave. Each report but the last must ask for more. */
static CanteenHidCardFeedResult
type_text (CanteenHidCardDecoder *dec, const char *text, gboolean keypad,
           CanteenHidCardUid *uid, GError **error)
{
  CanteenHidCardFeedResult r = CANTEEN_HID_CARD_NEED_MORE;

  for (const char *p = text; *p; p++)
    {
      guint8 down[8] = { (*p >= 'A' && *p <= 'F') ? SHIFT : 0, 0, keycode_of (*p, keypad) };
      r = canteen_hid_card_decoder_feed (dec, down, sizeof down, uid, error);
      if (r != CANTEEN_HID_CARD_NEED_MORE)
        return r;
      r = canteen_hid_card_decoder_feed (dec, key_up, sizeof key_up, uid, error);
      g_assert_cmpint (r, ==, CANTEEN_HID_CARD_NEED_MORE);
    }
  return r;
}

static void
assert_typed_uid (const char *text, gboolean keypad, const char *hex)
{
  CanteenHidCardDecoder dec;
  CanteenHidCardUid uid;
  g_autofree char *with_enter = g_strconcat (text, "\n", NULL);
  GError *error = NULL;

  canteen_hid_card_decoder_init (&dec);
  g_assert_cmpint (type_text (&dec, with_enter, keypad, &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
  g_assert_no_error (error);
  g_assert_cmpstr (uid.hex, ==, hex);
  g_assert_cmpuint (uid.len, ==, strlen (hex) / 2);
  g_assert_cmpint (dec.state, ==, CANTEEN_HID_CARD_DECODER_IDLE);
}

static void
test_hid_card_decimal (void)
{
  CanteenHidCardDecoder dec;
  CanteenHidCardUid uid;
  GError *error = NULL;
  const guint8 deadbeef[] = { 0xDE, 0xAD, 0xBE, 0xEF };

  /* "3735928559\n": the 4-byte UID as a 32-bit decimal → DEADBEEF. */
  canteen_hid_card_decoder_init (&dec);
  g_assert_cmpint (type_text (&dec, "3735928559", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
  g_assert_cmpint (dec.state, ==, CANTEEN_HID_CARD_DECODER_TYPING);
  {
    const guint8 enter[8] = { 0, 0, 0x28 };
    g_assert_cmpint (canteen_hid_card_decoder_feed (&dec, enter, 8, &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
    g_assert_no_error (error);
    g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
    g_assert_cmpmem (uid.bytes, uid.len, deadbeef, sizeof deadbeef);
    /* Enter held into the next report is not a second Enter. */
    g_assert_cmpint (canteen_hid_card_decoder_feed (&dec, enter, 8, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
    g_assert_no_error (error);
  }

  assert_typed_uid ("3735928559", FALSE, "DEADBEEF");
  assert_typed_uid ("0000000001", FALSE, "00000001");
  assert_typed_uid ("0102030405", FALSE, "0614DC45");   /* ten digits are decimal, never hex */
  assert_typed_uid ("4294967295", FALSE, "FFFFFFFF");
  assert_typed_uid ("1111111111", FALSE, "423A35C7");   /* a key pressed again after key-up counts again */
  /* Keypad digits (0x59..0x62) type the same. */
  assert_typed_uid ("3735928559", TRUE, "DEADBEEF");
  assert_typed_uid ("0123456789", TRUE, "075BCD15");
}

static void
test_hid_card_hex (void)
{
  /* Upper-case hex with shift, lower-case without: both canonical upper. */
  assert_typed_uid ("DEADBEEF", FALSE, "DEADBEEF");
  assert_typed_uid ("deadbeef", FALSE, "DEADBEEF");
  assert_typed_uid ("12345678", FALSE, "12345678");             /* 8 characters: hex, not decimal */
  assert_typed_uid ("04A1b2C3d4E5F6", FALSE, "04A1B2C3D4E5F6"); /* 7-byte UID */
  assert_typed_uid ("0102030405060708090A", TRUE, "0102030405060708090A");  /* 10-byte UID */
}

static CanteenHidCardFeedResult
feed (CanteenHidCardDecoder *dec, const guint8 report[8], CanteenHidCardUid *uid, GError **error)
{
  return canteen_hid_card_decoder_feed (dec, report, 8, uid, error);
}

static void
test_hid_card_held_keys (void)
{
  /* "3735928559" typed by a reader that rolls from key to key, repeats
   * reports while a key is held and lists a key twice in one report. */
  const guint8 reports[][8] = {
    { 0, 0, 0x20 },                  /* 3 */
    { 0, 0, 0x20 },                  /* 3 still held */
    { 0, 0, 0x20, 0x24 },            /* 7 down while 3 held */
    { 0, 0, 0x24 },                  /* 3 up */
    { 0, 0, 0x20 },                  /* 7 up, 3 down again */
    { 0 },
    { 0, 0, 0x22 },                  /* 5 */
    { 0, 0, 0x26, 0x26 },            /* 5 up, 9 down, listed twice */
    { 0, 0, 0x26, 0x26 },
    { 0, 0, 0x1F },                  /* 2 */
    { 0, 0, 0x1F, 0x1F, 0x1F },
    { 0, 0, 0x25 },                  /* 8 */
    { 0, 0xAA, 0x25 },               /* held; the reserved byte changes nothing */
    { 0 },
    { 0, 0, 0x22 },                  /* 5 */
    { 0 },
    { 0, 0, 0x22 },                  /* 5 again after key-up: a second keystroke */
    { 0 },
    { 0, 0, 0x26, 0x28 },            /* 9 and Enter together: 9 counts first */
  };
  CanteenHidCardDecoder dec;
  CanteenHidCardUid uid;
  GError *error = NULL;

  canteen_hid_card_decoder_init (&dec);
  for (gsize i = 0; i + 1 < G_N_ELEMENTS (reports); i++)
    {
      g_assert_cmpint (feed (&dec, reports[i], &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (dec.typed, ==, "373592855");
  g_assert_cmpint (feed (&dec, reports[G_N_ELEMENTS (reports) - 1], &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
  g_assert_no_error (error);
  g_assert_cmpstr (uid.hex, ==, "DEADBEEF");

  /* Shift as a key in the array (0xE1) counts like the modifier bit;
   * keypad Enter ends the UID too. */
  {
    const guint8 more[][8] = {
      { 0, 0, 0xE1, 0x07 }, { 0 }, { 0, 0, 0xE1, 0x08 }, { 0 }, { 0, 0, 0xE1, 0x04 }, { 0 },
      { 0, 0, 0xE1, 0x07 }, { 0 }, { 0, 0, 0xE1, 0x05 }, { 0 }, { 0, 0, 0xE1, 0x08 }, { 0 },
      { 0, 0, 0xE1, 0x08 }, { 0 }, { 0x20, 0, 0x09 }, { 0 }, { 0, 0, 0x58 },
    };
    for (gsize i = 0; i + 1 < G_N_ELEMENTS (more); i++)
      g_assert_cmpint (feed (&dec, more[i], &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
    g_assert_cmpint (feed (&dec, more[G_N_ELEMENTS (more) - 1], &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
    g_assert_no_error (error);
    g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
  }
}

/* After an error the decoder drops keys until Enter, then reads the next card. */
static void
assert_recovers (CanteenHidCardDecoder *dec)
{
  CanteenHidCardUid uid;
  GError *error = NULL;

  g_assert_cmpint (dec->state, ==, CANTEEN_HID_CARD_DECODER_DISCARD);
  g_assert_cmpuint (dec->n_typed, ==, 0);
  /* The rest of the bad read, then its Enter: no UID, no error. */
  g_assert_cmpint (type_text (dec, "12345678\n", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
  g_assert_no_error (error);
  g_assert_cmpint (dec->state, ==, CANTEEN_HID_CARD_DECODER_IDLE);
  /* The next card reads. */
  g_assert_cmpint (type_text (dec, "3735928559\n", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
  g_assert_no_error (error);
  g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
}

static void
test_hid_card_refused (void)
{
  CanteenHidCardDecoder dec;
  CanteenHidCardUid uid;
  GError *error = NULL;

  /* Overflow: the 21st character. */
  canteen_hid_card_decoder_init (&dec);
  g_assert_cmpint (type_text (&dec, "01234567890123456789", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
  g_assert_cmpint (type_text (&dec, "0", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_FAILED);
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "more than 20 characters before Enter");
  g_clear_error (&error);
  /* (type_text returned on the key-down; release it.) */
  g_assert_cmpint (feed (&dec, key_up, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
  assert_recovers (&dec);

  /* Garbage keycodes, each in the middle of a UID. */
  {
    struct { guint8 report[8]; const char *says; } garbage[] = {
      { { 0, 0, 0x2C }, "keycode 0x2C (modifiers 0x00) is not a digit, A–F or Enter" },  /* space */
      { { 0, 0, 0x0A }, "keycode 0x0A" },                                                /* g */
      { { SHIFT, 0, 0x1E }, "keycode 0x1E (modifiers 0x02)" },                           /* shift+1 = ! */
      { { 0x01, 0, 0x04 }, "keycode 0x04 (modifiers 0x01)" },                            /* ctrl+a */
      { { 0, 0, 0xE0, 0x04 }, "modifiers 0x01" },                                        /* ctrl as a key */
      { { 0, 0, 0x63 }, "keycode 0x63" },                                                /* keypad . */
      { { 0, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01 }, "error code 0x01 (rollover)" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (garbage); i++)
      {
        canteen_hid_card_decoder_init (&dec);
        g_assert_cmpint (type_text (&dec, "3735", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
        g_assert_cmpint (feed (&dec, garbage[i].report, &uid, &error), ==, CANTEEN_HID_CARD_FAILED);
        assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, garbage[i].says);
        g_clear_error (&error);
        g_assert_cmpint (feed (&dec, key_up, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
        g_assert_no_error (error);
        assert_recovers (&dec);
      }
  }

  /* A report that is not 8 bytes. */
  canteen_hid_card_decoder_init (&dec);
  g_assert_cmpint (canteen_hid_card_decoder_feed (&dec, key_up, 7, &uid, &error), ==, CANTEEN_HID_CARD_FAILED);
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "report of 7 bytes, 8 expected");
  g_clear_error (&error);
  assert_recovers (&dec);

  /* reset() ends discarding at once (a driver's idle timeout). */
  canteen_hid_card_decoder_init (&dec);
  g_assert_cmpint (canteen_hid_card_decoder_feed (&dec, key_up, 9, &uid, &error), ==, CANTEEN_HID_CARD_FAILED);
  g_clear_error (&error);
  canteen_hid_card_decoder_reset (&dec);
  g_assert_cmpint (type_text (&dec, "deadbeef\n", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
  g_assert_cmpstr (uid.hex, ==, "DEADBEEF");

  /* Complete but not a UID: the decoder is ready for the next card at once. */
  {
    struct { const char *typed; const char *says; } forms[] = {
      { "373592855\n", "9 characters “373592855”" },
      { "4294967296\n", "decimal 4294967296 is over 4294967295" },
      { "37359285a9\n", "10 characters" },           /* 10 with a hex letter: neither form */
      { "\n", "Enter with no UID typed" },
      { "deadbeef0\n", "9 characters" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
      {
        canteen_hid_card_decoder_init (&dec);
        g_assert_cmpint (type_text (&dec, forms[i].typed, FALSE, &uid, &error), ==, CANTEEN_HID_CARD_FAILED);
        assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, forms[i].says);
        g_clear_error (&error);
        g_assert_cmpint (dec.state, ==, CANTEEN_HID_CARD_DECODER_IDLE);
        g_assert_cmpint (feed (&dec, key_up, &uid, &error), ==, CANTEEN_HID_CARD_NEED_MORE);
        g_assert_cmpint (type_text (&dec, "3735928559\n", FALSE, &uid, &error), ==, CANTEEN_HID_CARD_COMPLETE);
        g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
      }
  }

  /* The conversion on its own refuses what a decoder never produces. */
  g_assert_false (canteen_hid_card_uid_from_typed ("DEAD-BEEF", 9, &uid, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "character “-” at 4");
  g_clear_error (&error);
  g_assert_false (canteen_hid_card_uid_from_typed ("DEAD\nBEE", 8, &uid, &error));
  assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, "byte 0x0A at 4");
  g_clear_error (&error);
}

/* ---- HID card: vendor report ------------------------------------------- */

static void
test_hid_card_vendor (void)
{
  const guint8 four[] = { 0x01, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
  const guint8 seven[] = { 0x01, 0x07, 0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6 };   /* no padding */
  const guint8 ten[] = { 0x01, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0 };
  CanteenHidCardUid uid;
  GError *error = NULL;

  g_assert_true (canteen_hid_card_parse_vendor_report (four, sizeof four, &uid, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (uid.hex, ==, "DEADBEEF");
  g_assert_cmpuint (uid.len, ==, 4);
  g_assert_true (canteen_hid_card_parse_vendor_report (seven, sizeof seven, &uid, &error));
  g_assert_cmpstr (uid.hex, ==, "04A1B2C3D4E5F6");
  g_assert_cmpmem (uid.bytes, uid.len, seven + 2, 7);
  g_assert_true (canteen_hid_card_parse_vendor_report (ten, sizeof ten, &uid, &error));
  g_assert_cmpstr (uid.hex, ==, "0102030405060708090A");
  g_assert_cmpuint (uid.len, ==, 10);

  {
    struct { const char *b; gsize n; const char *says; } bad[] = {
      { "", 0, "0 bytes, at least 2 needed" },
      { "\x01", 1, "1 bytes, at least 2 needed" },
      { "\x02\x04\xDE\xAD\xBE\xEF", 6, "report id 2 is not the card report (1)" },
      { "\x01\x03\xDE\xAD\xBE", 5, "UID length 3 is outside 4..10" },
      { "\x01\x0B\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B", 13, "UID length 11" },
      { "\x01\x00", 2, "UID length 0" },
      { "\x01\x07\x04\xA1\xB2\xC3\xD4", 7, "UID of 7 bytes but only 5 follow" },
      { "\x01\x04\xDE\xAD\xBE", 5, "UID of 4 bytes but only 3 follow" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (canteen_hid_card_parse_vendor_report ((const guint8 *) bad[i].b, bad[i].n, &uid, &error));
        assert_error_says (error, CANTEEN_DEVICE_ERROR_PROTOCOL, bad[i].says);
        g_assert_cmpuint (uid.len, ==, 0);
        g_clear_error (&error);
      }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/protocol/escpos/init", test_escpos_init);
  g_test_add_func ("/protocol/escpos/gb18030", test_escpos_gb18030);
  g_test_add_func ("/protocol/escpos/text-refused", test_escpos_text_refused);
  g_test_add_func ("/protocol/escpos/styles", test_escpos_styles);
  g_test_add_func ("/protocol/escpos/qr", test_escpos_qr);
  g_test_add_func ("/protocol/escpos/cut", test_escpos_cut);
  g_test_add_func ("/protocol/escpos/status-request", test_escpos_status_request);
  g_test_add_func ("/protocol/escpos/status-bits", test_escpos_status_bits);
  g_test_add_func ("/protocol/escpos/status-refused", test_escpos_status_refused);
  g_test_add_func ("/protocol/escpos/status-all", test_escpos_status_all);
  g_test_add_func ("/protocol/hid-card/decimal", test_hid_card_decimal);
  g_test_add_func ("/protocol/hid-card/hex", test_hid_card_hex);
  g_test_add_func ("/protocol/hid-card/held-keys", test_hid_card_held_keys);
  g_test_add_func ("/protocol/hid-card/refused", test_hid_card_refused);
  g_test_add_func ("/protocol/hid-card/vendor", test_hid_card_vendor);
  return g_test_run ();
}
