/* visitor-card.c — reading an interoperable card and having it sign. */
#include "visitor-card.h"

#include <sodium.h>
#include <string.h>

#include "clearing-proto.h"
#include "device-error.h"

/* --- reading the certificate (main context) ------------------------------ */

static void
read_binary_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *file = canteen_card_session_command_finish (CANTEEN_CARD_SESSION (source), result, &error);

  if (file == NULL)
    g_task_return_error (task, error);
  else if (g_bytes_get_size (file) == 0)
    {
      g_bytes_unref (file);
      g_task_return_new_error (task, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED,
                               "the canteen applet's file is empty");
    }
  else
    g_task_return_pointer (task, file, (GDestroyNotify) g_bytes_unref);
}

static void
select_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CanteenCardSession *session = CANTEEN_CARD_SESSION (source);
  g_autoptr(GBytes) answer = NULL;
  GError *error = NULL;

  answer = canteen_card_session_command_finish (session, result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Length 0: the whole file, however the card chains it (61xx). */
  canteen_card_session_read_binary (session, 0, 0, g_task_get_cancellable (task), read_binary_done,
                                    g_object_ref (task));
}

void
canteen_kiosk_visitor_card_read_async (CanteenCardSession *session, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CANTEEN_IS_CARD_SESSION (session));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, canteen_kiosk_visitor_card_read_async);
  if (canteen_card_session_get_kind (session) != CANTEEN_CARD_KIND_CPU)
    {
      g_task_return_new_error (task, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NOT_SUPPORTED,
                               "card %s: a uid-only card has no applet", canteen_card_session_get_uid (session));
      return;
    }
  canteen_card_session_select (session, CANTEEN_KIOSK_VISITOR_AID, CANTEEN_KIOSK_VISITOR_AID_LEN, cancellable,
                               select_done, g_object_ref (task));
}

GBytes *
canteen_kiosk_visitor_card_read_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_kiosk_visitor_card_read_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
canteen_kiosk_visitor_cert_agency (GBytes *file)
{
  CanteenCardCert cert = { 0 };
  char *agency = NULL;

  if (file != NULL && canteen_card_cert_from_bytes (file, &cert, NULL))
    agency = g_strdup (cert.agency);
  canteen_card_cert_clear (&cert);
  return agency;
}

/* --- the card ------------------------------------------------------------ */

struct _CanteenKioskVisitorCard
{
  gatomicrefcount     ref;
  GBytes             *cert;
  char               *label;
  /* From a session: */
  CanteenCardSession *session;
  GMainContext       *context;
  /* From a card file: */
  gboolean            has_key;
  guint8              secret_key[CANTEEN_PROTO_SK_BYTES];
};

static char *
label_for (GBytes *cert, const char *fallback)
{
  CanteenCardCert parsed = { 0 };
  char *label;

  if (cert != NULL && canteen_card_cert_from_bytes (cert, &parsed, NULL))
    label = g_strdup_printf ("%s/%s", parsed.agency, parsed.card);
  else
    label = g_strdup (fallback);
  canteen_card_cert_clear (&parsed);
  return label;
}

CanteenKioskVisitorCard *
canteen_kiosk_visitor_card_new_for_session (CanteenCardSession *session, GBytes *cert, GMainContext *context)
{
  CanteenKioskVisitorCard *card;

  g_return_val_if_fail (CANTEEN_IS_CARD_SESSION (session), NULL);
  g_return_val_if_fail (cert != NULL, NULL);

  card = g_new0 (CanteenKioskVisitorCard, 1);
  g_atomic_ref_count_init (&card->ref);
  card->cert = g_bytes_ref (cert);
  card->label = label_for (cert, canteen_card_session_get_uid (session));
  card->session = g_object_ref (session);
  card->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  return card;
}

CanteenKioskVisitorCard *
canteen_kiosk_visitor_card_new_from_file (const char *path, GError **error)
{
  g_autoptr(CanteenKioskVisitorCard) card = NULL;
  CanteenCardCert cert = { 0 };

  g_return_val_if_fail (path != NULL, NULL);

  card = g_new0 (CanteenKioskVisitorCard, 1);
  g_atomic_ref_count_init (&card->ref);
  if (!canteen_card_file_read (path, &cert, card->secret_key, error))
    {
      canteen_card_cert_clear (&cert);
      return NULL;
    }
  card->has_key = TRUE;
  card->cert = canteen_card_cert_to_bytes (&cert);
  card->label = g_strdup_printf ("%s/%s", cert.agency, cert.card);
  canteen_card_cert_clear (&cert);
  return g_steal_pointer (&card);
}

CanteenKioskVisitorCard *
canteen_kiosk_visitor_card_ref (CanteenKioskVisitorCard *card)
{
  g_return_val_if_fail (card != NULL, NULL);
  g_atomic_ref_count_inc (&card->ref);
  return card;
}

void
canteen_kiosk_visitor_card_unref (CanteenKioskVisitorCard *card)
{
  if (card == NULL || !g_atomic_ref_count_dec (&card->ref))
    return;
  g_clear_pointer (&card->cert, g_bytes_unref);
  g_free (card->label);
  g_clear_object (&card->session);
  g_clear_pointer (&card->context, g_main_context_unref);
  sodium_memzero (card->secret_key, sizeof card->secret_key);
  g_free (card);
}

const char *
canteen_kiosk_visitor_card_get_label (CanteenKioskVisitorCard *card)
{
  g_return_val_if_fail (card != NULL, NULL);
  return card->label != NULL ? card->label : "";
}

/* --- signing through the card session ------------------------------------- */

/* Shared by the waiting worker and the main context; whoever is last frees
 * it, so a worker that gave up waiting leaves nothing dangling. */
typedef struct
{
  gatomicrefcount     ref;
  GMutex              lock;
  GCond               cond;
  gboolean            done;
  GBytes             *signature;
  GError             *error;
  CanteenCardSession *session;
  GBytes             *challenge;
  GCancellable       *cancellable;
} SignJob;

static SignJob *
sign_job_ref (SignJob *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
sign_job_unref (gpointer data)
{
  SignJob *job = data;

  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_clear_pointer (&job->signature, g_bytes_unref);
  g_clear_error (&job->error);
  g_clear_object (&job->session);
  g_clear_pointer (&job->challenge, g_bytes_unref);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
sign_job_finish (SignJob *job, GBytes *signature, GError *error)
{
  g_mutex_lock (&job->lock);
  job->signature = signature;
  job->error = error;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
}

static void
authenticate_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SignJob *job = user_data;
  GError *error = NULL;
  GBytes *signature = canteen_card_session_command_finish (CANTEEN_CARD_SESSION (source), result, &error);

  sign_job_finish (job, signature, error);
  sign_job_unref (job);
}

/* On the session's main context. */
static gboolean
authenticate_start (gpointer user_data)
{
  SignJob *job = user_data;

  if (!canteen_card_session_is_present (job->session))
    sign_job_finish (job, NULL,
                     g_error_new (CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_NO_CARD,
                                  "card %s: the card was removed before it signed",
                                  canteen_card_session_get_uid (job->session)));
  else
    canteen_card_session_internal_authenticate (job->session, job->challenge, job->cancellable,
                                                authenticate_done, sign_job_ref (job));
  return G_SOURCE_REMOVE;
}

static gboolean
sign_with_session (CanteenKioskVisitorCard *card, const guint8 *message, gsize len, guint8 sig[64],
                   GError **error)
{
  SignJob *job = g_new0 (SignJob, 1);
  gint64 deadline = g_get_monotonic_time () + CANTEEN_KIOSK_VISITOR_SIGN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  gboolean ok = FALSE;

  g_atomic_ref_count_init (&job->ref);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  job->session = g_object_ref (card->session);
  job->challenge = g_bytes_new (message, len);
  job->cancellable = g_cancellable_new ();

  /* An idle source rather than g_main_context_invoke(): from a worker
   * whose thread-default context is the global default one, invoke()
   * would run the exchange right here whenever it can acquire that
   * context, i.e. on the wrong thread. */
  {
    GSource *source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, authenticate_start, sign_job_ref (job), sign_job_unref);
    g_source_set_static_name (source, "canteen-visitor-sign");
    g_source_attach (source, card->context);
    g_source_unref (source);
  }

  g_mutex_lock (&job->lock);
  while (!job->done)
    if (!g_cond_wait_until (&job->cond, &job->lock, deadline))
      break;
  if (!job->done)
    {
      /* The exchange may still answer later: it then finds nobody waiting. */
      g_cancellable_cancel (job->cancellable);
      g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TIMED_OUT,
                   "card %s: no signature within %d ms", card->label, CANTEEN_KIOSK_VISITOR_SIGN_TIMEOUT_MS);
    }
  else if (job->signature == NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));
  else if (g_bytes_get_size (job->signature) != 64)
    g_set_error (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_PROTOCOL,
                 "card %s: INTERNAL AUTHENTICATE answered %" G_GSIZE_FORMAT " bytes, not a 64-byte signature",
                 card->label, g_bytes_get_size (job->signature));
  else
    {
      memcpy (sig, g_bytes_get_data (job->signature, NULL), 64);
      ok = TRUE;
    }
  g_mutex_unlock (&job->lock);
  sign_job_unref (job);
  return ok;
}

static gboolean
card_sign (const guint8 *message, gsize len, guint8 sig[64], gpointer user_data, GError **error)
{
  CanteenKioskVisitorCard *card = user_data;

  if (card->has_key)
    return canteen_visitor_sign_with_key (message, len, sig, card->secret_key, error);
  return sign_with_session (card, message, len, sig, error);
}

void
canteen_kiosk_visitor_card_fill (CanteenKioskVisitorCard *card, CanteenVisitorCard *out)
{
  g_return_if_fail (card != NULL);
  g_return_if_fail (out != NULL);

  out->cert = card->cert;
  out->uid = card->label;
  out->sign = card_sign;
  out->sign_data = card;
}
