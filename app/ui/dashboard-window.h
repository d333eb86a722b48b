/* dashboard-window.h — the manager dashboard's window (issue 6).
 *
 * Contract: shows either the sign-in page (a line asking for a manager's
 * card or id and PIN, manager id, PIN with a keypad, the refusal, and in
 * demo mode a button that taps a manager's card) or the board: key figures with their change against the
 * previous period, charts of leftovers by day, by meal period and by dish
 * category (waste-chart.h), the most wasted dishes, diners planned and
 * actual, and portion drift alerts — all read from the JSON documents of
 * canteen_waste_report() (settlement/WASTE.md), never computed anew except
 * the per-day and per-meal-period sums of by_meal's rows. Every step is an
 * app action of kiosk-dashboard.c; "Sign in" activates app.manager-login
 * with what was typed; a card tap arrives through the reader, not through
 * this window (kiosk-dashboard.c routes it). All text comes from gettext when it is built.
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "waste-chart.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_DASHBOARD_WINDOW (canteen_dashboard_window_get_type ())
G_DECLARE_FINAL_TYPE (CanteenDashboardWindow, canteen_dashboard_window, CANTEEN, DASHBOARD_WINDOW, GtkWindow)

CanteenDashboardWindow *canteen_dashboard_window_new (GtkApplication *app);

/* The sign-in page, emptied. */
void canteen_dashboard_window_show_login        (CanteenDashboardWindow *self);
/* While the PIN is checked: the page stays, its buttons wait. */
void canteen_dashboard_window_set_checking      (CanteenDashboardWindow *self, gboolean checking);
/* NULL hides it. The PIN is cleared either way. */
void canteen_dashboard_window_set_login_problem (CanteenDashboardWindow *self, const char *problem);
/* Demo mode: a button activating app.demo-manager-card(`card`), labelled
 * with `name`; `card` NULL hides it. */
void canteen_dashboard_window_set_demo_card     (CanteenDashboardWindow *self, const char *card,
                                                 const char *name);
void canteen_dashboard_window_show_board        (CanteenDashboardWindow *self);
/* `report` and `previous` are canteen_waste_report() of the period and of
 * the one before it (previous may be NULL); `problem` (nullable) is shown
 * instead when the report could not be made. */
void canteen_dashboard_window_set_report        (CanteenDashboardWindow *self, const char *manager_name,
                                                 JsonNode *report, JsonNode *previous, const char *problem);
void canteen_dashboard_window_set_export_note   (CanteenDashboardWindow *self, const char *note);
/* Writes each chart as "<dir>/<prefix>-<chart>.png" (1200 × 600) and adds
 * the paths to `written`; FALSE at the first that fails. */
gboolean canteen_dashboard_window_export_charts (CanteenDashboardWindow *self, const char *dir, const char *prefix,
                                                 GPtrArray *written, GError **error);

/* For tests. */
const char *canteen_dashboard_window_get_page            (CanteenDashboardWindow *self);
/* The value shown for an indicator key of the report (e.g.
 * "waste_g_per_meal"), or NULL when it has no card. */
const char *canteen_dashboard_window_get_indicator_text  (CanteenDashboardWindow *self, const char *key);
const char *canteen_dashboard_window_get_change_text     (CanteenDashboardWindow *self, const char *key);
const char *canteen_dashboard_window_get_login_problem   (CanteenDashboardWindow *self);
const char *canteen_dashboard_window_get_span_text       (CanteenDashboardWindow *self);
const char *canteen_dashboard_window_get_export_note     (CanteenDashboardWindow *self);
CanteenWasteChart *canteen_dashboard_window_get_day_chart (CanteenDashboardWindow *self);
const char *canteen_dashboard_window_get_login_hint     (CanteenDashboardWindow *self);
/* The demo's manager card button, or NULL when it is hidden. */
GtkButton   *canteen_dashboard_window_get_demo_card_button (CanteenDashboardWindow *self);
GtkEditable *canteen_dashboard_window_get_manager_entry  (CanteenDashboardWindow *self);
GtkEditable *canteen_dashboard_window_get_pin_entry      (CanteenDashboardWindow *self);
GtkButton   *canteen_dashboard_window_get_login_button   (CanteenDashboardWindow *self);

G_END_DECLS
