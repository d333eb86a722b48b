/* clearing-http.c — libmicrohttpd front of the clearing service.
 *
 * Every request but POST /v1/enroll is authenticated before anything is
 * read from storage for it: X-Canteen-Terminal names an enrolled terminal,
 * X-Canteen-Time is within 300 s of our clock, X-Canteen-Signature is that
 * terminal's signature of the canonical request (method, path and query
 * exactly as sent — taken from MHD's URI log callback, before any decoding —
 * time, body hash). Bodies are capped at 4 MiB (413). Errors are JSON
 * {"error","message"}. Storage connections come from a pool, one
 * per worker (SQLite queues the writers itself). */
#include "clearing-http.h"
#include "clearing-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct _ClearingServer {
  struct MHD_Daemon *daemon;
  int listen_fd;
  char *address;
  ClearingKey key;
  GAsyncQueue *pool;
  guint pool_size;
};

typedef struct {
  char *uri;            /* path and query exactly as sent */
  GByteArray *body;
  gboolean started;
  gboolean too_large;
} Request;

static void *
uri_logger (void *cls, const char *uri, struct MHD_Connection *connection)
{
  Request *r = g_new0 (Request, 1);
  r->uri = g_strdup (uri);
  r->body = g_byte_array_new ();
  return r;
}

static void
request_done (void *cls, struct MHD_Connection *connection, void **con_cls, enum MHD_RequestTerminationCode toe)
{
  Request *r = *con_cls;
  if (r == NULL)
    return;
  g_free (r->uri);
  g_byte_array_unref (r->body);
  g_free (r);
  *con_cls = NULL;
}

static enum MHD_Result
send_bytes (struct MHD_Connection *c, guint status, const char *content_type, const char *body, gsize len,
            const char *signature)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer (len, (void *) body, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header (resp, "Content-Type", content_type);
  if (signature != NULL)
    MHD_add_response_header (resp, "X-Canteen-Signature", signature);
  enum MHD_Result ret = MHD_queue_response (c, status, resp);
  MHD_destroy_response (resp);
  return ret;
}

static enum MHD_Result
send_json (struct MHD_Connection *c, guint status, const char *json, const char *signature)
{
  return send_bytes (c, status, "application/json", json, strlen (json), signature);
}

static enum MHD_Result
send_error (struct MHD_Connection *c, guint status, const char *code, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = canteen_proto_to_text (root, NULL);
  return send_json (c, status, text, NULL);
}

static enum MHD_Result
send_gerror (struct MHD_Connection *c, const GError *error)
{
  const char *code = "unavailable";
  guint status = clearing_error_status (error, &code);
  if (status >= 500)
    g_printerr ("canteen-clearing: %s\n", error->message);
  return send_error (c, status, code, status == 503 ? "storage is unavailable, retry later" : error->message);
}

/* Parses an optional non-negative integer query argument. */
static gboolean
query_int (struct MHD_Connection *c, const char *name, gint64 fallback, gint64 *out, GError **error)
{
  const char *text = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, name);
  guint64 v;
  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &v, NULL))
    {
      g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_BAD_REQUEST, "%s: must be a non-negative integer", name);
      return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

typedef struct {
  char *terminal;
  char *agency;
  const char *time;
  const char *signature;
} Caller;

static gboolean
authenticate (ClearingDb *db, struct MHD_Connection *c, const char *method, Request *r, Caller *caller,
              GError **error)
{
  const char *terminal = MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Canteen-Terminal");
  const char *time = MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Canteen-Time");
  const char *signature = MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Canteen-Signature");
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sig[CANTEEN_PROTO_SIG_BYTES];
  if (terminal == NULL || time == NULL || signature == NULL)
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "missing header %s (every request is signed)",
                          terminal == NULL ? "X-Canteen-Terminal" : time == NULL ? "X-Canteen-Time"
                                                                                  : "X-Canteen-Signature");
  g_autoptr (GDateTime) t = canteen_proto_parse_time (time, NULL);
  if (t == NULL)
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "X-Canteen-Time: not YYYY-MM-DDTHH:MM:SSZ");
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan skew = g_date_time_difference (now, t) / G_TIME_SPAN_SECOND;
  if (skew > CANTEEN_PROTO_CLOCK_SKEW_S || skew < -CANTEEN_PROTO_CLOCK_SKEW_S)
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED,
                          "X-Canteen-Time: %s is %" G_GINT64_FORMAT " s from the service's clock (at most %d s)",
                          time, (gint64) skew, CANTEEN_PROTO_CLOCK_SKEW_S);
  if (!canteen_proto_check_terminal (terminal, NULL))
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "X-Canteen-Terminal: not a terminal id");
  if (!canteen_proto_b64_decode (signature, sig, sizeof sig, NULL))
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED, "X-Canteen-Signature: not the b64 of 64 bytes");
  g_autofree char *agency = NULL;
  if (!clearing_terminal_lookup (db, terminal, &agency, pk, error))
    return FALSE;
  g_autoptr (GString) msg = canteen_request_message (method, r->uri, time, r->body->data, r->body->len);
  if (!canteen_proto_verify (pk, msg->str, msg->len, sig, NULL))
    return clearing_fail (error, CLEARING_ERROR_UNAUTHENTICATED,
                          "X-Canteen-Signature: does not verify with terminal %s's key for this request", terminal);
  caller->terminal = g_strdup (terminal);
  caller->agency = g_steal_pointer (&agency);
  caller->time = time;
  caller->signature = signature;
  return TRUE;
}

/* The routes; `authenticated` FALSE only for enroll. */
typedef enum { R_ENROLL, R_BATCHES, R_AUTHORISE, R_TRUST, R_DENY_GET, R_DENY_POST, R_POSITIONS, R_STATEMENT,
               R_RECONCILIATION, R_NONE } Route;

static Route
route (const char *url, const char *method, gboolean *wrong_method)
{
  static const struct { const char *path, *method; Route r; } table[] = {
    { "/v1/enroll", "POST", R_ENROLL },
    { "/v1/batches", "POST", R_BATCHES },
    { "/v1/authorise", "POST", R_AUTHORISE },
    { "/v1/trust", "GET", R_TRUST },
    { "/v1/deny", "GET", R_DENY_GET },
    { "/v1/deny", "POST", R_DENY_POST },
    { "/v1/positions", "GET", R_POSITIONS },
    { "/v1/reconciliation", "GET", R_RECONCILIATION },
  };
  gboolean known = FALSE;
  *wrong_method = FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (strcmp (url, table[i].path) == 0)
      {
        known = TRUE;
        if (strcmp (method, table[i].method) == 0)
          return table[i].r;
      }
  if (g_str_has_prefix (url, "/v1/statements/") && strchr (url + 15, '/') == NULL && url[15] != '\0')
    {
      known = TRUE;
      if (strcmp (method, "GET") == 0)
        return R_STATEMENT;
    }
  *wrong_method = known;
  return R_NONE;
}

static enum MHD_Result
dispatch (ClearingServer *s, ClearingDb *db, struct MHD_Connection *c, const char *url, const char *method,
          Request *r)
{
  gboolean wrong_method;
  Route rt = route (url, method, &wrong_method);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  Caller caller = { 0 };
  enum MHD_Result ret;
  const char *body = (const char *) r->body->data;
  gsize len = r->body->len;

  if (rt == R_NONE)
    return wrong_method ? send_error (c, 405, "method_not_allowed", "this path does not take this method")
                        : send_error (c, 404, "not_found", "no such endpoint");
  if (rt == R_ENROLL)
    {
      g_autofree char *answer = clearing_enroll (db, &s->key, body, len, now, &error);
      return answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
    }
  if (!authenticate (db, c, method, r, &caller, &error))
    return send_gerror (c, error);

  switch (rt)
    {
    case R_BATCHES:
      {
        ClearingRequestAuth auth = { caller.terminal, r->uri, caller.time, caller.signature };
        g_autofree char *receipt = NULL, *sig = NULL;
        if (clearing_batch_submit (db, &s->key, &auth, body, len, now, &receipt, &sig, &error))
          ret = send_json (c, 200, receipt, sig);
        else
          ret = send_gerror (c, error);
        break;
      }
    case R_AUTHORISE:
      {
        g_autofree char *answer = clearing_authorise (db, caller.terminal, body, len, now, &error);
        ret = answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
        break;
      }
    case R_TRUST:
    case R_DENY_GET:
      {
        gint64 since;
        g_autofree char *answer = NULL;
        if (query_int (c, "since", 0, &since, &error))
          answer = rt == R_TRUST ? clearing_trust_list (db, since, &error) : clearing_deny_list (db, since, &error);
        ret = answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
        break;
      }
    case R_DENY_POST:
      {
        g_autofree char *answer = clearing_deny_request (db, caller.agency, body, len, &error);
        ret = answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
        break;
      }
    case R_POSITIONS:
      {
        gint64 window;
        g_autofree char *answer = NULL;
        if (query_int (c, "window", 0, &window, &error))
          answer = clearing_positions_json (db, window, &error);
        ret = answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
        break;
      }
    case R_STATEMENT:
      {
        const char *agency = url + strlen ("/v1/statements/");
        const char *format = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "format");
        gint64 window;
        g_autofree char *doc = NULL, *sig = NULL;
        if (format == NULL)
          format = "json";
        if (strcmp (agency, caller.agency) != 0)
          ret = send_error (c, 403, "forbidden", "a terminal reads the statements of its own agency only");
        else if (strcmp (format, "json") != 0 && strcmp (format, "csv") != 0)
          ret = send_error (c, 400, "bad_request", "format: must be json or csv");
        else if (!query_int (c, "window", 0, &window, &error)
                 || !clearing_statement_get (db, &s->key, window, agency, format, &doc, &sig, &error))
          ret = send_gerror (c, error);
        else
          ret = send_bytes (c, 200, strcmp (format, "csv") == 0 ? "text/csv; charset=utf-8" : "application/json",
                            doc, strlen (doc), sig);
        break;
      }
    case R_RECONCILIATION:
      {
        g_autofree char *answer = clearing_reconciliation (db, caller.agency, &error);
        ret = answer ? send_json (c, 200, answer, NULL) : send_gerror (c, error);
        break;
      }
    case R_ENROLL:
    case R_NONE:
    default:
      ret = send_error (c, 404, "not_found", "no such endpoint");
      break;
    }
  g_free (caller.terminal);
  g_free (caller.agency);
  return ret;
}

static enum MHD_Result
handle (void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
        const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  ClearingServer *s = cls;
  Request *r = *con_cls;
  if (r == NULL)
    return MHD_NO;
  if (!r->started)
    {
      r->started = TRUE;
      const char *length = MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      guint64 n;
      if (length != NULL && g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT64, &n, NULL)
          && n > CANTEEN_PROTO_MAX_BODY)
        return send_error (c, 413, "too_large", "the body is larger than 4 MiB");
      return MHD_YES;
    }
  if (*upload_data_size > 0)
    {
      if (!r->too_large && r->body->len + *upload_data_size <= CANTEEN_PROTO_MAX_BODY)
        g_byte_array_append (r->body, (const guint8 *) upload_data, (guint) *upload_data_size);
      else
        r->too_large = TRUE;
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (r->too_large)
    return send_error (c, 413, "too_large", "the body is larger than 4 MiB");

  ClearingDb *db = g_async_queue_pop (s->pool);
  clearing_db_ensure (db);   /* after a database restart: reconnect */
  enum MHD_Result ret = dispatch (s, db, c, url, method, r);
  g_async_queue_push (s->pool, db);
  return ret;
}

static int
bind_listen (const char *spec, char **address, GError **error)
{
  const char *colon = strrchr (spec, ':');
  if (colon == NULL || colon == spec)
    {
      g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_BAD_REQUEST, "--listen %s: expected HOST:PORT", spec);
      return -1;
    }
  g_autofree char *host = g_strndup (spec, colon - spec);
  struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
  int rc = getaddrinfo (host, colon + 1, &hints, &ai);
  if (rc != 0)
    {
      g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_BAD_REQUEST, "--listen %s: %s", spec, gai_strerror (rc));
      return -1;
    }
  int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind (fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen (fd, 128) != 0)
    {
      int e = errno;
      g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_FAILED, "--listen %s: %s", spec, g_strerror (e));
      if (fd >= 0)
        close (fd);
      freeaddrinfo (ai);
      return -1;
    }
  freeaddrinfo (ai);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  char name[INET6_ADDRSTRLEN] = "?";
  guint port = 0;
  getsockname (fd, (struct sockaddr *) &ss, &sl);
  if (ss.ss_family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      inet_ntop (AF_INET, &sin->sin_addr, name, sizeof name);
      port = ntohs (sin->sin_port);
      *address = g_strdup_printf ("%s:%u", name, port);
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      inet_ntop (AF_INET6, &sin6->sin6_addr, name, sizeof name);
      port = ntohs (sin6->sin6_port);
      *address = g_strdup_printf ("[%s]:%u", name, port);
    }
  return fd;
}

ClearingServer *
clearing_server_start (const char *uri, const ClearingKey *key, const char *listen, guint threads, GError **error)
{
  ClearingServer *s = g_new0 (ClearingServer, 1);
  s->key = *key;
  s->pool = g_async_queue_new ();
  s->listen_fd = -1;
  threads = MAX (threads, 1);
  /* One connection per worker on both backends: SQLite in WAL mode reads
   * concurrently and queues writers (BEGIN IMMEDIATE + busy timeout), so the
   * parsing and signature checks of several requests run in parallel. */
  s->pool_size = threads;
  for (guint i = 0; i < s->pool_size; i++)
    {
      ClearingDb *db = clearing_db_open (uri, error);
      if (db == NULL)
        {
          s->pool_size = i;
          clearing_server_stop (s);
          return NULL;
        }
      g_async_queue_push (s->pool, db);
    }
  s->listen_fd = bind_listen (listen, &s->address, error);
  if (s->listen_fd < 0)
    {
      clearing_server_stop (s);
      return NULL;
    }
  s->daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, handle, s,
                                MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
                                MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) threads,
                                MHD_OPTION_URI_LOG_CALLBACK, uri_logger, s,
                                MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 30,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256 * 1024),
                                MHD_OPTION_END);
  if (s->daemon == NULL)
    {
      g_set_error (error, CLEARING_ERROR, CLEARING_ERROR_FAILED, "cannot start the HTTP server on %s", listen);
      clearing_server_stop (s);
      return NULL;
    }
  s->listen_fd = -1;   /* MHD owns it now and closes it at stop */
  return s;
}

const char *
clearing_server_address (ClearingServer *s)
{
  return s->address;
}

void
clearing_server_stop (ClearingServer *s)
{
  if (s == NULL)
    return;
  if (s->daemon != NULL)
    MHD_stop_daemon (s->daemon);
  if (s->listen_fd >= 0)
    close (s->listen_fd);
  for (guint i = 0; i < s->pool_size; i++)
    clearing_db_close (g_async_queue_pop (s->pool));
  g_async_queue_unref (s->pool);
  g_free (s->address);
  sodium_memzero (&s->key, sizeof s->key);
  g_free (s);
}
