/* proto-seeds — writes the seed corpus of tests/fuzz/fuzz-clearing.c into
 * the directory named: valid batches (two sales; a sale and its reversal),
 * a certificate, a generic object, a truncated batch and garbage. Run once
 * by hand; the files are kept in tests/fuzz/seeds/clearing. Deterministic.
 * (deep-nesting and duplicate-member there were written by hand.) */
#include <stdio.h>
#include <string.h>

#include "proto-fixture.h"

static void
put (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, data, (gssize) len, &error))
    g_error ("%s", error->message);
  printf ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
}

static void
put_bytes (const char *dir, const char *name, GBytes *bytes)
{
  put (dir, name, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

int
main (int argc, char **argv)
{
  ProtoFixtureCard card;
  g_autoptr(CanteenBatch) two = NULL;
  g_autoptr(CanteenBatch) reversal = NULL;
  g_autoptr(GBytes) two_bytes = NULL;
  g_autoptr(GBytes) reversal_bytes = NULL;
  g_autoptr(GBytes) cert_bytes = NULL;
  static const char object[] = "{\"terminal\":\"T1\",\"seq\":3,\"amount_fen\":1500,\"approved\":true,"
                               "\"reason\":null,\"nested\":{\"a\":[1,2.5,\"x\\u00e9\\n\"]}}";
  static const char garbage[] = "{\"v\":1,\"terminal\":[[[[{\"\\ud800\":01e}]]]],/*x*/'a' \xff\xfe";

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIRECTORY\n", argv[0]);
      return 2;
    }
  proto_fixture_card (&card, "A", "A-0001", 1, 2);

  two = canteen_batch_new ("T1", 1, NULL, "2026-11-22T05:00:00Z");
  g_ptr_array_add (two->records, proto_fixture_sale (&card, "T1", 1, 1500, "2026-11-22T04:31:07Z", FALSE));
  g_ptr_array_add (two->records, proto_fixture_sale (&card, "T1", 2, 2300, "2026-11-22T04:40:00Z", TRUE));
  two_bytes = canteen_batch_to_bytes (two);

  reversal = canteen_batch_new ("T1", 2, NULL, "2026-11-22T06:00:00Z");
  canteen_proto_sha256_hex (g_bytes_get_data (two_bytes, NULL), g_bytes_get_size (two_bytes), reversal->prev_hash);
  g_ptr_array_add (reversal->records, proto_fixture_sale (&card, "T1", 3, 800, "2026-11-22T05:10:00Z", FALSE));
  g_ptr_array_add (reversal->records, proto_fixture_reversal ("T1", 4, 3, -800, "2026-11-22T05:20:00Z"));
  reversal_bytes = canteen_batch_to_bytes (reversal);

  cert_bytes = canteen_card_cert_to_bytes (&card.cert);

  put_bytes (argv[1], "batch-two-sales", two_bytes);
  put_bytes (argv[1], "batch-reversal", reversal_bytes);
  put_bytes (argv[1], "cert", cert_bytes);
  put (argv[1], "object", object, strlen (object));
  put (argv[1], "batch-truncated", g_bytes_get_data (two_bytes, NULL), g_bytes_get_size (two_bytes) * 2 / 3);
  put (argv[1], "garbage", garbage, strlen (garbage));
  proto_fixture_card_clear (&card);
  return 0;
}
