/* clearing-client.c — signed HTTP requests to the clearing service
 * (clearing-client.h), with libcurl.
 *
 * One request description (make_transfer) serves both forms: the blocking
 * call runs it with curl_easy_perform; the asynchronous one hands it to a
 * curl multi handle driven by GLib sources on the client's main context
 * (curl's socket and timer callbacks add and remove fd and timeout sources:
 * the idea of curl's docs/examples/ghiper.c), so the kiosk's loop never
 * blocks on the network.
 */
#include "clearing-client.h"

#include <curl/curl.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "clearing-proto.h"

G_DEFINE_QUARK (canteen-clearing-error-quark, canteen_clearing_error)

struct _CanteenClearingClient {
  char         *base_url;
  char         *terminal;
  guint8        secret_key[CANTEEN_PROTO_SK_BYTES];
  gboolean      has_key;
  GMainContext *context;
  CURLM        *multi;
  GSource      *timer;
  GHashTable   *running;       /* CURL* → CanteenClearingRequest* */
  GHashTable   *watches;       /* SocketWatch* set, freed with the client */
};

typedef struct {
  char              *method;
  char              *path;
  GBytes            *body_out;     /* kept alive while curl reads it */
  GByteArray        *body_in;
  char              *signature;
  struct curl_slist *headers;
  CURL              *easy;
  guint              timeout_ms;
  gboolean           too_large;
} Transfer;

struct _CanteenClearingRequest {
  CanteenClearingClient  *client;
  Transfer               *transfer;
  CanteenClearingCallback callback;
  gpointer                user_data;
  GDestroyNotify          destroy;
};

typedef struct {
  GSource *source;
} SocketWatch;

static void
ensure_curl (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
}

void
canteen_clearing_reply_free (CanteenClearingReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->signature);
  g_free (reply->error_code);
  g_free (reply->error_message);
  g_free (reply);
}

gboolean
canteen_clearing_reply_check (const CanteenClearingReply *reply, const char *method, const char *path,
                              GError **error)
{
  if (reply->status >= 200 && reply->status < 300)
    return TRUE;
  g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_HTTP, "%s %s: HTTP %u %s%s%s", method, path,
               reply->status, reply->error_code ? reply->error_code : "(no error code)",
               reply->error_message ? ": " : "", reply->error_message ? reply->error_message : "");
  return FALSE;
}

/* ---- one request ------------------------------------------------------------- */

static void
transfer_free (Transfer *t)
{
  if (t == NULL)
    return;
  if (t->easy)
    curl_easy_cleanup (t->easy);
  curl_slist_free_all (t->headers);
  g_free (t->method);
  g_free (t->path);
  g_clear_pointer (&t->body_out, g_bytes_unref);
  g_clear_pointer (&t->body_in, g_byte_array_unref);
  g_free (t->signature);
  g_free (t);
}

static size_t
on_body (char *data, size_t size, size_t n, void *user_data)
{
  Transfer *t = user_data;

  if (t->body_in->len + size * n > CANTEEN_PROTO_MAX_BODY)
    {
      t->too_large = TRUE;
      return 0;   /* makes curl fail the transfer */
    }
  g_byte_array_append (t->body_in, (const guint8 *) data, (guint) (size * n));
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user_data)
{
  static const char name[] = "x-canteen-signature:";
  Transfer *t = user_data;
  size_t len = size * n;

  if (len > sizeof name - 1 && g_ascii_strncasecmp (data, name, sizeof name - 1) == 0)
    {
      g_autofree char *value = g_strndup (data + sizeof name - 1, len - (sizeof name - 1));
      g_free (t->signature);
      t->signature = g_strdup (g_strstrip (value));
    }
  return len;
}

static Transfer *
make_transfer (CanteenClearingClient *c, const char *method, const char *path, GBytes *body, guint timeout_ms)
{
  Transfer *t = g_new0 (Transfer, 1);
  g_autofree char *url = g_strconcat (c->base_url, path, NULL);
  gconstpointer data = body ? g_bytes_get_data (body, NULL) : "";
  gsize len = body ? g_bytes_get_size (body) : 0;

  ensure_curl ();
  t->method = g_strdup (method);
  t->path = g_strdup (path);
  t->body_out = body ? g_bytes_ref (body) : NULL;
  t->body_in = g_byte_array_new ();
  t->timeout_ms = timeout_ms;
  t->easy = curl_easy_init ();
  /* curl would wait for "100 Continue" before sending a large body. */
  t->headers = curl_slist_append (t->headers, "Expect:");
  if (body)
    t->headers = curl_slist_append (t->headers, "Content-Type: application/json");
  if (c->has_key)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *time = canteen_proto_format_time (now);
      g_autoptr(GString) message = canteen_request_message (method, path, time, data, len);
      guint8 sig[CANTEEN_PROTO_SIG_BYTES];
      g_autofree char *sig_b64 = NULL;
      g_autofree char *h_terminal = g_strdup_printf ("X-Canteen-Terminal: %s", c->terminal);
      g_autofree char *h_time = g_strdup_printf ("X-Canteen-Time: %s", time);
      g_autofree char *h_sig = NULL;

      canteen_proto_sign (c->secret_key, message->str, message->len, sig);
      sig_b64 = canteen_proto_b64_encode (sig, sizeof sig);
      h_sig = g_strdup_printf ("X-Canteen-Signature: %s", sig_b64);
      t->headers = curl_slist_append (t->headers, h_terminal);
      t->headers = curl_slist_append (t->headers, h_time);
      t->headers = curl_slist_append (t->headers, h_sig);
    }
  curl_easy_setopt (t->easy, CURLOPT_URL, url);
  curl_easy_setopt (t->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (t->easy, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
  curl_easy_setopt (t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) timeout_ms);
  curl_easy_setopt (t->easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt (t->easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (t->easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (t->easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (t->easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (g_strcmp0 (method, "GET") == 0)
    curl_easy_setopt (t->easy, CURLOPT_HTTPGET, 1L);
  else
    {
      curl_easy_setopt (t->easy, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt (t->easy, CURLOPT_POSTFIELDS, data);
      curl_easy_setopt (t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    }
  return t;
}

/* The reply of a finished transfer, or NULL with an error. */
static CanteenClearingReply *
finish_transfer (CanteenClearingClient *c, Transfer *t, CURLcode code, GError **error)
{
  CanteenClearingReply *reply;
  long status = 0;

  if (code != CURLE_OK)
    {
      if (t->too_large)
        g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_PROTOCOL,
                     "%s %s: the answer is larger than %d bytes", t->method, t->path, CANTEEN_PROTO_MAX_BODY);
      else if (code == CURLE_OPERATION_TIMEDOUT)
        g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_NETWORK,
                     "%s %s: no answer from %s within %u ms", t->method, t->path, c->base_url, t->timeout_ms);
      else
        g_set_error (error, CANTEEN_CLEARING_ERROR, CANTEEN_CLEARING_ERROR_NETWORK,
                     "%s %s: no answer from %s: %s", t->method, t->path, c->base_url, curl_easy_strerror (code));
      return NULL;
    }
  curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
  reply = g_new0 (CanteenClearingReply, 1);
  reply->status = (guint) status;
  reply->body = g_bytes_new (t->body_in->data, t->body_in->len);
  reply->signature = g_steal_pointer (&t->signature);
  if (status >= 400)
    {
      /* API.md's error document; anything else is reported as it is. */
      g_autoptr(JsonParser) parser = json_parser_new ();
      if (json_parser_load_from_data (parser, (const char *) t->body_in->data, (gssize) t->body_in->len, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *obj = json_node_get_object (json_parser_get_root (parser));
          reply->error_code = g_strdup (json_object_get_string_member_with_default (obj, "error", NULL));
          reply->error_message = g_strdup (json_object_get_string_member_with_default (obj, "message", NULL));
        }
    }
  return reply;
}

/* ---- client ---------------------------------------------------------------------- */

static void socket_watch_free (SocketWatch *w);
static int on_socket (CURL *easy, curl_socket_t fd, int what, void *user_data, void *socket_data);
static int on_timer (CURLM *multi, long timeout_ms, void *user_data);

CanteenClearingClient *
canteen_clearing_client_new (const char *base_url, const char *terminal, const guint8 *secret_key,
                             GMainContext *context)
{
  CanteenClearingClient *c = g_new0 (CanteenClearingClient, 1);
  gsize len = strlen (base_url);

  ensure_curl ();
  while (len > 0 && base_url[len - 1] == '/')
    len--;
  c->base_url = g_strndup (base_url, len);
  c->terminal = g_strdup (terminal);
  if (secret_key)
    {
      memcpy (c->secret_key, secret_key, sizeof c->secret_key);
      c->has_key = TRUE;
    }
  c->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  c->running = g_hash_table_new (g_direct_hash, g_direct_equal);
  c->watches = g_hash_table_new (g_direct_hash, g_direct_equal);
  return c;
}

static void
request_free (CanteenClearingRequest *r)
{
  if (r->destroy)
    r->destroy (r->user_data);
  transfer_free (r->transfer);
  g_free (r);
}

void
canteen_clearing_client_free (CanteenClearingClient *c)
{
  GHashTableIter iter;
  gpointer value;

  if (c == NULL)
    return;
  /* Requests still running end without their callbacks. */
  g_hash_table_iter_init (&iter, c->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CanteenClearingRequest *r = value;
      curl_multi_remove_handle (c->multi, r->transfer->easy);
      request_free (r);
    }
  g_hash_table_unref (c->running);
  if (c->multi)
    curl_multi_cleanup (c->multi);
  /* Sockets of cached connections curl did not report removed. */
  g_hash_table_iter_init (&iter, c->watches);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    socket_watch_free (value);
  g_hash_table_unref (c->watches);
  if (c->timer)
    {
      g_source_destroy (c->timer);
      g_source_unref (c->timer);
    }
  sodium_memzero (c->secret_key, sizeof c->secret_key);
  g_main_context_unref (c->context);
  g_free (c->base_url);
  g_free (c->terminal);
  g_free (c);
}

CanteenClearingReply *
canteen_clearing_call (CanteenClearingClient *c, const char *method, const char *path, GBytes *body,
                       guint timeout_ms, GError **error)
{
  Transfer *t = make_transfer (c, method, path, body, timeout_ms);
  CURLcode code = curl_easy_perform (t->easy);
  CanteenClearingReply *reply = finish_transfer (c, t, code, error);

  transfer_free (t);
  return reply;
}

/* ---- asynchronous: curl multi on GLib sources ------------------------------------------ */

static void
check_done (CanteenClearingClient *c)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read (c->multi, &left)) != NULL)
    {
      CanteenClearingRequest *r;
      CanteenClearingReply *reply;
      GError *error = NULL;

      if (msg->msg != CURLMSG_DONE)
        continue;
      r = g_hash_table_lookup (c->running, msg->easy_handle);
      if (r == NULL)
        continue;
      g_hash_table_remove (c->running, msg->easy_handle);
      curl_multi_remove_handle (c->multi, r->transfer->easy);
      reply = finish_transfer (c, r->transfer, msg->data.result, &error);
      r->callback (reply, error, r->user_data);
      canteen_clearing_reply_free (reply);
      g_clear_error (&error);
      request_free (r);
    }
}

static gboolean
on_fd_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  CanteenClearingClient *c = user_data;
  int flags = 0, running = 0;

  if (condition & G_IO_IN)
    flags |= CURL_CSELECT_IN;
  if (condition & G_IO_OUT)
    flags |= CURL_CSELECT_OUT;
  if (condition & (G_IO_ERR | G_IO_HUP))
    flags |= CURL_CSELECT_ERR;
  curl_multi_socket_action (c->multi, fd, flags, &running);
  check_done (c);
  return G_SOURCE_CONTINUE;
}

static void
socket_watch_free (SocketWatch *w)
{
  if (w == NULL)
    return;
  if (w->source)
    {
      g_source_destroy (w->source);
      g_source_unref (w->source);
    }
  g_free (w);
}

static int
on_socket (CURL *easy, curl_socket_t fd, int what, void *user_data, void *socket_data)
{
  CanteenClearingClient *c = user_data;
  SocketWatch *w = socket_data;
  GIOCondition condition = 0;

  if (what == CURL_POLL_REMOVE)
    {
      if (w)
        g_hash_table_remove (c->watches, w);
      socket_watch_free (w);
      curl_multi_assign (c->multi, fd, NULL);
      return 0;
    }
  if (w == NULL)
    {
      w = g_new0 (SocketWatch, 1);
      g_hash_table_add (c->watches, w);
      curl_multi_assign (c->multi, fd, w);
    }
  if (w->source)
    {
      g_source_destroy (w->source);
      g_clear_pointer (&w->source, g_source_unref);
    }
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    condition |= G_IO_IN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    condition |= G_IO_OUT;
  w->source = g_unix_fd_source_new (fd, condition | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (w->source, G_SOURCE_FUNC (on_fd_ready), c, NULL);
  g_source_attach (w->source, c->context);
  return 0;
}

static gboolean
on_timeout (gpointer user_data)
{
  CanteenClearingClient *c = user_data;
  int running = 0;

  g_clear_pointer (&c->timer, g_source_unref);
  curl_multi_socket_action (c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done (c);
  return G_SOURCE_REMOVE;
}

static int
on_timer (CURLM *multi, long timeout_ms, void *user_data)
{
  CanteenClearingClient *c = user_data;

  if (c->timer)
    {
      g_source_destroy (c->timer);
      g_clear_pointer (&c->timer, g_source_unref);
    }
  if (timeout_ms >= 0)
    {
      c->timer = g_timeout_source_new ((guint) timeout_ms);
      g_source_set_callback (c->timer, on_timeout, c, NULL);
      g_source_attach (c->timer, c->context);
    }
  return 0;
}

CanteenClearingRequest *
canteen_clearing_request_start (CanteenClearingClient *c, const char *method, const char *path, GBytes *body,
                                guint timeout_ms, CanteenClearingCallback callback, gpointer user_data)
{
  return canteen_clearing_request_start_full (c, method, path, body, timeout_ms, callback, user_data, NULL);
}

CanteenClearingRequest *
canteen_clearing_request_start_full (CanteenClearingClient *c, const char *method, const char *path, GBytes *body,
                                     guint timeout_ms, CanteenClearingCallback callback, gpointer user_data,
                                     GDestroyNotify destroy)
{
  CanteenClearingRequest *r = g_new0 (CanteenClearingRequest, 1);

  if (c->multi == NULL)
    {
      c->multi = curl_multi_init ();
      curl_multi_setopt (c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
      curl_multi_setopt (c->multi, CURLMOPT_SOCKETDATA, c);
      curl_multi_setopt (c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
      curl_multi_setopt (c->multi, CURLMOPT_TIMERDATA, c);
    }
  r->client = c;
  r->transfer = make_transfer (c, method, path, body, timeout_ms);
  r->callback = callback;
  r->user_data = user_data;
  r->destroy = destroy;
  g_hash_table_insert (c->running, r->transfer->easy, r);
  /* The timer callback schedules the first action on the loop. */
  curl_multi_add_handle (c->multi, r->transfer->easy);
  return r;
}

void
canteen_clearing_request_cancel (CanteenClearingRequest *r)
{
  CanteenClearingClient *c;

  if (r == NULL)
    return;
  c = r->client;
  g_hash_table_remove (c->running, r->transfer->easy);
  curl_multi_remove_handle (c->multi, r->transfer->easy);
  request_free (r);
}
