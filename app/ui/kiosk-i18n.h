/* kiosk-i18n.h — the kiosk's language: Simplified Chinese unless told otherwise.
 *
 * Contract: canteen_kiosk_i18n_init() acts once (later calls do nothing),
 * on the main thread, before any widget exists;
 * it sets the C locale from the environment (falling back to C.UTF-8 so
 * LANGUAGE is honoured), binds the "canteen" text domain to
 * $CANTEEN_LOCALEDIR or the installed locale dir, in UTF-8, and selects the
 * default language (Chinese). Call it before anything translates: GLib's
 * g_dgettext() caches on its first call whether translation is on.
 * canteen_kiosk_i18n_set_language() switches gettext at run time; strings
 * fetched afterwards are in the new language, widgets already built are not
 * (the application rebuilds its window for that).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_KIOSK_DEFAULT_LANGUAGE "zh_CN"

void        canteen_kiosk_i18n_init (void);
gboolean    canteen_kiosk_i18n_is_supported (const char *language);
/* `language` must be supported ("zh_CN" or "en"). */
void        canteen_kiosk_i18n_set_language (const char *language);
const char *canteen_kiosk_i18n_get_language (void);

G_END_DECLS
