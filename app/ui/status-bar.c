/* status-bar.c — template widget for the bottom status line. */
#include "status-bar.h"

#include <glib/gi18n.h>

#include "ui-resources.h"

struct _CanteenStatusBar
{
  GtkBox    parent_instance;
  GtkLabel *terminal_label;
  GtkLabel *database_label;
  GtkLabel *demo_label;
  GtkLabel *version_label;
};

G_DEFINE_FINAL_TYPE (CanteenStatusBar, canteen_status_bar, GTK_TYPE_BOX)

static void
canteen_status_bar_class_init (CanteenStatusBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "status-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, terminal_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, database_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, demo_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenStatusBar, version_label);
}

static void
canteen_status_bar_init (CanteenStatusBar *self)
{
  g_autofree char *version = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  version = g_strdup_printf ("v%s", CANTEEN_VERSION);
  gtk_label_set_text (self->version_label, version);
  canteen_status_bar_set_terminal (self, NULL);
  canteen_status_bar_set_database_state (self, NULL);
}

void
canteen_status_bar_set_terminal (CanteenStatusBar *self, const char *terminal)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  /* Translators: %s is the terminal id, e.g. "T01". */
  text = g_strdup_printf (_("Terminal %s"), terminal != NULL && *terminal != '\0' ? terminal : "—");
  gtk_label_set_text (self->terminal_label, text);
}

void
canteen_status_bar_set_database_state (CanteenStatusBar *self, const char *problem)
{
  GtkWidget *label;

  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));

  label = GTK_WIDGET (self->database_label);
  if (problem == NULL)
    {
      gtk_label_set_text (self->database_label, _("Database ready"));
      gtk_widget_remove_css_class (label, "error");
      gtk_widget_set_tooltip_text (label, NULL);
    }
  else
    {
      g_autofree char *text = NULL;

      /* Translators: %s is the technical reason, shown for staff. */
      text = g_strdup_printf (_("Database problem: %s"), problem);
      gtk_label_set_text (self->database_label, text);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_set_tooltip_text (label, problem);
    }
}

void
canteen_status_bar_set_demo (CanteenStatusBar *self, gboolean demo)
{
  g_return_if_fail (CANTEEN_IS_STATUS_BAR (self));
  gtk_widget_set_visible (GTK_WIDGET (self->demo_label), demo);
}
