#include "dish.h"

#include "canteen-error.h"
#include "validate.h"

static const char * const categories[] = {
  "热菜", "凉菜", "主食", "汤", "面点", "小吃", "饮品", "水果", "其他", NULL
};

const char * const *
canteen_dish_categories (void)
{
  return categories;
}

gboolean
canteen_dish_category_is_known (const char *category)
{
  return category != NULL && g_strv_contains (categories, category);
}

CanteenDish *
canteen_dish_new (void)
{
  CanteenDish *dish = g_new0 (CanteenDish, 1);

  dish->price_per_100g_fen = -1;
  dish->kcal = -1;
  return dish;
}

CanteenDish *
canteen_dish_copy (const CanteenDish *dish)
{
  CanteenDish *copy = g_new (CanteenDish, 1);

  *copy = *dish;
  copy->id = g_strdup (dish->id);
  copy->name = g_strdup (dish->name);
  copy->name_en = g_strdup (dish->name_en);
  copy->category = g_strdup (dish->category);
  return copy;
}

void
canteen_dish_free (CanteenDish *dish)
{
  if (dish == NULL)
    return;
  g_free (dish->id);
  g_free (dish->name);
  g_free (dish->name_en);
  g_free (dish->category);
  g_free (dish);
}

gboolean
canteen_dish_is_weighed (const CanteenDish *dish)
{
  return dish->price_per_100g_fen >= 0;
}

static gboolean
check_range (gint64 value, gint64 min, gint64 max, const char *id, const char *field, GError **error)
{
  if (value < min || value > max)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "dish %s: %s is %" G_GINT64_FORMAT ", must be between %" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT, id, field, value, min, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_dish_validate (const CanteenDish *dish, GError **error)
{
  const char *id = dish->id ? dish->id : "?";

  if (!canteen_check_id (dish->id, "id", error))
    return FALSE;
  if (!canteen_check_name (dish->name, "name", error) ||
      (dish->name_en && *dish->name_en &&
       !canteen_check_name (dish->name_en, "name_en", error)))
    {
      g_prefix_error (error, "dish %s: ", id);
      return FALSE;
    }
  if (!canteen_dish_category_is_known (dish->category))
    {
      g_autofree char *known = g_strjoinv ("/", (char **) categories);
      g_autofree char *shown = canteen_text_excerpt (dish->category, 20);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "dish %s: category “%s” is not one of %s", id, shown, known);
      return FALSE;
    }
  return check_range (dish->price_fen, 0, CANTEEN_DISH_PRICE_MAX, id, "price_fen", error) &&
         check_range (dish->visitor_price_fen, 0, CANTEEN_DISH_PRICE_MAX, id, "visitor_price_fen", error) &&
         check_range (dish->portion_g, 1, CANTEEN_DISH_PORTION_MAX, id, "portion_g", error) &&
         (dish->price_per_100g_fen < 0 ||
          check_range (dish->price_per_100g_fen, 0, CANTEEN_DISH_PRICE_MAX, id, "price_per_100g_fen", error)) &&
         (dish->kcal < 0 || check_range (dish->kcal, 0, CANTEEN_DISH_KCAL_MAX, id, "kcal", error));
}
