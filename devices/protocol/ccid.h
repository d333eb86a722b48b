/* ccid.h — USB CCID messages (USB Device Class "Smart Card" CCID rev 1.1).
 *
 * Contract: builders produce PC_to_RDR messages (10-byte header, little-
 * endian dwLength). Parsers accept a reply only when it is complete and
 * consistent: known type, dwLength matching the bytes received and within
 * the reader's dwMaxCCIDMessageLength, slot and sequence number matching
 * the request, no reserved status values. Anything else is
 * CANTEEN_DEVICE_ERROR_PROTOCOL naming the field. Reply data points into
 * the caller's buffer; nothing is read past `len`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CANTEEN_CCID_HEADER_LEN   10
/* 10 + 5 + 65536 + 3: an extended APDU with its header and Le. */
#define CANTEEN_CCID_ABSOLUTE_MAX (CANTEEN_CCID_HEADER_LEN + 65544)

enum {
  CANTEEN_CCID_PC_TO_RDR_ICC_POWER_ON     = 0x62,
  CANTEEN_CCID_PC_TO_RDR_ICC_POWER_OFF    = 0x63,
  CANTEEN_CCID_PC_TO_RDR_GET_SLOT_STATUS  = 0x65,
  CANTEEN_CCID_PC_TO_RDR_XFR_BLOCK        = 0x6F,
  CANTEEN_CCID_RDR_TO_PC_DATA_BLOCK       = 0x80,
  CANTEEN_CCID_RDR_TO_PC_SLOT_STATUS      = 0x81,
  CANTEEN_CCID_RDR_TO_PC_PARAMETERS       = 0x82,
  CANTEEN_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE = 0x50,
  CANTEEN_CCID_RDR_TO_PC_HARDWARE_ERROR   = 0x51,
};

typedef enum {
  CANTEEN_CCID_ICC_ACTIVE   = 0,   /* card present and powered */
  CANTEEN_CCID_ICC_INACTIVE = 1,   /* card present, not powered */
  CANTEEN_CCID_ICC_ABSENT   = 2,
} CanteenCcidIccStatus;

typedef enum {
  CANTEEN_CCID_COMMAND_OK             = 0,
  CANTEEN_CCID_COMMAND_FAILED         = 1,  /* bError says why */
  CANTEEN_CCID_COMMAND_TIME_EXTENSION = 2,  /* the reader asks for more time; read again */
} CanteenCcidCommandStatus;

typedef enum {
  CANTEEN_CCID_LEVEL_CHARACTER,
  CANTEEN_CCID_LEVEL_TPDU,
  CANTEEN_CCID_LEVEL_SHORT_APDU,
  CANTEEN_CCID_LEVEL_EXTENDED_APDU,
} CanteenCcidExchangeLevel;

typedef struct {
  guint16 bcd_ccid;
  guint8  max_slot_index;
  guint8  voltage_support;
  guint32 protocols;               /* bit 0: T=0, bit 1: T=1 */
  guint32 max_ifsd;
  guint32 features;
  guint32 max_message_length;      /* dwMaxCCIDMessageLength */
  guint8  max_busy_slots;
} CanteenCcidDescriptor;

typedef struct {
  guint8        type;
  guint8        slot;
  guint8        seq;
  CanteenCcidIccStatus     icc;
  CanteenCcidCommandStatus command;
  guint8        error;             /* bError (failed) or the time-extension multiplier */
  guint8        specific;          /* bChainParameter / bClockStatus / bProtocolNum */
  const guint8 *data;
  gsize         len;
} CanteenCcidReply;

/* The CCID class descriptor from an interface's extra descriptor bytes
 * (several descriptors may be concatenated there). */
gboolean canteen_ccid_parse_descriptor (const guint8 *extra, gsize len, CanteenCcidDescriptor *out, GError **error);
CanteenCcidExchangeLevel canteen_ccid_exchange_level (const CanteenCcidDescriptor *desc);

/* PC_to_RDR messages. XfrBlock refuses data over the reader's limit. */
GBytes  *canteen_ccid_power_on (guint8 slot, guint8 seq);
GBytes  *canteen_ccid_power_off (guint8 slot, guint8 seq);
GBytes  *canteen_ccid_get_slot_status (guint8 slot, guint8 seq);
GBytes  *canteen_ccid_xfr_block (guint8 slot, guint8 seq, const guint8 *data, gsize len,
                                 guint16 level, guint32 max_message_length, GError **error);

/* A bulk-IN reply to the request (slot, seq). */
gboolean canteen_ccid_parse_reply (const guint8 *msg, gsize len, guint8 slot, guint8 seq,
                                   guint32 max_message_length, CanteenCcidReply *out, GError **error);
/* OK → TRUE; failed → CANTEEN_DEVICE_ERROR_FAILED (or _NO_CARD) naming bError. */
gboolean canteen_ccid_reply_check (const CanteenCcidReply *reply, GError **error);

/* Interrupt-IN RDR_to_PC_NotifySlotChange: bit n of *present / *changed for slot n. */
gboolean canteen_ccid_parse_notify (const guint8 *msg, gsize len, guint n_slots,
                                    guint32 *present, guint32 *changed, GError **error);

G_END_DECLS
