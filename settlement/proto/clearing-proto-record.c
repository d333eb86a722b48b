/* clearing-proto-record.c — records (one visitor meal or its reversal) and
 * batches of them (the body of POST /v1/batches).
 *
 * Contract: the parsers check everything a record or batch can say about
 * itself (API.md "Record", "Batch"): members and types, identifiers,
 * times, amounts, the sale/reversal shapes, that every record is the
 * batch's terminal's and that seq runs on without gaps, and, for a sale in
 * the same batch, that a reversal names a sale, reverses it once and by at
 * most its amount (earlier batches are the service's to check). They do not check
 * signatures or the stored chain; canteen_record_verify_card() and the
 * service do. Errors name the place: "record 3: amount_fen: …", where 3 is
 * the record's index in `records` (from 0).
 *
 * JSON shape: a sale has no "reverses" member (null is accepted on input);
 * a reversal has "reverses" and null nonce, cert, card_sig, authorisation.
 * Serialising writes the members in API.md's order, so a parsed batch
 * serialises to the bytes it was made from by canteen_batch_to_bytes().
 */
#include "clearing-proto-private.h"

#include <string.h>

void
canteen_record_clear (CanteenRecord *record)
{
  g_free (record->terminal);
  g_free (record->checkout);
  g_free (record->time);
  g_free (record->nonce);
  canteen_card_cert_clear (&record->cert);
  g_free (record->authorisation);
  g_free (record->reverses_terminal);
  memset (record, 0, sizeof *record);
}

static void
record_free (gpointer record)
{
  canteen_record_clear (record);
  g_free (record);
}

static void
add_string_or_null (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
canteen_record_to_json (const CanteenRecord *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean sale = r->kind == CANTEEN_RECORD_SALE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, r->terminal);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, r->seq);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, sale ? "sale" : "reversal");
  json_builder_set_member_name (b, "checkout");
  json_builder_add_string_value (b, r->checkout);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, r->time);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, r->amount_fen);
  add_string_or_null (b, "nonce", sale ? r->nonce : NULL);
  json_builder_set_member_name (b, "cert");
  if (sale && r->has_cert)
    json_builder_add_value (b, canteen_card_cert_to_json (&r->cert));
  else
    json_builder_add_null_value (b);
  if (sale)
    {
      g_autofree char *sig = canteen_proto_b64_encode (r->card_sig, CANTEEN_PROTO_SIG_BYTES);
      add_string_or_null (b, "card_sig", sig);
    }
  else
    add_string_or_null (b, "card_sig", NULL);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, sale && r->online ? "online" : "offline");
  add_string_or_null (b, "authorisation", sale && r->online ? r->authorisation : NULL);
  if (!sale)
    {
      json_builder_set_member_name (b, "reverses");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "terminal");
      json_builder_add_string_value (b, r->reverses_terminal);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, r->reverses_seq);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A member that must be JSON null (reversals' sale-only members). */
static gboolean
must_be_null (JsonObject *o, const char *member, const char *what, const char *why, GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL)
    {
      proto_fail (error, what, member, "missing");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_NULL (node))
    {
      proto_fail (error, what, member, "must be null %s", why);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_sale (JsonObject *o, const char *what, CanteenRecord *r, GError **error)
{
  g_autofree char *cert_what = g_strdup_printf ("%s: cert", what);
  JsonNode *reverses = json_object_get_member (o, "reverses");
  const char *nonce, *mode, *authorisation;

  if (r->amount_fen < 1 || r->amount_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      proto_fail (error, what, "amount_fen", "must be between 1 and %d for a sale", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  if (!canteen_proto_get_string (o, "nonce", what, &nonce, error) || !proto_check_nonce (nonce, what, "nonce", error))
    return FALSE;
  r->nonce = g_strdup (nonce);
  if (!json_object_has_member (o, "cert"))
    {
      proto_fail (error, what, "cert", "missing");
      return FALSE;
    }
  if (!proto_cert_from_json (json_object_get_member (o, "cert"), cert_what, &r->cert, error))
    return FALSE;
  r->has_cert = TRUE;
  if (!proto_get_b64 (o, "card_sig", what, r->card_sig, sizeof r->card_sig, error)
      || !canteen_proto_get_string (o, "mode", what, &mode, error))
    return FALSE;
  if (strcmp (mode, "online") == 0)
    {
      r->online = TRUE;
      if (!canteen_proto_get_string_or_null (o, "authorisation", what, &authorisation, error))
        return FALSE;
      if (authorisation == NULL)
        {
          proto_fail (error, what, "authorisation", "an online sale needs the service's authorisation");
          return FALSE;
        }
      if (!proto_check_id (authorisation, PROTO_ID_KEY, what, "authorisation", error))
        return FALSE;
      r->authorisation = g_strdup (authorisation);
    }
  else if (strcmp (mode, "offline") == 0)
    {
      if (!must_be_null (o, "authorisation", what, "for an offline sale", error))
        return FALSE;
    }
  else
    {
      proto_fail (error, what, "mode", "must be \"online\" or \"offline\"");
      return FALSE;
    }
  if (reverses != NULL && !JSON_NODE_HOLDS_NULL (reverses))
    {
      proto_fail (error, what, "reverses", "must be absent or null for a sale");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_reversal (JsonObject *o, const char *what, CanteenRecord *r, GError **error)
{
  static const char *const rev_members[] = { "terminal", "seq", NULL };
  g_autofree char *rev_what = g_strdup_printf ("%s: reverses", what);
  const char *why = "for a reversal", *mode, *terminal;
  JsonObject *rev;

  if (r->amount_fen > -1 || r->amount_fen < -CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      proto_fail (error, what, "amount_fen", "must be between -%d and -1 for a reversal",
                  CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  if (!must_be_null (o, "nonce", what, why, error) || !must_be_null (o, "cert", what, why, error)
      || !must_be_null (o, "card_sig", what, why, error)
      || !canteen_proto_get_string (o, "mode", what, &mode, error))
    return FALSE;
  if (strcmp (mode, "offline") != 0)
    {
      proto_fail (error, what, "mode", "must be \"offline\" for a reversal");
      return FALSE;
    }
  if (!must_be_null (o, "authorisation", what, why, error)
      || (rev = canteen_proto_get_object (o, "reverses", what, error)) == NULL
      || !canteen_proto_only_members (rev, rev_members, rev_what, error)
      || !canteen_proto_get_string (rev, "terminal", rev_what, &terminal, error)
      || !proto_check_id (terminal, PROTO_ID_TERMINAL, rev_what, "terminal", error)
      || !canteen_proto_get_int (rev, "seq", rev_what, 1, G_MAXINT64, &r->reverses_seq, error))
    return FALSE;
  r->reverses_terminal = g_strdup (terminal);
  if (strcmp (terminal, r->terminal) != 0)
    {
      proto_fail (error, rev_what, "terminal", "must be the record's own terminal");
      return FALSE;
    }
  if (r->reverses_seq >= r->seq)
    {
      proto_fail (error, rev_what, "seq", "must be an earlier record than this one");
      return FALSE;
    }
  return TRUE;
}

gboolean
proto_record_from_json (JsonNode *node, const char *what, CanteenRecord *out, GError **error)
{
  static const char *const members[] = {
    "terminal", "seq", "kind", "checkout", "time", "amount_fen", "nonce", "cert", "card_sig", "mode",
    "authorisation", "reverses", NULL,
  };
  JsonObject *o = proto_node_object (node, what, error);
  CanteenRecord r = { 0 };
  const char *terminal, *kind, *checkout, *time;
  gboolean ok;

  memset (out, 0, sizeof *out);
  if (o == NULL || !canteen_proto_only_members (o, members, what, error)
      || !canteen_proto_get_string (o, "terminal", what, &terminal, error)
      || !proto_check_id (terminal, PROTO_ID_TERMINAL, what, "terminal", error)
      || !canteen_proto_get_int (o, "seq", what, 1, G_MAXINT64, &r.seq, error)
      || !canteen_proto_get_string (o, "kind", what, &kind, error))
    return FALSE;
  if (strcmp (kind, "sale") == 0)
    r.kind = CANTEEN_RECORD_SALE;
  else if (strcmp (kind, "reversal") == 0)
    r.kind = CANTEEN_RECORD_REVERSAL;
  else
    {
      proto_fail (error, what, "kind", "must be \"sale\" or \"reversal\"");
      return FALSE;
    }
  if (!canteen_proto_get_string (o, "checkout", what, &checkout, error)
      || !proto_check_id (checkout, PROTO_ID_KEY, what, "checkout", error)
      || !canteen_proto_get_string (o, "time", what, &time, error)
      || !proto_check_time (time, what, "time", error)
      || !canteen_proto_get_int (o, "amount_fen", what, G_MININT64, G_MAXINT64, &r.amount_fen, error))
    return FALSE;
  r.terminal = g_strdup (terminal);
  r.checkout = g_strdup (checkout);
  r.time = g_strdup (time);
  if (r.kind == CANTEEN_RECORD_SALE)
    ok = parse_sale (o, what, &r, error);
  else
    ok = parse_reversal (o, what, &r, error);
  if (!ok)
    {
      canteen_record_clear (&r);
      return FALSE;
    }
  *out = r;
  return TRUE;
}

gboolean
canteen_record_from_json (JsonNode *node, CanteenRecord *out, GError **error)
{
  return proto_record_from_json (node, "record", out, error);
}

gboolean
canteen_record_verify_card (const CanteenRecord *r, GError **error)
{
  g_autoptr(GString) m = NULL;
  g_autoptr(GError) bad = NULL;
  CanteenPayment p;

  if (r->kind != CANTEEN_RECORD_SALE || !r->has_cert)
    {
      g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                           "card_sig: only a sale with a certificate carries a card signature");
      return FALSE;
    }
  p = (CanteenPayment) {
    .terminal = r->terminal, .seq = r->seq, .amount_fen = r->amount_fen, .time = r->time,
    .agency = r->cert.agency, .card = r->cert.card, .nonce = r->nonce,
  };
  m = canteen_payment_message (&p, &bad);
  if (m == NULL)
    {
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                   "card_sig: the record is not well-formed: %s", bad->message);
      return FALSE;
    }
  if (!canteen_proto_verify (r->cert.card_key, m->str, m->len, r->card_sig, NULL))
    {
      g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                           "card_sig: the card did not sign this payment");
      return FALSE;
    }
  return TRUE;
}

/* ---- batches ---------------------------------------------------------- */

CanteenBatch *
canteen_batch_new (const char *terminal, gint64 batch, const char *prev_hash, const char *created)
{
  CanteenBatch *b = g_new0 (CanteenBatch, 1);

  b->terminal = g_strdup (terminal);
  b->batch = batch;
  if (prev_hash != NULL)
    g_strlcpy (b->prev_hash, prev_hash, sizeof b->prev_hash);
  else
    memset (b->prev_hash, '0', 64);
  if (created != NULL)
    b->created = g_strdup (created);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      b->created = canteen_proto_format_time (now);
    }
  b->records = g_ptr_array_new_with_free_func (record_free);
  return b;
}

void
canteen_batch_free (CanteenBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->terminal);
  g_free (batch->created);
  g_ptr_array_unref (batch->records);
  g_free (batch);
}

GBytes *
canteen_batch_to_bytes (const CanteenBatch *batch)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, batch->terminal);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, batch->batch);
  json_builder_set_member_name (b, "prev_hash");
  json_builder_add_string_value (b, batch->prev_hash);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, batch->created);
  json_builder_set_member_name (b, "records");
  json_builder_begin_array (b);
  for (guint i = 0; i < batch->records->len; i++)
    json_builder_add_value (b, canteen_record_to_json (g_ptr_array_index (batch->records, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = canteen_proto_to_text (root, &len);
  return g_bytes_new_take (text, len);
}

/* A reversal of a record in the same batch (seq is consecutive there, so
 * the record is found by its offset): a sale, by at most what it took.
 * Any sale, in this batch or an earlier one, is reversed at most once. */
static gboolean
check_reversal_in_batch (CanteenBatch *batch, guint index, const char *what, GError **error)
{
  const CanteenRecord *first = g_ptr_array_index (batch->records, 0);
  const CanteenRecord *r = g_ptr_array_index (batch->records, index);
  g_autofree char *rev_what = g_strdup_printf ("%s: reverses", what);
  const CanteenRecord *sale;

  for (guint j = 0; j < index; j++)
    {
      const CanteenRecord *other = g_ptr_array_index (batch->records, j);
      if (other->kind == CANTEEN_RECORD_REVERSAL && other->reverses_seq == r->reverses_seq)
        {
          proto_fail (error, rev_what, "seq", "that sale is reversed already (record %u)", j);
          return FALSE;
        }
    }
  if (r->reverses_seq < first->seq)
    return TRUE;
  sale = g_ptr_array_index (batch->records, (guint) (r->reverses_seq - first->seq));
  if (sale->kind != CANTEEN_RECORD_SALE)
    {
      proto_fail (error, rev_what, "seq", "names a reversal, not a sale");
      return FALSE;
    }
  if (-r->amount_fen > sale->amount_fen)
    {
      proto_fail (error, what, "amount_fen", "reverses more than the sale's %" G_GINT64_FORMAT " fen",
                  sale->amount_fen);
      return FALSE;
    }
  return TRUE;
}

CanteenBatch *
canteen_batch_from_bytes (const void *body, gsize len, GError **error)
{
  static const char *const members[] = { "v", "terminal", "batch", "prev_hash", "created", "records", NULL };
  g_autoptr(JsonNode) node = canteen_proto_parse_object (body, len, error);
  g_autoptr(CanteenBatch) batch = NULL;
  const char *terminal, *prev_hash, *created;
  gint64 number;
  JsonObject *o;
  JsonArray *records;
  guint n;

  if (node == NULL)
    return NULL;
  o = json_node_get_object (node);
  if (!canteen_proto_only_members (o, members, NULL, error) || !proto_check_version (o, NULL, error)
      || !canteen_proto_get_string (o, "terminal", NULL, &terminal, error)
      || !proto_check_id (terminal, PROTO_ID_TERMINAL, NULL, "terminal", error)
      || !canteen_proto_get_int (o, "batch", NULL, 1, G_MAXINT64, &number, error)
      || !canteen_proto_get_string (o, "prev_hash", NULL, &prev_hash, error))
    return NULL;
  if (!proto_is_hex (prev_hash, 64))
    {
      proto_fail (error, NULL, "prev_hash", "must be 64 lowercase hex digits");
      return NULL;
    }
  if (!canteen_proto_get_string (o, "created", NULL, &created, error)
      || !proto_check_time (created, NULL, "created", error)
      || (records = canteen_proto_get_array (o, "records", NULL, error)) == NULL)
    return NULL;
  n = json_array_get_length (records);
  if (n < 1 || n > CANTEEN_PROTO_MAX_RECORDS)
    {
      proto_fail (error, NULL, "records", "must hold 1 to %d records", CANTEEN_PROTO_MAX_RECORDS);
      return NULL;
    }

  batch = canteen_batch_new (terminal, number, prev_hash, created);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *what = g_strdup_printf ("record %u", i);
      CanteenRecord *r = g_new0 (CanteenRecord, 1);

      if (!proto_record_from_json (json_array_get_element (records, i), what, r, error))
        {
          g_free (r);
          return NULL;
        }
      g_ptr_array_add (batch->records, r);
      if (strcmp (r->terminal, terminal) != 0)
        {
          proto_fail (error, what, "terminal", "must be the batch's terminal");
          return NULL;
        }
      if (i > 0)
        {
          const CanteenRecord *prev = g_ptr_array_index (batch->records, i - 1);
          if (prev->seq == G_MAXINT64 || r->seq != prev->seq + 1)
            {
              proto_fail (error, what, "seq", "must be the previous record's seq plus 1 (no gaps)");
              return NULL;
            }
        }
      if (r->kind == CANTEEN_RECORD_REVERSAL && !check_reversal_in_batch (batch, i, what, error))
        return NULL;
    }
  return g_steal_pointer (&batch);
}
