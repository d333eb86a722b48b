/* outbox.c — talking to the clearing service for the terminal and the back
 * office (outbox.h): sync (upload batches, fetch list deltas), enrollment,
 * online authorisation, statements.
 *
 * Every answer that the service signs (batch receipts, statements) is
 * checked against the key stored at enrollment before anything is recorded
 * from it: a receipt that does not verify leaves the batch unsent.
 */
#include "outbox.h"

#include <sodium.h>

#include "clearing-proto.h"

#define SYNC_TIMEOUT_MS   30000
#define ENROLL_TIMEOUT_MS 10000

void
canteen_sync_report_clear (CanteenSyncReport *r)
{
  canteen_clearing_state_clear (&r->state);
}

JsonNode *
canteen_sync_report_to_json (const CanteenSyncReport *r)
{
  JsonNode *node = canteen_clearing_state_to_json (&r->state);
  JsonObject *obj = json_node_get_object (node);

  json_object_set_int_member (obj, "uploaded", r->uploaded);
  json_object_set_int_member (obj, "batches_uploaded", r->batches);
  json_object_set_int_member (obj, "batches_built", r->built);
  json_object_set_boolean_member (obj, "waited", r->waited);
  json_object_set_boolean_member (obj, "trust_updated", r->trust_updated);
  json_object_set_boolean_member (obj, "deny_updated", r->deny_updated);
  return node;
}

static CanteenClearingClient *
client_on (CanteenLedger *l, const CanteenClearingState *state, GMainContext *context, GError **error)
{
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  CanteenClearingClient *client;

  if (!state->enrolled)
    {
      g_set_error (error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_NOT_ENROLLED,
                   "this terminal is not enrolled with a clearing service; run `canteenctl clearing enroll` first");
      return NULL;
    }
  if (!canteen_visitor_terminal_key (l, sk, error))
    return NULL;
  client = canteen_clearing_client_new (state->url, state->terminal, sk, context);
  sodium_memzero (sk, sizeof sk);
  return client;
}

static CanteenClearingClient *
client_for (CanteenLedger *l, const CanteenClearingState *state, GError **error)
{
  return client_on (l, state, NULL, error);
}

CanteenClearingClient *
canteen_clearing_client_for_ledger (CanteenLedger *l, GMainContext *context, GError **error)
{
  CanteenClearingState state;
  CanteenClearingClient *client;

  if (!canteen_visitor_get_state (l, &state, error))
    return NULL;
  client = client_on (l, &state, context, error);
  canteen_clearing_state_clear (&state);
  return client;
}

/* Checks the service's signature of a document (receipt, statement). */
static gboolean
verify_document (const CanteenClearingState *state, const char *kind, const CanteenClearingReply *reply,
                 const char *what, GError **error)
{
  g_autoptr(GString) message = NULL;
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  GError *local = NULL;

  if (reply->signature == NULL)
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "%s: the clearing service did not sign it (no X-Canteen-Signature)", what);
      return FALSE;
    }
  message = canteen_document_message (kind, g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
  if (!canteen_proto_b64_decode (reply->signature, sig, sizeof sig, &local) ||
      !canteen_proto_verify (state->clearing_key, message->str, message->len, sig, &local))
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "%s: the clearing service's signature does not verify (%s)", what, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}

/* The receipt must speak of exactly the batch we sent. Returns the window. */
static char *
check_receipt (const CanteenOutboxBatch *batch, const char *terminal, GBytes *body, GError **error)
{
  static const char *const members[] = { "terminal", "batch", "hash", "records", "window", "received", NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *window;
  const char *r_terminal, *hash, *received;
  gint64 number, records;

  root = canteen_proto_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
  if (root == NULL)
    return NULL;
  obj = json_node_get_object (root);
  if (!canteen_proto_only_members (obj, members, "receipt", error) ||
      !canteen_proto_get_string (obj, "terminal", "receipt", &r_terminal, error) ||
      !canteen_proto_get_int (obj, "batch", "receipt", 1, G_MAXINT64, &number, error) ||
      !canteen_proto_get_string (obj, "hash", "receipt", &hash, error) ||
      !canteen_proto_get_int (obj, "records", "receipt", 1, G_MAXINT64, &records, error) ||
      !canteen_proto_get_string (obj, "received", "receipt", &received, error))
    return NULL;
  if (g_strcmp0 (r_terminal, terminal) != 0 || number != batch->batch || g_strcmp0 (hash, batch->hash) != 0 ||
      records != batch->last_seq - batch->first_seq + 1)
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "batch %" G_GINT64_FORMAT ": the receipt is for another batch (%s/%" G_GINT64_FORMAT ", hash %.12s…)",
                   batch->batch, r_terminal, number, hash);
      return NULL;
    }
  window = json_object_get_member (obj, "window");
  if (window && JSON_NODE_HOLDS_VALUE (window) && json_node_get_value_type (window) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (window));
  if (window && JSON_NODE_HOLDS_VALUE (window) && json_node_get_value_type (window) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (window));
  g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_INVALID, "receipt.window: missing or not a number");
  return NULL;
}

/* Uploads one batch; *hard when retrying cannot help (409, 422). */
static gboolean
upload (CanteenLedger *l, CanteenClearingClient *client, const CanteenClearingState *state,
        const CanteenOutboxBatch *batch, gboolean *hard, GError **error)
{
  g_autoptr(CanteenClearingReply) reply = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *window = NULL;
  g_autofree char *what = g_strdup_printf ("batch %" G_GINT64_FORMAT, batch->batch);

  *hard = FALSE;
  reply = canteen_clearing_call (client, "POST", "/v1/batches", batch->body, SYNC_TIMEOUT_MS, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }
  if (!canteen_clearing_reply_check (reply, "POST", "/v1/batches", error))
    {
      *hard = reply->status == 409 || reply->status == 422;
      g_prefix_error (error, "%s%s: ", *hard ? "NEEDS ATTENTION: " : "", what);
      return FALSE;
    }
  if (!verify_document (state, "receipt", reply, what, error))
    return FALSE;
  window = check_receipt (batch, state->terminal, reply->body, error);
  if (window == NULL)
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }
  now = g_date_time_new_now_utc ();
  return canteen_outbox_mark_sent (l, batch->batch, reply->body, reply->signature, window, now, error);
}

static gboolean
fetch_list (CanteenLedger *l, CanteenClearingClient *client, const char *kind, gint64 since, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/v1/%s?since=%" G_GINT64_FORMAT, kind, since);
  g_autoptr(CanteenClearingReply) reply = canteen_clearing_call (client, "GET", path, NULL, SYNC_TIMEOUT_MS, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (reply == NULL || !canteen_clearing_reply_check (reply, "GET", path, error))
    return FALSE;
  if (g_str_equal (kind, "trust"))
    return canteen_visitor_apply_trust (l, reply->body, error);
  return canteen_visitor_apply_deny (l, reply->body, now, error);
}

gboolean
canteen_clearing_sync (CanteenLedger *l, gboolean respect_backoff, GCancellable *cancellable,
                       CanteenSyncReport *out, GError **error)
{
  g_autoptr(CanteenClearingClient) client = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenClearingState state;
  GError *failure = NULL;
  gboolean hard = FALSE;

  memset (out, 0, sizeof *out);
  if (!canteen_visitor_get_state (l, &state, error))
    return FALSE;
  if (respect_backoff && state.next_attempt != NULL)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) next = g_date_time_new_from_iso8601 (state.next_attempt, utc);
      if (next != NULL && g_date_time_compare (now, next) < 0)
        {
          out->waited = TRUE;
          out->state = state;
          return TRUE;
        }
    }
  client = client_for (l, &state, error);
  if (client == NULL)
    goto out_state;
  /* Built and stored before the first byte is sent. */
  out->built = canteen_outbox_build (l, 0, now, error);
  if (out->built < 0)
    {
      out->built = 0;
      goto out_state;
    }

  for (;;)
    {
      g_autoptr(CanteenOutboxBatch) batch = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &failure))
        break;
      batch = canteen_outbox_next_unsent (l, &failure);
      if (batch == NULL)
        break;
      if (!upload (l, client, &state, batch, &hard, &failure))
        break;
      out->uploaded += batch->last_seq - batch->first_seq + 1;
      out->batches++;
    }
  /* The lists even when an upload was refused (a 409 stops the chain, but
   * the deny list must stay fresh for offline acceptance); not when the
   * service cannot be reached at all. */
  if (!g_error_matches (failure, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_NETWORK) &&
      !g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !g_cancellable_is_cancelled (cancellable))
    {
      GError *list_error = NULL;
      if (fetch_list (l, client, "trust", state.trust_version, &list_error))
        out->trust_updated = TRUE;
      if (list_error == NULL && fetch_list (l, client, "deny", state.deny_version, &list_error))
        out->deny_updated = TRUE;
      if (list_error != NULL && failure == NULL)
        failure = list_error;
      else
        g_clear_error (&list_error);
    }

  {
    g_autoptr(GDateTime) done = g_date_time_new_now_utc ();
    GError *note_error = NULL;
    if (!canteen_outbox_note_attempt (l, failure == NULL, failure ? failure->message : NULL, done, &note_error))
      {
        if (failure == NULL)
          failure = note_error;
        else
          g_error_free (note_error);
      }
  }
  canteen_clearing_state_clear (&state);
  if (!canteen_visitor_get_state (l, &out->state, failure ? NULL : &failure))
    memset (&out->state, 0, sizeof out->state);
  if (failure)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;

out_state:
  out->state = state;
  return FALSE;
}

/* ---- in a thread, for the kiosk ---------------------------------------------------- */

typedef struct {
  char    *path;
  gboolean respect_backoff;
} SyncJob;

static void
sync_job_free (SyncJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
report_free (CanteenSyncReport *report)
{
  canteen_sync_report_clear (report);
  g_free (report);
}

static void
sync_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  SyncJob *job = data;
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenSyncReport *report = g_new0 (CanteenSyncReport, 1);
  GError *error = NULL;

  /* A ledger handle belongs to one thread: this one opens its own. */
  ledger = canteen_ledger_open (job->path, &error);
  if (ledger == NULL || !canteen_clearing_sync (ledger, job->respect_backoff, cancellable, report, &error))
    {
      report_free (report);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, report, (GDestroyNotify) report_free);
}

void
canteen_clearing_sync_async (const char *ledger_path, gboolean respect_backoff, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SyncJob *job = g_new0 (SyncJob, 1);

  job->path = g_strdup (ledger_path);
  job->respect_backoff = respect_backoff;
  g_task_set_task_data (task, job, (GDestroyNotify) sync_job_free);
  g_task_set_source_tag (task, canteen_clearing_sync_async);
  g_task_run_in_thread (task, sync_thread);
}

CanteenSyncReport *
canteen_clearing_sync_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- enrollment ----------------------------------------------------------------------- */

gboolean
canteen_clearing_enroll (CanteenLedger *l, const char *url, const char *token, GCancellable *cancellable,
                         GError **error)
{
  static const char *const members[] = { "terminal", "agency", "clearing_key", NULL };
  g_autoptr(CanteenClearingClient) client = NULL;
  g_autoptr(CanteenClearingReply) reply = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL, answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *pk_b64 = NULL;
  CanteenClearingState state;
  guint8 sk[CANTEEN_PROTO_SK_BYTES], pk[CANTEEN_PROTO_PK_BYTES], clearing_key[CANTEEN_PROTO_PK_BYTES];
  const char *terminal, *agency, *key;
  JsonObject *obj;
  gboolean ok = FALSE;
  gsize len = 0;
  char *text;

  if (url == NULL || !(g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://")))
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "url: “%s” is not an http:// or https:// address", url ? url : "");
      return FALSE;
    }
  if (token == NULL || *token == '\0')
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL, "token: required");
      return FALSE;
    }
  if (!canteen_visitor_get_state (l, &state, error))
    return FALSE;
  if (!canteen_visitor_terminal_key (l, sk, error))
    goto out;
  canteen_proto_public_key (sk, pk);
  sodium_memzero (sk, sizeof sk);
  pk_b64 = canteen_proto_b64_encode (pk, sizeof pk);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, state.terminal);
  json_builder_set_member_name (b, "public_key");
  json_builder_add_string_value (b, pk_b64);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_end_object (b);
  request = json_builder_get_root (b);
  text = canteen_proto_to_text (request, &len);
  body = g_bytes_new_take (text, len);

  client = canteen_clearing_client_new (url, state.terminal, NULL, NULL);
  reply = canteen_clearing_call (client, "POST", "/v1/enroll", body, ENROLL_TIMEOUT_MS, error);
  if (reply == NULL || !canteen_clearing_reply_check (reply, "POST", "/v1/enroll", error))
    goto out;
  answer = canteen_proto_parse_object (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), error);
  if (answer == NULL)
    goto out;
  obj = json_node_get_object (answer);
  if (!canteen_proto_only_members (obj, members, "enroll", error) ||
      !canteen_proto_get_string (obj, "terminal", "enroll", &terminal, error) ||
      !canteen_proto_get_string (obj, "agency", "enroll", &agency, error) ||
      !canteen_proto_get_string (obj, "clearing_key", "enroll", &key, error) ||
      !canteen_proto_b64_decode (key, clearing_key, sizeof clearing_key, error))
    goto out;
  if (g_strcmp0 (terminal, state.terminal) != 0 || g_strcmp0 (agency, state.agency) != 0)
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "the service enrolled terminal %s of agency %s, but this ledger is terminal %s of agency %s",
                   terminal, agency, state.terminal, state.agency);
      goto out;
    }
  ok = canteen_visitor_set_enrolled (l, url, clearing_key, now, error);

out:
  canteen_clearing_state_clear (&state);
  return ok;
}

/* ---- online authorisation ----------------------------------------------------------------- */

void
canteen_clearing_authorise_blocking (CanteenVisitorSale *sale, CanteenAuthorisation *out, gpointer ledger)
{
  g_autoptr(CanteenClearingClient) client = NULL;
  g_autoptr(CanteenClearingReply) reply = NULL;
  g_autoptr(GBytes) body = NULL;
  CanteenClearingState state;
  GError *error = NULL;

  memset (out, 0, sizeof *out);
  if (!canteen_visitor_get_state (ledger, &state, &error))
    goto no_answer;
  client = client_for (ledger, &state, &error);
  canteen_clearing_state_clear (&state);
  if (client == NULL)
    goto no_answer;
  body = canteen_visitor_sale_authorise_body (sale);
  reply = canteen_clearing_call (client, "POST", "/v1/authorise", body, CANTEEN_VISITOR_ONLINE_TIMEOUT_MS, &error);
  if (reply == NULL || !canteen_clearing_reply_check (reply, "POST", "/v1/authorise", &error) ||
      !canteen_authorisation_parse (reply->body, out, &error))
    goto no_answer;
  return;

no_answer:
  canteen_authorisation_clear (out);
  out->problem = g_strdup (error ? error->message : "no answer");
  g_clear_error (&error);
}

/* ---- statements ---------------------------------------------------------------------------- */

gboolean
canteen_clearing_post_statement (CanteenLedger *l, const char *window, gboolean post, CanteenPostingReport *out,
                                 GBytes **out_statement, GError **error)
{
  g_autoptr(CanteenClearingClient) client = NULL;
  g_autoptr(CanteenClearingReply) reply = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *path = NULL;
  CanteenClearingState state;
  gboolean ok = FALSE;

  memset (out, 0, sizeof *out);
  if (out_statement)
    *out_statement = NULL;
  if (window != NULL && (*window == '\0' || strspn (window, "0123456789") != strlen (window)))
    {
      g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                   "window: “%s” is not a window number", window);
      return FALSE;
    }
  if (!canteen_visitor_get_state (l, &state, error))
    return FALSE;
  client = client_for (l, &state, error);
  if (client == NULL)
    goto out;
  path = window ? g_strdup_printf ("/v1/statements/%s?window=%s&format=json", state.agency, window)
                : g_strdup_printf ("/v1/statements/%s?format=json", state.agency);
  reply = canteen_clearing_call (client, "GET", path, NULL, SYNC_TIMEOUT_MS, error);
  if (reply == NULL || !canteen_clearing_reply_check (reply, "GET", path, error) ||
      !verify_document (&state, "statement-json", reply, "statement", error))
    goto out;
  if (out_statement)
    *out_statement = g_bytes_ref (reply->body);
  ok = post ? canteen_visitor_post_statement (l, reply->body, now, out, error) : TRUE;

out:
  canteen_clearing_state_clear (&state);
  return ok;
}

typedef struct {
  CanteenAuthoriseCallback callback;
  gpointer user_data;
} AuthoriseJob;

static void
on_authorise_reply (CanteenClearingReply *reply, const GError *error, gpointer data)
{
  AuthoriseJob *job = data;
  CanteenAuthorisation auth = { 0 };
  GError *local = NULL;

  if (reply == NULL)
    auth.problem = g_strdup (error ? error->message : "no answer");
  else if (!canteen_clearing_reply_check (reply, "POST", "/v1/authorise", &local) ||
           !canteen_authorisation_parse (reply->body, &auth, &local))
    {
      canteen_authorisation_clear (&auth);
      auth.problem = g_strdup (local->message);
      g_error_free (local);
    }
  job->callback (&auth, job->user_data);
  canteen_authorisation_clear (&auth);
}

CanteenClearingRequest *
canteen_clearing_authorise_start (CanteenClearingClient *client, const CanteenVisitorSale *sale,
                                  CanteenAuthoriseCallback callback, gpointer user_data)
{
  g_autoptr(GBytes) body = canteen_visitor_sale_authorise_body (sale);
  AuthoriseJob *job = g_new0 (AuthoriseJob, 1);

  job->callback = callback;
  job->user_data = user_data;
  /* The request frees the job when it ends: answered, failed or cancelled. */
  return canteen_clearing_request_start_full (client, "POST", "/v1/authorise", body,
                                              CANTEEN_VISITOR_ONLINE_TIMEOUT_MS, on_authorise_reply, job, g_free);
}
