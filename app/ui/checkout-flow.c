/* checkout-flow.c — the page state machine around one payment at a time. */
#include "checkout-flow.h"

#include "payment.h"

struct _CanteenCheckoutFlow
{
  GObject                parent_instance;
  CanteenPaymentDesk    *desk;
  CanteenTray           *tray;
  CanteenKioskPage       page;
  gboolean               busy;
  char                  *paying_card;     /* while busy */
  gint64                 paying_due_fen;  /* while busy */
  CanteenReceipt        *receipt;
  CanteenVisitorPaid    *visitor;         /* with `receipt`, for a visitor's */
  gboolean               paying_visitor;  /* while busy */
  CanteenPaymentProblem *problem;
  char                  *last_checkout_id;
  guint                  result_timeout_id;
};

enum { PROP_0, PROP_PAGE, PROP_BUSY, PROP_LAST_CHECKOUT_ID, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_COMMITTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (CanteenKioskPage, canteen_kiosk_page,
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_PAGE_ORDER, "order"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_PAGE_TAP, "tap"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_PAGE_RESULT, "result"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_PAGE_DECLINED, "declined"),
                    G_DEFINE_ENUM_VALUE (CANTEEN_KIOSK_PAGE_ERROR, "error"))

G_DEFINE_FINAL_TYPE (CanteenCheckoutFlow, canteen_checkout_flow, G_TYPE_OBJECT)

const char *
canteen_kiosk_page_id (CanteenKioskPage page)
{
  switch (page)
    {
    case CANTEEN_KIOSK_PAGE_ORDER:    return "order";
    case CANTEEN_KIOSK_PAGE_TAP:      return "tap";
    case CANTEEN_KIOSK_PAGE_RESULT:   return "result";
    case CANTEEN_KIOSK_PAGE_DECLINED: return "declined";
    case CANTEEN_KIOSK_PAGE_ERROR:    return "error";
    default:                          return "order";
    }
}

static void
payment_problem_free (CanteenPaymentProblem *problem)
{
  if (problem == NULL)
    return;
  g_clear_error (&problem->error);
  g_free (problem->card);
  g_free (problem->reason);
  if (problem->has_account)
    canteen_account_clear (&problem->account);
  g_free (problem);
}

static void
canteen_checkout_flow_cancel_timeout (CanteenCheckoutFlow *self)
{
  g_clear_handle_id (&self->result_timeout_id, g_source_remove);
}

/* Every page change goes through here so that what a page shows (receipt,
 * problem) never outlives the page. */
static void
canteen_checkout_flow_set_page (CanteenCheckoutFlow *self, CanteenKioskPage page)
{
  if (page != CANTEEN_KIOSK_PAGE_RESULT)
    {
      canteen_checkout_flow_cancel_timeout (self);
      g_clear_pointer (&self->receipt, canteen_receipt_free);
      g_clear_pointer (&self->visitor, canteen_visitor_paid_free);
    }
  if (page != CANTEEN_KIOSK_PAGE_DECLINED && page != CANTEEN_KIOSK_PAGE_ERROR)
    g_clear_pointer (&self->problem, payment_problem_free);
  if (self->page == page)
    return;
  self->page = page;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
canteen_checkout_flow_set_busy (CanteenCheckoutFlow *self, gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
canteen_checkout_flow_dispose (GObject *object)
{
  CanteenCheckoutFlow *self = CANTEEN_CHECKOUT_FLOW (object);

  canteen_checkout_flow_cancel_timeout (self);
  G_OBJECT_CLASS (canteen_checkout_flow_parent_class)->dispose (object);
}

static void
canteen_checkout_flow_finalize (GObject *object)
{
  CanteenCheckoutFlow *self = CANTEEN_CHECKOUT_FLOW (object);

  g_clear_pointer (&self->desk, canteen_payment_desk_unref);
  g_clear_object (&self->tray);
  g_free (self->paying_card);
  canteen_receipt_free (self->receipt);
  canteen_visitor_paid_free (self->visitor);
  payment_problem_free (self->problem);
  g_free (self->last_checkout_id);
  G_OBJECT_CLASS (canteen_checkout_flow_parent_class)->finalize (object);
}

static void
canteen_checkout_flow_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CanteenCheckoutFlow *self = CANTEEN_CHECKOUT_FLOW (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_enum (value, self->page);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_LAST_CHECKOUT_ID:
      g_value_set_string (value, canteen_checkout_flow_get_last_checkout_id (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
canteen_checkout_flow_class_init (CanteenCheckoutFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = canteen_checkout_flow_dispose;
  object_class->finalize = canteen_checkout_flow_finalize;
  object_class->get_property = canteen_checkout_flow_get_property;

  properties[PROP_PAGE] =
    g_param_spec_enum ("page", NULL, NULL, CANTEEN_TYPE_KIOSK_PAGE, CANTEEN_KIOSK_PAGE_ORDER,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_CHECKOUT_ID] =
    g_param_spec_string ("last-checkout-id", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_COMMITTED] =
    g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
canteen_checkout_flow_init (CanteenCheckoutFlow *self)
{
  self->tray = canteen_tray_new ();
  self->page = CANTEEN_KIOSK_PAGE_ORDER;
}

CanteenCheckoutFlow *
canteen_checkout_flow_new (const char *db_path)
{
  CanteenCheckoutFlow *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (CANTEEN_TYPE_CHECKOUT_FLOW, NULL);
  self->desk = canteen_payment_desk_new (db_path);
  return self;
}

CanteenTray *
canteen_checkout_flow_get_tray (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), NULL);
  return self->tray;
}

CanteenKioskPage
canteen_checkout_flow_get_page (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), CANTEEN_KIOSK_PAGE_ORDER);
  return self->page;
}

gboolean
canteen_checkout_flow_get_busy (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  return self->busy;
}

const CanteenReceipt *
canteen_checkout_flow_get_receipt (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), NULL);
  return self->receipt;
}

const CanteenVisitorPaid *
canteen_checkout_flow_get_visitor (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), NULL);
  return self->receipt != NULL ? self->visitor : NULL;
}

const CanteenPaymentProblem *
canteen_checkout_flow_get_problem (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), NULL);
  return self->problem;
}

const char *
canteen_checkout_flow_get_last_checkout_id (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), "");
  return self->last_checkout_id != NULL ? self->last_checkout_id : "";
}

/* The next diner may start on a dish while the last receipt is still
 * showing, or the same diner may fix a declined tray: either way editing
 * the tray brings the order page back. */
static gboolean
canteen_checkout_flow_begin_edit (CanteenCheckoutFlow *self)
{
  if (self->busy)
    return FALSE;
  if (self->page != CANTEEN_KIOSK_PAGE_ORDER && self->page != CANTEEN_KIOSK_PAGE_TAP)
    canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_ORDER);
  return TRUE;
}

gboolean
canteen_checkout_flow_add_dish (CanteenCheckoutFlow *self, const CanteenDish *dish,
                                gint grams, GError **error)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  g_return_val_if_fail (dish != NULL, FALSE);

  if (!canteen_checkout_flow_begin_edit (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "a payment is in progress");
      return FALSE;
    }
  return canteen_tray_add (self->tray, dish, grams, error);
}

gboolean
canteen_checkout_flow_add_item (CanteenCheckoutFlow *self, CanteenTrayItem *item, GError **error)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  g_return_val_if_fail (CANTEEN_IS_TRAY_ITEM (item), FALSE);

  if (!canteen_checkout_flow_begin_edit (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "a payment is in progress");
      return FALSE;
    }
  return canteen_tray_add_item (self->tray, item, error);
}

gboolean
canteen_checkout_flow_replace_from_camera (CanteenCheckoutFlow *self, GPtrArray *items, GError **error)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  g_return_val_if_fail (items != NULL, FALSE);

  if (!canteen_checkout_flow_begin_edit (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "a payment is in progress");
      return FALSE;
    }
  return canteen_tray_replace_from_camera (self->tray, items, error);
}

gboolean
canteen_checkout_flow_remove_item (CanteenCheckoutFlow *self, guint position)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);

  if (position >= canteen_tray_get_n_items (self->tray) || !canteen_checkout_flow_begin_edit (self))
    return FALSE;
  canteen_tray_remove (self->tray, position);
  if (canteen_tray_get_n_items (self->tray) == 0)
    canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_ORDER);
  return TRUE;
}

gboolean
canteen_checkout_flow_clear_tray (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);

  if (!canteen_checkout_flow_begin_edit (self))
    return FALSE;
  canteen_tray_clear (self->tray);
  canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_ORDER);
  return TRUE;
}

gboolean
canteen_checkout_flow_can_pay (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);

  return !self->busy
      && self->page != CANTEEN_KIOSK_PAGE_RESULT
      && canteen_tray_get_n_items (self->tray) > 0;
}

gboolean
canteen_checkout_flow_pay (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);

  if (!canteen_checkout_flow_can_pay (self))
    return FALSE;
  canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_TAP);
  return TRUE;
}

static gboolean
result_timeout_cb (gpointer user_data)
{
  CanteenCheckoutFlow *self = user_data;

  self->result_timeout_id = 0;
  canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_ORDER);
  return G_SOURCE_REMOVE;
}

static void
payment_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CanteenCheckoutFlow) self = user_data;   /* the ref taken in tap_card */
  g_autoptr(GError) error = NULL;
  CanteenAccount account;
  CanteenVisitorPaid *visitor = NULL;
  char *reason = NULL;
  CanteenReceipt *receipt;

  receipt = canteen_payment_run_finish_full (result, &account, &visitor, &reason, &error);
  canteen_checkout_flow_set_busy (self, FALSE);

  if (receipt != NULL)
    {
      /* The receipt is in place before the page says "result", so every
       * view that reacts to the page change finds it. */
      g_clear_pointer (&self->receipt, canteen_receipt_free);
      g_clear_pointer (&self->visitor, canteen_visitor_paid_free);
      self->receipt = receipt;
      self->visitor = visitor;
      g_free (self->last_checkout_id);
      self->last_checkout_id = g_strdup (receipt->checkout_id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_CHECKOUT_ID]);
      g_signal_emit (self, signals[SIGNAL_COMMITTED], 0, receipt->checkout_id);
      /* Settled: the tray is paid for (clearing it also drops its id). */
      canteen_tray_clear (self->tray);
      canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_RESULT);
      self->result_timeout_id = g_timeout_add_seconds (CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS,
                                                       result_timeout_cb, self);
    }
  else
    {
      CanteenPaymentProblem *problem = g_new0 (CanteenPaymentProblem, 1);

      /* The visitor's declines include the ledger's (unknown dish...). */
      problem->is_decline = canteen_visitor_error_is_decline (error);
      problem->visitor = self->paying_visitor;
      problem->reason = g_steal_pointer (&reason);
      problem->error = g_steal_pointer (&error);
      problem->card = g_steal_pointer (&self->paying_card);
      problem->due_fen = self->paying_due_fen;
      problem->has_account = account.card != NULL;
      problem->account = account;
      /* Nothing was charged on a decline, so the next attempt is a new
       * checkout. Any other failure may or may not have committed (a lost
       * reply, a crash in between): keep the id so a retry replays. */
      if (problem->is_decline)
        canteen_tray_forget_checkout_id (self->tray);
      payment_problem_free (self->problem);
      self->problem = problem;
      canteen_checkout_flow_set_page (self, problem->is_decline ? CANTEEN_KIOSK_PAGE_DECLINED
                                                                : CANTEEN_KIOSK_PAGE_ERROR);
    }
  g_clear_pointer (&self->paying_card, g_free);
  g_free (reason);
  self->paying_visitor = FALSE;
}

/* Either kind of card: the tap page, busy, then the worker. */
static gboolean
canteen_checkout_flow_start_payment (CanteenCheckoutFlow *self, const char *card,
                                     CanteenKioskVisitorCard *visitor_card)
{
  g_autoptr(GArray) lines = NULL;

  /* A card tapped twice, or while the last receipt shows, pays nothing. */
  if (!canteen_checkout_flow_can_pay (self) || *card == '\0')
    return FALSE;

  lines = canteen_tray_get_order_lines (self->tray);
  canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_TAP);
  g_free (self->paying_card);
  self->paying_card = g_strdup (card);
  self->paying_due_fen = canteen_tray_get_total (self->tray);
  self->paying_visitor = visitor_card != NULL;
  canteen_checkout_flow_set_busy (self, TRUE);
  if (visitor_card != NULL)
    canteen_payment_run_visitor_async (self->desk, canteen_tray_ensure_checkout_id (self->tray), visitor_card,
                                       &g_array_index (lines, CanteenOrderLine, 0), lines->len,
                                       payment_done_cb, g_object_ref (self));
  else
    canteen_payment_run_async (self->desk, canteen_tray_ensure_checkout_id (self->tray), card,
                               &g_array_index (lines, CanteenOrderLine, 0), lines->len,
                               payment_done_cb, g_object_ref (self));
  return TRUE;
}

gboolean
canteen_checkout_flow_tap_card (CanteenCheckoutFlow *self, const char *card)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  g_return_val_if_fail (card != NULL, FALSE);

  return canteen_checkout_flow_start_payment (self, card, NULL);
}

gboolean
canteen_checkout_flow_tap_visitor (CanteenCheckoutFlow *self, CanteenKioskVisitorCard *card)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);
  g_return_val_if_fail (card != NULL, FALSE);

  return canteen_checkout_flow_start_payment (self, canteen_kiosk_visitor_card_get_label (card), card);
}

void
canteen_checkout_flow_hold_result (CanteenCheckoutFlow *self, gboolean hold)
{
  g_return_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self));

  if (self->page != CANTEEN_KIOSK_PAGE_RESULT)
    return;
  canteen_checkout_flow_cancel_timeout (self);
  if (!hold)
    self->result_timeout_id = g_timeout_add_seconds (CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS,
                                                     result_timeout_cb, self);
}

gboolean
canteen_checkout_flow_cancel (CanteenCheckoutFlow *self)
{
  g_return_val_if_fail (CANTEEN_IS_CHECKOUT_FLOW (self), FALSE);

  if (self->busy)
    return FALSE;
  canteen_checkout_flow_set_page (self, CANTEEN_KIOSK_PAGE_ORDER);
  return TRUE;
}

gboolean
canteen_checkout_flow_done (CanteenCheckoutFlow *self)
{
  return canteen_checkout_flow_cancel (self);
}
