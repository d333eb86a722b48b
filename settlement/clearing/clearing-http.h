/* clearing-http.h — the HTTP front of the clearing service (libmicrohttpd):
 * routing, authentication (API.md "Authentication"), body cap, JSON errors.
 * The work is done by clearing.h. */
#pragma once

#include "clearing.h"

G_BEGIN_DECLS

typedef struct _ClearingServer ClearingServer;

/* Starts serving on `listen` ("HOST:PORT"; port 0 picks a free port) with an
 * internal thread pool of `threads`, each request taking a connection from a
 * pool of `threads` connections. */
ClearingServer *clearing_server_start (const char *uri, const ClearingKey *key, const char *listen, guint threads,
                                       GError **error);
/* The bound address, "HOST:PORT". */
const char     *clearing_server_address (ClearingServer *server);
/* Stops accepting, finishes the requests in flight, closes the pool. */
void            clearing_server_stop (ClearingServer *server);

G_END_DECLS
