/* choice-sheet.h — "Which dish is this?": one uncertain region of the tray.
 *
 * Contract: shows a question of the tray's recognition (kiosk-recognition.h):
 * the region cut out of the frame, one large button per dish it may be
 * (name and price), and "None of these". Each button activates
 * app.choose-dish((u,s)) with the question's id and the dish id ("" for
 * none), so a second tap on an answered question is refused, not applied
 * to the next one. A passive view: the window shows it over the order page
 * while the recognition is CHOOSING.
 */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-recognition.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_CHOICE_SHEET (canteen_choice_sheet_get_type ())
G_DECLARE_FINAL_TYPE (CanteenChoiceSheet, canteen_choice_sheet, CANTEEN, CHOICE_SHEET, GtkBox)

/* NULL clears it. */
void        canteen_choice_sheet_set_question  (CanteenChoiceSheet *self, const CanteenRecognitionQuestion *question);

/* For tests: the dish buttons shown (without "None of these"). */
guint       canteen_choice_sheet_get_n_choices (CanteenChoiceSheet *self);

/* The region of `frame` (box widened a little for context, clamped to the
 * frame) as a texture sharing the frame's pixels; NULL for an empty box. */
GdkTexture *canteen_frame_crop_texture         (CanteenFrame *frame, const int box[4]);

G_END_DECLS
