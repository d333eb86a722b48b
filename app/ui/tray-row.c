/* tray-row.c — template widget for a row of the tray list. */
#include "tray-row.h"

#include <glib/gi18n.h>

#include "money.h"
#include "ui-resources.h"

struct _CanteenTrayRow
{
  GtkListBoxRow parent_instance;
  GtkLabel     *name_label;
  GtkLabel     *detail_label;
  GtkLabel     *origin_label;
  GtkLabel     *amount_label;
  GtkButton    *remove_button;
};

G_DEFINE_FINAL_TYPE (CanteenTrayRow, canteen_tray_row, GTK_TYPE_LIST_BOX_ROW)

static void
canteen_tray_row_class_init (CanteenTrayRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "tray-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayRow, origin_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayRow, amount_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayRow, remove_button);
}

static void
canteen_tray_row_init (CanteenTrayRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Whoever checks the tray sees which plates the camera named, and how
 * sure it was, before the diner pays for them. */
static void
canteen_tray_row_show_origin (CanteenTrayRow *self, CanteenTrayItem *item)
{
  g_autofree char *text = NULL;

  switch (canteen_tray_item_get_origin (item))
    {
    case CANTEEN_TRAY_ITEM_RECOGNISED:
      /* Translators: a dish found by the camera, with the recogniser's
       * confidence in percent, e.g. "Recognised 93%". */
      text = g_strdup_printf (_("Recognised %d%%"),
                              (int) (canteen_tray_item_get_confidence (item) * 100.0f + 0.5f));
      break;
    case CANTEEN_TRAY_ITEM_CONFIRMED:
      /* Translators: a dish the camera was unsure of, chosen by a person. */
      text = g_strdup (_("Confirmed"));
      break;
    case CANTEEN_TRAY_ITEM_MANUAL:
    default:
      break;
    }
  gtk_label_set_text (self->origin_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->origin_label), text != NULL);
}

GtkWidget *
canteen_tray_row_new (CanteenTrayItem *item, guint position)
{
  const CanteenDish *dish = canteen_tray_item_get_dish (item);
  gint grams = canteen_tray_item_get_grams (item);
  g_autofree char *amount = canteen_fen_format (canteen_tray_item_get_amount (item));
  g_autoptr(GString) detail = g_string_new (NULL);
  CanteenTrayRow *self;

  self = g_object_new (CANTEEN_TYPE_TRAY_ROW, NULL);
  gtk_label_set_text (self->name_label, dish->name);
  if (dish->name_en != NULL && *dish->name_en != '\0')
    g_string_append (detail, dish->name_en);
  if (grams > 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      /* Translators: a weight in grams on the tray, e.g. "250 g". */
      g_string_append_printf (detail, _("%d g"), grams);
    }
  gtk_label_set_text (self->detail_label, detail->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail->len > 0);
  canteen_tray_row_show_origin (self, item);
  gtk_label_set_text (self->amount_label, amount);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->remove_button), "u", position);
  return GTK_WIDGET (self);
}

const char *
canteen_tray_row_get_origin_text (CanteenTrayRow *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->origin_label)) ? gtk_label_get_text (self->origin_label) : NULL;
}
