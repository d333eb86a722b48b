/* cli.h — what canteenctl's command files share.
 *
 * Contract: a command gets the global options and its own argv (argv[0] is
 * the command's name), prints its result on stdout (text, or one JSON
 * document with --json), and returns an exit code: CLI_OK, CLI_DECLINED when
 * the ledger refused a payment for a reason the diner must hear (balance,
 * lost or closed card, unknown dish or card), CLI_FAILED for bad input or any
 * failure. Errors go to stderr as one line naming the field and the problem.
 * Text for people is wrapped in _() (N_() in the static tables, translated
 * where printed); JSON, ids and CSV are never translated.
 */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ledger.h"

G_BEGIN_DECLS

enum {
  CLI_OK = 0,
  CLI_FAILED = 1,
  CLI_DECLINED = 2,
};

typedef struct {
  const char *db_path;
  gboolean    json;
} CliGlobal;

typedef int (*CliCommandFunc) (CliGlobal *global, int argc, char **argv);

typedef struct {
  const char    *name;        /* "menu import" */
  const char    *summary;     /* N_(): translated when printed */
  CliCommandFunc run;
} CliCommand;

/* Reports `error` (consumed) and returns the exit code it calls for. */
int   cli_fail (GError *error);
int   cli_usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* "canteenctl: MESSAGE" on stderr, for warnings and notes; no exit code. */
void  cli_message (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

/* Parses a command's options; leftover positional arguments stay in argv.
 * FALSE (message printed) on an unknown option or a malformed value. */
gboolean cli_parse_options (const char *command, const char *params, const GOptionEntry *entries,
                            int *argc, char ***argv);

CanteenLedger *cli_open_ledger (CliGlobal *global, GError **error);
/* Today in the canteen's time zone, "YYYY-MM-DD". */
char *cli_today (CanteenLedger *ledger);

/* Today's menu's exemplars into `vision`'s index (cleared first); *dishes
 * gets today's menu. A damaged or outdated exemplar is skipped, named on
 * stderr, never trusted. (cli-vision.c) */
typedef struct CanteenVision CanteenVision;
gboolean cli_load_menu_index (CanteenLedger *ledger, CanteenVision *vision, GPtrArray **dishes, GError **error);
void  cli_print_json (JsonNode *node);   /* consumes node */
char *cli_default_by (void);             /* "operator:NAME" for --by */
/* A manager's PIN: $CANTEEN_MANAGER_PIN, else one line of standard input
 * (not echoed on a terminal). Never waits on a closed stdin. */
char *cli_read_pin (GError **error);
/* "manager:ID NAME" after checking the PIN, for --manager ID; else --by or
 * the operator's own name. NULL with an error when the PIN is wrong. */
char *cli_authority (CanteenLedger *ledger, const char *manager, const char *by, GError **error);

/* The command tables of each file. */
extern const CliCommand cli_setup_commands[];
extern const CliCommand cli_menu_commands[];
extern const CliCommand cli_account_commands[];
extern const CliCommand cli_sale_commands[];
extern const CliCommand cli_shift_commands[];
extern const CliCommand cli_manager_commands[];
extern const CliCommand cli_device_commands[];
extern const CliCommand cli_vision_commands[];
extern const CliCommand cli_clearing_commands[];
extern const CliCommand cli_waste_commands[];
extern const CliCommand cli_leftover_commands[];

/* A visiting official pays with the card in `card_file` (cli-clearing.c). */
int cli_visitor_checkout (CliGlobal *global, const char *card_file, const char *checkout_id,
                          const CanteenOrderLine *lines, guint n_lines);

G_END_DECLS
