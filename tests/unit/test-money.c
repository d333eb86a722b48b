/* Amounts typed by operators: only whole, non-negative fen within limits. */
#include "canteen-error.h"
#include "money.h"

static void
test_parse_valid (void)
{
  gint64 fen = -1;
  GError *error = NULL;

  g_assert_true (canteen_fen_parse ("0", "amount", CANTEEN_FEN_MAX, &fen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fen, ==, 0);
  g_assert_true (canteen_fen_parse ("1250", "amount", CANTEEN_FEN_MAX, &fen, &error));
  g_assert_cmpint (fen, ==, 1250);
  g_assert_true (canteen_fen_parse ("100000000", "amount", CANTEEN_FEN_MAX, &fen, &error));
  g_assert_cmpint (fen, ==, CANTEEN_FEN_MAX);
}

static void
test_parse_refuses (void)
{
  const char *bad[] = { "", "-5", "12.5", "1e3", " 5", "+5", "5 ", "0x10", "100000001",
                        "99999999999999999999999", "十", NULL };

  for (const char **b = bad; *b; b++)
    {
      gint64 fen = 777;
      GError *error = NULL;
      g_assert_false (canteen_fen_parse (*b, "amount", CANTEEN_FEN_MAX, &fen, &error));
      g_assert_error (error, CANTEEN_INPUT_ERROR, error->code);
      /* The message names the field, so the operator knows what to fix. */
      g_assert_true (g_str_has_prefix (error->message, "amount:"));
      g_assert_cmpint (fen, ==, 777);
      g_clear_error (&error);
    }
}

static void
test_format (void)
{
  struct { gint64 fen; const char *text; } cases[] = {
    { 0, "¥0.00" }, { 5, "¥0.05" }, { 1250, "¥12.50" }, { -350, "-¥3.50" },
    { G_MAXINT64, "¥92233720368547758.07" }, { G_MININT64, "-¥92233720368547758.08" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = canteen_fen_format (cases[i].fen);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  {
    g_autofree char *plain = canteen_fen_format_plain (-1);
    g_assert_cmpstr (plain, ==, "-0.01");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/money/parse-valid", test_parse_valid);
  g_test_add_func ("/money/parse-refuses", test_parse_refuses);
  g_test_add_func ("/money/format", test_format);
  return g_test_run ();
}
