/* canteen-emulate — runs a program against emulated USB devices.
 *
 *   canteen-emulate [--ccid | --ccid-card cpu:UID|uid:UID] [--card-file FILE]
 *                   [--card-key HEX] [--hid-reader] [--scale GRAMS]
 *                   [--printer [--printer-out FILE]]
 *                   [--tap-after SECONDS [UID]] [--tap-hold SECONDS] [-v]
 *                   -- PROGRAM ARGS...
 *
 * The devices live in this process (umockdev testbed + emulators); PROGRAM
 * runs as a child with UMOCKDEV_DIR and libumockdev-preload, so its libusb
 * finds them and its usbfs ioctls come here over umockdev's socket, as with
 * umockdev-run. The exit status is the child's (128 + signal if killed).
 *
 * Without --tap-after the CCID card is in the reader from the start. With
 * it, after SECONDS (and not before PROGRAM has claimed the reader) the
 * card is tapped (in the field for --tap-hold
 * seconds, 2 by default) and the HID reader types the UID (UID given here,
 * else the CCID card's: a 4-byte UID as 10 decimal digits, as wedge
 * readers do, longer ones in hex).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <glib-unix.h>
#include <sodium.h>

#include "emu-ccid-reader.h"
#include "emu-hid-reader.h"
#include "emu-printer.h"
#include "emu-scale.h"
#include "emu-testbed.h"

typedef struct {
  gboolean ccid;
  char    *card_spec;            /* "cpu:HEX" or "uid:HEX" */
  char    *card_file;
  char    *card_key;
  gboolean hid_reader;
  gboolean scale;
  gint     scale_grams;
  gboolean printer;
  char    *printer_out;
  gdouble  tap_after;            /* < 0: no tap */
  char    *tap_uid;
  gdouble  tap_hold;
  gboolean verbose;
  char   **program;
} Options;

typedef struct {
  Options *opt;
  CanteenEmuCcidReader *ccid;
  CanteenEmuHidReader  *hid;
  CanteenEmuCard       *card;
  GBytes   *tap_uid;
  GMainLoop *loop;
  GPid      child;
  int       status;
} Run;

static void
usage (FILE *out)
{
  fputs ("Usage: canteen-emulate [--ccid | --ccid-card cpu:UID|uid:UID] [--card-file FILE] [--card-key HEX]\n"
         "                       [--hid-reader] [--scale GRAMS] [--printer [--printer-out FILE]]\n"
         "                       [--tap-after SECONDS [UID]] [--tap-hold SECONDS] [-v] -- PROGRAM ARGS...\n", out);
}

static GBytes *
parse_hex (const char *hex)
{
  gsize n = strlen (hex);
  g_autofree guint8 *bytes = NULL;

  if (n == 0 || n % 2)
    return NULL;
  bytes = g_malloc (n / 2);
  for (gsize i = 0; i < n / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return NULL;
      bytes[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (g_steal_pointer (&bytes), n / 2);
}

static gboolean
parse_seconds (const char *s, gdouble *out)
{
  char *end = NULL;

  *out = g_ascii_strtod (s, &end);
  return end && end != s && *end == '\0' && *out >= 0 && *out < 86400;
}

static gboolean
parse_args (int argc, char **argv, Options *opt, GError **error)
{
  int i;

  opt->tap_after = -1;
  opt->tap_hold = 2.0;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *next = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED_VALUE() do { if (!next) { g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, \
                                       "%s needs a value", a); return FALSE; } i++; } while (0)
      if (g_str_equal (a, "--"))
        {
          i++;
          break;
        }
      else if (g_str_equal (a, "--ccid"))
        opt->ccid = TRUE;
      else if (g_str_equal (a, "--ccid-card"))
        {
          NEED_VALUE ();
          opt->ccid = TRUE;
          opt->card_spec = g_strdup (next);
        }
      else if (g_str_equal (a, "--card-file"))
        {
          NEED_VALUE ();
          opt->card_file = g_strdup (next);
        }
      else if (g_str_equal (a, "--card-key"))
        {
          NEED_VALUE ();
          opt->card_key = g_strdup (next);
        }
      else if (g_str_equal (a, "--hid-reader"))
        opt->hid_reader = TRUE;
      else if (g_str_equal (a, "--scale"))
        {
          gint64 grams;
          NEED_VALUE ();
          if (!g_ascii_string_to_signed (next, 10, -65535, 65535, &grams, error))
            return FALSE;
          opt->scale = TRUE;
          opt->scale_grams = (gint) grams;
        }
      else if (g_str_equal (a, "--printer"))
        opt->printer = TRUE;
      else if (g_str_equal (a, "--printer-out"))
        {
          NEED_VALUE ();
          opt->printer = TRUE;
          opt->printer_out = g_strdup (next);
        }
      else if (g_str_equal (a, "--tap-after"))
        {
          NEED_VALUE ();
          if (!parse_seconds (next, &opt->tap_after))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--tap-after: '%s' is not a number of seconds", next);
              return FALSE;
            }
          /* An optional UID follows. */
          if (i + 1 < argc && argv[i + 1][0] != '-')
            opt->tap_uid = g_strdup (argv[++i]);
        }
      else if (g_str_equal (a, "--tap-hold"))
        {
          NEED_VALUE ();
          if (!parse_seconds (next, &opt->tap_hold))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--tap-hold: '%s' is not a number of seconds", next);
              return FALSE;
            }
        }
      else if (g_str_equal (a, "-v") || g_str_equal (a, "--verbose"))
        opt->verbose = TRUE;
      else if (g_str_equal (a, "-h") || g_str_equal (a, "--help"))
        {
          usage (stdout);
          exit (0);
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "unknown option %s", a);
          return FALSE;
        }
#undef NEED_VALUE
    }
  if (i >= argc)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "no program given after --");
      return FALSE;
    }
  opt->program = g_strdupv (argv + i);
  return TRUE;
}

static CanteenEmuCard *
make_card (const Options *opt, GError **error)
{
  g_autoptr(GBytes) uid = NULL;
  g_autoptr(GBytes) file = NULL;
  guint8 sk[crypto_sign_SECRETKEYBYTES];
  gboolean have_key = FALSE;
  const char *hex;
  gboolean cpu;

  if (g_str_has_prefix (opt->card_spec, "cpu:"))
    cpu = TRUE;
  else if (g_str_has_prefix (opt->card_spec, "uid:"))
    cpu = FALSE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--ccid-card %s: say cpu:UID or uid:UID", opt->card_spec);
      return NULL;
    }
  hex = opt->card_spec + 4;
  uid = parse_hex (hex);
  if (!uid || (g_bytes_get_size (uid) != 4 && g_bytes_get_size (uid) != 7 && g_bytes_get_size (uid) != 10))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--ccid-card: UID '%s' is not 4, 7 or 10 bytes of hex", hex);
      return NULL;
    }
  if (!cpu)
    return canteen_emu_card_new_uid_only (g_bytes_get_data (uid, NULL), g_bytes_get_size (uid));

  if (opt->card_file)
    {
      char *contents;
      gsize len;
      if (!g_file_get_contents (opt->card_file, &contents, &len, error))
        return NULL;
      file = g_bytes_new_take (contents, len);
    }
  if (opt->card_key)
    {
      g_autoptr(GBytes) key = parse_hex (opt->card_key);
      guint8 pk[crypto_sign_PUBLICKEYBYTES];

      if (key && g_bytes_get_size (key) == crypto_sign_SEEDBYTES)
        crypto_sign_seed_keypair (pk, sk, g_bytes_get_data (key, NULL));
      else if (key && g_bytes_get_size (key) == crypto_sign_SECRETKEYBYTES)
        memcpy (sk, g_bytes_get_data (key, NULL), sizeof sk);
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--card-key: 32 bytes (seed) or 64 bytes (secret key) of hex expected");
          return NULL;
        }
      have_key = TRUE;
    }
  return canteen_emu_card_new_cpu (g_bytes_get_data (uid, NULL), g_bytes_get_size (uid), have_key ? sk : NULL, file);
}

/* What a wedge reader types for a UID. */
static char *
typed_uid (GBytes *uid)
{
  gsize len;
  const guint8 *b = g_bytes_get_data (uid, &len);
  GString *s = g_string_new (NULL);

  if (len == 4)
    g_string_printf (s, "%010u", (guint) ((guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3]));
  else
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (s, "%02X", b[i]);
  return g_string_free (s, FALSE);
}

static gboolean
tap_cb (gpointer data)
{
  Run *run = data;

  /* A tap before PROGRAM has the reader open would be lost (a wedge
   * reader's keys go to the kernel's keyboard driver), and how long a
   * program takes to start varies: wait for its claim. */
  if ((run->ccid && run->card && !canteen_emu_device_get_claimed (CANTEEN_EMU_DEVICE (run->ccid), 0))
      || (run->hid && run->tap_uid && !canteen_emu_device_get_claimed (CANTEEN_EMU_DEVICE (run->hid), 0)))
    {
      g_timeout_add (20, tap_cb, run);
      return G_SOURCE_REMOVE;
    }
  if (run->ccid && run->card)
    {
      if (run->opt->verbose)
        g_printerr ("canteen-emulate: card tapped on the CCID reader\n");
      canteen_emu_ccid_reader_tap (run->ccid, run->card, (guint) (run->opt->tap_hold * 1000));
    }
  if (run->hid && run->tap_uid)
    {
      g_autofree char *text = typed_uid (run->tap_uid);
      if (run->opt->verbose)
        g_printerr ("canteen-emulate: HID reader types %s\n", text);
      canteen_emu_hid_reader_tap (run->hid, text);
    }
  return G_SOURCE_REMOVE;
}

static void
child_exited (GPid pid, gint status, gpointer data)
{
  Run *run = data;

  run->status = status;
  g_spawn_close_pid (pid);
  run->child = 0;
  g_main_loop_quit (run->loop);
}

static gboolean
forward_signal (gpointer data, int signum)
{
  Run *run = data;

  if (run->child)
    kill (run->child, signum);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer data)
{
  return forward_signal (data, SIGTERM);
}

static gboolean
on_sigint (gpointer data)
{
  return forward_signal (data, SIGINT);
}

static gboolean
add_device (CanteenEmuTestbed *tb, CanteenEmuDevice *dev, gboolean verbose, GError **error)
{
  if (!canteen_emu_testbed_add (tb, dev, error))
    return FALSE;
  if (verbose)
    g_printerr ("canteen-emulate: %04x:%04x %s at /dev/bus/usb/001/%03u\n", canteen_emu_device_get_vendor_id (dev),
                canteen_emu_device_get_product_id (dev), canteen_emu_device_get_product (dev),
                canteen_emu_testbed_get_devnum (tb, dev));
  return TRUE;
}

int
main (int argc, char **argv)
{
  Options opt = { 0 };
  Run run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CanteenEmuTestbed) tb = NULL;
  g_autoptr(CanteenEmuScale) scale = NULL;
  g_autoptr(CanteenEmuPrinter) printer = NULL;
  g_auto(GStrv) env = NULL;
  int code;

  if (!parse_args (argc, argv, &opt, &error))
    {
      g_printerr ("canteen-emulate: %s\n", error->message);
      usage (stderr);
      return 2;
    }
  if (sodium_init () < 0)
    {
      g_printerr ("canteen-emulate: libsodium cannot be initialised\n");
      return 1;
    }
  run.opt = &opt;
  if (opt.card_spec && !(run.card = make_card (&opt, &error)))
    {
      g_printerr ("canteen-emulate: %s\n", error->message);
      return 2;
    }
  if (opt.tap_uid)
    {
      run.tap_uid = parse_hex (opt.tap_uid);
      if (!run.tap_uid || g_bytes_get_size (run.tap_uid) < 4 || g_bytes_get_size (run.tap_uid) > 10)
        {
          g_printerr ("canteen-emulate: --tap-after: UID '%s' is not 4 to 10 bytes of hex\n", opt.tap_uid);
          return 2;
        }
      if (!run.card && opt.ccid)
        run.card = canteen_emu_card_new_uid_only (g_bytes_get_data (run.tap_uid, NULL), g_bytes_get_size (run.tap_uid));
    }
  else if (run.card)
    run.tap_uid = canteen_emu_card_get_uid (run.card);
  if (opt.tap_after >= 0 && !run.card && !(opt.hid_reader && run.tap_uid))
    {
      g_printerr ("canteen-emulate: --tap-after: no card to tap (give --ccid-card or a UID)\n");
      return 2;
    }

  /* The testbed first: it sets UMOCKDEV_DIR for everything after it. */
  tb = canteen_emu_testbed_new ();
  if (opt.ccid)
    {
      run.ccid = canteen_emu_ccid_reader_new ();
      if (run.card && opt.tap_after < 0)
        canteen_emu_ccid_reader_insert (run.ccid, run.card);
      if (!add_device (tb, CANTEEN_EMU_DEVICE (run.ccid), opt.verbose, &error))
        goto fail;
    }
  if (opt.hid_reader)
    {
      run.hid = canteen_emu_hid_reader_new ();
      if (!add_device (tb, CANTEEN_EMU_DEVICE (run.hid), opt.verbose, &error))
        goto fail;
    }
  if (opt.scale)
    {
      scale = canteen_emu_scale_new ();
      canteen_emu_scale_set_grams (scale, opt.scale_grams);
      if (!add_device (tb, CANTEEN_EMU_DEVICE (scale), opt.verbose, &error))
        goto fail;
    }
  if (opt.printer)
    {
      printer = canteen_emu_printer_new ();
      if (!add_device (tb, CANTEEN_EMU_DEVICE (printer), opt.verbose, &error))
        goto fail;
    }

  env = canteen_emu_testbed_child_environ (tb);
  if (!g_spawn_async (NULL, opt.program, env,
                      G_SPAWN_SEARCH_PATH_FROM_ENVP | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, &run.child, &error))
    goto fail;

  run.loop = g_main_loop_new (NULL, FALSE);
  g_child_watch_add (run.child, child_exited, &run);
  g_unix_signal_add (SIGTERM, on_sigterm, &run);
  g_unix_signal_add (SIGINT, on_sigint, &run);
  if (opt.tap_after >= 0)
    g_timeout_add ((guint) (opt.tap_after * 1000), tap_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);

  if (printer && opt.printer_out)
    {
      g_autoptr(GBytes) received = canteen_emu_printer_get_received (printer);
      if (!g_file_set_contents (opt.printer_out, g_bytes_get_data (received, NULL),
                                (gssize) g_bytes_get_size (received), &error))
        g_printerr ("canteen-emulate: %s\n", error->message);
    }

  if (WIFEXITED (run.status))
    code = WEXITSTATUS (run.status);
  else if (WIFSIGNALED (run.status))
    code = 128 + WTERMSIG (run.status);
  else
    code = 1;
  goto out;

fail:
  g_printerr ("canteen-emulate: %s\n", error->message);
  code = 1;
out:
  g_clear_object (&run.ccid);
  g_clear_object (&run.hid);
  g_clear_object (&run.card);
  g_clear_pointer (&run.tap_uid, g_bytes_unref);
  g_free (opt.card_spec);
  g_free (opt.card_file);
  g_free (opt.card_key);
  g_free (opt.printer_out);
  g_free (opt.tap_uid);
  g_strfreev (opt.program);
  return code;
}
