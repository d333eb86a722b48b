/* problem-view.c — template widget for declines and payment failures. */
#include "problem-view.h"

#include <glib/gi18n.h>

#include "money.h"
#include "ui-resources.h"

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

/* Title and advice for a decline; the reason comes from the ledger's error
 * code, never from parsing its message. */
static void
describe_decline (const CanteenPaymentProblem *problem, const char **title, char **detail)
{
  CanteenLedgerError code = CANTEEN_LEDGER_ERROR_DB;

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
      *detail = g_strdup (_("This card is not registered at this canteen. Please go to the canteen office."));
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
