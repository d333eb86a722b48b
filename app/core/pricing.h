/* pricing.h — turning a tray of dishes into amounts.
 *
 * Contract: pure functions, no I/O. A line is priced per portion, or by
 * weight for dishes with a price per 100 g (rounded half up to the fen).
 * Own staff pay the staff price and may have part of the total covered by
 * the meal-period subsidy; visiting officials pay the visitor price and get
 * no subsidy. Totals are exact int64 sums; nothing is negative.
 */
#pragma once

#include <glib.h>

#include "dish.h"

G_BEGIN_DECLS

#define CANTEEN_TRAY_MAX_LINES 50   /* more plates than any tray holds */
#define CANTEEN_LINE_MAX_GRAMS 5000

typedef enum {
  CANTEEN_PAYER_STAFF,
  CANTEEN_PAYER_VISITOR,
} CanteenPayer;

const char *canteen_payer_id (CanteenPayer payer);   /* "staff", "visitor" */

typedef struct {
  char   *dish_id;
  char   *name;
  char   *name_en;
  gint    grams;            /* weighed lines: the weight sold; otherwise 0 */
  gint64  unit_price_fen;   /* per portion, or per 100 g for weighed lines */
  gint64  amount_fen;
} CanteenPricedLine;

void canteen_priced_line_free (CanteenPricedLine *line);

typedef struct {
  GPtrArray *lines;         /* CanteenPricedLine */
  gint64     total_fen;
  gint64     subsidy_fen;   /* covered by the meal subsidy */
  gint64     due_fen;       /* total - subsidy: what the card pays */
} CanteenPricedTray;

CanteenPricedTray *canteen_priced_tray_new (void);
void               canteen_priced_tray_free (CanteenPricedTray *tray);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenPricedTray, canteen_priced_tray_free)

/* Adds one line. `grams` is required (1..CANTEEN_LINE_MAX_GRAMS) for weighed
 * dishes and must be 0 otherwise. */
gboolean canteen_priced_tray_add (CanteenPricedTray  *tray,
                                  const CanteenDish  *dish,
                                  CanteenPayer        payer,
                                  gint                grams,
                                  GError            **error);

/* Applies up to `subsidy_left_fen` of subsidy (staff only) and fixes due_fen. */
void     canteen_priced_tray_settle (CanteenPricedTray *tray,
                                     CanteenPayer       payer,
                                     gint64             subsidy_left_fen);

G_END_DECLS
