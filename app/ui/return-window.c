/* return-window.c — the return station's screen (contract: return-window.h). */
#include "return-window.h"

#include <glib/gi18n.h>

#include "camera-preview.h"
#include "ui-resources.h"

struct _CanteenReturnWindow
{
  GtkApplicationWindow  parent_instance;
  CanteenCameraPreview *preview;
  GtkLabel             *weight_label;
  GtkLabel             *prompt_label;
  GtkSpinner           *spinner;
  GtkLabel             *verdict_label;
  GtkGrid              *dishes_grid;
  GtkLabel             *detail_label;
  GtkFlowBox           *demo_cards;
};

G_DEFINE_FINAL_TYPE (CanteenReturnWindow, canteen_return_window, GTK_TYPE_APPLICATION_WINDOW)

void
canteen_return_window_set_paintable (CanteenReturnWindow *self, GdkPaintable *paintable)
{
  canteen_camera_preview_set_paintable (self->preview, paintable);
}

void
canteen_return_window_set_weight (CanteenReturnWindow *self, const CanteenScaleReading *reading)
{
  g_autofree char *text = NULL;

  if (reading == NULL)
    text = g_strdup (_("No scale"));
  else if (!reading->valid)
    text = g_strdup (_("Scale: no reading"));
  else
    /* Translators: the return station's scale; %d is grams. */
    text = g_strdup_printf (_("Weight %d g"), reading->grams);
  gtk_label_set_text (self->weight_label, text);
}

static void
clear_result (CanteenReturnWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dishes_grid))) != NULL)
    gtk_grid_remove (self->dishes_grid, child);
  gtk_label_set_text (self->verdict_label, "");
  gtk_label_set_text (self->detail_label, "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_label), "clean");
}

static void
set_busy (CanteenReturnWindow *self, gboolean busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

void
canteen_return_window_show_waiting (CanteenReturnWindow *self)
{
  clear_result (self);
  set_busy (self, FALSE);
  gtk_label_set_text (self->prompt_label,
                      _("Put your tray on the scale, then tap your card (or press “Return without card”)"));
}

void
canteen_return_window_show_working (CanteenReturnWindow *self)
{
  clear_result (self);
  set_busy (self, TRUE);
  gtk_label_set_text (self->prompt_label, _("Weighing and looking at your tray…"));
}

void
canteen_return_window_show_problem (CanteenReturnWindow *self, const char *message)
{
  clear_result (self);
  set_busy (self, FALSE);
  gtk_label_set_text (self->prompt_label, _("The tray was not recorded; please try again or ask the staff"));
  gtk_label_set_text (self->detail_label, message);
}

static void
add_cell (CanteenReturnWindow *self, const char *text, int column, int row, float xalign)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_widget_add_css_class (label, "return-dish");
  gtk_grid_attach (self->dishes_grid, label, column, row, 1, 1);
}

void
canteen_return_window_show_result (CanteenReturnWindow *self, const CanteenReturnOutcome *o, GHashTable *names)
{
  const CanteenTrayReturn *r = o->record;
  g_autofree char *verdict = NULL, *detail = NULL;

  clear_result (self);
  set_busy (self, FALSE);
  gtk_label_set_text (self->prompt_label, _("Thank you. You may leave the tray."));
  if (r->checkout_id == NULL)
    /* Translators: the return station found no meal for this tray; %d is grams. */
    verdict = g_strdup_printf (_("Recorded: %d g left (no matching meal found)"), r->leftover_g);
  else if (r->clean_plate)
    verdict = g_strdup (_("Clean plate 光盘 — thank you!"));
  else
    /* Translators: grams left on a returned tray. */
    verdict = g_strdup_printf (_("%d g left of %d g · please take only what you will eat"), r->leftover_g,
                               r->served_g);
  gtk_label_set_text (self->verdict_label, verdict);
  if (r->clean_plate)
    gtk_widget_add_css_class (GTK_WIDGET (self->verdict_label), "clean");

  for (guint i = 0; i < r->dishes->len; i++)
    {
      const CanteenDishLeftover *d = g_ptr_array_index (r->dishes, i);
      const char *name = names != NULL ? g_hash_table_lookup (names, d->dish_id) : NULL;
      g_autofree char *share = g_strdup_printf ("%.0f%%", d->fraction * 100.0);
      /* Translators: grams left of a dish on a returned tray. */
      g_autofree char *grams = g_strdup_printf (_("%d g"), d->leftover_g);

      add_cell (self, name != NULL ? name : d->dish_id, 0, (int) i, 0.0f);
      add_cell (self, share, 1, (int) i, 1.0f);
      add_cell (self, grams, 2, (int) i, 1.0f);
    }

  switch (o->split)
    {
    case CANTEEN_RETURN_SPLIT_IMAGE:
      detail = g_strdup (_("Per dish: your tray against its picture at the checkout"));
      break;
    case CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY:
      detail = g_strdup (_("Not split per dish: the photo does not show the tray of this meal"));
      break;
    case CANTEEN_RETURN_SPLIT_NO_FRAME:
      detail = g_strdup (_("Not split per dish: no picture was kept at the checkout"));
      break;
    case CANTEEN_RETURN_SPLIT_UNMATCHED:
      detail = g_strdup (_("Counted in the canteen's totals, attached to no diner"));
      break;
    case CANTEEN_RETURN_SPLIT_GIVEN:
      break;
    case CANTEEN_RETURN_SPLIT_FAILED:
    default:
      detail = g_strdup (_("Not split per dish: the photo could not be compared"));
      break;
    }
  if (o->tray_tag != NULL && r->checkout_id != NULL && r->match == CANTEEN_TRAY_MATCH_CHECKOUT)
    {
      /* Translators: %s is the id on the tray's sticker, which found the meal. */
      g_autofree char *by_tag = g_strdup_printf (_("Meal found by the tray's tag %s"), o->tray_tag);
      g_autofree char *both = detail != NULL ? g_strconcat (by_tag, " · ", detail, NULL) : g_strdup (by_tag);
      g_free (detail);
      detail = g_steal_pointer (&both);
    }
  gtk_label_set_text (self->detail_label, detail != NULL ? detail : "");
}

void
canteen_return_window_set_demo_cards (CanteenReturnWindow *self, GPtrArray *accounts)
{
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->demo_cards))) != NULL)
    gtk_flow_box_remove (self->demo_cards, child);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const CanteenAccount *account = g_ptr_array_index (accounts, i);
      GtkWidget *button;

      if (account->status != CANTEEN_ACCOUNT_ACTIVE)
        continue;
      button = gtk_button_new_with_label (account->holder);
      gtk_widget_add_css_class (button, "demo-card");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.demo-tap");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", account->card);
      gtk_widget_set_tooltip_text (button, account->card);
      gtk_flow_box_append (self->demo_cards, button);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->demo_cards), shown > 0);
}

static void
canteen_return_window_class_init (CanteenReturnWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (CANTEEN_TYPE_CAMERA_PREVIEW);
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "return-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, preview);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, weight_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, dishes_grid);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReturnWindow, demo_cards);
}

static void
canteen_return_window_init (CanteenReturnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  canteen_return_window_set_weight (self, NULL);
  canteen_return_window_show_waiting (self);
}

CanteenReturnWindow *
canteen_return_window_new (GtkApplication *app)
{
  return g_object_new (CANTEEN_TYPE_RETURN_WINDOW, "application", app, NULL);
}
