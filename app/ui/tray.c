/* tray.c — the tray model (GListModel) and its pending checkout id. */
#include "tray.h"

#include "canteen-error.h"
#include "pricing.h"

struct _CanteenTray
{
  GObject    parent_instance;
  GPtrArray *items;         /* CanteenTrayItem */
  char      *checkout_id;   /* NULL until a payment is attempted */
};

enum { PROP_0, PROP_N_ITEMS, PROP_TOTAL, N_PROPS };
static GParamSpec *properties[N_PROPS];

static GType
canteen_tray_get_item_type (GListModel *model)
{
  return CANTEEN_TYPE_TRAY_ITEM;
}

static guint
canteen_tray_list_get_n_items (GListModel *model)
{
  return CANTEEN_TRAY (model)->items->len;
}

static gpointer
canteen_tray_get_item (GListModel *model, guint position)
{
  CanteenTray *self = CANTEEN_TRAY (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
canteen_tray_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = canteen_tray_get_item_type;
  iface->get_n_items = canteen_tray_list_get_n_items;
  iface->get_item = canteen_tray_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CanteenTray, canteen_tray, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, canteen_tray_list_model_init))

static void
canteen_tray_finalize (GObject *object)
{
  CanteenTray *self = CANTEEN_TRAY (object);

  g_ptr_array_unref (self->items);
  g_free (self->checkout_id);
  G_OBJECT_CLASS (canteen_tray_parent_class)->finalize (object);
}

static void
canteen_tray_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenTray *self = CANTEEN_TRAY (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, canteen_tray_get_total (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_tray_class_init (CanteenTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = canteen_tray_finalize;
  object_class->get_property = canteen_tray_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
canteen_tray_init (CanteenTray *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

CanteenTray *
canteen_tray_new (void)
{
  return g_object_new (CANTEEN_TYPE_TRAY, NULL);
}

/* A different tray is a different payment: it needs a new id, or the
 * ledger would (rightly) refuse the old id with other contents. */
static void
canteen_tray_changed (CanteenTray *self, guint from, guint old_n)
{
  canteen_tray_forget_checkout_id (self);
  g_list_model_items_changed (G_LIST_MODEL (self), from, old_n - from, self->items->len - from);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static gboolean
canteen_tray_check_room (CanteenTray *self, guint n_more, GError **error)
{
  if (self->items->len + n_more > CANTEEN_TRAY_MAX_LINES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "the tray holds at most %d items", CANTEEN_TRAY_MAX_LINES);
      return FALSE;
    }
  return TRUE;
}

gboolean
canteen_tray_add (CanteenTray *self, const CanteenDish *dish, gint grams, GError **error)
{
  g_autoptr(CanteenTrayItem) item = NULL;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), FALSE);

  if (!canteen_tray_check_room (self, 1, error))
    return FALSE;
  item = canteen_tray_item_new (dish, grams, error);
  return item != NULL && canteen_tray_add_item (self, item, error);
}

gboolean
canteen_tray_add_item (CanteenTray *self, CanteenTrayItem *item, GError **error)
{
  guint old_n;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), FALSE);
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (item), FALSE);

  if (!canteen_tray_check_room (self, 1, error))
    return FALSE;
  old_n = self->items->len;
  g_ptr_array_add (self->items, g_object_ref (item));
  canteen_tray_changed (self, old_n, old_n);
  return TRUE;
}

gboolean
canteen_tray_replace_from_camera (CanteenTray *self, GPtrArray *items, GError **error)
{
  g_autoptr(GPtrArray) kept = NULL;
  guint old_n, first = G_MAXUINT;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), FALSE);
  g_return_val_if_fail (items != NULL, FALSE);

  kept = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    {
      CanteenTrayItem *item = g_ptr_array_index (self->items, i);
      if (canteen_tray_item_get_origin (item) == CANTEEN_TRAY_ITEM_MANUAL)
        g_ptr_array_add (kept, g_object_ref (item));
      else if (first == G_MAXUINT)
        first = i;
    }
  if (kept->len + items->len > CANTEEN_TRAY_MAX_LINES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "the tray holds at most %d items", CANTEEN_TRAY_MAX_LINES);
      return FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (kept, g_object_ref (CANTEEN_TRAY_ITEM (g_ptr_array_index (items, i))));

  old_n = self->items->len;
  /* Manual items before the first camera item keep their positions. */
  if (first == G_MAXUINT)
    first = old_n;
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&kept);
  canteen_tray_changed (self, first, old_n);
  return TRUE;
}

gboolean
canteen_tray_has_camera_items (CanteenTray *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY (self), FALSE);

  for (guint i = 0; i < self->items->len; i++)
    if (canteen_tray_item_get_origin (g_ptr_array_index (self->items, i)) != CANTEEN_TRAY_ITEM_MANUAL)
      return TRUE;
  return FALSE;
}

gboolean
canteen_tray_remove (CanteenTray *self, guint position)
{
  guint old_n;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), FALSE);

  if (position >= self->items->len)
    return FALSE;
  old_n = self->items->len;
  g_ptr_array_remove_index (self->items, position);
  canteen_tray_changed (self, position, old_n);
  return TRUE;
}

void
canteen_tray_clear (CanteenTray *self)
{
  guint old_n;

  g_return_if_fail (CANTEEN_IS_TRAY (self));

  old_n = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  canteen_tray_changed (self, 0, old_n);
}

guint
canteen_tray_get_n_items (CanteenTray *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY (self), 0);
  return self->items->len;
}

gint64
canteen_tray_get_total (CanteenTray *self)
{
  gint64 total = 0;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), 0);

  /* At most 50 lines of at most CANTEEN_DISH_PRICE_MAX-scale amounts: no
   * overflow is possible. */
  for (guint i = 0; i < self->items->len; i++)
    total += canteen_tray_item_get_amount (g_ptr_array_index (self->items, i));
  return total;
}

const char *
canteen_tray_ensure_checkout_id (CanteenTray *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY (self), NULL);

  if (self->checkout_id == NULL)
    self->checkout_id = g_uuid_string_random ();
  return self->checkout_id;
}

const char *
canteen_tray_peek_checkout_id (CanteenTray *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY (self), NULL);
  return self->checkout_id;
}

void
canteen_tray_forget_checkout_id (CanteenTray *self)
{
  g_return_if_fail (CANTEEN_IS_TRAY (self));
  g_clear_pointer (&self->checkout_id, g_free);
}

GArray *
canteen_tray_get_order_lines (CanteenTray *self)
{
  GArray *lines;

  g_return_val_if_fail (CANTEEN_IS_TRAY (self), NULL);

  lines = g_array_sized_new (FALSE, TRUE, sizeof (CanteenOrderLine), self->items->len);
  for (guint i = 0; i < self->items->len; i++)
    {
      CanteenTrayItem *item = g_ptr_array_index (self->items, i);
      CanteenOrderLine line = {
        .dish_id = canteen_tray_item_get_dish (item)->id,
        .grams = canteen_tray_item_get_grams (item),
      };
      g_array_append_val (lines, line);
    }
  return lines;
}
