/* kiosk-i18n.c — locale setup and the run-time language switch. */
#include "kiosk-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

static const char *current_language = CANTEEN_KIOSK_DEFAULT_LANGUAGE;

void
canteen_kiosk_i18n_init (void)
{
  static gboolean done = FALSE;
  const char *locale;
  const char *dir;

  if (done)
    return;
  done = TRUE;
  locale = setlocale (LC_ALL, "");
  dir = g_getenv ("CANTEEN_LOCALEDIR");

  /* glibc ignores LANGUAGE under the "C" locale, and kiosks often boot with
   * no LANG at all; C.UTF-8 honours LANGUAGE and keeps text UTF-8. */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : CANTEEN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Now, not later: g_dgettext() (used by GtkBuilder for every .ui
   * string) decides once, on its first call, whether to translate at all,
   * and under C.UTF-8 it says no for good if our catalogue did not answer
   * then. Setting the language first makes the catalogue answer. */
  canteen_kiosk_i18n_set_language (current_language);
}

gboolean
canteen_kiosk_i18n_is_supported (const char *language)
{
  return g_strcmp0 (language, "zh_CN") == 0 || g_strcmp0 (language, "en") == 0;
}

void
canteen_kiosk_i18n_set_language (const char *language)
{
  g_return_if_fail (canteen_kiosk_i18n_is_supported (language));

  current_language = g_str_equal (language, "en") ? "en" : "zh_CN";
  /* Chinese is the default whatever the system locale says, so LANGUAGE is
   * always set explicitly. "en" has no catalogue: the msgids are English. */
  g_setenv ("LANGUAGE", current_language, TRUE);
  /* Calling textdomain() again makes glibc drop its cached translations. */
  textdomain (GETTEXT_PACKAGE);
}

const char *
canteen_kiosk_i18n_get_language (void)
{
  return current_language;
}
