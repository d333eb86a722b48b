/* clearing-private.h — helpers shared by the clearing-*.c files; not part
 * of the core's interface (clearing.h is). */
#pragma once

#include "clearing.h"

G_BEGIN_DECLS

/* Sets CLEARING_ERROR `code` with a printf message; returns FALSE. */
gboolean clearing_fail (GError **error, ClearingError code, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* The open window's id (FAILED when none: the database was not initialised). */
gboolean clearing_open_window (ClearingDb *db, gint64 *id, GError **error);
/* The last closed window, or 0 when none. -1 on error. */
gint64   clearing_last_closed_window (ClearingDb *db, GError **error);
/* An agency's issuer key, name and whether it is active. FALSE (no error
 * set) when it does not exist; FALSE with error on failure. */
gboolean clearing_agency_get (ClearingDb *db, const char *code, guint8 issuer_key[CANTEEN_PROTO_PK_BYTES],
                              char **name, gboolean *active, GError **error);
/* The JSON text of a builder's root. */
char    *clearing_builder_text (JsonBuilder *builder);
/* Compares `a` and `b` in constant time (hashes, tokens). */
gboolean clearing_str_equal_ct (const char *a, const char *b);

G_END_DECLS

G_BEGIN_DECLS
/* One cell of the bilateral matrix: `from` (the issuer) owes `to`. */
typedef struct {
  char *from, *to;
  gint64 fen;
} ClearingFlow;
void       clearing_flow_free (gpointer flow);
/* The bilateral matrix of window `win` computed from its records (one
 * GROUP BY), cells that are not zero, ordered by (from, to). */
GPtrArray *clearing_compute_flows (ClearingDb *db, gint64 win, GError **error);
/* Every agency code, ordered. */
GPtrArray *clearing_agency_codes (ClearingDb *db, GError **error);
/* The net of `agency` from flows: what it is owed minus what it owes. */
gint64     clearing_flows_net (GPtrArray *flows, const char *agency);
G_END_DECLS
