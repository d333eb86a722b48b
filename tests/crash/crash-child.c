/* crash-child — sells trays one after another and says which are committed.
 *
 * Usage: crash-child DB BATCH FIRST LAST
 * For i in FIRST..LAST it checks out tray i (id "BATCH-%06d"; every 7th is
 * voided right after) and, only once the ledger call has returned, prints
 * "committed ID CHARGED" and flushes. The parent kills it at random moments;
 * whatever it printed must be in the ledger exactly once. */
#include <stdio.h>
#include <stdlib.h>

#include "ledger.h"

int
main (int argc, char **argv)
{
  g_autoptr(CanteenLedger) ledger = NULL;
  GError *error = NULL;
  long first, last;

  if (argc != 5)
    return 1;
  first = strtol (argv[3], NULL, 10);
  last = strtol (argv[4], NULL, 10);
  ledger = canteen_ledger_open (argv[1], &error);
  if (ledger == NULL)
    {
      fprintf (stderr, "crash-child: %s\n", error->message);
      return 1;
    }
  for (long i = first; i <= last; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%06ld", argv[2], i);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      /* Small trays (rice, soup, a weighed dish): many batches of them
       * must fit in the test card's balance. */
      CanteenOrderLine lines[] = { { "D02", 0 }, { "D04", 0 }, { "D03", 10 + (gint) (i % 90) } };
      CanteenReceipt *r = canteen_ledger_checkout (ledger, id, "CRASH", lines, 1 + (guint) (i % 3), now, &error);

      if (r == NULL)
        {
          fprintf (stderr, "crash-child: %s: %s\n", id, error->message);
          return 1;
        }
      printf ("committed %s %" G_GINT64_FORMAT "\n", id, r->charged_fen);
      fflush (stdout);
      canteen_receipt_free (r);
      /* As the kiosk does once the receipt is shown. */
      if (!canteen_ledger_checkpoint (ledger, NULL, &error))
        {
          fprintf (stderr, "crash-child: checkpoint: %s\n", error->message);
          return 1;
        }
      if (i % 7 == 0)
        {
          CanteenCorrection c;
          if (!canteen_ledger_void (ledger, id, "crash test", "test", now, &c, &error))
            {
              fprintf (stderr, "crash-child: void %s: %s\n", id, error->message);
              return 1;
            }
          printf ("voided %s %" G_GINT64_FORMAT "\n", id, c.credited_fen);
          fflush (stdout);
          canteen_correction_clear (&c);
        }
    }
  return 0;
}
