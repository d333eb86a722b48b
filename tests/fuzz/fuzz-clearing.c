/* fuzz-clearing — the clearing protocol's parsers (settlement/proto) on
 * arbitrary bytes: the same input as a batch body, as a certificate and as
 * a generic object through the strict JSON helpers. Whatever the input,
 * each parser accepts it or refuses it with an error; what it accepts
 * serialises to bytes that parse again to the same bytes. */
#include <stdint.h>
#include <string.h>

#include "clearing-proto.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A refusal checked and cleared, so the next call may set the error again. */
static void
refused (GError **error)
{
  fuzz_check_refusal (*error);
  *error = NULL;
}

static void
fuzz_batch (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  CanteenBatch *batch = canteen_batch_from_bytes (data, size, &error);
  GBytes *bytes, *again;
  CanteenBatch *reparsed;

  if (batch == NULL)
    {
      refused (&error);
      return;
    }
  g_assert (batch->records->len >= 1 && batch->records->len <= CANTEEN_PROTO_MAX_RECORDS);
  for (guint i = 0; i < batch->records->len; i++)
    {
      CanteenRecord *r = g_ptr_array_index (batch->records, i);
      g_assert (strcmp (r->terminal, batch->terminal) == 0);
      if (!canteen_record_verify_card (r, &error))
        refused (&error);
    }
  bytes = canteen_batch_to_bytes (batch);
  reparsed = canteen_batch_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert (reparsed != NULL && error == NULL);
  again = canteen_batch_to_bytes (reparsed);
  g_assert (g_bytes_equal (bytes, again));
  g_bytes_unref (again);
  g_bytes_unref (bytes);
  canteen_batch_free (reparsed);
  canteen_batch_free (batch);
}

static void
fuzz_cert (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GBytes *in = g_bytes_new_static (data, size), *bytes, *again;
  CanteenCardCert cert, reparsed;
  guint8 pk[CANTEEN_PROTO_PK_BYTES] = { 0 };

  if (!canteen_card_cert_from_bytes (in, &cert, &error))
    {
      refused (&error);
      g_bytes_unref (in);
      return;
    }
  if (!canteen_card_cert_verify (&cert, pk, &error))
    refused (&error);
  bytes = canteen_card_cert_to_bytes (&cert);
  g_assert (canteen_card_cert_from_bytes (bytes, &reparsed, NULL));
  again = canteen_card_cert_to_bytes (&reparsed);
  g_assert (g_bytes_equal (bytes, again));
  g_bytes_unref (again);
  g_bytes_unref (bytes);
  canteen_card_cert_clear (&reparsed);
  canteen_card_cert_clear (&cert);
  g_bytes_unref (in);
}

static void
fuzz_object (const uint8_t *data, size_t size)
{
  static const char *const allowed[] = { "terminal", "seq", "amount_fen", "approved", "reason", NULL };
  GError *error = NULL;
  JsonNode *node = canteen_proto_parse_object (data, size, &error);
  JsonObject *o;
  const char *s;
  gint64 n;
  gboolean b;
  char *text;

  if (node == NULL)
    {
      refused (&error);
      return;
    }
  o = json_node_get_object (node);
  if (!canteen_proto_only_members (o, allowed, "body", &error))
    refused (&error);
  if (canteen_proto_get_string (o, "terminal", "body", &s, &error))
    g_assert (g_utf8_validate (s, -1, NULL));
  else
    refused (&error);
  if (!canteen_proto_get_int (o, "seq", "body", 1, G_MAXINT64, &n, &error))
    refused (&error);
  if (!canteen_proto_get_bool (o, "approved", "body", &b, &error))
    refused (&error);
  if (!canteen_proto_get_string_or_null (o, "reason", "body", &s, &error))
    refused (&error);
  if (canteen_proto_get_object (o, "nested", "body", &error) == NULL)
    refused (&error);
  text = canteen_proto_to_text (node, NULL);
  g_assert (text != NULL);
  g_free (text);
  json_node_unref (node);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > CANTEEN_PROTO_MAX_BODY)
    return 0;
  fuzz_batch (data, size);
  fuzz_cert (data, size);
  fuzz_object (data, size);
  return 0;
}
