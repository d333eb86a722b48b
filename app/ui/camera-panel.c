/* camera-panel.c — template widget: preview, recognise button, status. */
#include "camera-panel.h"

#include <glib/gi18n.h>

#include "camera-preview.h"
#include "ui-resources.h"

struct _CanteenCameraPanel
{
  GtkBox                   parent_instance;
  GtkStack                *preview_stack;
  CanteenCameraPreview    *preview;
  GtkSpinner              *spinner;
  GtkLabel                *status_label;

  CanteenKioskRecognition *recognition;   /* owned ref, or NULL */
  CanteenKioskCamera      *camera;        /* owned ref, or NULL */
};

G_DEFINE_FINAL_TYPE (CanteenCameraPanel, canteen_camera_panel, GTK_TYPE_BOX)

static void
update_picture (CanteenCameraPanel *self)
{
  GdkTexture *texture = self->camera != NULL ? canteen_kiosk_camera_get_texture (self->camera) : NULL;

  canteen_camera_preview_set_paintable (self->preview, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->preview_stack, texture != NULL ? "picture" : "none");
}

/* What the cashier needs to know next, in one or two short lines. */
static char *
status_text (CanteenCameraPanel *self, char **out_tooltip)
{
  CanteenRecognitionSummary summary;
  g_autoptr(GString) text = g_string_new (NULL);

  *out_tooltip = NULL;
  canteen_kiosk_recognition_get_summary (self->recognition, &summary);
  switch (canteen_kiosk_recognition_get_state (self->recognition))
    {
    case CANTEEN_KIOSK_RECOGNITION_RUNNING:
      return g_strdup (_("Recognising the dishes…"));
    case CANTEEN_KIOSK_RECOGNITION_CHOOSING:
      return g_strdup (_("Please confirm the dishes the camera is unsure of"));
    case CANTEEN_KIOSK_RECOGNITION_IDLE:
    default:
      break;
    }
  if (!summary.done)
    {
      if (canteen_kiosk_camera_get_state (self->camera) != CANTEEN_DEVICE_STATE_READY)
        return g_strdup (_("The camera is not available"));
      return g_strdup (_("Put the tray under the camera, then tap Recognise tray"));
    }
  if (summary.error != NULL)
    {
      *out_tooltip = g_strdup (summary.error);
      return g_strdup (_("Recognition failed; please add the dishes from the menu"));
    }
  if (summary.n_exemplars == 0)
    return g_strdup (_("No dish of today's menu has been taught to the camera yet"));
  if (summary.n_recognised + summary.n_asked + summary.n_unrecognised == 0)
    return g_strdup (_("No food found on the tray"));
  if (summary.n_recognised > 0)
    /* Translators: after recognising a tray; %u dishes were put on it. */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "Recognised %u dish",
                                               "Recognised %u dishes", summary.n_recognised),
                            summary.n_recognised);
  if (summary.n_unrecognised > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: food the camera could not name at all. */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u not recognised: please add it from the menu",
                                                 "%u not recognised: please add them from the menu",
                                                 summary.n_unrecognised),
                              summary.n_unrecognised);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_status (CanteenCameraPanel *self)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *text = NULL;
  gboolean running;

  if (self->recognition == NULL)
    return;
  running = canteen_kiosk_recognition_get_state (self->recognition) == CANTEEN_KIOSK_RECOGNITION_RUNNING;
  text = status_text (self, &tooltip);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
}

static void
recognition_changed_cb (CanteenKioskRecognition *recognition, CanteenCameraPanel *self)
{
  update_status (self);
}

static void
camera_texture_cb (CanteenKioskCamera *camera, GParamSpec *pspec, CanteenCameraPanel *self)
{
  update_picture (self);
}

static void
camera_state_cb (CanteenKioskCamera *camera, GParamSpec *pspec, CanteenCameraPanel *self)
{
  update_status (self);
}

static void
canteen_camera_panel_unwatch (CanteenCameraPanel *self)
{
  /* Both outlive the window (it is rebuilt on a language switch). */
  if (self->camera != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->camera, self);
      g_clear_object (&self->camera);
    }
  if (self->recognition != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->recognition, self);
      g_clear_object (&self->recognition);
    }
}

static void
canteen_camera_panel_dispose (GObject *object)
{
  canteen_camera_panel_unwatch (CANTEEN_CAMERA_PANEL (object));
  G_OBJECT_CLASS (canteen_camera_panel_parent_class)->dispose (object);
}

static void
canteen_camera_panel_class_init (CanteenCameraPanelClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = canteen_camera_panel_dispose;

  g_type_ensure (CANTEEN_TYPE_CAMERA_PREVIEW);
  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "camera-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenCameraPanel, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, CanteenCameraPanel, preview);
  gtk_widget_class_bind_template_child (widget_class, CanteenCameraPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, CanteenCameraPanel, status_label);
}

static void
canteen_camera_panel_init (CanteenCameraPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
canteen_camera_panel_set_recognition (CanteenCameraPanel *self, CanteenKioskRecognition *recognition)
{
  g_return_if_fail (CANTEEN_IS_CAMERA_PANEL (self));
  g_return_if_fail (recognition == NULL || CANTEEN_IS_KIOSK_RECOGNITION (recognition));

  canteen_camera_panel_unwatch (self);
  gtk_widget_set_visible (GTK_WIDGET (self), recognition != NULL);
  if (recognition == NULL)
    return;
  self->recognition = g_object_ref (recognition);
  self->camera = g_object_ref (canteen_kiosk_recognition_get_camera (recognition));
  g_signal_connect (self->recognition, "changed", G_CALLBACK (recognition_changed_cb), self);
  g_signal_connect (self->camera, "notify::texture", G_CALLBACK (camera_texture_cb), self);
  g_signal_connect (self->camera, "notify::state", G_CALLBACK (camera_state_cb), self);
  update_picture (self);
  update_status (self);
}

const char *
canteen_camera_panel_get_status_text (CanteenCameraPanel *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA_PANEL (self), NULL);
  return gtk_label_get_text (self->status_label);
}

gboolean
canteen_camera_panel_get_spinning (CanteenCameraPanel *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA_PANEL (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->spinner)) && gtk_spinner_get_spinning (self->spinner);
}

gboolean
canteen_camera_panel_get_has_picture (CanteenCameraPanel *self)
{
  g_return_val_if_fail (CANTEEN_IS_CAMERA_PANEL (self), FALSE);
  return canteen_camera_preview_get_paintable (self->preview) != NULL;
}
