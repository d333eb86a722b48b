/* clearing.h — the clearing service's core: agencies and terminals, batch
 * ingest, authorisation, trust and deny lists, settlement windows, positions,
 * statements, reconciliation and verification. settlement/API.md is the
 * specification; clearing-http.c and clearing-main.c only translate.
 *
 * Contract
 *  - Every function takes one ClearingDb connection (used by one thread at a
 *    time) and does its writes in one transaction (clearing_db_transact), so
 *    a refused request changes nothing.
 *  - Errors: CLEARING_ERROR with the codes below (each maps to one HTTP
 *    status, see clearing_error_status()); storage failures keep their
 *    CLEARING_DB_ERROR (503); malformed input keeps CANTEEN_PROTO_ERROR (400).
 *  - Answers are the exact bytes to send (compact JSON from json-glib).
 *  - `now` is passed in (UTC), so tests and the cut-off decide the clock.
 */
#pragma once

#include <glib.h>

#include "clearing-db.h"
#include "clearing-proto.h"

G_BEGIN_DECLS

#define CLEARING_ERROR (clearing_error_quark ())
typedef enum {
  CLEARING_ERROR_BAD_REQUEST,       /* 400 bad_request */
  CLEARING_ERROR_UNAUTHENTICATED,   /* 401 */
  CLEARING_ERROR_FORBIDDEN,         /* 403 */
  CLEARING_ERROR_NOT_FOUND,         /* 404 */
  CLEARING_ERROR_CONFLICT,          /* 409 */
  CLEARING_ERROR_CHAIN_BROKEN,      /* 422 */
  CLEARING_ERROR_SEQUENCE_GAP,      /* 422 */
  CLEARING_ERROR_BAD_RECORD,        /* 422 */
  CLEARING_ERROR_FAILED,            /* 500 (a key file, an inconsistency) */
} ClearingError;
GQuark clearing_error_quark (void);

/* HTTP status and API error code for any GError this module raises. */
guint       clearing_error_status (const GError *error, const char **code);

/* ---- the service key (clearing-key.c) ---------------------------------- */
typedef struct {
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
} ClearingKey;

/* The key file used when --key is not given: "<path>.key" for sqlite:PATH;
 * "$STATE_DIRECTORY/clearing.key" for PostgreSQL (NULL with an error when
 * STATE_DIRECTORY is unset). */
char    *clearing_key_default_path (const char *uri, GError **error);
/* init: makes the key file unless it exists, records its public key in the
 * database (refusing a key other than the one recorded) and opens window 1. */
gboolean clearing_init (ClearingDb *db, const char *key_path, GDateTime *now, GError **error);
/* Reads the key file and checks it is the database's key. */
gboolean clearing_key_load (ClearingDb *db, const char *key_path, ClearingKey *key, GError **error);
/* The service's public key as recorded at init (b64), or NULL. */
char    *clearing_service_public_key (ClearingDb *db, GError **error);
/* Signs a document (API.md "Document"); b64 signature. */
char    *clearing_sign_document (const ClearingKey *key, const char *kind, const char *body, gsize len);

/* ---- agencies, terminals, enrollment, trust list (clearing-agencies.c) --- */
gboolean clearing_agency_add (ClearingDb *db, const char *code, const char *name,
                              const guint8 issuer_key[CANTEEN_PROTO_PK_BYTES], gint64 debit_cap_fen,
                              GError **error);   /* debit_cap_fen < 0: no cap */
/* Returns the one-time enrollment token (shown once; only its hash is kept). */
char    *clearing_terminal_add (ClearingDb *db, const char *id, const char *agency, GError **error);
char    *clearing_enroll (ClearingDb *db, const ClearingKey *key, const void *body, gsize len, GDateTime *now,
                          GError **error);
/* An enrolled terminal's agency and key (UNAUTHENTICATED when unknown or
 * not enrolled). */
gboolean clearing_terminal_lookup (ClearingDb *db, const char *id, char **agency,
                                   guint8 public_key[CANTEEN_PROTO_PK_BYTES], GError **error);
char    *clearing_trust_list (ClearingDb *db, gint64 since, GError **error);

/* ---- deny list (clearing-deny.c) ----------------------------------------- */
/* Returns the new deny-list version, or -1. */
gint64   clearing_deny_set (ClearingDb *db, const char *agency, const char *card, gboolean denied, GError **error);
char    *clearing_deny_list (ClearingDb *db, gint64 since, GError **error);
/* POST /v1/deny for `agency`'s own cards. */
char    *clearing_deny_request (ClearingDb *db, const char *agency, const void *body, gsize len, GError **error);

/* ---- batches (clearing-batches.c) ------------------------------------------ */
typedef struct {
  const char *terminal;     /* authenticated */
  const char *path;         /* path and query as signed */
  const char *time;         /* X-Canteen-Time */
  const char *signature;    /* X-Canteen-Signature (b64) */
} ClearingRequestAuth;

/* Stores a batch and answers its receipt (and the receipt's signature); an
 * exact replay answers the stored receipt. */
gboolean clearing_batch_submit (ClearingDb *db, const ClearingKey *key, const ClearingRequestAuth *auth,
                                const void *body, gsize len, GDateTime *now, char **receipt,
                                char **receipt_sig, GError **error);

/* ---- authorisation (clearing-authorise.c) ----------------------------- */
char    *clearing_authorise (ClearingDb *db, const char *terminal, const void *body, gsize len, GDateTime *now,
                             GError **error);

/* ---- windows, positions, statements (clearing-windows.c, -statements.c) -- */
/* Closes the open window and opens the next, storing the bilateral matrix
 * and the net positions (one transaction); then makes and signs every
 * agency's statements (one transaction per agency: a statement missing
 * after a crash is made on its first request). Returns the closed id or -1. */
gint64   clearing_window_close (ClearingDb *db, const ClearingKey *key, GDateTime *now, GError **error);
/* Only the first transaction of clearing_window_close (no statements). */
gint64   clearing_window_close_net (ClearingDb *db, GDateTime *now, GError **error);
/* Makes and stores the signed JSON and CSV statements of `agency` for the
 * closed window `win` unless they exist. */
gboolean clearing_statements_make (ClearingDb *db, const ClearingKey *key, gint64 win, const char *agency,
                                   GError **error);
/* window <= 0: the last closed window. */
char    *clearing_positions_json (ClearingDb *db, gint64 window, GError **error);
/* The statement as computed from the stored records (also what verify uses). */
char    *clearing_statement_build (ClearingDb *db, gint64 window, const char *agency, const char *format,
                                   GError **error);
/* The stored, signed statement (made now if missing). window <= 0: the
 * last closed window. */
gboolean clearing_statement_get (ClearingDb *db, const ClearingKey *key, gint64 window, const char *agency,
                                 const char *format, char **body, char **signature, GError **error);

/* ---- reconciliation and verification (clearing-verify.c) ---------------- */
char    *clearing_reconciliation (ClearingDb *db, const char *agency, GError **error);
/* Every problem found, one line each ("window 3: agency A: stored net -1500
 * fen, records give -1400 fen"). FALSE only when it could not run. */
gboolean clearing_verify (ClearingDb *db, GPtrArray *problems, GError **error);

G_END_DECLS
