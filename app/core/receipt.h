/* receipt.h — what a committed checkout looks like to the diner.
 *
 * Contract: a CanteenReceipt is only ever made from a durably committed
 * ledger transaction (or the replay of one), so anything that shows it may
 * say "paid". `replayed` is TRUE when the checkout id had been committed
 * before: the receipt is the original and nothing was charged this time.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pricing.h"

G_BEGIN_DECLS

typedef struct {
  char      *checkout_id;    /* client-made UUID */
  char      *card;
  char      *holder;
  char      *agency;
  CanteenPayer payer;
  char      *period;         /* meal period id, "none" off-hours */
  GDateTime *created;        /* UTC */
  char      *canteen;
  char      *terminal;
  GPtrArray *lines;          /* CanteenPricedLine */
  gint64     total_fen;
  gint64     subsidy_fen;
  gint64     charged_fen;
  gint64     balance_fen;    /* after this checkout */
  gint64     journal_seq;
  gint       shift_no;
  gboolean   replayed;
  gboolean   voided;         /* a void entry exists for it (when looked up later) */
  /* A visiting official's meal paid with their home agency's card: the
   * issuing agency's name, which holds the account and is billed through
   * the clearing service (then balance_fen means nothing here and is not
   * shown); NULL for a card of this ledger. */
  char      *issuer_name;
  gboolean   cleared_online; /* issuer_name set: authorised online, else accepted offline */
} CanteenReceipt;

CanteenReceipt *canteen_receipt_new  (void);
void            canteen_receipt_free (CanteenReceipt *receipt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CanteenReceipt, canteen_receipt_free)

/* Plain text for a terminal or a receipt printer, times shown in `tz`. A
 * visitor's receipt says who pays and how it was accepted instead of a
 * balance, so it serves as the official's proof of payment. */
char     *canteen_receipt_to_text (const CanteenReceipt *receipt, GTimeZone *tz);
JsonNode *canteen_receipt_to_json (const CanteenReceipt *receipt);

G_END_DECLS
