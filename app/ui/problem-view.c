/* problem-view.c — template widget for declines and payment failures. */
#include "problem-view.h"

#include <glib/gi18n.h>

#include "money.h"
#include "ui-resources.h"
#include "visitor.h"

struct _CanteenProblemView
{
  GtkBox     parent_instance;
  GtkWidget *mark_label;
  GtkLabel  *title_label;
  GtkLabel  *detail_label;
  GtkLabel  *technical_label;
  GtkWidget *retry_button;
};

G_DEFINE_FINAL_TYPE (CanteenProblemView, canteen_problem_view, GTK_TYPE_BOX)

static void
canteen_problem_view_class_init (CanteenProblemViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "problem-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenProblemView, mark_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenProblemView, title_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenProblemView, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenProblemView, technical_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenProblemView, retry_button);
}

static void
canteen_problem_view_init (CanteenProblemView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
canteen_problem_view_new (void)
{
  return g_object_new (CANTEEN_TYPE_PROBLEM_VIEW, NULL);
}

/* The clearing service's reason codes (settlement/API.md, authorise)
 * mapped onto the terminal's own decline codes; -1 for the two only the
 * service can judge (daily_cap, debit_cap) and any it may add later. */
static gint
service_reason_code (const char *reason)
{
  static const struct { const char *reason; CanteenVisitorError code; } map[] = {
    { "unknown_issuer",     CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER },
    { "bad_certificate",    CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE },
    { "expired",            CANTEEN_VISITOR_ERROR_EXPIRED },
    { "bad_card_signature", CANTEEN_VISITOR_ERROR_BAD_SIGNATURE },
    { "denied",             CANTEEN_VISITOR_ERROR_DENIED },
  };

  for (gsize i = 0; reason != NULL && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (reason, map[i].reason))
      return (gint) map[i].code;
  return -1;
}

/* A visiting official's card refused: why, in words a diner can act on. */
static void
describe_visitor_decline (const CanteenPaymentProblem *problem, const char **title, char **detail)
{
  gint code = problem->error->code;

  if (code == CANTEEN_VISITOR_ERROR_DECLINED && service_reason_code (problem->reason) >= 0)
    code = service_reason_code (problem->reason);
  switch (code)
    {
    case CANTEEN_VISITOR_ERROR_UID_ONLY:
      *title = _("This card cannot pay as a visitor");
      *detail = g_strdup (_("Visiting officials pay with the interoperable card of their own agency. Please go to the canteen office."));
      break;
    case CANTEEN_VISITOR_ERROR_UNKNOWN_ISSUER:
      *title = _("Cards of this agency are not accepted here");
      *detail = g_strdup (_("This canteen does not settle with the agency that issued the card. Please go to the canteen office."));
      break;
    case CANTEEN_VISITOR_ERROR_BAD_CERTIFICATE:
      *title = _("This card is not trusted");
      *detail = g_strdup (_("The card's certificate is not valid. Nothing was charged. Please go to the canteen office."));
      break;
    case CANTEEN_VISITOR_ERROR_EXPIRED:
      *title = _("This card has expired");
      *detail = g_strdup (_("Please ask the agency that issued it for a new card."));
      break;
    case CANTEEN_VISITOR_ERROR_BAD_SIGNATURE:
      *title = _("The card's signature failed");
      *detail = g_strdup (_("The card could not prove it is genuine. Nothing was charged. Please tap again, or go to the canteen office."));
      break;
    case CANTEEN_VISITOR_ERROR_DENIED:
      *title = _("This card has been blocked by its agency");
      *detail = g_strdup (_("The agency that issued the card has stopped it. Nothing was charged."));
      break;
    case CANTEEN_VISITOR_ERROR_OFFLINE_CAP:
      *title = _("Over the card's offline limit");
      *detail = g_strdup (_("The clearing service cannot be reached now, and this tray costs more than the card may pay offline. Please take less, or ask the staff."));
      break;
    case CANTEEN_VISITOR_ERROR_FLOOR_LIMIT:
      *title = _("Over this counter's offline limit");
      *detail = g_strdup (_("The clearing service cannot be reached now, and this tray costs more than this counter may accept offline. Please take less, or ask the staff."));
      break;
    case CANTEEN_VISITOR_ERROR_LIST_TOO_OLD:
      *title = _("Visitor cards cannot be accepted right now");
      *detail = g_strdup (_("The clearing service cannot be reached and the list of blocked cards is out of date. Please ask the staff."));
      break;
    case CANTEEN_VISITOR_ERROR_DECLINED:
    default:
      if (g_strcmp0 (problem->reason, "daily_cap") == 0)
        {
          *title = _("Over the card's daily limit");
          *detail = g_strdup (_("This card has reached what it may pay in one day. Nothing was charged."));
        }
      else if (g_strcmp0 (problem->reason, "debit_cap") == 0)
        {
          *title = _("The card's agency has reached its limit");
          *detail = g_strdup (_("The agency that issued the card cannot take on more meals now. Nothing was charged. Please ask the staff."));
        }
      else
        {
          *title = _("The clearing service declined this card");
          *detail = g_strdup (_("Nothing was charged. Please go to the canteen office."));
        }
      break;
    }
}

/* Title and advice for a decline; the reason comes from the ledger's error
 * code, never from parsing its message. */
static void
describe_decline (const CanteenPaymentProblem *problem, const char **title, char **detail)
{
  CanteenLedgerError code = CANTEEN_LEDGER_ERROR_DB;

  if (problem->error != NULL && problem->error->domain == CANTEEN_VISITOR_ERROR)
    {
      describe_visitor_decline (problem, title, detail);
      return;
    }
  if (problem->error != NULL && problem->error->domain == CANTEEN_LEDGER_ERROR)
    code = (CanteenLedgerError) problem->error->code;

  switch (code)
    {
    case CANTEEN_LEDGER_ERROR_INSUFFICIENT_FUNDS:
      *title = _("Insufficient balance");
      if (problem->has_account)
        {
          g_autofree char *balance = canteen_fen_format (problem->account.balance_fen);
          g_autofree char *due = canteen_fen_format (problem->due_fen);
          /* Translators: first %s is the card's balance, second the amount due. */
          *detail = g_strdup_printf (_("Balance %s, amount due %s. Please top up at the service desk or use another card."),
                                     balance, due);
        }
      else
        *detail = g_strdup (_("The card's balance does not cover this tray. Please top up at the service desk or use another card."));
      break;
    case CANTEEN_LEDGER_ERROR_CARD_LOST:
      *title = _("This card is reported lost");
      *detail = g_strdup (_("A card reported lost cannot pay. If it is yours, please go to the canteen office."));
      break;
    case CANTEEN_LEDGER_ERROR_CARD_CLOSED:
      *title = _("This card is closed");
      *detail = g_strdup (_("The account of this card has been closed. Please go to the canteen office."));
      break;
    case CANTEEN_LEDGER_ERROR_UNKNOWN_CARD:
      *title = _("Card not recognised");
      /* A card that is no account here and offered no certificate: for a
       * visiting official, that is a card that cannot pay as a visitor. */
      *detail = g_strdup (_("This card is not registered at this canteen, and it cannot pay as a visitor: visiting officials need the interoperable card of their agency. Please go to the canteen office."));
      break;
    case CANTEEN_LEDGER_ERROR_UNKNOWN_DISH:
      *title = _("A dish is no longer on sale");
      *detail = g_strdup (_("Please remove it from the tray and pay again."));
      break;
    case CANTEEN_LEDGER_ERROR_DB:
    case CANTEEN_LEDGER_ERROR_NOT_A_LEDGER:
    case CANTEEN_LEDGER_ERROR_TOO_NEW:
    case CANTEEN_LEDGER_ERROR_NOT_INITIALISED:
    case CANTEEN_LEDGER_ERROR_ALREADY_INITIALISED:
    case CANTEEN_LEDGER_ERROR_NOT_FOUND:
    case CANTEEN_LEDGER_ERROR_EXISTS:
    case CANTEEN_LEDGER_ERROR_CONFLICT:
    case CANTEEN_LEDGER_ERROR_NOT_REFUNDABLE:
    case CANTEEN_LEDGER_ERROR_CORRUPT:
    case CANTEEN_LEDGER_ERROR_NOT_AUTHORISED:
    default:
      /* A decline this kiosk does not know yet: still a refusal, still
       * nothing charged. */
      *title = _("Payment declined");
      *detail = g_strdup (_("Nothing was charged. Please go to the canteen office."));
      break;
    }
}

void
canteen_problem_view_set_problem (CanteenProblemView *self, const CanteenPaymentProblem *problem)
{
  g_autofree char *detail = NULL;
  const char *title;

  g_return_if_fail (CANTEEN_IS_PROBLEM_VIEW (self));

  if (problem == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->detail_label, "");
      gtk_label_set_text (self->technical_label, "");
      return;
    }

  if (problem->is_decline)
    {
      describe_decline (problem, &title, &detail);
      gtk_label_set_text (self->technical_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->technical_label), FALSE);
      gtk_widget_set_visible (self->retry_button, FALSE);
      gtk_widget_remove_css_class (self->mark_label, "error");
      gtk_widget_add_css_class (self->mark_label, "warning");
    }
  else
    {
      /* The ledger writes nothing when it fails, so this is true; saying it
       * plainly stops a diner from paying twice "to be sure". */
      title = _("Payment NOT taken");
      detail = g_strdup (_("Nothing was charged to your card. Please call the canteen staff."));
      gtk_label_set_text (self->technical_label, problem->error != NULL ? problem->error->message : "");
      gtk_widget_set_visible (GTK_WIDGET (self->technical_label), TRUE);
      gtk_widget_set_visible (self->retry_button, TRUE);
      gtk_widget_remove_css_class (self->mark_label, "warning");
      gtk_widget_add_css_class (self->mark_label, "error");
    }
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->detail_label, detail);
}

const char *
canteen_problem_view_get_title_text (CanteenProblemView *self)
{
  g_return_val_if_fail (CANTEEN_IS_PROBLEM_VIEW (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
canteen_problem_view_get_detail_text (CanteenProblemView *self)
{
  g_return_val_if_fail (CANTEEN_IS_PROBLEM_VIEW (self), NULL);
  return gtk_label_get_text (self->detail_label);
}
