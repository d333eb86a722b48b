/* Menu files from a canteen office: the good ones import, every bad one is
 * refused as a whole with a message naming the dish or line and the field. */
#include "canteen-error.h"
#include "dish.h"
#include "validate.h"
#include "menu-file.h"

#include <glib/gstdio.h>

#define GOOD_JSON \
  "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"name_en\":\"Braised pork\",\"category\":\"热菜\"," \
  "\"price_fen\":1200,\"visitor_price_fen\":1500,\"portion_g\":250}," \
  "{\"id\":\"D02\",\"name\":\"米饭\",\"category\":\"主食\",\"price_fen\":50,\"portion_g\":200," \
  "\"kcal\":230,\"periods\":[\"lunch\",\"dinner\"]}," \
  "{\"id\":\"D03\",\"name\":\"自选凉菜\",\"category\":\"凉菜\",\"price_fen\":0,\"portion_g\":150," \
  "\"price_per_100g_fen\":250}]}"

static void
test_json_good (void)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) dishes = canteen_menu_parse_json (GOOD_JSON, strlen (GOOD_JSON), &error);
  CanteenDish *d;

  g_assert_no_error (error);
  g_assert_cmpuint (dishes->len, ==, 3);
  d = g_ptr_array_index (dishes, 0);
  g_assert_cmpstr (d->name, ==, "红烧肉");
  g_assert_cmpint (d->price_fen, ==, 1200);
  g_assert_cmpint (d->visitor_price_fen, ==, 1500);
  g_assert_cmpint (d->periods, ==, 0);
  d = g_ptr_array_index (dishes, 1);
  g_assert_cmpint (d->visitor_price_fen, ==, 50);     /* defaults to the staff price */
  g_assert_cmpint (d->kcal, ==, 230);
  g_assert_cmpstr (d->name_en, ==, "");
  g_assert_cmpuint (d->periods, ==, 6);
  d = g_ptr_array_index (dishes, 2);
  g_assert_true (canteen_dish_is_weighed (d));
}

typedef struct {
  const char *body;
  const char *message_part;   /* what the operator must be told */
} BadCase;

static void
check_bad_json (const BadCase *c)
{
  GError *error = NULL;
  GPtrArray *dishes = canteen_menu_parse_json (c->body, strlen (c->body), &error);

  if (dishes != NULL)
    g_error ("accepted: %s", c->body);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CANTEEN_INPUT_ERROR);
  if (strstr (error->message, c->message_part) == NULL)
    g_error ("“%s” does not mention “%s” for %s", error->message, c->message_part, c->body);
  g_clear_error (&error);
}

#define DISH(extra) "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":1200,\"portion_g\":250" extra "}]}"

static void
test_json_bad (void)
{
  g_autofree char *long_name = NULL;
  g_autofree char *long_body = NULL;
  GString *many = g_string_new ("{\"dishes\":[");
  const BadCase cases[] = {
    { "", "top level must be an object" },
    { "{", "not valid JSON" },
    { "[1,2]", "top level" },
    { "{\"dishes\":{}}", "\"dishes\" must be a list" },
    { "{\"dishes\":[]}", "no dishes" },
    { "{\"dishes\":[42]}", "dishes[0]" },
    { DISH (",\"price\":5"), "unknown field “price”" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"portion_g\":250}]}", "price_fen is required" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":12.5,\"portion_g\":250}]}", "price_fen must be a whole number" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":-1,\"portion_g\":250}]}", "price_fen must not be negative" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":\"12\",\"portion_g\":250}]}", "price_fen must be a whole number" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":100001,\"portion_g\":250}]}", "price_fen is 100001" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":100,\"portion_g\":0}]}", "portion_g is 0" },
    { DISH (",\"price_per_100g_fen\":-5"), "price_per_100g_fen must not be negative" },
    { DISH (",\"kcal\":-5"), "kcal must not be negative" },
    { "{\"dishes\":[{\"id\":\"D 01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":1200,\"portion_g\":250}]}", "id: “D 01”" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"   \",\"category\":\"热菜\",\"price_fen\":1200,\"portion_g\":250}]}", "name: must not be empty" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"甜点\",\"price_fen\":1200,\"portion_g\":250}]}", "category “甜点”" },
    { DISH (",\"periods\":[\"supper\"]"), "periods[0]" },
    { "{\"dishes\":[{\"id\":\"D01\",\"name\":\"红烧肉\",\"category\":\"热菜\",\"price_fen\":1200,\"portion_g\":250},"
      "{\"id\":\"D01\",\"name\":\"米饭\",\"category\":\"主食\",\"price_fen\":50,\"portion_g\":200}]}", "more than once" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_bad_json (&cases[i]);

  /* Over-long strings: refused, not truncated. */
  {
    GString *n = g_string_new (NULL);
    for (int i = 0; i < CANTEEN_NAME_MAX_CHARS + 1; i++)
      g_string_append (n, "菜");
    long_name = g_string_free (n, FALSE);
  }
  long_body = g_strdup_printf ("{\"dishes\":[{\"id\":\"D01\",\"name\":\"%s\",\"category\":\"热菜\",\"price_fen\":1,\"portion_g\":1}]}", long_name);
  check_bad_json (&(BadCase) { long_body, "at most 64 allowed" });

  for (int i = 0; i <= CANTEEN_MENU_MAX_DISHES; i++)
    g_string_append_printf (many, "%s{\"id\":\"D%d\",\"name\":\"菜\",\"category\":\"热菜\",\"price_fen\":1,\"portion_g\":1}",
                            i ? "," : "", i);
  g_string_append (many, "]}");
  check_bad_json (&(BadCase) { many->str, "more than 2000 dishes" });
  g_string_free (many, TRUE);
}

static void
test_json_not_utf8 (void)
{
  const char body[] = "{\"dishes\":[{\"id\":\"D01\",\"name\":\"\xff\xfe\",\"category\":\"热菜\",\"price_fen\":1,\"portion_g\":1}]}";
  GError *error = NULL;

  g_assert_null (canteen_menu_parse_json (body, sizeof body - 1, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT);
  g_clear_error (&error);
}

static void
test_csv_good (void)
{
  const char *csv =
    "\xEF\xBB\xBFid,name,name_en,category,price_fen,visitor_price_fen,portion_g,price_per_100g_fen,kcal,periods\n"
    "D01,红烧肉,\"Braised pork, Shanghai style\",热菜,1200,1500,250,,520,lunch|dinner\n"
    "D02,米饭,Rice,主食,50,,200,,,\n"
    "D03,称重凉菜,Cold dishes,凉菜,0,0,150,250,,\r\n"
    "\n";
  GError *error = NULL;
  g_autoptr(GPtrArray) dishes = canteen_menu_parse_csv (csv, strlen (csv), &error);
  CanteenDish *d;

  g_assert_no_error (error);
  g_assert_cmpuint (dishes->len, ==, 3);
  d = g_ptr_array_index (dishes, 0);
  g_assert_cmpstr (d->id, ==, "D01");
  g_assert_cmpstr (d->name_en, ==, "Braised pork, Shanghai style");
  g_assert_cmpint (d->kcal, ==, 520);
  g_assert_cmpint (d->price_per_100g_fen, ==, -1);
  d = g_ptr_array_index (dishes, 1);
  g_assert_cmpint (d->visitor_price_fen, ==, 50);
  d = g_ptr_array_index (dishes, 2);
  g_assert_cmpint (d->price_per_100g_fen, ==, 250);
}

static void
test_csv_bad (void)
{
  const BadCase cases[] = {
    { "", "empty" },
    { "id,name,category,price_fen\nD01,红烧肉,热菜,1200\n", "needs a portion_g column" },
    { "id,name,category,price,portion_g\n", "unknown column “price”" },
    { "id,name,category,price_fen,portion_g,id\n", "appears twice" },
    { "id,name,category,price_fen,portion_g\nD01,红烧肉,热菜,1200\n", "line 2: 4 fields" },
    { "id,name,category,price_fen,portion_g\nD01,红烧肉,热菜,12.00,250\n", "line 2: price_fen “12.00”" },
    { "id,name,category,price_fen,portion_g\nD01,红烧肉,热菜,-3,250\n", "line 2: price_fen “-3”" },
    { "id,name,category,price_fen,portion_g\nD01,红烧肉,热菜,1200,250\nD02,米饭,饭,50,200\n", "line 3: dish D02: category" },
    { "id,name,category,price_fen,portion_g\nD01,\"红烧肉,热菜,1200,250\n", "not valid CSV" },
    { "id,name,category,price_fen,portion_g,periods\nD01,红烧肉,热菜,1200,250,brunch\n", "line 2: periods" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      GPtrArray *dishes = canteen_menu_parse_csv (cases[i].body, strlen (cases[i].body), &error);
      if (dishes != NULL)
        g_error ("accepted: %s", cases[i].body);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s” does not mention “%s”", error->message, cases[i].message_part);
      g_clear_error (&error);
    }
}

static void
test_file_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("menu-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "menu.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "nope.json", NULL);
  g_autoptr(GPtrArray) dishes = NULL;
  GError *error = NULL;

  g_assert_true (g_file_set_contents (json, GOOD_JSON, -1, NULL));
  dishes = canteen_menu_file_load (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dishes->len, ==, 3);
  g_assert_null (canteen_menu_file_load (missing, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (canteen_menu_file_load (dir, &error));      /* a directory */
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_FORMAT);
  g_clear_error (&error);
  g_unlink (json);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/menu-file/json-good", test_json_good);
  g_test_add_func ("/menu-file/json-bad", test_json_bad);
  g_test_add_func ("/menu-file/json-not-utf8", test_json_not_utf8);
  g_test_add_func ("/menu-file/csv-good", test_csv_good);
  g_test_add_func ("/menu-file/csv-bad", test_csv_bad);
  g_test_add_func ("/menu-file/file-load", test_file_load);
  return g_test_run ();
}
