/* kiosk-header.c — template widget for the top bar. */
#include "kiosk-header.h"

#include <glib/gi18n.h>

#include "ui-resources.h"

struct _CanteenKioskHeader
{
  GtkBox    parent_instance;
  GtkLabel *canteen_label;
  GtkLabel *period_label;
  GtkLabel *clock_label;
};

G_DEFINE_FINAL_TYPE (CanteenKioskHeader, canteen_kiosk_header, GTK_TYPE_BOX)

static void
canteen_kiosk_header_class_init (CanteenKioskHeaderClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "kiosk-header.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskHeader, canteen_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskHeader, period_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenKioskHeader, clock_label);
}

static void
canteen_kiosk_header_init (CanteenKioskHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
canteen_kiosk_header_set_canteen_name (CanteenKioskHeader *self, const char *name)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_HEADER (self));
  gtk_label_set_text (self->canteen_label, name != NULL && *name != '\0' ? name : _("Canteen"));
}

const char *
canteen_meal_period_label (CanteenMealPeriod period)
{
  switch (period)
    {
    case CANTEEN_MEAL_BREAKFAST: return _("Breakfast");
    case CANTEEN_MEAL_LUNCH:     return _("Lunch");
    case CANTEEN_MEAL_DINNER:    return _("Dinner");
    case CANTEEN_MEAL_NONE:
    case CANTEEN_MEAL_N_PERIODS:
    default:                     return _("Outside meal hours");
    }
}

void
canteen_kiosk_header_set_period (CanteenKioskHeader *self, CanteenMealPeriod period)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_HEADER (self));

  gtk_label_set_text (self->period_label, canteen_meal_period_label (period));
  /* Off-hours is shown muted: sales work, but no meal subsidy applies. */
  if (period == CANTEEN_MEAL_NONE)
    gtk_widget_add_css_class (GTK_WIDGET (self->period_label), "off-hours");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->period_label), "off-hours");
}

void
canteen_kiosk_header_set_time (CanteenKioskHeader *self, GDateTime *local_time)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CANTEEN_IS_KIOSK_HEADER (self));
  g_return_if_fail (local_time != NULL);

  text = g_date_time_format (local_time, "%H:%M");
  if (g_strcmp0 (gtk_label_get_text (self->clock_label), text) != 0)
    gtk_label_set_text (self->clock_label, text);
}
