/* ledger.h — the terminal's ledger: menu, accounts, checkouts, journal.
 *
 * Contract
 *  - One SQLite file in WAL mode. Every write is one IMMEDIATE transaction
 *    committed with synchronous=FULL: when a function that writes returns
 *    TRUE (or a receipt), the change is on disk and survives power loss.
 *    When it returns FALSE/NULL, nothing at all was written.
 *  - Several processes (the kiosk, canteenctl) may open the same file at
 *    once; writers wait up to CANTEEN_LEDGER_BUSY_MS for each other.
 *  - Every change of money appends one journal entry whose hash covers the
 *    previous entry's hash; journal, checkouts, voids and refunds are
 *    append-only (triggers refuse UPDATE and DELETE). Balances in `accounts`
 *    are a projection that canteen_ledger_verify() recomputes.
 *  - A checkout id (client-made UUID) is charged at most once: committing it
 *    again returns the original receipt with `replayed` set; the same id
 *    with a different card or tray is refused (CONFLICT).
 *  - A CanteenLedger is used from one thread at a time. Open one per thread.
 *  - Errors are CANTEEN_LEDGER_ERROR (or CANTEEN_INPUT_ERROR for bad values);
 *    canteen_ledger_error_is_decline() tells a refusal the diner must hear
 *    about (balance, lost card, unknown dish) from a failure.
 */
#pragma once

#include <glib.h>

#include "dish.h"
#include "meal-period.h"
#include "pricing.h"
#include "receipt.h"

G_BEGIN_DECLS

#define CANTEEN_LEDGER_BUSY_MS 5000

#define CANTEEN_LEDGER_ERROR (canteen_ledger_error_quark ())

typedef enum {
  CANTEEN_LEDGER_ERROR_DB,                 /* SQLite failed (I/O, full disk, locked too long) */
  CANTEEN_LEDGER_ERROR_NOT_A_LEDGER,       /* the file is not SQLite or not ours */
  CANTEEN_LEDGER_ERROR_TOO_NEW,            /* schema newer than this program */
  CANTEEN_LEDGER_ERROR_NOT_INITIALISED,    /* `canteenctl init` has not run */
  CANTEEN_LEDGER_ERROR_ALREADY_INITIALISED,
  CANTEEN_LEDGER_ERROR_NOT_FOUND,          /* no such card / checkout */
  CANTEEN_LEDGER_ERROR_EXISTS,             /* the card is already registered */
  CANTEEN_LEDGER_ERROR_CONFLICT,           /* id reused for a different request */
  CANTEEN_LEDGER_ERROR_UNKNOWN_CARD,       /* decline */
  CANTEEN_LEDGER_ERROR_UNKNOWN_DISH,       /* decline */
  CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS, /* decline */
  CANTEEN_LEDGER_ERROR_CARD_LOST,          /* decline */
  CANTEEN_LEDGER_ERROR_CARD_CLOSED,        /* decline */
  CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE,     /* voided already, or refund over what was paid */
  CANTEEN_LEDGER_ERROR_CORRUPT,            /* journal chain or projection does not verify */
  CANTEEN_LEDGER_ERROR_NOT_AUTHORISED,     /* unknown or disabled manager, a wrong PIN, not a manager's card */
} CanteenLedgerError;

GQuark   canteen_ledger_error_quark (void);
gboolean canteen_ledger_error_is_decline (const GError *error);

typedef struct _CanteenLedger CanteenLedger;

/* Opens (creating if absent) and migrates to the current schema. */
CanteenLedger *canteen_ledger_open  (const char *path, GError **error);
void           canteen_ledger_close (CanteenLedger *ledger);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenLedger, canteen_ledger_close)

int            canteen_ledger_schema_version (CanteenLedger *ledger);

/* Checkpointing. A commit never waits for the WAL to be copied back into the
 * database file (unless the WAL has grown past the hard bound because nobody
 * checkpointed): call canteen_ledger_checkpoint() when nobody is waiting, e.g.
 * after the receipt is on screen; canteen_ledger_close() does it too. It does
 * nothing while the WAL is under the soft bound; *out_done (nullable) says
 * whether it copied. The hard bound also caps recovery after a power cut. */
#define CANTEEN_LEDGER_WAL_SOFT_PAGES 1000
#define CANTEEN_LEDGER_WAL_HARD_PAGES 8000
gboolean       canteen_ledger_checkpoint (CanteenLedger *ledger, gboolean *out_done, GError **error);
int            canteen_ledger_latest_schema_version (void);

/* ---- identity and configuration ------------------------------------- */

typedef struct {
  char *agency;      /* issuing/operating agency code */
  char *canteen;     /* "市政府机关第一食堂" */
  char *terminal;    /* this counter's id */
  char *timezone;    /* IANA name for local time, "Asia/Shanghai" */
} CanteenIdentity;

void     canteen_identity_clear (CanteenIdentity *identity);

gboolean canteen_ledger_init (CanteenLedger *ledger, const char *agency, const char *canteen,
                              const char *terminal, const char *timezone, GError **error);
gboolean canteen_ledger_get_identity (CanteenLedger *ledger, CanteenIdentity *out, GError **error);
/* The ledger's local time zone (never NULL once initialised; UTC before).
 * Owned by the ledger and valid while it is open: g_time_zone_ref() to keep it. */
GTimeZone *canteen_ledger_get_timezone (CanteenLedger *ledger);

gboolean canteen_ledger_get_meal_config (CanteenLedger *ledger, CanteenMealConfig *out, GError **error);
gboolean canteen_ledger_set_meal_times (CanteenLedger *ledger, CanteenMealPeriod period,
                                        const CanteenMealTimes *times, GError **error);

/* ---- menu ------------------------------------------------------------ */

/* Adds or updates the dishes (all or none) and puts them on the menu of
 * `day` ("YYYY-MM-DD", local) for the periods each dish lists. */
gboolean   canteen_ledger_import_dishes (CanteenLedger *ledger, GPtrArray *dishes,
                                         const char *day, GError **error);
/* Dishes on the menu of `day` in `period` (CANTEEN_MEAL_NONE: any period of
 * that day); `day` NULL lists the whole catalogue. Sorted by id. */
GPtrArray *canteen_ledger_list_dishes (CanteenLedger *ledger, const char *day,
                                       CanteenMealPeriod period, GError **error);
CanteenDish *canteen_ledger_get_dish (CanteenLedger *ledger, const char *dish_id, GError **error);

/* ---- accounts -------------------------------------------------------- */

typedef enum {
  CANTEEN_ACCOUNT_ACTIVE,
  CANTEEN_ACCOUNT_LOST,
  CANTEEN_ACCOUNT_CLOSED,
} CanteenAccountStatus;

const char *canteen_account_status_id (CanteenAccountStatus status);   /* "active" ... */
gboolean    canteen_account_status_parse (const char *id, CanteenAccountStatus *out, GError **error);

typedef struct {
  char  *card;
  char  *holder;
  char  *agency;
  gint64 balance_fen;
  gint64 credit_limit_fen;   /* the balance may go down to -credit_limit_fen */
  CanteenAccountStatus status;
} CanteenAccount;

void     canteen_account_clear (CanteenAccount *account);

gboolean canteen_ledger_add_account (CanteenLedger *ledger, const char *card, const char *holder,
                                     const char *agency, gint64 opening_balance_fen,
                                     gint64 credit_limit_fen, GError **error);
gboolean canteen_ledger_get_account (CanteenLedger *ledger, const char *card,
                                     CanteenAccount *out, GError **error);
/* Top-up of 1..CANTEEN_FEN_MAX fen. `topup_id` (nullable) makes a retry
 * idempotent: the same id again changes nothing and reports the same result. */
gboolean canteen_ledger_topup (CanteenLedger *ledger, const char *card, gint64 amount_fen,
                               const char *topup_id, CanteenAccount *out, GError **error);
/* All accounts, sorted by card; `agency` NULL for every agency. */
GPtrArray *canteen_ledger_list_accounts (CanteenLedger *ledger, const char *agency, GError **error);
void       canteen_account_free (CanteenAccount *account);
gboolean canteen_ledger_set_account_status (CanteenLedger *ledger, const char *card,
                                            CanteenAccountStatus status, const char *by,
                                            GError **error);

/* ---- checkout -------------------------------------------------------- */

typedef struct {
  const char *dish_id;
  gint        grams;       /* weighed dishes only; else 0 */
} CanteenOrderLine;

/* Prices the tray for the card's holder and commits it durably. `now` picks
 * the meal period and subsidy (in the ledger's time zone). */
CanteenReceipt *canteen_ledger_checkout (CanteenLedger *ledger, const char *checkout_id,
                                         const char *card, const CanteenOrderLine *lines,
                                         guint n_lines, GDateTime *now, GError **error);
CanteenReceipt *canteen_ledger_get_checkout (CanteenLedger *ledger, const char *checkout_id,
                                             GError **error);
/* What the tray would cost this card now, without committing anything. */
CanteenPricedTray *canteen_ledger_quote (CanteenLedger *ledger, const char *card,
                                         const CanteenOrderLine *lines, guint n_lines,
                                         GDateTime *now, GError **error);

typedef struct {
  char  *checkout_id;
  char  *card;
  gint64 credited_fen;
  gint64 balance_fen;
  gint64 journal_seq;
  gboolean replayed;       /* the void already existed: nothing credited now */
} CanteenCorrection;

void     canteen_correction_clear (CanteenCorrection *correction);

/* Reverses a whole checkout (what is left of it after refunds). A manager's
 * authority (`by`) and a reason are recorded; voiding again is a no-op. */
gboolean canteen_ledger_void (CanteenLedger *ledger, const char *checkout_id, const char *reason,
                              const char *by, GDateTime *now, CanteenCorrection *out, GError **error);
/* Gives back part of a checkout (a dish returned). `refund_id` makes retries
 * idempotent; refunds never exceed what the card paid. */
gboolean canteen_ledger_refund (CanteenLedger *ledger, const char *checkout_id, const char *refund_id,
                                gint64 amount_fen, const char *reason, const char *by,
                                GDateTime *now, CanteenCorrection *out, GError **error);

/* ---- dish recognition exemplars ----------------------------------------- */

/* Opaque exemplar bytes made by devices/vision, kept per dish (a dish of
 * the catalogue). `source` is "enroll" or "correction". At most
 * CANTEEN_EXEMPLARS_PER_DISH per dish: adding beyond that drops the oldest
 * correction (enrolled photos are kept). Returns the new row id, or 0. */
#define CANTEEN_EXEMPLARS_PER_DISH 12
gint64   canteen_ledger_add_exemplar (CanteenLedger *ledger, const char *dish_id, const char *source,
                                      GBytes *exemplar, GError **error);

typedef struct {
  gint64  id;
  char   *dish_id;
  char   *source;
  GBytes *exemplar;
} CanteenExemplar;
void     canteen_exemplar_free (CanteenExemplar *exemplar);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenExemplar, canteen_exemplar_free)

/* The exemplars of the dishes in `dishes` (NULL: every dish), oldest first. */
GPtrArray *canteen_ledger_list_exemplars (CanteenLedger *ledger, GPtrArray *dishes, GError **error);
/* Deletes the listed exemplar rows of `dish_id`, or all of them when
 * `ids` is NULL; returns how many went (0 is not an error), -1 on error. */
gint     canteen_ledger_forget_exemplars (CanteenLedger *ledger, const char *dish_id,
                                          const gint64 *ids, guint n_ids, GError **error);

/* ---- checkout frames ------------------------------------------------------ */

/* Keeps the camera frame (JPEG bytes) a committed checkout was recognised
 * from, in "<ledger>.frames/<local day>/<checkout id>.jpg", and its
 * SHA-256 in the ledger. Idempotent: the same frame again is a no-op; a
 * different frame for the same checkout is CONFLICT. Never part of the
 * payment: call it after the checkout committed, and a failure here leaves
 * the checkout as it is. */
gboolean canteen_ledger_keep_frame (CanteenLedger *ledger, const char *checkout_id, GBytes *jpeg,
                                    GError **error);
/* The frame's path, after checking its SHA-256 (CORRUPT when it does not
 * match, NOT_FOUND when none was kept or the file is gone). */
char    *canteen_ledger_get_frame (CanteenLedger *ledger, const char *checkout_id, GError **error);

#define CANTEEN_TRAY_TAG_MAX 24   /* bytes of a tray's tag: A-Z, 0-9 and '-' */

/* Records the tray a committed checkout was served on: the tag the camera
 * read on it (canteen_vision_read_tray_tag). Set once: the same tag again
 * is a no-op, another tag for the checkout is CONFLICT; a tag that is not
 * 1..24 of A-Z, 0-9, '-' is an input error; an unknown checkout NOT_FOUND.
 * Like the frame, never part of the payment. */
gboolean canteen_ledger_set_checkout_tray (CanteenLedger *ledger, const char *checkout_id, const char *tray_tag,
                                           GError **error);
/* The tag recorded for the checkout, or NULL without an error when none. */
char    *canteen_ledger_get_checkout_tray (CanteenLedger *ledger, const char *checkout_id, GError **error);

/* ---- managers ---------------------------------------------------------- */

#define CANTEEN_PIN_MIN_DIGITS 4
#define CANTEEN_PIN_MAX_DIGITS 12

/* A manager whose PIN authorises voids and refunds. The PIN (4..12 digits)
 * is stored only as an Argon2id hash; adding one is journaled. */
gboolean canteen_ledger_add_manager (CanteenLedger *ledger, const char *id, const char *name,
                                     const char *pin, GError **error);
/* TRUE when `id` is an active manager and `pin` is theirs; *out_name gets the
 * name to record. Any failure is the same NOT_AUTHORISED error, so the
 * message never tells which of id and PIN was wrong. Takes ~0.1 s on
 * purpose (the hash is slow to make guessing slow). */
gboolean canteen_ledger_check_manager (CanteenLedger *ledger, const char *id, const char *pin,
                                       char **out_name, GError **error);

/* A manager's card (its chip UID, checked and upper-cased as card ids are,
 * canteen_card_normalize), to sign in to the dashboard by a tap; NULL
 * clears it. One card belongs to one manager at most (EXISTS otherwise);
 * it may also be a diner's account card, which pays at the checkout as
 * before. NOT_FOUND for an unknown manager. A change is journaled; setting
 * what is already set writes nothing. */
gboolean canteen_ledger_set_manager_card (CanteenLedger *ledger, const char *manager_id,
                                          const char *card, GError **error);
/* The active manager whose card `card` is: *out_id and *out_name (both
 * nullable) get theirs. NOT_AUTHORISED when no manager, or a disabled one,
 * has this card; an input error when `card` is not a card id. Quick: no
 * hash to compute (the card itself is the credential). */
gboolean canteen_ledger_find_manager_by_card (CanteenLedger *ledger, const char *card,
                                              char **out_id, char **out_name, GError **error);

typedef struct {
  char    *id;
  char    *name;
  char    *card;      /* NULL: no card */
  gboolean active;
} CanteenManager;

void       canteen_manager_free (CanteenManager *manager);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenManager, canteen_manager_free)
/* Every manager (CanteenManager), sorted by id. Never the PIN's hash. */
GPtrArray *canteen_ledger_list_managers (CanteenLedger *ledger, GError **error);

/* ---- shifts ---------------------------------------------------------- */

typedef struct {
  const char *kind;        /* "staff", "visitor", "subsidy", "void", "refund", "topup",
                            * "clearing" (other agencies' cards), "clearing-reversal" */
  gint        count;
  gint64      amount_fen;
} CanteenZLine;

typedef struct {
  gint       shift_no;
  char      *terminal;
  GDateTime *opened;       /* first entry of the shift, UTC; NULL if empty */
  GDateTime *closed;       /* UTC */
  gint       checkouts;
  gint64     sales_fen;    /* sum of totals (before subsidy) */
  gint64     subsidy_fen;
  gint64     card_fen;     /* charged to cards */
  GArray    *lines;        /* CanteenZLine, by kind */
  gint64     journal_seq;
} CanteenZReport;

void            canteen_z_report_free (CanteenZReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenZReport, canteen_z_report_free)
/* The one JSON form of a Z-report: journaled at close, printed by the CLI.
 * {"shift":N,"terminal":T,"closed":BOOL,"checkouts":N,"sales_fen":N,
 *  "subsidy_fen":N,"card_fen":N,"by_kind":{"staff":{"count":N,"amount_fen":N},...}} */
JsonNode       *canteen_z_report_to_json (const CanteenZReport *report);

/* The current (open) shift's figures without closing it. */
CanteenZReport *canteen_ledger_shift_report (CanteenLedger *ledger, GError **error);
/* Closes the current shift: its Z-report is journaled and a new shift starts. */
CanteenZReport *canteen_ledger_close_shift (CanteenLedger *ledger, GDateTime *now, GError **error);

/* ---- journal --------------------------------------------------------- */

typedef struct {
  gint64 entries;
  gint64 accounts;
  char  *head_hash;        /* hex SHA-256 of the last entry */
} CanteenVerifyReport;

void     canteen_verify_report_clear (CanteenVerifyReport *report);

/* Recomputes the chain and every balance. FALSE with CANTEEN_LEDGER_ERROR_CORRUPT
 * naming the first bad entry (or account) when anything does not match. */
gboolean canteen_ledger_verify (CanteenLedger *ledger, CanteenVerifyReport *out, GError **error);

G_END_DECLS
