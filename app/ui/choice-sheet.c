/* choice-sheet.c — template widget for one recognition question. */
#include "choice-sheet.h"

#include <glib/gi18n.h>

#include "camera-preview.h"
#include "money.h"
#include "ui-resources.h"

struct _CanteenChoiceSheet
{
  GtkBox                parent_instance;
  GtkLabel             *progress_label;
  CanteenCameraPreview *crop;
  GtkBox               *choices_box;
  guint                 n_choices;
};

G_DEFINE_FINAL_TYPE (CanteenChoiceSheet, canteen_choice_sheet, GTK_TYPE_BOX)

GdkTexture *
canteen_frame_crop_texture (CanteenFrame *frame, const int box[4])
{
  const int fw = canteen_frame_get_width (frame), fh = canteen_frame_get_height (frame);
  const gsize stride = canteen_frame_get_stride (frame);
  /* A margin of a sixth each side shows the plate around the food. */
  const gint64 mx = box[2] / 6, my = box[3] / 6;
  const gint64 x0 = CLAMP ((gint64) box[0] - mx, 0, fw), y0 = CLAMP ((gint64) box[1] - my, 0, fh);
  const gint64 x1 = CLAMP ((gint64) box[0] + box[2] + mx, 0, fw), y1 = CLAMP ((gint64) box[1] + box[3] + my, 0, fh);
  g_autoptr(GBytes) pixels = NULL;
  gsize offset, size;

  if (box[2] <= 0 || box[3] <= 0 || x1 <= x0 || y1 <= y0)
    return NULL;
  /* From the first pixel of the region to the last: the rows between
   * keep the frame's stride, so nothing is copied. */
  offset = (gsize) y0 * stride + (gsize) x0 * 3;
  size = (gsize) (y1 - y0 - 1) * stride + (gsize) (x1 - x0) * 3;
  pixels = g_bytes_new_from_bytes (canteen_frame_get_bytes (frame), offset, size);
  return gdk_memory_texture_new ((int) (x1 - x0), (int) (y1 - y0), GDK_MEMORY_R8G8B8, pixels, stride);
}

static GtkWidget *
choice_button_new (guint question_id, const CanteenDish *dish)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (dish->name);
  GtkWidget *name_en = gtk_label_new (dish->name_en);
  g_autofree char *price_text = canteen_fen_format (dish->price_fen);
  GtkWidget *price = gtk_label_new (price_text);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "choice-name");
  gtk_label_set_xalign (GTK_LABEL (name_en), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name_en), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name_en, "dish-name-en");
  gtk_widget_set_visible (name_en, dish->name_en != NULL && *dish->name_en != '\0');
  gtk_widget_set_hexpand (names, TRUE);
  gtk_box_append (GTK_BOX (names), name);
  gtk_box_append (GTK_BOX (names), name_en);
  gtk_widget_set_valign (price, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (price, "dish-price");
  /* A weighed dish's price depends on the weight: no single price. */
  gtk_widget_set_visible (price, !canteen_dish_is_weighed (dish));
  gtk_box_append (GTK_BOX (box), names);
  gtk_box_append (GTK_BOX (box), price);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "choice-button");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.choose-dish");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(us)", question_id, dish->id);
  return button;
}

static void
canteen_choice_sheet_class_init (CanteenChoiceSheetClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (CANTEEN_TYPE_CAMERA_PREVIEW);
  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "choice-sheet.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenChoiceSheet, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenChoiceSheet, crop);
  gtk_widget_class_bind_template_child (widget_class, CanteenChoiceSheet, choices_box);
}

static void
canteen_choice_sheet_init (CanteenChoiceSheet *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
canteen_choice_sheet_set_question (CanteenChoiceSheet *self, const CanteenRecognitionQuestion *question)
{
  GtkWidget *child;

  g_return_if_fail (CANTEEN_IS_CHOICE_SHEET (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->choices_box))) != NULL)
    gtk_box_remove (self->choices_box, child);
  self->n_choices = 0;
  canteen_camera_preview_set_paintable (self->crop, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
  if (question == NULL)
    return;

  {
    g_autoptr(GdkTexture) crop = canteen_frame_crop_texture (question->frame, question->box);
    canteen_camera_preview_set_paintable (self->crop, GDK_PAINTABLE (crop));
  }
  if (question->total > 1)
    {
      /* Translators: which of the uncertain dishes is asked about, "1 of 2". */
      g_autofree char *progress = g_strdup_printf (_("%u of %u"), question->number, question->total);
      gtk_label_set_text (self->progress_label, progress);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_label), TRUE);
    }
  for (guint i = 0; i < question->n_choices; i++)
    gtk_box_append (self->choices_box, choice_button_new (question->id, question->choices[i]));
  self->n_choices = question->n_choices;

  {
    GtkWidget *none = gtk_button_new_with_label (_("None of these"));
    gtk_widget_add_css_class (none, "choice-none");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (none), "app.choose-dish");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (none), "(us)", question->id, "");
    gtk_box_append (self->choices_box, none);
  }
}

guint
canteen_choice_sheet_get_n_choices (CanteenChoiceSheet *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHOICE_SHEET (self), 0);
  return self->n_choices;
}
