/* canteenctl — the operator's command line for a canteen terminal.
 *
 * Command names and options are fixed: operators and tests script them.
 * --db PATH (default $CANTEEN_DB, else ./canteen.db) and --json may appear
 * anywhere on the line. What it says to people (help, errors, confirmations)
 * is translated through gettext ("canteen" domain); JSON, ids and files
 * written for machines never are.
 */
#include <locale.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "vision.h"
#include "cli.h"

static const CliCommand *const tables[] = {
  cli_setup_commands, cli_menu_commands, cli_account_commands, cli_sale_commands, cli_shift_commands,
  cli_manager_commands, cli_device_commands, cli_vision_commands, cli_clearing_commands,
  cli_waste_commands,
  cli_leftover_commands,
};

static void
print_help (FILE *out)
{
  /* Translators: the words in capitals name what to type; --db and
   * --json are options and stay as they are. */
  fprintf (out, "%s\n\n%s\n", _("Usage: canteenctl [--db PATH] [--json] COMMAND [OPTIONS]"),
           /* Translators: heading of the list of canteenctl's commands. */
           _("Commands:"));
  /* Command names are what operators type: never translated. */
  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const CliCommand *c = tables[t]; c->name; c++)
      fprintf (out, "  %-18s %s\n", c->name, _(c->summary));
  fprintf (out, "\n%s\n",
           _("Exit status: 0 done, 2 declined (balance, lost/closed card, unknown dish), 1 bad input or failure."));
}

/* Takes --db/--json out of argv wherever they are, so every command has them. */
static gboolean
take_global_options (int *argc, char **argv, CliGlobal *global)
{
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_strcmp0 (argv[i], "--json") == 0)
        global->json = TRUE;
      else if (g_strcmp0 (argv[i], "--db") == 0)
        {
          if (i + 1 >= *argc)
            {
              cli_usage_error (_("--db: a file name is required"));
              return FALSE;
            }
          global->db_path = argv[++i];
        }
      else if (g_str_has_prefix (argv[i], "--db="))
        global->db_path = argv[i] + strlen ("--db=");
      else
        argv[out++] = argv[i];
    }
  argv[out] = NULL;
  *argc = out;
  return TRUE;
}

static const CliCommand *
find_command (int argc, char **argv, int *words)
{
  /* Longest match first: "menu import" before a hypothetical "menu". */
  for (int n = MIN (argc - 1, 3); n >= 1; n--)
    {
      GString *joined = g_string_new (argv[1]);
      for (int i = 2; i <= n; i++)
        g_string_append_printf (joined, " %s", argv[i]);
      for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
        for (const CliCommand *c = tables[t]; c->name; c++)
          if (g_strcmp0 (c->name, joined->str) == 0)
            {
              g_string_free (joined, TRUE);
              *words = n;
              return c;
            }
      g_string_free (joined, TRUE);
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  CliGlobal global = { g_getenv ("CANTEEN_DB") ? g_getenv ("CANTEEN_DB") : "canteen.db", FALSE };
  const CliCommand *command;
  const char *localedir = g_getenv ("CANTEEN_LOCALEDIR");
  const char *locale = setlocale (LC_ALL, "");
  g_autofree char *name = NULL;
  int words = 0;

  /* `tray recognize|leftovers|return` analyse big images (vision.h). */
  canteen_vision_keep_freed_memory ();

  /* With no locale set (CI, systemd) use UTF-8 rather than ASCII-only "C". */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : CANTEEN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!take_global_options (&argc, argv, &global))
    return CLI_FAILED;
  if (argc < 2 || g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0 ||
      g_strcmp0 (argv[1], "help") == 0)
    {
      print_help (argc < 2 ? stderr : stdout);
      return argc < 2 ? CLI_FAILED : CLI_OK;
    }
  command = find_command (argc, argv, &words);
  if (command == NULL)
    return cli_usage_error (_("“%s” is not a command; see canteenctl --help"), argv[1]);
  /* The command sees itself as argv[0], then its own arguments. */
  name = g_strdup_printf ("canteenctl %s", command->name);
  argv[words] = name;
  return command->run (&global, argc - words, argv + words);
}
