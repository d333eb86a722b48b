/* clearing-client.h — HTTP requests to the clearing service (libcurl).
 *
 * Contract
 *  - Every request but enrollment is signed per API.md (X-Canteen-Terminal,
 *    X-Canteen-Time, X-Canteen-Signature over the canonical request message,
 *    made by settlement/proto). Each request has its own timeout.
 *  - Asynchronous form (for the kiosk): canteen_clearing_request_start()
 *    runs on the GMainContext the client was made with (curl multi driven by
 *    GLib sources); the callback runs once, on that context, unless
 *    canteen_clearing_request_cancel() was called first (then never).
 *  - Blocking form (CLI, sync thread): canteen_clearing_call().
 *  - A reply with any HTTP status is a reply (the caller decides); errors
 *    (CANTEEN_CLEARING_ERROR) are for no reply: NETWORK (could not connect,
 *    timed out) or PROTOCOL. canteen_clearing_reply_check() turns a non-2xx
 *    reply into an HTTP error naming the status and the service's error code
 *    and message.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_CLEARING_ERROR (canteen_clearing_error_quark ())
typedef enum {
  CANTEEN_CLEARING_ERROR_NETWORK,    /* no answer: connect failed, timed out, reset */
  CANTEEN_CLEARING_ERROR_HTTP,       /* the service answered with an error status */
  CANTEEN_CLEARING_ERROR_PROTOCOL,   /* the answer is not what API.md says (or its signature fails) */
  CANTEEN_CLEARING_ERROR_CANCELLED,
} CanteenClearingError;
GQuark canteen_clearing_error_quark (void);

typedef struct _CanteenClearingClient CanteenClearingClient;

typedef struct {
  guint   status;              /* HTTP status */
  GBytes *body;
  char   *signature;           /* X-Canteen-Signature of the answer, or NULL */
  char   *error_code;          /* "conflict" ... when the body is an API error document */
  char   *error_message;
} CanteenClearingReply;

void canteen_clearing_reply_free (CanteenClearingReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenClearingReply, canteen_clearing_reply_free)
/* TRUE for 2xx; else an HTTP error "POST /v1/batches: HTTP 409 conflict: …". */
gboolean canteen_clearing_reply_check (const CanteenClearingReply *reply, const char *method,
                                       const char *path, GError **error);

/* `base_url` like "http://127.0.0.1:8443" (no trailing path). `secret_key`
 * (64 bytes) NULL makes unsigned requests (enrollment only). `context` NULL:
 * the thread-default context at creation. */
CanteenClearingClient *canteen_clearing_client_new (const char *base_url, const char *terminal,
                                                    const guint8 *secret_key, GMainContext *context);
void                   canteen_clearing_client_free (CanteenClearingClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenClearingClient, canteen_clearing_client_free)

/* Blocking. `body` NULL for GET. */
CanteenClearingReply *canteen_clearing_call (CanteenClearingClient *client, const char *method,
                                             const char *path_and_query, GBytes *body,
                                             guint timeout_ms, GError **error);

typedef struct _CanteenClearingRequest CanteenClearingRequest;
/* `reply` NULL when `error` is set; the callback owns neither. */
typedef void (*CanteenClearingCallback) (CanteenClearingReply *reply, const GError *error,
                                         gpointer user_data);
CanteenClearingRequest *canteen_clearing_request_start (CanteenClearingClient *client, const char *method,
                                                        const char *path_and_query, GBytes *body,
                                                        guint timeout_ms, CanteenClearingCallback callback,
                                                        gpointer user_data);
/* The same; `destroy` (nullable) frees `user_data` when the request ends,
 * after its callback or when it is cancelled. */
CanteenClearingRequest *canteen_clearing_request_start_full (CanteenClearingClient *client, const char *method,
                                                             const char *path_and_query, GBytes *body,
                                                             guint timeout_ms, CanteenClearingCallback callback,
                                                             gpointer user_data, GDestroyNotify destroy);
/* Stops a running request; its callback will not run. The handle is freed.
 * Must not be called after the callback ran (the handle is gone then). */
void canteen_clearing_request_cancel (CanteenClearingRequest *request);

G_END_DECLS
