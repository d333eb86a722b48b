/* kiosk-emulation.c — a umockdev testbed with a reader, a scale and a printer.
 *
 * This file is why the kiosk binary links umockdev (emulator_dep). That is
 * acceptable: nothing here runs unless --emulate-devices is given, and
 * libumockdev only intercepts anything when its preload library is in
 * LD_PRELOAD, which only canteen_emu_ensure_preload() puts there.
 */
#include "kiosk-emulation.h"

#include <sodium.h>
#include <string.h>

struct _CanteenKioskEmulation
{
  GObject               parent_instance;
  CanteenEmuTestbed    *testbed;
  CanteenEmuCcidReader *reader;
  CanteenEmuScale      *scale;
  CanteenEmuPrinter    *printer;
  GHashTable           *cards;    /* UID hex → CanteenEmuCard, one key pair per card */
};

G_DEFINE_FINAL_TYPE (CanteenKioskEmulation, canteen_kiosk_emulation, G_TYPE_OBJECT)

gboolean
canteen_kiosk_emulation_wanted (int argc, char **argv)
{
  for (int i = 1; i < argc && argv[i] != NULL; i++)
    {
      /* Past "--" everything is an argument, not an option. */
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], CANTEEN_KIOSK_EMULATION_OPTION))
        return TRUE;
    }
  return FALSE;
}

#define N_EMULATED 3

static void
emulated_devices (CanteenKioskEmulation *self, CanteenEmuDevice *out[N_EMULATED])
{
  out[0] = CANTEEN_EMU_DEVICE (self->reader);
  out[1] = CANTEEN_EMU_DEVICE (self->scale);
  out[2] = CANTEEN_EMU_DEVICE (self->printer);
}

static void
canteen_kiosk_emulation_dispose (GObject *object)
{
  CanteenKioskEmulation *self = CANTEEN_KIOSK_EMULATION (object);

  if (self->testbed != NULL)
    {
      CanteenEmuDevice *devices[N_EMULATED];

      /* The notify holds a reference on the USB context: drop it first. */
      emulated_devices (self, devices);
      for (guint i = 0; i < N_EMULATED; i++)
        canteen_emu_device_set_notify (devices[i], NULL, NULL, NULL);
    }
  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_object (&self->reader);
  g_clear_object (&self->scale);
  g_clear_object (&self->printer);
  /* Last: it unplugs whatever is still plugged in and removes its files. */
  g_clear_object (&self->testbed);
  G_OBJECT_CLASS (canteen_kiosk_emulation_parent_class)->dispose (object);
}

static void
canteen_kiosk_emulation_class_init (CanteenKioskEmulationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = canteen_kiosk_emulation_dispose;
}

static void
canteen_kiosk_emulation_init (CanteenKioskEmulation *self)
{
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

CanteenKioskEmulation *
canteen_kiosk_emulation_new (GError **error)
{
  g_autoptr(CanteenKioskEmulation) self = NULL;
  CanteenEmuDevice *devices[N_EMULATED];

  /* CPU cards get an Ed25519 key pair, which needs libsodium ready. */
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "emulated devices: libsodium cannot be initialised");
      return NULL;
    }

  self = g_object_new (CANTEEN_TYPE_KIOSK_EMULATION, NULL);
  self->testbed = canteen_emu_testbed_new ();
  self->reader = canteen_emu_ccid_reader_new ();
  self->scale = canteen_emu_scale_new ();
  self->printer = canteen_emu_printer_new ();
  /* A plate on the scale from the start: a weighed dish added in the demo
   * is sold by this weight rather than its standard portion. */
  canteen_emu_scale_set_grams (self->scale, CANTEEN_KIOSK_EMULATION_SCALE_GRAMS);

  emulated_devices (self, devices);
  for (guint i = 0; i < N_EMULATED; i++)
    if (!canteen_emu_testbed_add (self->testbed, devices[i], error))
      return NULL;
  return g_steal_pointer (&self);
}

static void
kick_cb (gpointer device, gpointer user_data)
{
  /* Any thread: canteen_usb_context_kick() is thread-safe. */
  canteen_usb_context_kick (user_data);
}

void
canteen_kiosk_emulation_attach (CanteenKioskEmulation *self, CanteenUsbContext *usb)
{
  CanteenEmuDevice *devices[N_EMULATED];

  g_return_if_fail (CANTEEN_IS_KIOSK_EMULATION (self));
  g_return_if_fail (CANTEEN_IS_USB_CONTEXT (usb));

  emulated_devices (self, devices);
  for (guint i = 0; i < N_EMULATED; i++)
    canteen_emu_device_set_notify (devices[i], kick_cb, g_object_ref (usb), g_object_unref);
  /* Every completion now wakes the loop, so the reaping tick is only a
   * safety net: at its 50 ms default it alone would cost ~1% of a core. */
  canteen_usb_context_set_emulated_tick (usb, 1000);
}

/* The UID bytes of a card id as a reader reports it: upper-case hex of 4,
 * 7 or 10 bytes. Anything else (a staff number such as "C1001") cannot come
 * from a reader, so no emulated card is made for it. */
static GBytes *
uid_from_card_id (const char *card)
{
  gsize len = strlen (card);
  g_autofree guint8 *bytes = NULL;

  if (len != 8 && len != 14 && len != 20)
    return NULL;
  bytes = g_malloc (len / 2);
  for (gsize i = 0; i < len; i += 2)
    {
      if (!g_ascii_isxdigit (card[i]) || !g_ascii_isxdigit (card[i + 1])
          || g_ascii_islower (card[i]) || g_ascii_islower (card[i + 1]))
        return NULL;
      bytes[i / 2] = (guint8) (g_ascii_xdigit_value (card[i]) << 4 | g_ascii_xdigit_value (card[i + 1]));
    }
  return g_bytes_new_take (g_steal_pointer (&bytes), len / 2);
}

gboolean
canteen_kiosk_emulation_tap (CanteenKioskEmulation *self, const char *card)
{
  CanteenEmuCard *emu_card;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_EMULATION (self), FALSE);
  g_return_val_if_fail (card != NULL, FALSE);

  emu_card = g_hash_table_lookup (self->cards, card);
  if (emu_card == NULL)
    {
      g_autoptr(GBytes) uid = uid_from_card_id (card);

      if (uid == NULL)
        return FALSE;
      emu_card = canteen_emu_card_new_cpu (g_bytes_get_data (uid, NULL), g_bytes_get_size (uid), NULL, NULL);
      g_hash_table_insert (self->cards, g_strdup (card), emu_card);
    }
  canteen_emu_ccid_reader_tap (self->reader, emu_card, CANTEEN_KIOSK_EMULATION_TAP_MS);
  return TRUE;
}

CanteenEmuTestbed *
canteen_kiosk_emulation_get_testbed (CanteenKioskEmulation *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_EMULATION (self), NULL);
  return self->testbed;
}

CanteenEmuCcidReader *
canteen_kiosk_emulation_get_reader (CanteenKioskEmulation *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_EMULATION (self), NULL);
  return self->reader;
}

CanteenEmuScale *
canteen_kiosk_emulation_get_scale (CanteenKioskEmulation *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_EMULATION (self), NULL);
  return self->scale;
}

CanteenEmuPrinter *
canteen_kiosk_emulation_get_printer (CanteenKioskEmulation *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_EMULATION (self), NULL);
  return self->printer;
}
