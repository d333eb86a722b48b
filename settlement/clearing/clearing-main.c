/* clearing-main.c — the `canteen-clearing` command line (names fixed by
 * issue 5): init, serve, agency add, terminal add, window close, positions,
 * verify, deny add|remove. Exit status 0 on success, 1 on failure, 2 on a
 * usage error. Every command takes --db URI (sqlite:PATH or
 * postgresql://…); the service key file is --key FILE, by default
 * "PATH.key" next to an SQLite database, or "$STATE_DIRECTORY/clearing.key"
 * for PostgreSQL (see clearing_key_default_path). */
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "clearing-http.h"

static char *opt_db, *opt_key, *opt_listen, *opt_name, *opt_issuer_key, *opt_agency, *opt_card, *opt_cutoff,
  *opt_timezone;
static gint64 opt_debit_cap = -1, opt_window;
static gboolean opt_json;
static int opt_threads = 4;

static const GOptionEntry common_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_STRING, &opt_db, "Database: sqlite:PATH or postgresql://…", "URI" },
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &opt_key, "The service key file (default: PATH.key for sqlite, "
    "$STATE_DIRECTORY/clearing.key for PostgreSQL)", "FILE" },
  { NULL }
};

static int
usage (const char *message)
{
  g_printerr ("canteen-clearing: %s\n"
              "usage: canteen-clearing init --db URI [--key FILE]\n"
              "       canteen-clearing serve --db URI --listen HOST:PORT [--key FILE] [--threads N] [--cutoff HH:MM]"
              " [--timezone TZ]\n"
              "       canteen-clearing agency add CODE --name NAME --issuer-key FILE [--debit-cap FEN] --db URI\n"
              "       canteen-clearing terminal add ID --agency CODE --db URI\n"
              "       canteen-clearing window close --db URI [--key FILE]\n"
              "       canteen-clearing positions --db URI [--window W] [--json]\n"
              "       canteen-clearing verify --db URI\n"
              "       canteen-clearing deny add|remove --agency CODE --card CARD --db URI\n",
              message);
  return 2;
}

static int
fail (GError *error)
{
  g_printerr ("canteen-clearing: %s\n", error->message);
  g_error_free (error);
  return 1;
}

static ClearingDb *
open_db (GError **error)
{
  return clearing_db_open (opt_db, error);
}

static char *
key_path (GError **error)
{
  return opt_key ? g_strdup (opt_key) : clearing_key_default_path (opt_db, error);
}

static gboolean
load_key (ClearingDb *db, ClearingKey *key, GError **error)
{
  g_autofree char *path = key_path (error);
  return path != NULL && clearing_key_load (db, path, key, error);
}

static int
cmd_init (void)
{
  GError *error = NULL;
  g_autofree char *path = key_path (&error);
  if (path == NULL)
    return fail (error);
  g_autoptr (ClearingDb) db = open_db (&error);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  if (db == NULL || !clearing_init (db, path, now, &error))
    return fail (error);
  g_print ("initialised %s (service key %s)\n", opt_db, path);
  return 0;
}

static int
cmd_agency_add (const char *code)
{
  GError *error = NULL;
  g_autofree char *file_agency = NULL, *file_name = NULL;
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  if (opt_issuer_key == NULL)
    return usage ("agency add: --issuer-key FILE is required");
  if (!canteen_issuer_key_file_read (opt_issuer_key, &file_agency, &file_name, pk, &error))
    return fail (error);
  if (strcmp (file_agency, code) != 0)
    {
      g_printerr ("canteen-clearing: %s is the issuer key of agency %s, not %s\n", opt_issuer_key, file_agency, code);
      return 1;
    }
  g_autoptr (ClearingDb) db = open_db (&error);
  if (db == NULL || !clearing_agency_add (db, code, opt_name ? opt_name : file_name, pk, opt_debit_cap, &error))
    return fail (error);
  g_print ("agency %s added\n", code);
  return 0;
}

static int
cmd_terminal_add (const char *id)
{
  GError *error = NULL;
  if (opt_agency == NULL)
    return usage ("terminal add: --agency CODE is required");
  g_autoptr (ClearingDb) db = open_db (&error);
  g_autofree char *token = db ? clearing_terminal_add (db, id, opt_agency, &error) : NULL;
  if (token == NULL)
    return fail (error);
  /* The token alone on stdout, so scripts can take it; it is shown once. */
  g_print ("%s\n", token);
  return 0;
}

static int
cmd_window_close (void)
{
  GError *error = NULL;
  ClearingKey key;
  g_autoptr (ClearingDb) db = open_db (&error);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  if (db == NULL || !load_key (db, &key, &error))
    return fail (error);
  gint64 closed = clearing_window_close (db, &key, now, &error);
  if (closed < 0)
    return fail (error);
  g_print ("window %" G_GINT64_FORMAT " closed; window %" G_GINT64_FORMAT " open\n", closed, closed + 1);
  return 0;
}

static int
cmd_positions (void)
{
  GError *error = NULL;
  g_autoptr (ClearingDb) db = open_db (&error);
  g_autofree char *json = db ? clearing_positions_json (db, opt_window, &error) : NULL;
  if (json == NULL)
    return fail (error);
  if (opt_json)
    {
      g_print ("%s\n", json);
      return 0;
    }
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  JsonObject *o = json_node_get_object (root);
  g_print ("window %" G_GINT64_FORMAT "\n", json_object_get_int_member (o, "window"));
  JsonArray *p = json_object_get_array_member (o, "positions");
  for (guint i = 0; i < json_array_get_length (p); i++)
    {
      JsonObject *e = json_array_get_object_element (p, i);
      gint64 net = json_object_get_int_member (e, "net_fen");
      g_print ("  %-16s %s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT " yuan\n", json_object_get_string_member (e, "agency"),
               net < 0 ? "-" : " ", ABS (net) / 100, ABS (net) % 100);
    }
  JsonArray *b = json_object_get_array_member (o, "bilateral");
  for (guint i = 0; i < json_array_get_length (b); i++)
    {
      JsonObject *e = json_array_get_object_element (b, i);
      gint64 fen = json_object_get_int_member (e, "fen");
      g_print ("  %s owes %s %" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT " yuan\n",
               json_object_get_string_member (e, "from"), json_object_get_string_member (e, "to"), fen / 100,
               ABS (fen) % 100);
    }
  return 0;
}

static int
cmd_verify (void)
{
  GError *error = NULL;
  g_autoptr (ClearingDb) db = open_db (&error);
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  if (db == NULL || !clearing_verify (db, problems, &error))
    return fail (error);
  for (guint i = 0; i < problems->len; i++)
    g_print ("%s\n", (char *) g_ptr_array_index (problems, i));
  if (problems->len > 0)
    {
      g_printerr ("canteen-clearing: verify: %u problem%s found\n", problems->len, problems->len == 1 ? "" : "s");
      return 1;
    }
  g_print ("verify: every batch, signature, chain, position and statement checks out\n");
  return 0;
}

static int
cmd_deny (gboolean denied)
{
  GError *error = NULL;
  if (opt_agency == NULL || opt_card == NULL)
    return usage ("deny: --agency CODE and --card CARD are required");
  g_autoptr (ClearingDb) db = open_db (&error);
  gint64 version = db ? clearing_deny_set (db, opt_agency, opt_card, denied, &error) : -1;
  if (version < 0)
    return fail (error);
  g_print ("card %s/%s %s (deny list version %" G_GINT64_FORMAT ")\n", opt_agency, opt_card,
           denied ? "denied" : "allowed again", version);
  return 0;
}

/* ---- serve ------------------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  ClearingDb *db;        /* the cut-off's own connection */
  ClearingKey key;
  GTimeZone *tz;
  int hour, minute, second;
  GDateTime *next;       /* the next cut-off, UTC */
} Serve;

static GDateTime *
next_cutoff (Serve *s, GDateTime *now_utc)
{
  g_autoptr (GDateTime) local = g_date_time_to_timezone (now_utc, s->tz);
  g_autoptr (GDateTime) today = g_date_time_new (s->tz, g_date_time_get_year (local), g_date_time_get_month (local),
                                                 g_date_time_get_day_of_month (local), s->hour, s->minute,
                                                 s->second);
  if (g_date_time_compare (today, local) > 0)
    return g_date_time_to_utc (today);
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (today, 1);
  return g_date_time_to_utc (tomorrow);
}

static gboolean
on_tick (gpointer data)
{
  Serve *s = data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  if (g_date_time_compare (now, s->next) < 0)
    return G_SOURCE_CONTINUE;
  g_autoptr (GError) error = NULL;
  gint64 closed = clearing_window_close (s->db, &s->key, now, &error);
  if (closed < 0)
    {
      /* Try again at the next tick: the window stays open meanwhile, and
       * records keep landing in it. */
      g_printerr ("canteen-clearing: the cut-off could not close the window: %s\n", error->message);
      return G_SOURCE_CONTINUE;
    }
  g_print ("cut-off: window %" G_GINT64_FORMAT " closed\n", closed);
  g_date_time_unref (s->next);
  s->next = next_cutoff (s, now);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (((Serve *) data)->loop);
  return G_SOURCE_CONTINUE;   /* removed with the others after the loop */
}

static int
cmd_serve (void)
{
  GError *error = NULL;
  Serve s = { 0 };
  if (opt_listen == NULL)
    return usage ("serve: --listen HOST:PORT is required");
  if (opt_cutoff == NULL)
    opt_cutoff = g_strdup ("00:00");
  /* HH:MM (and HH:MM:SS, which the tests use to see a cut-off happen). */
  int fields = sscanf (opt_cutoff, "%2d:%2d:%2d", &s.hour, &s.minute, &s.second);
  if (!((fields == 2 && strlen (opt_cutoff) == 5) || (fields == 3 && strlen (opt_cutoff) == 8)) || s.hour < 0
      || s.hour > 23 || s.minute < 0 || s.minute > 59 || s.second < 0 || s.second > 59)
    return usage ("serve: --cutoff must be HH:MM");
  s.tz = g_time_zone_new_identifier (opt_timezone ? opt_timezone : "Asia/Shanghai");
  if (s.tz == NULL)
    return usage ("serve: --timezone: unknown time zone");
  s.db = open_db (&error);
  if (s.db == NULL || !load_key (s.db, &s.key, &error))
    {
      g_clear_pointer (&s.db, clearing_db_close);
      g_time_zone_unref (s.tz);
      return fail (error);
    }
  ClearingServer *server = clearing_server_start (opt_db, &s.key, opt_listen, (guint) opt_threads, &error);
  if (server == NULL)
    {
      clearing_db_close (s.db);
      g_time_zone_unref (s.tz);
      return fail (error);
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  s.next = next_cutoff (&s, now);
  s.loop = g_main_loop_new (NULL, FALSE);
  guint sig_term = g_unix_signal_add (SIGTERM, on_signal, &s);
  guint sig_int = g_unix_signal_add (SIGINT, on_signal, &s);
  guint tick = g_timeout_add_seconds (1, on_tick, &s);
  g_print ("listening on %s\n", clearing_server_address (server));
  fflush (stdout);
  g_main_loop_run (s.loop);
  g_source_remove (tick);
  g_source_remove (sig_term);
  g_source_remove (sig_int);
  clearing_server_stop (server);
  clearing_db_close (s.db);
  g_main_loop_unref (s.loop);
  g_date_time_unref (s.next);
  g_time_zone_unref (s.tz);
  g_print ("stopped\n");
  return 0;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  static const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen, "serve: address to listen on", "HOST:PORT" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &opt_threads, "serve: worker threads (default 4)", "N" },
    { "cutoff", 0, 0, G_OPTION_ARG_STRING, &opt_cutoff, "serve: daily cut-off (default 00:00)", "HH:MM" },
    { "timezone", 0, 0, G_OPTION_ARG_STRING, &opt_timezone, "serve: the cut-off's time zone (default "
      "Asia/Shanghai)", "TZ" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "agency add: the agency's name", "NAME" },
    { "issuer-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_issuer_key, "agency add: the issuer key file", "FILE" },
    { "debit-cap", 0, 0, G_OPTION_ARG_INT64, &opt_debit_cap, "agency add: net debit cap per window", "FEN" },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &opt_agency, "terminal add, deny: the agency", "CODE" },
    { "card", 0, 0, G_OPTION_ARG_STRING, &opt_card, "deny: the card", "CARD" },
    { "window", 0, 0, G_OPTION_ARG_INT64, &opt_window, "positions: the window (default: the last closed)", "W" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "positions: print JSON", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("COMMAND …");
  g_autoptr (GError) error = NULL;
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "The cross-agency clearing service (settlement/API.md).");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("no command given");
  const char *cmd = argv[1];
  if (opt_db == NULL)
    return usage ("--db URI is required");
  if (!clearing_db_uri_valid (opt_db, &error))
    return usage (error->message);
  if (opt_debit_cap < -1)
    return usage ("--debit-cap must be 0 or more fen");

  if (strcmp (cmd, "init") == 0 && argc == 2)
    return cmd_init ();
  if (strcmp (cmd, "serve") == 0 && argc == 2)
    return cmd_serve ();
  if (strcmp (cmd, "agency") == 0 && argc == 4 && strcmp (argv[2], "add") == 0)
    return cmd_agency_add (argv[3]);
  if (strcmp (cmd, "terminal") == 0 && argc == 4 && strcmp (argv[2], "add") == 0)
    return cmd_terminal_add (argv[3]);
  if (strcmp (cmd, "window") == 0 && argc == 3 && strcmp (argv[2], "close") == 0)
    return cmd_window_close ();
  if (strcmp (cmd, "positions") == 0 && argc == 2)
    return cmd_positions ();
  if (strcmp (cmd, "verify") == 0 && argc == 2)
    return cmd_verify ();
  if (strcmp (cmd, "deny") == 0 && argc == 3 && (strcmp (argv[2], "add") == 0 || strcmp (argv[2], "remove") == 0))
    return cmd_deny (strcmp (argv[2], "add") == 0);
  return usage ("unknown command or wrong arguments");
}
