/* return-station.c — a returned tray: match, compare, split, record
 * (contract: return-station.h). */
#include "return-station.h"

#include "canteen-error.h"
#include "vision.h"

struct CanteenReturnStation
{
  CanteenVision *vision;   /* names BEFORE's regions; holds BEFORE */
  CanteenVision *photo;    /* holds AFTER (a handle keeps one picture) */
};

static const char * const split_ids[] = { "image", "given", "unmatched", "no_frame", "not_same_tray", "failed" };

const char *
canteen_return_split_id (CanteenReturnSplit split)
{
  return split < G_N_ELEMENTS (split_ids) ? split_ids[split] : "failed";
}

static void
region_free (CanteenReturnRegion *r)
{
  g_free (r->dish_id);
  g_free (r);
}

void
canteen_return_outcome_free (CanteenReturnOutcome *o)
{
  if (o == NULL)
    return;
  canteen_tray_return_free (o->record);
  g_free (o->split_detail);
  g_ptr_array_unref (o->regions);
  g_free (o->before_path);
  g_free (o);
}

JsonNode *
canteen_return_outcome_to_json (const CanteenReturnOutcome *o)
{
  JsonNode *node = canteen_tray_return_to_json (o->record);
  JsonObject *obj = json_node_get_object (node);
  JsonArray *regions = json_array_new ();

  json_object_set_string_member (obj, "split", canteen_return_split_id (o->split));
  if (o->split_detail != NULL)
    json_object_set_string_member (obj, "split_detail", o->split_detail);
  else
    json_object_set_null_member (obj, "split_detail");
  for (guint i = 0; i < o->regions->len; i++)
    {
      const CanteenReturnRegion *r = g_ptr_array_index (o->regions, i);
      JsonObject *item = json_object_new ();
      JsonArray *box = json_array_new ();

      if (r->dish_id != NULL)
        json_object_set_string_member (item, "dish", r->dish_id);
      else
        json_object_set_null_member (item, "dish");
      for (int k = 0; k < 4; k++)
        json_array_add_int_element (box, r->box[k]);
      json_object_set_array_member (item, "box", box);
      /* Two decimals: the estimate is not finer than that. */
      json_object_set_double_member (item, "leftover_fraction", (gint) (r->leftover_fraction * 100.0 + 0.5) / 100.0);
      json_array_add_object_element (regions, item);
    }
  json_object_set_array_member (obj, "regions", regions);
  json_object_set_int_member (obj, "elapsed_ms", (gint64) (o->vision_ms + 0.5));
  return node;
}

CanteenReturnStation *
canteen_return_station_new (void)
{
  CanteenReturnStation *s = g_new0 (CanteenReturnStation, 1);

  s->vision = canteen_vision_new ();
  s->photo = canteen_vision_new ();
  if (s->vision == NULL || s->photo == NULL)
    {
      canteen_return_station_free (s);
      return NULL;
    }
  return s;
}

void
canteen_return_station_free (CanteenReturnStation *s)
{
  if (s == NULL)
    return;
  if (s->vision != NULL)
    canteen_vision_free (s->vision);
  if (s->photo != NULL)
    canteen_vision_free (s->photo);
  g_free (s);
}

/* The index holds the checkout's dishes and nothing else: a region can
 * only be named as something this diner was served. */
static gboolean
load_checkout_dishes (CanteenReturnStation *s, CanteenLedger *ledger, const char *checkout_id,
                      GPtrArray *dish_ids, GError **error)
{
  g_autoptr(CanteenReceipt) receipt = canteen_ledger_get_checkout (ledger, checkout_id, error);
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  g_autoptr(GPtrArray) exemplars = NULL;

  if (receipt == NULL)
    return FALSE;
  for (guint i = 0; i < receipt->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (receipt->lines, i);
      CanteenDish *dish;

      if (g_ptr_array_find_with_equal_func (dish_ids, line->dish_id, g_str_equal, NULL))
        continue;
      dish = canteen_ledger_get_dish (ledger, line->dish_id, error);
      if (dish == NULL)
        return FALSE;
      g_ptr_array_add (dish_ids, g_strdup (line->dish_id));
      g_ptr_array_add (dishes, dish);
    }
  exemplars = canteen_ledger_list_exemplars (ledger, dishes, error);
  if (exemplars == NULL)
    return FALSE;
  canteen_vision_index_clear (s->vision);
  for (guint i = 0; i < exemplars->len; i++)
    {
      const CanteenExemplar *e = g_ptr_array_index (exemplars, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (e->exemplar, &len);

      /* A damaged row is skipped, never trusted (its dish stays unnamed). */
      if (canteen_vision_index_add (s->vision, e->dish_id, data, len) != CANTEEN_VISION_OK)
        g_warning ("exemplar %" G_GINT64_FORMAT " of %s ignored: %s", e->id, e->dish_id,
                   canteen_vision_last_error (s->vision));
    }
  return TRUE;
}

/* Regions → one fraction per dish (the contract's rule for unnamed ones). */
static GArray *
fractions_per_dish (GPtrArray *regions, GPtrArray *dish_ids)
{
  GArray *inputs = g_array_new (FALSE, TRUE, sizeof (CanteenLeftoverInput));
  g_autofree double *left = g_new0 (double, dish_ids->len + 1);
  g_autofree double *area = g_new0 (double, dish_ids->len + 1);
  guint unnamed = 0, without = 0, lonely = 0;

  for (guint i = 0; i < regions->len; i++)
    {
      const CanteenReturnRegion *r = g_ptr_array_index (regions, i);
      guint k;
      if (r->dish_id == NULL || !g_ptr_array_find_with_equal_func (dish_ids, r->dish_id, g_str_equal, &k))
        {
          unnamed++;
          continue;
        }
      area[k] += (double) r->box[2] * r->box[3];
      left[k] += r->leftover_fraction * r->box[2] * r->box[3];
    }
  for (guint k = 0; k < dish_ids->len; k++)
    if (area[k] == 0)
      {
        without++;
        lonely = k;
      }
  if (unnamed > 0 && without == 1)
    for (guint i = 0; i < regions->len; i++)
      {
        CanteenReturnRegion *r = g_ptr_array_index (regions, i);
        if (r->dish_id != NULL && g_ptr_array_find_with_equal_func (dish_ids, r->dish_id, g_str_equal, NULL))
          continue;
        g_free (r->dish_id);
        r->dish_id = g_strdup (g_ptr_array_index (dish_ids, lonely));
        area[lonely] += (double) r->box[2] * r->box[3];
        left[lonely] += r->leftover_fraction * r->box[2] * r->box[3];
      }
  else
    /* Named as a dish the checkout does not hold: not this diner's food. */
    for (guint i = 0; i < regions->len; i++)
      {
        CanteenReturnRegion *r = g_ptr_array_index (regions, i);
        if (r->dish_id != NULL && !g_ptr_array_find_with_equal_func (dish_ids, r->dish_id, g_str_equal, NULL))
          g_clear_pointer (&r->dish_id, g_free);
      }
  for (guint k = 0; k < dish_ids->len; k++)
    if (area[k] > 0)
      {
        CanteenLeftoverInput in = { g_ptr_array_index (dish_ids, k), CLAMP (left[k] / area[k], 0.0, 1.0), 0.0 };
        g_array_append_val (inputs, in);
      }
  return inputs;
}

/* BEFORE against AFTER; FALSE with the reason in the outcome when no split
 * can be made (that is no error: the tray is still recorded). */
static gboolean
compare (CanteenReturnStation *s, const CanteenVisionImage *after, CanteenReturnOutcome *o)
{
  CanteenVisionImage before;
  CanteenVisionLeftovers result = { 0 };
  CanteenVisionStatus status;

  if (canteen_vision_load (s->vision, o->before_path, &before) != CANTEEN_VISION_OK)
    {
      o->split = CANTEEN_RETURN_SPLIT_FAILED;
      o->split_detail = g_strdup_printf ("the checkout's frame: %s", canteen_vision_last_error (s->vision));
      return FALSE;
    }
  status = canteen_vision_leftovers (s->vision, &before, after, &result);
  o->vision_ms = result.elapsed_ms;
  if (status != CANTEEN_VISION_OK)
    {
      o->split = status == CANTEEN_VISION_NOT_SAME_TRAY ? CANTEEN_RETURN_SPLIT_NOT_SAME_TRAY
                                                         : CANTEEN_RETURN_SPLIT_FAILED;
      o->split_detail = g_strdup (result.error);
      canteen_vision_leftovers_clear (&result);
      return FALSE;
    }
  for (int i = 0; i < result.n_items; i++)
    {
      CanteenReturnRegion *r = g_new0 (CanteenReturnRegion, 1);
      memcpy (r->box, result.items[i].box, sizeof r->box);
      r->leftover_fraction = CLAMP (result.items[i].leftover_fraction, 0.0f, 1.0f);
      r->dish_id = result.items[i].dish[0] ? g_strdup (result.items[i].dish) : NULL;
      g_ptr_array_add (o->regions, r);
    }
  canteen_vision_leftovers_clear (&result);
  o->split = CANTEEN_RETURN_SPLIT_IMAGE;
  return TRUE;
}

CanteenReturnOutcome *
canteen_return_station_process (CanteenReturnStation *s, CanteenLedger *ledger, const CanteenReturnInput *in,
                                GDateTime *now, GError **error)
{
  g_autoptr(CanteenReturnOutcome) o = g_new0 (CanteenReturnOutcome, 1);
  g_autoptr(GPtrArray) dish_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) inputs = NULL;
  g_autofree char *checkout = NULL, *made_id = NULL;
  CanteenTrayReturnRequest request = { 0 };
  CanteenTrayMatch match = CANTEEN_TRAY_MATCH_UNMATCHED;
  CanteenVisionImage after;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (s != NULL && ledger != NULL && in != NULL && now != NULL, NULL);
  o->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) region_free);
  if (in->photo == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID, "photo: the returned tray's photo is required");
      return NULL;
    }
  data = g_bytes_get_data (in->photo, &len);
  /* A photo that is no picture is refused before anything is looked up. */
  if (canteen_vision_decode (s->photo, data, len, &after) != CANTEEN_VISION_OK)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID, "photo: %s",
                   canteen_vision_last_error (s->photo));
      return NULL;
    }

  checkout = canteen_waste_find_checkout (ledger, in->return_id, in->checkout_id, in->card, now, &match, error);
  if (checkout == NULL && error != NULL && *error != NULL)
    return NULL;

  if (in->n_leftovers > 0)
    o->split = CANTEEN_RETURN_SPLIT_GIVEN;
  else if (checkout == NULL)
    {
      o->split = CANTEEN_RETURN_SPLIT_UNMATCHED;
      o->split_detail = g_strdup ("no checkout to compare with");
    }
  else
    {
      g_autoptr(GError) missing = NULL;

      o->before_path = canteen_ledger_get_frame (ledger, checkout, &missing);
      if (o->before_path == NULL)
        {
          /* A database error is an error; a frame never kept is not. */
          if (!g_error_matches (missing, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND) &&
              !g_error_matches (missing, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT))
            {
              g_propagate_error (error, g_steal_pointer (&missing));
              return NULL;
            }
          o->split = CANTEEN_RETURN_SPLIT_NO_FRAME;
          o->split_detail = g_strdup (missing->message);
        }
      else
        {
          if (!load_checkout_dishes (s, ledger, checkout, dish_ids, error))
            return NULL;
          if (compare (s, &after, o))
            inputs = fractions_per_dish (o->regions, dish_ids);
        }
    }

  /* Recorded under the tag the station read: the ledger matches again
   * inside its transaction (a tray returned meanwhile is CONFLICT). */
  request.return_id = in->return_id ? in->return_id : (made_id = g_uuid_string_random ());
  request.checkout_id = in->checkout_id;
  request.card = in->card;
  request.weight_g = in->weight_g;
  request.tare_g = in->tare_g;
  request.image = in->photo;
  if (in->n_leftovers > 0)
    {
      request.leftovers = in->leftovers;
      request.n_leftovers = in->n_leftovers;
    }
  else if (inputs != NULL)
    {
      request.leftovers = (const CanteenLeftoverInput *) (void *) inputs->data;
      request.n_leftovers = inputs->len;
    }
  o->record = canteen_waste_record_return (ledger, &request, now, error);
  if (o->record == NULL)
    return NULL;
  return g_steal_pointer (&o);
}
