/* checkout-frame.c — see checkout-frame.h. */
#include "checkout-frame.h"

gboolean
canteen_checkout_frame_keep (CanteenLedger *ledger, CanteenVision *vision, const char *checkout_id, GBytes *jpeg,
                             char **out_tag, GError **error)
{
  char tag[CANTEEN_VISION_TRAY_TAG + 1] = "";
  CanteenVisionImage image;
  const guint8 *data;
  gsize len;

  if (out_tag != NULL)
    *out_tag = NULL;
  if (!canteen_ledger_keep_frame (ledger, checkout_id, jpeg, error))
    return FALSE;
  /* The ledger took it as a JPEG; one the decoder refuses has no tag to
   * read, which is no failure of the checkout. */
  data = g_bytes_get_data (jpeg, &len);
  if (canteen_vision_decode (vision, data, len, &image) != CANTEEN_VISION_OK
      || canteen_vision_read_tray_tag (vision, &image, tag) != CANTEEN_VISION_OK)
    return TRUE;
  if (!canteen_ledger_set_checkout_tray (ledger, checkout_id, tag, error))
    return FALSE;
  if (out_tag != NULL)
    *out_tag = g_strdup (tag);
  return TRUE;
}
