/* kiosk-recognition.h — recognising the tray at the counter: from the
 * camera's frame to items on the tray.
 *
 * Contract: the one controller between the camera, the recognizer, the
 * checkout flow, the scale and the frame keeper; the app's actions
 * (app.recognize-tray, app.choose-dish) and the window drive and show it.
 *
 *  - start() takes the camera's newest frame and has it recognised in a
 *    worker thread (state RUNNING): the main loop never waits for it.
 *    Refused (FALSE, nothing changes) without a frame, while a recognition
 *    runs, or while a payment is in flight.
 *  - On the answer, regions recognised with a confidence of at least
 *    CANTEEN_VISION_SURE (vision.h) replace the tray's previous camera
 *    items (manual ones stay), each with its confidence. A weighed dish
 *    takes the scale's weight as app.add-dish does (kiosk-devices.h).
 *  - Every other region with guesses becomes a question (state CHOOSING),
 *    asked one at a time: choose(question id, dish id) puts the chosen dish
 *    on the tray (CONFIRMED) and teaches the recognizer that region (a
 *    "correction" exemplar, learnt in a worker); "" answers "none of
 *    these": nothing is added or learnt. Regions nothing enrolled resembles
 *    are counted as unrecognised, for staff to add from the menu.
 *  - The frame behind the tray's camera items is kept with the checkout
 *    once it committed (the flow's ::committed), by the frame keeper; its
 *    outcome never touches the payment. The frame and any questions are
 *    then forgotten, as they are by reset() (the tray was cleared) or by
 *    the next start().
 *  - ::changed is emitted on any change of the state, the question or the
 *    summary.
 */
#pragma once

#include <glib-object.h>

#include "checkout-flow.h"
#include "frame-keeper.h"
#include "kiosk-camera.h"
#include "kiosk-devices.h"
#include "kiosk-recognizer.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_KIOSK_RECOGNITION_IDLE,
  CANTEEN_KIOSK_RECOGNITION_RUNNING,
  CANTEEN_KIOSK_RECOGNITION_CHOOSING,
} CanteenKioskRecognitionState;

#define CANTEEN_TYPE_KIOSK_RECOGNITION_STATE (canteen_kiosk_recognition_state_get_type ())
GType       canteen_kiosk_recognition_state_get_type (void);
/* "idle", "running", "choosing": the state of the app.recognition action. */
const char *canteen_kiosk_recognition_state_id (CanteenKioskRecognitionState state);

/* The region asked about now. */
typedef struct {
  guint         id;             /* what app.choose-dish must name */
  guint         number;         /* 1-based, of `total` asked for this tray */
  guint         total;
  CanteenFrame *frame;
  int           box[4];         /* the region in `frame` */
  guint         n_choices;
  CanteenDish  *choices[CANTEEN_VISION_TOP];
  float         confidence[CANTEEN_VISION_TOP];
} CanteenRecognitionQuestion;

/* What the last recognition found (all zero before one finished). */
typedef struct {
  gboolean    done;             /* a recognition has finished since the last reset */
  guint       n_recognised;     /* put on the tray (confirmed ones too) */
  guint       n_asked;          /* questions, answered or not */
  guint       n_unrecognised;   /* for staff to add by hand ("none of these" too) */
  guint       n_exemplars;      /* 0: nothing enrolled for today's menu */
  double      elapsed_ms;
  const char *error;            /* why it failed, or NULL */
} CanteenRecognitionSummary;

#define CANTEEN_TYPE_KIOSK_RECOGNITION (canteen_kiosk_recognition_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskRecognition, canteen_kiosk_recognition, CANTEEN, KIOSK_RECOGNITION, GObject)

CanteenKioskRecognition *canteen_kiosk_recognition_new (CanteenKioskCamera     *camera,
                                                        CanteenKioskRecognizer *recognizer,
                                                        CanteenFrameKeeper     *keeper,
                                                        CanteenCheckoutFlow    *flow,
                                                        CanteenKioskDevices    *devices);

CanteenKioskCamera           *canteen_kiosk_recognition_get_camera   (CanteenKioskRecognition *self);
CanteenKioskRecognitionState  canteen_kiosk_recognition_get_state    (CanteenKioskRecognition *self);
/* Whether start() would be accepted now. */
gboolean                      canteen_kiosk_recognition_can_start    (CanteenKioskRecognition *self);
gboolean                      canteen_kiosk_recognition_start        (CanteenKioskRecognition *self);
/* NULL unless CHOOSING. */
const CanteenRecognitionQuestion *canteen_kiosk_recognition_get_question (CanteenKioskRecognition *self);
/* FALSE (nothing changes) for another question's id or a dish that is not
 * one of the choices. */
gboolean                      canteen_kiosk_recognition_choose       (CanteenKioskRecognition *self,
                                                                      guint                    question_id,
                                                                      const char              *dish_id);
void                          canteen_kiosk_recognition_reset        (CanteenKioskRecognition *self);
void                          canteen_kiosk_recognition_get_summary  (CanteenKioskRecognition   *self,
                                                                      CanteenRecognitionSummary *out);
/* Corrections still being learnt (for tests and a clean shutdown). */
guint                         canteen_kiosk_recognition_get_n_learning (CanteenKioskRecognition *self);

G_END_DECLS
