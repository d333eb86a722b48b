/* vision-eval — the evaluation harness of dish recognition (issue 4, item
 * 6): a seeded menu of synthetic dishes is enrolled through the C ABI
 * (canteen_vision_enroll + canteen_vision_index_add, 3 photos per dish),
 * then synthetic test trays are recognised (canteen_vision_recognize) and
 * scored against their ground truth (eval-metrics.h).
 *
 *   vision-eval [--dishes N] [--trays M] [--seed S] [--quick] [--enroll K]
 *               [--threshold T] [--sure S] [--photos DIR] [--save DIR]
 *               [--json | --tap]
 *
 * Recognition runs pinned to one core; the trays are drawn by a child
 * process on the other cores (tray-stream.h), so neither the drawing's time
 * nor its memory is counted. The food photos come from --photos or
 * $CANTEEN_FOOD_PHOTOS (the setup's cache); without them the run is
 * skipped (exit 77, or a TAP skip with --tap), never faked.
 */
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/resource.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "eval-metrics.h"
#include "eval-report.h"
#include "tray-stream.h"
#include "vision.h"
#include "vision-view.h"

namespace {

using traygen::image_of;

constexpr int EXIT_SKIP = 77;
constexpr int EXIT_ERROR = 2;
/* Failing trays drawn with their truth and answers, at most. */
constexpr int MAX_SAVED = 60;

struct Options
{
  int                dishes = 20, trays = 100, enroll = 3;
  unsigned long long seed = 1;
  bool               quick = false, json = false, tap = false;
  double             threshold = -1.0;
  double             sure = CANTEEN_VISION_SURE;
  std::string        photos, save;
};

const char USAGE[] =
  "usage: vision-eval [--dishes N] [--trays M] [--seed S] [--quick] [--enroll K]\n"
  "                   [--threshold T] [--sure S] [--photos DIR] [--save DIR]\n"
  "                   [--json | --tap]\n"
  "  --quick      8 dishes, 24 trays (unless given): the test suite's run\n"
  "  --threshold  the recogniser's unknown threshold (default: the library's)\n"
  "  --sure S     score the checkout as billing unasked at confidence S or more\n"
  "               (default: CANTEEN_VISION_SURE, what the kiosk does)\n"
  "  --save DIR   write the trays that were not an exact match, annotated\n"
  "  --photos DIR the food photos (default: $CANTEEN_FOOD_PHOTOS)\n";

bool
parse_int (const char *text, long lo, long hi, long *out)
{
  char *end = nullptr;
  errno = 0;
  long v = std::strtol (text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi)
    return false;
  *out = v;
  return true;
}

/* False after printing why. */
bool
parse (int argc, char **argv, Options *o)
{
  bool dishes_set = false, trays_set = false;
  for (int i = 1; i < argc; i++)
    {
      std::string a = argv[i];
      const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
      long n = 0;
      auto number = [&] (long lo, long hi) {
        if (!value || !parse_int (value, lo, hi, &n))
          {
            std::fprintf (stderr, "vision-eval: %s needs a number from %ld to %ld\n", a.c_str (), lo, hi);
            return false;
          }
        i++;
        return true;
      };
      if (a == "--dishes")
        {
          if (!number (1, 150))
            return false;
          o->dishes = static_cast<int> (n);
          dishes_set = true;
        }
      else if (a == "--trays")
        {
          if (!number (1, 100000))
            return false;
          o->trays = static_cast<int> (n);
          trays_set = true;
        }
      else if (a == "--enroll")
        {
          if (!number (1, 20))
            return false;
          o->enroll = static_cast<int> (n);
        }
      else if (a == "--seed")
        {
          if (!number (0, 2147483647))
            return false;
          o->seed = static_cast<unsigned long long> (n);
        }
      else if ((a == "--threshold" || a == "--sure") && value)
        {
          char *end = nullptr;
          double &v = a == "--threshold" ? o->threshold : o->sure;
          v = std::strtod (value, &end);
          if (end == value || *end || !(v >= 0.0 && v <= 1.0))
            {
              std::fprintf (stderr, "vision-eval: %s needs a number from 0 to 1\n", a.c_str ());
              return false;
            }
          i++;
        }
      else if ((a == "--photos" || a == "--save") && value)
        {
          (a == "--photos" ? o->photos : o->save) = value;
          i++;
        }
      else if (a == "--quick")
        o->quick = true;
      else if (a == "--json")
        o->json = true;
      else if (a == "--tap")
        o->tap = true;
      else
        {
          std::fprintf (stderr, "vision-eval: unknown option “%s”\n%s", a.c_str (), USAGE);
          return false;
        }
    }
  if (o->quick)
    {
      o->dishes = dishes_set ? o->dishes : 8;
      o->trays = trays_set ? o->trays : 24;
    }
  if (o->photos.empty () && std::getenv ("CANTEEN_FOOD_PHOTOS"))
    o->photos = std::getenv ("CANTEEN_FOOD_PHOTOS");
  return true;
}

int
skip (const Options &o, const std::string &why)
{
  if (o.tap)
    {
      std::printf ("1..0 # SKIP %s\n", why.c_str ());
      return 0;
    }
  std::fprintf (stderr, "vision-eval: skipped: %s\n", why.c_str ());
  return EXIT_SKIP;
}

/* The lowest CPU this process may run on. */
int
first_cpu ()
{
  cpu_set_t set;
  CPU_ZERO (&set);
  if (sched_getaffinity (0, sizeof set, &set) != 0)
    return -1;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET (c, &set))
      return c;
  return -1;
}

/* Before any OpenCV call: threads it starts later inherit the mask. */
bool
pin_to (int cpu)
{
  cpu_set_t set;
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  return cpu >= 0 && sched_setaffinity (0, sizeof set, &set) == 0;
}

long
peak_rss_kb ()
{
  struct rusage u {};
  getrusage (RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double
now_ms ()
{
  struct timespec t {};
  clock_gettime (CLOCK_MONOTONIC, &t);
  return static_cast<double> (t.tv_sec) * 1e3 + static_cast<double> (t.tv_nsec) / 1e6;
}

const char *
status_name (CanteenVisionStatus s)
{
  switch (s)
    {
    case CANTEEN_VISION_OK:         return "OK";
    case CANTEEN_VISION_NOT_FOUND:  return "NOT_FOUND";
    case CANTEEN_VISION_DECODE:     return "DECODE";
    case CANTEEN_VISION_TOO_LARGE:  return "TOO_LARGE";
    case CANTEEN_VISION_INVALID:    return "INVALID";
    case CANTEEN_VISION_NO_FOOD:    return "NO_FOOD";
    case CANTEEN_VISION_FAILED:     return "FAILED";
    case CANTEEN_VISION_NOT_SAME_TRAY: return "NOT_SAME_TRAY";
    case CANTEEN_VISION_NO_TAG:     return "NO_TAG";
    }
  return "?";
}

/* A failing tray for a person to look at: truth in green (red: never
 * enrolled), the recogniser's boxes in yellow with their answers. */
void
save_tray (const std::string &dir, const traygen::StreamFrame &f, const cv::Mat &bgr,
           const std::vector<evalm::Prediction> &predictions)
{
  cv::Mat v = bgr.clone ();
  for (const auto &g : f.regions)
    {
      cv::Scalar colour = g.enrolled ? cv::Scalar (0, 200, 0) : cv::Scalar (0, 0, 230);
      cv::rectangle (v, g.food, colour, 2);
      cv::putText (v, g.id, g.food.tl () + cv::Point (4, 20), cv::FONT_HERSHEY_SIMPLEX, 0.7, colour, 2);
    }
  for (const auto &p : predictions)
    {
      cv::rectangle (v, p.box, cv::Scalar (0, 230, 255), 2);
      char label[96];
      std::snprintf (label, sizeof label, "%s %.2f", p.dish.empty () ? "?" : p.dish.c_str (),
                     static_cast<double> (p.confidence));
      cv::putText (v, label, cv::Point (p.box.x + 4, p.box.br ().y - 8), cv::FONT_HERSHEY_SIMPLEX, 0.7,
                   cv::Scalar (0, 230, 255), 2);
    }
  char name[64];
  std::snprintf (name, sizeof name, "/tray-%05d.jpg", f.index);
  cv::imwrite (dir + name, v);
}

} // namespace

int
main (int argc, char **argv)
{
  /* Measured as the kiosk and canteenctl run (vision.h). */
  canteen_vision_keep_freed_memory ();
  Options o;
  if (!parse (argc, argv, &o))
    return EXIT_ERROR;
  if (o.tap)
    std::printf ("TAP version 13\n");
  std::error_code ec;
  if (o.photos.empty ())
    return skip (o, "no food photos: set CANTEEN_FOOD_PHOTOS or --photos (./canteen test fetches them)");
  if (!std::filesystem::is_directory (o.photos, ec))
    return skip (o, o.photos + ": no such folder of food photos (./canteen test fetches them)");
  if (!o.save.empty ())
    std::filesystem::create_directories (o.save, ec);

  EvalReport r;
  r.dishes = o.dishes;
  r.enroll_per_dish = o.enroll;
  r.trays = o.trays;
  r.seed = o.seed;
  r.sure = o.sure;
  r.photo_dir = o.photos;
  r.cpu = first_cpu ();

  traygen::TrayStream stream;
  traygen::StreamSpec spec;
  spec.photos = o.photos;
  spec.n_dishes = o.dishes;
  spec.n_enroll = o.enroll;
  spec.n_trays = o.trays;
  spec.seed = o.seed;
  spec.keep_cpu = r.cpu;
  if (!stream.start (spec))
    {
      if (stream.photos_missing ())
        return skip (o, stream.error ());
      std::fprintf (stderr, "vision-eval: %s\n", stream.error ().c_str ());
      return EXIT_ERROR;
    }
  if (!pin_to (r.cpu))
    std::fprintf (stderr, "vision-eval: could not pin to one CPU; latency is not a one-core figure\n");
  r.photos = stream.photo_count ();
  for (const auto &d : stream.menu ())
    r.unknown_dishes += !d.enrolled;
  r.start_rss_kb = peak_rss_kb ();

  CanteenVision *vision = canteen_vision_new ();
  if (!vision)
    {
      std::fprintf (stderr, "vision-eval: canteen_vision_new failed\n");
      return EXIT_ERROR;
    }
  if (o.threshold >= 0.0)
    canteen_vision_set_threshold (vision, static_cast<float> (o.threshold));

  double reported_sum = 0.0;
  int saved = 0;
  traygen::StreamFrame f;
  while (stream.next (&f))
    {
      const double d0 = now_ms ();
      cv::Mat bgr = cv::imdecode (f.jpeg, cv::IMREAD_COLOR), rgb;
      const double decode = now_ms () - d0;
      if (bgr.empty ())
        {
          std::fprintf (stderr, "vision-eval: the generator sent an undecodable frame\n");
          canteen_vision_free (vision);
          return EXIT_ERROR;
        }
      cv::cvtColor (bgr, rgb, cv::COLOR_BGR2RGB);
      const CanteenVisionImage image = image_of (rgb);

      if (f.kind == traygen::StreamFrame::ENROLLMENT)
        {
          uint8_t *blob = nullptr;
          size_t len = 0;
          const std::string &dish = stream.menu ()[static_cast<size_t> (f.index)].id;
          double t0 = now_ms ();
          CanteenVisionStatus s = canteen_vision_enroll (vision, &image, &blob, &len);
          r.enroll_ms.push_back (now_ms () - t0);
          r.enroll_total++;
          if (s == CANTEEN_VISION_OK)
            s = canteen_vision_index_add (vision, dish.c_str (), blob, len);
          std::free (blob);
          if (s == CANTEEN_VISION_OK)
            r.enroll_ok++;
          else
            {
              r.enroll_failures[status_name (s)]++;
              if (r.enroll_error.empty ())
                r.enroll_error = dish + ": " + canteen_vision_last_error (vision);
            }
          continue;
        }

      CanteenVisionResult result {};
      double t0 = now_ms ();
      CanteenVisionStatus s = canteen_vision_recognize (vision, &image, &result);
      double elapsed = now_ms () - t0;
      std::vector<evalm::Prediction> predictions;
      if (s != CANTEEN_VISION_OK)
        {
          r.recognize_failures++;
          if (r.recognize_error.empty ())
            r.recognize_error = std::string (status_name (s)) + ": " + canteen_vision_last_error (vision);
          continue;
        }
      r.latency_ms.push_back (elapsed);
      r.decode_ms.push_back (decode);
      reported_sum += result.elapsed_ms;
      for (int i = 0; i < result.n_items; i++)
        {
          const CanteenVisionItem &it = result.items[i];
          evalm::Prediction p { it.dish, it.confidence, cv::Rect (it.box[0], it.box[1], it.box[2], it.box[3]), {} };
          for (int a = 0; a < it.n_alternatives && a < CANTEEN_VISION_TOP; a++)
            p.alternatives.emplace_back (it.alternatives[a]);
          predictions.push_back (p);
        }
      canteen_vision_result_clear (&result);

      std::vector<evalm::Truth> truth;
      for (const auto &g : f.regions)
        truth.push_back ({ g.id, g.enrolled, g.food, g.container });
      evalm::Counts c = evalm::score_tray (truth, predictions, static_cast<float> (o.sure));
      r.counts.add (c);
      if (!o.save.empty () && !c.exact && saved < MAX_SAVED)
        {
          save_tray (o.save, f, bgr, predictions);
          saved++;
        }
    }
  if (!stream.error ().empty ())
    {
      std::fprintf (stderr, "vision-eval: %s\n", stream.error ().c_str ());
      canteen_vision_free (vision);
      return EXIT_ERROR;
    }
  r.reported_ms = r.latency_ms.empty () ? 0.0 : reported_sum / static_cast<double> (r.latency_ms.size ());

  char a[CANTEEN_VISION_DISH_ID + 1] = "", b[CANTEEN_VISION_DISH_ID + 1] = "";
  r.closest = canteen_vision_closest_pair (vision, a, b);
  r.closest_a = a;
  r.closest_b = b;
  r.peak_rss_kb = peak_rss_kb ();
  canteen_vision_free (vision);

  if (o.tap)
    return report_tap (r, stdout) == 0 ? 0 : 1;
  if (o.json)
    report_json (r, stdout);
  else
    report_table (r, stdout);
  return 0;
}
