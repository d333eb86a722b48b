/* dish.h — a dish as the canteen sells it.
 *
 * Contract: a CanteenDish that passed canteen_dish_validate() has a valid id,
 * a Chinese name, a known category, non-negative prices within
 * CANTEEN_DISH_PRICE_MAX, and a positive standard portion. Optional numbers
 * are -1 when absent. Prices are fen; weights are grams.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_DISH_PRICE_MAX   100000  /* ¥1,000 for one dish is a typing error */
#define CANTEEN_DISH_PORTION_MAX 5000    /* grams */
#define CANTEEN_DISH_KCAL_MAX    10000

typedef struct {
  char   *id;                  /* "D01" */
  char   *name;                /* "红烧肉" */
  char   *name_en;             /* "Braised pork", may be "" */
  char   *category;            /* one of canteen_dish_categories() */
  gint64  price_fen;           /* own staff */
  gint64  visitor_price_fen;   /* visiting officials (自行付费) */
  gint    portion_g;           /* standard portion */
  gint64  price_per_100g_fen;  /* weighed dishes; -1 when sold by portion */
  gint    kcal;                /* -1 when unknown */
  guint   periods;             /* CanteenMealPeriod bits it is served in; 0 = every period */
} CanteenDish;

CanteenDish *canteen_dish_new   (void);
CanteenDish *canteen_dish_copy  (const CanteenDish *dish);
void         canteen_dish_free  (CanteenDish *dish);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenDish, canteen_dish_free)

gboolean     canteen_dish_validate (const CanteenDish *dish, GError **error);
gboolean     canteen_dish_is_weighed (const CanteenDish *dish);

/* NULL-terminated list of the categories a dish may have (热菜, 凉菜, ...). */
const char * const *canteen_dish_categories (void);
gboolean     canteen_dish_category_is_known (const char *category);

G_END_DECLS
