/* tray-view.c — template widget showing a CanteenTray. */
#include "tray-view.h"

#include <glib/gi18n.h>

#include "money.h"
#include "tray-row.h"
#include "ui-resources.h"

struct _CanteenTrayView
{
  GtkBox       parent_instance;
  GtkStack    *list_stack;
  GtkListBox  *list_box;
  GtkLabel    *title_label;
  GtkLabel    *total_label;
  GtkLabel    *scale_label;
  CanteenTray *tray;
};

G_DEFINE_FINAL_TYPE (CanteenTrayView, canteen_tray_view, GTK_TYPE_BOX)

static void
canteen_tray_view_update (CanteenTrayView *self)
{
  guint n = self->tray != NULL ? canteen_tray_get_n_items (self->tray) : 0;
  gint64 total = self->tray != NULL ? canteen_tray_get_total (self->tray) : 0;
  g_autofree char *money = canteen_fen_format (total);
  g_autofree char *title = NULL;

  gtk_label_set_text (self->total_label, money);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "items" : "empty");
  if (n > 0)
    /* Translators: heading of the tray with its number of dishes. */
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Your tray (%u dish)", "Your tray (%u dishes)", n), n);
  gtk_label_set_text (self->title_label, title != NULL ? title : _("Your tray"));
}

static void
tray_items_changed_cb (GListModel *model, guint position, guint removed, guint added,
                       CanteenTrayView *self)
{
  canteen_tray_view_update (self);
}

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  CanteenTrayView *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tray));

  /* bind_model does not tell the position; items are few (≤ 50), so a
   * linear search is cheaper than keeping a map. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) candidate = g_list_model_get_item (G_LIST_MODEL (self->tray), i);
      if (candidate == item)
        return canteen_tray_row_new (CANTEEN_TRAY_ITEM (item), i);
    }
  g_return_val_if_reached (NULL);
}

static void
canteen_tray_view_dispose (GObject *object)
{
  CanteenTrayView *self = CANTEEN_TRAY_VIEW (object);

  canteen_tray_view_set_tray (self, NULL);
  G_OBJECT_CLASS (canteen_tray_view_parent_class)->dispose (object);
}

static void
canteen_tray_view_class_init (CanteenTrayViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_tray_view_dispose;

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "tray-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayView, list_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayView, title_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayView, total_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTrayView, scale_label);
}

static void
canteen_tray_view_init (CanteenTrayView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  canteen_tray_view_update (self);
}

GtkWidget *
canteen_tray_view_new (void)
{
  return g_object_new (CANTEEN_TYPE_TRAY_VIEW, NULL);
}

void
canteen_tray_view_set_tray (CanteenTrayView *self, CanteenTray *tray)
{
  g_return_if_fail (CANTEEN_IS_TRAY_VIEW (self));
  g_return_if_fail (tray == NULL || CANTEEN_IS_TRAY (tray));

  if (self->tray == tray)
    return;
  if (self->tray != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->tray, tray_items_changed_cb, self);
      gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
      g_clear_object (&self->tray);
    }
  if (tray != NULL)
    {
      self->tray = g_object_ref (tray);
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (tray), create_row, self, NULL);
      /* After bind_model's own handler, so the rows exist when we update. */
      g_signal_connect_after (tray, "items-changed", G_CALLBACK (tray_items_changed_cb), self);
    }
  canteen_tray_view_update (self);
}

void
canteen_tray_view_set_scale (CanteenTrayView *self, const CanteenScaleReading *reading)
{
  g_autofree char *text = NULL;
  GtkWidget *label;

  g_return_if_fail (CANTEEN_IS_TRAY_VIEW (self));

  label = GTK_WIDGET (self->scale_label);
  gtk_widget_set_visible (label, reading != NULL);
  if (reading == NULL)
    return;
  if (reading->valid && reading->stable)
    /* Translators: the scale's weight on the tray, e.g. "Scale 352 g". */
    text = g_strdup_printf (_("Scale %d g"), reading->grams);
  else if (reading->valid)
    /* Translators: the scale is still settling (not a weight to sell by). */
    text = g_strdup (_("Scale: weighing…"));
  else
    /* Translators: the scale reports no usable weight (over capacity, fault). */
    text = g_strdup (_("Scale: no weight"));
  gtk_label_set_text (self->scale_label, text);
  if (reading->valid && reading->stable)
    gtk_widget_remove_css_class (label, "unsettled");
  else
    gtk_widget_add_css_class (label, "unsettled");
}

const char *
canteen_tray_view_get_scale_text (CanteenTrayView *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->scale_label))
       ? gtk_label_get_text (self->scale_label) : NULL;
}

const char *
canteen_tray_view_get_total_text (CanteenTrayView *self)
{
  g_return_val_if_fail (CANTEEN_IS_TRAY_VIEW (self), NULL);
  return gtk_label_get_text (self->total_label);
}
