/* exemplar-index.c — see exemplar-index.h. */
#include "exemplar-index.h"

guint
canteen_exemplar_index_load (CanteenVision *vision, GPtrArray *exemplars, GPtrArray *indexed, char **last_problem)
{
  guint skipped = 0;

  if (last_problem != NULL)
    *last_problem = NULL;
  canteen_vision_index_clear (vision);
  for (guint i = 0; i < exemplars->len; i++)
    {
      CanteenExemplar *e = g_ptr_array_index (exemplars, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (e->exemplar, &len);

      if (canteen_vision_index_add (vision, e->dish_id, data, len) != CANTEEN_VISION_OK)
        {
          skipped++;
          if (last_problem != NULL)
            {
              g_free (*last_problem);
              *last_problem = g_strdup_printf ("exemplar %" G_GINT64_FORMAT " of %s: %s", e->id, e->dish_id,
                                               canteen_vision_last_error (vision));
            }
          continue;
        }
      if (indexed != NULL)
        {
          g_clear_pointer (&e->exemplar, g_bytes_unref);
          g_ptr_array_add (indexed, g_steal_pointer (&exemplars->pdata[i]));
        }
    }
  return skipped;
}
