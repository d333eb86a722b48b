/* visitor.h — cross-agency settlement on the terminal and in the back office:
 * keys, issued cards, trust and deny lists, visitor checkout, the outbox and
 * issuer posting. settlement/API.md is the protocol; the formats and the
 * signing are settlement/proto/clearing-proto.h's, never redone here.
 *
 * Contract
 *  - Same durability rules as ledger.h: a write that returns TRUE (or a
 *    receipt) is committed with synchronous=FULL; FALSE/NULL wrote nothing.
 *  - Keys: this agency's issuer key and this terminal's key are made once
 *    (canteen_visitor_init_keys, run by `canteenctl init`) in
 *    "<ledger>.keys/issuer.key" and "terminal.key" (mode 0600, never
 *    overwritten: an existing key file is kept and used).
 *  - A visitor checkout has three steps so that a kiosk can run the slow
 *    ones asynchronously: prepare (price at visitor prices, make the payment
 *    message, have the card sign it through a callback, verify everything
 *    locally), authorise (online, by the caller: the clearing client within
 *    CANTEEN_VISITOR_ONLINE_TIMEOUT_MS), commit (online approval, or the
 *    offline rules; one transaction: visitor sale record, items, journal
 *    entry; the record is the outbox's). canteen_visitor_checkout() runs the
 *    three in a row for the CLI.
 *  - A checkout id is charged at most once: the same id again returns the
 *    stored receipt with `replayed` set (another card or tray: CONFLICT).
 *  - Declines are CANTEEN_VISITOR_ERROR codes (canteen_visitor_error_is_decline);
 *    messages name the reason a diner can be told.
 *  - Visitor money does not move any account of this ledger (the issuer
 *    owes it): the journal entry (kind "visitor") has no card and amount 0;
 *    its detail holds the record (amount, card, signature, mode), so the
 *    hash chain covers it. Issuer posting debits the official's account
 *    with journal entries of kind "clearing".
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ledger.h"

G_BEGIN_DECLS

#define CANTEEN_VISITOR_ERROR (canteen_visitor_error_quark ())
typedef enum {
  CANTEEN_VISITOR_ERROR_UID_ONLY,         /* decline: card has no certificate (UID-only) */
  CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER,   /* decline: issuer not on the trust list */
  CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE,  /* decline: certificate does not verify or parse */
  CANTEEN_VISITOR_ERROR_EXPIRED,          /* decline */
  CANTEEN_VISITOR_ERROR_BAD_SIGNATURE,    /* decline: the card's signature does not verify */
  CANTEEN_VISITOR_ERROR_DENIED,           /* decline: card on the deny list */
  CANTEEN_VISITOR_ERROR_OFFLINE_CAP,      /* decline: offline, over the card's offline cap */
  CANTEEN_VISITOR_ERROR_FLOOR_LIMIT,      /* decline: offline, over the terminal's floor limit */
  CANTEEN_VISITOR_ERROR_LIST_TOO_OLD,     /* decline: offline and the deny list is older than 24 h */
  CANTEEN_VISITOR_ERROR_DECLINED,         /* decline: the clearing service said no (reason in message) */
  CANTEEN_VISITOR_ERROR_NO_KEYS,          /* key files missing or unreadable */
  CANTEEN_VISITOR_ERROR_NOT_ENROLLED,     /* `canteenctl clearing enroll` has not run */
  CANTEEN_VISITOR_ERROR_RETRY,            /* another process sold in between: prepare again */
  CANTEEN_VISITOR_ERROR_BAD_DOCUMENT,     /* a list or statement from the service is malformed */
} CanteenVisitorError;

GQuark   canteen_visitor_error_quark (void);
gboolean canteen_visitor_error_is_decline (const GError *error);

#define CANTEEN_VISITOR_FLOOR_LIMIT_FEN    3000     /* default terminal floor limit */
#define CANTEEN_VISITOR_DENY_MAX_AGE_S     (24 * 3600)
#define CANTEEN_VISITOR_ONLINE_TIMEOUT_MS  1500
#define CANTEEN_CARD_OFFLINE_CAP_FEN       5000     /* `card issue` defaults */
#define CANTEEN_CARD_DAILY_CAP_FEN         20000
#define CANTEEN_CARD_VALID_YEARS           2

/* ---- keys ---------------------------------------------------------------- */

/* "<ledger>.keys" (newly allocated). */
char    *canteen_visitor_keys_dir (CanteenLedger *ledger);
/* Makes (or keeps) the issuer and terminal keys, stores their public halves
 * and puts this agency on its own trust list under `agency_name` (NULL: the
 * agency code). Idempotent. */
gboolean canteen_visitor_init_keys (CanteenLedger *ledger, const char *agency_name, GError **error);
gboolean canteen_visitor_issuer_key (CanteenLedger *ledger, guint8 sk[64], GError **error);
gboolean canteen_visitor_terminal_key (CanteenLedger *ledger, guint8 sk[64], GError **error);
/* Writes this agency's issuer key file (public; proto's format). */
gboolean canteen_visitor_export_issuer_key (CanteenLedger *ledger, const char *path, GError **error);

/* ---- issuing cards (back office) ------------------------------------------- */

typedef struct {
  const char *card;            /* letters and digits (upper-cased), also the account's card */
  const char *holder;
  gint64      offline_cap_fen;
  gint64      daily_cap_fen;
  const char *not_after;       /* "YYYY-MM-DD"; NULL: CANTEEN_CARD_VALID_YEARS from `now` */
} CanteenCardIssue;

/* Makes the card's key pair and certificate (signed with the issuer key),
 * writes the card file `out_path`, and registers the card: an existing
 * account of this agency with that card is linked, otherwise an account is
 * opened (balance 0) for the holder. *out_opened says which. A card is
 * issued once (EXISTS). */
gboolean canteen_visitor_issue_card (CanteenLedger *ledger, const CanteenCardIssue *issue,
                                     const char *out_path, GDateTime *now, gboolean *out_opened,
                                     GError **error);

/* ---- trust and deny lists ---------------------------------------------------- */

/* Trusts an agency from its issuer key file (manual setup without a service). */
gboolean canteen_visitor_trust_key_file (CanteenLedger *ledger, const char *path, GError **error);
/* Applies the service's answers to GET /v1/trust and /v1/deny (body bytes).
 * The deny list counts as fetched at `now`. Our own agency's entry is never
 * replaced. */
gboolean canteen_visitor_apply_trust (CanteenLedger *ledger, GBytes *body, GError **error);
gboolean canteen_visitor_apply_deny (CanteenLedger *ledger, GBytes *body, GDateTime *now, GError **error);
/* Sets a deny-list entry directly (tests, manual blocking at the counter). */
gboolean canteen_visitor_set_denied (CanteenLedger *ledger, const char *agency, const char *card,
                                     gboolean denied, GError **error);
/* Marks the deny list fresh as of `when` (for tests and manual imports). */
gboolean canteen_visitor_set_deny_fetched (CanteenLedger *ledger, GDateTime *when, GError **error);
gboolean canteen_visitor_set_floor_limit (CanteenLedger *ledger, gint64 fen, GError **error);

/* ---- clearing configuration and sync state ----------------------------------- */

typedef struct {
  char  *agency;
  char  *terminal;
  char  *url;                  /* NULL until enrolled */
  guint8 clearing_key[32];
  gboolean enrolled;
  gint64 floor_limit_fen;
  gint64 trust_version;
  gint64 deny_version;
  char  *deny_fetched;         /* UTC ISO 8601 or NULL */
  char  *last_attempt;
  char  *last_success;
  char  *last_error;
  gint   failures;
  char  *next_attempt;
  gint64 records;              /* visitor records made */
  gint64 unbatched;            /* records in no batch yet */
  gint64 pending;              /* records not yet acknowledged by the service */
  gint64 batches_unsent;
} CanteenClearingState;

void     canteen_clearing_state_clear (CanteenClearingState *state);
gboolean canteen_visitor_get_state (CanteenLedger *ledger, CanteenClearingState *out, GError **error);
JsonNode *canteen_clearing_state_to_json (const CanteenClearingState *state);
/* Stores what enrollment returned (POST /v1/enroll). */
gboolean canteen_visitor_set_enrolled (CanteenLedger *ledger, const char *url,
                                       const guint8 clearing_key[32], GDateTime *now, GError **error);

/* ---- visitor checkout ------------------------------------------------------------ */

/* Has the card sign `message` (the canonical payment message): the card
 * file's secret key for the CLI, INTERNAL AUTHENTICATE on a CPU card in the
 * kiosk. FALSE with an error when the card does not answer. */
typedef gboolean (*CanteenCardSigner) (const guint8 *message, gsize len, guint8 sig[64],
                                       gpointer user_data, GError **error);

typedef struct {
  GBytes           *cert;      /* the certificate (compact JSON) read from the card; NULL: UID-only card */
  const char       *uid;       /* for messages (may be NULL) */
  CanteenCardSigner sign;
  gpointer          sign_data;
} CanteenVisitorCard;

typedef struct _CanteenVisitorSale CanteenVisitorSale;
void canteen_visitor_sale_free (CanteenVisitorSale *sale);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenVisitorSale, canteen_visitor_sale_free)

/* Step 1: everything local. Declines (UID-only, unknown issuer, bad or
 * expired certificate, denied, bad card signature) are errors. When the
 * checkout id was committed before, the sale carries that receipt and the
 * card is not asked to sign (commit returns it). */
CanteenVisitorSale *canteen_visitor_prepare (CanteenLedger *ledger, const char *checkout_id,
                                             const CanteenVisitorCard *card,
                                             const CanteenOrderLine *lines, guint n_lines,
                                             GDateTime *now, GError **error);
/* Whether step 2 is needed (FALSE for a replayed checkout). */
gboolean  canteen_visitor_sale_needs_authorisation (const CanteenVisitorSale *sale);
/* The body of POST /v1/authorise for this sale. */
GBytes   *canteen_visitor_sale_authorise_body (const CanteenVisitorSale *sale);
gint64    canteen_visitor_sale_amount (const CanteenVisitorSale *sale);

/* Step 2's result, from the clearing service's answer. */
typedef struct {
  gboolean answered;           /* FALSE: no answer in time (offline rules apply) */
  gboolean approved;
  char    *authorisation;      /* approved */
  char    *reason;             /* declined */
  char    *issuer_name;        /* nullable */
  char    *problem;            /* not answered: why (for the log), nullable */
} CanteenAuthorisation;
void     canteen_authorisation_clear (CanteenAuthorisation *auth);
/* Parses the service's answer body (200) into `out` (answered = TRUE). */
gboolean canteen_authorisation_parse (GBytes *body, CanteenAuthorisation *out, GError **error);

typedef struct {
  CanteenReceipt *receipt;     /* payer visitor; agency = issuer; balance_fen 0 */
  char    *issuer_name;
  gboolean online;
  char    *authorisation;      /* online only */
  gint64   record_seq;
} CanteenVisitorReceipt;
void      canteen_visitor_receipt_free (CanteenVisitorReceipt *receipt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenVisitorReceipt, canteen_visitor_receipt_free)
JsonNode *canteen_visitor_receipt_to_json (const CanteenVisitorReceipt *receipt);
char     *canteen_visitor_receipt_to_text (const CanteenVisitorReceipt *receipt, GTimeZone *tz);

/* Step 3. `auth` NULL or not answered: offline rules (card's offline cap,
 * terminal floor limit, deny list fresher than 24 h at `now`). */
CanteenVisitorReceipt *canteen_visitor_commit (CanteenLedger *ledger, CanteenVisitorSale *sale,
                                               const CanteenAuthorisation *auth, GDateTime *now,
                                               GError **error);

/* Asks for an online authorisation; fills `out` (answered FALSE when there
 * was no answer). Blocking; for canteen_visitor_checkout(). */
typedef void (*CanteenAuthoriseFunc) (CanteenVisitorSale *sale, CanteenAuthorisation *out, gpointer user_data);

/* The three steps in a row; `authorise` NULL: offline only. */
CanteenVisitorReceipt *canteen_visitor_checkout (CanteenLedger *ledger, const char *checkout_id,
                                                 const CanteenVisitorCard *card,
                                                 const CanteenOrderLine *lines, guint n_lines,
                                                 CanteenAuthoriseFunc authorise, gpointer authorise_data,
                                                 GDateTime *now, GError **error);
CanteenVisitorReceipt *canteen_visitor_get_checkout (CanteenLedger *ledger, const char *checkout_id,
                                                     GError **error);

/* A CanteenCardSigner over a secret key held in memory (card files). */
gboolean canteen_visitor_sign_with_key (const guint8 *message, gsize len, guint8 sig[64],
                                        gpointer secret_key_64, GError **error);

/* ---- reversal ------------------------------------------------------------------------ */

#define CANTEEN_VISITOR_REVERSAL_DAYS 30

typedef struct {
  char    *reversal_id;
  char    *checkout_id;        /* the sale reversed */
  gint64   record_seq;         /* the reversal's own record */
  gint64   reverses_seq;
  gint64   amount_fen;         /* given back, > 0 */
  gboolean replayed;           /* the same reversal asked again: nothing new */
} CanteenVisitorReversal;
void     canteen_visitor_reversal_clear (CanteenVisitorReversal *reversal);

/* Gives back all (amount_fen 0) or part of a visitor sale as a reversal
 * record (API.md: a linked negative record) that goes to the outbox; the
 * issuer credits it to the official. Within CANTEEN_VISITOR_REVERSAL_DAYS
 * of the sale, once per sale (NOT_REFUNDABLE otherwise). `reversal_id`
 * (NULL: made here) makes a retry idempotent; reused for another reversal:
 * CONFLICT. The reason and the authority (`by`) are journaled. */
gboolean canteen_visitor_reverse (CanteenLedger *ledger, const char *checkout_id, const char *reversal_id,
                                  gint64 amount_fen, const char *reason, const char *by, GDateTime *now,
                                  CanteenVisitorReversal *out, GError **error);

/* ---- issuer posting (back office) ------------------------------------------------ */

typedef struct {
  char  *terminal;
  gint64 seq;
  char  *card;
  gint64 amount_fen;           /* debited (> 0) or credited back (< 0) */
  gint64 balance_fen;
  gboolean held;               /* not posted: no account, or it would go below its limit */
  char  *why;                  /* when held */
} CanteenPosting;

typedef struct {
  char      *window;
  gint       posted;
  gint       already;          /* posted by an earlier run */
  gint       held;
  GPtrArray *postings;         /* CanteenPosting*, this run's (posted and held) */
} CanteenPostingReport;
void      canteen_posting_report_clear (CanteenPostingReport *report);
JsonNode *canteen_posting_report_to_json (const CanteenPostingReport *report);

/* Posts every record of a statement (body bytes, signature already checked)
 * where this agency is the issuer, once per (terminal, seq), journaled. */
gboolean canteen_visitor_post_statement (CanteenLedger *ledger, GBytes *statement, GDateTime *now,
                                         CanteenPostingReport *out, GError **error);

G_END_DECLS
