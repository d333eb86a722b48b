/* fuzz-scale — HID POS scale reports and APDU responses (the other short
 * binary replies a device sends). */
#include <stdint.h>

#include "apdu.h"
#include "fuzz-check.h"
#include "hid-scale.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;

  if (size < 1)
    return 0;
  if (data[0] < 0x80)
    {
      CanteenScaleReading r;
      if (canteen_scale_parse_report (data + 1, size - 1, data[0] & 1, &r, &error))
        g_assert (!r.valid || (r.grams >= -CANTEEN_SCALE_MAX_GRAMS && r.grams <= CANTEEN_SCALE_MAX_GRAMS));
      else
        fuzz_check_refusal (error);
    }
  else
    {
      CanteenApduResponse resp;
      gint le;
      if (canteen_apdu_parse_response (data + 1, size - 1, &resp, &error))
        {
          g_assert (resp.len == size - 3);
          (void) canteen_apdu_next (resp.sw, &le);
          g_assert (le >= 0 && le <= 256);
        }
      else
        fuzz_check_refusal (error);
    }
  return 0;
}
