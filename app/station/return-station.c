/* return-station.c — a returned tray: match, compare, split, record
 * (contract: return-station.h). */
#include "return-station.h"

#include "canteen-error.h"
#include "exemplar-index.h"
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
  g_free (o->tray_tag);
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

  if (o->tray_tag != NULL)
    json_object_set_string_member (obj, "tray_tag", o->tray_tag);
  else
    json_object_set_null_member (obj, "tray_tag");
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
                      GPtrArray *dish_ids, GHashTable *lines_per_dish, GError **error)
{
  g_autoptr(CanteenReceipt) receipt = canteen_ledger_get_checkout (ledger, checkout_id, error);
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  g_autoptr(GPtrArray) exemplars = NULL;
  g_autofree char *why = NULL;
  guint ignored = 0;

  if (receipt == NULL)
    return FALSE;
  for (guint i = 0; i < receipt->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (receipt->lines, i);
      gint lines = GPOINTER_TO_INT (g_hash_table_lookup (lines_per_dish, line->dish_id));
      CanteenDish *dish;

      g_hash_table_insert (lines_per_dish, g_strdup (line->dish_id), GINT_TO_POINTER (lines + 1));
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
  /* A damaged or outdated row is skipped, never trusted (its dish stays
   * unnamed); staff hear of it once per tray, not per row. */
  ignored = canteen_exemplar_index_load (s->vision, exemplars, NULL, &why);
  if (ignored > 0)
    g_warning ("%u exemplar(s) of checkout %s's dishes ignored; the last: %s", ignored, checkout_id, why);
  return TRUE;
}

typedef struct {
  guint  region;
  char  *dish;       /* borrowed from the recognition result */
  float  confidence;
} Candidate;

static gint
by_confidence (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;
  return (x->confidence < y->confidence) - (x->confidence > y->confidence);
}

/* Names the regions among the checkout's dishes: every (region, dish)
 * the recognition offers — its answer and its alternatives, above the
 * unknown threshold or not — most confident first, each region once and
 * each dish as many times as it was sold on the checkout. A single region
 * left over with a single dish left over are each other's. */
static void
assign_dishes (GPtrArray *regions, const CanteenVisionLeftovers *result, GHashTable *lines_per_dish)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GHashTable) left = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;
  const char *spare_dish = NULL;
  guint spare_dishes = 0, spare_regions = 0, spare_region = 0;

  g_hash_table_iter_init (&iter, lines_per_dish);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (left, key, value);
  for (guint i = 0; i < regions->len && (int) i < result->n_items; i++)
    {
      CanteenReturnRegion *r = g_ptr_array_index (regions, i);
      const CanteenVisionLeftover *it = &result->items[i];

      g_clear_pointer (&r->dish_id, g_free);
      if (it->dish[0] && g_hash_table_contains (left, it->dish))
        g_array_append_val (candidates, ((Candidate) { i, (char *) it->dish, it->confidence }));
      for (int a = 0; a < it->n_alternatives; a++)
        if (g_hash_table_contains (left, it->alternatives[a]))
          g_array_append_val (candidates, ((Candidate) { i, (char *) it->alternatives[a],
                                                          it->alternative_confidence[a] }));
    }
  g_array_sort (candidates, by_confidence);
  for (guint c = 0; c < candidates->len; c++)
    {
      const Candidate *cand = &g_array_index (candidates, Candidate, c);
      CanteenReturnRegion *r = g_ptr_array_index (regions, cand->region);
      gint n = GPOINTER_TO_INT (g_hash_table_lookup (left, cand->dish));
      if (r->dish_id != NULL || n <= 0)
        continue;
      r->dish_id = g_strdup (cand->dish);
      g_hash_table_insert (left, cand->dish, GINT_TO_POINTER (n - 1));
    }
  for (guint i = 0; i < regions->len; i++)
    if (((CanteenReturnRegion *) g_ptr_array_index (regions, i))->dish_id == NULL)
      {
        spare_regions++;
        spare_region = i;
      }
  g_hash_table_iter_init (&iter, left);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_INT (value) > 0)
      {
        spare_dishes++;
        spare_dish = key;
      }
  if (spare_regions == 1 && spare_dishes == 1)
    {
      CanteenReturnRegion *r = g_ptr_array_index (regions, spare_region);
      r->dish_id = g_strdup (spare_dish);
    }
}

/* One fraction per dish: the area-weighted mean of its regions'. */
static GArray *
fractions_per_dish (GPtrArray *regions, GPtrArray *dish_ids)
{
  GArray *inputs = g_array_new (FALSE, TRUE, sizeof (CanteenLeftoverInput));

  for (guint k = 0; k < dish_ids->len; k++)
    {
      const char *dish = g_ptr_array_index (dish_ids, k);
      double area = 0.0, left = 0.0;
      for (guint i = 0; i < regions->len; i++)
        {
          const CanteenReturnRegion *r = g_ptr_array_index (regions, i);
          if (g_strcmp0 (r->dish_id, dish) != 0)
            continue;
          area += (double) r->box[2] * r->box[3];
          left += r->leftover_fraction * r->box[2] * r->box[3];
        }
      if (area > 0.0)
        {
          CanteenLeftoverInput in = { dish, CLAMP (left / area, 0.0, 1.0), 0.0 };
          g_array_append_val (inputs, in);
        }
    }
  return inputs;
}

/* BEFORE against AFTER; FALSE with the reason in the outcome when no split
 * can be made (that is no error: the tray is still recorded). */
static gboolean
compare (CanteenReturnStation *s, const CanteenVisionImage *after, GHashTable *lines_per_dish,
         CanteenReturnOutcome *o)
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
      g_ptr_array_add (o->regions, r);
    }
  /* Named among this checkout's dishes from the comparison's own
   * recognition of BEFORE (without exemplars nothing is named: no split). */
  assign_dishes (o->regions, &result, lines_per_dish);
  canteen_vision_leftovers_clear (&result);
  for (guint i = 0; i < o->regions->len; i++)
    if (((CanteenReturnRegion *) g_ptr_array_index (o->regions, i))->dish_id != NULL)
      {
        o->split = CANTEEN_RETURN_SPLIT_IMAGE;
        return TRUE;
      }
  /* Compared, but nothing named: the checkout's dishes have no usable
   * exemplars. No split is better than a guessed one. */
  o->split = CANTEEN_RETURN_SPLIT_FAILED;
  o->split_detail = g_strdup ("no food on the tray could be named as one of the checkout's dishes "
                              "(are they enrolled?)");
  return FALSE;
}

CanteenReturnOutcome *
canteen_return_station_process (CanteenReturnStation *s, CanteenLedger *ledger, const CanteenReturnInput *in,
                                GDateTime *now, GError **error)
{
  g_autoptr(CanteenReturnOutcome) o = g_new0 (CanteenReturnOutcome, 1);
  g_autoptr(GPtrArray) dish_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) lines_per_dish = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) inputs = NULL;
  g_autofree char *checkout = NULL, *made_id = NULL, *tagged = NULL;
  char tag[CANTEEN_VISION_TRAY_TAG + 1] = "";
  const char *checkout_id;
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

  /* No checkout id given: the tray's own tag, read from the photo, names
   * the checkout it was served with (with a card, among that card's). */
  checkout_id = in->checkout_id;
  if (checkout_id == NULL && canteen_vision_read_tray_tag (s->photo, &after, tag) == CANTEEN_VISION_OK)
    {
      GError *lookup_error = NULL;

      o->tray_tag = g_strdup (tag);
      tagged = canteen_waste_find_tray_checkout (ledger, tag, in->card, now, &lookup_error);
      if (lookup_error != NULL)
        {
          g_propagate_error (error, lookup_error);
          return NULL;
        }
      checkout_id = tagged;
    }

  checkout = canteen_waste_find_checkout (ledger, in->return_id, checkout_id, in->card, now, &match, error);
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
          if (!load_checkout_dishes (s, ledger, checkout, dish_ids, lines_per_dish, error))
            return NULL;
          if (compare (s, &after, lines_per_dish, o))
            inputs = fractions_per_dish (o->regions, dish_ids);
        }
    }

  /* Recorded under the checkout id given or found by the tray's tag: the
   * ledger matches again inside its transaction (a tray returned meanwhile
   * is CONFLICT). */
  request.return_id = in->return_id ? in->return_id : (made_id = g_uuid_string_random ());
  request.checkout_id = checkout_id;
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
