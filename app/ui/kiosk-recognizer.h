/* kiosk-recognizer.h — dish recognition for the kiosk, off the main thread.
 *
 * Contract: owns one CanteenVision handle and a ledger handle of its own
 * (opened from `db_path` in the worker on first use, as the payment desk
 * does); a worker thread uses them one request at a time, and the main
 * thread's ledger handle is never touched.
 *
 *  - recognize_async(frame): the candidates are the dishes on today's menu
 *    (the whole catalogue when none is published, as the order page does).
 *    The index is the ledger's exemplars of those dishes, rebuilt whenever
 *    they changed (a correction, `canteenctl dish enroll` meanwhile, a new
 *    day): every request checks. The result names each food region's dish
 *    (NULL when unknown), the confidence, its box in the frame, and up to
 *    CANTEEN_VISION_TOP dishes it may be, best first (the recognised dish
 *    itself first when there is one).
 *  - correct_async(frame, box, dish_id): "this region is that dish". The
 *    region becomes an exemplar with source "correction", and corrections
 *    the vision module finds redundant (nearly identical to an earlier
 *    exemplar of the dish) are dropped again: they would teach nothing and
 *    crowd out useful ones within the ledger's bound per dish. The staff's
 *    own enrollment photos are never dropped. The next request uses it.
 *  - Requests hold a reference on the frame (frames are immutable and
 *    shared by reference), so the camera may move on meanwhile.
 *  - Errors: the ledger's (CANTEEN_LEDGER_ERROR...), or G_IO_ERROR_FAILED
 *    with the vision module's one-line message.
 */
#pragma once

#include <gio/gio.h>

#include "frame.h"
#include "ledger.h"
#include "vision.h"

G_BEGIN_DECLS

typedef struct {
  CanteenDish *dish;                                   /* NULL: unknown */
  float        confidence;                             /* of `dish`, or of the best guess */
  int          box[4];                                 /* x, y, w, h in the frame */
  guint        n_guesses;
  CanteenDish *guesses[CANTEEN_VISION_TOP];            /* what it may be, best first */
  float        guess_confidence[CANTEEN_VISION_TOP];
} CanteenRecognisedRegion;

typedef struct {
  CanteenFrame *frame;
  GPtrArray    *regions;      /* CanteenRecognisedRegion, in reading order */
  guint         n_exemplars;  /* in the index; 0: nothing enrolled for today */
  double        elapsed_ms;   /* the vision module's time for the frame */
} CanteenRecognition;

void canteen_recognition_free (CanteenRecognition *recognition);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenRecognition, canteen_recognition_free)

#define CANTEEN_TYPE_KIOSK_RECOGNIZER (canteen_kiosk_recognizer_get_type ())
G_DECLARE_FINAL_TYPE (CanteenKioskRecognizer, canteen_kiosk_recognizer, CANTEEN, KIOSK_RECOGNIZER, GObject)

CanteenKioskRecognizer *canteen_kiosk_recognizer_new (const char *db_path);

void                canteen_kiosk_recognizer_recognize_async  (CanteenKioskRecognizer *self,
                                                               CanteenFrame           *frame,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
CanteenRecognition *canteen_kiosk_recognizer_recognize_finish (CanteenKioskRecognizer *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);

void                canteen_kiosk_recognizer_correct_async    (CanteenKioskRecognizer *self,
                                                               CanteenFrame           *frame,
                                                               const int               box[4],
                                                               const char             *dish_id,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
/* *out_id: the new exemplar's row id, or 0 when it was redundant and
 * dropped again (not an error). */
gboolean            canteen_kiosk_recognizer_correct_finish   (CanteenKioskRecognizer *self,
                                                               GAsyncResult           *result,
                                                               gint64                 *out_id,
                                                               GError                **error);

G_END_DECLS
