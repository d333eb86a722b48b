/* eval-report.cpp — table, JSON (json-glib) and TAP renderings. */
#include "eval-report.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <json-glib/json-glib.h>

namespace {

/* Issue 4, item 7. */
constexpr double TARGET_EXACT_20 = 0.95, TARGET_F1_20 = 0.97, TARGET_EXACT_80 = 0.85;
constexpr double TARGET_P95_MS = 150.0, TARGET_RSS_MB = 300.0;

/* Floors for the quick run in the test suite (8 dishes, 24 trays): a
 * pipeline that finds no plates, names dishes at random or refuses its
 * enrollment photos falls below these. While the pipeline is far from the
 * issue's targets, recall, precision, top-3, F1, exact-match and the
 * checkout's right bills are regression floors about two regions or two
 * trays under what it achieves today (descriptor v5: recall 55 of 57
 * regions, precision 55 of 55, top-3 100%, F1 88.5%, exact-match 16 of 24
 * trays, right once answered 22 of 24), so that a change costing a tray
 * is seen in the benchmark and one costing several fails here; raise them
 * as it improves. Latency and memory have no floor there: under
 * AddressSanitizer they mean nothing. */
struct Floor
{
  const char *what;
  double      value;
};
constexpr Floor FLOOR_ENROLLED = { "enrollment photos accepted", 0.95 };
constexpr Floor FLOOR_RECALL = { "regions found (recall)", 0.92 };
constexpr Floor FLOOR_PRECISION = { "regions precision", 0.96 };
constexpr Floor FLOOR_TOP3 = { "top-3 contains the dish", 0.95 };
constexpr Floor FLOOR_F1 = { "dish F1", 0.82 };
constexpr Floor FLOOR_EXACT = { "tray exact-match", 0.58 };
constexpr Floor FLOOR_ANSWERED = { "checkout: bill right once answered", 0.83 };

double
mb (long kb)
{
  return kb / 1024.0;
}

std::string
pct (double v)
{
  char s[32];
  std::snprintf (s, sizeof s, "%.1f%%", 100.0 * v);
  return s;
}

/* Which targets apply at this menu size (issue 4 defines 20 and 80). */
struct Targets
{
  double exact = -1, f1 = -1;
};

Targets
targets_for (int dishes)
{
  Targets t;
  if (dishes == 20)
    {
      t.exact = TARGET_EXACT_20;
      t.f1 = TARGET_F1_20;
    }
  else if (dishes == 80)
    t.exact = TARGET_EXACT_80;
  return t;
}

void
row (FILE *out, const char *name, const std::string &value, const std::string &target = "", int met = -1)
{
  std::fprintf (out, "  %-32s %-22s %-14s %s\n", name, value.c_str (), target.c_str (),
                met < 0 ? "" : met ? "met" : "MISSED");
}

double
enrolled_share (const EvalReport &r)
{
  return r.enroll_total > 0 ? static_cast<double> (r.enroll_ok) / r.enroll_total : 0.0;
}

} // namespace

double
percentile (std::vector<double> samples, double p)
{
  if (samples.empty ())
    return 0.0;
  std::sort (samples.begin (), samples.end ());
  size_t rank = static_cast<size_t> (std::ceil (p / 100.0 * static_cast<double> (samples.size ())));
  return samples[std::clamp<size_t> (rank, 1, samples.size ()) - 1];
}

void
report_table (const EvalReport &r, FILE *out)
{
  const evalm::Counts &c = r.counts;
  const Targets t = targets_for (r.dishes);
  const double p95 = percentile (r.latency_ms, 95);
  char text[160], target[48];
  int met = 0, checked = 0;
  auto judge = [&] (bool ok) {
    checked++;
    met += ok;
    return ok ? 1 : 0;
  };

  std::fprintf (out, "Dish recognition on synthetic trays: seed %llu, %d dishes x %d enrollment photos, "
                "%d never-enrolled, %d trays, 1280x720\n",
                r.seed, r.dishes, r.enroll_per_dish, r.unknown_dishes, r.trays);
  std::fprintf (out, "  (%d food photos from %s; synthetic trays are a proxy, not canteen photographs)\n\n",
                r.photos, r.photo_dir.c_str ());
  row (out, "metric", "value", "target", -1);
  std::snprintf (text, sizeof text, "%d/%d", r.enroll_ok, r.enroll_total);
  row (out, "enrollment photos accepted", text);
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.recall ()).c_str (), c.matched, c.regions);
  row (out, "regions found (recall)", text);
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.precision ()).c_str (), c.matched, c.predictions);
  row (out, "regions precision", text);
  if (t.f1 >= 0)
    row (out, "dish F1", pct (c.dish_f1 ()), "≥ " + pct (t.f1), judge (c.dish_f1 () >= t.f1));
  else
    row (out, "dish F1", pct (c.dish_f1 ()));
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.exact_match ()).c_str (), c.exact, c.trays);
  if (t.exact >= 0)
    row (out, "tray exact-match", text, "≥ " + pct (t.exact), judge (c.exact_match () >= t.exact));
  else
    row (out, "tray exact-match", text);
  {
    /* What 100 trays can tell: a change smaller than this is chance. */
    const evalm::Interval ci = evalm::wilson_95 (c.exact, c.trays);
    std::snprintf (text, sizeof text, "%.0f-%.0f%%", 100.0 * ci.low, 100.0 * ci.high);
    row (out, "  95% interval", text);
  }
  /* Why the others failed, tray by tray (one tray may count under
   * several): where the work is. */
  row (out, "  failed: a region missed", std::to_string (c.trays_missed));
  row (out, "  failed: an extra region", std::to_string (c.trays_extra));
  row (out, "  failed: an enrolled dish wrong", std::to_string (c.trays_misnamed));
  row (out, "  failed: never-enrolled named", std::to_string (c.trays_unknown_named));
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.unknown_rejection ()).c_str (), c.unknown_rejected,
                 c.unknown_regions);
  row (out, "never-enrolled called unknown", text);
  row (out, "enrolled called unknown", pct (c.false_unknown ()));
  row (out, "best candidate right (top-1)", pct (c.top1_rate ()));
  row (out, "top-3 contains the dish", pct (c.top3_rate ()));
  /* The same trays as the diner meets them: the kiosk bills a dish named
   * at CANTEEN_VISION_SURE or above unasked and asks about the rest. */
  std::snprintf (text, sizeof text, "at the checkout (billed unasked at %.0f%% or more)", 100.0 * r.sure);
  std::fprintf (out, "  %s\n", text);
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.unasked_right ()).c_str (), c.checkout_unasked_right, c.trays);
  row (out, "  bill right, nothing asked", text);
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.answered_right ()).c_str (), c.checkout_answered_right,
                 c.trays);
  row (out, "  bill right once answered", text);
  std::snprintf (text, sizeof text, "%s (%ld/%ld)", pct (c.wrong_unasked ()).c_str (), c.checkout_wrong_unasked,
                 c.trays);
  row (out, "  bill wrong, nothing asked", text);
  std::snprintf (text, sizeof text, "%.2f", c.questions_per_tray ());
  row (out, "  questions per tray", text);
  std::snprintf (text, sizeof text, "%.0f / %.0f / %.0f ms", percentile (r.latency_ms, 50), p95,
                 percentile (r.latency_ms, 100));
  std::snprintf (target, sizeof target, "p95 ≤ %.0f ms", TARGET_P95_MS);
  row (out, "latency p50 / p95 / max", text, target, judge (p95 <= TARGET_P95_MS && !r.latency_ms.empty ()));
  const double decode = percentile (r.decode_ms, 50);
  if (decode > 0.0)
    {
      std::snprintf (text, sizeof text, "%.1fx / %.1fx", percentile (r.latency_ms, 50) / decode, p95 / decode);
      row (out, "  p50 / p95 over decoding", text);
      std::snprintf (text, sizeof text, "%.1f ms", decode);
      row (out, "  baseline: decoding, p50", text);
    }
  std::snprintf (text, sizeof text, "%.0f MB", mb (r.peak_rss_kb));
  std::snprintf (target, sizeof target, "≤ %.0f MB", TARGET_RSS_MB);
  row (out, "peak RSS", text, target, judge (mb (r.peak_rss_kb) <= TARGET_RSS_MB));
  std::snprintf (text, sizeof text, "%.0f MB", mb (r.start_rss_kb));
  row (out, "  of which the harness alone", text);
  std::snprintf (text, sizeof text, "%.0f / %.0f ms", percentile (r.enroll_ms, 50), percentile (r.enroll_ms, 95));
  row (out, "enrollment p50 / p95 per photo", text);
  if (r.closest >= 0.0f)
    {
      std::snprintf (text, sizeof text, "%s / %s (%.2f)", r.closest_a.c_str (), r.closest_b.c_str (),
                     static_cast<double> (r.closest));
      row (out, "closest pair of dishes", text);
    }
  std::fprintf (out, "\n  one core (CPU %d); latency is canteen_vision_recognize alone (the library reports "
                "%.1f ms on average)\n", r.cpu, r.reported_ms);
  for (const auto &[status, n] : r.enroll_failures)
    std::fprintf (out, "  enrollment refused %d photo(s): %s\n", n, status.c_str ());
  if (!r.enroll_error.empty ())
    std::fprintf (out, "    e.g. %s\n", r.enroll_error.c_str ());
  if (r.recognize_failures > 0)
    std::fprintf (out, "  recognition failed on %d tray(s), e.g. %s\n", r.recognize_failures,
                  r.recognize_error.c_str ());
  if (checked > 0)
    std::fprintf (out, "  targets: %d of %d met\n", met, checked);
}

void
report_json (const EvalReport &r, FILE *out)
{
  const evalm::Counts &c = r.counts;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  auto num = [&] (const char *k, double v) {
    json_builder_set_member_name (b, k);
    json_builder_add_double_value (b, std::round (v * 10000.0) / 10000.0);
  };
  auto integer = [&] (const char *k, long v) {
    json_builder_set_member_name (b, k);
    json_builder_add_int_value (b, v);
  };
  integer ("seed", static_cast<long> (r.seed));
  integer ("dishes", r.dishes);
  integer ("never_enrolled_dishes", r.unknown_dishes);
  integer ("enrollment_photos_per_dish", r.enroll_per_dish);
  integer ("trays", r.trays);
  integer ("photos", r.photos);
  integer ("enrollment_accepted", r.enroll_ok);
  integer ("enrollment_total", r.enroll_total);
  integer ("regions", c.regions);
  integer ("predictions", c.predictions);
  integer ("matched", c.matched);
  num ("region_recall", c.recall ());
  num ("region_precision", c.precision ());
  num ("dish_f1", c.dish_f1 ());
  num ("tray_exact_match", c.exact_match ());
  const evalm::Interval exact_ci = evalm::wilson_95 (c.exact, c.trays);
  num ("tray_exact_match_low95", exact_ci.low);
  num ("tray_exact_match_high95", exact_ci.high);
  integer ("trays_failed_missed", c.trays_missed);
  integer ("trays_failed_extra", c.trays_extra);
  integer ("trays_failed_misnamed", c.trays_misnamed);
  integer ("trays_failed_unknown_named", c.trays_unknown_named);
  num ("unknown_rejection", c.unknown_rejection ());
  integer ("unknown_regions", c.unknown_regions);
  num ("enrolled_called_unknown", c.false_unknown ());
  num ("top1", c.top1_rate ());
  num ("top3", c.top3_rate ());
  num ("checkout_sure", r.sure);
  num ("checkout_unasked_right", c.unasked_right ());
  num ("checkout_answered_right", c.answered_right ());
  num ("checkout_wrong_unasked", c.wrong_unasked ());
  num ("checkout_questions_per_tray", c.questions_per_tray ());
  num ("latency_p50_ms", percentile (r.latency_ms, 50));
  num ("latency_p95_ms", percentile (r.latency_ms, 95));
  num ("latency_max_ms", percentile (r.latency_ms, 100));
  num ("decode_p50_ms", percentile (r.decode_ms, 50));
  num ("reported_elapsed_mean_ms", r.reported_ms);
  num ("enrollment_p95_ms", percentile (r.enroll_ms, 95));
  num ("peak_rss_mb", mb (r.peak_rss_kb));
  num ("harness_rss_mb", mb (r.start_rss_kb));
  integer ("recognize_failures", r.recognize_failures);
  integer ("cpu", r.cpu);
  if (r.closest >= 0.0f)
    {
      json_builder_set_member_name (b, "closest_pair");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, r.closest_a.c_str ());
      json_builder_add_string_value (b, r.closest_b.c_str ());
      json_builder_end_array (b);
      num ("closest_pair_similarity", static_cast<double> (r.closest));
    }
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  g_autofree char *text = json_generator_to_data (gen, nullptr);
  std::fprintf (out, "%s\n", text);
}

int
report_tap (const EvalReport &r, FILE *out)
{
  const evalm::Counts &c = r.counts;
  const std::pair<Floor, double> checks[] = {
    { FLOOR_ENROLLED, enrolled_share (r) }, { FLOOR_RECALL, c.recall () },   { FLOOR_PRECISION, c.precision () },
    { FLOOR_TOP3, c.top3_rate () },         { FLOOR_F1, c.dish_f1 () },      { FLOOR_EXACT, c.exact_match () },
    { FLOOR_ANSWERED, c.answered_right () },
  };
  int n = 0, failed = 0;
  std::fprintf (out, "1..%zu\n", sizeof checks / sizeof checks[0] + 1);
  /* The figures, for the log. */
  char *buf = nullptr;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  if (mem)
    {
      report_table (r, mem);
      std::fclose (mem);
      for (char *line = std::strtok (buf, "\n"); line; line = std::strtok (nullptr, "\n"))
        std::fprintf (out, "# %s\n", line);
      std::free (buf);
    }
  bool complete = r.counts.trays == r.trays && r.recognize_failures == 0;
  std::fprintf (out, "%s %d - all %d trays recognised without an error\n", complete ? "ok" : "not ok", ++n, r.trays);
  failed += !complete;
  for (const auto &[floor, value] : checks)
    {
      bool ok = value >= floor.value;
      failed += !ok;
      std::fprintf (out, "%s %d - %s %s >= floor %s\n", ok ? "ok" : "not ok", ++n, floor.what, pct (value).c_str (),
                    pct (floor.value).c_str ());
    }
  return failed;
}
