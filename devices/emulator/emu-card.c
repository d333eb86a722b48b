#include "emu-card.h"

#include <sodium.h>

/* PC/SC part 3 pseudo-ATRs: 3B 8n 80 01 <historical bytes> TCK. */
static const guint8 cpu_historical[] = { 'C', 'A', 'N', 'T', 'E', 'E', 'N', 0x01 };
static const guint8 mifare_atr[] = { 0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                                     0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A };

#define SW_OK                 0x9000
#define SW_WRONG_LENGTH       0x6700
#define SW_NOT_SATISFIED      0x6985
#define SW_FUNC_UNSUPPORTED   0x6A81
#define SW_FILE_NOT_FOUND     0x6A82
#define SW_WRONG_P1P2         0x6A86
#define SW_WRONG_OFFSET       0x6B00
#define SW_INS_UNSUPPORTED    0x6D00
#define SW_CLA_UNSUPPORTED    0x6E00
#define SIGNATURE_LEN         crypto_sign_BYTES    /* 64 */

struct _CanteenEmuCard {
  GObject parent_instance;

  GMutex  lock;
  CanteenEmuCardKind kind;
  guint8  uid[CANTEEN_EMU_CARD_MAX_UID];
  gsize   uid_len;
  guint8  sk[crypto_sign_SECRETKEYBYTES];
  guint8  pk[crypto_sign_PUBLICKEYBYTES];
  GBytes *file;
  gboolean extended;
  /* Session state, cleared by a reset. */
  gboolean selected;
  GBytes *pending;          /* response data still to come by GET RESPONSE */
  gsize   pending_pos;
  guint   transmits;
};

G_DEFINE_FINAL_TYPE (CanteenEmuCard, canteen_emu_card, G_TYPE_OBJECT)

static void
canteen_emu_card_finalize (GObject *object)
{
  CanteenEmuCard *card = CANTEEN_EMU_CARD (object);

  sodium_memzero (card->sk, sizeof card->sk);
  g_clear_pointer (&card->file, g_bytes_unref);
  g_clear_pointer (&card->pending, g_bytes_unref);
  g_mutex_clear (&card->lock);
  G_OBJECT_CLASS (canteen_emu_card_parent_class)->finalize (object);
}

static void
canteen_emu_card_class_init (CanteenEmuCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_emu_card_finalize;
  if (sodium_init () < 0)
    g_error ("libsodium cannot be initialised");
}

static void
canteen_emu_card_init (CanteenEmuCard *card)
{
  g_mutex_init (&card->lock);
}

static CanteenEmuCard *
card_new (CanteenEmuCardKind kind, const guint8 *uid, gsize uid_len)
{
  CanteenEmuCard *card;

  g_return_val_if_fail (uid != NULL, NULL);
  g_return_val_if_fail (uid_len == 4 || uid_len == 7 || uid_len == 10, NULL);
  card = g_object_new (CANTEEN_EMU_TYPE_CARD, NULL);
  card->kind = kind;
  memcpy (card->uid, uid, uid_len);
  card->uid_len = uid_len;
  return card;
}

CanteenEmuCard *
canteen_emu_card_new_cpu (const guint8 *uid, gsize uid_len, const guint8 *secret_key, GBytes *file)
{
  CanteenEmuCard *card = card_new (CANTEEN_EMU_CARD_CPU, uid, uid_len);

  if (!card)
    return NULL;
  if (secret_key)
    {
      memcpy (card->sk, secret_key, sizeof card->sk);
      crypto_sign_ed25519_sk_to_pk (card->pk, card->sk);
    }
  else
    crypto_sign_keypair (card->pk, card->sk);
  card->file = file ? g_bytes_ref (file) : g_bytes_new (NULL, 0);
  card->extended = TRUE;
  return card;
}

CanteenEmuCard *
canteen_emu_card_new_uid_only (const guint8 *uid, gsize uid_len)
{
  return card_new (CANTEEN_EMU_CARD_UID_ONLY, uid, uid_len);
}

CanteenEmuCardKind
canteen_emu_card_get_kind (CanteenEmuCard *card)
{
  return card->kind;
}

GBytes *
canteen_emu_card_get_uid (CanteenEmuCard *card)
{
  return g_bytes_new (card->uid, card->uid_len);
}

GBytes *
canteen_emu_card_get_atr (CanteenEmuCard *card)
{
  guint8 atr[4 + sizeof cpu_historical + 1];
  guint8 tck = 0;

  if (card->kind == CANTEEN_EMU_CARD_UID_ONLY)
    return g_bytes_new_static (mifare_atr, sizeof mifare_atr);
  atr[0] = 0x3B;
  atr[1] = 0x80 | sizeof cpu_historical;   /* TD1 follows; K historical bytes */
  atr[2] = 0x80;                           /* TD1: TD2 follows, T=0 */
  atr[3] = 0x01;                           /* TD2: T=1 */
  memcpy (atr + 4, cpu_historical, sizeof cpu_historical);
  for (gsize i = 1; i < sizeof atr - 1; i++)
    tck ^= atr[i];
  atr[sizeof atr - 1] = tck;
  return g_bytes_new (atr, sizeof atr);
}

gboolean
canteen_emu_card_get_public_key (CanteenEmuCard *card, guint8 public_key[32])
{
  if (card->kind != CANTEEN_EMU_CARD_CPU)
    return FALSE;
  memcpy (public_key, card->pk, 32);
  return TRUE;
}

void
canteen_emu_card_set_extended (CanteenEmuCard *card, gboolean extended)
{
  g_mutex_lock (&card->lock);
  card->extended = extended;
  g_mutex_unlock (&card->lock);
}

static void
reset_locked (CanteenEmuCard *card)
{
  card->selected = FALSE;
  g_clear_pointer (&card->pending, g_bytes_unref);
  card->pending_pos = 0;
}

void
canteen_emu_card_reset (CanteenEmuCard *card)
{
  g_mutex_lock (&card->lock);
  reset_locked (card);
  g_mutex_unlock (&card->lock);
}

guint
canteen_emu_card_get_transmit_count (CanteenEmuCard *card)
{
  guint n;

  g_mutex_lock (&card->lock);
  n = card->transmits;
  g_mutex_unlock (&card->lock);
  return n;
}

/* ---- command APDUs ----------------------------------------------------- */

typedef struct {
  guint8 cla, ins, p1, p2;
  const guint8 *data;
  gsize  lc;
  gint   ne;                /* -1: no Le; short 00 = 256, extended 0000 = 65536 */
  gboolean extended;
} Command;

/* ISO 7816-4 §5.1: cases 1, 2S, 3S, 4S, 2E, 3E, 4E. */
static gboolean
parse_command (const guint8 *a, gsize len, Command *c)
{
  memset (c, 0, sizeof *c);
  c->ne = -1;
  if (len < 4)
    return FALSE;
  c->cla = a[0];
  c->ins = a[1];
  c->p1 = a[2];
  c->p2 = a[3];
  if (len == 4)
    return TRUE;                                      /* case 1 */
  if (len == 5)
    {
      c->ne = a[4] ? a[4] : 256;                      /* case 2S */
      return TRUE;
    }
  if (a[4] != 0)
    {
      c->lc = a[4];
      c->data = a + 5;
      if (len == 5 + c->lc)
        return TRUE;                                  /* case 3S */
      if (len == 6 + c->lc)
        {
          c->ne = a[5 + c->lc] ? a[5 + c->lc] : 256;  /* case 4S */
          return TRUE;
        }
      return FALSE;
    }
  c->extended = TRUE;
  if (len == 7)
    {
      guint ne = (guint) (a[5] << 8 | a[6]);
      c->ne = ne ? (gint) ne : 65536;                 /* case 2E */
      return TRUE;
    }
  c->lc = (gsize) (a[5] << 8 | a[6]);
  c->data = a + 7;
  if (c->lc == 0)
    return FALSE;
  if (len == 7 + c->lc)
    return TRUE;                                      /* case 3E */
  if (len == 9 + c->lc)
    {
      guint ne = (guint) (a[7 + c->lc] << 8 | a[8 + c->lc]);
      c->ne = ne ? (gint) ne : 65536;                 /* case 4E */
      return TRUE;
    }
  return FALSE;
}

static GBytes *
respond (const guint8 *data, gsize len, guint16 sw)
{
  guint8 *r = g_malloc (len + 2);

  if (len)
    memcpy (r, data, len);
  r[len] = (guint8) (sw >> 8);
  r[len + 1] = (guint8) sw;
  return g_bytes_new_take (r, len + 2);
}

static GBytes *
sw_only (guint16 sw)
{
  return respond (NULL, 0, sw);
}

/* 61xx: xx more bytes (00: 256 or more). */
static guint16
more_sw (gsize left)
{
  return (guint16) (0x6100 | (left >= 256 ? 0 : left));
}

/* Up to `ne` bytes of `pending` from pending_pos, and the rest for later. */
static GBytes *
send_pending_locked (CanteenEmuCard *card, const Command *c)
{
  gsize total = g_bytes_get_size (card->pending);
  const guint8 *data = g_bytes_get_data (card->pending, NULL);
  gsize left = total - card->pending_pos, n;
  GBytes *r;

  if (!c->extended && c->ne != 256 && (gsize) c->ne > left)
    return sw_only ((guint16) (0x6C00 | left));
  n = MIN ((gsize) c->ne, left);
  if (!c->extended && c->ne == 256)
    n = MIN (left, 256);
  r = respond (data + card->pending_pos, n, left - n ? more_sw (left - n) : SW_OK);
  card->pending_pos += n;
  if (card->pending_pos == total)
    g_clear_pointer (&card->pending, g_bytes_unref);
  return r;
}

static GBytes *
get_data (CanteenEmuCard *card, const Command *c)
{
  const guint8 *data;
  gsize len;

  if (c->p2 != 0 || c->p1 > 1)
    return sw_only (SW_WRONG_P1P2);
  if (c->lc)
    return sw_only (SW_WRONG_LENGTH);
  if (c->p1 == 1)
    {
      if (card->kind != CANTEEN_EMU_CARD_CPU)
        return sw_only (SW_FUNC_UNSUPPORTED);
      data = cpu_historical;
      len = sizeof cpu_historical;
    }
  else
    {
      data = card->uid;
      len = card->uid_len;
    }
  if (c->ne == -1)
    return sw_only (SW_WRONG_LENGTH);
  if (c->ne != 256 && c->ne != 65536 && (gsize) c->ne < len)
    return sw_only ((guint16) (0x6C00 | len));
  return respond (data, len, SW_OK);
}

static GBytes *
select_applet (CanteenEmuCard *card, const Command *c)
{
  if (c->p1 != 0x04 || (c->p2 != 0x00 && c->p2 != 0x0C))
    return sw_only (SW_WRONG_P1P2);
  if (c->lc == 0)
    return sw_only (SW_WRONG_LENGTH);
  card->selected = c->lc == CANTEEN_EMU_CARD_AID_LEN && memcmp (c->data, CANTEEN_EMU_CARD_AID, c->lc) == 0;
  return sw_only (card->selected ? SW_OK : SW_FILE_NOT_FOUND);
}

static GBytes *
read_binary (CanteenEmuCard *card, const Command *c)
{
  gsize size = g_bytes_get_size (card->file);
  gsize offset = (gsize) (c->p1 << 8 | c->p2);
  gsize left;

  if (c->p1 & 0x80)                         /* short EF identifier: no such files here */
    return sw_only (SW_WRONG_P1P2);
  if (!card->selected)
    return sw_only (SW_NOT_SATISFIED);
  if (c->lc || c->ne == -1)
    return sw_only (SW_WRONG_LENGTH);
  if (offset >= size)
    return sw_only (SW_WRONG_OFFSET);
  left = size - offset;
  if (c->extended || c->ne == 256)
    {
      /* Everything that is asked for (all, for a short Le = 00) from here;
       * what one short response cannot hold waits for GET RESPONSE. */
      gsize want = c->extended ? MIN (left, (gsize) c->ne) : left;

      card->pending = g_bytes_new_from_bytes (card->file, offset, want);
      card->pending_pos = 0;
      return send_pending_locked (card, c);
    }
  if ((gsize) c->ne > left)
    return sw_only ((guint16) (0x6C00 | left));
  return respond ((const guint8 *) g_bytes_get_data (card->file, NULL) + offset, (gsize) c->ne, SW_OK);
}

static GBytes *
get_response (CanteenEmuCard *card, const Command *c)
{
  if (c->p1 || c->p2)
    return sw_only (SW_WRONG_P1P2);
  if (c->lc || c->ne == -1)
    return sw_only (SW_WRONG_LENGTH);
  if (!card->pending)
    return sw_only (SW_NOT_SATISFIED);
  return send_pending_locked (card, c);
}

static GBytes *
internal_authenticate (CanteenEmuCard *card, const Command *c)
{
  guint8 sig[SIGNATURE_LEN];

  if (c->p1 || c->p2)
    return sw_only (SW_WRONG_P1P2);
  if (!card->selected)
    return sw_only (SW_NOT_SATISFIED);
  if (c->lc == 0)
    return sw_only (SW_WRONG_LENGTH);
  if (c->ne != SIGNATURE_LEN && c->ne != 256 && c->ne != 65536)
    return sw_only (0x6C00 | SIGNATURE_LEN);
  crypto_sign_detached (sig, NULL, c->data, c->lc, card->sk);
  return respond (sig, sizeof sig, SW_OK);
}

GBytes *
canteen_emu_card_transmit (CanteenEmuCard *card, const guint8 *apdu, gsize len)
{
  Command c;
  GBytes *r;

  g_return_val_if_fail (CANTEEN_EMU_IS_CARD (card), NULL);
  g_mutex_lock (&card->lock);
  card->transmits++;
  if (!parse_command (apdu, len, &c) || (c.extended && !card->extended))
    r = sw_only (SW_WRONG_LENGTH);
  else if (c.cla == 0xFF)                 /* the reader's own pseudo-APDUs */
    r = c.ins == 0xCA ? get_data (card, &c) : sw_only (SW_INS_UNSUPPORTED);
  else if (card->kind == CANTEEN_EMU_CARD_UID_ONLY)
    r = sw_only (SW_FUNC_UNSUPPORTED);
  else if (c.cla != 0x00)
    r = sw_only (SW_CLA_UNSUPPORTED);
  else
    {
      /* Response data not fetched at once is lost to any other command. */
      if (c.ins != 0xC0)
        g_clear_pointer (&card->pending, g_bytes_unref);
      switch (c.ins)
        {
        case 0xA4: r = select_applet (card, &c); break;
        case 0xB0: r = read_binary (card, &c); break;
        case 0xC0: r = get_response (card, &c); break;
        case 0x88: r = internal_authenticate (card, &c); break;
        default:   r = sw_only (SW_INS_UNSUPPORTED); break;
        }
    }
  g_mutex_unlock (&card->lock);
  return r;
}
