/* cli-run.h — running the real canteenctl ($CANTEENCTL) from a test, as an
 * operator's script would: no terminal, stdin from /dev/null, the exit code
 * and both outputs captured. */
#pragma once

#include <stdarg.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int   status;   /* the exit code */
  char *out;
  char *err;
} CliRun;

void   cli_run_clear (CliRun *run);
/* canteenctl --db DB ARGS... (NULL-terminated) in `cwd` (NULL: here);
 * a crash or a signal fails the test. */
CliRun cli_run_valist (const char *db, const char *cwd, const char *first, va_list args);
/* The same with the environment `envp` (NULL: the test's own). */
CliRun cli_run_env_valist (const char *db, const char *cwd, char **envp, const char *first, va_list args);
/* Exit 0, else the test fails naming stderr; clears. */
void   cli_run_assert_ok    (CliRun run);
/* The same, and nothing on stderr either. */
void   cli_run_assert_quiet (CliRun run);

G_END_DECLS
