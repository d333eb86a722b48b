/* drivers.h — the driver types, in the order the manager offers them a
 * device (the first match wins). Each driver is one file in this folder. */
#pragma once

#include "device.h"
#include "escpos-printer.h"
#include "pos-scale.h"

G_BEGIN_DECLS

#define CANTEEN_TYPE_CCID_READER (canteen_ccid_reader_get_type ())
G_DECLARE_FINAL_TYPE (CanteenCcidReader, canteen_ccid_reader, CANTEEN, CCID_READER, CanteenDevice)

#define CANTEEN_TYPE_HID_READER (canteen_hid_reader_get_type ())
G_DECLARE_FINAL_TYPE (CanteenHidReader, canteen_hid_reader, CANTEEN, HID_READER, CanteenDevice)


const GType *canteen_drivers_get_types (guint *n_types);

G_END_DECLS
