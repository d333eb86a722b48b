/* clearing-authorise.c — online authorisation (POST /v1/authorise).
 *
 * Checks, in API.md's order: issuer trusted, certificate signature and date,
 * card signature, deny list, the card's daily cap (approved authorisations
 * plus offline sales cleared for that UTC day), the issuer's net debit cap
 * over the open window (cleared cross-agency records plus approved
 * authorisations not cleared yet). The answer is stored under (terminal,
 * seq) in the same transaction that read the sums: a retry gets the same
 * answer, another request with that key is 409. PostgreSQL runs this
 * SERIALIZABLE, so two terminals cannot both spend the last of a cap. */
#include "clearing-private.h"

#include <string.h>

typedef struct {
  const char *terminal;
  gint64 seq, amount_fen;
  const char *time, *nonce;
  CanteenCardCert cert;
  guint8 card_sig[CANTEEN_PROTO_SIG_BYTES];
  char request_hash[65];
  GDateTime *now;
  char *answer;
} Authorise;

static gint64
query_sum (ClearingDb *db, const char *sql, const char *a, const char *b, const char *c, GError **error)
{
  ClearingStmt *stmt = clearing_db_prepare (db, sql, error);
  if (stmt == NULL)
    return -1;
  clearing_stmt_bind_text (stmt, 1, a);
  if (b != NULL)
    clearing_stmt_bind_text (stmt, 2, b);
  if (c != NULL)
    clearing_stmt_bind_text (stmt, 3, c);
  if (clearing_stmt_step (stmt, error) < 0)
    return -1;
  gint64 v = clearing_stmt_int64 (stmt, 0);
  clearing_stmt_run (stmt, NULL);
  return v;
}

/* NULL when approved; else the reason. */
static const char *
decide (ClearingDb *db, Authorise *a, char **issuer_name, GError **error)
{
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  gboolean active = FALSE;
  GError *local = NULL;
  const char *agency = a->cert.agency;
  if (!clearing_agency_get (db, agency, pk, issuer_name, &active, &local) || !active)
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      return "unknown_issuer";
    }
  if (!canteen_card_cert_verify (&a->cert, pk, NULL))
    return "bad_certificate";
  if (!canteen_card_cert_valid_on (&a->cert, a->now))
    return "expired";
  CanteenPayment p = { a->terminal, a->seq, a->amount_fen, a->time, agency, a->cert.card, a->nonce };
  g_autoptr (GString) msg = canteen_payment_message (&p, NULL);
  if (msg == NULL || !canteen_proto_verify (a->cert.card_key, msg->str, msg->len, a->card_sig, NULL))
    return "bad_card_signature";

  gint64 denied = query_sum (db, "SELECT COALESCE(MAX(denied), 0) FROM deny WHERE agency = $1 AND card = $2",
                             agency, a->cert.card, NULL, error);
  if (denied < 0)
    return NULL;
  if (denied > 0)
    return "denied";

  char day[11];
  g_strlcpy (day, a->time, sizeof day);
  gint64 used = query_sum (db,
                           "SELECT (SELECT COALESCE(SUM(amount_fen), 0) FROM authorisations "
                           "WHERE issuer = $1 AND card = $2 AND day = $3 AND approved = 1) + "
                           "(SELECT COALESCE(SUM(amount_fen), 0) FROM records WHERE issuer = $1 AND card = $2 "
                           "AND day = $3 AND kind = 'sale' AND authorisation IS NULL)",
                           agency, a->cert.card, day, error);
  if (used < 0)
    return NULL;
  if (used + a->amount_fen > a->cert.daily_cap_fen)
    return "daily_cap";

  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT debit_cap_fen, (SELECT agency FROM terminals WHERE id = $2) "
                                            "FROM agencies WHERE code = $1",
                                            error);
  if (stmt == NULL)
    return NULL;
  clearing_stmt_bind_text (stmt, 1, agency);
  clearing_stmt_bind_text (stmt, 2, a->terminal);
  if (clearing_stmt_step (stmt, error) < 0)
    return NULL;
  gboolean capped = !clearing_stmt_is_null (stmt, 0);
  gint64 cap = clearing_stmt_int64 (stmt, 0);
  gboolean own = g_strcmp0 (clearing_stmt_text (stmt, 1), agency) == 0;
  clearing_stmt_run (stmt, NULL);
  if (capped && !own)
    {
      gint64 debit = query_sum (db,
                                "SELECT (SELECT COALESCE(SUM(amount_fen), 0) FROM records r, windows w "
                                "WHERE r.win = w.id AND w.closed IS NULL AND r.issuer = $1 AND r.acquirer <> $1) - "
                                "(SELECT COALESCE(SUM(amount_fen), 0) FROM records r, windows w "
                                "WHERE r.win = w.id AND w.closed IS NULL AND r.acquirer = $1 AND r.issuer <> $1) + "
                                "(SELECT COALESCE(SUM(a.amount_fen), 0) FROM authorisations a, windows w, terminals t "
                                "WHERE a.win = w.id AND w.closed IS NULL AND a.issuer = $1 AND a.approved = 1 "
                                "AND t.id = a.terminal AND t.agency <> $1 AND NOT EXISTS "
                                "(SELECT 1 FROM records r WHERE r.authorisation = a.id))",
                                agency, NULL, NULL, error);
      if (error != NULL && *error != NULL)
        return NULL;
      if (debit + a->amount_fen > cap)
        return "debit_cap";
    }
  return NULL;
}

static gboolean
authorise_tx (ClearingDb *db, gpointer data, GError **error)
{
  Authorise *a = data;
  g_clear_pointer (&a->answer, g_free);
  ClearingStmt *stmt = clearing_db_prepare (db,
                                            "SELECT request_hash, answer FROM authorisations "
                                            "WHERE terminal = $1 AND seq = $2",
                                            error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, a->terminal);
  clearing_stmt_bind_int64 (stmt, 2, a->seq);
  int rc = clearing_stmt_step (stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == 1)
    {
      gboolean same = strcmp (clearing_stmt_text (stmt, 0), a->request_hash) == 0;
      a->answer = same ? g_strdup (clearing_stmt_text (stmt, 1)) : NULL;
      clearing_stmt_run (stmt, NULL);
      if (!same)
        return clearing_fail (error, CLEARING_ERROR_CONFLICT,
                              "seq: %s/%" G_GINT64_FORMAT " was authorised already for another request", a->terminal,
                              a->seq);
      return TRUE;
    }

  g_autofree char *issuer_name = NULL;
  GError *local = NULL;
  const char *reason = decide (db, a, &issuer_name, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  gint64 window;
  if (!clearing_open_window (db, &window, error))
    return FALSE;
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "approved");
  json_builder_add_boolean_value (b, reason == NULL);
  if (reason == NULL)
    {
      json_builder_set_member_name (b, "authorisation");
      json_builder_add_string_value (b, id);
    }
  else
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  json_builder_set_member_name (b, "issuer");
  json_builder_add_string_value (b, issuer_name ? issuer_name : a->cert.agency);
  json_builder_end_object (b);
  a->answer = clearing_builder_text (b);

  char day[11];
  g_strlcpy (day, a->time, sizeof day);
  stmt = clearing_db_prepare (db,
                              "INSERT INTO authorisations (id, terminal, seq, issuer, card, amount_fen, day, approved, "
                              "request_hash, answer, win) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                              error);
  if (stmt == NULL)
    return FALSE;
  clearing_stmt_bind_text (stmt, 1, id);
  clearing_stmt_bind_text (stmt, 2, a->terminal);
  clearing_stmt_bind_int64 (stmt, 3, a->seq);
  clearing_stmt_bind_text (stmt, 4, a->cert.agency);
  clearing_stmt_bind_text (stmt, 5, a->cert.card);
  clearing_stmt_bind_int64 (stmt, 6, a->amount_fen);
  clearing_stmt_bind_text (stmt, 7, day);
  clearing_stmt_bind_int64 (stmt, 8, reason == NULL ? 1 : 0);
  clearing_stmt_bind_text (stmt, 9, a->request_hash);
  clearing_stmt_bind_text (stmt, 10, a->answer);
  clearing_stmt_bind_int64 (stmt, 11, window);
  return clearing_stmt_run (stmt, error);
}

char *
clearing_authorise (ClearingDb *db, const char *terminal, const void *body, gsize len, GDateTime *now,
                    GError **error)
{
  static const char *const members[] = { "terminal", "seq", "amount_fen", "time", "nonce", "cert", "card_sig", NULL };
  const char *t, *sig;
  Authorise a = { 0 };
  g_autoptr (JsonNode) root = canteen_proto_parse_object (body, len, error);
  if (root == NULL)
    return NULL;
  JsonObject *o = json_node_get_object (root);
  if (!canteen_proto_only_members (o, members, "authorise", error)
      || !canteen_proto_get_string (o, "terminal", "authorise", &t, error)
      || !canteen_proto_get_int (o, "seq", "authorise", 1, G_MAXINT64, &a.seq, error)
      || !canteen_proto_get_int (o, "amount_fen", "authorise", 1, CANTEEN_PROTO_MAX_AMOUNT_FEN, &a.amount_fen, error)
      || !canteen_proto_get_string (o, "time", "authorise", &a.time, error)
      || !canteen_proto_get_string (o, "nonce", "authorise", &a.nonce, error)
      || !canteen_proto_get_string (o, "card_sig", "authorise", &sig, error))
    return NULL;
  g_autoptr (GDateTime) parsed = canteen_proto_parse_time (a.time, error);
  if (parsed == NULL)
    {
      g_prefix_error (error, "authorise: time: ");
      return NULL;
    }
  if (strcmp (t, terminal) != 0)
    {
      clearing_fail (error, CLEARING_ERROR_FORBIDDEN, "terminal: %s may not ask for %s", terminal, t);
      return NULL;
    }
  if (!canteen_proto_b64_decode (sig, a.card_sig, sizeof a.card_sig, NULL))
    {
      clearing_fail (error, CLEARING_ERROR_BAD_REQUEST, "authorise: card_sig: must be the b64 of 64 bytes");
      return NULL;
    }
  JsonNode *cert = json_object_get_member (o, "cert");
  if (cert == NULL)
    {
      clearing_fail (error, CLEARING_ERROR_BAD_REQUEST, "authorise: cert: missing");
      return NULL;
    }
  if (!canteen_card_cert_from_json (cert, &a.cert, error))
    return NULL;
  a.terminal = terminal;
  a.now = now;
  canteen_proto_sha256_hex (body, len, a.request_hash);
  gboolean ok = clearing_db_transact (db, authorise_tx, &a, error);
  canteen_card_cert_clear (&a.cert);
  if (!ok)
    {
      g_free (a.answer);
      return NULL;
    }
  return a.answer;
}
