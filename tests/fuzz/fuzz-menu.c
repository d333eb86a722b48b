/* fuzz-menu — the menu-file parsers (JSON and CSV) on arbitrary bytes.
 * The first byte picks the format so one corpus covers both. Whatever the
 * input, the parser returns dishes that validate, or NULL with an error. */
#include <stdint.h>

#include "dish.h"
#include "fuzz-check.h"
#include "menu-file.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GPtrArray *dishes;

  if (size < 1 || size > CANTEEN_MENU_FILE_MAX_BYTES)
    return 0;
  if (data[0] & 1)
    dishes = canteen_menu_parse_csv ((const char *) data + 1, size - 1, &error);
  else
    dishes = canteen_menu_parse_json ((const char *) data + 1, size - 1, &error);
  if (dishes == NULL)
    {
      fuzz_check_refusal (error);
      return 0;
    }
  g_assert (error == NULL && dishes->len > 0);
  for (guint i = 0; i < dishes->len; i++)
    g_assert (canteen_dish_validate (g_ptr_array_index (dishes, i), NULL));
  g_ptr_array_unref (dishes);
  return 0;
}
