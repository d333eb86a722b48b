/* escpos-printer.c — ESC/POS receipt printers over USB bulk transfers.
 *
 * Matched by the USB printer class (7/1: any printer that speaks ESC/POS
 * over it; the canteen installs receipt printers only). A status query is
 * the four real-time requests DLE EOT 1..4, each one byte back; a printer
 * that does not answer the first within STATUS_TIMEOUT_MS is taken as
 * write-only. Documents go out in CHUNK-byte bulk writes.
 */
#include "device-error.h"
#include "escpos-printer.h"

#define CHUNK               4096
#define WRITE_TIMEOUT_MS    5000
#define STATUS_TIMEOUT_MS   500

struct _CanteenEscposPrinter {
  CanteenDevice  parent_instance;
  guint8         ep_in, ep_out;
  guint16        in_size;
  gboolean       busy;
};

G_DEFINE_FINAL_TYPE (CanteenEscposPrinter, canteen_escpos_printer, CANTEEN_TYPE_DEVICE)

/* --- status: DLE EOT 1..4 -------------------------------------------- */

typedef struct {
  guint8   replies[4];
  guint    next;        /* 1..4 */
  gboolean answered;
  CanteenEscposStatus status;
} StatusQuery;

static void status_ask (GTask *task);

static void
status_reply (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenEscposPrinter *self = CANTEEN_ESCPOS_PRINTER (source);
  StatusQuery *q = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) reply = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);
  g_autoptr (GError) parse_error = NULL;

  if (reply == NULL)
    {
      if (q->next == 1 && g_error_matches (error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_TIMED_OUT))
        {
          /* Write-only printer: nothing to learn, nothing wrong. */
          g_clear_error (&error);
          g_task_return_boolean (task, TRUE);
        }
      else
        g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (g_bytes_get_size (reply) < 1)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_PROTOCOL,
                                "asking for the status", "empty reply to DLE EOT %u", q->next);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  q->replies[q->next - 1] = ((const guint8 *) g_bytes_get_data (reply, NULL))[0];
  if (q->next < 4)
    {
      q->next++;
      status_ask (task);
      return;
    }
  if (!canteen_escpos_parse_status_all (q->replies, &q->status, &parse_error))
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_PROTOCOL,
                                "asking for the status", "%s", parse_error->message);
      g_task_return_error (task, error);
    }
  else
    {
      q->answered = TRUE;
      g_task_return_boolean (task, TRUE);
    }
  g_object_unref (task);
}

static void
status_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenEscposPrinter *self = CANTEEN_ESCPOS_PRINTER (source);
  GError *error = NULL;
  g_autoptr (GBytes) nothing = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);

  if (nothing == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  canteen_device_transfer (CANTEEN_DEVICE (self), "asking for the status", LIBUSB_TRANSFER_TYPE_BULK,
                           self->ep_in, NULL, self->in_size, STATUS_TIMEOUT_MS,
                           g_task_get_cancellable (task), status_reply, task);
}

static void
status_ask (GTask *task)
{
  CanteenEscposPrinter *self = g_task_get_source_object (task);
  StatusQuery *q = g_task_get_task_data (task);
  g_autoptr (GBytes) request = canteen_escpos_status_request ((CanteenEscposStatusRequest) q->next);

  canteen_device_transfer (CANTEEN_DEVICE (self), "asking for the status", LIBUSB_TRANSFER_TYPE_BULK,
                           self->ep_out, request, 0, STATUS_TIMEOUT_MS,
                           g_task_get_cancellable (task), status_sent, task);
}

void
canteen_escpos_printer_query_status (CanteenEscposPrinter *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StatusQuery *q = g_new0 (StatusQuery, 1);

  g_task_set_source_tag (task, canteen_escpos_printer_query_status);
  q->next = 1;
  g_task_set_task_data (task, q, g_free);
  if (self->ep_in == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  status_ask (task);
}

gboolean
canteen_escpos_printer_query_status_finish (CanteenEscposPrinter *self, GAsyncResult *result,
                                            CanteenEscposStatus *out, gboolean *answered, GError **error)
{
  StatusQuery *q;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  q = g_task_get_task_data (G_TASK (result));
  if (out != NULL)
    *out = q->status;
  if (answered != NULL)
    *answered = q->answered;
  return TRUE;
}

/* --- print: status, write in chunks, status ---------------------------- */

typedef struct {
  GBytes  *document;
  gsize    written;
  gboolean checked_after;
} PrintJob;

static void
print_job_free (gpointer data)
{
  PrintJob *job = data;
  g_bytes_unref (job->document);
  g_free (job);
}

static void
print_return (GTask *task, GError *error)
{
  CanteenEscposPrinter *self = g_task_get_source_object (task);

  self->busy = FALSE;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void write_next (GTask *task);

static void
status_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenEscposPrinter *self = CANTEEN_ESCPOS_PRINTER (source);
  PrintJob *job = g_task_get_task_data (task);
  CanteenEscposStatus status;
  gboolean answered = FALSE;
  GError *error = NULL;

  if (!canteen_escpos_printer_query_status_finish (self, result, &status, &answered, &error))
    return print_return (task, error);
  if (answered && !status.ready)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_FAILED,
                                "printing", "%s%s", status.message,
                                job->checked_after ? " (the receipt may be incomplete: print it again)" : "");
      return print_return (task, error);
    }
  if (job->checked_after)
    return print_return (task, NULL);
  write_next (task);
}

static void
chunk_written (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  CanteenEscposPrinter *self = CANTEEN_ESCPOS_PRINTER (source);
  GError *error = NULL;
  g_autoptr (GBytes) nothing = canteen_device_transfer_finish (CANTEEN_DEVICE (self), result, &error);

  if (nothing == NULL)
    return print_return (task, error);
  write_next (task);
}

static void
write_next (GTask *task)
{
  CanteenEscposPrinter *self = g_task_get_source_object (task);
  PrintJob *job = g_task_get_task_data (task);
  gsize total = g_bytes_get_size (job->document);
  g_autoptr (GBytes) chunk = NULL;

  if (job->written >= total)
    {
      job->checked_after = TRUE;
      canteen_escpos_printer_query_status (self, g_task_get_cancellable (task), status_checked, task);
      return;
    }
  chunk = g_bytes_new_from_bytes (job->document, job->written, MIN (CHUNK, total - job->written));
  job->written += g_bytes_get_size (chunk);
  canteen_device_transfer (CANTEEN_DEVICE (self), "printing", LIBUSB_TRANSFER_TYPE_BULK, self->ep_out,
                           chunk, 0, WRITE_TIMEOUT_MS, g_task_get_cancellable (task), chunk_written, task);
}

void
canteen_escpos_printer_print (CanteenEscposPrinter *self, GBytes *document, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PrintJob *job = g_new0 (PrintJob, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, canteen_escpos_printer_print);
  job->document = g_bytes_ref (document);
  g_task_set_task_data (task, job, print_job_free);
  if (self->busy)
    {
      canteen_device_set_error (CANTEEN_DEVICE (self), &error, CANTEEN_DEVICE_ERROR_BUSY, "printing",
                                "another receipt is printing");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  self->busy = TRUE;
  canteen_escpos_printer_query_status (self, cancellable, status_checked, task);
}

gboolean
canteen_escpos_printer_print_finish (CanteenEscposPrinter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- open ------------------------------------------------------------- */

static gboolean
printer_open (CanteenDevice *device, GError **error)
{
  CanteenEscposPrinter *self = CANTEEN_ESCPOS_PRINTER (device);

  self->busy = FALSE;
  if (!canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_BULK, LIBUSB_ENDPOINT_OUT, &self->ep_out, NULL))
    {
      canteen_device_set_error (device, error, CANTEEN_DEVICE_ERROR_PROTOCOL, "opening",
                                "the interface has no bulk OUT endpoint");
      return FALSE;
    }
  /* Bulk IN is optional: a write-only printer just has no status. */
  if (canteen_device_find_endpoint (device, LIBUSB_TRANSFER_TYPE_BULK, LIBUSB_ENDPOINT_IN, &self->ep_in,
                                    &self->in_size))
    self->in_size = MAX (self->in_size, 1);
  else
    self->ep_in = 0;
  return canteen_device_claim_interface (device, canteen_device_get_interface (device), error);
}

static const CanteenUsbId printer_ids[] = {
  CANTEEN_USB_ID_CLASS (LIBUSB_CLASS_PRINTER, 1, -1),
  CANTEEN_USB_ID_END
};

static void
canteen_escpos_printer_class_init (CanteenEscposPrinterClass *klass)
{
  CanteenDeviceClass *device_class = CANTEEN_DEVICE_CLASS (klass);

  device_class->driver = "escpos";
  device_class->kind = CANTEEN_DEVICE_KIND_PRINTER;
  device_class->id_table = printer_ids;
  device_class->open = printer_open;
}

static void
canteen_escpos_printer_init (CanteenEscposPrinter *self)
{
}
