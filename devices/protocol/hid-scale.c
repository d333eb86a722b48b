#include "hid-scale.h"

#include "device-error.h"

/* Units of the Point of Sale page, in micrograms. Fractions (ounces,
 * grains...) are rounded to the microgram: far below any scale's resolution. */
static const gint64 unit_ug[] = {
  0,                  /* 0: not a unit */
  1000,               /* 1: milligram */
  1000000,            /* 2: gram */
  1000000000,         /* 3: kilogram */
  200000,             /* 4: carat */
  37799364,           /* 5: tael (Hong Kong, 37.799 g) */
  64799,              /* 6: grain */
  1555174,            /* 7: pennyweight */
  G_GINT64_CONSTANT (1000000000000),   /* 8: metric ton */
  G_GINT64_CONSTANT (907184740000),    /* 9: avoirdupois ton */
  31103477,           /* 10: troy ounce */
  28349523,           /* 11: ounce */
  453592370,          /* 12: pound */
};

gboolean
canteen_scale_parse_report (const guint8 *report, gsize len, gboolean has_report_id,
                            CanteenScaleReading *out, GError **error)
{
  const guint8 *r = report;
  guint8 status, unit;
  gint8 exponent;
  guint raw;
  gint64 ug;

  memset (out, 0, sizeof *out);
  if (has_report_id)
    {
      if (len < 1 || report[0] != CANTEEN_SCALE_REPORT_ID)
        return canteen_device_protocol_error (error, "scale report", "report id %d is not the scale data report (%d)",
                            len ? report[0] : -1, CANTEEN_SCALE_REPORT_ID);
      r++;
      len--;
    }
  if (len < 5)
    return canteen_device_protocol_error (error, "scale report", "%zu bytes, 5 needed", len);
  status = r[0];
  unit = r[1];
  exponent = (gint8) r[2];
  raw = (guint) (r[3] | r[4] << 8);

  if (status < CANTEEN_SCALE_FAULT || status > CANTEEN_SCALE_NEEDS_REZERO)
    return canteen_device_protocol_error (error, "scale report", "unknown status %u", status);
  out->status = (CanteenScaleStatus) status;
  if (status == CANTEEN_SCALE_FAULT || status == CANTEEN_SCALE_OVER_CAPACITY ||
      status == CANTEEN_SCALE_NEEDS_CALIBRATION || status == CANTEEN_SCALE_NEEDS_REZERO)
    return TRUE;                       /* no weight to read; status says why */
  if (unit == 0 || unit >= G_N_ELEMENTS (unit_ug))
    return canteen_device_protocol_error (error, "scale report", "unknown unit %u", unit);
  if (exponent < -9 || exponent > 9)
    return canteen_device_protocol_error (error, "scale report", "exponent %d out of range", exponent);

  /* raw × unit × 10^exponent in µg, without overflow: raw × unit fits,
   * and each ×10 is checked against the limit first. */
  ug = (gint64) raw * unit_ug[unit];                /* ≤ 65535 × 10^12: fits */
  for (gint e = 0; e < exponent; e++)
    {
      if (ug > (gint64) CANTEEN_SCALE_MAX_GRAMS * 1000000)
        return canteen_device_protocol_error (error, "scale report", "weight over %d g", CANTEEN_SCALE_MAX_GRAMS);
      ug *= 10;
    }
  if (exponent < 0)
    {
      /* One rounded division: rounding at each power of ten would not be exact. */
      gint64 divisor = 1;
      for (gint e = 0; e > exponent; e--)
        divisor *= 10;
      ug = (ug + divisor / 2) / divisor;
    }
  if (ug > (gint64) CANTEEN_SCALE_MAX_GRAMS * 1000000)
    return canteen_device_protocol_error (error, "scale report", "weight over %d g", CANTEEN_SCALE_MAX_GRAMS);

  out->grams = (gint) ((ug + 500000) / 1000000);
  if (status == CANTEEN_SCALE_STABLE_ZERO)
    out->grams = 0;
  if (status == CANTEEN_SCALE_UNDER_ZERO)
    out->grams = -out->grams;
  out->valid = TRUE;
  out->stable = status == CANTEEN_SCALE_STABLE || status == CANTEEN_SCALE_STABLE_ZERO;
  return TRUE;
}
