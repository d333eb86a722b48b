/* waste.h — food waste and portions: returned trays, the kitchen's daily
 * figures, served portions, and the indicators of the quarterly
 * anti-waste self-evaluation (反食品浪费工作成效评估).
 *
 * Contract
 *  - Writes follow the ledger's rules (ledger.h): one IMMEDIATE transaction,
 *    durable when TRUE is returned, nothing written when FALSE. The rows
 *    are append-only (migration 0006); no money moves, nothing is journaled.
 *  - A returned tray is matched to the checkout it was served on: by the
 *    checkout id (tray tag) when given, else by the card's checkouts in the
 *    return's meal period (the one in progress, or the last one that started
 *    that day): "card" when the card has exactly one, "card_latest" (its most
 *    recent) when several. Voided checkouts are never matched; an unknown
 *    or voided tag falls back to the card. A tray that matches nothing — no
 *    id and no card, an unknown id, a card without a checkout in the period
 *    (checkouts outside meal hours match by tag only) — is stored as
 *    "unmatched" and counted, never attached to a guess. A checkout returned
 *    twice, or a tag of a checkout another card paid for, is CONFLICT.
 *  - The returned tray's photo, when given, is kept beside the ledger,
 *    content-addressed by its SHA-256 (canteen_waste_get_return_photo),
 *    before the return's row is written.
 *  - Weights are whole grams. Refused with CANTEEN_INPUT_ERROR_OUT_OF_RANGE
 *    and nothing written: a negative weight or tare, a weight over
 *    CANTEEN_TRAY_MAX_G, a tare over the weight, a leftover over what the
 *    matched checkout served.
 *  - The weighed leftover (weight − tare) is split between the dishes named
 *    in `leftovers` in proportion to fraction × served grams of the dish (or
 *    to the image side's own gram estimate when it gives one), no dish
 *    getting more than it was served; the grams are rounded so they add
 *    up to the weighed leftover exactly (largest remainder), unless every
 *    dish named is at what it was served: the rest (food of dishes the
 *    photo could not name) is attributed to no dish. With no fractions,
 *    or all 0, no gram is attributed to a dish (bones, sauce): the tray
 *    still counts in every total.
 *  - Reports and recommendations only read. Recommendations are advice
 *    with their reasoning; nothing here changes a portion or a menu.
 *  - JSON keys are documented in settlement/WASTE.md.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ledger.h"

G_BEGIN_DECLS

#define CANTEEN_TRAY_MAX_G            5000      /* a tray heavier than 5 kg is a misread scale */
#define CANTEEN_CLEAN_PLATE_SHARE     0.05      /* 光盘: at most 5 % of what was served is left */
#define CANTEEN_PORTION_TOLERANCE     0.10      /* a portion off its standard by more is "drifting" */
#define CANTEEN_PORTION_ALERT_WINDOW  7         /* serving days looked at */
#define CANTEEN_PORTION_ALERT_DAYS    5         /* ... of which this many drifting the same way alert */
#define CANTEEN_WASTE_HISTORY_DAYS    28        /* history behind portions and recommendations */

typedef enum {
  CANTEEN_TRAY_MATCH_CHECKOUT,      /* by the checkout id (tray tag) */
  CANTEEN_TRAY_MATCH_CARD,          /* the card's only checkout in the meal period */
  CANTEEN_TRAY_MATCH_CARD_LATEST,   /* the card's most recent of several */
  CANTEEN_TRAY_MATCH_UNMATCHED,
} CanteenTrayMatch;

const char *canteen_tray_match_id (CanteenTrayMatch match);   /* "checkout", "card", "card_latest", "unmatched" */

typedef struct {
  const char *dish_id;
  gdouble     fraction;     /* 0..1 of what was served is left (the image side) */
  gdouble     estimate_g;   /* the image side's leftover grams (area × g per area); <= 0: none */
} CanteenLeftoverInput;

typedef struct {
  const char *return_id;        /* client-made UUID; NULL: one is made */
  const char *checkout_id;      /* nullable: the tray tag */
  const char *card;             /* nullable: the card tapped at the return station */
  gint        weight_g;         /* the scale, tray included */
  gint        tare_g;           /* the empty tray */
  const char *image_sha256;     /* nullable: hex SHA-256 of the returned tray's photo */
  const CanteenLeftoverInput *leftovers;
  guint       n_leftovers;
  GBytes     *image;            /* nullable: the photo itself (JPEG or PNG), kept beside the ledger */
} CanteenTrayReturnRequest;

typedef struct {
  char   *dish_id;
  gdouble fraction;
  gint    served_g;
  gint    leftover_g;
} CanteenDishLeftover;

typedef struct {
  char             *return_id;
  char             *checkout_id;    /* NULL when unmatched */
  char             *card;           /* the checkout's card, else the tapped one, else NULL */
  CanteenTrayMatch  match;
  char             *local_day;
  CanteenMealPeriod period;
  gint              weight_g;
  gint              tare_g;
  gint              leftover_g;
  gint              served_g;       /* -1 when unmatched */
  gboolean          clean_plate;    /* matched and leftover ≤ 5 % of served */
  GPtrArray        *dishes;         /* CanteenDishLeftover */
  gboolean          replayed;       /* the id had been recorded before: nothing written now */
} CanteenTrayReturn;

void      canteen_tray_return_free (CanteenTrayReturn *ret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenTrayReturn, canteen_tray_return_free)
/* {"return_id","checkout_id"|null,"card"|null,"match","day","period","weight_g","tare_g",
 *  "leftover_g","served_g"|null,"clean_plate","replayed","dishes":[{"dish","fraction","served_g","leftover_g"}]} */
JsonNode *canteen_tray_return_to_json (const CanteenTrayReturn *ret);

/* Records a returned tray at `now`. The same return_id again with the same
 * request returns the stored record (replayed); with another, CONFLICT. */
CanteenTrayReturn *canteen_waste_record_return (CanteenLedger *ledger, const CanteenTrayReturnRequest *request,
                                                GDateTime *now, GError **error);

/* Where a return's photo is kept ("<ledger>.frames/returns/<sha256>.jpg"
 * or ".png"), after checking its SHA-256 against the return's row.
 * NOT_FOUND when the return has no photo or the file is gone, CORRUPT
 * when the file is not the photo recorded. */
char      *canteen_waste_get_return_photo (CanteenLedger *ledger, const char *return_id, GError **error);

/* Which checkout a tray returned `now` would be attached to, by the rules
 * above, without recording anything (the return station looks up the
 * checkout's picture before it weighs the leftovers). NULL without an
 * error when the tray would be unmatched; the same CONFLICTs as
 * canteen_waste_record_return (another card's tag, returned already).
 * A `return_id` (nullable) recorded already answers with its own checkout:
 * a retry then records nothing new. */
char      *canteen_waste_find_checkout (CanteenLedger *ledger, const char *return_id, const char *checkout_id,
                                        const char *card, GDateTime *now, CanteenTrayMatch *out_match,
                                        GError **error);

/* The checkout a returned tray with `tray_tag` (read from its photo) was
 * served on: the latest not voided checkout of the meal period holding
 * `now` that was served on that tray (canteen_ledger_set_checkout_tray);
 * with `card` (nullable), only that card's. The latest even when it was
 * returned already: a tray cannot carry an earlier meal after a later one,
 * so recording it again is the CONFLICT canteen_waste_record_return gives.
 * NULL without an error when there is none: the caller matches by card as
 * before. Trays are reused, so a tag never reaches into another meal. */
char      *canteen_waste_find_tray_checkout (CanteenLedger *ledger, const char *tray_tag, const char *card,
                                             GDateTime *now, GError **error);

/* The kitchen's figures for a local day ("YYYY-MM-DD"). Recording a day
 * again corrects it: the newest row counts. */
gboolean canteen_waste_record_kitchen (CanteenLedger *ledger, const char *day, gint64 purchased_g,
                                       gint64 kitchen_waste_g, gint diners_planned, GDateTime *now,
                                       GError **error);

/* What item `line` (1-based) of a checkout weighed when served. The same
 * value again is a no-op; another value is CONFLICT. */
gboolean canteen_waste_record_portion (CanteenLedger *ledger, const char *checkout_id, gint line,
                                       gint served_g, GDateTime *now, GError **error);

/* The evaluation's indicators for the local days from..to (inclusive,
 * "YYYY-MM-DD", at most 400 days), each with the previous period of equal
 * length. */
JsonNode *canteen_waste_report (CanteenLedger *ledger, const char *from, const char *to, GError **error);
/* The same report as CSV (RFC 4180, UTF-8, one section per table, each
 * headed by a "# name" line). */
char     *canteen_waste_report_to_csv (JsonNode *report);

/* Portion drift, alerts and recommendations from the
 * CANTEEN_WASTE_HISTORY_DAYS days up to and including `as_of`; the
 * recommendations are for the day after `as_of`. */
JsonNode *canteen_waste_portions (CanteenLedger *ledger, const char *as_of, GError **error);

/* Checks "YYYY-MM-DD"; the GDate is set when out is not NULL. */
gboolean  canteen_waste_parse_day (const char *text, const char *field, GDate *out, GError **error);

G_END_DECLS
