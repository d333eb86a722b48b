/* cli-sale.c — checkout, void, refund and receipts. */
#include <stdio.h>

#include "canteen-error.h"
#include "checkout-frame.h"
#include "cli.h"
#include "money.h"
#include "validate.h"
#include "visitor.h"

/* "D01" or "D09:350" (a weighed dish and its grams). The argument is cut
 * in place at the ':' so line->dish_id points into it. */
static gboolean
parse_dish_arg (char *arg, CanteenOrderLine *line, GError **error)
{
  char *colon = strchr (arg, ':');
  guint64 grams = 0;

  line->dish_id = arg;
  line->grams = 0;
  if (colon == NULL)
    return TRUE;
  *colon = '\0';
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, CANTEEN_LINE_MAX_GRAMS, &grams, NULL))
    {
      g_set_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                   _("dish: %s: the weight after ':' must be 1..%d grams (got “%s”)"),
                   arg, CANTEEN_LINE_MAX_GRAMS, colon + 1);
      return FALSE;
    }
  line->grams = (gint) grams;
  return TRUE;
}

static int
print_receipt (CliGlobal *g, CanteenLedger *ledger, const CanteenReceipt *receipt)
{
  if (g->json)
    cli_print_json (canteen_receipt_to_json (receipt));
  else
    {
      g_autofree char *text = canteen_receipt_to_text (receipt, canteen_ledger_get_timezone (ledger));
      fputs (text, stdout);
    }
  return CLI_OK;
}

static int
cmd_checkout (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *card = NULL, *id = NULL, *card_file = NULL, *image = NULL, *frame = NULL;
  g_auto(GStrv) dishes = NULL;
  gsize frame_len = 0;
  const GOptionEntry entries[] = {
    { "card", 0, 0, G_OPTION_ARG_STRING, &card, N_("Card that pays"), "CARD" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image,
      N_("The camera frame (JPEG) the tray was recognised from, kept with the checkout"), "IMG" },
    { "card-file", 0, 0, G_OPTION_ARG_FILENAME, &card_file,
      N_("A visiting official pays with this card file"), "FILE" },
    { "dish", 0, 0, G_OPTION_ARG_STRING_ARRAY, &dishes, N_("A dish on the tray (repeat; weighed: ID:GRAMS)"), "ID" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Checkout id (UUID); repeating it charges once"), "UUID" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenReceipt) receipt = NULL;
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (CanteenOrderLine));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GError *error = NULL;

  if (!cli_parse_options ("checkout", "", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc > 1)
    return cli_usage_error (_("checkout: unexpected argument “%s”"), argv[1]);
  if ((card == NULL && card_file == NULL) || dishes == NULL)
    return cli_usage_error (_("checkout: --card and at least one --dish are required"));
  if (card != NULL && card_file != NULL)
    return cli_usage_error (_("checkout: either --card (an account here) or --card-file (a visitor's card), not both"));
  for (char **d = dishes; *d; d++)
    {
      CanteenOrderLine line;
      if (!parse_dish_arg (*d, &line, &error))
        return cli_fail (error);
      g_array_append_val (lines, line);
    }
  if (id == NULL)
    id = g_uuid_string_random ();
  /* Read before the charge: a frame that cannot be kept charges nothing. */
  if (image != NULL)
    {
      if (card_file != NULL)
        return cli_usage_error (_("checkout: --image is kept with a checkout by --card"));
      if (!g_file_get_contents (image, &frame, &frame_len, &error))
        return cli_fail (error);
      if (frame_len < 4 || (guchar) frame[0] != 0xFF || (guchar) frame[1] != 0xD8)
        return cli_usage_error (_("checkout: %s is not a JPEG frame"), image);
    }
  if (card_file != NULL)
    return cli_visitor_checkout (g, card_file, id, (CanteenOrderLine *) (void *) lines->data, lines->len);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return cli_fail (error);
  receipt = canteen_ledger_checkout (ledger, id, card, (CanteenOrderLine *) (void *) lines->data,
                                     lines->len, now, &error);
  if (receipt == NULL)
    return cli_fail (error);
  if (print_receipt (g, ledger, receipt) != CLI_OK)
    return CLI_FAILED;
  if (frame != NULL)
    {
      g_autoptr(GBytes) jpeg = g_bytes_new_take (g_steal_pointer (&frame), frame_len);
      CanteenVision *vision = canteen_vision_new ();
      gboolean kept;

      /* The payment stands whatever happens here (ledger.h). The frame's
       * tray tag, if it shows one, is kept too (checkout-frame.h). */
      if (vision == NULL)
        g_set_error_literal (&error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID,
                             _("the vision module could not start"));
      kept = vision != NULL && canteen_checkout_frame_keep (ledger, vision, receipt->checkout_id, jpeg, NULL, &error);
      if (vision != NULL)
        canteen_vision_free (vision);
      if (!kept)
        {
          cli_message (_("checkout %s is paid; its frame was not kept: %s"), receipt->checkout_id,
                       error->message);
          g_clear_error (&error);
          return CLI_FAILED;
        }
    }
  return CLI_OK;
}

static int
cmd_receipt (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(CanteenReceipt) receipt = NULL;
  GError *error = NULL;

  if (!cli_parse_options ("receipt", "CHECKOUT_ID", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("receipt: name one checkout id"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL)
    return cli_fail (error);
  receipt = canteen_ledger_get_checkout (ledger, argv[1], &error);
  if (receipt == NULL && g_error_matches (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND))
    {
      /* Not a sale to an account here: perhaps a visiting official's. */
      g_autoptr(CanteenVisitorReceipt) visitor = canteen_visitor_get_checkout (ledger, argv[1], NULL);
      if (visitor != NULL)
        {
          g_clear_error (&error);
          if (g->json)
            cli_print_json (canteen_visitor_receipt_to_json (visitor));
          else
            {
              g_autofree char *text = canteen_visitor_receipt_to_text (visitor, canteen_ledger_get_timezone (ledger));
              fputs (text, stdout);
            }
          return CLI_OK;
        }
    }
  if (receipt == NULL)
    return cli_fail (error);
  return print_receipt (g, ledger, receipt);
}

static int
print_correction (CliGlobal *g, gboolean voided, const CanteenCorrection *c)
{
  if (g->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "checkout_id");
      json_builder_add_string_value (b, c->checkout_id);
      json_builder_set_member_name (b, "card");
      json_builder_add_string_value (b, c->card);
      json_builder_set_member_name (b, "credited_fen");
      json_builder_add_int_value (b, c->credited_fen);
      json_builder_set_member_name (b, "balance_fen");
      json_builder_add_int_value (b, c->balance_fen);
      json_builder_set_member_name (b, "journal_seq");
      json_builder_add_int_value (b, c->journal_seq);
      json_builder_set_member_name (b, "replayed");
      json_builder_add_boolean_value (b, c->replayed);
      json_builder_end_object (b);
      cli_print_json (json_builder_get_root (b));
    }
  else
    {
      g_autofree char *credited = canteen_fen_format (c->credited_fen);
      g_autofree char *balance = canteen_fen_format (c->balance_fen);
      /* Translators: shown after a checkout id when the same void or
       * refund id was given before. */
      const char *replayed = c->replayed ? _(" (already done earlier, nothing changed)") : "";
      /* Translators: checkout id, the note above or nothing, the amount
       * given back, the card, its balance now. */
      printf (voided ? _("Voided %s%s: %s back to card %s, balance %s\n")
                     : _("Refunded %s%s: %s back to card %s, balance %s\n"),
              c->checkout_id, replayed, credited, c->card, balance);
    }
  return CLI_OK;
}

static int
cmd_void (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *reason = NULL, *by = NULL, *manager = NULL, *authority = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (kept in the journal)"), "TEXT" },
    { "manager", 0, 0, G_OPTION_ARG_STRING, &manager, N_("Manager who authorises it (PIN on stdin)"), "ID" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who authorised it, when not a --manager"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenCorrection c;
  GError *error = NULL;
  int rc;

  if (!cli_parse_options ("void", "CHECKOUT_ID", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("void: name one checkout id"));
  if (reason == NULL)
    return cli_usage_error (_("void: --reason is required"));
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (authority = cli_authority (ledger, manager, by, &error)) == NULL ||
      !canteen_ledger_void (ledger, argv[1], reason, authority, now, &c, &error))
    return cli_fail (error);
  rc = print_correction (g, TRUE, &c);
  canteen_correction_clear (&c);
  return rc;
}

static int
cmd_refund (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *reason = NULL, *by = NULL, *amount = NULL, *id = NULL, *manager = NULL, *authority = NULL;
  const GOptionEntry entries[] = {
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount, N_("How much to give back"), "FEN" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (kept in the journal)"), "TEXT" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("Refund id: repeating it refunds once"), "ID" },
    { "manager", 0, 0, G_OPTION_ARG_STRING, &manager, N_("Manager who authorises it (PIN on stdin)"), "ID" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who authorised it, when not a --manager"), "NAME" },
    { NULL }
  };
  g_autoptr(CanteenLedger) ledger = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CanteenCorrection c;
  gint64 amount_fen = 0;
  GError *error = NULL;
  int rc;

  if (!cli_parse_options ("refund", "CHECKOUT_ID", entries, &argc, &argv))
    return CLI_FAILED;
  if (argc != 2)
    return cli_usage_error (_("refund: name one checkout id"));
  if (reason == NULL || amount == NULL)
    return cli_usage_error (_("refund: --amount and --reason are required"));
  if (!canteen_fen_parse (amount, "amount", CANTEEN_FEN_MAX, &amount_fen, &error))
    return cli_fail (error);
  ledger = cli_open_ledger (g, &error);
  if (ledger == NULL || (authority = cli_authority (ledger, manager, by, &error)) == NULL ||
      !canteen_ledger_refund (ledger, argv[1], id, amount_fen, reason, authority, now, &c, &error))
    return cli_fail (error);
  rc = print_correction (g, FALSE, &c);
  canteen_correction_clear (&c);
  return rc;
}

const CliCommand cli_sale_commands[] = {
  { "checkout", N_("Sell a tray to a card (exactly once per --id)"), cmd_checkout },
  { "receipt", N_("Show the receipt of a checkout"), cmd_receipt },
  { "void", N_("Reverse a whole checkout (manager)"), cmd_void },
  { "refund", N_("Give back part of a checkout (manager)"), cmd_refund },
  { NULL }
};
