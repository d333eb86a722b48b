/* dish-button.h — a large touch button for one dish on today's menu.
 *
 * Contract: shows the dish's Chinese name (large), English name (small) and
 * staff price (per 100 g for weighed dishes); activates
 * app.add-dish(dish id). It keeps no reference to the dish.
 */
#pragma once

#include <gtk/gtk.h>

#include "dish.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_DISH_BUTTON (canteen_dish_button_get_type ())
G_DECLARE_FINAL_TYPE (CanteenDishButton, canteen_dish_button, CANTEEN, DISH_BUTTON, GtkButton)

GtkWidget *canteen_dish_button_new (const CanteenDish *dish);

G_END_DECLS
