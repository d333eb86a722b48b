/* clearing-proto-cert.c — card certificates (what an issuer vouches for),
 * their canonical message and JSON, and the two files made from them: the
 * card file (certificate and the card's secret key) and the issuer key file.
 *
 * Contract: canteen_card_cert_from_json() accepts exactly the members of
 * API.md "Certificate", checked; to_json/to_bytes write them in that order,
 * so a parsed certificate serialises to the same bytes. Signing and
 * verifying use only the canonical message, never the JSON.
 */
#include "clearing-proto-private.h"

#include <string.h>

#include <sodium.h>

void
canteen_card_cert_clear (CanteenCardCert *cert)
{
  g_free (cert->agency);
  g_free (cert->card);
  g_free (cert->holder);
  g_free (cert->not_after);
  memset (cert, 0, sizeof *cert);
}

void
canteen_card_cert_copy (const CanteenCardCert *from, CanteenCardCert *to)
{
  CanteenCardCert copy = *from;

  copy.agency = g_strdup (from->agency);
  copy.card = g_strdup (from->card);
  copy.holder = g_strdup (from->holder);
  copy.not_after = g_strdup (from->not_after);
  *to = copy;
}

GString *
canteen_card_cert_message (const CanteenCardCert *cert)
{
  g_autofree char *key = canteen_proto_b64_encode (cert->card_key, CANTEEN_PROTO_PK_BYTES);
  GString *m = g_string_new ("canteen-card-cert-v1\n");

  g_string_append_printf (m, "agency=%s\n", cert->agency != NULL ? cert->agency : "");
  g_string_append_printf (m, "card=%s\n", cert->card != NULL ? cert->card : "");
  g_string_append_printf (m, "holder=%s\n", cert->holder != NULL ? cert->holder : "");
  g_string_append_printf (m, "card_key=%s\n", key);
  g_string_append_printf (m, "not_after=%s\n", cert->not_after != NULL ? cert->not_after : "");
  g_string_append_printf (m, "offline_cap_fen=%" G_GINT64_FORMAT "\n", cert->offline_cap_fen);
  g_string_append_printf (m, "daily_cap_fen=%" G_GINT64_FORMAT "\n", cert->daily_cap_fen);
  return m;
}

/* The fields' own checks, so a signature is never made or accepted over a
 * certificate the parser would refuse (a newline in holder would forge lines). */
static gboolean
cert_fields_valid (const CanteenCardCert *cert, const char *what, GError **error)
{
  if (!proto_check_id (cert->agency, PROTO_ID_AGENCY, what, "agency", error)
      || !proto_check_id (cert->card, PROTO_ID_CARD, what, "card", error)
      || !proto_check_id (cert->holder, PROTO_ID_HOLDER, what, "holder", error)
      || !proto_check_date (cert->not_after, what, "not_after", error))
    return FALSE;
  if (cert->offline_cap_fen < 0 || cert->offline_cap_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      proto_fail (error, what, "offline_cap_fen", "must be between 0 and %d", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  if (cert->daily_cap_fen < 0 || cert->daily_cap_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      proto_fail (error, what, "daily_cap_fen", "must be between 0 and %d", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return FALSE;
    }
  return TRUE;
}

void
canteen_card_cert_sign (CanteenCardCert *cert, const guint8 issuer_sk[CANTEEN_PROTO_SK_BYTES])
{
  g_autoptr(GString) m = NULL;
  g_autoptr(GError) error = NULL;

  if (!cert_fields_valid (cert, "cert", &error))
    g_critical ("canteen_card_cert_sign: %s", error->message);
  m = canteen_card_cert_message (cert);
  canteen_proto_sign (issuer_sk, m->str, m->len, cert->issuer_sig);
}

gboolean
canteen_card_cert_verify (const CanteenCardCert *cert, const guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES],
                          GError **error)
{
  g_autoptr(GString) m = NULL;
  g_autoptr(GError) bad = NULL;

  if (!cert_fields_valid (cert, "cert", &bad))
    {
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                   "the certificate is not well-formed: %s", bad->message);
      return FALSE;
    }
  m = canteen_card_cert_message (cert);
  if (!canteen_proto_verify (issuer_pk, m->str, m->len, cert->issuer_sig, NULL))
    {
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                   "cert: the certificate of card %s/%s is not signed by this issuer", cert->agency, cert->card);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_card_cert_valid_on (const CanteenCardCert *cert, GDateTime *now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *day = NULL;

  if (!proto_check_date (cert->not_after, NULL, NULL, NULL))
    return FALSE;
  utc = g_date_time_to_utc (now);
  day = g_strdup_printf ("%04d-%02d-%02d", g_date_time_get_year (utc), g_date_time_get_month (utc),
                         g_date_time_get_day_of_month (utc));
  /* Both are YYYY-MM-DD with years of four digits: text order is date order. */
  return strcmp (day, cert->not_after) <= 0;
}

JsonNode *
canteen_card_cert_to_json (const CanteenCardCert *cert)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *key = canteen_proto_b64_encode (cert->card_key, CANTEEN_PROTO_PK_BYTES);
  g_autofree char *sig = canteen_proto_b64_encode (cert->issuer_sig, CANTEEN_PROTO_SIG_BYTES);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "agency");
  json_builder_add_string_value (b, cert->agency);
  json_builder_set_member_name (b, "card");
  json_builder_add_string_value (b, cert->card);
  json_builder_set_member_name (b, "holder");
  json_builder_add_string_value (b, cert->holder);
  json_builder_set_member_name (b, "card_key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "not_after");
  json_builder_add_string_value (b, cert->not_after);
  json_builder_set_member_name (b, "offline_cap_fen");
  json_builder_add_int_value (b, cert->offline_cap_fen);
  json_builder_set_member_name (b, "daily_cap_fen");
  json_builder_add_int_value (b, cert->daily_cap_fen);
  json_builder_set_member_name (b, "issuer_sig");
  json_builder_add_string_value (b, sig);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
proto_cert_from_json (JsonNode *node, const char *what, CanteenCardCert *out, GError **error)
{
  static const char *const members[] = {
    "v", "agency", "card", "holder", "card_key", "not_after", "offline_cap_fen", "daily_cap_fen", "issuer_sig", NULL,
  };
  JsonObject *o = proto_node_object (node, what, error);
  CanteenCardCert c = { 0 };
  const char *agency, *card, *holder, *not_after;

  memset (out, 0, sizeof *out);
  if (o == NULL || !canteen_proto_only_members (o, members, what, error) || !proto_check_version (o, what, error)
      || !canteen_proto_get_string (o, "agency", what, &agency, error)
      || !proto_check_id (agency, PROTO_ID_AGENCY, what, "agency", error)
      || !canteen_proto_get_string (o, "card", what, &card, error)
      || !proto_check_id (card, PROTO_ID_CARD, what, "card", error)
      || !canteen_proto_get_string (o, "holder", what, &holder, error)
      || !proto_check_id (holder, PROTO_ID_HOLDER, what, "holder", error)
      || !proto_get_b64 (o, "card_key", what, c.card_key, sizeof c.card_key, error)
      || !canteen_proto_get_string (o, "not_after", what, &not_after, error)
      || !proto_check_date (not_after, what, "not_after", error)
      || !canteen_proto_get_int (o, "offline_cap_fen", what, 0, CANTEEN_PROTO_MAX_AMOUNT_FEN, &c.offline_cap_fen, error)
      || !canteen_proto_get_int (o, "daily_cap_fen", what, 0, CANTEEN_PROTO_MAX_AMOUNT_FEN, &c.daily_cap_fen, error)
      || !proto_get_b64 (o, "issuer_sig", what, c.issuer_sig, sizeof c.issuer_sig, error))
    return FALSE;
  c.agency = g_strdup (agency);
  c.card = g_strdup (card);
  c.holder = g_strdup (holder);
  c.not_after = g_strdup (not_after);
  *out = c;
  return TRUE;
}

gboolean
canteen_card_cert_from_json (JsonNode *node, CanteenCardCert *out, GError **error)
{
  return proto_cert_from_json (node, "cert", out, error);
}

GBytes *
canteen_card_cert_to_bytes (const CanteenCardCert *cert)
{
  g_autoptr(JsonNode) node = canteen_card_cert_to_json (cert);
  gsize len = 0;
  char *text = canteen_proto_to_text (node, &len);

  return g_bytes_new_take (text, len);
}

gboolean
canteen_card_cert_from_bytes (GBytes *bytes, CanteenCardCert *out, GError **error)
{
  gsize len = 0;
  const void *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  g_autoptr(JsonNode) node = NULL;

  memset (out, 0, sizeof *out);
  node = canteen_proto_parse_object (data, len, error);
  if (node == NULL)
    {
      g_prefix_error (error, "cert: ");
      return FALSE;
    }
  return proto_cert_from_json (node, "cert", out, error);
}

/* ---- card files --------------------------------------------------------- */

gboolean
canteen_card_file_write (const char *path, const CanteenCardCert *cert,
                         const guint8 card_sk[CANTEEN_PROTO_SK_BYTES], GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sk = NULL;
  g_autofree char *text = NULL;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  gsize len = 0;
  gboolean ok;

  if (!cert_fields_valid (cert, "cert", error))
    return FALSE;
  canteen_proto_public_key (card_sk, pk);
  if (!proto_secret_key_consistent (card_sk) || sodium_memcmp (pk, cert->card_key, sizeof pk) != 0)
    {
      proto_fail (error, NULL, "card_secret_key", "is not the secret half of the certificate's card_key");
      return FALSE;
    }
  sk = canteen_proto_b64_encode (card_sk, CANTEEN_PROTO_SK_BYTES);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "cert");
  json_builder_add_value (b, canteen_card_cert_to_json (cert));
  json_builder_set_member_name (b, "card_secret_key");
  json_builder_add_string_value (b, sk);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = canteen_proto_to_text (root, &len);
  ok = proto_write_new_file (path, text, len, error);
  sodium_memzero (text, len);
  sodium_memzero (sk, strlen (sk));
  return ok;
}

gboolean
canteen_card_file_read (const char *path, CanteenCardCert *cert, guint8 card_sk[CANTEEN_PROTO_SK_BYTES],
                        GError **error)
{
  static const char *const members[] = { "v", "cert", "card_secret_key", NULL };
  g_autoptr(JsonNode) node = proto_read_json_file (path, error);
  g_autofree char *shown = g_filename_display_name (path);
  CanteenCardCert c = { 0 };
  guint8 sk[CANTEEN_PROTO_SK_BYTES], pk[CANTEEN_PROTO_PK_BYTES];
  JsonObject *o;

  memset (cert, 0, sizeof *cert);
  if (node == NULL)
    return FALSE;
  o = json_node_get_object (node);
  if (!canteen_proto_only_members (o, members, shown, error) || !proto_check_version (o, shown, error)
      || canteen_proto_get_object (o, "cert", shown, error) == NULL
      || !proto_cert_from_json (json_object_get_member (o, "cert"), "cert", &c, error))
    {
      if (error != NULL && *error != NULL && !g_str_has_prefix ((*error)->message, shown))
        g_prefix_error (error, "%s: ", shown);
      return FALSE;
    }
  if (!proto_get_b64 (o, "card_secret_key", shown, sk, sizeof sk, error))
    {
      canteen_card_cert_clear (&c);
      return FALSE;
    }
  canteen_proto_public_key (sk, pk);
  if (!proto_secret_key_consistent (sk) || sodium_memcmp (pk, c.card_key, sizeof pk) != 0)
    {
      sodium_memzero (sk, sizeof sk);
      canteen_card_cert_clear (&c);
      proto_fail (error, shown, "card_secret_key", "is not the secret half of the certificate's card_key");
      return FALSE;
    }
  memcpy (card_sk, sk, sizeof sk);
  sodium_memzero (sk, sizeof sk);
  *cert = c;
  return TRUE;
}

/* ---- issuer key files ----------------------------------------------- */

gboolean
canteen_issuer_key_file_write (const char *path, const char *agency, const char *name,
                               const guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES], GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *key = canteen_proto_b64_encode (issuer_pk, CANTEEN_PROTO_PK_BYTES);
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  if (!canteen_proto_check_agency (agency, error) || !canteen_proto_check_name (name, error))
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "agency");
  json_builder_add_string_value (b, agency);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "issuer_key");
  json_builder_add_string_value (b, key);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = canteen_proto_to_text (root, &len);
  /* A public key: replacing an older export is fine, but atomically. */
  if (!g_file_set_contents (path, text, (gssize) len, &local))
    {
      g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_issuer_key_file_read (const char *path, char **agency, char **name,
                              guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES], GError **error)
{
  static const char *const members[] = { "v", "agency", "name", "issuer_key", NULL };
  g_autoptr(JsonNode) node = proto_read_json_file (path, error);
  g_autofree char *shown = g_filename_display_name (path);
  const char *a, *n;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  JsonObject *o;

  if (node == NULL)
    return FALSE;
  o = json_node_get_object (node);
  if (!canteen_proto_only_members (o, members, shown, error) || !proto_check_version (o, shown, error)
      || !canteen_proto_get_string (o, "agency", shown, &a, error)
      || !proto_check_id (a, PROTO_ID_AGENCY, shown, "agency", error)
      || !canteen_proto_get_string (o, "name", shown, &n, error)
      || !proto_check_id (n, PROTO_ID_NAME, shown, "name", error)
      || !proto_get_b64 (o, "issuer_key", shown, pk, sizeof pk, error))
    return FALSE;
  if (agency != NULL)
    *agency = g_strdup (a);
  if (name != NULL)
    *name = g_strdup (n);
  memcpy (issuer_pk, pk, sizeof pk);
  return TRUE;
}
