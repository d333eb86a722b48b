/* Food waste and portions: returned trays are matched only to their own
 * checkout, bad weights change nothing, and the evaluation's figures are
 * the hand-computed ones. Dates are fixed (November 2026, Asia/Shanghai). */
#include <glib/gstdio.h>

#include "canteen-error.h"
#include "test-util.h"
#include "waste.h"
#include "waste-pdf.h"

typedef struct {
  char          *dir;
  char          *path;
  CanteenLedger *ledger;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  GError *error = NULL;

  f->dir = test_tmpdir ();
  f->ledger = test_ledger_new (f->dir, &f->path);
  for (int i = 1; i <= 9; i++)
    {
      g_autofree char *card = g_strdup_printf ("A%d", i);
      canteen_ledger_add_account (f->ledger, card, "测试", TEST_AGENCY, 100000, 0, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  canteen_ledger_close (f->ledger);
  test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* "2026-11-23" hh:mm in Asia/Shanghai, as UTC. */
static GDateTime *
at (const char *day, int hour, int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  int y, m, d;
  g_autoptr(GDateTime) local = NULL;

  g_assert_cmpint (sscanf (day, "%d-%d-%d", &y, &m, &d), ==, 3);
  local = g_date_time_new (tz, y, m, d, hour, minute, 0);
  return g_date_time_to_utc (local);
}

/* A checkout of the dishes in `dishes` ("D01 D02"). */
static void
sell (Fixture *f, const char *id, const char *card, const char *dishes, const char *day, int hour, int minute)
{
  g_auto(GStrv) ids = g_strsplit (dishes, " ", -1);
  g_autoptr(GDateTime) when = at (day, hour, minute);
  CanteenOrderLine lines[8];
  guint n = 0;
  GError *error = NULL;
  CanteenReceipt *r;

  for (; ids[n]; n++)
    {
      lines[n].dish_id = ids[n];
      lines[n].grams = g_str_equal (ids[n], "D03") ? 150 : 0;
    }
  r = canteen_ledger_checkout (f->ledger, id, card, lines, n, when, &error);
  g_assert_no_error (error);
  canteen_receipt_free (r);
}

/* A return; `leftovers` like "D01=0.5 D02=0" or NULL. */
static CanteenTrayReturn *
give_back (Fixture *f, const char *id, const char *checkout, const char *card, gint weight, gint tare,
           const char *leftovers, const char *day, int hour, int minute, GError **error)
{
  g_auto(GStrv) parts = leftovers ? g_strsplit (leftovers, " ", -1) : g_new0 (char *, 1);
  g_autoptr(GDateTime) when = at (day, hour, minute);
  CanteenLeftoverInput in[8];
  CanteenTrayReturnRequest q = { id, checkout, card, weight, tare, NULL, in, 0 };

  for (; parts[q.n_leftovers]; q.n_leftovers++)
    {
      char *eq = strchr (parts[q.n_leftovers], '=');
      *eq = '\0';
      in[q.n_leftovers] = (CanteenLeftoverInput) { parts[q.n_leftovers], g_ascii_strtod (eq + 1, NULL), 0.0 };
    }
  return canteen_waste_record_return (f->ledger, &q, when, error);
}

#define RET_OK(r) G_STMT_START { g_assert_no_error (error); g_assert_nonnull (r); } G_STMT_END

static void
test_matching (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  CanteenTrayReturn *r;
  g_autofree char *before = NULL;

  sell (f, "C1", "STAFF1", "D01 D02", "2026-11-23", 12, 0);
  sell (f, "C2", "A1", "D01", "2026-11-23", 11, 40);
  sell (f, "C3", "A1", "D02", "2026-11-23", 12, 10);
  sell (f, "C4", "A2", "D04", "2026-11-23", 12, 5);

  /* By the tray's tag. */
  r = give_back (f, "R1", "C1", NULL, 350, 250, NULL, "2026-11-23", 12, 30, &error);
  RET_OK (r);
  g_assert_cmpstr (r->checkout_id, ==, "C1");
  g_assert_cmpstr (r->card, ==, "STAFF1");
  g_assert_cmpint (r->match, ==, CANTEEN_TRAY_MATCH_CHECKOUT);
  g_assert_cmpint (r->leftover_g, ==, 100);
  g_assert_cmpint (r->served_g, ==, 400);
  g_assert_false (r->clean_plate);
  g_assert_cmpint (r->period, ==, CANTEEN_MEAL_LUNCH);
  canteen_tray_return_free (r);

  /* The same checkout again, by tag or by the card's tap: CONFLICT, nothing written. */
  before = test_db_dump (f->path);
  r = give_back (f, "R1b", "C1", NULL, 300, 250, NULL, "2026-11-23", 12, 31, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  r = give_back (f, "R1c", NULL, "staff1", 300, 250, NULL, "2026-11-23", 12, 32, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  /* A tag of A1's checkout with STAFF1's card: attached to neither. */
  r = give_back (f, "R1d", "C2", "STAFF1", 300, 250, NULL, "2026-11-23", 12, 33, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }

  /* By card: A1 has two lunch checkouts, the most recent is taken. */
  r = give_back (f, "R2", NULL, "a1", 260, 250, NULL, "2026-11-23", 12, 40, &error);
  RET_OK (r);
  g_assert_cmpstr (r->checkout_id, ==, "C3");
  g_assert_cmpint (r->match, ==, CANTEEN_TRAY_MATCH_CARD_LATEST);
  g_assert_cmpint (r->served_g, ==, 200);
  g_assert_true (r->clean_plate);   /* 10 g of 200 g = 5 % */
  canteen_tray_return_free (r);

  /* A2's only lunch checkout, returned after the counter closed (13:45). */
  r = give_back (f, "R3", NULL, "A2", 250, 250, NULL, "2026-11-23", 13, 45, &error);
  RET_OK (r);
  g_assert_cmpstr (r->checkout_id, ==, "C4");
  g_assert_cmpint (r->match, ==, CANTEEN_TRAY_MATCH_CARD);
  g_assert_cmpint (r->period, ==, CANTEEN_MEAL_LUNCH);
  canteen_tray_return_free (r);

  /* No checkout for the card in this meal, an unknown tag, nothing at all:
   * kept as unmatched, attached to no checkout. */
  r = give_back (f, "R4", NULL, "A3", 300, 250, NULL, "2026-11-23", 12, 50, &error);
  RET_OK (r);
  g_assert_null (r->checkout_id);
  g_assert_cmpint (r->match, ==, CANTEEN_TRAY_MATCH_UNMATCHED);
  g_assert_cmpint (r->served_g, ==, -1);
  g_assert_false (r->clean_plate);
  canteen_tray_return_free (r);
  r = give_back (f, "R5", "NO-SUCH-CHECKOUT", NULL, 300, 250, NULL, "2026-11-23", 12, 51, &error);
  RET_OK (r);
  g_assert_null (r->checkout_id);
  g_assert_cmpint (r->match, ==, CANTEEN_TRAY_MATCH_UNMATCHED);
  canteen_tray_return_free (r);
  /* A1's lunch at dinner time: not the same meal, so unmatched. */
  r = give_back (f, "R6", NULL, "A1", 300, 250, NULL, "2026-11-23", 18, 0, &error);
  RET_OK (r);
  g_assert_null (r->checkout_id);
  g_assert_cmpint (r->period, ==, CANTEEN_MEAL_DINNER);
  canteen_tray_return_free (r);

  /* A voided checkout is no meal: its card's tray is unmatched. */
  {
    CanteenCorrection c;
    g_autoptr(GDateTime) when = at ("2026-11-23", 12, 20);
    sell (f, "C5", "A5", "D01", "2026-11-23", 12, 15);
    g_assert_true (canteen_ledger_void (f->ledger, "C5", "wrong tray", "manager:test", when, &c, &error));
    g_assert_no_error (error);
    canteen_correction_clear (&c);
    r = give_back (f, "R7", NULL, "A5", 300, 250, NULL, "2026-11-23", 12, 55, &error);
    RET_OK (r);
    g_assert_null (r->checkout_id);
    canteen_tray_return_free (r);
  }

  /* Replaying a return id: the stored record, nothing new; another request under it: CONFLICT. */
  g_free (before);
  before = test_db_dump (f->path);
  r = give_back (f, "R2", NULL, "A1", 260, 250, NULL, "2026-11-23", 12, 59, &error);
  RET_OK (r);
  g_assert_true (r->replayed);
  g_assert_cmpstr (r->checkout_id, ==, "C3");
  canteen_tray_return_free (r);
  r = give_back (f, "R2", NULL, "A1", 270, 250, NULL, "2026-11-23", 12, 59, &error);
  g_assert_null (r);
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
}

static void
test_bad_weights_change_nothing (Fixture *f, gconstpointer data)
{
  struct { const char *checkout; gint weight, tare; const char *leftovers; GQuark domain; gint code; } bad[] = {
    { "C1", -5, 0, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { "C1", 300, -1, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { "C1", 5001, 0, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { NULL, 9000, 250, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { "C1", 200, 250, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    /* 450 g left of a 200 g bowl of rice. */
    { "C1", 700, 250, NULL, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { "C1", 300, 250, "D02=1.5", CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE },
    { "C1", 300, 250, "D01=0.5", CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID },
    { "C1", 300, 250, "D02=0.5 D02=0.5", CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_DUPLICATE },
    { NULL, 300, 250, "D99=0.5", CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_UNKNOWN_DISH },
  };
  g_autofree char *before = NULL;

  sell (f, "C1", "STAFF1", "D02", "2026-11-23", 12, 0);
  before = test_db_dump (f->path);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      CanteenTrayReturn *r = give_back (f, NULL, bad[i].checkout, NULL, bad[i].weight, bad[i].tare, bad[i].leftovers,
                                        "2026-11-23", 12, 30, &error);
      g_test_message ("case %u: %s", i, error ? error->message : "(accepted)");
      g_assert_null (r);
      g_assert_error (error, bad[i].domain, bad[i].code);
      g_clear_error (&error);
    }
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
}

static void
test_split_leftovers (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  CanteenTrayReturn *r;
  const CanteenDishLeftover *d;

  sell (f, "C1", "STAFF1", "D01 D02 D04", "2026-11-23", 12, 0);
  sell (f, "C2", "A1", "D01 D02", "2026-11-23", 12, 0);
  /* 120 g weighed; D01 half left of 200 g (weight 100), D02 a quarter of 200 g (50), D04 nothing. */
  r = give_back (f, "R1", "C1", NULL, 370, 250, "D01=0.5 D02=0.25 D04=0", "2026-11-23", 12, 30, &error);
  RET_OK (r);
  g_assert_cmpint (r->served_g, ==, 650);
  g_assert_cmpuint (r->dishes->len, ==, 3);
  d = g_ptr_array_index (r->dishes, 0);
  g_assert_cmpstr (d->dish_id, ==, "D01");
  g_assert_cmpint (d->leftover_g, ==, 80);
  g_assert_cmpint (d->served_g, ==, 200);
  d = g_ptr_array_index (r->dishes, 1);
  g_assert_cmpint (d->leftover_g, ==, 40);
  d = g_ptr_array_index (r->dishes, 2);
  g_assert_cmpint (d->leftover_g, ==, 0);
  canteen_tray_return_free (r);

  /* 101 g: 67.33 / 33.67 → whole grams that still add up: 67 + 34. */
  r = give_back (f, "R2", "C2", NULL, 351, 250, "D01=0.5 D02=0.25", "2026-11-23", 12, 31, &error);
  RET_OK (r);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 0))->leftover_g, ==, 67);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 1))->leftover_g, ==, 34);
  canteen_tray_return_free (r);

  /* 500 g weighed, only D01 (200 g served) and D02 (200 g) named, D02
   * mostly left: no dish is given more than it was served; the 100 g
   * beyond (D04's soup nobody named) stays on the tray, attributed to no
   * dish, and still counts in the tray's total. */
  sell (f, "C3", "A2", "D01 D02 D04", "2026-11-23", 12, 0);
  r = give_back (f, "R3", "C3", NULL, 750, 250, "D01=0.9 D02=0.9", "2026-11-23", 12, 32, &error);
  RET_OK (r);
  g_assert_cmpint (r->leftover_g, ==, 500);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 0))->leftover_g, ==, 200);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 1))->leftover_g, ==, 200);
  canteen_tray_return_free (r);
  /* One dish capped, the other takes the rest: 0.9 × 200 vs 0.1 × 200 of 230 g. */
  sell (f, "C4", "A3", "D01 D02", "2026-11-23", 12, 0);
  r = give_back (f, "R4", "C4", NULL, 480, 250, "D01=0.9 D02=0.1", "2026-11-23", 12, 33, &error);
  RET_OK (r);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 0))->leftover_g, ==, 200);
  g_assert_cmpint (((CanteenDishLeftover *) g_ptr_array_index (r->dishes, 1))->leftover_g, ==, 30);
  canteen_tray_return_free (r);
}

/* ---- the evaluation's figures ------------------------------------------ */

static void
kitchen (Fixture *f, const char *day, gint64 purchased, gint64 waste, gint planned)
{
  g_autoptr(GDateTime) now = at (day, 20, 0);
  GError *error = NULL;

  g_assert_true (canteen_waste_record_kitchen (f->ledger, day, purchased, waste, planned, now, &error));
  g_assert_no_error (error);
}

static void
returned (Fixture *f, const char *id, const char *checkout, const char *card, gint leftover, const char *fractions,
          const char *day, int hour, int minute)
{
  GError *error = NULL;
  CanteenTrayReturn *r = give_back (f, id, checkout, card, 250 + leftover, 250, fractions, day, hour, minute, &error);

  RET_OK (r);
  canteen_tray_return_free (r);
}

/* One hand-made day (2026-11-23) and the day before. */
static void
make_small_days (Fixture *f)
{
  sell (f, "K1", "STAFF1", "D01 D02", "2026-11-23", 12, 0);
  sell (f, "K2", "A1", "D01 D02", "2026-11-23", 12, 1);
  sell (f, "K3", "A2", "D04", "2026-11-23", 12, 2);
  sell (f, "K4", "A3", "D01", "2026-11-23", 12, 3);
  sell (f, "K5", "A4", "D02", "2026-11-23", 18, 0);
  returned (f, "R1", "K1", NULL, 0, "D01=0 D02=0", "2026-11-23", 12, 30);          /* clean */
  returned (f, "R2", "K2", NULL, 100, "D01=0.5 D02=0", "2026-11-23", 12, 31);
  returned (f, "R3", "K3", NULL, 10, "D04=0.04", "2026-11-23", 12, 32);            /* 10 of 250: clean */
  returned (f, "R4", NULL, "A9", 50, NULL, "2026-11-23", 12, 33);                  /* unmatched */
  returned (f, "R5", "K5", NULL, 40, "D02=0.2", "2026-11-23", 18, 30);
  kitchen (f, "2026-11-23", 1, 1, 1);              /* corrected below: the newest row counts */
  kitchen (f, "2026-11-23", 50000, 3000, 6);

  sell (f, "K6", "STAFF1", "D01", "2026-11-22", 12, 0);
  sell (f, "K7", "A1", "D02", "2026-11-22", 12, 0);
  returned (f, "R6", "K6", NULL, 50, "D01=0.25", "2026-11-22", 12, 30);
  returned (f, "R7", "K7", NULL, 10, NULL, "2026-11-22", 12, 30);                  /* clean */
  kitchen (f, "2026-11-22", 40000, 2000, 3);
}

static JsonObject *
indicator (JsonObject *report, const char *key)
{
  return json_object_get_object_member (json_object_get_object_member (report, "indicators"), key);
}

static gdouble
number (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  g_assert_nonnull (n);
  g_assert_false (JSON_NODE_HOLDS_NULL (n));
  return json_node_get_value_type (n) == G_TYPE_INT64 ? (gdouble) json_node_get_int (n) : json_node_get_double (n);
}

static void
test_indicators (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o, *dish;
  JsonArray *top, *cats, *meals;
  GError *error = NULL;

  make_small_days (f);
  node = canteen_waste_report (f->ledger, "2026-11-23", "2026-11-23", &error);
  g_assert_no_error (error);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "previous_from"), ==, "2026-11-22");
  g_assert_cmpstr (json_object_get_string_member (o, "previous_to"), ==, "2026-11-22");
  g_assert_cmpint (json_object_get_int_member (o, "days"), ==, 1);

  /* 5 meals served; 5 trays back (one unmatched) holding 0+100+10+50+40 = 200 g. */
  g_assert_cmpfloat (number (indicator (o, "diners"), "value"), ==, 5);
  g_assert_cmpfloat (number (indicator (o, "returns"), "value"), ==, 5);
  g_assert_cmpfloat (number (indicator (o, "unmatched_returns"), "value"), ==, 1);
  g_assert_cmpfloat (number (indicator (o, "leftover_g"), "value"), ==, 200);
  g_assert_cmpfloat (number (indicator (o, "waste_g_per_meal"), "value"), ==, 40.0);
  /* Clean plates: K1 and K3 of the 4 matched trays. */
  g_assert_cmpfloat (number (indicator (o, "clean_plate_rate"), "value"), ==, 0.5);
  /* Matched leftovers 150 g of 400 + 400 + 250 + 200 = 1250 g served. */
  g_assert_cmpfloat (number (indicator (o, "leftover_rate"), "value"), ==, 0.12);
  g_assert_cmpfloat (number (indicator (o, "return_rate"), "value"), ==, 0.8);
  g_assert_cmpfloat (number (indicator (o, "diners_planned"), "value"), ==, 6);
  g_assert_cmpfloat (number (indicator (o, "food_purchased_g"), "value"), ==, 50000);
  g_assert_cmpfloat (number (indicator (o, "kitchen_waste_g"), "value"), ==, 3000);

  /* The day before: 60 g on 2 trays = 30 g per meal; +33.3 %. */
  g_assert_cmpfloat (number (indicator (o, "waste_g_per_meal"), "previous"), ==, 30.0);
  g_assert_cmpfloat (number (indicator (o, "waste_g_per_meal"), "change_pct"), ==, 33.3);
  g_assert_cmpfloat (number (indicator (o, "clean_plate_rate"), "previous"), ==, 0.5);
  g_assert_cmpfloat (number (indicator (o, "clean_plate_rate"), "change_pct"), ==, 0);
  g_assert_cmpfloat (number (indicator (o, "diners"), "change_pct"), ==, 150);
  g_assert_cmpfloat (number (indicator (o, "kitchen_waste_g"), "change_pct"), ==, 50);

  /* By meal: lunch 4 diners, 4 trays (1 unmatched), 160 g; dinner 1, 40 g. */
  meals = json_object_get_array_member (o, "by_meal");
  g_assert_cmpuint (json_array_get_length (meals), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (meals, 0), "period"), ==, "lunch");
  g_assert_cmpfloat (number (json_array_get_object_element (meals, 0), "leftover_g"), ==, 160);
  g_assert_cmpfloat (number (json_array_get_object_element (meals, 0), "waste_g_per_meal"), ==, 40);
  g_assert_cmpfloat (number (json_array_get_object_element (meals, 0), "unmatched_returns"), ==, 1);
  g_assert_cmpfloat (number (json_array_get_object_element (meals, 1), "diners"), ==, 1);

  /* Top dishes: D01 100 g of 400 g served, 2/3 of what was attributed (150 g). */
  top = json_object_get_array_member (o, "top_dishes");
  g_assert_cmpuint (json_array_get_length (top), ==, 3);
  dish = json_array_get_object_element (top, 0);
  g_assert_cmpstr (json_object_get_string_member (dish, "dish"), ==, "D01");
  g_assert_cmpfloat (number (dish, "leftover_g"), ==, 100);
  g_assert_cmpfloat (number (dish, "leftover_rate"), ==, 0.25);
  g_assert_cmpfloat (number (dish, "share"), ==, 0.6667);
  g_assert_cmpfloat (number (dish, "previous_leftover_g"), ==, 50);
  dish = json_array_get_object_element (top, 1);
  g_assert_cmpstr (json_object_get_string_member (dish, "dish"), ==, "D02");
  g_assert_cmpfloat (number (dish, "served_g"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (o, "unattributed_leftover_g"), ==, 50);

  cats = json_object_get_array_member (o, "by_category");
  g_assert_cmpuint (json_array_get_length (cats), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cats, 0), "category"), ==, "热菜");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cats, 2), "category"), ==, "汤");
  g_assert_cmpfloat (number (json_array_get_object_element (cats, 2), "leftover_g"), ==, 10);

  /* A span nothing happened in: no division by zero, nulls. */
  {
    g_autoptr(JsonNode) empty = canteen_waste_report (f->ledger, "2026-10-01", "2026-10-07", &error);
    JsonObject *e;
    g_assert_no_error (error);
    e = json_node_get_object (empty);
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (indicator (e, "waste_g_per_meal"), "value")));
    g_assert_cmpstr (json_object_get_string_member (e, "previous_from"), ==, "2026-09-24");
  }
  /* Bad spans. */
  g_assert_null (canteen_waste_report (f->ledger, "2026-11-23", "2026-11-22", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (canteen_waste_report (f->ledger, "2026-02-30", "2026-03-01", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_report_formats (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *csv = NULL, *pdf_path = NULL, *pdf = NULL;
  GError *error = NULL;
  gsize len = 0;
  JsonObject *o;

  make_small_days (f);
  node = canteen_waste_report (f->ledger, "2026-11-23", "2026-11-23", &error);
  g_assert_no_error (error);
  o = json_node_get_object (node);
  for (const char * const *k = (const char * const[]) { "canteen", "agency", "from", "to", "days", "previous_from",
                                                        "previous_to", "indicators", "by_meal", "kitchen",
                                                        "top_dishes", "by_category", "unattributed_leftover_g",
                                                        "portions", NULL }; *k; k++)
    g_assert_true (json_object_has_member (o, *k));
  g_assert_true (json_object_has_member (indicator (o, "clean_plate_rate"), "label"));

  csv = canteen_waste_report_to_csv (node);
  g_assert_nonnull (strstr (csv, "# indicators\r\nindicator,label,unit,value,previous,change_pct\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nwaste_g_per_meal,人均每餐剩余（克）,g,40,30,33.3\r\n"));
  g_assert_nonnull (strstr (csv, "\r\nclean_plate_rate,光盘率,ratio,0.5,0.5,0\r\n"));
  g_assert_nonnull (strstr (csv, "# top_dishes\r\ndish,name,category,trays,leftover_g,served_g,leftover_rate,share,previous_leftover_g\r\n"
                                 "D01,红烧肉,热菜,2,100,400,0.25,0.6667,50\r\n"));
  g_assert_nonnull (strstr (csv, "# kitchen\r\nday,food_purchased_g,kitchen_waste_g,diners_planned,diners\r\n"
                                 "2026-11-23,50000,3000,6,5\r\n"));

  pdf_path = g_build_filename (f->dir, "waste.pdf", NULL);
  g_assert_true (canteen_waste_report_to_pdf (node, pdf_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &len, NULL));
  g_assert_cmpuint (len, >, 2000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF"));
  {
    g_autofree char *tmp = g_strconcat (pdf_path, ".tmp", NULL);
    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  }
}

/* 7 lunch days (Tue 2026-11-17 .. Mon 11-23), one D01 a day weighed at the
 * counter: 230 g on the first five (15 % over), 200 g after; D04 at 260 g
 * (4 % over: within tolerance). Five trays come back with 50 g of D01. */
static void
make_week (Fixture *f)
{
  GError *error = NULL;

  for (int i = 0; i < 7; i++)
    {
      g_autofree char *day = g_strdup_printf ("2026-11-%02d", 17 + i);
      g_autofree char *id = g_strdup_printf ("W%d", i);
      g_autoptr(GDateTime) when = at (day, 12, 10);
      sell (f, id, "A1", "D01 D04", day, 12, 0);
      g_assert_true (canteen_waste_record_portion (f->ledger, id, 1, i < 5 ? 230 : 200, when, &error));
      g_assert_no_error (error);
      g_assert_true (canteen_waste_record_portion (f->ledger, id, 2, 260, when, &error));
      g_assert_no_error (error);
      if (i >= 2)
        {
          g_autofree char *rid = g_strdup_printf ("WR%d", i);
          returned (f, rid, id, NULL, 50, "D01=0.25 D04=0", day, 12, 40);
        }
    }
}

static void
test_portion_drift_alert (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GDateTime) when = at ("2026-11-23", 12, 20);
  JsonObject *o, *alert, *trays;
  JsonArray *alerts;
  GError *error = NULL;

  make_week (f);
  /* The same weight again is a no-op; another one is CONFLICT. */
  g_assert_true (canteen_waste_record_portion (f->ledger, "W6", 1, 200, when, &error));
  g_assert_no_error (error);
  g_assert_false (canteen_waste_record_portion (f->ledger, "W6", 1, 210, when, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);

  node = canteen_waste_portions (f->ledger, "2026-11-23", &error);
  g_assert_no_error (error);
  o = json_node_get_object (node);
  alerts = json_object_get_array_member (o, "alerts");
  g_assert_cmpuint (json_array_get_length (alerts), ==, 1);
  alert = json_array_get_object_element (alerts, 0);
  g_assert_cmpstr (json_object_get_string_member (alert, "dish"), ==, "D01");
  g_assert_cmpstr (json_object_get_string_member (alert, "direction"), ==, "over");
  g_assert_cmpint (json_object_get_int_member (alert, "days_out"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (alert, "of_days"), ==, 7);
  g_assert_nonnull (strstr (json_object_get_string_member (alert, "text"), "红烧肉"));

  /* Trays: 7 × (D01 + D04) weighed: 5×230 + 2×200 + 7×260 = 3370 g against 7 × 450 = 3150 g. */
  trays = json_object_get_object_member (o, "trays");
  g_assert_cmpint (json_object_get_int_member (trays, "weighed"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (trays, "served_g"), ==, 3370);
  g_assert_cmpint (json_object_get_int_member (trays, "standard_g"), ==, 3150);
  g_assert_cmpfloat (number (trays, "ratio"), ==, 1.0698);

  {
    g_autoptr(JsonNode) earlier = canteen_waste_portions (f->ledger, "2026-11-20", &error);
    g_assert_no_error (error);
    /* 4 serving days by 11-20, all over, but 4 < 5: no alert yet. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (earlier), "alerts")), ==, 0);
  }
}

static void
test_recommendations (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *rec = NULL, *cooking;
  JsonArray *recs;
  GError *error = NULL;
  const char *why;

  make_week (f);
  node = canteen_waste_portions (f->ledger, "2026-11-23", &error);
  g_assert_no_error (error);
  recs = json_object_get_array_member (json_node_get_object (node), "recommendations");
  for (guint i = 0; i < json_array_get_length (recs); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (recs, i), "dish"), "D01"))
      rec = json_array_get_object_element (recs, i);
  g_assert_nonnull (rec);
  /* 250 g left of 230+230+230+200+200 = 1090 g served: 22.9 % > 10 %.
   * 200 × (1 − 0.2294 + 0.05) = 164.1 → 165 g in 5 g steps. */
  g_assert_cmpint (json_object_get_int_member (rec, "standard_g"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (rec, "suggested_portion_g"), ==, 165);
  g_assert_cmpfloat (number (rec, "leftover_rate"), ==, 0.2294);
  g_assert_cmpstr (json_object_get_string_member (rec, "next_day"), ==, "2026-11-24");
  /* Tuesday lunch: 1 diner on the one Tuesday seen, D01 taken by all: 1 × 165 g → 200 g (100 g steps, up). */
  cooking = json_array_get_object_element (json_object_get_array_member (rec, "cooking"), 0);
  g_assert_cmpstr (json_object_get_string_member (cooking, "period"), ==, "lunch");
  g_assert_cmpfloat (number (cooking, "expected_diners"), ==, 1);
  g_assert_cmpfloat (number (cooking, "take_rate"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (rec, "cooking_g"), ==, 200);
  why = json_object_get_string_member (rec, "reasoning");
  g_test_message ("%s", why);
  g_assert_nonnull (strstr (why, "22.9%"));
  g_assert_nonnull (strstr (why, "165 克"));
  g_assert_nonnull (strstr (why, "周二"));
  g_assert_nonnull (strstr (why, "仅供参考"));
  /* The portion drift is in the reasoning too (D01 is served over its standard). */
  g_assert_nonnull (strstr (why, "高于标准"));

  /* D04: nothing left on 5 trays → standard kept, and said so. */
  for (guint i = 0; i < json_array_get_length (recs); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (recs, i), "dish"), "D04"))
      rec = json_array_get_object_element (recs, i);
  g_assert_cmpint (json_object_get_int_member (rec, "suggested_portion_g"), ==, 250);
  g_assert_nonnull (strstr (json_object_get_string_member (rec, "reasoning"), "维持标准份量"));
}

/* A fuller set for looking at the PDF: TEST_WASTE_KEEP_PDF=path keeps it. */
static void
test_pdf_sample (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *pdf_path = g_build_filename (f->dir, "sample.pdf", NULL);
  const char *keep = g_getenv ("TEST_WASTE_KEEP_PDF");
  GError *error = NULL;

  make_week (f);
  make_small_days (f);
  kitchen (f, "2026-11-17", 42000, 2500, 5);
  node = canteen_waste_report (f->ledger, "2026-11-20", "2026-11-23", &error);
  g_assert_no_error (error);
  g_assert_true (canteen_waste_report_to_pdf (node, pdf_path, &error));
  g_assert_no_error (error);
  if (keep != NULL)
    {
      g_autofree char *data_pdf = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (pdf_path, &data_pdf, &len, NULL));
      g_assert_true (g_file_set_contents (keep, data_pdf, (gssize) len, NULL));
    }
}

/* The return station asks which checkout a tray goes with before it
 * weighs the leftovers: the answer is the one recording then gives, and
 * asking writes nothing. */
static void
test_find_checkout (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) lunch = at ("2026-11-23", 12, 30);
  g_autofree char *before = NULL, *found = NULL, *none = NULL;
  CanteenTrayMatch match = CANTEEN_TRAY_MATCH_UNMATCHED;
  GError *error = NULL;
  CanteenTrayReturn *r;

  sell (f, "C1", "A1", "D01", "2026-11-23", 11, 40);
  sell (f, "C2", "A1", "D02", "2026-11-23", 12, 10);
  before = test_db_dump (f->path);

  found = canteen_waste_find_checkout (f->ledger, NULL, NULL, "a1", lunch, &match, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "C2");
  g_assert_cmpint (match, ==, CANTEEN_TRAY_MATCH_CARD_LATEST);
  none = canteen_waste_find_checkout (f->ledger, NULL, NULL, "A5", lunch, &match, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_cmpint (match, ==, CANTEEN_TRAY_MATCH_UNMATCHED);
  /* Another card's tag: refused, as recording would. */
  g_assert_null (canteen_waste_find_checkout (f->ledger, NULL, "C1", "A2", lunch, &match, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }

  r = give_back (f, "R1", NULL, "A1", 300, 250, NULL, "2026-11-23", 12, 30, &error);
  RET_OK (r);
  g_assert_cmpstr (r->checkout_id, ==, found);
  canteen_tray_return_free (r);
  /* Returned now: a second look finds it taken. */
  g_assert_null (canteen_waste_find_checkout (f->ledger, NULL, "C2", NULL, lunch, &match, &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  /* ... unless it is that very return again (a retry). */
  {
    g_autofree char *again = canteen_waste_find_checkout (f->ledger, "R1", NULL, "A1", lunch, &match, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, "C2");
  }
}

/* The returned tray's photo is kept (for audit and for the leftovers'
 * second look), found again by the return, and checked when read; a file
 * that is not a photo is refused and records nothing. */
static void
test_return_photo (Fixture *f, gconstpointer data)
{
  static const guint8 jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 'r', 'e', 't', 'u', 'r', 'n', 0xFF, 0xD9 };
  g_autoptr(GDateTime) when = at ("2026-11-23", 12, 30);
  g_autoptr(GBytes) photo = g_bytes_new_static (jpeg, sizeof jpeg);
  g_autoptr(GBytes) text = g_bytes_new_static ("not a photo", 11);
  g_autofree char *path = NULL, *contents = NULL, *before = NULL;
  CanteenTrayReturnRequest q = { "R1", NULL, "A1", 300, 250, NULL, NULL, 0, photo };
  GError *error = NULL;
  CanteenTrayReturn *r;
  gsize len = 0;

  sell (f, "C1", "A1", "D01", "2026-11-23", 12, 0);
  r = canteen_waste_record_return (f->ledger, &q, when, &error);
  RET_OK (r);
  canteen_tray_return_free (r);
  path = canteen_waste_get_return_photo (f->ledger, "R1", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path, ".jpg"));
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, jpeg, sizeof jpeg);

  /* The same return again (the station lost the answer): replayed. */
  r = canteen_waste_record_return (f->ledger, &q, when, &error);
  RET_OK (r);
  g_assert_true (r->replayed);
  canteen_tray_return_free (r);

  /* Not a photo: refused, nothing recorded. */
  before = test_db_dump (f->path);
  q.return_id = "R2";
  q.image = text;
  g_assert_null (canteen_waste_record_return (f->ledger, &q, when, &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }

  /* A photo changed on disk is reported, not shown as the tray's. */
  g_assert_true (g_file_set_contents (path, "\xFF\xD8\xFF tampered", -1, NULL));
  g_assert_null (canteen_waste_get_return_photo (f->ledger, "R1", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CORRUPT);
  g_clear_error (&error);
  /* A return without a photo has none to show. */
  q.return_id = "R3";
  q.card = NULL;
  q.image = NULL;
  r = canteen_waste_record_return (f->ledger, &q, when, &error);
  RET_OK (r);
  canteen_tray_return_free (r);
  g_assert_null (canteen_waste_get_return_photo (f->ledger, "R3", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

/* Trays carry their own tag: the checkout records the tray it was served
 * on, and a returned tray's tag finds that checkout without a card. Trays
 * are reused, so the tag finds the latest checkout of the meal only. */
static void
test_tray_tag (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) lunch = at ("2026-11-23", 12, 30);
  g_autoptr(GDateTime) dinner = at ("2026-11-23", 18, 30);
  g_autofree char *before = NULL, *tag = NULL;
  GError *error = NULL;
  CanteenTrayReturn *r;

  sell (f, "C1", "A1", "D01", "2026-11-23", 11, 40);
  sell (f, "C2", "A2", "D02", "2026-11-23", 12, 10);
  sell (f, "C3", "A3", "D02", "2026-11-23", 12, 15);
  g_assert_true (canteen_ledger_set_checkout_tray (f->ledger, "C1", "T0007", &error));
  g_assert_true (canteen_ledger_set_checkout_tray (f->ledger, "C2", "T0007", &error));
  g_assert_true (canteen_ledger_set_checkout_tray (f->ledger, "C3", "T0009", &error));
  /* Again the same: nothing new. */
  g_assert_true (canteen_ledger_set_checkout_tray (f->ledger, "C3", "T0009", &error));
  g_assert_no_error (error);

  before = test_db_dump (f->path);
  /* A checkout's tray is set once. */
  g_assert_false (canteen_ledger_set_checkout_tray (f->ledger, "C3", "T0010", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_CONFLICT);
  g_clear_error (&error);
  /* Not a tag, or no such checkout: refused. */
  g_assert_false (canteen_ledger_set_checkout_tray (f->ledger, "C1", "t 7; DROP", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_set_checkout_tray (f->ledger, "C1", "T00000000000000000000000000", &error));
  g_assert_error (error, CANTEEN_INPUT_ERROR, CANTEEN_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (canteen_ledger_set_checkout_tray (f->ledger, "C404", "T0007", &error));
  g_assert_error (error, CANTEEN_LEDGER_ERROR, CANTEEN_LEDGER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *after = test_db_dump (f->path);
    g_assert_cmpstr (before, ==, after);
  }
  tag = canteen_ledger_get_checkout_tray (f->ledger, "C2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tag, ==, "T0007");

  /* T0007 carried C1, then C2: the tray coming back now is C2's. */
  {
    g_autofree char *found = canteen_waste_find_tray_checkout (f->ledger, "T0007", NULL, lunch, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (found, ==, "C2");
  }
  /* With a card, only that card's checkouts on that tray. */
  {
    g_autofree char *mine = canteen_waste_find_tray_checkout (f->ledger, "T0007", "a1", lunch, &error);
    g_autofree char *other = canteen_waste_find_tray_checkout (f->ledger, "T0009", "A1", lunch, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (mine, ==, "C1");
    g_assert_null (other);
  }
  /* An unknown tray, or the same tray at dinner: nothing (another meal). */
  {
    g_autofree char *unknown = canteen_waste_find_tray_checkout (f->ledger, "T0404", NULL, lunch, &error);
    g_autofree char *later = canteen_waste_find_tray_checkout (f->ledger, "T0007", NULL, dinner, &error);
    g_assert_no_error (error);
    g_assert_null (unknown);
    g_assert_null (later);
  }

  /* Returned by its tag: attached to C2 and its diner. */
  r = give_back (f, "R1", "C2", NULL, 300, 250, NULL, "2026-11-23", 12, 30, &error);
  RET_OK (r);
  g_assert_cmpstr (r->card, ==, "A2");
  canteen_tray_return_free (r);
  /* The same tray photographed again by another return: still C2, which
   * recording refuses as returned already, never C1. */
  {
    g_autofree char *again = canteen_waste_find_tray_checkout (f->ledger, "T0007", NULL, lunch, &error);
    g_assert_cmpstr (again, ==, "C2");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/waste/matching", test_matching);
  ADD ("/waste/bad-weights-change-nothing", test_bad_weights_change_nothing);
  ADD ("/waste/split-leftovers", test_split_leftovers);
  ADD ("/waste/find-checkout", test_find_checkout);
  ADD ("/waste/return-photo", test_return_photo);
  ADD ("/waste/tray-tag", test_tray_tag);
  ADD ("/waste/indicators", test_indicators);
  ADD ("/waste/report-formats", test_report_formats);
  ADD ("/waste/portion-drift-alert", test_portion_drift_alert);
  ADD ("/waste/recommendations", test_recommendations);
  ADD ("/waste/pdf-sample", test_pdf_sample);
  return g_test_run ();
}
