/* What operators type as ids, names and card numbers, and how errors quote it. */
#include "canteen-error.h"
#include "validate.h"

static void
test_ids_and_keys (void)
{
  GError *error = NULL;
  const char *bad[] = { "", "D 01", "D01;", "红烧肉", "123456789012345678901234567890123", NULL };

  g_assert_true (canteen_check_id ("D01", "dish", NULL));
  g_assert_true (canteen_check_id ("ZJ-001_a", "agency", NULL));
  for (const char **b = bad; *b; b++)
    {
      g_assert_false (canteen_check_id (*b, "dish", &error));
      g_assert_true (g_str_has_prefix (error->message, "dish:"));
      g_clear_error (&error);
    }
  /* Idempotency keys have room for a UUID; ids do not need it. */
  g_assert_true (canteen_check_key ("6f1c2a34-0000-4000-8000-000000000001", "checkout", NULL));
  g_assert_false (canteen_check_id ("6f1c2a34-0000-4000-8000-000000000001", "dish", NULL));
}

static void
test_text (void)
{
  GError *error = NULL;

  g_assert_true (canteen_check_name ("市政府机关第一食堂", "canteen", NULL));
  g_assert_false (canteen_check_name ("a\nb", "name", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (canteen_check_name ("\xe7\xba", "name", &error));      /* half a character */
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (canteen_check_name ("  \t", "name", &error));
  g_clear_error (&error);
}

static void
test_card_normalize (void)
{
  GError *error = NULL;
  g_autofree char *card = canteen_card_normalize ("04a1b2c3", &error);

  g_assert_cmpstr (card, ==, "04A1B2C3");
  g_assert_null (canteen_card_normalize ("04-A1", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_excerpt (void)
{
  g_autofree char *short_text = canteen_text_excerpt ("红烧肉", 5);
  g_autofree char *cut = canteen_text_excerpt ("红烧肉米饭汤", 3);
  g_autofree char *controls = canteen_text_excerpt ("a\nb\tc\x7f", 10);
  g_autofree char *broken = canteen_text_excerpt ("ab\xe7\xba", 10);

  g_assert_cmpstr (short_text, ==, "红烧肉");
  g_assert_cmpstr (cut, ==, "红烧肉…");          /* cut between characters */
  g_assert_cmpstr (controls, ==, "a?b?c?");     /* one line, always */
  g_assert_true (g_utf8_validate (broken, -1, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/validate/ids-and-keys", test_ids_and_keys);
  g_test_add_func ("/validate/text", test_text);
  g_test_add_func ("/validate/card-normalize", test_card_normalize);
  g_test_add_func ("/validate/excerpt", test_excerpt);
  return g_test_run ();
}
