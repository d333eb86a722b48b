#include "menu-file.h"

#include <csv.h>
#include <json-glib/json-glib.h>

#include "canteen-error.h"
#include "dish.h"
#include "meal-period.h"
#include "validate.h"

/* The fields a dish may have, in both formats. */
typedef enum {
  F_ID, F_NAME, F_NAME_EN, F_CATEGORY, F_PRICE, F_VISITOR_PRICE, F_PORTION,
  F_PER_100G, F_KCAL, F_PERIODS, N_FIELDS
} Field;

static const char * const field_names[N_FIELDS] = {
  "id", "name", "name_en", "category", "price_fen", "visitor_price_fen",
  "portion_g", "price_per_100g_fen", "kcal", "periods",
};

static int
field_lookup (const char *name)
{
  for (int i = 0; i < N_FIELDS; i++)
    if (g_strcmp0 (name, field_names[i]) == 0)
      return i;
  return -1;
}

/* Checks the things only the whole list can know: count and unique ids. */
static GPtrArray *
finish_list (GPtrArray *dishes, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (dishes->len == 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "dishes: the file lists no dishes");
      g_ptr_array_unref (dishes);
      return NULL;
    }
  for (guint i = 0; i < dishes->len; i++)
    {
      CanteenDish *d = g_ptr_array_index (dishes, i);
      if (!g_hash_table_add (seen, d->id))
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_DUPLICATE,
                       "dish %s: the id appears more than once", d->id);
          g_ptr_array_unref (dishes);
          return NULL;
        }
    }
  return dishes;
}

static gboolean
check_count (GPtrArray *dishes, GError **error)
{
  if (dishes->len >= CANTEEN_MENU_MAX_DISHES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "dishes: more than %d dishes in one file", CANTEEN_MENU_MAX_DISHES);
      return FALSE;
    }
  return TRUE;
}

/* ---- JSON ------------------------------------------------------------- */

static gboolean
json_int_member (JsonNode *node, const char *where, const char *field, gint64 *out, GError **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: %s must be a whole number", where, field);
      return FALSE;
    }
  *out = json_node_get_int (node);
  if (*out < 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE,
                   "%s: %s must not be negative", where, field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
json_string_member (JsonNode *node, const char *where, const char *field, char **out, GError **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: %s must be a string", where, field);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
json_periods_member (JsonNode *node, const char *where, guint *out, GError **error)
{
  JsonArray *array;
  guint bits = 0;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: periods must be a list such as [\"lunch\",\"dinner\"]", where);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      CanteenMealPeriod p = CANTEEN_MEAL_NONE;
      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        p = canteen_meal_period_from_id (json_node_get_string (item));
      if (p == CANTEEN_MEAL_NONE)
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "%s: periods[%u] is not \"breakfast\", \"lunch\" or \"dinner\"", where, i);
          return FALSE;
        }
      bits |= CANTEEN_MEAL_BIT (p);
    }
  *out = bits;
  return TRUE;
}

static CanteenDish *
dish_from_json (JsonNode *node, guint index, GError **error)
{
  g_autoptr(CanteenDish) dish = canteen_dish_new ();
  g_autofree char *where = NULL;
  gboolean have[N_FIELDS] = { FALSE };
  JsonObject *obj;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "dishes[%u]: must be an object", index);
      return NULL;
    }
  obj = json_node_get_object (node);
  {
    JsonNode *id = json_object_get_member (obj, "id");
    if (id && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
      {
        g_autofree char *shown = canteen_text_excerpt (json_node_get_string (id), 32);
        where = g_strdup_printf ("dishes[%u] (%s)", index, shown);
      }
    else
      where = g_strdup_printf ("dishes[%u]", index);
  }

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &member, &value))
    {
      int f = field_lookup (member);
      gint64 n = 0;
      gboolean ok = TRUE;

      if (f < 0)
        {
          g_autofree char *shown = canteen_text_excerpt (member, 40);
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "%s: unknown field “%s”", where, shown);
          return NULL;
        }
      have[f] = TRUE;
      switch ((Field) f)
        {
        case F_ID:       ok = json_string_member (value, where, member, &dish->id, error); break;
        case F_NAME:     ok = json_string_member (value, where, member, &dish->name, error); break;
        case F_NAME_EN:  ok = json_string_member (value, where, member, &dish->name_en, error); break;
        case F_CATEGORY: ok = json_string_member (value, where, member, &dish->category, error); break;
        case F_PRICE:    ok = json_int_member (value, where, member, &dish->price_fen, error); break;
        case F_VISITOR_PRICE: ok = json_int_member (value, where, member, &dish->visitor_price_fen, error); break;
        case F_PER_100G: ok = json_int_member (value, where, member, &dish->price_per_100g_fen, error); break;
        case F_PORTION:
          ok = json_int_member (value, where, member, &n, error);
          dish->portion_g = (gint) MIN (n, G_MAXINT);
          break;
        case F_KCAL:
          ok = json_int_member (value, where, member, &n, error);
          dish->kcal = (gint) MIN (n, G_MAXINT);
          break;
        case F_PERIODS:  ok = json_periods_member (value, where, &dish->periods, error); break;
        case N_FIELDS:
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return NULL;
    }

  for (Field f = F_ID; f <= F_PORTION; f++)
    if (!have[f] && f != F_NAME_EN && f != F_VISITOR_PRICE)
      {
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                     "%s: %s is required", where, field_names[f]);
        return NULL;
      }
  if (!have[F_VISITOR_PRICE])
    dish->visitor_price_fen = dish->price_fen;
  if (dish->name_en == NULL)
    dish->name_en = g_strdup ("");
  if (!canteen_dish_validate (dish, error))
    return NULL;
  return g_steal_pointer (&dish);
}

GPtrArray *
canteen_menu_parse_json (const char *data, gsize len, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  GError *local = NULL;
  JsonNode *root;
  JsonNode *list;
  JsonArray *array;

  if (len > G_MAXSSIZE || !g_utf8_validate (data, (gssize) len, NULL))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file: not UTF-8 text");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      /* json-glib quotes the bad input back, cut anywhere: clean it. */
      g_autofree char *why = canteen_text_excerpt (local->message, 200);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file: not valid JSON: %s", why);
      g_error_free (local);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file: the top level must be an object with a \"dishes\" list");
      return NULL;
    }
  list = json_object_get_member (json_node_get_object (root), "dishes");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file: \"dishes\" must be a list");
      return NULL;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      CanteenDish *dish;
      if (!check_count (dishes, error))
        return NULL;
      dish = dish_from_json (json_array_get_element (array, i), i, error);
      if (dish == NULL)
        return NULL;
      g_ptr_array_add (dishes, dish);
    }
  return finish_list (g_steal_pointer (&dishes), error);
}

/* ---- CSV -------------------------------------------------------------- */

typedef struct {
  GPtrArray *rows;     /* GPtrArray of GStrv-like GPtrArray (char *) */
  GPtrArray *current;
} CsvCollect;

static void
csv_on_field (void *field, size_t len, void *data)
{
  CsvCollect *c = data;

  if (c->current == NULL)
    c->current = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (c->current, g_strndup (field ? field : "", len));
}

static void
csv_on_row (int terminator, void *data)
{
  CsvCollect *c = data;

  if (c->current == NULL)
    c->current = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (c->rows, c->current);
  c->current = NULL;
}

static gboolean
csv_int (const char *text, const char *where, const char *field, gint64 max, gint64 *out, GError **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 0, (guint64) max, &v, NULL))
    {
      g_autofree char *shown = canteen_text_excerpt (text, 20);
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   "%s: %s “%s” is not a whole number from 0 to %" G_GINT64_FORMAT,
                   where, field, shown, max);
      return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

static CanteenDish *
dish_from_csv (GPtrArray *row, const int *columns, guint n_columns, guint line, GError **error)
{
  g_autoptr(CanteenDish) dish = canteen_dish_new ();
  g_autofree char *where = g_strdup_printf ("line %u", line);
  gboolean have_visitor = FALSE;

  if (row->len != n_columns)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "%s: %u fields, the header has %u", where, row->len, n_columns);
      return NULL;
    }
  for (guint i = 0; i < n_columns; i++)
    {
      const char *text = g_ptr_array_index (row, i);
      gint64 n = 0;

      if (*text == '\0' && columns[i] != F_ID && columns[i] != F_NAME &&
          columns[i] != F_CATEGORY && columns[i] != F_PRICE && columns[i] != F_PORTION)
        continue;     /* empty optional cell */
      switch ((Field) columns[i])
        {
        case F_ID:       dish->id = g_strdup (text); break;
        case F_NAME:     dish->name = g_strdup (text); break;
        case F_NAME_EN:  dish->name_en = g_strdup (text); break;
        case F_CATEGORY: dish->category = g_strdup (text); break;
        case F_PRICE:
          if (!csv_int (text, where, "price_fen", G_MAXINT32, &dish->price_fen, error))
            return NULL;
          break;
        case F_VISITOR_PRICE:
          if (!csv_int (text, where, "visitor_price_fen", G_MAXINT32, &dish->visitor_price_fen, error))
            return NULL;
          have_visitor = TRUE;
          break;
        case F_PER_100G:
          if (!csv_int (text, where, "price_per_100g_fen", G_MAXINT32, &dish->price_per_100g_fen, error))
            return NULL;
          break;
        case F_PORTION:
          if (!csv_int (text, where, "portion_g", G_MAXINT32, &n, error))
            return NULL;
          dish->portion_g = (gint) n;
          break;
        case F_KCAL:
          if (!csv_int (text, where, "kcal", G_MAXINT32, &n, error))
            return NULL;
          dish->kcal = (gint) n;
          break;
        case F_PERIODS:
          if (!canteen_meal_periods_parse (text, &dish->periods, error))
            {
              g_prefix_error (error, "%s: ", where);
              return NULL;
            }
          break;
        case N_FIELDS:
        default:
          g_assert_not_reached ();
        }
    }
  if (!have_visitor)
    dish->visitor_price_fen = dish->price_fen;
  if (dish->name_en == NULL)
    dish->name_en = g_strdup ("");
  if (!canteen_dish_validate (dish, error))
    {
      g_prefix_error (error, "%s: ", where);
      return NULL;
    }
  return g_steal_pointer (&dish);
}

GPtrArray *
canteen_menu_parse_csv (const char *data, gsize len, GError **error)
{
  struct csv_parser parser;
  CsvCollect collect = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref), NULL };
  g_autoptr(GPtrArray) rows = collect.rows;
  g_autoptr(GPtrArray) dishes = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_dish_free);
  int columns[N_FIELDS];
  gboolean seen[N_FIELDS] = { FALSE };
  GPtrArray *header;
  gsize skip = 0;

  if (!g_utf8_validate (data, (gssize) len, NULL))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT, "menu file: not UTF-8 text");
      return NULL;
    }
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)   /* spreadsheet programs add a BOM */
    skip = 3;
  if (csv_init (&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT, "menu file: out of memory");
      return NULL;
    }
  csv_set_opts (&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
  if (csv_parse (&parser, data + skip, len - skip, csv_on_field, csv_on_row, &collect) != len - skip ||
      csv_fini (&parser, csv_on_field, csv_on_row, &collect) != 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file: not valid CSV near byte %zu: %s",
                   (size_t) skip + (size_t) csv_get_buffer_size (&parser),
                   csv_strerror (csv_error (&parser)));
      csv_free (&parser);
      g_clear_pointer (&collect.current, g_ptr_array_unref);
      return NULL;
    }
  csv_free (&parser);
  g_clear_pointer (&collect.current, g_ptr_array_unref);

  if (rows->len == 0)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                   "menu file: empty, a header line is required");
      return NULL;
    }
  header = g_ptr_array_index (rows, 0);
  if (header->len > N_FIELDS)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "line 1: %u columns, at most %d are known", header->len, N_FIELDS);
      return NULL;
    }
  for (guint i = 0; i < header->len; i++)
    {
      const char *name = g_ptr_array_index (header, i);
      int f = field_lookup (g_strstrip ((char *) name));
      if (f < 0)
        {
          g_autofree char *shown = canteen_text_excerpt (name, 40);
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                       "line 1: unknown column “%s”", shown);
          return NULL;
        }
      if (seen[f])
        {
          g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_DUPLICATE,
                       "line 1: column %s appears twice", name);
          return NULL;
        }
      seen[f] = TRUE;
      columns[i] = f;
    }
  for (Field f = F_ID; f <= F_PORTION; f++)
    if (!seen[f] && f != F_NAME_EN && f != F_VISITOR_PRICE)
      {
        g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_MISSING,
                     "line 1: the header needs a %s column", field_names[f]);
        return NULL;
      }

  for (guint r = 1; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);
      CanteenDish *dish;

      /* A blank line (one empty field) is allowed, e.g. at the end. */
      if (row->len == 1 && *(const char *) g_ptr_array_index (row, 0) == '\0')
        continue;
      if (!check_count (dishes, error))
        return NULL;
      dish = dish_from_csv (row, columns, header->len, r + 1, error);
      if (dish == NULL)
        return NULL;
      g_ptr_array_add (dishes, dish);
    }
  return finish_list (g_steal_pointer (&dishes), error);
}

/* ---- file -------------------------------------------------------------- */

GPtrArray *
canteen_menu_file_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *local = NULL;
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, &local);
  g_autofree char *shown = g_filename_display_name (path);
  const char *ext;

  if (info == NULL)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file %s: %s", shown, local->message);
      g_error_free (local);
      return NULL;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR ||
      g_file_info_get_size (info) > CANTEEN_MENU_FILE_MAX_BYTES)
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file %s: not a regular file of at most %d bytes", shown, CANTEEN_MENU_FILE_MAX_BYTES);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT,
                   "menu file %s: %s", shown, local->message);
      g_error_free (local);
      return NULL;
    }
  ext = strrchr (path, '.');
  if ((ext && g_ascii_strcasecmp (ext, ".json") == 0) ||
      (!(ext && g_ascii_strcasecmp (ext, ".csv") == 0) && len > 0 && data[0] == '{'))
    return canteen_menu_parse_json (data, len, error);
  return canteen_menu_parse_csv (data, len, error);
}
