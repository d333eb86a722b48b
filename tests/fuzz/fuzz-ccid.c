/* fuzz-ccid — CCID replies, interrupt messages and class descriptors from a
 * reader that may be broken or hostile. The first byte picks the parser and
 * the limits, so one corpus covers them all. */
#include <stdint.h>

#include "ccid.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  guint8 mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;
  switch (mode % 3)
    {
    case 0:
      {
        CanteenCcidReply r;
        guint32 limit = (mode & 0x80) ? CANTEEN_CCID_ABSOLUTE_MAX : 271;
        if (canteen_ccid_parse_reply (data, size, 0, (guint8) (mode >> 2), limit, &r, &error))
          {
            /* The data lies inside the message. */
            g_assert (r.len == size - CANTEEN_CCID_HEADER_LEN);
            g_assert (r.len == 0 || (r.data == data + CANTEEN_CCID_HEADER_LEN));
            if (!canteen_ccid_reply_check (&r, &error))
              fuzz_check_refusal (error);
          }
        else
          fuzz_check_refusal (error);
        break;
      }
    case 1:
      {
        guint32 present, changed;
        guint slots = 1 + (mode >> 3) % 32;
        if (canteen_ccid_parse_notify (data, size, slots, &present, &changed, &error))
          g_assert (slots == 32 || (present >> slots) == 0);
        else
          fuzz_check_refusal (error);
        break;
      }
    default:
      {
        CanteenCcidDescriptor d;
        if (canteen_ccid_parse_descriptor (data, size, &d, &error))
          g_assert (d.max_message_length <= CANTEEN_CCID_ABSOLUTE_MAX && d.max_slot_index <= 31);
        else
          fuzz_check_refusal (error);
        break;
      }
    }
  return 0;
}
