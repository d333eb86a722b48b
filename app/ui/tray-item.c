/* tray-item.c — a dish plus its weight and displayed amount. */
#include "tray-item.h"

#include <math.h>

#include "pricing.h"

struct _CanteenTrayItem
{
  GObject      parent_instance;
  CanteenDish *dish;
  gint         grams;
  gint64       amount_fen;
  CanteenTrayItemOrigin origin;
  float        confidence;
};

G_DEFINE_FINAL_TYPE (CanteenTrayItem, canteen_tray_item, G_TYPE_OBJECT)

static void
canteen_tray_item_finalize (GObject *object)
{
  CanteenTrayItem *self = CANTEEN_TRAY_ITEM (object);

  canteen_dish_free (self->dish);
  G_OBJECT_CLASS (canteen_tray_item_parent_class)->finalize (object);
}

static void
canteen_tray_item_class_init (CanteenTrayItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_tray_item_finalize;
}

static void
canteen_tray_item_init (CanteenTrayItem *self)
{
}

CanteenTrayItem *
canteen_tray_item_new (const CanteenDish *dish, gint grams, GError **error)
{
  g_autoptr(CanteenPricedTray) priced = canteen_priced_tray_new ();
  const CanteenPricedLine *line;
  CanteenTrayItem *self;

  g_return_val_if_fail (dish != NULL, NULL);

  /* Price through the core rules rather than re-deriving them here, so the
   * rounding of weighed dishes matches the ledger's to the fen. */
  if (!canteen_priced_tray_add (priced, dish, CANTEEN_PAYER_STAFF, grams, error))
    return NULL;
  line = g_ptr_array_index (priced->lines, 0);

  self = g_object_new (CANTEEN_TYPE_TRAY_ITEM, NULL);
  self->dish = canteen_dish_copy (dish);
  self->grams = grams;
  self->amount_fen = line->amount_fen;
  self->origin = CANTEEN_TRAY_ITEM_MANUAL;
  self->confidence = 1.0f;
  return self;
}

CanteenTrayItem *
canteen_tray_item_new_from_camera (const CanteenDish *dish, gint grams, CanteenTrayItemOrigin origin,
                                   float confidence, GError **error)
{
  CanteenTrayItem *self;

  g_return_val_if_fail (origin == CANTEEN_TRAY_ITEM_RECOGNISED || origin == CANTEEN_TRAY_ITEM_CONFIRMED, NULL);

  self = canteen_tray_item_new (dish, grams, error);
  if (self == NULL)
    return NULL;
  self->origin = origin;
  /* NaN compares false both ways, so CLAMP alone would let it through. */
  if (origin == CANTEEN_TRAY_ITEM_CONFIRMED)
    self->confidence = 1.0f;
  else
    self->confidence = isfinite (confidence) ? CLAMP (confidence, 0.0f, 1.0f) : 0.0f;
  return self;
}

const CanteenDish *
canteen_tray_item_get_dish (CanteenTrayItem *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (self), NULL);
  return self->dish;
}

gint
canteen_tray_item_get_grams (CanteenTrayItem *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (self), 0);
  return self->grams;
}

gint64
canteen_tray_item_get_amount (CanteenTrayItem *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (self), 0);
  return self->amount_fen;
}

CanteenTrayItemOrigin
canteen_tray_item_get_origin (CanteenTrayItem *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (self), CANTEEN_TRAY_ITEM_MANUAL);
  return self->origin;
}

float
canteen_tray_item_get_confidence (CanteenTrayItem *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (self), 1.0f);
  return self->confidence;
}
