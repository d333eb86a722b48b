/* fuzz-atr — ATR parsing on arbitrary bytes: a parse, or a clear refusal. */
#include <stdint.h>

#include "atr.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CanteenAtr atr;
  GError *error = NULL;

  if (!canteen_atr_parse (data, size, &atr, &error))
    {
      fuzz_check_refusal (error);
      return 0;
    }
  /* A parsed ATR is the input, and its historical bytes lie inside it. */
  g_assert (atr.len == size && memcmp (atr.bytes, data, size) == 0);
  g_assert (atr.historical >= atr.bytes && atr.historical + atr.n_historical <= atr.bytes + atr.len);
  g_free (canteen_atr_to_hex (&atr));
  return 0;
}
