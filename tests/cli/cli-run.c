/* cli-run.c — running canteenctl from the CLI tests (contract: cli-run.h). */
#include "cli-run.h"

#include <sys/wait.h>

void
cli_run_clear (CliRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

CliRun
cli_run_valist (const char *db, const char *cwd, const char *first, va_list args)
{
  return cli_run_env_valist (db, cwd, NULL, first, args);
}

CliRun
cli_run_env_valist (const char *db, const char *cwd, char **envp, const char *first, va_list args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GError *error = NULL;
  CliRun r = { 0 };
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CANTEENCTL"));
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, (gpointer) db);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (cwd, (char **) argv->pdata, envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  return r;
}

void
cli_run_assert_ok (CliRun r)
{
  if (r.status != 0)
    g_error ("exit %d: %s", r.status, r.err);
  cli_run_clear (&r);
}

void
cli_run_assert_quiet (CliRun r)
{
  if (r.status != 0)
    g_error ("exit %d: %s", r.status, r.err);
  g_assert_cmpstr (r.err, ==, "");
  cli_run_clear (&r);
}
