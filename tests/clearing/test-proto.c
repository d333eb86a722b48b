/* test-proto — the clearing protocol library (settlement/proto): what both
 * the terminal and the clearing service rely on. Identifiers and times at
 * their limits, encodings, signatures that break when anything signed
 * changes, key files that are never overwritten, and batches that parse
 * strictly, name what is wrong, and serialise to the same bytes again. */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "clearing-proto.h"
#include "proto-fixture.h"

#define T0 "2026-11-22T04:31:07Z"

static void
assert_invalid (GError *error, const char *needle)
{
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_INVALID);
  if (strstr (error->message, needle) == NULL)
    g_error ("expected \"%s\" in the message \"%s\"", needle, error->message);
  g_assert_null (strchr (error->message, '\n'));
}

/* ---- identifiers, times, encodings -------------------------------------- */

static void
test_identifiers (void)
{
  g_autofree char *a16 = g_strnfill (16, 'A');
  g_autofree char *a17 = g_strnfill (17, 'A');
  g_autofree char *t32 = g_strnfill (32, '.');
  g_autofree char *t33 = g_strnfill (33, 't');
  g_autofree char *h64 = g_strnfill (64, 'h');
  g_autofree char *h65 = g_strnfill (65, 'h');
  GString *zhang21 = g_string_new (NULL), *zhang22;
  GError *error = NULL;

  g_assert_true (canteen_proto_check_agency ("A", NULL));
  g_assert_true (canteen_proto_check_agency (a16, NULL));
  g_assert_true (canteen_proto_check_agency ("Az09-_", NULL));
  g_assert_false (canteen_proto_check_agency (a17, &error));
  assert_invalid (error, "agency: must be 1 to 16");
  g_clear_error (&error);
  g_assert_false (canteen_proto_check_agency ("", NULL));
  g_assert_false (canteen_proto_check_agency ("A.B", NULL));   /* no dot in agencies */
  g_assert_false (canteen_proto_check_agency ("A/B", NULL));
  g_assert_false (canteen_proto_check_agency ("Ä", NULL));

  g_assert_true (canteen_proto_check_terminal (t32, NULL));
  g_assert_true (canteen_proto_check_terminal ("T1.counter-2_b", NULL));
  g_assert_false (canteen_proto_check_terminal (t33, &error));
  assert_invalid (error, "terminal:");
  g_clear_error (&error);
  g_assert_false (canteen_proto_check_terminal ("T 1", NULL));
  g_assert_true (canteen_proto_check_card (t32, NULL));
  g_assert_false (canteen_proto_check_card (t33, NULL));
  g_assert_false (canteen_proto_check_card ("A/0001", NULL));  /* '/' separates agency and card */

  /* Holders: bytes, not characters (the canonical message's budget). */
  g_assert_true (canteen_proto_check_holder (h64, NULL));
  g_assert_false (canteen_proto_check_holder (h65, &error));
  assert_invalid (error, "holder: must be 1 to 64 bytes");
  g_clear_error (&error);
  for (int i = 0; i < 21; i++)
    g_string_append (zhang21, "张");
  zhang22 = g_string_new (zhang21->str);
  g_string_append (zhang22, "张");
  g_assert_cmpuint (zhang21->len, ==, 63);
  g_assert_true (canteen_proto_check_holder (zhang21->str, NULL));
  g_assert_false (canteen_proto_check_holder (zhang22->str, NULL));
  g_assert_false (canteen_proto_check_holder ("张三\nagency=B", NULL));
  g_assert_false (canteen_proto_check_holder ("tab\there", NULL));
  g_assert_false (canteen_proto_check_holder ("\xe5\xbc", NULL));  /* cut UTF-8 */
  g_assert_false (canteen_proto_check_holder ("", NULL));
  g_string_free (zhang21, TRUE);
  g_string_free (zhang22, TRUE);

  g_assert_true (canteen_proto_check_name ("国家机关事务管理局", NULL));
  g_assert_true (canteen_proto_check_checkout ("3f2a1b4c-0d5e-4f60-8a71-92b3c4d5e6f7", NULL));
  g_assert_false (canteen_proto_check_checkout ("a b", NULL));
  g_assert_true (canteen_proto_check_nonce ("0123456789abcdef0123456789abcdef", NULL));
  g_assert_false (canteen_proto_check_nonce ("0123456789ABCDEF0123456789abcdef", NULL));
  g_assert_false (canteen_proto_check_nonce ("0123456789abcdef0123456789abcde", NULL));
}

static void
test_times (void)
{
  static const char *const good[] = {
    T0, "2028-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
  };
  static const char *const bad[] = {
    "2027-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T04:60:00Z",
    "2026-11-22T04:31:60Z", "2026-11-22T04:31:07z", "2026-11-22T04:31:07", "2026-11-22 04:31:07Z",
    "2026-11-22T04:31:07+08:00", "2026-11-22T04:31:07.5Z", "2026-1-22T04:31:07Z", "0000-01-01T00:00:00Z",
    "+026-11-22T04:31:07Z", "2026-11-22T04:31:07Z ", "", "2026-11-22",
  };
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) local = g_date_time_new (shanghai, 2026, 11, 22, 12, 31, 7.75);
  g_autofree char *formatted = canteen_proto_format_time (local);

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GDateTime) t = canteen_proto_parse_time (good[i], NULL);
      g_autofree char *again = NULL;
      g_assert_nonnull (t);
      again = canteen_proto_format_time (t);
      g_assert_cmpstr (again, ==, good[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      GDateTime *t = canteen_proto_parse_time (bad[i], &error);
      if (t != NULL)
        g_error ("accepted the time \"%s\"", bad[i]);
      assert_invalid (error, "YYYY-MM-DDTHH:MM:SSZ");
      g_clear_error (&error);
    }
  /* Another zone's 12:31:07.75 is 04:31:07Z: UTC, whole seconds. */
  g_assert_cmpstr (formatted, ==, T0);

  g_assert_true (canteen_proto_check_date ("2027-12-31", NULL));
  g_assert_true (canteen_proto_check_date ("2028-02-29", NULL));
  g_assert_false (canteen_proto_check_date ("2027-02-29", NULL));
  g_assert_false (canteen_proto_check_date ("2027-12-31T00:00:00Z", NULL));
  g_assert_false (canteen_proto_check_date ("27-12-31", NULL));
}

static void
test_b64 (void)
{
  guint8 data[64], out[64], shorter[63];
  g_autofree char *b64 = NULL;
  g_autofree char *b64_short = NULL;
  g_autofree char *tweaked = NULL;
  GError *error = NULL;

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 11);
  b64 = canteen_proto_b64_encode (data, sizeof data);
  g_assert_cmpuint (strlen (b64), ==, 88);
  g_assert_true (g_str_has_suffix (b64, "=="));
  g_assert_true (canteen_proto_b64_decode (b64, out, sizeof out, NULL));
  g_assert_cmpmem (out, sizeof out, data, sizeof data);

  /* Wrong length, either way, is refused and leaves `out` alone. */
  memset (out, 0xAA, sizeof out);
  g_assert_false (canteen_proto_b64_decode (b64, out, 32, &error));
  assert_invalid (error, "base64 of 32 bytes");
  g_clear_error (&error);
  g_assert_cmpuint (out[0], ==, 0xAA);
  b64_short = canteen_proto_b64_encode (data, sizeof shorter);
  g_assert_false (canteen_proto_b64_decode (b64_short, out, sizeof out, NULL));
  g_assert_true (canteen_proto_b64_decode (b64_short, shorter, sizeof shorter, NULL));

  /* One canonical spelling: padding bits set, URL-safe letters, no padding,
   * whitespace: all refused. */
  tweaked = g_strdup (b64);
  {
    /* The last data character of 64 bytes carries 2 bits and 4 zero bits:
     * set the lowest of those. */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    gsize v = (gsize) (strchr (alphabet, tweaked[85]) - alphabet);
    tweaked[85] = alphabet[v ^ 1];
  }
  g_assert_false (canteen_proto_b64_decode (tweaked, out, sizeof out, NULL));
  g_free (tweaked);
  tweaked = g_strndup (b64, 86);
  g_assert_false (canteen_proto_b64_decode (tweaked, out, sizeof out, NULL));
  g_assert_false (canteen_proto_b64_decode ("@@@@", out, 3, NULL));
  g_assert_true (canteen_proto_b64_decode ("+/+/", out, 3, NULL));
  g_assert_false (canteen_proto_b64_decode ("-_-_", out, 3, NULL));
  g_assert_false (canteen_proto_b64_decode (" AAA", out, 3, NULL));
  g_assert_false (canteen_proto_b64_decode (NULL, out, 3, NULL));
}

static void
test_hash_and_nonce (void)
{
  char hex[65];
  g_autofree char *n1 = canteen_proto_new_nonce ();
  g_autofree char *n2 = canteen_proto_new_nonce ();

  canteen_proto_sha256_hex ("", 0, hex);
  g_assert_cmpstr (hex, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  canteen_proto_sha256_hex ("abc", 3, hex);
  g_assert_cmpstr (hex, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (canteen_proto_check_nonce (n1, NULL));
  g_assert_true (canteen_proto_check_nonce (n2, NULL));
  g_assert_cmpstr (n1, !=, n2);
}

/* ---- keys and key files ------------------------------------------------- */

static void
test_sign_verify (void)
{
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk[CANTEEN_PROTO_SK_BYTES], pk2[CANTEEN_PROTO_PK_BYTES];
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  GError *error = NULL;

  canteen_proto_keypair (pk, sk);
  canteen_proto_public_key (sk, pk2);
  g_assert_cmpmem (pk, sizeof pk, pk2, sizeof pk2);
  canteen_proto_sign (sk, "meal", 4, sig);
  g_assert_true (canteen_proto_verify (pk, "meal", 4, sig, NULL));
  g_assert_false (canteen_proto_verify (pk, "meat", 4, sig, &error));
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE);
  g_clear_error (&error);
  sig[0] ^= 1;
  g_assert_false (canteen_proto_verify (pk, "meal", 4, sig, NULL));
}

typedef struct {
  char *dir;
} TmpDir;

static void
tmp_setup (TmpDir *t, gconstpointer data)
{
  t->dir = g_dir_make_tmp ("test-proto-XXXXXX", NULL);
  g_assert_nonnull (t->dir);
}

static void
tmp_teardown (TmpDir *t, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (t->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (t->dir), ==, 0);
  g_free (t->dir);
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_secret_key_file (TmpDir *t, gconstpointer data)
{
  g_autofree char *path = g_build_filename (t->dir, "terminal.key", NULL);
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk[CANTEEN_PROTO_SK_BYTES], sk2[CANTEEN_PROTO_SK_BYTES];
  guint8 other_pk[CANTEEN_PROTO_PK_BYTES], other_sk[CANTEEN_PROTO_SK_BYTES], back[CANTEEN_PROTO_SK_BYTES];
  g_autofree char *text = NULL;
  GError *error = NULL;
  GStatBuf st;

  canteen_proto_keypair (pk, sk);
  canteen_proto_keypair (other_pk, other_sk);
  g_assert_true (canteen_proto_write_secret_key (path, sk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpuint (strlen (text), ==, 89);
  g_assert_true (g_str_has_suffix (text, "\n"));
  g_assert_true (canteen_proto_read_secret_key (path, sk2, NULL));
  g_assert_cmpmem (sk, sizeof sk, sk2, sizeof sk2);

  /* Never overwritten: the second write fails and the first key stays. */
  g_assert_false (canteen_proto_write_secret_key (path, other_sk, &error));
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO);
  g_clear_error (&error);
  g_assert_true (canteen_proto_read_secret_key (path, back, NULL));
  g_assert_cmpmem (sk, sizeof sk, back, sizeof back);
  g_assert_cmpuint (count_files (t->dir), ==, 1);   /* no temporary file left */

  /* A key whose public half is not its seed's is refused. */
  {
    g_autofree char *bad_path = g_build_filename (t->dir, "bad.key", NULL);
    guint8 bad[CANTEEN_PROTO_SK_BYTES];
    g_autofree char *b64 = NULL;
    g_autofree char *content = NULL;
    memcpy (bad, sk, 32);
    memcpy (bad + 32, other_pk, 32);
    b64 = canteen_proto_b64_encode (bad, sizeof bad);
    content = g_strconcat (b64, "\n", NULL);
    g_assert_true (g_file_set_contents (bad_path, content, -1, NULL));
    g_assert_false (canteen_proto_read_secret_key (bad_path, back, &error));
    assert_invalid (error, "not a secret key file");
    g_clear_error (&error);
  }
  {
    g_autofree char *missing = g_build_filename (t->dir, "missing.key", NULL);
    g_assert_false (canteen_proto_read_secret_key (missing, back, &error));
    g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO);
    g_clear_error (&error);
  }
}

/* ---- certificates ---------------------------------------------------- */

static void
test_cert_round_trip (void)
{
  ProtoFixtureCard card;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GString) message = NULL;
  g_autofree char *key = NULL;
  g_autofree char *expected = NULL;
  CanteenCardCert parsed;
  GError *error = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  bytes = canteen_card_cert_to_bytes (&card.cert);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (bytes, NULL),
                                   "{\"v\":1,\"agency\":\"A\",\"card\":\"A-0001\",\"holder\":\"张三\",\"card_key\":\""));
  g_assert_true (canteen_card_cert_from_bytes (bytes, &parsed, &error));
  g_assert_no_error (error);
  again = canteen_card_cert_to_bytes (&parsed);
  g_assert_true (g_bytes_equal (bytes, again));
  g_assert_true (canteen_card_cert_verify (&parsed, card.issuer_pk, NULL));

  key = canteen_proto_b64_encode (card.card_pk, sizeof card.card_pk);
  expected = g_strdup_printf ("canteen-card-cert-v1\nagency=A\ncard=A-0001\nholder=张三\ncard_key=%s\n"
                              "not_after=2027-12-31\noffline_cap_fen=5000\ndaily_cap_fen=20000\n", key);
  message = canteen_card_cert_message (&parsed);
  g_assert_cmpstr (message->str, ==, expected);
  canteen_card_cert_clear (&parsed);
  proto_fixture_card_clear (&card);
}

static void
test_cert_other_issuer (void)
{
  ProtoFixtureCard card, other;
  GError *error = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  proto_fixture_card (&other, "A", "A-0001", 3, 2);   /* same card, another issuer */
  g_assert_true (canteen_card_cert_verify (&card.cert, card.issuer_pk, NULL));
  g_assert_false (canteen_card_cert_verify (&card.cert, other.issuer_pk, &error));
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (canteen_card_cert_verify (&other.cert, card.issuer_pk, NULL));
  proto_fixture_card_clear (&card);
  proto_fixture_card_clear (&other);
}

static void
test_cert_every_field_signed (void)
{
  ProtoFixtureCard card;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  for (int field = 0; field < 8; field++)
    {
      CanteenCardCert c;
      GError *error = NULL;
      canteen_card_cert_copy (&card.cert, &c);
      switch (field)
        {
        case 0: g_free (c.agency); c.agency = g_strdup ("B"); break;
        case 1: g_free (c.card); c.card = g_strdup ("A-0002"); break;
        case 2: g_free (c.holder); c.holder = g_strdup ("李四"); break;
        case 3: c.card_key[31] ^= 1; break;
        case 4: g_free (c.not_after); c.not_after = g_strdup ("2028-12-31"); break;
        case 5: c.offline_cap_fen++; break;
        case 6: c.daily_cap_fen = 10000000; break;
        case 7: c.issuer_sig[10] ^= 0x80; break;
        default: g_assert_not_reached ();
        }
      if (canteen_card_cert_verify (&c, card.issuer_pk, &error))
        g_error ("changing field %d kept the certificate's signature valid", field);
      g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE);
      g_clear_error (&error);
      canteen_card_cert_clear (&c);
    }
  proto_fixture_card_clear (&card);
}

static void
test_cert_valid_on (void)
{
  ProtoFixtureCard card;
  g_autoptr(GDateTime) last = g_date_time_new_utc (2027, 12, 31, 23, 59, 59);
  g_autoptr(GDateTime) after = g_date_time_new_utc (2028, 1, 1, 0, 0, 0);
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("+08:00");
  /* 2028-01-01 07:00 in Shanghai is still 2027-12-31 in UTC. */
  g_autoptr(GDateTime) local = g_date_time_new (shanghai, 2028, 1, 1, 7, 0, 0);

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  g_assert_true (canteen_card_cert_valid_on (&card.cert, last));
  g_assert_false (canteen_card_cert_valid_on (&card.cert, after));
  g_assert_true (canteen_card_cert_valid_on (&card.cert, local));
  proto_fixture_card_clear (&card);
}

/* Parses `text` after replacing member `member` of the object (NULL value:
 * removing it), expecting a refusal that contains `needle`. */
static void
expect_cert_refusal (GBytes *good, const char *member, const char *value, const char *needle)
{
  g_autoptr(JsonNode) root = json_from_string (g_bytes_get_data (good, NULL), NULL);
  JsonObject *o = json_node_get_object (root);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  CanteenCardCert c;
  GError *error = NULL;

  if (value == NULL)
    json_object_remove_member (o, member);
  else
    json_object_set_member (o, member, json_from_string (value, NULL));
  text = json_to_string (root, FALSE);
  bytes = g_bytes_new (text, strlen (text));
  if (canteen_card_cert_from_bytes (bytes, &c, &error))
    g_error ("accepted the certificate %s", text);
  assert_invalid (error, needle);
  g_clear_error (&error);
}

static void
test_cert_parse_errors (void)
{
  ProtoFixtureCard card;
  g_autoptr(GBytes) good = NULL;
  g_autofree char *sig63 = NULL;
  g_autofree char *sig63_json = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  good = canteen_card_cert_to_bytes (&card.cert);
  sig63 = canteen_proto_b64_encode (card.cert.issuer_sig, 63);
  sig63_json = g_strdup_printf ("\"%s\"", sig63);
  expect_cert_refusal (good, "v", "2", "cert: v: must be between 1 and 1");
  expect_cert_refusal (good, "v", NULL, "cert: v: missing");
  expect_cert_refusal (good, "extra", "1", "cert: extra: unknown member");
  expect_cert_refusal (good, "agency", "\"A.B\"", "cert: agency:");
  expect_cert_refusal (good, "agency", "7", "cert: agency: must be a string");
  expect_cert_refusal (good, "card", "null", "cert: card: must be a string");
  expect_cert_refusal (good, "holder", "\"\"", "cert: holder:");
  expect_cert_refusal (good, "card_key", "\"AAAA\"", "cert: card_key: must be the standard base64 of 32 bytes");
  expect_cert_refusal (good, "not_after", "\"2027-02-29\"", "cert: not_after:");
  expect_cert_refusal (good, "offline_cap_fen", "-1", "cert: offline_cap_fen: must be between 0 and 10000000");
  expect_cert_refusal (good, "offline_cap_fen", "5000.0", "cert: offline_cap_fen: must be a whole number");
  expect_cert_refusal (good, "daily_cap_fen", "\"20000\"", "cert: daily_cap_fen: must be a whole number");
  expect_cert_refusal (good, "daily_cap_fen", "10000001", "cert: daily_cap_fen:");
  expect_cert_refusal (good, "issuer_sig", sig63_json, "cert: issuer_sig: must be the standard base64 of 64");
  proto_fixture_card_clear (&card);
}

static void
test_card_file (TmpDir *t, gconstpointer data)
{
  g_autofree char *path = g_build_filename (t->dir, "A-0001.card", NULL);
  g_autofree char *other_path = g_build_filename (t->dir, "other.card", NULL);
  g_autofree char *key_path = g_build_filename (t->dir, "A.issuer", NULL);
  ProtoFixtureCard card, other;
  CanteenCardCert cert;
  guint8 sk[CANTEEN_PROTO_SK_BYTES], pk[CANTEEN_PROTO_PK_BYTES];
  g_autofree char *agency = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;
  GStatBuf st;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  proto_fixture_card (&other, "A", "A-0002", 1, 3);
  g_assert_true (canteen_card_file_write (path, &card.cert, card.card_sk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (canteen_card_file_read (path, &cert, sk, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sk, sizeof sk, card.card_sk, sizeof card.card_sk);
  g_assert_true (canteen_card_cert_verify (&cert, card.issuer_pk, NULL));
  canteen_card_cert_clear (&cert);
  g_assert_false (canteen_card_file_write (path, &card.cert, card.card_sk, &error));
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO);
  g_clear_error (&error);
  /* The secret key must be the certificate's card key's. */
  g_assert_false (canteen_card_file_write (other_path, &card.cert, other.card_sk, &error));
  assert_invalid (error, "card_secret_key");
  g_clear_error (&error);
  g_assert_false (g_file_test (other_path, G_FILE_TEST_EXISTS));

  g_assert_true (canteen_issuer_key_file_write (key_path, "A", "甲机关", card.issuer_pk, &error));
  g_assert_no_error (error);
  g_assert_true (canteen_issuer_key_file_read (key_path, &agency, &name, pk, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (agency, ==, "A");
  g_assert_cmpstr (name, ==, "甲机关");
  g_assert_cmpmem (pk, sizeof pk, card.issuer_pk, sizeof card.issuer_pk);
  g_assert_false (canteen_issuer_key_file_write (key_path, "A/B", "x", card.issuer_pk, &error));
  assert_invalid (error, "agency:");
  g_clear_error (&error);
  /* A card file is not an issuer key file. */
  g_assert_false (canteen_issuer_key_file_read (path, NULL, NULL, pk, &error));
  assert_invalid (error, "unknown member");
  g_clear_error (&error);
  proto_fixture_card_clear (&card);
  proto_fixture_card_clear (&other);
}

/* ---- payment messages and card signatures ------------------------------- */

static void
test_payment_message (void)
{
  g_autofree char *t32 = g_strnfill (32, 'T');
  g_autofree char *t33 = g_strnfill (33, 'T');
  g_autofree char *a16 = g_strnfill (16, 'A');
  g_autofree char *c32 = g_strnfill (32, 'C');
  CanteenPayment p = { "T1", 17, 1500, T0, "A", "A-0001", "0123456789abcdef0123456789abcdef" };
  CanteenPayment longest = { t32, G_MAXINT64, CANTEEN_PROTO_MAX_AMOUNT_FEN, T0, a16, c32,
                             "0123456789abcdef0123456789abcdef" };
  g_autoptr(GString) m = canteen_payment_message (&p, NULL);
  g_autoptr(GString) lm = canteen_payment_message (&longest, NULL);
  GError *error = NULL;
  CanteenPayment bad;

  g_assert_cmpstr (m->str, ==,
                   "canteen-pay-v1\nterminal=T1\nseq=17\namount_fen=1500\ntime=2026-11-22T04:31:07Z\n"
                   "card=A/A-0001\nnonce=0123456789abcdef0123456789abcdef\n");
  /* Every field at its limit still fits the card's 255 bytes. */
  g_assert_nonnull (lm);
  g_assert_cmpuint (lm->len, <=, 255);

  /* Anything that would make it longer is refused, naming the field. */
  bad = longest;
  bad.terminal = t33;
  g_assert_null (canteen_payment_message (&bad, &error));
  assert_invalid (error, "payment: terminal:");
  g_clear_error (&error);
  bad = longest;
  bad.amount_fen = CANTEEN_PROTO_MAX_AMOUNT_FEN + 1;
  g_assert_null (canteen_payment_message (&bad, &error));
  assert_invalid (error, "payment: amount_fen: must be between 1 and 10000000");
  g_clear_error (&error);
  bad = p;
  bad.seq = 0;
  g_assert_null (canteen_payment_message (&bad, &error));
  assert_invalid (error, "payment: seq:");
  g_clear_error (&error);
  bad = p;
  bad.nonce = "0123456789ABCDEF0123456789ABCDEF";
  g_assert_null (canteen_payment_message (&bad, &error));
  assert_invalid (error, "payment: nonce:");
  g_clear_error (&error);
  bad = p;
  bad.time = "2026-11-22T04:31:07Z\nseq=1";
  g_assert_null (canteen_payment_message (&bad, &error));
  assert_invalid (error, "payment: time:");
  g_clear_error (&error);
}

static void
test_record_card_signature (void)
{
  ProtoFixtureCard card;
  CanteenRecord *sale;
  CanteenRecord *rev = proto_fixture_reversal ("T1", 18, 17, -1500, T0);
  GError *error = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  sale = proto_fixture_sale (&card, "T1", 17, 1500, T0, FALSE);
  g_assert_true (canteen_record_verify_card (sale, &error));
  g_assert_no_error (error);
  for (int field = 0; field < 7; field++)
    {
      CanteenRecord *r = proto_fixture_sale (&card, "T1", 17, 1500, T0, FALSE);
      switch (field)
        {
        case 0: r->amount_fen = 1501; break;
        case 1: g_free (r->time); r->time = g_strdup ("2026-11-22T04:31:08Z"); break;
        case 2: r->seq = 18; break;
        case 3: g_free (r->terminal); r->terminal = g_strdup ("T2"); break;
        case 4: r->nonce[0] = r->nonce[0] == '0' ? '1' : '0'; break;
        case 5: g_free (r->cert.card); r->cert.card = g_strdup ("A-0002"); break;
        case 6: r->card_sig[63] ^= 1; break;
        default: g_assert_not_reached ();
        }
      if (canteen_record_verify_card (r, &error))
        g_error ("changing field %d kept the card's signature valid", field);
      g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE);
      g_clear_error (&error);
      canteen_record_clear (r);
      g_free (r);
    }
  g_assert_false (canteen_record_verify_card (rev, &error));
  g_assert_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE);
  g_clear_error (&error);
  canteen_record_clear (sale);
  g_free (sale);
  canteen_record_clear (rev);
  g_free (rev);
  proto_fixture_card_clear (&card);
}

/* ---- batches ------------------------------------------------------------ */

/* Batch 3 of T1: an offline sale (seq 17), an online one (18), a reversal
 * of 17 (19). */
static CanteenBatch *
make_batch (ProtoFixtureCard *card)
{
  CanteenBatch *b = canteen_batch_new ("T1", 3, "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4",
                                       "2026-11-22T05:00:00Z");

  g_ptr_array_add (b->records, proto_fixture_sale (card, "T1", 17, 1500, T0, FALSE));
  g_ptr_array_add (b->records, proto_fixture_sale (card, "T1", 18, 2300, "2026-11-22T04:40:00Z", TRUE));
  g_ptr_array_add (b->records, proto_fixture_reversal ("T1", 19, 17, -1500, "2026-11-22T04:45:00Z"));
  return b;
}

static void
test_batch_round_trip (void)
{
  ProtoFixtureCard card;
  g_autoptr(CanteenBatch) b = NULL;
  g_autoptr(CanteenBatch) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  const char *text;
  GError *error = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  b = make_batch (&card);
  bytes = canteen_batch_to_bytes (b);
  text = g_bytes_get_data (bytes, NULL);
  g_assert_true (g_str_has_prefix (text, "{\"v\":1,\"terminal\":\"T1\",\"batch\":3,\"prev_hash\":\"8f43"));
  g_assert_nonnull (strstr (text, "\"created\":\"2026-11-22T05:00:00Z\",\"records\":[{\"terminal\":\"T1\",\"seq\":17,"
                                  "\"kind\":\"sale\",\"checkout\":"));
  g_assert_nonnull (strstr (text, "\"mode\":\"offline\",\"authorisation\":null}"));
  g_assert_nonnull (strstr (text, "\"mode\":\"online\",\"authorisation\":\"auth-18\"}"));
  g_assert_nonnull (strstr (text, "\"amount_fen\":-1500,\"nonce\":null,\"cert\":null,\"card_sig\":null,"
                                  "\"mode\":\"offline\",\"authorisation\":null,\"reverses\":{\"terminal\":\"T1\",\"seq\":17}}]}"));
  g_assert_null (strchr (text, ' '));   /* compact */

  parsed = canteen_batch_from_bytes (text, g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->records->len, ==, 3);
  again = canteen_batch_to_bytes (parsed);
  g_assert_true (g_bytes_equal (bytes, again));
  for (guint i = 0; i < 2; i++)
    {
      CanteenRecord *r = g_ptr_array_index (parsed->records, i);
      g_assert_true (canteen_record_verify_card (r, NULL));
      g_assert_true (canteen_card_cert_verify (&r->cert, card.issuer_pk, NULL));
    }

  /* A new batch 1 chains from 64 zeros. */
  {
    g_autoptr(CanteenBatch) first = canteen_batch_new ("T1", 1, NULL, T0);
    g_autofree char *zeros = g_strnfill (64, '0');
    g_assert_cmpstr (first->prev_hash, ==, zeros);
  }
  proto_fixture_card_clear (&card);
}

typedef struct {
  int record;            /* -1: the batch itself */
  const char *sub;       /* "cert", "reverses" or NULL */
  const char *member;
  const char *value;     /* JSON; NULL removes the member */
  const char *needle;
} BatchCase;

static const BatchCase batch_cases[] = {
  { -1, NULL, "v", "2", "v: must be between 1 and 1" },
  { -1, NULL, "v", NULL, "v: missing" },
  { -1, NULL, "extra", "true", "extra: unknown member" },
  { -1, NULL, "terminal", "\"T 1\"", "terminal: must be 1 to 32" },
  { -1, NULL, "batch", "0", "batch: must be between 1 and" },
  { -1, NULL, "batch", "3.0", "batch: must be a whole number" },
  { -1, NULL, "batch", "\"3\"", "batch: must be a whole number" },
  { -1, NULL, "prev_hash", "\"8F434346648F6B96DF89DDA901C5176B10A6D83961DD3C1AC88B59B2DC327AA4\"", "prev_hash: must be 64 lowercase hex" },
  { -1, NULL, "prev_hash", "\"00\"", "prev_hash:" },
  { -1, NULL, "created", "\"2026-11-22T05:00:00+08:00\"", "created: must be a UTC time" },
  { -1, NULL, "records", "[]", "records: must hold 1 to 1000 records" },
  { -1, NULL, "records", "{}", "records: must be an array" },
  { 1, NULL, "terminal", "\"T2\"", "record 1: terminal: must be the batch's terminal" },
  { 1, NULL, "seq", "20", "record 1: seq: must be the previous record's seq plus 1" },
  { 1, NULL, "seq", "0", "record 1: seq: must be between 1 and" },
  { 1, NULL, "kind", "\"refund\"", "record 1: kind: must be \"sale\" or \"reversal\"" },
  { 1, NULL, "checkout", "\"a b\"", "record 1: checkout:" },
  { 1, NULL, "time", "\"2026-02-30T00:00:00Z\"", "record 1: time:" },
  { 1, NULL, "amount_fen", "0", "record 1: amount_fen: must be between 1 and 10000000" },
  { 1, NULL, "amount_fen", "10000001", "record 1: amount_fen: must be between 1 and 10000000" },
  { 1, NULL, "amount_fen", "-5", "record 1: amount_fen: must be between 1 and 10000000" },
  { 1, NULL, "amount_fen", "1500.5", "record 1: amount_fen: must be a whole number" },
  { 1, NULL, "nonce", "\"0123\"", "record 1: nonce: must be 32 lowercase hex" },
  { 1, NULL, "nonce", "null", "record 1: nonce: must be a string" },
  { 1, NULL, "cert", "null", "record 1: cert: must be an object" },
  { 1, NULL, "cert", NULL, "record 1: cert: missing" },
  { 1, "cert", "holder", "\"a\\nb\"", "record 1: cert: holder:" },
  { 1, "cert", "daily_cap_fen", "-1", "record 1: cert: daily_cap_fen:" },
  { 1, "cert", "issuer", "\"A\"", "record 1: cert: issuer: unknown member" },
  { 1, NULL, "card_sig", "\"AAAA\"", "record 1: card_sig: must be the standard base64 of 64 bytes" },
  { 1, NULL, "mode", "\"card\"", "record 1: mode: must be \"online\" or \"offline\"" },
  { 1, NULL, "authorisation", "null", "record 1: authorisation: an online sale needs" },
  { 1, NULL, "authorisation", "\"\"", "record 1: authorisation:" },
  { 0, NULL, "authorisation", "\"auth-1\"", "record 0: authorisation: must be null for an offline sale" },
  { 0, NULL, "reverses", "{\"terminal\":\"T1\",\"seq\":1}", "record 0: reverses: must be absent or null for a sale" },
  { 0, NULL, "surcharge", "1", "record 0: surcharge: unknown member" },
  { 2, NULL, "amount_fen", "1500", "record 2: amount_fen: must be between -10000000 and -1 for a reversal" },
  { 2, NULL, "nonce", "\"0123456789abcdef0123456789abcdef\"", "record 2: nonce: must be null for a reversal" },
  { 2, NULL, "card_sig", "\"AAAA\"", "record 2: card_sig: must be null" },
  { 2, NULL, "mode", "\"online\"", "record 2: mode: must be \"offline\" for a reversal" },
  { 2, NULL, "authorisation", "\"x\"", "record 2: authorisation: must be null" },
  { 2, NULL, "reverses", NULL, "record 2: reverses: missing" },
  { 2, NULL, "reverses", "null", "record 2: reverses: must be an object" },
  { 2, "reverses", "terminal", "\"T2\"", "record 2: reverses: terminal: must be the record's own terminal" },
  { 2, "reverses", "seq", "19", "record 2: reverses: seq: must be an earlier record" },
  { 2, "reverses", "batch", "3", "record 2: reverses: batch: unknown member" },
};

static void
test_batch_parse_errors (void)
{
  ProtoFixtureCard card;
  g_autoptr(CanteenBatch) b = NULL;
  g_autoptr(GBytes) good = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  b = make_batch (&card);
  good = canteen_batch_to_bytes (b);
  for (gsize i = 0; i < G_N_ELEMENTS (batch_cases); i++)
    {
      const BatchCase *c = &batch_cases[i];
      g_autoptr(JsonNode) root = json_from_string (g_bytes_get_data (good, NULL), NULL);
      JsonObject *o = json_node_get_object (root);
      g_autofree char *text = NULL;
      CanteenBatch *parsed;
      GError *error = NULL;

      if (c->record >= 0)
        o = json_array_get_object_element (json_object_get_array_member (o, "records"), (guint) c->record);
      if (c->sub != NULL)
        o = json_object_get_object_member (o, c->sub);
      if (c->value == NULL)
        json_object_remove_member (o, c->member);
      else
        json_object_set_member (o, c->member, json_from_string (c->value, NULL));
      text = json_to_string (root, FALSE);
      parsed = canteen_batch_from_bytes (text, strlen (text), &error);
      if (parsed != NULL)
        g_error ("case %" G_GSIZE_FORMAT ": accepted %s", i, text);
      assert_invalid (error, c->needle);
      g_clear_error (&error);
    }
  proto_fixture_card_clear (&card);
}

/* Reversals checked against the batch they are in. */
static void
test_batch_reversals (void)
{
  ProtoFixtureCard card;
  static const struct { gint64 reverses; gint64 amount; const char *needle; } cases[] = {
    { 19, -1500, "record 3: reverses: seq: names a reversal, not a sale" },
    { 18, -2301, "record 3: amount_fen: reverses more than the sale's 2300 fen" },
    { 17, -1, "record 3: reverses: seq: that sale is reversed already (record 2)" },
    { 18, -2300, NULL },                   /* the other sale: fine */
    { 16, -10000, NULL },                  /* an earlier batch's: the service checks */
  };

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CanteenBatch) b = make_batch (&card);
      g_autoptr(GBytes) bytes = NULL;
      CanteenBatch *parsed;
      GError *error = NULL;

      g_ptr_array_add (b->records, proto_fixture_reversal ("T1", 20, cases[i].reverses, cases[i].amount, T0));
      bytes = canteen_batch_to_bytes (b);
      parsed = canteen_batch_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      if (cases[i].needle == NULL)
        {
          g_assert_no_error (error);
          canteen_batch_free (parsed);
          continue;
        }
      g_assert_null (parsed);
      assert_invalid (error, cases[i].needle);
      g_clear_error (&error);
    }
  {
    /* Two reversals of one earlier sale in the same batch. */
    g_autoptr(CanteenBatch) b = canteen_batch_new ("T1", 4, NULL, T0);
    g_autoptr(GBytes) bytes = NULL;
    GError *error = NULL;
    g_ptr_array_add (b->records, proto_fixture_reversal ("T1", 30, 5, -100, T0));
    g_ptr_array_add (b->records, proto_fixture_reversal ("T1", 31, 5, -100, T0));
    bytes = canteen_batch_to_bytes (b);
    g_assert_null (canteen_batch_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
    assert_invalid (error, "record 1: reverses: seq: that sale is reversed already (record 0)");
    g_clear_error (&error);
  }
  proto_fixture_card_clear (&card);
}

static void
test_batch_limits (void)
{
  ProtoFixtureCard card;
  g_autoptr(CanteenBatch) b = canteen_batch_new ("T1", 1, NULL, T0);
  g_autoptr(CanteenBatch) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  proto_fixture_card (&card, "A", "A-0001", 1, 2);
  for (int i = 1; i <= CANTEEN_PROTO_MAX_RECORDS; i++)
    g_ptr_array_add (b->records, proto_fixture_sale (&card, "T1", i, 100, T0, FALSE));
  bytes = canteen_batch_to_bytes (b);
  parsed = canteen_batch_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->records->len, ==, CANTEEN_PROTO_MAX_RECORDS);
  g_clear_pointer (&parsed, canteen_batch_free);
  g_clear_pointer (&bytes, g_bytes_unref);

  g_ptr_array_add (b->records, proto_fixture_sale (&card, "T1", CANTEEN_PROTO_MAX_RECORDS + 1, 100, T0, FALSE));
  bytes = canteen_batch_to_bytes (b);
  g_assert_null (canteen_batch_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  assert_invalid (error, "records: must hold 1 to 1000 records");
  g_clear_error (&error);
  proto_fixture_card_clear (&card);
}

/* ---- strict JSON ----------------------------------------------------- */

static void
test_json_strict (void)
{
  static const struct { const char *text; const char *needle; } bad[] = {
    { "{\"a\":1,\"a\":2}", "twice" },
    { "{\"a\":{\"b\":1,\"c\":[{\"d\":1,\"d\":1}]}}", "twice" },
    { "{/*c*/\"a\":1}", "not accepted JSON" },
    { "{\"a\":1}//", "more text after the object" },
    { "{'a':1}", "not accepted JSON" },
    { "var x = {\"a\":1};", "not a JSON object" },
    { "{\"a\":01}", "not accepted JSON" },
    { "{\"a\":99999999999999999999}", "out of range" },
    { "{\"a\":-9223372036854775809}", "out of range" },
    { "{\"a\":\"x\\u0000y\"}", "bad string" },
    { "{\"a\":\"tab\there\"}", "bad string" },
    { "{\"a\":\"\\x41\"}", "bad string" },
    { "{\"a\":1,}", "not a JSON object" },
    { "{\"a\":1} {}", "more text after the object" },
    { "{\"a\":1}]", "more text after the object" },
    { "{\"a\":[1}}", "not a JSON object" },
    { "[1,2]", "not a JSON object" },
    { "\"x\"", "not a JSON object" },
    { "", "empty" },
    { "{\"a\":\"\xff\"}", "UTF-8" },
    { "{\"a\":tru}", "not accepted JSON" },
    { "{\"a\":NaN}", "not accepted JSON" },
    { "{\"a\":.5}", "not accepted JSON" },
    { "{\"a\":1.}", "not accepted JSON" },
    { "{\"a\":-}", "not accepted JSON" },
  };
  GError *error = NULL;
  g_autoptr(JsonNode) ok = NULL;
  JsonObject *o;
  const char *s;
  gint64 n;
  gboolean flag;
  static const char *const allowed[] = { "s", "n", "b", "z", "f", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      JsonNode *node = canteen_proto_parse_object (bad[i].text, strlen (bad[i].text), &error);
      if (node != NULL)
        g_error ("accepted %s", bad[i].text);
      assert_invalid (error, bad[i].needle);
      g_clear_error (&error);
    }

  /* Deep nesting and oversized bodies are refused without parsing. */
  {
    gsize len = 1000000;
    char *deep = g_malloc (len);
    memset (deep, '[', len);
    deep[0] = '{';
    g_assert_null (canteen_proto_parse_object (deep, len, &error));
    assert_invalid (error, "nested more than 32");
    g_clear_error (&error);
    g_free (deep);
  }
  {
    /* Many tiny values: refused before json-glib spends seconds on them. */
    GString *many = g_string_new ("{\"a\":[");
    for (int i = 0; i < 200001; i++)
      g_string_append (many, "1,");
    g_string_append (many, "1]}");
    g_assert_null (canteen_proto_parse_object (many->str, many->len, &error));
    assert_invalid (error, "more than 200000 values");
    g_clear_error (&error);
    g_string_free (many, TRUE);
  }
  {
    gsize len = CANTEEN_PROTO_MAX_BODY + 1;
    char *big = g_malloc (len);
    memset (big, ' ', len);
    big[0] = '{';
    big[len - 1] = '}';
    g_assert_null (canteen_proto_parse_object (big, len, &error));
    assert_invalid (error, "larger than 4194304 bytes");
    g_clear_error (&error);
    g_assert_null (canteen_batch_from_bytes (big, len, &error));
    assert_invalid (error, "larger than");
    g_clear_error (&error);
    g_free (big);
  }

  {
    const char *text = "{\"s\":\"张\",\"n\":-9223372036854775808,\"b\":true,\"z\":null,\"f\":1.0e2}";
    ok = canteen_proto_parse_object (text, strlen (text), &error);
  }
  g_assert_no_error (error);
  o = json_node_get_object (ok);
  g_assert_true (canteen_proto_only_members (o, allowed, "thing", NULL));
  g_assert_false (canteen_proto_only_members (o, allowed + 1, "thing", &error));
  assert_invalid (error, "thing: s: unknown member");
  g_clear_error (&error);
  g_assert_true (canteen_proto_get_string (o, "s", "thing", &s, NULL));
  g_assert_cmpstr (s, ==, "张");
  g_assert_true (canteen_proto_get_int (o, "n", "thing", G_MININT64, 0, &n, NULL));
  g_assert_cmpint (n, ==, G_MININT64);
  g_assert_false (canteen_proto_get_int (o, "n", "thing", 0, 10, &n, &error));
  assert_invalid (error, "thing: n: must be between 0 and 10");
  g_clear_error (&error);
  g_assert_false (canteen_proto_get_int (o, "f", "thing", 0, 1000, &n, &error));
  assert_invalid (error, "thing: f: must be a whole number");
  g_clear_error (&error);
  g_assert_false (canteen_proto_get_int (o, "s", NULL, 0, 1000, &n, &error));
  g_assert_cmpstr (error->message, ==, "s: must be a whole number");
  g_clear_error (&error);
  g_assert_true (canteen_proto_get_bool (o, "b", "thing", &flag, NULL));
  g_assert_true (flag);
  g_assert_false (canteen_proto_get_bool (o, "z", "thing", &flag, &error));
  assert_invalid (error, "thing: z: must be true or false");
  g_clear_error (&error);
  g_assert_true (canteen_proto_get_string_or_null (o, "z", "thing", &s, NULL));
  g_assert_null (s);
  g_assert_false (canteen_proto_get_string (o, "missing", "thing", &s, &error));
  assert_invalid (error, "thing: missing: missing");
  g_clear_error (&error);
  {
    gsize len = 0;
    g_autofree char *text = canteen_proto_to_text (ok, &len);
    g_assert_cmpstr (text, ==, "{\"s\":\"张\",\"n\":-9223372036854775808,\"b\":true,\"z\":null,\"f\":100.0}");
    g_assert_cmpuint (len, ==, strlen (text));
  }
}

static void
test_request_and_document (void)
{
  g_autoptr(GString) get = canteen_request_message ("GET", "/v1/trust?since=0", T0, NULL, 0);
  g_autoptr(GString) post = canteen_request_message ("POST", "/v1/batches", T0, "abc", 3);
  g_autoptr(GString) doc = canteen_document_message ("receipt", "abc", 3);

  g_assert_cmpstr (get->str, ==, "canteen-req-v1\nmethod=GET\npath=/v1/trust?since=0\ntime=" T0 "\n"
                   "body=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
  g_assert_cmpstr (post->str, ==, "canteen-req-v1\nmethod=POST\npath=/v1/batches\ntime=" T0 "\n"
                   "body=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  g_assert_cmpstr (doc->str, ==, "canteen-doc-v1\nkind=receipt\n"
                   "body=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proto/identifiers", test_identifiers);
  g_test_add_func ("/proto/times", test_times);
  g_test_add_func ("/proto/b64", test_b64);
  g_test_add_func ("/proto/hash-and-nonce", test_hash_and_nonce);
  g_test_add_func ("/proto/sign-verify", test_sign_verify);
  g_test_add ("/proto/secret-key-file", TmpDir, NULL, tmp_setup, test_secret_key_file, tmp_teardown);
  g_test_add_func ("/proto/cert/round-trip", test_cert_round_trip);
  g_test_add_func ("/proto/cert/other-issuer", test_cert_other_issuer);
  g_test_add_func ("/proto/cert/every-field-signed", test_cert_every_field_signed);
  g_test_add_func ("/proto/cert/valid-on", test_cert_valid_on);
  g_test_add_func ("/proto/cert/parse-errors", test_cert_parse_errors);
  g_test_add ("/proto/card-and-issuer-files", TmpDir, NULL, tmp_setup, test_card_file, tmp_teardown);
  g_test_add_func ("/proto/payment-message", test_payment_message);
  g_test_add_func ("/proto/record/card-signature", test_record_card_signature);
  g_test_add_func ("/proto/batch/round-trip", test_batch_round_trip);
  g_test_add_func ("/proto/batch/parse-errors", test_batch_parse_errors);
  g_test_add_func ("/proto/batch/reversals", test_batch_reversals);
  g_test_add_func ("/proto/batch/limits", test_batch_limits);
  g_test_add_func ("/proto/json/strict", test_json_strict);
  g_test_add_func ("/proto/request-and-document", test_request_and_document);
  return g_test_run ();
}
