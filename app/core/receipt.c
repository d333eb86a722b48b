#include "receipt.h"

#include <glib/gi18n.h>

#include "money.h"

CanteenReceipt *
canteen_receipt_new (void)
{
  CanteenReceipt *receipt = g_new0 (CanteenReceipt, 1);

  receipt->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) canteen_priced_line_free);
  return receipt;
}

void
canteen_receipt_free (CanteenReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->checkout_id);
  g_free (receipt->card);
  g_free (receipt->holder);
  g_free (receipt->agency);
  g_free (receipt->period);
  g_clear_pointer (&receipt->created, g_date_time_unref);
  g_free (receipt->canteen);
  g_free (receipt->terminal);
  g_free (receipt->issuer_name);
  g_ptr_array_unref (receipt->lines);
  g_free (receipt);
}

static void
append_amount_row (GString *out, const char *label, gint64 fen)
{
  g_autofree char *money = canteen_fen_format (fen);
  /* Pad by display columns, not bytes: a Chinese character takes two. */
  glong width = 0;

  for (const char *p = label; *p; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  g_string_append (out, label);
  for (glong i = width; i < 22; i++)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, "%10s\n", money);
}

char *
canteen_receipt_to_text (const CanteenReceipt *receipt, GTimeZone *tz)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (receipt->created, tz);
  g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");

  g_string_append_printf (out, "%s\n", receipt->canteen ? receipt->canteen : "");
  g_string_append_printf (out, _("Terminal %s   %s\n"), receipt->terminal ? receipt->terminal : "", when);
  g_string_append_printf (out, _("Checkout %s\n"), receipt->checkout_id);
  g_string_append (out, "--------------------------------\n");
  for (guint i = 0; i < receipt->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (receipt->lines, i);
      if (line->grams > 0)
        {
          g_autofree char *label = g_strdup_printf ("%s %dg", line->name, line->grams);
          append_amount_row (out, label, line->amount_fen);
        }
      else
        append_amount_row (out, line->name, line->amount_fen);
    }
  g_string_append (out, "--------------------------------\n");
  append_amount_row (out, _("Total"), receipt->total_fen);
  if (receipt->subsidy_fen > 0)
    append_amount_row (out, _("Meal subsidy"), -receipt->subsidy_fen);
  append_amount_row (out, _("Paid by card"), receipt->charged_fen);
  if (receipt->issuer_name == NULL)
    append_amount_row (out, _("Balance"), receipt->balance_fen);
  g_string_append_printf (out, _("Card %s  %s\n"), receipt->card, receipt->holder ? receipt->holder : "");
  if (receipt->issuer_name != NULL)
    {
      g_string_append_printf (out, _("Paid as a visitor · %s"), receipt->issuer_name);
      g_string_append_c (out, '\n');
      g_string_append (out, receipt->cleared_online ? _("Authorised online by the clearing service.")
                                                    : _("Accepted offline; it is settled with the issuing agency later."));
      g_string_append_c (out, '\n');
    }
  if (receipt->replayed)
    g_string_append (out, _("(Already paid earlier: nothing charged again)\n"));
  if (receipt->voided)
    g_string_append (out, _("(Voided)\n"));
  return g_string_free (out, FALSE);
}

JsonNode *
canteen_receipt_to_json (const CanteenReceipt *receipt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created = g_date_time_format_iso8601 (receipt->created);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "checkout_id");
  json_builder_add_string_value (b, receipt->checkout_id);
  json_builder_set_member_name (b, "card");
  json_builder_add_string_value (b, receipt->card);
  json_builder_set_member_name (b, "holder");
  json_builder_add_string_value (b, receipt->holder);
  json_builder_set_member_name (b, "payer");
  json_builder_add_string_value (b, canteen_payer_id (receipt->payer));
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, receipt->period);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < receipt->lines->len; i++)
    {
      const CanteenPricedLine *line = g_ptr_array_index (receipt->lines, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dish");
      json_builder_add_string_value (b, line->dish_id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, line->name);
      if (line->grams > 0)
        {
          json_builder_set_member_name (b, "grams");
          json_builder_add_int_value (b, line->grams);
        }
      json_builder_set_member_name (b, "amount_fen");
      json_builder_add_int_value (b, line->amount_fen);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total_fen");
  json_builder_add_int_value (b, receipt->total_fen);
  json_builder_set_member_name (b, "subsidy_fen");
  json_builder_add_int_value (b, receipt->subsidy_fen);
  json_builder_set_member_name (b, "charged_fen");
  json_builder_add_int_value (b, receipt->charged_fen);
  json_builder_set_member_name (b, "balance_fen");
  json_builder_add_int_value (b, receipt->balance_fen);
  json_builder_set_member_name (b, "journal_seq");
  json_builder_add_int_value (b, receipt->journal_seq);
  json_builder_set_member_name (b, "replayed");
  json_builder_add_boolean_value (b, receipt->replayed);
  json_builder_set_member_name (b, "voided");
  json_builder_add_boolean_value (b, receipt->voided);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
