/* ui-resources.h — makes the kiosk's GResource (templates, CSS) available.
 *
 * Contract: canteen_ui_resources_ensure() may be called any number of times
 * from any thread; after it returns, /cn/gov/canteen/Kiosk/... resolves.
 * Every template widget calls it from class_init, so a program (or test)
 * that uses a single widget works without the application.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_UI_RESOURCE_PATH "/cn/gov/canteen/Kiosk/ui/"

void canteen_ui_resources_ensure (void);

G_END_DECLS
