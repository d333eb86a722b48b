/* return-station.h — the return station's one step (issue 6): a returned
 * tray's photo and weight, with the tag or card that came with it → a
 * recorded return with its leftovers split per dish.
 *
 * Contract
 *  - Which checkout: canteen_waste_find_checkout (the checkout id given,
 *    else the one the tray's own tag names, else the card's checkout in the
 *    meal period, else unmatched). Without a checkout id the station reads
 *    the tray's tag from the photo (canteen_vision_read_tray_tag) and asks
 *    canteen_waste_find_tray_checkout: the latest checkout served on that
 *    tray in the meal period (with a card, among that card's). The tag, the
 *    card or the id decides the diner, never the food in the photo.
 *  - Leftovers per dish, when the tray matched a checkout whose camera
 *    frame was kept (canteen_ledger_get_frame): canteen_vision_leftovers
 *    compares that frame (BEFORE) with the photo (AFTER), registered
 *    despite rotation, shift and light. Regions are named among the
 *    checkout's own dishes only (their exemplars): the recognition's
 *    candidates for every region, most confident first, each region once
 *    and each dish as often as it was sold; one region left with one dish
 *    left go together; other regions are left out (their grams stay
 *    unattributed). A dish's fraction is the area-weighted mean of its
 *    regions'.
 *    The ledger then splits the weighed leftover in proportion to
 *    fraction × grams served, that is leftover area × the dish's grams per
 *    area on this very tray (served grams over served area).
 *  - Without a kept frame, when the photo is not the checkout's tray
 *    (CANTEEN_VISION_NOT_SAME_TRAY) or shows no food, or when no region
 *    can be named as one of the checkout's dishes (none enrolled, or
 *    exemplars of an older descriptor: logged once), the tray is still
 *    recorded with its match and weight and no per-dish split; `split`
 *    and `split_detail` say why. A photo never attributes grams to a dish
 *    on a guess.
 *  - The photo is kept with the return (waste.h). A photo that is not an
 *    image, or weights the ledger refuses: an error, nothing recorded.
 *  - Synchronous (≈ 0.1–0.3 s of CPU with a frame): call it from a worker
 *    thread with a ledger handle of that thread. A station is used by one
 *    thread at a time.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ledger.h"
#include "waste.h"

G_BEGIN_DECLS

typedef enum {
  CANTEEN_RETURN_SPLIT_IMAGE,          /* per dish, from the photo against the checkout's frame */
  CANTEEN_RETURN_SPLIT_GIVEN,          /* per dish as the caller gave it (canteenctl --leftover) */
  CANTEEN_RETURN_SPLIT_UNMATCHED,      /* no checkout: nothing to compare with */
  CANTEEN_RETURN_SPLIT_NO_FRAME,       /* the checkout's frame was not kept */
  CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY,  /* the photo is not the checkout's tray */
  CANTEEN_RETURN_SPLIT_FAILED,         /* the photo could not be compared (no food seen, …) */
} CanteenReturnSplit;

/* "image", "given", "unmatched", "no_frame", "not_same_tray", "failed" */
const char *canteen_return_split_id (CanteenReturnSplit split);

typedef struct {
  int    box[4];              /* x, y, w, h in the checkout's frame */
  double leftover_fraction;   /* 0..1 of the food served there */
  char  *dish_id;             /* the dish it went to, or NULL (left out) */
} CanteenReturnRegion;

typedef struct {
  CanteenTrayReturn *record;        /* as recorded (waste.h) */
  CanteenReturnSplit split;
  char              *split_detail;  /* one line: why there is no split, or NULL */
  char              *tray_tag;      /* the tag read on the returned tray, or NULL */
  GPtrArray         *regions;       /* CanteenReturnRegion, BEFORE's food regions */
  char              *before_path;   /* the checkout's frame, or NULL */
  double             vision_ms;     /* time of the comparison, 0 without one */
} CanteenReturnOutcome;

void      canteen_return_outcome_free (CanteenReturnOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenReturnOutcome, canteen_return_outcome_free)
/* The record's JSON (waste.h) with "tray_tag", "split", "split_detail", "regions":
 * [{"dish"|null,"box","leftover_fraction"}] and "elapsed_ms". */
JsonNode *canteen_return_outcome_to_json (const CanteenReturnOutcome *outcome);

typedef struct {
  const char *return_id;     /* client-made UUID; NULL: one is made */
  const char *checkout_id;   /* nullable: the checkout id (a slip, canteenctl --checkout) */
  const char *card;          /* nullable: the card tapped */
  gint        weight_g;      /* the scale, tray included */
  gint        tare_g;        /* the empty tray */
  GBytes     *photo;         /* the returned tray, JPEG or PNG (required) */
  /* Leftovers given by hand (canteenctl --leftover): used as they are,
   * instead of comparing pictures. */
  const CanteenLeftoverInput *leftovers;
  guint       n_leftovers;
} CanteenReturnInput;

typedef struct CanteenReturnStation CanteenReturnStation;

CanteenReturnStation *canteen_return_station_new  (void);
void                  canteen_return_station_free (CanteenReturnStation *station);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenReturnStation, canteen_return_station_free)

CanteenReturnOutcome *canteen_return_station_process (CanteenReturnStation *station, CanteenLedger *ledger,
                                                      const CanteenReturnInput *input, GDateTime *now,
                                                      GError **error);

G_END_DECLS
