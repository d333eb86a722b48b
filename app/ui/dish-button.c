/* dish-button.c — template widget for a dish on the menu grid. */
#include "dish-button.h"

#include <glib/gi18n.h>

#include "money.h"
#include "ui-resources.h"

struct _CanteenDishButton
{
  GtkButton parent_instance;
  GtkLabel *name_label;
  GtkLabel *name_en_label;
  GtkLabel *price_label;
};

G_DEFINE_FINAL_TYPE (CanteenDishButton, canteen_dish_button, GTK_TYPE_BUTTON)

static void
canteen_dish_button_class_init (CanteenDishButtonClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "dish-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenDishButton, name_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenDishButton, name_en_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenDishButton, price_label);
}

static void
canteen_dish_button_init (CanteenDishButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
canteen_dish_button_new (const CanteenDish *dish)
{
  CanteenDishButton *self;
  g_autofree char *price = NULL;
  gboolean has_en;

  g_return_val_if_fail (dish != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_DISH_BUTTON, NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self), "s", dish->id);

  gtk_label_set_text (self->name_label, dish->name);
  has_en = dish->name_en != NULL && *dish->name_en != '\0';
  gtk_label_set_text (self->name_en_label, has_en ? dish->name_en : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_en_label), has_en);

  if (canteen_dish_is_weighed (dish))
    {
      g_autofree char *per100 = canteen_fen_format (dish->price_per_100g_fen);
      /* Translators: price of a dish sold by weight; %s is "¥3.00". */
      price = g_strdup_printf (_("%s / 100 g"), per100);
    }
  else
    price = canteen_fen_format (dish->price_fen);
  gtk_label_set_text (self->price_label, price);
  return GTK_WIDGET (self);
}
