/* waste-chart.h — a small chart for the manager dashboard: one series by
 * day (a line) or by group (bars), each against the previous period.
 *
 * Contract: draws with cairo and Pango, the same drawing on screen (through
 * gtk_snapshot_append_cairo) and into a PNG (a cairo image surface, so an
 * export needs no window and no renderer). Values are plain numbers in
 * `unit`; NAN is "no figure" (a gap in the line, no bar). Labels and titles
 * are shown as given (the caller translates them). With no figure at all
 * the chart says so instead of drawing empty axes.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  CANTEEN_WASTE_CHART_LINE,
  CANTEEN_WASTE_CHART_BARS,
} CanteenWasteChartKind;

#define CANTEEN_TYPE_WASTE_CHART (canteen_waste_chart_get_type ())
G_DECLARE_FINAL_TYPE (CanteenWasteChart, canteen_waste_chart, CANTEEN, WASTE_CHART, GtkWidget)

GtkWidget *canteen_waste_chart_new (CanteenWasteChartKind kind);
void       canteen_waste_chart_set_kind  (CanteenWasteChart *self, CanteenWasteChartKind kind);
void       canteen_waste_chart_set_title (CanteenWasteChart *self, const char *title, const char *unit);
/* `labels` and `values` have n entries; `previous` (nullable) too, aligned
 * by position (day 1 with day 1 of the previous period). */
void       canteen_waste_chart_set_data  (CanteenWasteChart *self, guint n, const char * const *labels,
                                          const double *values, const double *previous,
                                          const char *current_name, const char *previous_name);
guint      canteen_waste_chart_get_n_values (CanteenWasteChart *self);
/* Draws the chart at width × height pixels into a PNG at `path`. */
gboolean   canteen_waste_chart_save_png (CanteenWasteChart *self, const char *path, int width, int height,
                                         GError **error);

G_END_DECLS
