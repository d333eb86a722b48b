/* escpos.h — ESC/POS receipt printer commands (Epson ESC/POS as the common
 * Chinese 58/80 mm thermal printers implement it: Xprinter, GP, Sunmi).
 *
 * Contract: a CanteenEscpos document accumulates command bytes; nothing is
 * sent anywhere. canteen_escpos_new() starts with ESC @ (initialise), ESC R 0
 * and ESC t 0 (USA character set, code page PC437: ASCII prints as ASCII)
 * and the text encoding: GB18030 selects Chinese character mode (FS &), ASCII
 * cancels it (FS .). Text is UTF-8; it is converted with g_convert() to the
 * document's encoding and refused — naming the character and its byte offset
 * — when it is not valid UTF-8, holds a control character other than '\n'
 * (which is LF: no text can smuggle a command in), an unassigned code point,
 * a character outside the Basic Multilingual Plane (no printer font has
 * emoji) or, in ASCII, anything outside U+0020..U+007E. A refused call
 * appends nothing. QR codes are GS ( k, model 2, error correction M, at most
 * CANTEEN_ESCPOS_QR_MAX bytes (CANTEEN_DEVICE_ERROR_TOO_LARGE beyond).
 *
 * canteen_escpos_parse_status() decodes the one-byte reply to the real-time
 * request DLE EOT n (n = 1 printer, 2 offline cause, 3 error, 4 paper roll).
 * Every reply has bit 1 and bit 4 set and bits 0 and 7 clear; a reply that is
 * not exactly one byte or breaks the fixed bits is
 * CANTEEN_DEVICE_ERROR_PROTOCOL. canteen_escpos_parse_status_all() folds the
 * four replies into one status whose `message` is a single line for the
 * cashier ("printer: paper out").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Byte-mode capacity of a version 40 QR code at error correction level M. */
#define CANTEEN_ESCPOS_QR_MAX 2331

typedef enum {
  CANTEEN_ESCPOS_ENCODING_GB18030,   /* Chinese character mode (FS &) */
  CANTEEN_ESCPOS_ENCODING_ASCII,     /* single-byte mode (FS .), printable ASCII only */
} CanteenEscposEncoding;

typedef enum {
  CANTEEN_ESCPOS_ALIGN_LEFT = 0,
  CANTEEN_ESCPOS_ALIGN_CENTER = 1,
  CANTEEN_ESCPOS_ALIGN_RIGHT = 2,
} CanteenEscposAlign;

typedef enum {
  CANTEEN_ESCPOS_CUT_FULL = 65,      /* GS V 65 n */
  CANTEEN_ESCPOS_CUT_PARTIAL = 66,   /* GS V 66 n: one point left uncut */
} CanteenEscposCut;

typedef enum {
  CANTEEN_ESCPOS_STATUS_PRINTER = 1, /* DLE EOT 1 */
  CANTEEN_ESCPOS_STATUS_OFFLINE = 2, /* DLE EOT 2: offline cause */
  CANTEEN_ESCPOS_STATUS_ERROR = 3,   /* DLE EOT 3: error cause */
  CANTEEN_ESCPOS_STATUS_PAPER = 4,   /* DLE EOT 4: paper roll sensors */
} CanteenEscposStatusRequest;

typedef struct _CanteenEscpos CanteenEscpos;

CanteenEscpos *canteen_escpos_new (CanteenEscposEncoding encoding);
void           canteen_escpos_free (CanteenEscpos *doc);
/* The bytes so far (owned by the document). */
const guint8  *canteen_escpos_get_data (const CanteenEscpos *doc, gsize *len);
/* Frees the document and returns its bytes. */
GBytes        *canteen_escpos_free_to_bytes (CanteenEscpos *doc);

/* ESC @ again, then the character set, code page and encoding. */
void     canteen_escpos_initialize (CanteenEscpos *doc);
/* FS & (GB18030) or FS . (ASCII); later text is encoded accordingly. */
void     canteen_escpos_set_encoding (CanteenEscpos *doc, CanteenEscposEncoding encoding);
/* `len` in bytes, or -1 for NUL-terminated. FALSE with nothing appended if refused. */
gboolean canteen_escpos_text (CanteenEscpos *doc, const char *text, gssize len, GError **error);
/* Text then LF. */
gboolean canteen_escpos_line (CanteenEscpos *doc, const char *text, GError **error);
void     canteen_escpos_align (CanteenEscpos *doc, CanteenEscposAlign align);         /* ESC a n */
void     canteen_escpos_bold (CanteenEscpos *doc, gboolean on);                       /* ESC E n */
void     canteen_escpos_size (CanteenEscpos *doc, gboolean double_width, gboolean double_height); /* GS ! n */
void     canteen_escpos_newline (CanteenEscpos *doc);                                 /* LF */
void     canteen_escpos_feed (CanteenEscpos *doc, guint8 lines);                      /* ESC d n */
/* GS ( k: model 2, module size 1..16 dots, error correction M, store, print. */
gboolean canteen_escpos_qr (CanteenEscpos *doc, const guint8 *data, gsize len, guint module_size, GError **error);
/* GS V m n: feed `feed` motion units past the cutter, then cut. */
void     canteen_escpos_cut (CanteenEscpos *doc, CanteenEscposCut kind, guint8 feed);

/* DLE EOT n, sent on its own (real-time: answered even mid-job). */
GBytes  *canteen_escpos_status_request (CanteenEscposStatusRequest which);

typedef struct {
  guint8   known;                  /* bit n set: the reply to DLE EOT n is folded in */
  /* What a cashier acts on. */
  gboolean online;                 /* n=1 bit 3 clear */
  gboolean cover_open;             /* n=2 bit 2 */
  gboolean paper_out;              /* n=4 bits 5/6, or n=2 bit 5 (stopped at paper end) */
  gboolean paper_near_end;         /* n=4 bits 2/3 */
  gboolean cutter_error;           /* n=3 bit 3 */
  gboolean unrecoverable_error;    /* n=3 bit 5 */
  /* The rest of the bits. */
  gboolean drawer_pin3_high;       /* n=1 bit 2 */
  gboolean waiting_online_recovery;/* n=1 bit 5 */
  gboolean feed_button;            /* n=1 bit 6 pressed, n=2 bit 3 feeding */
  gboolean paper_end_stop;         /* n=2 bit 5 */
  gboolean error;                  /* n=2 bit 6: an error occurred (see n=3) */
  gboolean recoverable_error;      /* n=3 bit 2 (mechanical: jam, ...) */
  gboolean auto_recoverable_error; /* n=3 bit 6 (head too hot, ...) */
  gboolean ready;                  /* nothing known prevents printing */
  const char *message;             /* one line, static: "printer: paper out" */
} CanteenEscposStatus;

/* One reply: `out` is reset and holds what request `request_n` tells. */
gboolean canteen_escpos_parse_status (guint8 request_n, const guint8 *reply, gsize len,
                                      CanteenEscposStatus *out, GError **error);
/* replies[i] answers DLE EOT i+1. */
gboolean canteen_escpos_parse_status_all (const guint8 replies[4], CanteenEscposStatus *out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenEscpos, canteen_escpos_free)

G_END_DECLS
