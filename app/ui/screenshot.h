/* screenshot.h — saves what a widget shows as a PNG.
 *
 * Contract: renders the widget as it is now (its paintable, through the
 * renderer of its window) into `path`; FALSE with an error when the widget
 * is not realized, has no size yet, or the file cannot be written. Used by
 * app.screenshot so tests and support staff can see the screen.
 *
 * _after_frame() waits for the next painted frame first, so a page changed
 * just before is laid out; it reports failures with g_message() (it runs
 * for an action, which has nobody to return an error to).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean canteen_widget_save_png             (GtkWidget *widget, const char *path, GError **error);
void     canteen_widget_save_png_after_frame (GtkWidget *widget, const char *path);

G_END_DECLS
