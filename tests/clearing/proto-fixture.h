/* proto-fixture.h — signed certificates, records and batches for tests of
 * the clearing protocol and its users (terminal, service).
 *
 * Contract: everything is deterministic (keys from a seed byte, fixed
 * times), so tests and fuzz seeds are the same on every run; no files.
 */
#pragma once

#include "clearing-proto.h"

G_BEGIN_DECLS

typedef struct {
  guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES];
  guint8 issuer_sk[CANTEEN_PROTO_SK_BYTES];
  guint8 card_pk[CANTEEN_PROTO_PK_BYTES];
  guint8 card_sk[CANTEEN_PROTO_SK_BYTES];
  CanteenCardCert cert;        /* signed by issuer_sk */
} ProtoFixtureCard;

/* A key pair from a seed of 32 copies of `seed`. */
void proto_fixture_keypair (guint8 seed, guint8 pk[CANTEEN_PROTO_PK_BYTES], guint8 sk[CANTEEN_PROTO_SK_BYTES]);
/* Issuer keys from `issuer_seed`, card keys from `card_seed`; holder "张三",
 * not_after 2027-12-31, offline cap 5000, daily cap 20000. */
void proto_fixture_card (ProtoFixtureCard *out, const char *agency, const char *card, guint8 issuer_seed,
                         guint8 card_seed);
void proto_fixture_card_clear (ProtoFixtureCard *card);
/* A sale signed by the card; nonce from seq; online with authorisation "auth-<seq>". */
CanteenRecord *proto_fixture_sale (const ProtoFixtureCard *card, const char *terminal, gint64 seq,
                                   gint64 amount_fen, const char *time, gboolean online);
CanteenRecord *proto_fixture_reversal (const char *terminal, gint64 seq, gint64 reverses_seq, gint64 amount_fen,
                                       const char *time);

G_END_DECLS
