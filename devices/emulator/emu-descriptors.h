/* emu-descriptors.h — building the USB descriptors of an emulated device.
 *
 * Contract: a device model describes itself as a CanteenEmuIdentity and a
 * configuration built with the canteen_emu_config_*() calls; the result of
 * canteen_emu_descriptors_build() is exactly what a kernel exposes in sysfs
 * `descriptors` (the 18-byte device descriptor followed by the full
 * configuration descriptor: interfaces, class descriptors, endpoints), which
 * is where libusb reads them from. wTotalLength and bNumInterfaces are
 * filled in by canteen_emu_config_finish(); string indices 1, 2 and 3 are
 * the manufacturer, product and serial number.
 *
 * canteen_emu_descriptors_parse() reads such a blob back into the endpoint
 * and interface tables the USB plumbing needs; it refuses anything it does
 * not understand, so a model with a broken descriptor fails at once and not
 * inside a client's libusb.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_EMU_MAX_INTERFACES 8
#define CANTEEN_EMU_MAX_ENDPOINTS  16

/* bmAttributes transfer types */
enum {
  CANTEEN_EMU_EP_CONTROL = 0,
  CANTEEN_EMU_EP_ISO = 1,
  CANTEEN_EMU_EP_BULK = 2,
  CANTEEN_EMU_EP_INTERRUPT = 3,
};

typedef struct {
  guint16 vendor_id;
  guint16 product_id;
  guint16 bcd_device;
  guint8  device_class;          /* 0: per interface */
  guint8  device_subclass;
  guint8  device_protocol;
  const char *manufacturer;      /* string 1 */
  const char *product;           /* string 2 */
  const char *serial;            /* string 3 */
} CanteenEmuIdentity;

/* Configuration 1, bus powered, `max_power_ma` mA. */
GByteArray *canteen_emu_config_new (guint max_power_ma);
void        canteen_emu_config_interface (GByteArray *config, guint8 number, guint8 n_endpoints,
                                          guint8 cls, guint8 subclass, guint8 protocol);
/* A class-specific descriptor (CCID 21h, HID 21h...) as it goes on the wire. */
void        canteen_emu_config_raw (GByteArray *config, const guint8 *descriptor, gsize len);
void        canteen_emu_config_endpoint (GByteArray *config, guint8 address, guint8 type,
                                         guint16 max_packet, guint8 interval);
/* Fixes the header; returns the configuration descriptor and frees `config`. */
GBytes     *canteen_emu_config_finish (GByteArray *config);

/* The sysfs `descriptors` blob: device descriptor + configuration. */
GBytes     *canteen_emu_descriptors_build (const CanteenEmuIdentity *id, GBytes *config);

/* A string descriptor (UTF-16LE) for `text`, or the language table for index 0. */
GBytes     *canteen_emu_string_descriptor (const char *text);
GBytes     *canteen_emu_language_descriptor (void);

typedef struct {
  guint8  address;               /* bit 7: IN */
  guint8  type;                  /* CANTEEN_EMU_EP_* */
  guint16 max_packet;
  guint8  interface;
} CanteenEmuEndpointInfo;

typedef struct {
  guint8  number;
  guint8  cls;
  guint8  subclass;
  guint8  protocol;
} CanteenEmuInterfaceInfo;

typedef struct {
  guint16 vendor_id;
  guint16 product_id;
  guint8  max_packet0;
  CanteenEmuInterfaceInfo interfaces[CANTEEN_EMU_MAX_INTERFACES];
  guint   n_interfaces;
  CanteenEmuEndpointInfo endpoints[CANTEEN_EMU_MAX_ENDPOINTS];
  guint   n_endpoints;
} CanteenEmuLayout;

gboolean canteen_emu_descriptors_parse (GBytes *descriptors, CanteenEmuLayout *out, GError **error);

G_END_DECLS
