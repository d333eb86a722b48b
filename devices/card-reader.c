#include "card-reader.h"
#include "card-session.h"

G_DEFINE_INTERFACE (CanteenCardReader, canteen_card_reader, G_TYPE_OBJECT)

enum { SIGNAL_INSERTED, SIGNAL_REMOVED, SIGNAL_UNREADABLE, N_SIGNALS };
static guint signals[N_SIGNALS];

static GQuark session_quark;

static void
canteen_card_reader_default_init (CanteenCardReaderInterface *iface)
{
  session_quark = g_quark_from_static_string ("canteen-card-reader-session");
  signals[SIGNAL_INSERTED] =
    g_signal_new ("card-inserted", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CANTEEN_TYPE_CARD_SESSION);
  signals[SIGNAL_REMOVED] =
    g_signal_new ("card-removed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CANTEEN_TYPE_CARD_SESSION);
  signals[SIGNAL_UNREADABLE] =
    g_signal_new ("card-unreadable", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

void
canteen_card_reader_emit_unreadable (CanteenCardReader *self, const char *message)
{
  g_signal_emit (self, signals[SIGNAL_UNREADABLE], 0, message);
}

CanteenCardSession *
canteen_card_reader_get_session (CanteenCardReader *self)
{
  g_return_val_if_fail (CANTEEN_IS_CARD_READER (self), NULL);
  return g_object_get_qdata (G_OBJECT (self), session_quark);
}

void
canteen_card_reader_emit_inserted (CanteenCardReader *self, CanteenCardSession *session)
{
  g_object_set_qdata_full (G_OBJECT (self), session_quark, g_object_ref (session), g_object_unref);
  g_signal_emit (self, signals[SIGNAL_INSERTED], 0, session);
}

void
canteen_card_reader_emit_removed (CanteenCardReader *self, CanteenCardSession *session)
{
  g_autoptr (CanteenCardSession) keep = g_object_ref (session);

  canteen_card_session_mark_removed (session);
  if (g_object_get_qdata (G_OBJECT (self), session_quark) == session)
    g_object_set_qdata (G_OBJECT (self), session_quark, NULL);
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0, session);
}
