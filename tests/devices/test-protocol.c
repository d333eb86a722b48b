/* The wire protocols of readers and scales: real messages parse, and every
 * malformed one is a clear error rather than a crash or a read past the end. */
#include "apdu.h"
#include "atr.h"
#include "ccid.h"
#include "device-error.h"
#include "hid-scale.h"

/* ---- ATR ---------------------------------------------------------------- */

static void
test_atr_good (void)
{
  /* A PC/SC reader's pseudo-ATR for a MIFARE card (T=1, TCK present). */
  const guint8 mifare[] = { 0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06,
                            0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A };
  /* A T=0 card: TA1 and two historical bytes, no TD1 and so no TCK. */
  const guint8 t0[] = { 0x3B, 0x12, 0x13, 0x80, 0x73 };
  /* TD1 = 81 announces T=1 and TD2; then TCK must check. */
  const guint8 t1[] = { 0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B };
  CanteenAtr atr;
  GError *error = NULL;
  g_autofree char *hex = NULL;

  g_assert_true (canteen_atr_parse (mifare, sizeof mifare, &atr, &error));
  g_assert_no_error (error);
  g_assert_true (atr.protocols & (1u << 1));
  g_assert_true (atr.has_tck);
  g_assert_cmpuint (atr.n_historical, ==, 15);
  g_assert_cmpuint (atr.historical[0], ==, 0x80);
  hex = canteen_atr_to_hex (&atr);
  g_assert_true (g_str_has_prefix (hex, "3B 8F 80 01"));

  g_assert_true (canteen_atr_parse (t0, sizeof t0, &atr, &error));
  g_assert_no_error (error);
  g_assert_cmpint (atr.ta1, ==, 0x13);
  g_assert_cmpuint (atr.protocols, ==, 1);
  g_assert_false (atr.has_tck);
  g_assert_cmpuint (atr.n_historical, ==, 2);
  g_assert_cmpuint (atr.historical[1], ==, 0x73);

  g_assert_true (canteen_atr_parse (t1, sizeof t1, &atr, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (atr.protocols, ==, 1u << 1);
  g_assert_true (atr.has_tck);
  g_assert_cmpuint (atr.n_historical, ==, 5);
  g_assert_cmpuint (atr.historical[0], ==, 0x80);
}

static void
test_atr_bad (void)
{
  struct { const guint8 *b; gsize n; const char *says; } cases[] = {
    { (const guint8 *) "\x3B", 1, "at least TS and T0" },
    { (const guint8 *) "\x3A\x00", 2, "TS is 3A" },
    { (const guint8 *) "\x3B\x05\x01\x02", 4, "announces 5 historical bytes" },
    { (const guint8 *) "\x3B\x80\x01", 3, "TCK is missing" },
    { (const guint8 *) "\x3B\x80\x01\x00", 4, "TCK 00 does not check" },
    { (const guint8 *) "\x3B\x10", 2, "ends inside interface bytes" },
    { (const guint8 *) "\x3B\x00\x00", 3, "1 bytes after the end" },
  };
  guint8 too_long[40] = { 0x3B, 0x0F };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CanteenAtr atr;
      GError *error = NULL;
      g_assert_false (canteen_atr_parse (cases[i].b, cases[i].n, &atr, &error));
      g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].says);
      g_clear_error (&error);
    }
  {
    CanteenAtr atr;
    g_assert_false (canteen_atr_parse (too_long, sizeof too_long, &atr, NULL));
  }
}

/* ---- CCID ---------------------------------------------------------------- */

/* An interface's extra bytes: the 54-byte CCID class descriptor of a typical
 * contactless reader (T=0 and T=1, short and extended APDU level). */
static const guint8 ccid_descriptor[] = {
  0x36, 0x21, 0x10, 0x01, 0x00, 0x07, 0x03, 0x00, 0x00, 0x00, 0xC0, 0x12, 0x00, 0x00,
  0xC0, 0x12, 0x00, 0x00, 0x00, 0x67, 0x32, 0x00, 0x00, 0xCE, 0x99, 0x0C, 0x00, 0x00,
  0xFE, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xBA, 0x04,
  0x04, 0x00, 0x0F, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
};

static void
test_ccid_descriptor (void)
{
  CanteenCcidDescriptor d;
  GError *error = NULL;
  guint8 with_other[9 + sizeof ccid_descriptor] = { 0x09, 0x04, 0, 0, 0, 0, 0, 0, 0 };

  g_assert_true (canteen_ccid_parse_descriptor (ccid_descriptor, sizeof ccid_descriptor, &d, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.bcd_ccid, ==, 0x0110);
  g_assert_cmpuint (d.protocols, ==, 3);
  g_assert_cmpuint (d.max_message_length, ==, 271);
  g_assert_cmpint (canteen_ccid_exchange_level (&d), ==, CANTEEN_CCID_LEVEL_EXTENDED_APDU);
  /* Found after another descriptor too. */
  memcpy (with_other + 9, ccid_descriptor, sizeof ccid_descriptor);
  g_assert_true (canteen_ccid_parse_descriptor (with_other, sizeof with_other, &d, &error));
  /* Truncated, zero length, missing. */
  g_assert_false (canteen_ccid_parse_descriptor (ccid_descriptor, 30, &d, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (canteen_ccid_parse_descriptor ((const guint8 *) "\x00\x21", 2, &d, &error));
  g_clear_error (&error);
  g_assert_false (canteen_ccid_parse_descriptor (with_other, 9, &d, &error));
  g_assert_nonnull (strstr (error->message, "no class descriptor"));
  g_clear_error (&error);
}

static void
test_ccid_messages (void)
{
  g_autoptr(GBytes) on = canteen_ccid_power_on (0, 7);
  const guint8 apdu[] = { 0xFF, 0xCA, 0x00, 0x00, 0x00 };
  g_autoptr(GBytes) xfr = canteen_ccid_xfr_block (0, 8, apdu, sizeof apdu, 0, 271, NULL);
  const guint8 *m;
  gsize n;
  GError *error = NULL;

  m = g_bytes_get_data (on, &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (m[0], ==, 0x62);
  g_assert_cmpuint (m[6], ==, 7);
  m = g_bytes_get_data (xfr, &n);
  g_assert_cmpuint (n, ==, 15);
  g_assert_cmpuint (m[0], ==, 0x6F);
  g_assert_cmpuint (m[1], ==, 5);
  g_assert_cmpmem (m + 10, 5, apdu, 5);
  /* Over the reader's message size: refused before anything is sent. */
  {
    guint8 big[300] = { 0 };
    g_assert_null (canteen_ccid_xfr_block (0, 9, big, sizeof big, 0, 271, &error));
    g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
}

static void
test_ccid_replies (void)
{
  /* DataBlock for seq 8: a UID and 90 00. */
  const guint8 ok[] = { 0x80, 0x06, 0, 0, 0, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00 };
  const guint8 mute[] = { 0x80, 0, 0, 0, 0, 0x00, 0x08, 0x41, 0xFE, 0x00 };
  const guint8 absent[] = { 0x81, 0, 0, 0, 0, 0x00, 0x08, 0x42, 0xFE, 0x00 };
  const guint8 extension[] = { 0x80, 0, 0, 0, 0, 0x00, 0x08, 0x80, 0x02, 0x00 };
  CanteenCcidReply r;
  GError *error = NULL;

  g_assert_true (canteen_ccid_parse_reply (ok, sizeof ok, 0, 8, 271, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.len, ==, 6);
  g_assert_true (canteen_ccid_reply_check (&r, &error));

  g_assert_true (canteen_ccid_parse_reply (mute, sizeof mute, 0, 8, 271, &r, &error));
  g_assert_false (canteen_ccid_reply_check (&r, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD);
  g_clear_error (&error);
  g_assert_true (canteen_ccid_parse_reply (absent, sizeof absent, 0, 8, 271, &r, &error));
  g_assert_cmpint (r.icc, ==, CANTEEN_CCID_ICC_ABSENT);
  g_assert_false (canteen_ccid_reply_check (&r, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD);
  g_clear_error (&error);
  g_assert_true (canteen_ccid_parse_reply (extension, sizeof extension, 0, 8, 271, &r, &error));
  g_assert_cmpint (r.command, ==, CANTEEN_CCID_COMMAND_TIME_EXTENSION);
  g_assert_cmpuint (r.error, ==, 2);     /* the multiplier */

  {
    struct { const guint8 *b; gsize n; guint8 seq; const char *says; } bad[] = {
      { ok, 9, 8, "shorter than the 10-byte header" },
      { ok, sizeof ok - 1, 8, "dwLength 6 but 5 data bytes" },
      { ok, sizeof ok, 9, "bSeq 8 to request 9" },
      { (const guint8 *) "\x83\0\0\0\0\0\x08\0\0\0", 10, 8, "unknown reply type 83h" },
      { (const guint8 *) "\x80\0\0\0\0\0\x08\x03\0\0", 10, 8, "reserved bits" },
      { (const guint8 *) "\x80\xff\xff\xff\xff\0\x08\0\0\0", 10, 8, "over the reader's 271-byte limit" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (canteen_ccid_parse_reply (bad[i].b, bad[i].n, 0, bad[i].seq, 271, &r, &error));
        g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
        if (strstr (error->message, bad[i].says) == NULL)
          g_error ("“%s” does not say “%s”", error->message, bad[i].says);
        g_clear_error (&error);
      }
  }
}

static void
test_ccid_notify (void)
{
  guint32 present, changed;
  GError *error = NULL;

  /* Slot 0 present and changed (card tapped), slot 1 absent. */
  g_assert_true (canteen_ccid_parse_notify ((const guint8 *) "\x50\x03", 2, 2, &present, &changed, &error));
  g_assert_cmpuint (present, ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  /* Removed: changed, not present. */
  g_assert_true (canteen_ccid_parse_notify ((const guint8 *) "\x50\x02", 2, 1, &present, &changed, &error));
  g_assert_cmpuint (present, ==, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_false (canteen_ccid_parse_notify ((const guint8 *) "\x50", 1, 1, &present, &changed, &error));
  g_clear_error (&error);
  g_assert_false (canteen_ccid_parse_notify ((const guint8 *) "\x51\x00\x00\x00", 4, 1, &present, &changed, &error));
  g_clear_error (&error);
}

/* ---- APDU ---------------------------------------------------------------- */

static void
test_apdu (void)
{
  const guint8 aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x03 };
  g_autoptr(GBytes) select = canteen_apdu_build (0x00, 0xA4, 0x04, 0x00, aid, sizeof aid, 0, FALSE, NULL);
  const guint8 expect_select[] = { 0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x00 };
  g_autofree guint8 *big = g_malloc0 (300);
  g_autoptr(GBytes) ext = canteen_apdu_build (0x00, 0x88, 0x00, 0x00, big, 300, 512, TRUE, NULL);
  CanteenApduResponse resp;
  GError *error = NULL;
  gint le;
  gsize n;
  const guint8 *m;

  m = g_bytes_get_data (select, &n);
  g_assert_cmpmem (m, n, expect_select, sizeof expect_select);
  m = g_bytes_get_data (ext, &n);
  g_assert_cmpuint (n, ==, 4 + 3 + 300 + 2);            /* extended Lc, data, 2-byte Le */
  g_assert_cmpuint (m[4], ==, 0x00);
  g_assert_cmpuint (m[5], ==, 0x01);
  g_assert_cmpuint (m[6], ==, 0x2C);
  g_assert_null (canteen_apdu_build (0x00, 0x88, 0x00, 0x00, big, 300, 0, FALSE, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_true (canteen_apdu_parse_response ((const guint8 *) "\x01\x02\x90\x00", 4, &resp, &error));
  g_assert_cmpuint (resp.sw, ==, 0x9000);
  g_assert_cmpuint (resp.len, ==, 2);
  g_assert_false (canteen_apdu_parse_response ((const guint8 *) "\x90", 1, &resp, &error));
  g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_cmpint (canteen_apdu_next (0x6110, &le), ==, CANTEEN_APDU_GET_RESPONSE);
  g_assert_cmpint (le, ==, 0x10);
  g_assert_cmpint (canteen_apdu_next (0x6100, &le), ==, CANTEEN_APDU_GET_RESPONSE);
  g_assert_cmpint (le, ==, 256);
  g_assert_cmpint (canteen_apdu_next (0x6C08, &le), ==, CANTEEN_APDU_RESEND);
  g_assert_cmpint (le, ==, 8);
  g_assert_cmpint (canteen_apdu_next (0x6A82, &le), ==, CANTEEN_APDU_DONE);
}

/* ---- scale ------------------------------------------------------------- */

static gint
grams_of (guint8 status, guint8 unit, gint8 exponent, guint16 raw, gboolean *stable)
{
  guint8 report[6] = { 3, status, unit, (guint8) exponent, (guint8) raw, (guint8) (raw >> 8) };
  CanteenScaleReading r;
  GError *error = NULL;

  g_assert_true (canteen_scale_parse_report (report, sizeof report, TRUE, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.valid);
  if (stable)
    *stable = r.stable;
  return r.grams;
}

static void
test_scale (void)
{
  gboolean stable = FALSE;
  CanteenScaleReading r;
  GError *error = NULL;

  g_assert_cmpint (grams_of (4, 2, 0, 523, &stable), ==, 523);            /* 523 g */
  g_assert_true (stable);
  g_assert_cmpint (grams_of (3, 2, 0, 523, &stable), ==, 523);            /* in motion */
  g_assert_false (stable);
  g_assert_cmpint (grams_of (4, 3, -3, 1250, NULL), ==, 1250);            /* 1.250 kg */
  g_assert_cmpint (grams_of (4, 1, 0, 1499, NULL), ==, 1);                /* 1499 mg → 1 g */
  g_assert_cmpint (grams_of (4, 2, -2, 149, NULL), ==, 1);                /* 1.49 g: one rounding, not two */
  g_assert_cmpint (grams_of (4, 11, -1, 100, NULL), ==, 283);             /* 10.0 oz */
  g_assert_cmpint (grams_of (4, 12, -2, 250, NULL), ==, 1134);            /* 2.50 lb */
  g_assert_cmpint (grams_of (2, 2, 0, 0, &stable), ==, 0);                /* stable zero */
  g_assert_true (stable);
  g_assert_cmpint (grams_of (5, 2, 0, 12, NULL), ==, -12);                /* under zero */

  /* Over capacity: a reading, but no weight. */
  g_assert_true (canteen_scale_parse_report ((const guint8 *) "\x03\x06\x02\x00\x00\x00", 6, TRUE, &r, &error));
  g_assert_false (r.valid);
  g_assert_cmpint (r.status, ==, CANTEEN_SCALE_OVER_CAPACITY);
  /* Without report ids the report is one byte shorter. */
  g_assert_true (canteen_scale_parse_report ((const guint8 *) "\x04\x02\x00\x0a\x00", 5, FALSE, &r, &error));
  g_assert_cmpint (r.grams, ==, 10);
  {
    struct { const char *b; gsize n; const char *says; } bad[] = {
      { "\x03\x04\x02\x00\x0a", 5, "4 bytes, 5 needed" },
      { "\x02\x04\x02\x00\x0a\x00", 6, "report id 2" },
      { "\x03\x09\x02\x00\x0a\x00", 6, "unknown status 9" },
      { "\x03\x04\x0d\x00\x0a\x00", 6, "unknown unit 13" },
      { "\x03\x04\x02\x0a\x0a\x00", 6, "exponent 10" },
      { "\x03\x04\x08\x02\xff\xff", 6, "weight over" },          /* 65535 tonnes × 100 */
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (canteen_scale_parse_report ((const guint8 *) bad[i].b, bad[i].n, TRUE, &r, &error));
        g_assert_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL);
        if (strstr (error->message, bad[i].says) == NULL)
          g_error ("“%s” does not say “%s”", error->message, bad[i].says);
        g_clear_error (&error);
      }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/devices/atr/good", test_atr_good);
  g_test_add_func ("/devices/atr/bad", test_atr_bad);
  g_test_add_func ("/devices/ccid/descriptor", test_ccid_descriptor);
  g_test_add_func ("/devices/ccid/messages", test_ccid_messages);
  g_test_add_func ("/devices/ccid/replies", test_ccid_replies);
  g_test_add_func ("/devices/ccid/notify", test_ccid_notify);
  g_test_add_func ("/devices/apdu", test_apdu);
  g_test_add_func ("/devices/scale", test_scale);
  return g_test_run ();
}
