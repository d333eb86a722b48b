/* menu-file.h — reading a canteen's dish list from JSON or CSV.
 *
 * Contract: the whole file is read and validated before anything is
 * returned; on any problem the result is NULL and the error names the dish
 * (JSON) or the line (CSV) and the field. Unknown JSON members and unknown
 * CSV columns are errors (a typo such as "price" must not be ignored). The
 * format is chosen by the extension (.json/.csv), else by the first byte.
 *
 * JSON: {"dishes":[{"id":"D01","name":"红烧肉","name_en":"Braised pork",
 *        "category":"热菜","price_fen":1200,"visitor_price_fen":1500,
 *        "portion_g":250,"price_per_100g_fen":300,"kcal":450,
 *        "periods":["lunch","dinner"]}]}
 * CSV:  a header line naming the same fields; periods as "lunch|dinner".
 * visitor_price_fen defaults to price_fen; name_en, price_per_100g_fen,
 * kcal and periods are optional.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_MENU_FILE_MAX_BYTES (1024 * 1024)
#define CANTEEN_MENU_MAX_DISHES     2000

/* Returns a GPtrArray of CanteenDish (owning). */
GPtrArray *canteen_menu_file_load  (const char *path, GError **error);
GPtrArray *canteen_menu_parse_json (const char *data, gsize len, GError **error);
GPtrArray *canteen_menu_parse_csv  (const char *data, gsize len, GError **error);

G_END_DECLS
