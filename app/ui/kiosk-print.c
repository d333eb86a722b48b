/* kiosk-print.c — one receipt print job and its outcome. */
#include "kiosk-print.h"

#include "device-error.h"
#include "receipt-escpos.h"

struct _CanteenKioskPrint
{
  GObject                parent_instance;
  CanteenKioskPrintState state;
  char                  *error;
  CanteenKioskPrintProblem problem;
  guint                  generation;   /* bumped by reset(): older jobs are stale */
};

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CanteenKioskPrint, canteen_kiosk_print, G_TYPE_OBJECT)

/* A job in flight keeps its CanteenKioskPrint alive until the printer
 * answers; closing the printer (the device manager going) ends it too. */
typedef struct
{
  CanteenKioskPrint *self;   /* owned ref */
  guint              generation;
  GError            *error;   /* the print's, while the status is asked for */
} PrintJob;

static void
print_job_free (PrintJob *job)
{
  g_object_unref (job->self);
  g_clear_error (&job->error);
  g_free (job);
}

static void
canteen_kiosk_print_set_state (CanteenKioskPrint *self, CanteenKioskPrintState state,
                               CanteenKioskPrintProblem problem, const char *error)
{
  g_free (self->error);
  self->error = g_strdup (error);
  self->problem = problem;
  /* Notified even when the state stays FAILED: the cause may differ. */
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
canteen_kiosk_print_finish_job (PrintJob *job, CanteenKioskPrintState state, CanteenKioskPrintProblem problem)
{
  if (job->generation != job->self->generation)
    g_message ("a receipt print finished after its receipt left the screen");
  else
    canteen_kiosk_print_set_state (job->self, state, problem, job->error != NULL ? job->error->message : NULL);
  print_job_free (job);
}

static void
status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PrintJob *job = user_data;
  CanteenEscposStatus status;
  gboolean answered = FALSE;
  CanteenKioskPrintProblem problem = CANTEEN_KIOSK_PRINT_PROBLEM_OTHER;

  /* A printer that cannot say leaves the cause to the error text. */
  if (canteen_escpos_printer_query_status_finish (CANTEEN_ESCPOS_PRINTER (source), result, &status,
                                                  &answered, NULL) && answered)
    {
      if (status.paper_out)
        problem = CANTEEN_KIOSK_PRINT_PROBLEM_PAPER_OUT;
      else if (status.cover_open)
        problem = CANTEEN_KIOSK_PRINT_PROBLEM_COVER_OPEN;
    }
  canteen_kiosk_print_finish_job (job, CANTEEN_KIOSK_PRINT_FAILED, problem);
}

static void
printed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PrintJob *job = user_data;
  CanteenEscposPrinter *printer = CANTEEN_ESCPOS_PRINTER (source);

  if (canteen_escpos_printer_print_finish (printer, result, &job->error))
    {
      canteen_kiosk_print_finish_job (job, CANTEEN_KIOSK_PRINT_PRINTED, CANTEEN_KIOSK_PRINT_PROBLEM_NONE);
      return;
    }
  g_message ("receipt not printed: %s", job->error->message);
  /* A printer that refused the job (FAILED: paper out, cover open, ...)
   * names the cause in its own words; its status bits say it in a way the
   * screen can translate. Anything else (unplugged, closed, no answer) has
   * no status worth asking for. */
  if (!g_error_matches (job->error, CANTEEN_DEVICE_ERROR, CANTEEN_DEVICE_ERROR_FAILED))
    {
      canteen_kiosk_print_finish_job (job, CANTEEN_KIOSK_PRINT_FAILED, CANTEEN_KIOSK_PRINT_PROBLEM_OTHER);
      return;
    }
  canteen_escpos_printer_query_status (printer, NULL, status_cb, job);
}

gboolean
canteen_kiosk_print_start (CanteenKioskPrint    *self,
                           CanteenEscposPrinter *printer,
                           const CanteenReceipt *receipt,
                           GTimeZone            *tz)
{
  return canteen_kiosk_print_start_visitor (self, printer, receipt, NULL, tz);
}

gboolean
canteen_kiosk_print_start_visitor (CanteenKioskPrint        *self,
                                   CanteenEscposPrinter     *printer,
                                   const CanteenReceipt     *receipt,
                                   const CanteenVisitorPaid *visitor,
                                   GTimeZone                *tz)
{
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GError) error = NULL;
  PrintJob *job;

  g_return_val_if_fail (CANTEEN_IS_KIOSK_PRINT (self), FALSE);
  g_return_val_if_fail (CANTEEN_IS_ESCPOS_PRINTER (printer), FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  if (self->state == CANTEEN_KIOSK_PRINT_PRINTING)
    return FALSE;
  document = canteen_receipt_to_escpos_visitor (receipt, visitor, tz, &error);
  if (document == NULL)
    {
      canteen_kiosk_print_set_state (self, CANTEEN_KIOSK_PRINT_FAILED, CANTEEN_KIOSK_PRINT_PROBLEM_OTHER,
                                     error->message);
      return TRUE;
    }
  canteen_kiosk_print_set_state (self, CANTEEN_KIOSK_PRINT_PRINTING, CANTEEN_KIOSK_PRINT_PROBLEM_NONE, NULL);
  job = g_new0 (PrintJob, 1);
  job->self = g_object_ref (self);
  job->generation = self->generation;
  canteen_escpos_printer_print (printer, document, NULL, printed_cb, job);
  return TRUE;
}

void
canteen_kiosk_print_reset (CanteenKioskPrint *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_PRINT (self));

  self->generation++;
  if (self->state != CANTEEN_KIOSK_PRINT_IDLE)
    canteen_kiosk_print_set_state (self, CANTEEN_KIOSK_PRINT_IDLE, CANTEEN_KIOSK_PRINT_PROBLEM_NONE, NULL);
}

CanteenKioskPrintState
canteen_kiosk_print_get_state (CanteenKioskPrint *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_PRINT (self), CANTEEN_KIOSK_PRINT_IDLE);
  return self->state;
}

const char *
canteen_kiosk_print_get_error (CanteenKioskPrint *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_PRINT (self), NULL);
  return self->error;
}

CanteenKioskPrintProblem
canteen_kiosk_print_get_problem (CanteenKioskPrint *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_PRINT (self), CANTEEN_KIOSK_PRINT_PROBLEM_NONE);
  return self->problem;
}

static void
canteen_kiosk_print_finalize (GObject *object)
{
  CanteenKioskPrint *self = CANTEEN_KIOSK_PRINT (object);

  g_free (self->error);
  G_OBJECT_CLASS (canteen_kiosk_print_parent_class)->finalize (object);
}

static void
canteen_kiosk_print_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenKioskPrint *self = CANTEEN_KIOSK_PRINT (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_int (value, self->state); break;
    default:         G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_kiosk_print_class_init (CanteenKioskPrintClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = canteen_kiosk_print_finalize;
  object_class->get_property = canteen_kiosk_print_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, CANTEEN_KIOSK_PRINT_IDLE, CANTEEN_KIOSK_PRINT_FAILED,
                      CANTEEN_KIOSK_PRINT_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
canteen_kiosk_print_init (CanteenKioskPrint *self)
{
}

CanteenKioskPrint *
canteen_kiosk_print_new (void)
{
  return g_object_new (CANTEEN_TYPE_KIOSK_PRINT, NULL);
}
