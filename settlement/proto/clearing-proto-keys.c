/* clearing-proto-keys.c — Ed25519 keys and signatures (libsodium), and the
 * files that hold secret keys.
 *
 * Contract: a secret key file is written once: complete and fsync'd under a
 * temporary name with mode 0600, then moved into place only if nothing is
 * there (renameat2 RENAME_NOREPLACE, or link() where that is unsupported),
 * so a crash leaves either no key or the whole key, and an existing key is
 * never replaced — losing one would strand its agency's signatures.
 * Reading checks that the key's public half is the one its seed makes.
 */
#include "clearing-proto-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sodium.h>

void
canteen_proto_keypair (guint8 pk[CANTEEN_PROTO_PK_BYTES], guint8 sk[CANTEEN_PROTO_SK_BYTES])
{
  proto_sodium_init ();
  crypto_sign_keypair (pk, sk);
}

void
canteen_proto_public_key (const guint8 sk[CANTEEN_PROTO_SK_BYTES], guint8 pk[CANTEEN_PROTO_PK_BYTES])
{
  proto_sodium_init ();
  crypto_sign_ed25519_sk_to_pk (pk, sk);
}

void
canteen_proto_sign (const guint8 sk[CANTEEN_PROTO_SK_BYTES], const void *msg, gsize len,
                    guint8 sig[CANTEEN_PROTO_SIG_BYTES])
{
  proto_sodium_init ();
  crypto_sign_detached (sig, NULL, msg != NULL ? msg : (const void *) "", len, sk);
}

gboolean
canteen_proto_verify (const guint8 pk[CANTEEN_PROTO_PK_BYTES], const void *msg, gsize len,
                      const guint8 sig[CANTEEN_PROTO_SIG_BYTES], GError **error)
{
  proto_sodium_init ();
  if (crypto_sign_verify_detached (sig, msg != NULL ? msg : (const void *) "", len, pk) != 0)
    {
      g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_SIGNATURE,
                           "the signature does not verify");
      return FALSE;
    }
  return TRUE;
}

/* Whether the public half stored in `sk` is the one its seed makes: a key
 * file with a flipped bit would otherwise sign with a key nobody trusts. */
static gboolean
secret_key_consistent (const guint8 sk[CANTEEN_PROTO_SK_BYTES])
{
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk2[CANTEEN_PROTO_SK_BYTES];
  gboolean ok;

  proto_sodium_init ();
  crypto_sign_seed_keypair (pk, sk2, sk);   /* the seed is the first 32 bytes */
  ok = sodium_memcmp (sk2, sk, CANTEEN_PROTO_SK_BYTES) == 0;
  sodium_memzero (sk2, sizeof sk2);
  return ok;
}

/* ---- files ----------------------------------------------------------- */

static gboolean
io_fail (GError **error, const char *path, const char *doing, int err)
{
  g_autofree char *shown = g_filename_display_name (path);

  g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO, "%s: cannot %s: %s", shown, doing,
               g_strerror (err));
  return FALSE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Moves `from` to `to` unless `to` exists, atomically. */
static int
move_no_replace (const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return -1;
#endif
  if (link (from, to) != 0)
    return -1;
  g_unlink (from);
  return 0;
}

gboolean
proto_write_new_file (const char *path, const void *data, gsize len, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  int fd, err, dfd;

  if (g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    return io_fail (error, path, "write a new key file", EEXIST);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_fail (error, path, "create a temporary file beside it", errno);
  if (!write_all (fd, data, len) || fsync (fd) != 0)
    {
      err = errno != 0 ? errno : EIO;
      close (fd);
      g_unlink (tmp);
      return io_fail (error, path, "write", err);
    }
  if (close (fd) != 0)
    {
      err = errno;
      g_unlink (tmp);
      return io_fail (error, path, "write", err);
    }
  if (move_no_replace (tmp, path) != 0)
    {
      err = errno;
      g_unlink (tmp);
      return io_fail (error, path, err == EEXIST ? "write a new key file" : "move into place", err);
    }
  /* The new name must survive a crash too. */
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
  return TRUE;
}

gboolean
proto_read_small_file (const char *path, gsize max, char **contents, gsize *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return io_fail (error, path, "read", errno);
  if (!S_ISREG (st.st_mode) || (guint64) st.st_size > max)
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO,
                   "%s: not a file of at most %" G_GSIZE_FORMAT " bytes", shown, max);
      return FALSE;
    }
  if (!g_file_get_contents (path, contents, len, &local))
    {
      g_set_error_literal (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO, local->message);
      return FALSE;
    }
  if (*len > max)
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_clear_pointer (contents, g_free);
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_IO,
                   "%s: not a file of at most %" G_GSIZE_FORMAT " bytes", shown, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_proto_write_secret_key (const char *path, const guint8 sk[CANTEEN_PROTO_SK_BYTES], GError **error)
{
  g_autofree char *b64 = canteen_proto_b64_encode (sk, CANTEEN_PROTO_SK_BYTES);
  g_autofree char *text = g_strconcat (b64, "\n", NULL);
  gboolean ok = proto_write_new_file (path, text, strlen (text), error);

  sodium_memzero (b64, strlen (b64));
  sodium_memzero (text, strlen (text));
  return ok;
}

gboolean
canteen_proto_read_secret_key (const char *path, guint8 sk[CANTEEN_PROTO_SK_BYTES], GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  gsize len = 0;
  guint8 key[CANTEEN_PROTO_SK_BYTES];
  gboolean ok;

  if (!proto_read_small_file (path, 1024, &text, &len, error))
    return FALSE;
  if (len > 0 && text[len - 1] == '\n')
    text[--len] = '\0';
  ok = strlen (text) == len && canteen_proto_b64_decode (text, key, sizeof key, NULL)
       && secret_key_consistent (key);
  sodium_memzero (text, len);
  if (!ok)
    {
      sodium_memzero (key, sizeof key);
      g_set_error (error, CANTEEN_PROTO_ERROR, CANTEEN_PROTO_ERROR_INVALID,
                   "%s: not a secret key file (the base64 of a 64-byte Ed25519 key and a newline)", shown);
      return FALSE;
    }
  memcpy (sk, key, sizeof key);
  sodium_memzero (key, sizeof key);
  return TRUE;
}

gboolean
proto_secret_key_consistent (const guint8 sk[CANTEEN_PROTO_SK_BYTES])
{
  return secret_key_consistent (sk);
}
