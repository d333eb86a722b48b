/* payment.c — canteen_ledger_checkout() in a GTask worker thread. */
#include "payment.h"

#include <string.h>

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
} PaymentRequest;

/* The error travels inside the result rather than through
 * g_task_return_error() because a decline also carries the account. */
typedef struct
{
  CanteenReceipt *receipt;
  GError         *error;
  CanteenAccount  account;
  gboolean        has_account;
} PaymentResult;

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
  g_free (request);
}

static void
payment_result_free (PaymentResult *result)
{
  canteen_receipt_free (result->receipt);
  g_clear_error (&result->error);
  if (result->has_account)
    canteen_account_clear (&result->account);
  g_free (result);
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
      result->receipt = canteen_ledger_checkout (desk->ledger, request->checkout_id, request->card,
                                                 &g_array_index (request->lines, CanteenOrderLine, 0),
                                                 request->lines->len, now, &result->error);
      if (result->receipt == NULL && result->error == NULL)
        g_set_error_literal (&result->error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                             "the ledger returned neither a receipt nor an error");
      if (result->receipt == NULL && canteen_ledger_error_is_decline (result->error))
        result->has_account = canteen_ledger_get_account (desk->ledger, request->card,
                                                          &result->account, NULL);
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

void
canteen_payment_run_async (CanteenPaymentDesk     *desk,
                           const char             *checkout_id,
                           const char             *card,
                           const CanteenOrderLine *lines,
                           guint                   n_lines,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  PaymentRequest *request;

  g_return_if_fail (desk != NULL);
  g_return_if_fail (checkout_id != NULL);
  g_return_if_fail (card != NULL);
  g_return_if_fail (lines != NULL || n_lines == 0);

  /* Copy everything: the tray may change in the main thread while the
   * worker runs. */
  request = g_new0 (PaymentRequest, 1);
  request->desk = canteen_payment_desk_ref (desk);
  request->checkout_id = g_strdup (checkout_id);
  request->card = g_strdup (card);
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
  g_task_set_name (task, "canteen-payment");
  g_task_set_task_data (task, request, (GDestroyNotify) payment_request_free);
  g_task_run_in_thread (task, payment_thread);
}

CanteenReceipt *
canteen_payment_run_finish (GAsyncResult   *result,
                            CanteenAccount *out_account,
                            GError        **error)
{
  PaymentResult *outcome;
  CanteenReceipt *receipt;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == canteen_payment_run_async, NULL);

  if (out_account != NULL)
    memset (out_account, 0, sizeof *out_account);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return NULL;

  receipt = g_steal_pointer (&outcome->receipt);
  if (receipt == NULL)
    {
      if (out_account != NULL && outcome->has_account)
        {
          *out_account = outcome->account;
          outcome->has_account = FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&outcome->error));
    }
  payment_result_free (outcome);
  return receipt;
}
