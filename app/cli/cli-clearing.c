/* cli-clearing.c — cross-agency settlement at the counter and in the back
 * office: agency keys, issuing cards, enrollment, sync, statements, and the
 * visitor checkout behind `checkout --card-file`.
 */
#include <stdio.h>
#include <sodium.h>

#include "canteen-error.h"
#include "cli.h"
#include "clearing-proto.h"
#include "money.h"
#include "outbox.h"
#include "visitor.h"

static int
visitor_fail (GError *error)
{
  int code = canteen_visitor_error_is_decline (error) ? CLI_DECLINED : CLI_FAILED;

  fprintf (stderr, "canteenctl: %s%s\n", code == CLI_DECLINED ? _("declined: ") : "", error->message);
  g_error_free (error);
  return code;
}

static gboolean
parse_fen_option (const char *text, const char *field, gint64 *out, GError **error)
{
  return text == NULL || canteen_fen_parse (text, field, CANTEEN_FEN_MAX, out, error);
}

/* ---- agency keys --------------------------------------------------------------- */

static int
cmd_key_export (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *out = NULL;
  const GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Issuer key file to write"), "FILE" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("agency key export", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (out == NULL)
    return cli_usage_error (_("agency key export: --out is required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_export_issuer_key (ledger, out, &error))
    return visitor_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    printf (_("Wrote this agency's issuer key to %s\n"), out);
  return CLI_OK;
}

static int
cmd_key_init (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *name = NULL;
  const GOptionEntry entries[] = {
    { "agency-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The agency's name shown to diners"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autofree char *dir = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("agency key init", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_init_keys (ledger, name, &error))
    return visitor_fail (error);
  dir = canteen_visitor_keys_dir (ledger);
  printf (_("Issuer and terminal keys in %s\n"), dir);
  return CLI_OK;
}

static int
cmd_trust_add (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *key = NULL;
  const GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("Another agency's issuer key file"), "FILE" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("agency trust add", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (key == NULL)
    return cli_usage_error (_("agency trust add: --key is required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_trust_key_file (ledger, key, &error))
    return visitor_fail (error);
  printf (_("Trusting the cards of the agency in %s\n"), key);
  return CLI_OK;
}

/* ---- cards ------------------------------------------------------------------------ */

static int
cmd_card_issue (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL, *name = NULL, *out = NULL, *offline = NULL, *daily = NULL, *expires = NULL;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card,
      N_("Card id (letters and digits): also the official's account"), "CARD" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Holder's name"), "NAME" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Card file to write (key and certificate)"), "FILE" },
    { "offline-cap", 0, 0, G_OPTION_ARG_STRING, &offline, N_("Largest offline payment (default 5000 fen)"), "FEN" },
    { "daily-cap", 0, 0, G_OPTION_ARG_STRING, &daily,
      N_("Largest sum per day, checked online (default 20000 fen)"), "FEN" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, N_("Last valid day, UTC (default: in 2 years)"), "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenCardIssue issue = { 0 };
  gboolean opened = FALSE;
  GError *error = NULL;

  if (!cli_parse_options ("card issue", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("card issue: unexpected argument “%s”"), argv[1]);
  if (card == NULL || name == NULL || out == NULL)
    return cli_usage_error (_("card issue: --card, --name and --out are required"));
  issue.card = card;
  issue.holder = name;
  issue.offline_cap_fen = CANTEEN_CARD_OFFLINE_CAP_FEN;
  issue.daily_cap_fen = CANTEEN_CARD_DAILY_CAP_FEN;
  issue.not_after = expires;
  if (!parse_fen_option (offline, "offline-cap", &issue.offline_cap_fen, &error) ||
      !parse_fen_option (daily, "daily-cap", &issue.daily_cap_fen, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_issue_card (ledger, &issue, out, now, &opened, &error))
    return visitor_fail (error);
  {
    CanteenCardCert cert = { 0 };
    guint8 sk[CANTEEN_PROTO_SK_BYTES];
    if (!canteen_card_file_read (out, &cert, sk, &error))
      return visitor_fail (error);
    sodium_memzero (sk, sizeof sk);
    if (g->json)
      {
        g_autoptr(JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "agency");
        json_builder_add_string_value (b, cert.agency);
        json_builder_set_member_name (b, "card");
        json_builder_add_string_value (b, cert.card);
        json_builder_set_member_name (b, "holder");
        json_builder_add_string_value (b, cert.holder);
        json_builder_set_member_name (b, "not_after");
        json_builder_add_string_value (b, cert.not_after);
        json_builder_set_member_name (b, "offline_cap_fen");
        json_builder_add_int_value (b, cert.offline_cap_fen);
        json_builder_set_member_name (b, "daily_cap_fen");
        json_builder_add_int_value (b, cert.daily_cap_fen);
        json_builder_set_member_name (b, "account");
        json_builder_add_string_value (b, opened ? "opened" : "linked");
        json_builder_set_member_name (b, "out");
        json_builder_add_string_value (b, out);
        json_builder_end_object (b);
        cli_print_json (json_builder_get_root (b));
      }
    else
      /* Translators: agency/card, holder, last valid day, the two caps in
       * fen (分), then the official's account: card id, card file. */
      printf (opened ? _("Issued card %s/%s to %s, valid to %s, offline cap %lld fen, daily cap %lld fen; "
                         "opened account %s; card file %s\n")
                     : _("Issued card %s/%s to %s, valid to %s, offline cap %lld fen, daily cap %lld fen; "
                         "linked to the existing account %s; card file %s\n"),
              cert.agency, cert.card, cert.holder, cert.not_after, (long long) cert.offline_cap_fen,
              (long long) cert.daily_cap_fen, cert.card, out);
    canteen_card_cert_clear (&cert);
  }
  return CLI_OK;
}

/* ---- visitor checkout (checkout --card-file) ------------------------------------------ */

int
cli_visitor_checkout (CliGlobal *g, const char *card_file, const char *checkout_id,
                      const CanteenOrderLine *lines, guint n_lines)
{
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenVisitorSale) sale = NULL;
  g_autoptr(CanteenVisitorReceipt) receipt = NULL;
  g_autoptr(GBytes) cert_bytes = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenClearingState state;
  CanteenAuthorisation auth = { 0 };
  CanteenCardCert cert = { 0 };
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
  CanteenVisitorCard card = { 0 };
  GError *error = NULL;

  if (!canteen_card_file_read (card_file, &cert, sk, &error))
    return visitor_fail (error);
  cert_bytes = canteen_card_cert_to_bytes (&cert);
  canteen_card_cert_clear (&cert);
  card.cert = cert_bytes;
  card.sign = canteen_visitor_sign_with_key;
  card.sign_data = sk;

  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    goto fail;
  sale = canteen_visitor_prepare (ledger, checkout_id, &card, lines, n_lines, now, &error);
  sodium_memzero (sk, sizeof sk);
  if (sale == NULL)
    goto fail;
  if (canteen_visitor_sale_needs_authorisation (sale))
    {
      if (!canteen_visitor_get_state (ledger, &state, &error))
        goto fail;
      if (state.enrolled)
        {
          canteen_clearing_authorise_blocking (sale, &auth, ledger);
          if (!auth.answered)
            /* Translators: why the clearing service did not answer. */
            cli_message (_("no online authorisation (%s); offline rules apply"),
                         auth.problem ? auth.problem : _("no answer"));
        }
      canteen_clearing_state_clear (&state);
    }
  receipt = canteen_visitor_commit (ledger, sale, &auth, now, &error);
  canteen_authorisation_clear (&auth);
  if (receipt == NULL)
    goto fail;
  if (g->json)
    cli_print_json (canteen_visitor_receipt_to_json (receipt));
  else
    {
      g_autofree char *text = canteen_visitor_receipt_to_text (receipt, canteen_ledger_get_timezone (ledger));
      fputs (text, stdout);
    }
  return CLI_OK;

fail:
  sodium_memzero (sk, sizeof sk);
  canteen_authorisation_clear (&auth);
  return visitor_fail (error);
}

/* ---- clearing service -------------------------------------------------------------------- */

static int
cmd_enroll (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *url = NULL, *token = NULL;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("Clearing service, e.g. http://127.0.0.1:8443"), "URL" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, N_("One-time token from `canteen-clearing terminal add`"), "TOKEN" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("clearing enroll", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (url == NULL || token == NULL)
    return cli_usage_error (_("clearing enroll: --url and --token are required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_clearing_enroll (ledger, url, token, NULL, &error))
    return visitor_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "enrolled");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, url);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    printf (_("Enrolled with the clearing service at %s\n"), url);
  return CLI_OK;
}

static void
print_state_text (const CanteenClearingState *s)
{
  printf (_("Backlog: %lld record(s) not yet cleared (%lld batch(es) unsent)\n"),
          (long long) s->pending, (long long) s->batches_unsent);
  /* Translators: a time, or "never". */
  printf (_("Last success: %s\n"), s->last_success ? s->last_success : _("never"));
  if (s->last_error)
    /* Translators: the error, failures in a row, a time or "now". */
    printf (_("Last error: %s (%d failure(s) in a row; next attempt after %s)\n"), s->last_error, s->failures,
            s->next_attempt ? s->next_attempt : _("now"));
  /* Translators: a time, or "never". */
  printf (_("Deny list fetched: %s\n"), s->deny_fetched ? s->deny_fetched : _("never"));
}

static int
cmd_sync (CliGlobal *g, int argc, char **argv)
{
  gboolean respect_backoff = FALSE;
  const GOptionEntry entries[] = {
    { "respect-backoff", 0, 0, G_OPTION_ARG_NONE, &respect_backoff,
      N_("Do nothing while the backoff after failures runs (for timers)"), NULL },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenSyncReport report;
  GError *error = NULL;
  gboolean ok;

  if (!cli_parse_options ("sync", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return visitor_fail (error);
  ok = canteen_clearing_sync (ledger, respect_backoff, NULL, &report, &error);
  if (g->json && report.state.terminal != NULL)
    {
      JsonNode *node = canteen_sync_report_to_json (&report);
      json_object_set_boolean_member (json_node_get_object (node), "ok", ok);
      if (!ok)
        json_object_set_string_member (json_node_get_object (node), "error", error->message);
      cli_print_json (node);
    }
  else if (report.state.terminal != NULL)
    {
      if (report.waited)
        printf (_("Not syncing yet: backing off after failures until %s\n"), report.state.next_attempt);
      else
        printf (_("Uploaded %lld record(s) in %d batch(es)\n"), (long long) report.uploaded, report.batches);
      print_state_text (&report.state);
    }
  canteen_sync_report_clear (&report);
  if (!ok)
    {
      cli_message (_("sync failed: %s"), error->message);
      g_error_free (error);
      return CLI_FAILED;
    }
  return CLI_OK;
}

static int
cmd_status (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  CanteenClearingState state;
  GError *error = NULL;

  if (!cli_parse_options ("clearing status", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_get_state (ledger, &state, &error))
    return visitor_fail (error);
  if (g->json)
    cli_print_json (canteen_clearing_state_to_json (&state));
  else
    {
      /* Translators: terminal id, agency code, then the clearing
       * service's URL or "not enrolled with a clearing service". */
      printf (_("Terminal %s of %s: %s\n"), state.terminal, state.agency,
              state.enrolled ? state.url : _("not enrolled with a clearing service"));
      print_state_text (&state);
      printf (_("Floor limit: %lld fen\n"), (long long) state.floor_limit_fen);
    }
  canteen_clearing_state_clear (&state);
  return CLI_OK;
}

static int
cmd_floor_limit (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;
  gint64 fen = 0;

  if (!cli_parse_options ("clearing floor-limit", "FEN", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("clearing floor-limit: give the limit in fen"));
  if (!canteen_fen_parse (argv[1], "floor limit", CANTEEN_FEN_MAX, &fen, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_visitor_set_floor_limit (ledger, fen, &error))
    return visitor_fail (error);
  printf (_("Offline visitor payments up to %lld fen\n"), (long long) fen);
  return CLI_OK;
}

static int
cmd_statement (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *window = NULL;
  gboolean post = FALSE;
  const GOptionEntry entries[] = {
    { "window", 0, 0, G_OPTION_ARG_STRING, &window, N_("Settlement window (default: the latest closed)"), "W" },
    { "post", 0, 0, G_OPTION_ARG_NONE, &post, N_("Debit each official's account for their meals elsewhere"), NULL },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GBytes) statement = NULL;
  CanteenPostingReport report;
  GError *error = NULL;

  if (!cli_parse_options ("clearing statement", "", entries, &argc, &argv))
    return CLI_FAILED;
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || !canteen_clearing_post_statement (ledger, window, post, &report, &statement, &error))
    return visitor_fail (error);
  if (!post)
    {
      fwrite (g_bytes_get_data (statement, NULL), 1, g_bytes_get_size (statement), stdout);
      printf ("\n");
    }
  else if (g->json)
    cli_print_json (canteen_posting_report_to_json (&report));
  else
    {
      /* Translators: settlement window id, then counts of postings. */
      printf (_("Window %s: posted %d, posted before %d, held %d\n"), report.window, report.posted, report.already,
              report.held);
      for (guint i = 0; i < report.postings->len; i++)
        {
          const CanteenPosting *p = g_ptr_array_index (report.postings, i);
          g_autofree char *amount = canteen_fen_format (-p->amount_fen);
          if (p->held)
            /* Translators: terminal/record number, card, amount, why it
             * was held back. */
            printf (_("  %s/%lld  card %s  %s  HELD: %s\n"), p->terminal, (long long) p->seq, p->card, amount,
                    p->why);
          else
            {
              g_autofree char *balance = canteen_fen_format (p->balance_fen);
              printf (_("  %s/%lld  card %s  %s  balance %s\n"), p->terminal, (long long) p->seq, p->card, amount,
                      balance);
            }
        }
    }
  canteen_posting_report_clear (&report);
  return CLI_OK;
}

static int
cmd_reverse (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *reason = NULL, *by = NULL, *manager = NULL, *amount = NULL, *id = NULL, *authority = NULL;
  const GOptionEntry entries[] = {
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount, N_("How much to give back (default: all)"), "FEN" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (kept in the journal)"), "TEXT" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Reversal id: repeating it reverses once"), "ID" },
    { "manager", 0, 0, G_OPTION_ARG_STRING, &manager, N_("Manager who authorises it (PIN on stdin)"), "ID" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who authorised it, when not a --manager"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenVisitorReversal r;
  gint64 fen = 0;
  GError *error = NULL;

  if (!cli_parse_options ("clearing reverse", "CHECKOUT_ID", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("clearing reverse: name one visitor checkout id"));
  if (reason == NULL)
    return cli_usage_error (_("clearing reverse: --reason is required"));
  if (!parse_fen_option (amount, "amount", &fen, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (authority = cli_authority (ledger, manager, by, &error)) == NULL ||
      !canteen_visitor_reverse (ledger, argv[1], id, fen, reason, authority, now, &r, &error))
    return visitor_fail (error);
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reversal_id");
      json_builder_add_string_value (b, r.reversal_id);
      json_builder_set_member_name (b, "checkout_id");
      json_builder_add_string_value (b, r.checkout_id);
      json_builder_set_member_name (b, "record_seq");
      json_builder_add_int_value (b, r.record_seq);
      json_builder_set_member_name (b, "reverses_seq");
      json_builder_add_int_value (b, r.reverses_seq);
      json_builder_set_member_name (b, "amount_fen");
      json_builder_add_int_value (b, r.amount_fen);
      json_builder_set_member_name (b, "replayed");
      json_builder_add_boolean_value (b, r.replayed);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    {
      g_autofree char *text = canteen_fen_format (r.amount_fen);
      /* Translators: amount, checkout id, record number, then " (already
       * done earlier, nothing changed)" or nothing. */
      printf (_("Reversed %s of visitor checkout %s (record %lld)%s; the issuer credits it after the next sync\n"),
              text, r.checkout_id, (long long) r.record_seq,
              r.replayed ? _(" (already done earlier, nothing changed)") : "");
    }
  canteen_visitor_reversal_clear (&r);
  return CLI_OK;
}

const CliCommand cli_clearing_commands[] = {
  { "agency key export", N_("Write this agency's issuer key file (public)"), cmd_key_export },
  { "agency key init", N_("Make the issuer and terminal keys (init does it)"), cmd_key_init },
  { "agency trust add", N_("Accept the cards of another agency (its key file)"), cmd_trust_add },
  { "card issue", N_("Issue an interoperable card to an official"), cmd_card_issue },
  { "clearing enroll", N_("Enroll this terminal with a clearing service"), cmd_enroll },
  { "clearing status", N_("Show the sync state (backlog, last success)"), cmd_status },
  { "clearing floor-limit", N_("Set the largest offline visitor payment"), cmd_floor_limit },
  { "clearing statement", N_("Fetch this agency's statement (--post: debit officials)"), cmd_statement },
  { "clearing reverse", N_("Give back a visitor payment (manager); cleared as a reversal"), cmd_reverse },
  { "sync", N_("Upload visitor records, fetch trust and deny lists"), cmd_sync },
  { NULL }
};
