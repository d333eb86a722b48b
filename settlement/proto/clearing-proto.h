/* clearing-proto.h — the clearing protocol's formats, made and checked once
 * for both sides (terminal and clearing service). settlement/API.md is the
 * specification; this is its code.
 *
 * Contract
 *  - Parsers are strict: a member missing, unknown, of the wrong type or
 *    with a bad value fails with CANTEEN_PROTO_ERROR_INVALID and a message
 *    naming the member ("record 3: amount_fen: must be between 1 and
 *    10000000"; records are counted by their index in "records", from 0).
 *    JSON is RFC 8259 only: no comments, duplicate members, leading zeros,
 *    integers beyond 64 bits, "\u0000", nesting deeper than 32, more
 *    than 200 000 values and member names (a full batch has ~45 000).
 *    They never crash on any input (fuzzed: tests/fuzz/fuzz-clearing.c).
 *  - Serialisers write compact JSON with members in the order of API.md.
 *  - Signature checks return FALSE with CANTEEN_PROTO_ERROR_SIGNATURE.
 *  - Keys: Ed25519 (libsodium). Public keys 32 bytes, secret keys 64 bytes
 *    (libsodium's form), signatures 64 bytes.
 *  - Thread-safe (no global state but sodium_init(), done on first use).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CANTEEN_PROTO_ERROR (canteen_proto_error_quark ())
typedef enum {
  CANTEEN_PROTO_ERROR_INVALID,     /* malformed or out-of-range input */
  CANTEEN_PROTO_ERROR_SIGNATURE,   /* a signature does not verify */
  CANTEEN_PROTO_ERROR_IO,          /* a key or card file cannot be read or written */
} CanteenProtoError;
GQuark canteen_proto_error_quark (void);

#define CANTEEN_PROTO_PK_BYTES   32
#define CANTEEN_PROTO_SK_BYTES   64
#define CANTEEN_PROTO_SIG_BYTES  64
#define CANTEEN_PROTO_NONCE_HEX  32
#define CANTEEN_PROTO_MAX_RECORDS 1000
#define CANTEEN_PROTO_MAX_AMOUNT_FEN 10000000
#define CANTEEN_PROTO_MAX_BODY   (4 * 1024 * 1024)
#define CANTEEN_PROTO_REVERSAL_DAYS 30
#define CANTEEN_PROTO_CLOCK_SKEW_S 300

/* ---- identifiers, times, encodings ------------------------------------ */
gboolean canteen_proto_check_agency   (const char *agency, GError **error);
gboolean canteen_proto_check_terminal (const char *terminal, GError **error);
gboolean canteen_proto_check_card     (const char *card, GError **error);
gboolean canteen_proto_check_holder   (const char *holder, GError **error);
/* Added with the implementation: the other values API.md constrains.
 * name: an agency's name, 1-64 characters of UTF-8 without control characters.
 * checkout, authorisation: 1-64 of A-Z a-z 0-9 - _ . (the ledger's checkout
 * ids and UUIDs fit). date: "YYYY-MM-DD", a real date. nonce: 32 lowercase hex. */
gboolean canteen_proto_check_name          (const char *name, GError **error);
gboolean canteen_proto_check_checkout      (const char *checkout, GError **error);
gboolean canteen_proto_check_authorisation (const char *authorisation, GError **error);
gboolean canteen_proto_check_date          (const char *date, GError **error);
gboolean canteen_proto_check_nonce         (const char *nonce, GError **error);
/* "YYYY-MM-DDTHH:MM:SSZ" <-> GDateTime (UTC). */
char      *canteen_proto_format_time (GDateTime *time);
GDateTime *canteen_proto_parse_time  (const char *text, GError **error);
char      *canteen_proto_b64_encode (const guint8 *data, gsize len);
/* Decodes exactly `len` bytes or fails, leaving `out` alone: standard
 * alphabet, padded, and the one canonical spelling (unused bits zero). */
gboolean   canteen_proto_b64_decode (const char *text, guint8 *out, gsize len, GError **error);
/* Lowercase hex SHA-256 of `data` (65 bytes with the NUL). */
void       canteen_proto_sha256_hex (const void *data, gsize len, char out[65]);
/* 32 hex characters of 16 random bytes. */
char      *canteen_proto_new_nonce (void);

/* ---- keys --------------------------------------------------------------- */
void     canteen_proto_keypair (guint8 pk[CANTEEN_PROTO_PK_BYTES], guint8 sk[CANTEEN_PROTO_SK_BYTES]);
/* The public half of a secret key. */
void     canteen_proto_public_key (const guint8 sk[CANTEEN_PROTO_SK_BYTES], guint8 pk[CANTEEN_PROTO_PK_BYTES]);
void     canteen_proto_sign (const guint8 sk[CANTEEN_PROTO_SK_BYTES], const void *msg, gsize len,
                             guint8 sig[CANTEEN_PROTO_SIG_BYTES]);
gboolean canteen_proto_verify (const guint8 pk[CANTEEN_PROTO_PK_BYTES], const void *msg, gsize len,
                               const guint8 sig[CANTEEN_PROTO_SIG_BYTES], GError **error);
/* A secret key file: the b64 of the 64 bytes and a newline, mode 0600,
 * written atomically; refused when it exists (keys are never overwritten).
 * Reading refuses a key whose public half is not the one its seed makes.
 * Card files are written the same way (they hold the card's secret key). */
gboolean canteen_proto_write_secret_key (const char *path, const guint8 sk[CANTEEN_PROTO_SK_BYTES], GError **error);
gboolean canteen_proto_read_secret_key  (const char *path, guint8 sk[CANTEEN_PROTO_SK_BYTES], GError **error);

/* ---- card certificate ------------------------------------------------ */
typedef struct {
  char  *agency;
  char  *card;
  char  *holder;
  guint8 card_key[CANTEEN_PROTO_PK_BYTES];
  char  *not_after;            /* "YYYY-MM-DD", UTC, inclusive */
  gint64 offline_cap_fen;      /* 0..CANTEEN_PROTO_MAX_AMOUNT_FEN */
  gint64 daily_cap_fen;        /* 0..CANTEEN_PROTO_MAX_AMOUNT_FEN */
  guint8 issuer_sig[CANTEEN_PROTO_SIG_BYTES];
} CanteenCardCert;

void     canteen_card_cert_clear (CanteenCardCert *cert);
void     canteen_card_cert_copy  (const CanteenCardCert *from, CanteenCardCert *to);
/* The canonical message the issuer signs (API.md "Card certificate"). */
GString *canteen_card_cert_message (const CanteenCardCert *cert);
/* Fills issuer_sig. */
void     canteen_card_cert_sign (CanteenCardCert *cert, const guint8 issuer_sk[CANTEEN_PROTO_SK_BYTES]);
gboolean canteen_card_cert_verify (const CanteenCardCert *cert, const guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES],
                                   GError **error);
/* Whether the UTC date of `now` is on or before not_after (FALSE if
 * not_after is not a date). */
gboolean canteen_card_cert_valid_on (const CanteenCardCert *cert, GDateTime *now);
JsonNode *canteen_card_cert_to_json (const CanteenCardCert *cert);
gboolean  canteen_card_cert_from_json (JsonNode *node, CanteenCardCert *out, GError **error);
/* Compact JSON bytes, as the card's applet file holds them, and back. */
GBytes   *canteen_card_cert_to_bytes (const CanteenCardCert *cert);
gboolean  canteen_card_cert_from_bytes (GBytes *bytes, CanteenCardCert *out, GError **error);

/* A card file: the certificate and the card's secret key (CLI and tests). */
gboolean canteen_card_file_write (const char *path, const CanteenCardCert *cert,
                                  const guint8 card_sk[CANTEEN_PROTO_SK_BYTES], GError **error);
gboolean canteen_card_file_read  (const char *path, CanteenCardCert *cert,
                                  guint8 card_sk[CANTEEN_PROTO_SK_BYTES], GError **error);

/* An issuer key file (public): agency, name, key. */
gboolean canteen_issuer_key_file_write (const char *path, const char *agency, const char *name,
                                        const guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES], GError **error);
gboolean canteen_issuer_key_file_read  (const char *path, char **agency, char **name,
                                        guint8 issuer_pk[CANTEEN_PROTO_PK_BYTES], GError **error);

/* ---- payment (what the card signs) ------------------------------------ */
typedef struct {
  const char *terminal;
  gint64      seq;
  gint64      amount_fen;
  const char *time;            /* "YYYY-MM-DDTHH:MM:SSZ" */
  const char *agency;          /* the card's */
  const char *card;
  const char *nonce;           /* 32 hex */
} CanteenPayment;

/* The canonical payment message (at most 255 bytes for valid fields; NULL
 * with INVALID when a field is bad or the message would be longer). */
GString *canteen_payment_message (const CanteenPayment *payment, GError **error);

/* ---- records and batches ---------------------------------------------- */
typedef enum {
  CANTEEN_RECORD_SALE,
  CANTEEN_RECORD_REVERSAL,
} CanteenRecordKind;

typedef struct {
  char  *terminal;
  gint64 seq;
  CanteenRecordKind kind;
  char  *checkout;             /* UUID (any 1-64 of A-Z a-z 0-9 - _ .) */
  char  *time;                 /* "YYYY-MM-DDTHH:MM:SSZ" */
  gint64 amount_fen;           /* > 0 sale, < 0 reversal */
  /* sale only (NULL / zero / FALSE for a reversal): */
  char  *nonce;
  gboolean has_cert;
  CanteenCardCert cert;
  guint8 card_sig[CANTEEN_PROTO_SIG_BYTES];
  gboolean online;             /* mode */
  char  *authorisation;        /* online sales; else NULL */
  /* reversal only: */
  char  *reverses_terminal;
  gint64 reverses_seq;
} CanteenRecord;

void      canteen_record_clear (CanteenRecord *record);
/* JSON: a sale is written without "reverses" (absent or null accepted); a
 * reversal with "reverses" and null nonce, cert, card_sig, authorisation.
 * from_json checks the record alone (errors "record: member: ..."); that it
 * belongs to a batch's terminal and sequence is canteen_batch_from_bytes's. */
JsonNode *canteen_record_to_json (const CanteenRecord *record);
gboolean  canteen_record_from_json (JsonNode *node, CanteenRecord *out, GError **error);
/* For a sale: the card signature over the payment message made from the
 * record's own fields (so a changed amount, time, seq or terminal fails). It
 * does not check the certificate's issuer signature (the caller knows the
 * issuer key): use canteen_card_cert_verify() too. */
gboolean  canteen_record_verify_card (const CanteenRecord *record, GError **error);

typedef struct {
  char      *terminal;
  gint64     batch;            /* from 1 */
  char       prev_hash[65];    /* hex; 64 '0' for batch 1 */
  char      *created;
  GPtrArray *records;          /* CanteenRecord*, owned */
} CanteenBatch;

/* prev_hash NULL: 64 zeros (batch 1); created NULL: now. Add records with
 * g_ptr_array_add (batch->records, g_new0 (CanteenRecord, 1) filled in). */
CanteenBatch *canteen_batch_new (const char *terminal, gint64 batch, const char *prev_hash, const char *created);
void          canteen_batch_free (CanteenBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenBatch, canteen_batch_free)
/* The exact body bytes to send (and to hash for the chain). */
GBytes       *canteen_batch_to_bytes (const CanteenBatch *batch);
/* Parses and checks the structure: every member, 1..MAX_RECORDS records of
 * this terminal, consecutive seq. Cryptographic checks are the caller's. */
CanteenBatch *canteen_batch_from_bytes (const void *body, gsize len, GError **error);

/* ---- requests and signed documents --------------------------------------- */
/* The canonical request message (API.md "Request"). */
GString *canteen_request_message (const char *method, const char *path_and_query, const char *time,
                                  const void *body, gsize body_len);
/* The canonical document message; kind is "receipt", "statement-json" or "statement-csv". */
GString *canteen_document_message (const char *kind, const void *body, gsize body_len);

/* ---- strict JSON helpers (for the service's small request bodies) -------- */
/* Parses `body` as one JSON object (FALSE: INVALID, "not a JSON object"). */
JsonNode *canteen_proto_parse_object (const void *body, gsize len, GError **error);
/* Fails naming the first member of `object` not listed in the NULL-ended `allowed`. */
gboolean  canteen_proto_only_members (JsonObject *object, const char *const *allowed, const char *what,
                                      GError **error);
/* Typed getters that fail naming "what: member: ..." when absent or of the
 * wrong type (`what` may be NULL). Strings are valid UTF-8; ints are JSON
 * integers (never 1.0 or "1") within min..max. */
gboolean  canteen_proto_get_string (JsonObject *object, const char *member, const char *what,
                                    const char **out, GError **error);
gboolean  canteen_proto_get_int    (JsonObject *object, const char *member, const char *what,
                                    gint64 min, gint64 max, gint64 *out, GError **error);
gboolean  canteen_proto_get_bool   (JsonObject *object, const char *member, const char *what,
                                    gboolean *out, GError **error);
/* Added: a string or JSON null (*out = NULL); an object; an array. The
 * member must be present. The results are owned by `object`. */
gboolean    canteen_proto_get_string_or_null (JsonObject *object, const char *member, const char *what,
                                              const char **out, GError **error);
JsonObject *canteen_proto_get_object (JsonObject *object, const char *member, const char *what,
                                      GError **error);
JsonArray  *canteen_proto_get_array  (JsonObject *object, const char *member, const char *what,
                                      GError **error);
/* Compact JSON text of a node. */
char     *canteen_proto_to_text (JsonNode *node, gsize *len);

G_END_DECLS
