/* tap-page.c — template widget for the card-tap page. */
#include "tap-page.h"

#include <glib/gi18n.h>

#include "ledger.h"
#include "money.h"
#include "ui-resources.h"

struct _CanteenTapPage
{
  GtkBox      parent_instance;
  GtkLabel   *amount_label;
  GtkWidget  *hint_label;
  GtkLabel   *message_label;
  GtkWidget  *busy_box;
  GtkSpinner *spinner;
  GtkWidget  *cancel_button;
  GtkWidget  *demo_box;
  GtkLabel   *demo_title;
  GtkFlowBox *demo_cards;
  gboolean    unreadable;
  gboolean    reader_gone;
  char       *visitor_path;    /* the demo's visiting official's card file */
  char       *visitor_label;
};

G_DEFINE_FINAL_TYPE (CanteenTapPage, canteen_tap_page, GTK_TYPE_BOX)

static void
canteen_tap_page_finalize (GObject *object)
{
  CanteenTapPage *self = CANTEEN_TAP_PAGE (object);

  g_free (self->visitor_path);
  g_free (self->visitor_label);
  G_OBJECT_CLASS (canteen_tap_page_parent_class)->finalize (object);
}

static void
canteen_tap_page_class_init (CanteenTapPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = canteen_tap_page_finalize;

  canteen_ui_resources_ensure ();
  gtk_widget_class_set_template_from_resource (widget_class, CANTEEN_UI_RESOURCE_PATH "tap-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, amount_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, busy_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, demo_box);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, demo_title);
  gtk_widget_class_bind_template_child (widget_class, CanteenTapPage, demo_cards);
}

static void
canteen_tap_page_init (CanteenTapPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  canteen_tap_page_set_amount (self, 0);
  canteen_tap_page_set_demo_emulated (self, FALSE);
}

void
canteen_tap_page_set_amount (CanteenTapPage *self, gint64 due_fen)
{
  g_autofree char *money = canteen_fen_format (due_fen);

  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));
  gtk_label_set_text (self->amount_label, money);
}

void
canteen_tap_page_set_subsidy_applies (CanteenTapPage *self, gboolean applies)
{
  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));

  /* Promising a subsidy outside the meal times would mislead the diner. */
  gtk_widget_set_visible (self->hint_label, applies);
}

void
canteen_tap_page_set_busy (CanteenTapPage *self, gboolean busy)
{
  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));

  gtk_widget_set_visible (self->busy_box, busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* The commit cannot be stopped half-way; offering Cancel would lie. */
  gtk_widget_set_visible (self->cancel_button, !busy);
  gtk_widget_set_sensitive (self->demo_box, !busy);
}

static void
canteen_tap_page_update_message (CanteenTapPage *self)
{
  const char *text = NULL;

  /* A reader that is not there cannot be tapped again: that comes first. */
  if (self->reader_gone)
    text = _("The card reader is disconnected. Please call the canteen staff.");
  else if (self->unreadable)
    text = _("Card could not be read, please tap again");
  gtk_label_set_text (self->message_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
}

void
canteen_tap_page_set_unreadable (CanteenTapPage *self, gboolean unreadable)
{
  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));
  self->unreadable = unreadable;
  canteen_tap_page_update_message (self);
}

void
canteen_tap_page_set_reader_gone (CanteenTapPage *self, gboolean gone)
{
  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));
  self->reader_gone = gone;
  canteen_tap_page_update_message (self);
}

const char *
canteen_tap_page_get_message_text (CanteenTapPage *self)
{
  g_return_val_if_fail (CANTEEN_IS_TAP_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label))
       ? gtk_label_get_text (self->message_label) : NULL;
}

void
canteen_tap_page_set_demo_emulated (CanteenTapPage *self, gboolean emulated)
{
  const char *title;

  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));

  if (emulated)
    /* Translators: heading over the demo card buttons with --emulate-devices. */
    title = _("Demo: tap a card below on the emulated card reader");
  else
    /* Translators: heading over the card buttons shown in demo mode. */
    title = _("Demo: tap a card below");
  gtk_label_set_text (self->demo_title, title);
}

static GtkWidget *
make_demo_card_button (const CanteenAccount *account)
{
  g_autofree char *balance = canteen_fen_format (account->balance_fen);
  g_autofree char *text = NULL;
  GtkWidget *button = gtk_button_new ();
  GtkWidget *label = gtk_label_new (NULL);
  const char *status = NULL;

  switch (account->status)
    {
    case CANTEEN_ACCOUNT_LOST:   status = _("lost"); break;
    case CANTEEN_ACCOUNT_CLOSED: status = _("closed"); break;
    case CANTEEN_ACCOUNT_ACTIVE:
    default:                     break;
    }
  if (status != NULL)
    text = g_strdup_printf ("%s\n%s · %s", account->holder, account->card, status);
  else
    text = g_strdup_printf ("%s\n%s · %s", account->holder, account->card, balance);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_widget_add_css_class (button, "demo-card");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.demo-tap");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", account->card);
  return button;
}

void
canteen_tap_page_set_demo_accounts (CanteenTapPage *self, GPtrArray *accounts)
{
  GtkWidget *child;

  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->demo_cards))) != NULL)
    gtk_flow_box_remove (self->demo_cards, child);
  gtk_widget_set_visible (self->demo_box, accounts != NULL);
  if (accounts == NULL)
    return;
  /* A demo ledger holds a handful of cards; a real one is never listed. */
  for (guint i = 0; i < accounts->len && i < 24; i++)
    gtk_flow_box_append (self->demo_cards, make_demo_card_button (g_ptr_array_index (accounts, i)));
  if (self->visitor_path != NULL)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *label = gtk_label_new (NULL);
      /* Translators: demo button: pay as a visiting official; %s is the holder and the card's agency. */
      g_autofree char *text = g_strdup_printf (_("Visiting official: %s"), self->visitor_label);

      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "demo-card");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.visitor-tap");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", self->visitor_path);
      gtk_flow_box_append (self->demo_cards, button);
    }
}

void
canteen_tap_page_set_demo_visitor (CanteenTapPage *self, const char *path, const char *label)
{
  g_return_if_fail (CANTEEN_IS_TAP_PAGE (self));

  g_free (self->visitor_path);
  g_free (self->visitor_label);
  self->visitor_path = g_strdup (path);
  self->visitor_label = g_strdup (label != NULL ? label : path);
}
