/* payment.c — canteen_ledger_checkout() in a GTask worker thread. */
#include "payment.h"

#include <string.h>

typedef struct
{
  char      *db_path;
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

static void
payment_request_free (PaymentRequest *request)
{
  g_free (request->db_path);
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
  PaymentResult *result = g_new0 (PaymentResult, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenLedger *ledger;

  /* A handle per payment, opened in this thread: the UI's handle stays on
   * the main thread, and SQLite's WAL lets both work on one file. */
  ledger = canteen_ledger_open (request->db_path, &result->error);
  if (ledger != NULL)
    {
      result->receipt = canteen_ledger_checkout (ledger, request->checkout_id, request->card,
                                                 &g_array_index (request->lines, CanteenOrderLine, 0),
                                                 request->lines->len, now, &result->error);
      if (result->receipt == NULL && result->error == NULL)
        g_set_error_literal (&result->error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_DB,
                             "the ledger returned neither a receipt nor an error");
      if (result->receipt == NULL && canteen_ledger_error_is_decline (result->error))
        result->has_account = canteen_ledger_get_account (ledger, request->card,
                                                          &result->account, NULL);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) payment_result_free);

  /* The result is on its way to the screen. Closing now also copies a grown
   * WAL back into the database while the diner reads, so no later payment
   * waits for that. */
  canteen_ledger_close (ledger);
}

void
canteen_payment_run_async (const char             *db_path,
                           const char             *checkout_id,
                           const char             *card,
                           const CanteenOrderLine *lines,
                           guint                   n_lines,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  PaymentRequest *request;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (checkout_id != NULL);
  g_return_if_fail (card != NULL);
  g_return_if_fail (lines != NULL || n_lines == 0);

  /* Copy everything: the tray may change in the main thread while the
   * worker runs. */
  request = g_new0 (PaymentRequest, 1);
  request->db_path = g_strdup (db_path);
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
