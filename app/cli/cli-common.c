#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "canteen-error.h"

int
cli_fail (GError *error)
{
  int code = canteen_ledger_error_is_decline (error) ? CLI_DECLINED : CLI_FAILED;

  /* Translators: put in front of the ledger's reason for refusing a
   * payment, e.g. "declined: insufficient balance". */
  fprintf (stderr, "canteenctl: %s%s\n", code == CLI_DECLINED ? _("declined: ") : "", error->message);
  g_error_free (error);
  return code;
}

static void
print_message (const char *fmt, va_list args) G_GNUC_PRINTF (1, 0);

static void
print_message (const char *fmt, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (fmt, args);

  fprintf (stderr, "canteenctl: %s\n", message);
}

int
cli_usage_error (const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  print_message (fmt, args);
  va_end (args);
  return CLI_FAILED;
}

void
cli_message (const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  print_message (fmt, args);
  va_end (args);
}

gboolean
cli_parse_options (const char *command, const char *params, const GOptionEntry *entries,
                   int *argc, char ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (params);
  g_autofree char *summary = g_strdup_printf ("canteenctl %s", command);
  GError *error = NULL;

  g_option_context_set_summary (context, summary);
  /* The entries' descriptions are marked N_() in our own catalogue. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
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

/* JSON is written here rather than by JsonGenerator for one reason:
 * json-glib writes every double with 17 digits (0.93 as
 * 0.93000000000000005). This writes the shortest decimal that reads back
 * as the same double; strings are escaped as JSON requires (UTF-8 kept). */
static void
append_double (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");   /* JSON has no inf or NaN */
      return;
    }
  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
}

static void
append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    switch (*c)
      {
      case '"':  g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if ((guchar) *c < 0x20)
          g_string_append_printf (out, "\\u%04x", (guchar) *c);
        else
          g_string_append_c (out, *c);
      }
  g_string_append_c (out, '"');
}

static void
append_node (GString *out, JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *o = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, o);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            append_string (out, name);
            g_string_append_c (out, ':');
            append_node (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (node);
        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (a); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (a, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
        default:
          append_string (out, json_node_get_string (node) ? json_node_get_string (node) : "");
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
cli_today (CanteenLedger *ledger)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (canteen_ledger_get_timezone (ledger));

  return g_date_time_format (now, "%Y-%m-%d");
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr(GString) text = g_string_new (NULL);

  append_node (text, node);
  json_node_unref (node);
  printf ("%s\n", text->str);
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
      /* Translators: prompt for a manager's PIN, typed without echo. */
      fputs (_("PIN: "), stderr);
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
      g_set_error_literal (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                           _("pin: give the manager's PIN on standard input or in CANTEEN_MANAGER_PIN"));
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
