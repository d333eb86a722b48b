/* status-bar.h — the bottom line: terminal id, ledger state, mode, version.
 *
 * Contract: a passive view fed by the window. It states facts staff need
 * when a diner calls them over ("which terminal", "is the database OK");
 * device states will be added here by the driver issues.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CANTEEN_TYPE_STATUS_BAR (canteen_status_bar_get_type ())
G_DECLARE_FINAL_TYPE (CanteenStatusBar, canteen_status_bar, CANTEEN, STATUS_BAR, GtkBox)

void canteen_status_bar_set_terminal       (CanteenStatusBar *self, const char *terminal);
/* `problem` NULL when the ledger is open and usable. */
void canteen_status_bar_set_database_state (CanteenStatusBar *self, const char *problem);
void canteen_status_bar_set_demo           (CanteenStatusBar *self, gboolean demo);

G_END_DECLS
