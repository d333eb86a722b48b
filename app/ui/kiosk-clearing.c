/* kiosk-clearing.c — periodic clearing syncs and the state they leave. */
#include "kiosk-clearing.h"

#include "outbox.h"

struct _CanteenKioskClearing
{
  GObject               parent_instance;
  char                 *db_path;
  CanteenLedger        *ledger;        /* not owned; NULL once stopped */
  CanteenClearingState  state;
  gboolean              has_state;
  guint                 period_id;
  guint                 soon_id;
  GCancellable         *cancellable;   /* the sync in flight, or NULL */
  guint                 n_syncs;
};

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CanteenKioskClearing, canteen_kiosk_clearing, G_TYPE_OBJECT)

static void
canteen_kiosk_clearing_dispose (GObject *object)
{
  canteen_kiosk_clearing_stop (CANTEEN_KIOSK_CLEARING (object));
  G_OBJECT_CLASS (canteen_kiosk_clearing_parent_class)->dispose (object);
}

static void
canteen_kiosk_clearing_finalize (GObject *object)
{
  CanteenKioskClearing *self = CANTEEN_KIOSK_CLEARING (object);

  canteen_clearing_state_clear (&self->state);
  g_free (self->db_path);
  G_OBJECT_CLASS (canteen_kiosk_clearing_parent_class)->finalize (object);
}

static void
canteen_kiosk_clearing_class_init (CanteenKioskClearingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_kiosk_clearing_dispose;
  object_class->finalize = canteen_kiosk_clearing_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
canteen_kiosk_clearing_init (CanteenKioskClearing *self)
{
}

CanteenKioskClearing *
canteen_kiosk_clearing_new (const char *db_path, CanteenLedger *ledger)
{
  CanteenKioskClearing *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_KIOSK_CLEARING, NULL);
  self->db_path = g_strdup (db_path);
  self->ledger = ledger;
  return self;
}

void
canteen_kiosk_clearing_refresh (CanteenKioskClearing *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CANTEEN_IS_KIOSK_CLEARING (self));

  if (self->ledger == NULL)
    return;
  canteen_clearing_state_clear (&self->state);
  self->has_state = canteen_visitor_get_state (self->ledger, &self->state, &error);
  if (!self->has_state)
    g_message ("clearing state: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
sync_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CanteenKioskClearing *self = user_data;   /* stop() waits for this */
  g_autoptr(GError) error = NULL;
  CanteenSyncReport *report = canteen_clearing_sync_finish (result, &error);

  g_clear_object (&self->cancellable);
  self->n_syncs++;
  if (report == NULL)
    {
      /* The outbox has recorded the failure (backoff); the state shows it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("clearing sync: %s", error->message);
    }
  else
    {
      if (report->uploaded > 0 || report->trust_updated || report->deny_updated)
        g_message ("clearing sync: %" G_GINT64_FORMAT " records uploaded%s%s", report->uploaded,
                   report->trust_updated ? ", trust list updated" : "",
                   report->deny_updated ? ", deny list updated" : "");
      canteen_sync_report_clear (report);
      g_free (report);
    }
  canteen_kiosk_clearing_refresh (self);
}

static void
canteen_kiosk_clearing_sync (CanteenKioskClearing *self)
{
  if (self->ledger == NULL || self->cancellable != NULL)
    return;
  canteen_kiosk_clearing_refresh (self);
  if (!self->has_state || !self->state.enrolled)
    return;
  self->cancellable = g_cancellable_new ();
  canteen_clearing_sync_async (self->db_path, TRUE, self->cancellable, sync_done_cb, self);
}

static gboolean
period_cb (gpointer user_data)
{
  canteen_kiosk_clearing_sync (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
soon_cb (gpointer user_data)
{
  CanteenKioskClearing *self = user_data;

  self->soon_id = 0;
  canteen_kiosk_clearing_sync (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_soon (CanteenKioskClearing *self, guint seconds)
{
  g_clear_handle_id (&self->soon_id, g_source_remove);
  self->soon_id = g_timeout_add_seconds (seconds, soon_cb, self);
}

void
canteen_kiosk_clearing_start (CanteenKioskClearing *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_CLEARING (self));

  if (self->ledger == NULL || self->period_id != 0)
    return;
  canteen_kiosk_clearing_refresh (self);
  schedule_soon (self, CANTEEN_KIOSK_CLEARING_FIRST_S);
  self->period_id = g_timeout_add_seconds (CANTEEN_KIOSK_CLEARING_PERIOD_S, period_cb, self);
}

void
canteen_kiosk_clearing_sale_committed (CanteenKioskClearing *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_CLEARING (self));

  if (self->ledger == NULL)
    return;
  canteen_kiosk_clearing_refresh (self);
  if (self->has_state && self->state.enrolled)
    schedule_soon (self, CANTEEN_KIOSK_CLEARING_AFTER_SALE_S);
}

void
canteen_kiosk_clearing_stop (CanteenKioskClearing *self)
{
  g_return_if_fail (CANTEEN_IS_KIOSK_CLEARING (self));

  g_clear_handle_id (&self->period_id, g_source_remove);
  g_clear_handle_id (&self->soon_id, g_source_remove);
  self->ledger = NULL;
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      /* The callback clears it; the sync thread ends at its next request
       * boundary, within its own timeouts. */
      while (self->cancellable != NULL)
        g_main_context_iteration (NULL, TRUE);
    }
}

const CanteenClearingState *
canteen_kiosk_clearing_get_state (CanteenKioskClearing *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CLEARING (self), NULL);
  return self->has_state ? &self->state : NULL;
}

gboolean
canteen_kiosk_clearing_get_syncing (CanteenKioskClearing *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CLEARING (self), FALSE);
  return self->cancellable != NULL;
}

guint
canteen_kiosk_clearing_get_n_syncs (CanteenKioskClearing *self)
{
  g_return_val_if_fail (CANTEEN_IS_KIOSK_CLEARING (self), 0);
  return self->n_syncs;
}
