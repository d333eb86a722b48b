/* clearing-proto-message.c — the canonical messages that are signed:
 * payment (by the card), request (by the terminal), document (by the
 * clearing service). The certificate's is in clearing-proto-cert.c.
 *
 * Contract: each message is exactly the text of API.md "Canonical
 * messages". The payment message checks its fields first (a signature must
 * never cover a line it did not mean), and is at most 255 bytes: the card's
 * INTERNAL AUTHENTICATE takes one short APDU of data.
 */
#include "clearing-proto-private.h"

#include <string.h>

#define PAYMENT_MAX_BYTES 255

GString *
canteen_payment_message (const CanteenPayment *p, GError **error)
{
  GString *m;

  if (!proto_check_id (p->terminal, PROTO_ID_TERMINAL, "payment", "terminal", error))
    return NULL;
  if (p->seq < 1)
    {
      proto_fail (error, "payment", "seq", "must be at least 1");
      return NULL;
    }
  if (p->amount_fen < 1 || p->amount_fen > CANTEEN_PROTO_MAX_AMOUNT_FEN)
    {
      proto_fail (error, "payment", "amount_fen", "must be between 1 and %d", CANTEEN_PROTO_MAX_AMOUNT_FEN);
      return NULL;
    }
  if (!proto_check_time (p->time, "payment", "time", error)
      || !proto_check_id (p->agency, PROTO_ID_AGENCY, "payment", "agency", error)
      || !proto_check_id (p->card, PROTO_ID_CARD, "payment", "card", error)
      || !proto_check_nonce (p->nonce, "payment", "nonce", error))
    return NULL;

  m = g_string_new ("canteen-pay-v1\n");
  g_string_append_printf (m, "terminal=%s\n", p->terminal);
  g_string_append_printf (m, "seq=%" G_GINT64_FORMAT "\n", p->seq);
  g_string_append_printf (m, "amount_fen=%" G_GINT64_FORMAT "\n", p->amount_fen);
  g_string_append_printf (m, "time=%s\n", p->time);
  g_string_append_printf (m, "card=%s/%s\n", p->agency, p->card);
  g_string_append_printf (m, "nonce=%s\n", p->nonce);
  /* With the identifier limits the longest message is 221 bytes; this
   * guards the card's limit should those limits ever grow. */
  if (m->len > PAYMENT_MAX_BYTES)
    {
      proto_fail (error, "payment", NULL, "the message is %" G_GSIZE_FORMAT " bytes, over the card's %d",
                  m->len, PAYMENT_MAX_BYTES);
      g_string_free (m, TRUE);
      return NULL;
    }
  return m;
}

GString *
canteen_request_message (const char *method, const char *path_and_query, const char *time,
                         const void *body, gsize body_len)
{
  char hash[65];
  GString *m = g_string_new ("canteen-req-v1\n");

  canteen_proto_sha256_hex (body, body != NULL ? body_len : 0, hash);
  g_string_append_printf (m, "method=%s\n", method != NULL ? method : "");
  g_string_append_printf (m, "path=%s\n", path_and_query != NULL ? path_and_query : "");
  g_string_append_printf (m, "time=%s\n", time != NULL ? time : "");
  g_string_append_printf (m, "body=%s\n", hash);
  return m;
}

GString *
canteen_document_message (const char *kind, const void *body, gsize body_len)
{
  char hash[65];
  GString *m;

  g_return_val_if_fail (g_strcmp0 (kind, "receipt") == 0 || g_strcmp0 (kind, "statement-json") == 0
                        || g_strcmp0 (kind, "statement-csv") == 0, NULL);
  m = g_string_new ("canteen-doc-v1\n");
  canteen_proto_sha256_hex (body, body != NULL ? body_len : 0, hash);
  g_string_append_printf (m, "kind=%s\n", kind);
  g_string_append_printf (m, "body=%s\n", hash);
  return m;
}
