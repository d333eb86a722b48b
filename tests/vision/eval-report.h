/* eval-report.h — what one evaluation run measured, and its three
 * renderings: a table for people, JSON for machines, TAP for the test
 * suite (figures as comments, floors as checks).
 *
 * Contract: rendering never changes the report. Targets are issue 4's
 * (item 7), shown for the sizes they are defined at (20 and 80 dishes);
 * floors are far below them: they catch a broken pipeline, not noise.
 */
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "eval-metrics.h"

struct EvalReport
{
  /* The run. */
  int         dishes = 0, unknown_dishes = 0, enroll_per_dish = 0, trays = 0;
  unsigned long long seed = 0;
  int         photos = 0;
  std::string photo_dir;
  int         cpu = -1;                 /* the core recognition was pinned to */
  double      sure = CANTEEN_VISION_SURE; /* the checkout's level scored (eval-metrics.h) */

  /* Enrollment. */
  int                        enroll_total = 0, enroll_ok = 0;
  std::map<std::string, int> enroll_failures;  /* status name → count */
  std::string                enroll_error;     /* one example message */
  std::vector<double>        enroll_ms;

  /* Recognition. */
  evalm::Counts       counts;
  int                 recognize_failures = 0;
  std::string         recognize_error;
  std::vector<double> latency_ms;       /* wall time of canteen_vision_recognize */
  /* The same run's baseline, on the same core, tray by tray: wall time of
   * decoding the tray's JPEG (cv::imdecode, as the kiosk does for each
   * frame), so a shared machine's slow spell moves both. */
  std::vector<double> decode_ms;
  double              reported_ms = 0;  /* mean of the library's own elapsed_ms */
  long                peak_rss_kb = 0;  /* whole run (generator excluded: another process) */
  long                start_rss_kb = 0; /* before the vision handle existed */

  std::string closest_a, closest_b;
  float       closest = -1.0f;
};

/* p in 0..100, nearest rank; 0 for no samples. */
double percentile (std::vector<double> samples, double p);

void report_table (const EvalReport &r, FILE *out);
void report_json (const EvalReport &r, FILE *out);
/* Returns the number of failed checks. */
int  report_tap (const EvalReport &r, FILE *out);
