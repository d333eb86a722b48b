#include "pricing.h"

#include "canteen-error.h"

const char *
canteen_payer_id (CanteenPayer payer)
{
  return payer == CANTEEN_PAYER_VISITOR ? "visitor" : "staff";
}

void
canteen_priced_line_free (CanteenPricedLine *line)
{
  if (line == NULL)
    return;
  g_free (line->dish_id);
  g_free (line->name);
  g_free (line->name_en);
  g_free (line);
}

CanteenPricedTray *
canteen_priced_tray_new (void)
{
  CanteenPricedTray *tray = g_new0 (CanteenPricedTray, 1);

  tray->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_priced_line_free);
  return tray;
}

void
canteen_priced_tray_free (CanteenPricedTray *tray)
{
  if (tray == NULL)
    return;
  g_ptr_array_unref (tray->lines);
  g_free (tray);
}

gboolean
canteen_priced_tray_add (CanteenPricedTray  *tray,
                         const CanteenDish  *dish,
                         CanteenPayer        payer,
                         gint                grams,
                         GError            **error)
{
  CanteenPricedLine *line;

  if (tray->lines->len >= CANTEEN_TRAY_MAX_LINES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "dish: at most %d items on one tray", CANTEEN_TRAY_MAX_LINES);
      return FALSE;
    }
  if (canteen_dish_is_weighed (dish))
    {
      if (grams <= 0 || grams > CANTEEN_LINE_MAX_GRAMS)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                       "grams: dish %s is sold by weight and needs 1..%d g (got %d)",
                       dish->id, CANTEEN_LINE_MAX_GRAMS, grams);
          return FALSE;
        }
    }
  else if (grams != 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "grams: dish %s is sold by portion, not by weight", dish->id);
      return FALSE;
    }

  line = g_new0 (CanteenPricedLine, 1);
  line->dish_id = g_strdup (dish->id);
  line->name = g_strdup (dish->name);
  line->name_en = g_strdup (dish->name_en ? dish->name_en : "");
  line->grams = grams;
  if (canteen_dish_is_weighed (dish))
    {
      /* Same per-weight price for everyone: the scale, not the diner, sets it. */
      line->unit_price_fen = dish->price_per_100g_fen;
      line->amount_fen = (dish->price_per_100g_fen * grams + 50) / 100;
    }
  else
    {
      line->unit_price_fen = payer == CANTEEN_PAYER_VISITOR ? dish->visitor_price_fen : dish->price_fen;
      line->amount_fen = line->unit_price_fen;
    }
  tray->total_fen += line->amount_fen;
  g_ptr_array_add (tray->lines, line);
  canteen_priced_tray_settle (tray, payer, 0);
  return TRUE;
}

void
canteen_priced_tray_settle (CanteenPricedTray *tray,
                            CanteenPayer       payer,
                            gint64             subsidy_left_fen)
{
  gint64 subsidy = 0;

  if (payer == CANTEEN_PAYER_STAFF && subsidy_left_fen > 0)
    subsidy = MIN (subsidy_left_fen, tray->total_fen);
  tray->subsidy_fen = subsidy;
  tray->due_fen = tray->total_fen - subsidy;
}
