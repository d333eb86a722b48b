/* outbox.h — the terminal's visitor records on their way to the clearing
 * service: batches (ledger-outbox.c) and the sync that uploads them
 * (outbox.c).
 *
 * Contract
 *  - Batches are built once, from records in no batch yet, in record order,
 *    at most CANTEEN_OUTBOX_MAX_RECORDS each, chained by prev_hash (the
 *    previous batch's body hash), and stored with their exact body bytes in
 *    the same transaction that numbers them. A batch is sent when its
 *    receipt is stored; a retry sends the same bytes, so the service returns
 *    the same receipt (API.md: idempotent by (terminal, batch)).
 *  - Upload goes oldest unsent batch first and stops at the first failure.
 *    A failure that may pass (no answer, 5xx) schedules the next attempt
 *    with exponential backoff and jitter (persisted); a 409 or 422 is a hard
 *    error reported as such: the chain needs a person.
 *  - Killing the process at any point loses nothing and duplicates nothing:
 *    every step is one committed transaction or an idempotent request.
 */
#pragma once

#include <gio/gio.h>

#include "ledger.h"
#include "visitor.h"
#include "clearing-client.h"

G_BEGIN_DECLS

#define CANTEEN_OUTBOX_MAX_RECORDS 500
#define CANTEEN_OUTBOX_BACKOFF_BASE_MS 5000
#define CANTEEN_OUTBOX_BACKOFF_MAX_MS  (3600 * 1000)

typedef struct {
  gint64 batch;
  gint64 first_seq;
  gint64 last_seq;
  GBytes *body;
  char   hash[65];
} CanteenOutboxBatch;

void canteen_outbox_batch_free (CanteenOutboxBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenOutboxBatch, canteen_outbox_batch_free)

/* Packs every record in no batch into new batches; returns how many were
 * made (0: none pending), -1 on error. `max_records` 0: the default. */
gint     canteen_outbox_build (CanteenLedger *ledger, gint max_records, GDateTime *now, GError **error);
/* The oldest batch without a receipt, or NULL (error unset) when all are sent. */
CanteenOutboxBatch *canteen_outbox_next_unsent (CanteenLedger *ledger, GError **error);
/* Stores the service's receipt for `batch` (its bytes and signature). */
gboolean canteen_outbox_mark_sent (CanteenLedger *ledger, gint64 batch, GBytes *receipt,
                                   const char *signature, const char *window, GDateTime *now,
                                   GError **error);
/* Records the outcome of a sync attempt: success resets the backoff;
 * failure counts it and sets the next attempt time. */
gboolean canteen_outbox_note_attempt (CanteenLedger *ledger, gboolean ok, const char *message,
                                      GDateTime *now, GError **error);
/* The delay before attempt n+1 after `failures` failures in a row: base *
 * 2^(failures-1), capped, with "equal jitter" (half fixed, half random from
 * `random`, uniform in 0..G_MAXUINT32). */
gint64   canteen_outbox_backoff_ms (gint failures, guint32 random);

/* ---- sync --------------------------------------------------------------------- */

typedef struct {
  gint64   uploaded;           /* records acknowledged by this run */
  gint     batches;            /* batches acknowledged by this run */
  gint     built;              /* batches built by this run */
  gboolean waited;             /* skipped: backoff not over (respect_backoff) */
  gboolean trust_updated;
  gboolean deny_updated;
  CanteenClearingState state;  /* after the run */
} CanteenSyncReport;
void      canteen_sync_report_clear (CanteenSyncReport *report);
JsonNode *canteen_sync_report_to_json (const CanteenSyncReport *report);

/* One sync: build batches, upload the unsent ones oldest first, fetch
 * trust- and deny-list deltas, record the outcome. Blocking; the kiosk runs
 * it in a thread with its own ledger handle (canteen_clearing_sync_async).
 * FALSE when the upload or a list failed (the report still says how far it
 * got; the attempt is recorded for backoff). */
gboolean canteen_clearing_sync (CanteenLedger *ledger, gboolean respect_backoff, GCancellable *cancellable,
                                CanteenSyncReport *out, GError **error);
/* The same in a worker thread that opens `ledger_path` itself. */
void     canteen_clearing_sync_async (const char *ledger_path, gboolean respect_backoff,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
/* The report (free with canteen_sync_report_clear + g_free) or NULL with error. */
CanteenSyncReport *canteen_clearing_sync_finish (GAsyncResult *result, GError **error);

/* Enrolls this terminal (POST /v1/enroll with its public key) and stores
 * the URL and the service's key. */
gboolean canteen_clearing_enroll (CanteenLedger *ledger, const char *url, const char *token,
                                  GCancellable *cancellable, GError **error);
/* Fetches this agency's statement (JSON) for `window` (NULL: the latest
 * closed), checks the service's signature, and posts it. */
gboolean canteen_clearing_post_statement (CanteenLedger *ledger, const char *window, gboolean post,
                                          CanteenPostingReport *out, GBytes **out_statement,
                                          GError **error);
/* The blocking online authorisation for canteen_visitor_checkout(): `user_data`
 * is the CanteenLedger. No answer within CANTEEN_VISITOR_ONLINE_TIMEOUT_MS, a
 * network error or a 5xx/4xx all leave out->answered FALSE. */
void     canteen_clearing_authorise_blocking (CanteenVisitorSale *sale, CanteenAuthorisation *out,
                                              gpointer ledger);

/* ---- for the kiosk: online authorisation on the main loop ---------------------- */

/* A client for this ledger's enrollment (its URL, terminal and key) whose
 * requests run on `context` (NULL: the thread default). NOT_ENROLLED when
 * there is no service to ask (the caller goes straight to the offline rules). */
CanteenClearingClient *canteen_clearing_client_for_ledger (CanteenLedger *ledger, GMainContext *context,
                                                           GError **error);
/* Called once with the outcome; `auth->answered` FALSE means no answer in
 * time (then canteen_visitor_commit applies the offline rules). */
typedef void (*CanteenAuthoriseCallback) (const CanteenAuthorisation *auth, gpointer user_data);
/* POST /v1/authorise for `sale` within CANTEEN_VISITOR_ONLINE_TIMEOUT_MS;
 * cancel with canteen_clearing_request_cancel() (the callback then never
 * runs). The sale must outlive the request. */
CanteenClearingRequest *canteen_clearing_authorise_start (CanteenClearingClient *client,
                                                          const CanteenVisitorSale *sale,
                                                          CanteenAuthoriseCallback callback, gpointer user_data);

G_END_DECLS
