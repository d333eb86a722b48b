/* dashboard-window.c — the manager dashboard's window: sign-in and board. */
#include "dashboard-window.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ui-resources.h"

/* The key figures: which report indicators get a card, and whether less
 * (-1) or more (+1) is the good direction (0: neither), for the colour of
 * the change. */
typedef enum { SHOW_GRAMS, SHOW_PERCENT, SHOW_COUNT, SHOW_KG } Show;
typedef struct {
  const char *key;
  const char *title;
  const char *unit;
  Show        show;
  int         better;
} Kpi;

static const Kpi kpis[] = {
  { "waste_g_per_meal",        N_("Leftovers per diner per meal"), N_("g"),     SHOW_GRAMS,   -1 },
  { "clean_plate_rate",        N_("Clean-plate rate"),             NULL,        SHOW_PERCENT, +1 },
  { "leftover_rate",           N_("Share of food served left"),    NULL,        SHOW_PERCENT, -1 },
  { "diners",                  N_("Diners"),                       N_("meals"), SHOW_COUNT,    0 },
  { "returns",                 N_("Trays weighed"),                N_("trays"), SHOW_COUNT,    0 },
  { "kitchen_waste_g_per_day", N_("Kitchen waste per day"),        N_("kg"),    SHOW_KG,      -1 },
};

struct _CanteenDashboardWindow
{
  GtkWindow          parent_instance;

  GtkStack          *stack;
  GtkEntry          *manager_entry;
  GtkPasswordEntry  *pin_entry;
  GtkGrid           *keypad;
  GtkLabel          *login_problem;
  GtkButton         *login_button;
  GtkSpinner        *login_spinner;
  GtkLabel          *login_hint;
  GtkButton         *demo_card_button;
  GtkLabel          *span_label;
  GtkBox            *cards_box;
  CanteenWasteChart *day_chart;
  CanteenWasteChart *meal_chart;
  CanteenWasteChart *category_chart;
  GtkGrid           *dishes_grid;
  GtkGrid           *diners_grid;
  GtkBox            *alerts_box;
  GtkLabel          *export_label;

  GtkLabel          *kpi_value[G_N_ELEMENTS (kpis)];
  GtkLabel          *kpi_change[G_N_ELEMENTS (kpis)];
  GtkLabel          *kpi_note[G_N_ELEMENTS (kpis)];
};

G_DEFINE_FINAL_TYPE (CanteenDashboardWindow, canteen_dashboard_window, GTK_TYPE_WINDOW)

/* ---- sign-in ------------------------------------------------------------- */

static void
login_clicked_cb (CanteenDashboardWindow *self)
{
  const char *id = gtk_editable_get_text (GTK_EDITABLE (self->manager_entry));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "manager-login",
                                    g_variant_new ("(ss)", id, pin));
}

static void
keypad_clicked_cb (GtkButton *button, CanteenDashboardWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "key");
  GtkEditable *pin = GTK_EDITABLE (self->pin_entry);

  if (g_str_equal (key, "back"))
    {
      int len = (int) g_utf8_strlen (gtk_editable_get_text (pin), -1);
      if (len > 0)
        gtk_editable_delete_text (pin, len - 1, len);
    }
  else if (g_str_equal (key, "clear"))
    gtk_editable_set_text (pin, "");
  else
    {
      int position = -1;
      gtk_editable_insert_text (pin, key, -1, &position);
    }
}

static void
build_keypad (CanteenDashboardWindow *self)
{
  static const char * const keys[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *label = g_str_equal (keys[i], "clear") ? _("Clear")
                        : g_str_equal (keys[i], "back") ? "⌫" : keys[i];
      GtkWidget *button = gtk_button_new_with_label (label);

      g_object_set_data (G_OBJECT (button), "key", (gpointer) keys[i]);
      gtk_widget_add_css_class (button, "keypad-key");
      gtk_widget_set_focusable (button, FALSE);
      g_signal_connect (button, "clicked", G_CALLBACK (keypad_clicked_cb), self);
      gtk_grid_attach (self->keypad, button, (int) (i % 3), (int) (i / 3), 1, 1);
    }
}

void
canteen_dashboard_window_show_login (CanteenDashboardWindow *self)
{
  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->manager_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  canteen_dashboard_window_set_login_problem (self, NULL);
  canteen_dashboard_window_set_checking (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "login");
  gtk_widget_grab_focus (GTK_WIDGET (self->manager_entry));
}

void
canteen_dashboard_window_set_checking (CanteenDashboardWindow *self, gboolean checking)
{
  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), !checking);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), !checking);
  gtk_widget_set_visible (GTK_WIDGET (self->login_spinner), checking);
  gtk_spinner_set_spinning (self->login_spinner, checking);
}

void
canteen_dashboard_window_set_login_problem (CanteenDashboardWindow *self, const char *problem)
{
  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_label_set_text (self->login_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->login_problem), problem != NULL);
  /* A PIN is never left on the screen, right or wrong. */
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
}

void
canteen_dashboard_window_set_demo_card (CanteenDashboardWindow *self, const char *card, const char *name)
{
  g_autofree char *label = NULL;

  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_widget_set_visible (GTK_WIDGET (self->demo_card_button), card != NULL);
  if (card == NULL)
    return;
  /* TRANSLATORS: demo button on the manager sign-in page: the manager's name, then the card id. */
  label = g_strdup_printf (_("Demo: tap %s's manager card (%s)"), name != NULL ? name : "", card);
  gtk_button_set_label (self->demo_card_button, label);
  /* Target first: an action name with no target of its type is refused. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->demo_card_button), g_variant_new_string (card));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->demo_card_button), "app.demo-manager-card");
}

void
canteen_dashboard_window_show_board (CanteenDashboardWindow *self)
{
  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "board");
}

/* ---- the board ------------------------------------------------------------ */

static double
number_member (JsonObject *o, const char *key)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, key) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) == G_TYPE_STRING)
    return NAN;
  return json_node_get_double (node);
}

static JsonArray *
array_member (JsonObject *o, const char *key)
{
  return o != NULL && json_object_has_member (o, key) ? json_object_get_array_member (o, key) : NULL;
}

static char *
format_value (Show show, double v)
{
  if (isnan (v))
    return g_strdup ("—");
  switch (show)
    {
    case SHOW_GRAMS:   return g_strdup_printf ("%.1f", v);
    case SHOW_PERCENT: return g_strdup_printf ("%.1f%%", v * 100.0);
    case SHOW_KG:      return g_strdup_printf ("%.1f", v / 1000.0);
    case SHOW_COUNT:
    default:           return g_strdup_printf ("%.0f", v);
    }
}

/* "▲ 12.3% vs previous period", coloured by whether that is good news. */
static void
set_change (GtkLabel *label, double change_pct, double previous, int better)
{
  GtkWidget *w = GTK_WIDGET (label);
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (w, "change-good");
  gtk_widget_remove_css_class (w, "change-bad");
  if (isnan (change_pct))
    {
      /* A change from zero has no percentage; from nothing, no comparison. */
      gtk_label_set_text (label, !isnan (previous) && previous == 0.0 ? _("Previous period was zero")
                                                                      : _("No previous figure to compare"));
      return;
    }
  /* TRANSLATORS: the change of a figure against the previous period; %s is ▲, ▼ or ＝. */
  text = g_strdup_printf (_("%s %.1f%% vs previous period"),
                          change_pct > 0 ? "▲" : change_pct < 0 ? "▼" : "＝", fabs (change_pct));
  gtk_label_set_text (label, text);
  if (better != 0 && change_pct != 0)
    gtk_widget_add_css_class (w, (change_pct > 0) == (better > 0) ? "change-good" : "change-bad");
}

static void
build_cards (CanteenDashboardWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (kpis); i++)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *title = gtk_label_new (_(kpis[i].title));
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *value = gtk_label_new ("—");
      GtkWidget *unit = gtk_label_new (kpis[i].unit != NULL ? _(kpis[i].unit) : "");
      GtkWidget *change = gtk_label_new ("");
      GtkWidget *note = gtk_label_new ("");

      gtk_widget_add_css_class (card, "kpi-card");
      gtk_widget_add_css_class (title, "kpi-title");
      gtk_widget_add_css_class (value, "kpi-value");
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (unit, "kpi-unit");
      gtk_widget_add_css_class (change, "kpi-change");
      gtk_widget_add_css_class (note, "kpi-note");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_xalign (GTK_LABEL (change), 0);
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_label_set_wrap (GTK_LABEL (change), TRUE);
      gtk_widget_set_valign (unit, GTK_ALIGN_BASELINE);
      gtk_widget_set_valign (value, GTK_ALIGN_BASELINE);
      gtk_box_append (GTK_BOX (row), value);
      gtk_box_append (GTK_BOX (row), unit);
      gtk_box_append (GTK_BOX (card), title);
      gtk_box_append (GTK_BOX (card), row);
      gtk_box_append (GTK_BOX (card), change);
      gtk_box_append (GTK_BOX (card), note);
      gtk_box_append (self->cards_box, card);
      self->kpi_value[i] = GTK_LABEL (value);
      self->kpi_change[i] = GTK_LABEL (change);
      self->kpi_note[i] = GTK_LABEL (note);
    }
}

static void
fill_cards (CanteenDashboardWindow *self, JsonObject *indicators)
{
  for (guint i = 0; i < G_N_ELEMENTS (kpis); i++)
    {
      JsonObject *ind = indicators != NULL && json_object_has_member (indicators, kpis[i].key)
                      ? json_object_get_object_member (indicators, kpis[i].key) : NULL;
      g_autofree char *value = format_value (kpis[i].show, number_member (ind, "value"));
      g_autofree char *previous = format_value (kpis[i].show, number_member (ind, "previous"));
      g_autofree char *note = NULL;

      gtk_label_set_text (self->kpi_value[i], value);
      set_change (self->kpi_change[i], number_member (ind, "change_pct"), number_member (ind, "previous"),
                  kpis[i].better);
      if (g_str_equal (kpis[i].key, "diners") && indicators != NULL
          && json_object_has_member (indicators, "diners_planned"))
        {
          g_autofree char *planned = format_value (SHOW_COUNT,
              number_member (json_object_get_object_member (indicators, "diners_planned"), "value"));
          note = g_strdup_printf (_("Planned %s · previous %s"), planned, previous);
        }
      else if (g_str_equal (kpis[i].key, "returns") && indicators != NULL
               && json_object_has_member (indicators, "unmatched_returns"))
        {
          g_autofree char *unmatched = format_value (SHOW_COUNT,
              number_member (json_object_get_object_member (indicators, "unmatched_returns"), "value"));
          note = g_strdup_printf (_("Unmatched %s · previous %s"), unmatched, previous);
        }
      else
        note = g_strdup_printf (_("Previous period %s"), previous);
      gtk_label_set_text (self->kpi_note[i], note);
    }
}

/* Per day of the span, the leftover grams of all trays over the trays
 * (as waste_g_per_meal is over the whole span); NAN for a day without one. */
static double *
waste_by_day (JsonObject *report, guint *out_n, GPtrArray *labels)
{
  GDate from, to;
  JsonArray *rows = array_member (report, "by_meal");
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  *out_n = 0;
  if (report == NULL)
    return NULL;
  g_date_clear (&from, 1);
  g_date_clear (&to, 1);
  g_date_set_parse (&from, json_object_get_string_member (report, "from"));
  g_date_set_parse (&to, json_object_get_string_member (report, "to"));
  if (!g_date_valid (&from) || !g_date_valid (&to))
    return NULL;
  for (GDate d = from; g_date_compare (&d, &to) <= 0; g_date_add_days (&d, 1))
    {
      char day[16], label[16];
      gint64 leftover = 0, returns = 0;
      double v;

      g_date_strftime (day, sizeof day, "%Y-%m-%d", &d);
      g_date_strftime (label, sizeof label, "%m-%d", &d);
      for (guint r = 0; rows != NULL && r < json_array_get_length (rows); r++)
        {
          JsonObject *row = json_array_get_object_element (rows, r);
          if (g_str_equal (json_object_get_string_member (row, "day"), day))
            {
              leftover += json_object_get_int_member (row, "leftover_g");
              returns += json_object_get_int_member (row, "returns");
            }
        }
      v = returns > 0 ? round ((double) leftover / (double) returns * 10.0) / 10.0 : (double) NAN;
      g_array_append_val (values, v);
      if (labels != NULL)
        g_ptr_array_add (labels, g_strdup (label));
    }
  *out_n = values->len;
  return (double *) g_array_free (g_steal_pointer (&values), FALSE);
}

static const char * const meal_ids[] = { "breakfast", "lunch", "dinner" };

static void
waste_by_meal (JsonObject *report, double out[3])
{
  JsonArray *rows = array_member (report, "by_meal");

  for (guint m = 0; m < 3; m++)
    {
      gint64 leftover = 0, returns = 0;
      for (guint r = 0; rows != NULL && r < json_array_get_length (rows); r++)
        {
          JsonObject *row = json_array_get_object_element (rows, r);
          if (g_str_equal (json_object_get_string_member (row, "period"), meal_ids[m]))
            {
              leftover += json_object_get_int_member (row, "leftover_g");
              returns += json_object_get_int_member (row, "returns");
            }
        }
      out[m] = returns > 0 ? round ((double) leftover / (double) returns * 10.0) / 10.0 : (double) NAN;
    }
}

static void
fill_charts (CanteenDashboardWindow *self, JsonObject *report, JsonObject *previous)
{
  const char *now_name = _("This period"), *before_name = _("Previous period");
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint n = 0, n_before = 0;
  g_autofree double *days = waste_by_day (report, &n, labels);
  g_autofree double *days_before = waste_by_day (previous, &n_before, NULL);
  g_autofree double *aligned = NULL;

  /* Day i of this period against day i of the previous one. */
  if (days_before != NULL)
    {
      aligned = g_new (double, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        aligned[i] = i < n_before ? days_before[i] : (double) NAN;
    }
  canteen_waste_chart_set_title (self->day_chart, _("Leftovers per diner per meal, by day"), _("g"));
  canteen_waste_chart_set_data (self->day_chart, n, (const char * const *) labels->pdata, days, aligned,
                                now_name, aligned != NULL ? before_name : NULL);

  {
    const char *meal_labels[3] = { _("Breakfast"), _("Lunch"), _("Dinner") };
    double now[3], before[3];

    waste_by_meal (report, now);
    waste_by_meal (previous, before);
    canteen_waste_chart_set_title (self->meal_chart, _("Leftovers per diner per meal, by meal period"), _("g"));
    canteen_waste_chart_set_data (self->meal_chart, 3, meal_labels, now, previous != NULL ? before : NULL,
                                  now_name, before_name);
  }

  {
    JsonArray *rows = array_member (report, "by_category");
    guint count = rows != NULL ? json_array_get_length (rows) : 0;
    g_autofree const char **names = g_new0 (const char *, count + 1);
    g_autofree double *now = g_new0 (double, count + 1);
    g_autofree double *before = g_new0 (double, count + 1);

    for (guint i = 0; i < count; i++)
      {
        JsonObject *row = json_array_get_object_element (rows, i);
        names[i] = json_object_get_string_member (row, "category");
        now[i] = number_member (row, "leftover_g");
        before[i] = number_member (row, "previous_leftover_g");
      }
    canteen_waste_chart_set_title (self->category_chart, _("Leftovers by dish category"), _("g"));
    canteen_waste_chart_set_data (self->category_chart, count, names, now, before, now_name, before_name);
  }
}

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
grid_cell (GtkGrid *grid, int column, int row, const char *text, gboolean header, gboolean number)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), number ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, header ? "table-header" : "table-cell");
  if (number)
    gtk_widget_add_css_class (label, "numeric");
  gtk_widget_set_hexpand (label, column == 0);
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

static void
fill_dishes (CanteenDashboardWindow *self, JsonObject *report)
{
  JsonArray *rows = array_member (report, "top_dishes");
  const char *headers[] = { _("Dish"), _("Category"), _("Left (g)"), _("Left rate"), _("Previous (g)") };
  guint count = rows != NULL ? MIN (json_array_get_length (rows), 7u) : 0;

  clear_grid (self->dishes_grid);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_cell (self->dishes_grid, (int) c, 0, headers[c], TRUE, c >= 2);
  for (guint i = 0; i < count; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autofree char *left = format_value (SHOW_COUNT, number_member (row, "leftover_g"));
      g_autofree char *rate = format_value (SHOW_PERCENT, number_member (row, "leftover_rate"));
      g_autofree char *before = format_value (SHOW_COUNT, number_member (row, "previous_leftover_g"));
      const char *name = json_object_has_member (row, "name") && !json_object_get_null_member (row, "name")
                       ? json_object_get_string_member (row, "name") : json_object_get_string_member (row, "dish");

      grid_cell (self->dishes_grid, 0, (int) i + 1, name, FALSE, FALSE);
      grid_cell (self->dishes_grid, 1, (int) i + 1, json_object_get_string_member (row, "category"), FALSE, FALSE);
      grid_cell (self->dishes_grid, 2, (int) i + 1, left, FALSE, TRUE);
      grid_cell (self->dishes_grid, 3, (int) i + 1, rate, FALSE, TRUE);
      grid_cell (self->dishes_grid, 4, (int) i + 1, before, FALSE, TRUE);
    }
  if (count == 0)
    grid_cell (self->dishes_grid, 0, 1, _("No leftovers were attributed to a dish."), FALSE, FALSE);
}

static void
fill_diners (CanteenDashboardWindow *self, JsonObject *report)
{
  JsonArray *rows = array_member (report, "kitchen");
  const char *headers[] = { _("Day"), _("Planned"), _("Actual"), _("Difference") };
  guint count = rows != NULL ? json_array_get_length (rows) : 0;

  clear_grid (self->diners_grid);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_cell (self->diners_grid, (int) c, 0, headers[c], TRUE, c >= 1);
  /* The most recent days: the rest are in the CSV. */
  for (guint i = count > 7 ? count - 7 : 0, r = 1; i < count; i++, r++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gint64 planned = json_object_get_int_member (row, "diners_planned");
      gint64 actual = json_object_get_int_member (row, "diners");
      g_autofree char *p = g_strdup_printf ("%" G_GINT64_FORMAT, planned);
      g_autofree char *a = g_strdup_printf ("%" G_GINT64_FORMAT, actual);
      g_autofree char *d = g_strdup_printf ("%+" G_GINT64_FORMAT, actual - planned);

      grid_cell (self->diners_grid, 0, (int) r, json_object_get_string_member (row, "day"), FALSE, FALSE);
      grid_cell (self->diners_grid, 1, (int) r, p, FALSE, TRUE);
      grid_cell (self->diners_grid, 2, (int) r, a, FALSE, TRUE);
      grid_cell (self->diners_grid, 3, (int) r, d, FALSE, TRUE);
    }
  if (count == 0)
    grid_cell (self->diners_grid, 0, 1, _("The kitchen recorded no figures in this period."), FALSE, FALSE);
}

static void
fill_alerts (CanteenDashboardWindow *self, JsonObject *report)
{
  JsonObject *portions = report != NULL && json_object_has_member (report, "portions")
                       ? json_object_get_object_member (report, "portions") : NULL;
  JsonArray *alerts = array_member (portions, "alerts");
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->alerts_box));
  guint count = alerts != NULL ? json_array_get_length (alerts) : 0;

  /* Everything below the panel's title goes. */
  child = child != NULL ? gtk_widget_get_next_sibling (child) : NULL;
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);
      gtk_box_remove (self->alerts_box, child);
      child = next;
    }
  for (guint i = 0; i < MIN (count, 6u); i++)
    {
      JsonObject *alert = json_array_get_object_element (alerts, i);
      GtkWidget *label = gtk_label_new (json_object_get_string_member (alert, "text"));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "drift-alert");
      gtk_box_append (self->alerts_box, label);
    }
  if (count == 0)
    {
      GtkWidget *label = gtk_label_new (_("No dish is drifting from its standard portion."));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "table-cell");
      gtk_box_append (self->alerts_box, label);
    }
}

void
canteen_dashboard_window_set_report (CanteenDashboardWindow *self, const char *manager_name, JsonNode *report,
                                     JsonNode *previous, const char *problem)
{
  JsonObject *o = report != NULL ? json_node_get_object (report) : NULL;
  JsonObject *p = previous != NULL ? json_node_get_object (previous) : NULL;
  g_autofree char *span = NULL;

  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));

  if (o != NULL)
    /* TRANSLATORS: the dashboard's span: from, to, the compared span's from and to, the manager's name. */
    span = g_strdup_printf (_("%s to %s · compared with %s to %s · %s"),
                            json_object_get_string_member (o, "from"), json_object_get_string_member (o, "to"),
                            json_object_get_string_member (o, "previous_from"),
                            json_object_get_string_member (o, "previous_to"), manager_name != NULL ? manager_name : "");
  else
    span = g_strdup_printf (_("The figures could not be read: %s"), problem != NULL ? problem : "");
  gtk_label_set_text (self->span_label, span);
  fill_cards (self, o != NULL && json_object_has_member (o, "indicators")
                    ? json_object_get_object_member (o, "indicators") : NULL);
  fill_charts (self, o, p);
  fill_dishes (self, o);
  fill_diners (self, o);
  fill_alerts (self, o);
}

void
canteen_dashboard_window_set_export_note (CanteenDashboardWindow *self, const char *note)
{
  g_return_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self));
  gtk_label_set_text (self->export_label, note != NULL ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->export_label), note != NULL);
}

gboolean
canteen_dashboard_window_export_charts (CanteenDashboardWindow *self, const char *dir, const char *prefix,
                                        GPtrArray *written, GError **error)
{
  struct { const char *name; CanteenWasteChart *chart; } charts[] = {
    { "waste-by-day", self->day_chart },
    { "waste-by-meal", self->meal_chart },
    { "leftovers-by-category", self->category_chart },
  };

  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s-%s.png", prefix, charts[i].name);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      if (!canteen_waste_chart_save_png (charts[i].chart, path, 1200, 600, error))
        return FALSE;
      g_ptr_array_add (written, g_steal_pointer (&path));
    }
  return TRUE;
}

/* ---- the widget ------------------------------------------------------------- */

static void
canteen_dashboard_window_class_init (CanteenDashboardWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (CANTEEN_TYPE_WASTE_CHART);
  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "dashboard-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, manager_entry);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, keypad);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, login_problem);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, login_button);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, login_spinner);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, login_hint);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, demo_card_button);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, span_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, cards_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, day_chart);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, meal_chart);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, category_chart);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, dishes_grid);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, diners_grid);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, alerts_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenDashboardWindow, export_label);
}

static void
canteen_dashboard_window_init (CanteenDashboardWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  canteen_waste_chart_set_kind (self->day_chart, CANTEEN_WASTE_CHART_LINE);
  canteen_waste_chart_set_kind (self->meal_chart, CANTEEN_WASTE_CHART_BARS);
  canteen_waste_chart_set_kind (self->category_chart, CANTEEN_WASTE_CHART_BARS);
  build_keypad (self);
  build_cards (self);
  g_signal_connect_swapped (self->login_button, "clicked", G_CALLBACK (login_clicked_cb), self);
  g_signal_connect_swapped (self->pin_entry, "activate", G_CALLBACK (login_clicked_cb), self);
}

CanteenDashboardWindow *
canteen_dashboard_window_new (GtkApplication *app)
{
  return g_object_new (CANTEEN_TYPE_DASHBOARD_WINDOW, "application", app, NULL);
}

const char *
canteen_dashboard_window_get_page (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static gint
kpi_index (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (kpis); i++)
    if (g_strcmp0 (kpis[i].key, key) == 0)
      return (gint) i;
  return -1;
}

const char *
canteen_dashboard_window_get_indicator_text (CanteenDashboardWindow *self, const char *key)
{
  gint i = kpi_index (key);

  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return i >= 0 ? gtk_label_get_text (self->kpi_value[i]) : NULL;
}

const char *
canteen_dashboard_window_get_change_text (CanteenDashboardWindow *self, const char *key)
{
  gint i = kpi_index (key);

  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return i >= 0 ? gtk_label_get_text (self->kpi_change[i]) : NULL;
}

const char *
canteen_dashboard_window_get_login_problem (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->login_problem)) ? gtk_label_get_text (self->login_problem) : NULL;
}

const char *
canteen_dashboard_window_get_span_text (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_label_get_text (self->span_label);
}

const char *
canteen_dashboard_window_get_export_note (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->export_label)) ? gtk_label_get_text (self->export_label) : NULL;
}

CanteenWasteChart *
canteen_dashboard_window_get_day_chart (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return self->day_chart;
}

const char *
canteen_dashboard_window_get_login_hint (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_label_get_text (self->login_hint);
}

GtkButton *
canteen_dashboard_window_get_demo_card_button (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->demo_card_button)) ? self->demo_card_button : NULL;
}

GtkEditable *
canteen_dashboard_window_get_manager_entry (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_EDITABLE (self->manager_entry);
}

GtkEditable *
canteen_dashboard_window_get_pin_entry (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return GTK_EDITABLE (self->pin_entry);
}

GtkButton *
canteen_dashboard_window_get_login_button (CanteenDashboardWindow *self)
{
  g_return_val_if_fail (CANTEEN_IS_DASHBOARD_WINDOW (self), NULL);
  return self->login_button;
}
