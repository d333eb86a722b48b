#include "apdu.h"
#include "card-session.h"
#include "device-error.h"

/* No card answers a GET RESPONSE chain longer than this (64 KiB / 256). */
#define MAX_CHAIN_ROUNDS 257

struct _CanteenCardSession {
  GObject            parent_instance;
  GWeakRef           reader;
  CanteenCardKind    kind;
  GBytes            *uid;
  char              *uid_hex;
  GBytes            *atr;
  gboolean           present;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (CanteenCardSession, canteen_card_session, G_TYPE_OBJECT)

static char *
to_hex (GBytes *bytes, const char *separator)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GString *s = g_string_sized_new (len * 3);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%s%02X", i > 0 ? separator : "", data[i]);
  return g_string_free (s, FALSE);
}

CanteenCardSession *
canteen_card_session_new (CanteenCardReader *reader, CanteenCardKind kind, GBytes *uid, GBytes *atr)
{
  CanteenCardSession *self = g_object_new (CANTEEN_TYPE_CARD_SESSION, NULL);

  g_weak_ref_set (&self->reader, reader);
  self->kind = kind;
  self->uid = g_bytes_ref (uid);
  self->uid_hex = to_hex (uid, "");
  self->atr = atr != NULL ? g_bytes_ref (atr) : NULL;
  self->present = TRUE;
  return self;
}

void
canteen_card_session_mark_removed (CanteenCardSession *self)
{
  self->present = FALSE;
}

const char *
canteen_card_kind_to_string (CanteenCardKind kind)
{
  return kind == CANTEEN_CARD_KIND_CPU ? "cpu" : "uid-only";
}

CanteenCardKind   canteen_card_session_get_kind (CanteenCardSession *self)      { return self->kind; }
const char       *canteen_card_session_get_uid (CanteenCardSession *self)       { return self->uid_hex; }
GBytes           *canteen_card_session_get_uid_bytes (CanteenCardSession *self) { return self->uid; }
GBytes           *canteen_card_session_get_atr (CanteenCardSession *self)       { return self->atr; }
gboolean          canteen_card_session_is_present (CanteenCardSession *self)    { return self->present; }

char *
canteen_card_session_get_atr_hex (CanteenCardSession *self)
{
  return self->atr != NULL ? to_hex (self->atr, " ") : NULL;
}

CanteenCardReader *
canteen_card_session_get_reader (CanteenCardSession *self)
{
  CanteenCardReader *reader = g_weak_ref_get (&self->reader);

  /* The weak ref keeps no reference; the reader outlives this call. */
  if (reader != NULL)
    g_object_unref (reader);
  return self->present ? reader : NULL;
}

/* --- transmit: one command, with 61xx and 6Cxx followed -------------- */

typedef struct {
  GBytes     *command;     /* the command as first given */
  GByteArray *response;    /* data so far */
  guint       rounds;
  gboolean    resent;
  guint16     sw;
  const char *name;        /* helpers: "SELECT" etc.; NULL for transmit */
} Exchange;

static void
exchange_free (gpointer data)
{
  Exchange *x = data;
  g_bytes_unref (x->command);
  g_byte_array_unref (x->response);
  g_free (x);
}

static void send_apdu (GTask *task, GBytes *apdu);

static void
return_error (GTask *task, GError *error)
{
  CanteenCardSession *self = g_task_get_source_object (task);

  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* The same command with Le replaced (6Cxx): short APDUs only, as 6Cxx is. */
static GBytes *
with_le (GBytes *command, gint le)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (command, &len);
  GByteArray *a = g_byte_array_sized_new ((guint) len + 1);

  g_byte_array_append (a, data, (guint) len);
  if (len == 4)
    g_byte_array_append (a, (const guint8 []) { (guint8) le }, 1);
  else
    a->data[len - 1] = (guint8) le;
  return g_byte_array_free_to_bytes (a);
}

static void
exchanged (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenCardSession *self = g_task_get_source_object (task);
  Exchange *x = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) reply = NULL;
  CanteenApduResponse resp;
  gint le;

  reply = CANTEEN_CARD_READER_GET_IFACE (source)->exchange_finish (CANTEEN_CARD_READER (source), result, &error);
  if (reply == NULL)
    return return_error (task, error);
  if (!canteen_apdu_parse_response (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &resp, &error))
    return return_error (task, error);
  if (x->response->len + resp.len > CANTEEN_APDU_MAX_RESPONSE)
    {
      canteen_device_protocol_error (&error, "card response", "longer than %d bytes", CANTEEN_APDU_MAX_RESPONSE);
      return return_error (task, error);
    }
  g_byte_array_append (x->response, resp.data, (guint) resp.len);
  x->sw = resp.sw;

  switch (canteen_apdu_next (resp.sw, &le))
    {
    case CANTEEN_APDU_GET_RESPONSE:
      if (++x->rounds > MAX_CHAIN_ROUNDS)
        {
          canteen_device_protocol_error (&error, "card response", "endless 61xx chain");
          return return_error (task, error);
        }
      {
        g_autoptr (GBytes) next = canteen_apdu_get_response (le);
        send_apdu (task, next);
      }
      return;
    case CANTEEN_APDU_RESEND:
      if (x->resent || g_bytes_get_size (x->command) < 4)
        break;   /* a second 6Cxx is the final answer */
      x->resent = TRUE;
      g_byte_array_set_size (x->response, 0);
      {
        g_autoptr (GBytes) again = with_le (x->command, le);
        send_apdu (task, again);
      }
      return;
    case CANTEEN_APDU_DONE:
    default:
      break;
    }

  if (x->name != NULL && x->sw != 0x9000)
    {
      g_set_error (&error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED,
                   "card %s: %s refused (SW %04X)", self->uid_hex, x->name, x->sw);
      return return_error (task, error);
    }
  self->busy = FALSE;
  g_task_return_pointer (task, g_bytes_new (x->response->data, x->response->len), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

static void
send_apdu (GTask *task, GBytes *apdu)
{
  CanteenCardSession *self = g_task_get_source_object (task);
  g_autoptr (CanteenCardReader) reader = g_weak_ref_get (&self->reader);
  GError *error = NULL;

  if (!self->present || reader == NULL)
    {
      g_set_error (&error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD,
                   "card %s: the card was removed", self->uid_hex);
      return return_error (task, error);
    }
  if (self->kind == CANTEEN_CARD_KIND_UID_ONLY || CANTEEN_CARD_READER_GET_IFACE (reader)->exchange == NULL)
    {
      g_set_error (&error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NOT_SUPPORTED,
                   "card %s: a uid-only card answers no commands", self->uid_hex);
      return return_error (task, error);
    }
  CANTEEN_CARD_READER_GET_IFACE (reader)->exchange (reader, self, apdu, g_task_get_cancellable (task),
                                                     exchanged, task);
}

static void
start (CanteenCardSession *self, GBytes *apdu, const char *name, GCancellable *cancellable,
       GAsyncReadyCallback callback, gpointer user_data, gpointer tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Exchange *x = g_new0 (Exchange, 1);

  g_task_set_source_tag (task, tag);
  x->command = g_bytes_ref (apdu);
  x->response = g_byte_array_new ();
  x->name = name;
  g_task_set_task_data (task, x, exchange_free);
  if (self->busy)
    {
      /* Not return_error(): the command in progress stays busy. */
      g_task_return_new_error (task, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_BUSY,
                               "card %s: another command is in progress", self->uid_hex);
      g_object_unref (task);
      return;
    }
  self->busy = TRUE;
  send_apdu (task, apdu);
}

void
canteen_card_session_transmit (CanteenCardSession *self, GBytes *apdu, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CANTEEN_IS_CARD_SESSION (self));
  g_return_if_fail (apdu != NULL && g_bytes_get_size (apdu) >= 4);
  start (self, apdu, NULL, cancellable, callback, user_data, canteen_card_session_transmit);
}

GBytes *
canteen_card_session_transmit_finish (CanteenCardSession *self, GAsyncResult *result, guint16 *sw, GError **error)
{
  GBytes *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  data = g_task_propagate_pointer (G_TASK (result), error);
  if (sw != NULL)
    *sw = data != NULL ? ((Exchange *) g_task_get_task_data (G_TASK (result)))->sw : 0;
  return data;
}

static void
start_command (CanteenCardSession *self, const char *name, guint8 ins, guint8 p1, guint8 p2,
               const guint8 *data, gsize len, gint ne, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  GError *error = NULL;
  g_autoptr (GBytes) apdu = canteen_apdu_build (0x00, ins, p1, p2, data, len, ne, FALSE, &error);

  if (apdu == NULL)
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, canteen_card_session_command_finish);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  start (self, apdu, name, cancellable, callback, user_data, canteen_card_session_command_finish);
}

void
canteen_card_session_select (CanteenCardSession *self, const guint8 *aid, gsize aid_len,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  start_command (self, "SELECT", 0xA4, 0x04, 0x00, aid, aid_len, 0, cancellable, callback, user_data);
}

void
canteen_card_session_read_binary (CanteenCardSession *self, guint16 offset, guint length,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  start_command (self, "READ BINARY", 0xB0, (guint8) (offset >> 8), (guint8) offset, NULL, 0,
                 (gint) MIN (length, 256u), cancellable, callback, user_data);
}

void
canteen_card_session_internal_authenticate (CanteenCardSession *self, GBytes *challenge,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (challenge, &len);

  start_command (self, "INTERNAL AUTHENTICATE", 0x88, 0x00, 0x00, data, len, 0, cancellable, callback, user_data);
}

GBytes *
canteen_card_session_command_finish (CanteenCardSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
canteen_card_session_finalize (GObject *object)
{
  CanteenCardSession *self = CANTEEN_CARD_SESSION (object);

  g_weak_ref_clear (&self->reader);
  g_bytes_unref (self->uid);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_free (self->uid_hex);
  G_OBJECT_CLASS (canteen_card_session_parent_class)->finalize (object);
}

static void
canteen_card_session_class_init (CanteenCardSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canteen_card_session_finalize;
}

static void
canteen_card_session_init (CanteenCardSession *self)
{
  g_weak_ref_init (&self->reader, NULL);
}
