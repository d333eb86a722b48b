/* ledger-frames.c — the camera frame behind each recognised checkout, the
 * tray it was served on (the tag read from that frame), and the photos of
 * returned trays (waste.h).
 *
 * The file is written first (atomically: temp file + rename, fsync'd by
 * g_file_set_contents), then the row; a crash between the two leaves an
 * orphan file, never a row pointing at nothing.
 */
#include "ledger-private.h"

#include <string.h>

#include <glib/gstdio.h>

#include "canteen-error.h"
#include "validate.h"
#include "waste.h"

#define FRAME_MAX_BYTES (16 * 1024 * 1024)

static char *
frames_dir (CanteenLedger *l)
{
  return g_strconcat (l->path, ".frames", NULL);
}

gboolean
canteen_ledger_keep_frame (CanteenLedger *l, const char *checkout_id, GBytes *jpeg, GError **error)
{
  g_autofree char *sha = NULL, *day = NULL, *relative = NULL, *dir = NULL, *path = NULL, *folder = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = ledger_utc_string (now);
  gsize len = jpeg != NULL ? g_bytes_get_size (jpeg) : 0;
  const guint8 *data = jpeg != NULL ? g_bytes_get_data (jpeg, NULL) : NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!canteen_check_key (checkout_id, "checkout", error))
    return FALSE;
  /* A JPEG starts FF D8: anything else is not the camera's frame. */
  if (len < 4 || len > FRAME_MAX_BYTES || data[0] != 0xFF || data[1] != 0xD8)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "frame: %" G_GSIZE_FORMAT " bytes that are not a JPEG of at most %d bytes", len, FRAME_MAX_BYTES);
      return FALSE;
    }
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, jpeg);

  /* The checkout must exist; its local day names the folder. */
  stmt = ledger_stmt (l, "SELECT c.local_day, f.sha256 FROM checkouts c "
                         "LEFT JOIN checkout_frames f ON f.checkout_id = c.id WHERE c.id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *kept = (const char *) sqlite3_column_text (stmt, 1);
      day = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (kept != NULL)
        {
          gboolean same = g_str_equal (kept, sha);
          sqlite3_reset (stmt);
          if (same)
            return TRUE;
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                       "frame: checkout %s already has a different frame", checkout_id);
          return FALSE;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                     "checkout %s: no such checkout", checkout_id);
      else
        ledger_set_db_error (l, error, "looking up a checkout");
      return FALSE;
    }

  dir = frames_dir (l);
  folder = g_build_filename (dir, day, NULL);
  relative = g_strdup_printf ("%s/%s.jpg", day, checkout_id);
  path = g_build_filename (dir, relative, NULL);
  if (g_mkdir_with_parents (folder, 0750) != 0)
    {
      int saved = errno;
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB, "frame: %s: %s", folder, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents (path, (const char *) data, (gssize) len, error))
    return FALSE;

  if (!ledger_begin (l, error))
    return FALSE;
  stmt = ledger_stmt (l, "INSERT INTO checkout_frames (checkout_id, sha256, file, bytes, created) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, relative, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, (gint64) len);
  sqlite3_bind_text (stmt, 5, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "keeping a frame", error))
    goto fail;
  return ledger_commit (l, error);

fail:
  ledger_rollback (l);
  return FALSE;
}

char *
canteen_ledger_get_frame (CanteenLedger *l, const char *checkout_id, GError **error)
{
  g_autofree char *sha = NULL, *relative = NULL, *dir = NULL, *path = NULL, *contents = NULL, *actual = NULL;
  sqlite3_stmt *stmt;
  gsize len = 0;

  if (!canteen_check_key (checkout_id, "checkout", error))
    return NULL;
  stmt = ledger_stmt (l, "SELECT sha256, file FROM checkout_frames WHERE checkout_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  if (!ledger_step_row (l, stmt, "looking up a frame", error, "checkout %s: no frame was kept", checkout_id))
    return NULL;
  sha = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  relative = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_reset (stmt);
  dir = frames_dir (l);
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_get_contents (path, &contents, &len, NULL))
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   "checkout %s: the frame file %s is gone", checkout_id, path);
      return NULL;
    }
  actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  if (!g_str_equal (actual, sha))
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                   "checkout %s: the frame file %s does not match its SHA-256", checkout_id, path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* ---- returned trays' photos --------------------------------------------- */

static const char *
photo_extension (const guint8 *data, gsize len)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

  if (len >= 4 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return "jpg";
  if (len >= sizeof png && memcmp (data, png, sizeof png) == 0)
    return "png";
  return NULL;
}

static char *
return_photo_path (CanteenLedger *l, const char *sha, const char *ext)
{
  g_autofree char *dir = frames_dir (l);
  g_autofree char *name = g_strdup_printf ("%s.%s", sha, ext);

  return g_build_filename (dir, "returns", name, NULL);
}

gboolean
ledger_keep_return_photo (CanteenLedger *l, GBytes *image, char **out_sha, GError **error)
{
  gsize len = g_bytes_get_size (image);
  const guint8 *data = g_bytes_get_data (image, NULL);
  const char *ext = len <= FRAME_MAX_BYTES ? photo_extension (data, len) : NULL;
  g_autofree char *sha = NULL, *path = NULL, *folder = NULL;

  if (ext == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "image: %" G_GSIZE_FORMAT " bytes that are not a JPEG or PNG photo of at most %d bytes",
                   len, FRAME_MAX_BYTES);
      return FALSE;
    }
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, image);
  path = return_photo_path (l, sha, ext);
  /* Named by its content: a file already there holds these very bytes. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      folder = g_path_get_dirname (path);
      if (g_mkdir_with_parents (folder, 0750) != 0)
        {
          int saved = errno;
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB, "image: %s: %s", folder,
                       g_strerror (saved));
          return FALSE;
        }
      if (!g_file_set_contents (path, (const char *) data, (gssize) len, error))
        return FALSE;
    }
  *out_sha = g_steal_pointer (&sha);
  return TRUE;
}

char *
canteen_waste_get_return_photo (CanteenLedger *l, const char *return_id, GError **error)
{
  static const char * const extensions[] = { "jpg", "png" };
  g_autofree char *sha = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!canteen_check_key (return_id, "return", error))
    return NULL;
  stmt = ledger_stmt (l, "SELECT image_sha256 FROM tray_returns WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, return_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    sha = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ledger_set_db_error (l, error, "looking up a returned tray");
      return NULL;
    }
  if (sha == NULL)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   rc == SQLITE_DONE ? "return %s: not recorded" : "return %s: no photo was kept", return_id);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      g_autofree char *path = return_photo_path (l, sha, extensions[i]);
      g_autofree char *contents = NULL, *actual = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
      if (!g_str_equal (actual, sha))
        {
          g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT,
                       "return %s: the photo file %s does not match its SHA-256", return_id, path);
          return NULL;
        }
      return g_steal_pointer (&path);
    }
  g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
               "return %s: the photo file is gone", return_id);
  return NULL;
}

/* ---- the tray a checkout was served on ------------------------------------ */

static gboolean
check_tray_tag (const char *tag, GError **error)
{
  gsize len = tag != NULL ? strlen (tag) : 0;

  if (len == 0 || len > CANTEEN_TRAY_TAG_MAX || strspn (tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != len)
    {
      g_autofree char *shown = canteen_text_excerpt (tag != NULL ? tag : "", 40);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "tray tag \"%s\": 1..%d of A-Z, 0-9 and '-' expected", shown, CANTEEN_TRAY_TAG_MAX);
      return FALSE;
    }
  return TRUE;
}

char *
canteen_ledger_get_checkout_tray (CanteenLedger *l, const char *checkout_id, GError **error)
{
  char *tag = NULL;

  if (canteen_check_key (checkout_id, "checkout", error))
    ledger_lookup_text (l, "SELECT tray_tag FROM checkout_trays WHERE checkout_id = ?1", checkout_id,
                        "reading a checkout's tray", &tag, error);
  return tag;
}

gboolean
canteen_ledger_set_checkout_tray (CanteenLedger *l, const char *checkout_id, const char *tray_tag, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = ledger_utc_string (now);
  g_autofree char *kept = NULL;
  sqlite3_stmt *stmt;

  if (!canteen_check_key (checkout_id, "checkout", error) || !check_tray_tag (tray_tag, error)
      || !ledger_lookup_text (l, "SELECT tray_tag FROM checkout_trays WHERE checkout_id = ?1", checkout_id,
                              "reading a checkout's tray", &kept, error))
    return FALSE;
  if (kept != NULL)
    {
      if (g_str_equal (kept, tray_tag))
        return TRUE;
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT,
                   "checkout %s was served on tray %s, not %s", checkout_id, kept, tray_tag);
      return FALSE;
    }

  stmt = ledger_stmt (l, "INSERT INTO checkout_trays (checkout_id, tray_tag, created_utc) "
                         "SELECT id, ?2, ?3 FROM checkouts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, checkout_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, tray_tag, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, created, -1, SQLITE_STATIC);
  if (!ledger_step_done (l, stmt, "recording a checkout's tray", error))
    return FALSE;
  if (sqlite3_changes (l->db) == 0)
    {
      g_set_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND,
                   "checkout %s: no such checkout", checkout_id);
      return FALSE;
    }
  return TRUE;
}
