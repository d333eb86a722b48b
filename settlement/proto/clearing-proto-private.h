/* clearing-proto-private.h — helpers shared by the clearing-proto-*.c files;
 * not part of the library's interface (clearing-proto.h is). */
#pragma once

#include "clearing-proto.h"

G_BEGIN_DECLS

/* Longest identifier-like strings the protocol has (checkout, authorisation). */
#define PROTO_KEY_MAX_LEN 64
/* Deepest JSON nesting accepted; the deepest document (a batch) needs 4. */
#define PROTO_MAX_DEPTH 32
/* Most tokens (values and member names) in one document. A full batch of
 * 1000 records has about 45 000; json-glib 1.6 needs about 2 µs a token,
 * so 4 MiB of tiny tokens would cost seconds, this cap a few tenths. */
#define PROTO_MAX_TOKENS 200000

/* libsodium's one-time initialisation (thread-safe, idempotent). */
void proto_sodium_init (void);

/* Sets CANTEEN_PROTO_ERROR_INVALID "<what>: <member>: <message>", leaving
 * out the parts that are NULL or empty. */
void proto_fail (GError **error, const char *what, const char *member, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* Text of untrusted input safe to put in an error message: valid UTF-8, one
 * line (control characters shown as '?'), at most `max_chars` characters. */
char *proto_excerpt (const char *text, gssize len, guint max_chars);

/* Whether `text` is exactly `len` lowercase hex digits. */
gboolean proto_is_hex (const char *text, gsize len);

/* The identifier kinds of API.md, checked with a message naming `what`: `member`. */
typedef enum {
  PROTO_ID_AGENCY,
  PROTO_ID_TERMINAL,
  PROTO_ID_CARD,
  PROTO_ID_HOLDER,
  PROTO_ID_NAME,
  PROTO_ID_KEY,           /* checkout and authorisation ids */
} ProtoIdKind;
gboolean proto_check_id (const char *value, ProtoIdKind kind, const char *what, const char *member,
                         GError **error);
gboolean proto_check_time (const char *value, const char *what, const char *member, GError **error);
gboolean proto_check_date (const char *value, const char *what, const char *member, GError **error);
gboolean proto_check_nonce (const char *value, const char *what, const char *member, GError **error);

/* Files. A new file, mode 0600, written completely and fsync'd under a
 * temporary name, then moved into place only if `path` does not exist. */
gboolean proto_write_new_file (const char *path, const void *data, gsize len, GError **error);
/* Whether a secret key's stored public half is the one its seed makes. */
gboolean proto_secret_key_consistent (const guint8 sk[CANTEEN_PROTO_SK_BYTES]);
/* A whole file of at most `max` bytes (IO error otherwise). */
gboolean proto_read_small_file (const char *path, gsize max, char **contents, gsize *len, GError **error);
/* A file of JSON: one object, parsed strictly (what names the file). */
JsonNode *proto_read_json_file (const char *path, GError **error);

/* The b64 of a member, exactly `len` bytes. */
gboolean proto_get_b64 (JsonObject *object, const char *member, const char *what, guint8 *out, gsize len,
                        GError **error);
/* "v": 1. */
gboolean proto_check_version (JsonObject *object, const char *what, GError **error);
/* `what`'s node as an object. */
JsonObject *proto_node_object (JsonNode *node, const char *what, GError **error);

/* The cert parser with the caller's place in the message ("record 3: cert"). */
gboolean proto_cert_from_json (JsonNode *node, const char *what, CanteenCardCert *out, GError **error);
/* The record parser likewise ("record 3"). */
gboolean proto_record_from_json (JsonNode *node, const char *what, CanteenRecord *out, GError **error);

G_END_DECLS
