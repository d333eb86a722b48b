/* proto-fixture.c — see proto-fixture.h. */
#include "proto-fixture.h"

#include <string.h>

#include <sodium.h>

void
proto_fixture_keypair (guint8 seed, guint8 pk[CANTEEN_PROTO_PK_BYTES], guint8 sk[CANTEEN_PROTO_SK_BYTES])
{
  guint8 s[crypto_sign_SEEDBYTES];

  g_assert (sodium_init () >= 0);
  memset (s, seed, sizeof s);
  crypto_sign_seed_keypair (pk, sk, s);
}

void
proto_fixture_card (ProtoFixtureCard *out, const char *agency, const char *card, guint8 issuer_seed,
                    guint8 card_seed)
{
  memset (out, 0, sizeof *out);
  proto_fixture_keypair (issuer_seed, out->issuer_pk, out->issuer_sk);
  proto_fixture_keypair (card_seed, out->card_pk, out->card_sk);
  out->cert.agency = g_strdup (agency);
  out->cert.card = g_strdup (card);
  out->cert.holder = g_strdup ("张三");
  memcpy (out->cert.card_key, out->card_pk, sizeof out->card_pk);
  out->cert.not_after = g_strdup ("2027-12-31");
  out->cert.offline_cap_fen = 5000;
  out->cert.daily_cap_fen = 20000;
  canteen_card_cert_sign (&out->cert, out->issuer_sk);
}

void
proto_fixture_card_clear (ProtoFixtureCard *card)
{
  canteen_card_cert_clear (&card->cert);
  memset (card, 0, sizeof *card);
}

CanteenRecord *
proto_fixture_sale (const ProtoFixtureCard *card, const char *terminal, gint64 seq, gint64 amount_fen,
                    const char *time, gboolean online)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);
  g_autoptr(GString) m = NULL;
  CanteenPayment p;

  r->terminal = g_strdup (terminal);
  r->seq = seq;
  r->kind = CANTEEN_RECORD_SALE;
  r->checkout = g_strdup_printf ("00000000-0000-4000-8000-%012" G_GINT64_MODIFIER "d", seq);
  r->time = g_strdup (time);
  r->amount_fen = amount_fen;
  r->nonce = g_strdup_printf ("%032" G_GINT64_MODIFIER "x", seq);
  r->has_cert = TRUE;
  canteen_card_cert_copy (&card->cert, &r->cert);
  r->online = online;
  r->authorisation = online ? g_strdup_printf ("auth-%" G_GINT64_FORMAT, seq) : NULL;
  p = (CanteenPayment) { terminal, seq, amount_fen, time, card->cert.agency, card->cert.card, r->nonce };
  m = canteen_payment_message (&p, NULL);
  g_assert (m != NULL);
  canteen_proto_sign (card->card_sk, m->str, m->len, r->card_sig);
  return r;
}

CanteenRecord *
proto_fixture_reversal (const char *terminal, gint64 seq, gint64 reverses_seq, gint64 amount_fen, const char *time)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);

  r->terminal = g_strdup (terminal);
  r->seq = seq;
  r->kind = CANTEEN_RECORD_REVERSAL;
  r->checkout = g_strdup_printf ("00000000-0000-4000-9000-%012" G_GINT64_MODIFIER "d", seq);
  r->time = g_strdup (time);
  r->amount_fen = amount_fen;
  r->reverses_terminal = g_strdup (terminal);
  r->reverses_seq = reverses_seq;
  return r;
}
