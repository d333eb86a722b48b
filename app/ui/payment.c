/* payment.c — canteen_ledger_checkout() or a visitor checkout
 * (canteen_visitor_prepare → authorise → commit) in a GTask worker thread. */
#include "payment.h"

#include <string.h>

#include "outbox.h"

struct _CanteenPaymentDesk
{
  gatomicrefcount ref;
  char           *db_path;
  GMutex          lock;      /* one payment at a time on `ledger` */
  CanteenLedger  *ledger;    /* NULL until first used, or after a failure */
};

typedef struct
{
  CanteenPaymentDesk *desk;
  char      *checkout_id;
  char      *card;
  GArray    *lines;      /* CanteenOrderLine; dish ids owned by `dish_ids` */
  GPtrArray *dish_ids;
  CanteenKioskVisitorCard *visitor_card;   /* a visitor payment; else NULL */
} PaymentRequest;

/* The error travels inside the result rather than through
 * g_task_return_error() because a decline also carries the account. */
typedef struct
{
  CanteenReceipt *receipt;
  GError         *error;
  CanteenAccount  account;
  gboolean        has_account;
  CanteenVisitorPaid *visitor;   /* a visitor receipt */
  char           *reason;        /* the service's decline reason */
} PaymentResult;

void
canteen_visitor_paid_free (CanteenVisitorPaid *paid)
{
  if (paid == NULL)
    return;
  g_free (paid->issuer);
  g_free (paid->issuer_name);
  g_free (paid->authorisation);
  g_free (paid);
}

static CanteenVisitorPaid *
visitor_paid_new (const CanteenVisitorReceipt *v)
{
  CanteenVisitorPaid *paid = g_new0 (CanteenVisitorPaid, 1);

  paid->issuer = g_strdup (v->receipt != NULL ? v->receipt->agency : NULL);
  paid->issuer_name = g_strdup (v->issuer_name != NULL ? v->issuer_name : paid->issuer);
  paid->online = v->online;
  paid->authorisation = g_strdup (v->authorisation);
  return paid;
}

CanteenPaymentDesk *
canteen_payment_desk_new (const char *db_path)
{
  CanteenPaymentDesk *desk;

  g_return_val_if_fail (db_path != NULL, NULL);
  desk = g_new0 (CanteenPaymentDesk, 1);
  g_atomic_ref_count_init (&desk->ref);
  desk->db_path = g_strdup (db_path);
  g_mutex_init (&desk->lock);
  return desk;
}

CanteenPaymentDesk *
canteen_payment_desk_ref (CanteenPaymentDesk *desk)
{
  g_atomic_ref_count_inc (&desk->ref);
  return desk;
}

void
canteen_payment_desk_unref (CanteenPaymentDesk *desk)
{
  if (desk == NULL || !g_atomic_ref_count_dec (&desk->ref))
    return;
  /* Every task holds a reference: no payment can be running now. */
  canteen_ledger_close (desk->ledger);
  g_mutex_clear (&desk->lock);
  g_free (desk->db_path);
  g_free (desk);
}

static void
payment_request_free (PaymentRequest *request)
{
  canteen_payment_desk_unref (request->desk);
  g_free (request->checkout_id);
  g_free (request->card);
  g_array_unref (request->lines);
  g_ptr_array_unref (request->dish_ids);
  g_clear_pointer (&request->visitor_card, canteen_kiosk_visitor_card_unref);
  g_free (request);
}

static void
payment_result_free (PaymentResult *result)
{
  canteen_receipt_free (result->receipt);
  g_clear_error (&result->error);
  if (result->has_account)
    canteen_account_clear (&result->account);
  canteen_visitor_paid_free (result->visitor);
  g_free (result->reason);
  g_free (result);
}

/* TRUE when `error` is "no such checkout"; anything else is a real failure. */
static gboolean
is_not_found (const GError *error)
{
  return g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
}

/* A staff (or local account) card: today's path, after making sure the
 * id was not paid by a visitor card already. */
static void
pay_with_account (CanteenLedger *ledger, PaymentRequest *request, PaymentResult *result, GDateTime *now)
{
  g_autoptr(CanteenVisitorReceipt) earlier = NULL;
  GError *local = NULL;

  earlier = canteen_visitor_get_checkout (ledger, request->checkout_id, &local);
  if (earlier != NULL)
    {
      result->visitor = visitor_paid_new (earlier);
      result->receipt = g_steal_pointer (&earlier->receipt);
      result->receipt->replayed = TRUE;
      return;
    }
  if (!is_not_found (local))
    {
      g_propagate_error (&result->error, local);
      return;
    }
  g_clear_error (&local);

  result->receipt = canteen_ledger_checkout (ledger, request->checkout_id, request->card,
                                             &g_array_index (request->lines, CanteenOrderLine, 0),
                                             request->lines->len, now, &result->error);
  if (result->receipt == NULL && canteen_ledger_error_is_decline (result->error))
    result->has_account = canteen_ledger_get_account (ledger, request->card, &result->account, NULL);
}

/* --- the online authorisation ----------------------------------------------- */

/* Fills `out` (answered FALSE: offline rules). This runs in the payment
 * worker, so the service's blocking form is the right one: the kiosk's main
 * loop never carries payment traffic, and the request ends (answered or
 * not) within CANTEEN_VISITOR_ONLINE_TIMEOUT_MS. */
static void
authorise_online (CanteenLedger *ledger, CanteenVisitorSale *sale, CanteenAuthorisation *out)
{
  canteen_clearing_authorise_blocking (sale, out, ledger);
  if (!out->answered)
    g_message ("visitor payment: no online authorisation (%s): offline rules",
               out->problem != NULL ? out->problem : "no answer");
}

/* A visiting official's card: prepare (the card signs), authorise, commit. */
static void
pay_as_visitor (CanteenLedger *ledger, PaymentRequest *request, PaymentResult *result, GDateTime *now)
{
  CanteenVisitorCard card = { 0 };
  g_autoptr(GDateTime) when = g_date_time_ref (now);
  CanteenReceipt *earlier;
  GError *local = NULL;

  earlier = canteen_ledger_get_checkout (ledger, request->checkout_id, &local);
  if (earlier != NULL)
    {
      earlier->replayed = TRUE;
      result->receipt = earlier;
      return;
    }
  if (!is_not_found (local))
    {
      g_propagate_error (&result->error, local);
      return;
    }
  g_clear_error (&local);

  canteen_kiosk_visitor_card_fill (request->visitor_card, &card);
  /* Twice at most: RETRY means another process took the record number
   * the card signed; a fresh prepare has the card sign the new one. */
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(CanteenVisitorSale) sale = NULL;
      g_autoptr(CanteenVisitorReceipt) visitor = NULL;
      CanteenAuthorisation auth = { 0 };

      g_clear_error (&result->error);
      sale = canteen_visitor_prepare (ledger, request->checkout_id, &card,
                                      &g_array_index (request->lines, CanteenOrderLine, 0), request->lines->len,
                                      when, &result->error);
      if (sale == NULL)
        return;
      if (canteen_visitor_sale_needs_authorisation (sale))
        authorise_online (ledger, sale, &auth);
      visitor = canteen_visitor_commit (ledger, sale, &auth, when, &result->error);
      if (visitor == NULL && auth.answered && !auth.approved)
        result->reason = g_strdup (auth.reason);
      canteen_authorisation_clear (&auth);
      if (visitor != NULL)
        {
          result->visitor = visitor_paid_new (visitor);
          result->receipt = g_steal_pointer (&visitor->receipt);
          return;
        }
      if (!g_error_matches (result->error, CANTEEN_VISITOR_ERROR, CANTEEN_VISITOR_ERROR_RETRY))
        return;
      g_date_time_unref (when);
      when = g_date_time_new_now_utc ();
    }
}

static void
payment_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PaymentRequest *request = task_data;
  CanteenPaymentDesk *desk = request->desk;
  PaymentResult *result = g_new0 (PaymentResult, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&desk->lock);

  if (desk->ledger == NULL)
    desk->ledger = canteen_ledger_open (desk->db_path, &result->error);
  if (desk->ledger != NULL)
    {
      if (request->visitor_card != NULL)
        pay_as_visitor (desk->ledger, request, result, now);
      else
        pay_with_account (desk->ledger, request, result, now);
      if (result->receipt == NULL && result->error == NULL)
        g_set_error_literal (&result->error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                             "the ledger returned neither a receipt nor an error");
      /* The file may have gone away or been replaced: start afresh next time. */
      if (g_error_matches (result->error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB) ||
          g_error_matches (result->error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_A_LEDGER))
        g_clear_pointer (&desk->ledger, canteen_ledger_close);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) payment_result_free);

  /* The result is on its way to the screen: while the diner reads it, copy
   * a grown WAL back so no later payment waits for that. A failure loses
   * nothing (the WAL still holds every commit). */
  if (desk->ledger != NULL)
    {
      g_autoptr(GError) error = NULL;
      if (!canteen_ledger_checkpoint (desk->ledger, NULL, &error))
        g_warning ("%s", error->message);
    }
}

static void
payment_start (CanteenPaymentDesk      *desk,
               const char              *checkout_id,
               const char              *card,
               CanteenKioskVisitorCard *visitor_card,
               const CanteenOrderLine  *lines,
               guint                    n_lines,
               GAsyncReadyCallback      callback,
               gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  PaymentRequest *request;

  /* Copy everything: the tray may change in the main thread while the
   * worker runs. */
  request = g_new0 (PaymentRequest, 1);
  request->desk = canteen_payment_desk_ref (desk);
  request->checkout_id = g_strdup (checkout_id);
  request->card = g_strdup (card);
  request->visitor_card = visitor_card != NULL ? canteen_kiosk_visitor_card_ref (visitor_card) : NULL;
  request->lines = g_array_sized_new (FALSE, TRUE, sizeof (CanteenOrderLine), MAX (n_lines, 1));
  request->dish_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_lines; i++)
    {
      char *dish_id = g_strdup (lines[i].dish_id);
      CanteenOrderLine line = { .dish_id = dish_id, .grams = lines[i].grams };

      g_ptr_array_add (request->dish_ids, dish_id);
      g_array_append_val (request->lines, line);
    }

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, canteen_payment_run_async);
  g_task_set_name (task, visitor_card != NULL ? "canteen-visitor-payment" : "canteen-payment");
  g_task_set_task_data (task, request, (GDestroyNotify) payment_request_free);
  g_task_run_in_thread (task, payment_thread);
}

void
canteen_payment_run_async (CanteenPaymentDesk     *desk,
                           const char             *checkout_id,
                           const char             *card,
                           const CanteenOrderLine *lines,
                           guint                   n_lines,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_return_if_fail (desk != NULL);
  g_return_if_fail (checkout_id != NULL);
  g_return_if_fail (card != NULL);
  g_return_if_fail (lines != NULL || n_lines == 0);

  payment_start (desk, checkout_id, card, NULL, lines, n_lines, callback, user_data);
}

void
canteen_payment_run_visitor_async (CanteenPaymentDesk      *desk,
                                   const char              *checkout_id,
                                   CanteenKioskVisitorCard *card,
                                   const CanteenOrderLine  *lines,
                                   guint                    n_lines,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data)
{
  g_return_if_fail (desk != NULL);
  g_return_if_fail (checkout_id != NULL);
  g_return_if_fail (card != NULL);
  g_return_if_fail (lines != NULL || n_lines == 0);

  payment_start (desk, checkout_id, canteen_kiosk_visitor_card_get_label (card), card, lines, n_lines,
                 callback, user_data);
}

CanteenReceipt *
canteen_payment_run_finish_full (GAsyncResult        *result,
                                 CanteenAccount      *out_account,
                                 CanteenVisitorPaid **out_visitor,
                                 char               **out_reason,
                                 GError             **error)
{
  PaymentResult *outcome;
  CanteenReceipt *receipt;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_payment_run_async, NULL);

  if (out_account != NULL)
    memset (out_account, 0, sizeof *out_account);
  if (out_visitor != NULL)
    *out_visitor = NULL;
  if (out_reason != NULL)
    *out_reason = NULL;

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return NULL;

  receipt = g_steal_pointer (&outcome->receipt);
  if (receipt != NULL)
    {
      if (out_visitor != NULL)
        *out_visitor = g_steal_pointer (&outcome->visitor);
    }
  else
    {
      if (out_account != NULL && outcome->has_account)
        {
          *out_account = outcome->account;
          outcome->has_account = FALSE;
        }
      if (out_reason != NULL)
        *out_reason = g_steal_pointer (&outcome->reason);
      g_propagate_error (error, g_steal_pointer (&outcome->error));
    }
  payment_result_free (outcome);
  return receipt;
}

CanteenReceipt *
canteen_payment_run_finish (GAsyncResult   *result,
                            CanteenAccount *out_account,
                            GError        **error)
{
  return canteen_payment_run_finish_full (result, out_account, NULL, NULL, error);
}
