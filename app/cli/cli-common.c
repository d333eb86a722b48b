#include "cli.h"

#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "canteen-error.h"

int
cli_fail (GError *error)
{
  int code = canteen_ledger_error_is_decline (error) ? CLI_DECLINED : CLI_FAILED;

  fprintf (stderr, "canteenctl: %s%s\n", code == CLI_DECLINED ? "declined: " : "", error->message);
  g_error_free (error);
  return code;
}

int
cli_usage_error (const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  fprintf (stderr, "canteenctl: %s\n", message);
  return CLI_FAILED;
}

gboolean
cli_parse_options (const char *command, const char *params, const GOptionEntry *entries,
                   int *argc, char ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (params);
  g_autofree char *summary = g_strdup_printf ("canteenctl %s", command);
  GError *error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, FALSE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cli_usage_error ("%s: %s", command, error->message);
      g_error_free (error);
      return FALSE;
    }
  return TRUE;
}

CanteenLedger *
cli_open_ledger (CliGlobal *global, GError **error)
{
  return canteen_ledger_open (global->db_path, error);
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  json_node_unref (node);
  printf ("%s\n", text);
}

char *
cli_default_by (void)
{
  return g_strdup_printf ("operator:%s", g_get_user_name ());
}

char *
cli_read_pin (GError **error)
{
  const char *env = g_getenv ("CANTEEN_MANAGER_PIN");
  char line[64] = "";
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);

  if (env != NULL)
    return g_strdup (env);
  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      fputs ("PIN: ", stderr);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  else
    tty = FALSE;
  if (fgets (line, sizeof line, stdin) == NULL)
    line[0] = '\0';
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputs ("\n", stderr);
    }
  line[strcspn (line, "\r\n")] = '\0';
  if (line[0] == '\0')
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "pin: give the manager's PIN on standard input or in CANTEEN_MANAGER_PIN");
      return NULL;
    }
  return g_strdup (line);
}

char *
cli_authority (CanteenLedger *ledger, const char *manager, const char *by, GError **error)
{
  g_autofree char *pin = NULL;
  g_autofree char *name = NULL;

  if (manager == NULL)
    return by ? g_strdup (by) : cli_default_by ();
  pin = cli_read_pin (error);
  if (pin == NULL || !canteen_ledger_check_manager (ledger, manager, pin, &name, error))
    return NULL;
  return g_strdup_printf ("manager:%s %s", manager, name);
}
