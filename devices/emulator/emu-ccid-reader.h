/* emu-ccid-reader.h — an emulated USB CCID smart-card reader with one slot.
 *
 * Contract: a CanteenEmuDevice with one interface of class 0Bh (bulk OUT
 * 01h, bulk IN 82h, interrupt IN 83h) and a CCID class descriptor offering
 * T=1, automatic parameters and extended APDU level exchange — short APDU
 * level when dwMaxCCIDMessageLength is 271 (10 + the longest short APDU,
 * 4+1+255+1) or less, so 271 makes a short-only reader. It answers the PC_to_RDR messages a PC/SC driver
 * sends, echoing bSlot and bSeq:
 *   IccPowerOn      DataBlock with the card's ATR (card reset); no card:
 *                   command failed, ICC absent, bError FEh (ICC_MUTE)
 *   IccPowerOff     SlotStatus (ICC present-inactive or absent)
 *   GetSlotStatus   SlotStatus
 *   XfrBlock        DataBlock with the card's response APDU; no card or
 *                   not powered: failed, bError FEh
 *   Get/Set/ResetParameters   Parameters (T=1)
 *   anything else   SlotStatus failed, bError 00h (command not supported)
 * A message whose dwLength disagrees with its size fails with bError 01h,
 * one to a slot other than 0 with bError 05h; fewer than 10 bytes are
 * ignored (as a reader that missed them).
 * Inserting or removing a card sends RDR_to_PC_NotifySlotChange
 * (50h, bit 0 present, bit 1 changed) on the interrupt endpoint.
 * set_time_extensions(n) puts n time-extension DataBlocks (bStatus 80h,
 * bError = multiplier 1) before each PowerOn and XfrBlock answer.
 */
#pragma once

#include "emu-card.h"
#include "emu-usb.h"

G_BEGIN_DECLS

#define CANTEEN_EMU_CCID_BULK_OUT      0x01
#define CANTEEN_EMU_CCID_BULK_IN       0x82
#define CANTEEN_EMU_CCID_INTERRUPT_IN  0x83
#define CANTEEN_EMU_CCID_DEFAULT_VID   0x1209   /* pid.codes test VID */
#define CANTEEN_EMU_CCID_DEFAULT_PID   0x0001
#define CANTEEN_EMU_CCID_DEFAULT_MAX_MESSAGE 65544
#define CANTEEN_EMU_CCID_SHORT_MAX_MESSAGE   271

#define CANTEEN_EMU_TYPE_CCID_READER (canteen_emu_ccid_reader_get_type ())
G_DECLARE_FINAL_TYPE (CanteenEmuCcidReader, canteen_emu_ccid_reader, CANTEEN_EMU, CCID_READER, CanteenEmuDevice)

/* Defaults: 1209:0001, "Canteen Emulated CCID Reader", 65544-byte messages. */
CanteenEmuCcidReader *canteen_emu_ccid_reader_new (void);
/* 0 / NULL for a default. */
CanteenEmuCcidReader *canteen_emu_ccid_reader_new_full (guint16 vendor_id, guint16 product_id,
                                                        const char *product, guint32 max_message_length);

/* Puts `card` in the field (taking a reference), removing any other first. */
void     canteen_emu_ccid_reader_insert (CanteenEmuCcidReader *reader, CanteenEmuCard *card);
void     canteen_emu_ccid_reader_remove (CanteenEmuCcidReader *reader);
/* A tap: insert now, remove after `hold_ms` (0: leave it there). */
void     canteen_emu_ccid_reader_tap (CanteenEmuCcidReader *reader, CanteenEmuCard *card, guint hold_ms);
/* The card in the field, or NULL (a new reference). */
CanteenEmuCard *canteen_emu_ccid_reader_dup_card (CanteenEmuCcidReader *reader);
void     canteen_emu_ccid_reader_set_time_extensions (CanteenEmuCcidReader *reader, guint n);

G_END_DECLS
