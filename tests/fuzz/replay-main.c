/* Runs a fuzz target's entry point on every file named on the command line
 * (or in the directories named), so the seed corpus and every crash the
 * fuzzer ever found run in the ordinary test suite, without libFuzzer. */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      fprintf (stderr, "replay: cannot read %s\n", path);
      return 1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  printf ("ok - %s\n", path);
  return 0;
}

int
main (int argc, char **argv)
{
  int failures = 0, count = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;
      if (dir == NULL)
        {
          failures += replay_file (argv[i]);
          count++;
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          failures += replay_file (path);
          count++;
        }
    }
  printf ("1..%d\n", count);
  return failures ? 1 : 0;
}
