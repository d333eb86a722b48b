/* receipt-view.c — template widget for the receipt page. */
#include "receipt-view.h"

#include <glib/gi18n.h>

#include "checkout-flow.h"
#include "money.h"
#include "ui-resources.h"

struct _CanteenReceiptView
{
  GtkBox     parent_instance;
  GtkLabel  *holder_label;
  GtkLabel  *visitor_label;
  GtkLabel  *visitor_mode_label;
  GtkWidget *replayed_label;
  GtkLabel  *auto_return_label;
  GtkWidget *print_button;
  GtkLabel  *print_label;
  GtkLabel  *print_detail_label;
  GtkBox    *lines_box;
  GtkLabel  *total_label;
  GtkWidget *subsidy_caption;
  GtkLabel  *subsidy_label;
  GtkLabel  *charged_caption;
  GtkLabel  *charged_label;
  GtkWidget *balance_caption;
  GtkLabel  *balance_label;
  gboolean   visitor;
};

G_DEFINE_FINAL_TYPE (CanteenReceiptView, canteen_receipt_view, GTK_TYPE_BOX)

static void
canteen_receipt_view_class_init (CanteenReceiptViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "receipt-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, holder_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, visitor_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, visitor_mode_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, replayed_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, auto_return_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, print_button);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, print_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, print_detail_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, lines_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, total_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, subsidy_caption);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, subsidy_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, charged_caption);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, charged_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, balance_caption);
  gtk_widget_class_bind_template_child (widget_class, CanteenReceiptView, balance_label);
}

static void
canteen_receipt_view_init (CanteenReceiptView *self)
{
  g_autofree char *hint = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  hint = g_strdup_printf (ngettext ("This screen closes by itself in %d second.",
                                    "This screen closes by itself in %d seconds.",
                                    CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS),
                          CANTEEN_CHECKOUT_FLOW_RESULT_SECONDS);
  gtk_label_set_text (self->auto_return_label, hint);
}

GtkWidget *
canteen_receipt_view_new (void)
{
  return g_object_new (CANTEEN_TYPE_RECEIPT_VIEW, NULL);
}

static void
set_money (GtkLabel *label, gint64 fen)
{
  g_autofree char *text = canteen_fen_format (fen);
  gtk_label_set_text (label, text);
}

static GtkWidget *
make_line_row (const CanteenPricedLine *line)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (line->name);
  g_autofree char *amount_text = canteen_fen_format (line->amount_fen);
  GtkWidget *amount = gtk_label_new (amount_text);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_box_append (GTK_BOX (row), name);
  if (line->grams > 0)
    {
      /* Translators: a weight in grams on the tray, e.g. "250 g". */
      g_autofree char *grams_text = g_strdup_printf (_("%d g"), line->grams);
      GtkWidget *grams = gtk_label_new (grams_text);
      gtk_widget_add_css_class (grams, "dim-label");
      gtk_box_append (GTK_BOX (row), grams);
    }
  gtk_widget_add_css_class (amount, "numeric");
  gtk_box_append (GTK_BOX (row), amount);
  gtk_widget_add_css_class (row, "receipt-line");
  return row;
}

void
canteen_receipt_view_set_receipt (CanteenReceiptView *self, const CanteenReceipt *receipt)
{
  GtkWidget *child;

  g_return_if_fail (CANTEEN_IS_RECEIPT_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->lines_box))) != NULL)
    gtk_box_remove (self->lines_box, child);
  if (receipt == NULL)
    {
      gtk_label_set_text (self->holder_label, "");
      gtk_label_set_text (self->balance_label, "");
      return;
    }

  for (guint i = 0; i < receipt->lines->len; i++)
    gtk_box_append (self->lines_box, make_line_row (g_ptr_array_index (receipt->lines, i)));

  {
    /* Translators: under "Paid": the card holder's name and card number. */
    g_autofree char *holder = g_strdup_printf (_("%s · card %s"),
                                               receipt->holder != NULL ? receipt->holder : "",
                                               receipt->card != NULL ? receipt->card : "");
    gtk_label_set_text (self->holder_label, holder);
  }
  gtk_widget_set_visible (self->replayed_label, receipt->replayed);
  set_money (self->total_label, receipt->total_fen);
  set_money (self->subsidy_label, -receipt->subsidy_fen);
  gtk_widget_set_visible (self->subsidy_caption, receipt->subsidy_fen > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->subsidy_label), receipt->subsidy_fen > 0);
  set_money (self->charged_label, receipt->charged_fen);
  /* A visitor's account is the issuer's: this ledger knows no balance. */
  if (self->visitor)
    gtk_label_set_text (self->balance_label, "");
  else
    set_money (self->balance_label, receipt->balance_fen);
}

void
canteen_receipt_view_set_visitor (CanteenReceiptView *self, const CanteenVisitorPaid *visitor)
{
  g_return_if_fail (CANTEEN_IS_RECEIPT_VIEW (self));

  self->visitor = visitor != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->visitor_label), visitor != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->visitor_mode_label), visitor != NULL);
  gtk_widget_set_visible (self->balance_caption, visitor == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->balance_label), visitor == NULL);
  if (visitor == NULL)
    {
      gtk_label_set_text (self->visitor_label, "");
      gtk_label_set_text (self->visitor_mode_label, "");
      gtk_label_set_text (self->charged_caption, _("Charged to card"));
      return;
    }
  {
    /* Translators: a visiting official paid for the meal; %s is the name of
     * the agency that issued the card (and holds the account). */
    g_autofree char *text = g_strdup_printf (_("Paid as a visitor · %s"),
                                             visitor->issuer_name != NULL ? visitor->issuer_name
                                             : visitor->issuer != NULL ? visitor->issuer : "");
    gtk_label_set_text (self->visitor_label, text);
  }
  gtk_label_set_text (self->visitor_mode_label,
                      visitor->online
                      /* Translators: a visitor payment the clearing service approved just now. */
                      ? _("Authorised online by the clearing service.")
                      /* Translators: a visitor payment accepted without the clearing service. */
                      : _("Accepted offline; it is settled with the issuing agency later."));
  /* Translators: receipt: the amount of a visitor payment (visitor prices). */
  gtk_label_set_text (self->charged_caption, _("Paid at visitor prices"));
}

void
canteen_receipt_view_set_printer_present (CanteenReceiptView *self, gboolean present)
{
  g_return_if_fail (CANTEEN_IS_RECEIPT_VIEW (self));
  gtk_widget_set_visible (self->print_button, present);
}

static const char *
print_problem_text (CanteenKioskPrintProblem problem)
{
  switch (problem)
    {
    case CANTEEN_KIOSK_PRINT_PROBLEM_PAPER_OUT:
      return _("the printer is out of paper");
    case CANTEEN_KIOSK_PRINT_PROBLEM_COVER_OPEN:
      return _("the printer's cover is open");
    case CANTEEN_KIOSK_PRINT_PROBLEM_NONE:
    case CANTEEN_KIOSK_PRINT_PROBLEM_OTHER:
    default:
      return _("the printer reported a problem");
    }
}

void
canteen_receipt_view_set_print_state (CanteenReceiptView *self, CanteenKioskPrintState state,
                                      CanteenKioskPrintProblem problem, const char *error)
{
  g_autofree char *text = NULL;
  GtkWidget *label;

  g_return_if_fail (CANTEEN_IS_RECEIPT_VIEW (self));

  label = GTK_WIDGET (self->print_label);
  switch (state)
    {
    case CANTEEN_KIOSK_PRINT_PRINTING:
      text = g_strdup (_("Printing the receipt…"));
      break;
    case CANTEEN_KIOSK_PRINT_PRINTED:
      text = g_strdup (_("Receipt printed. Please take it from the printer."));
      break;
    case CANTEEN_KIOSK_PRINT_FAILED:
      /* Translators: %s says why, e.g. "the printer is out of paper". The
       * payment itself is done either way. */
      text = g_strdup_printf (_("Receipt not printed: %s. Your payment is complete; you may print again."),
                              print_problem_text (problem));
      break;
    case CANTEEN_KIOSK_PRINT_IDLE:
    default:
      break;
    }
  gtk_label_set_text (self->print_label, text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL);
  if (state == CANTEEN_KIOSK_PRINT_FAILED)
    gtk_widget_add_css_class (label, "print-error");
  else
    gtk_widget_remove_css_class (label, "print-error");
  /* The device's own words, small, for the staff the diner calls over. */
  gtk_label_set_text (self->print_detail_label, error != NULL ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->print_detail_label),
                          state == CANTEEN_KIOSK_PRINT_FAILED && error != NULL);
  /* The page stays up while a receipt prints or waits for a reprint (see
   * canteen_checkout_flow_hold_result), so the countdown would lie then. */
  gtk_widget_set_visible (GTK_WIDGET (self->auto_return_label),
                          state != CANTEEN_KIOSK_PRINT_PRINTING && state != CANTEEN_KIOSK_PRINT_FAILED);
}

const char *
canteen_receipt_view_get_print_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->print_label))
       ? gtk_label_get_text (self->print_label) : NULL;
}

const char *
canteen_receipt_view_get_print_detail_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->print_detail_label))
       ? gtk_label_get_text (self->print_detail_label) : NULL;
}

const char *
canteen_receipt_view_get_balance_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->balance_label)) ? gtk_label_get_text (self->balance_label) : NULL;
}

const char *
canteen_receipt_view_get_charged_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return gtk_label_get_text (self->charged_label);
}

const char *
canteen_receipt_view_get_visitor_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return self->visitor ? gtk_label_get_text (self->visitor_label) : NULL;
}

const char *
canteen_receipt_view_get_visitor_mode_text (CanteenReceiptView *self)
{
  g_return_val_if_fail (CANTEEN_IS_RECEIPT_VIEW (self), NULL);
  return self->visitor ? gtk_label_get_text (self->visitor_mode_label) : NULL;
}
