/* waste-eval — the evaluation harness of leftover estimation (issue 6,
 * item 7): pairs of synthetic trays (tray-eaten.h: the checkout picture
 * and the same tray returned, with a known share of each dish eaten,
 * sauce smeared, bones left, turned, shifted and relit) go through
 * canteen_vision_leftovers and are scored against their truth.
 *
 *   waste-eval [--trays N] [--dishes D] [--seed S] [--quick] [--photos DIR]
 *              [--json | --tap]
 *
 * Figures: leftover-fraction MAE, the share within ±0.10, clean-plate
 * (≤ 5 % left) precision, recall and F1, regions missed, same-tray pairs
 * refused, different-tray pairs accepted (every 4th pair is also tried
 * against the next tray's return), latency p50/p95 per pair pinned to one
 * core, peak RSS. The pairs are drawn by a child process on the other
 * cores into a temporary folder, so neither the drawing's time nor its
 * memory is counted. Without the food photos the run is skipped (exit 77,
 * or a TAP skip with --tap), never faked.
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "food-photos.h"
#include "tray-eaten.h"
#include "tray-gen.h"
#include "tray-stream.h"
#include "vision.h"
#include "vision-view.h"

namespace {

using traygen::image_of;

constexpr int EXIT_SKIP = 77;
constexpr int EXIT_ERROR = 2;
constexpr double CLEAN = 0.05;
/* Targets (issue 6, item 7). */
constexpr double TARGET_MAE = 0.08, TARGET_F1 = 0.95, TARGET_P95_MS = 150.0;
/* Floors of the quick run (16 pairs, 8 dishes, seed 1): just under what
 * it measured on 2026-11-22 (first MAE 0.068, within 81 %, clean F1 0.94,
 * 3 pairs refused, 12 of 38 dishes missed: segmentation and refusals;
 * then, light fitted over the dishes' containers too: MAE 0.083 (one
 * untouched dish on a black plate read as empty; 0.050 and 0.048 on 100
 * pairs of seeds 1 and 2), within 85 %, F1 0.94), so a regression fails
 * the suite.
 * Refusals: since 2026-11-23 the photos' halves are cut to look alike
 * (food-photos.h), which changed every tray; the benchmark refuses 15–23
 * of 100 same-tray pairs (seeds 1–3), this sample 5 of 16 and 14 of its
 * first 64. With a rate of 0.2, 16 pairs refuse 6 or fewer 97 % of the
 * time, so 6 is the bound: the draw of 16 pairs rarely exceeds it, a
 * rate of one half (a broken registration) exceeds it three times in
 * four; the benchmark's 100 pairs watch the rate itself. */
constexpr double FLOOR_MAE = 0.09, FLOOR_WITHIN = 0.80, FLOOR_F1 = 0.90;
constexpr int FLOOR_REFUSED = 6;

struct Options
{
  int                trays = 100, dishes = 20;
  unsigned long long seed = 1;
  bool               quick = false, json = false, tap = false;
  std::string        photos;
};

struct Truth
{
  std::string id, how;
  cv::Rect    food, container;
  double      left, served = 0.0;
  int         bones;
  bool        smear;
};

struct Report
{
  int    pairs = 0, regions = 0, missed = 0, extra = 0, refused = 0, failed = 0, merged = 0, scored = 0;
  int    no_food = 0;  /* checkout pictures where segmentation found no food */
  int    cross_tried = 0, cross_accepted = 0;
  double abs_sum = 0.0;
  int    within = 0;
  int    tp = 0, fp = 0, fn = 0;  /* clean plate = positive */
  std::vector<double> latency, cpu;
  long   peak_rss_kb = 0;
  std::string first_error;
  /* MAE by how it was eaten. */
  std::vector<std::pair<std::string, std::pair<double, int>>> by_how;

  double mae () const { return scored > 0 ? abs_sum / scored : 1.0; }
  double within_share () const { return scored > 0 ? static_cast<double> (within) / scored : 0.0; }
  double precision () const { return tp + fp > 0 ? static_cast<double> (tp) / (tp + fp) : 0.0; }
  double recall () const { return tp + fn > 0 ? static_cast<double> (tp) / (tp + fn) : 0.0; }
  double f1 () const
  {
    const double p = precision (), r = recall ();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  void add_how (const std::string &how, double err)
  {
    for (auto &h : by_how)
      if (h.first == how)
        {
          h.second.first += err;
          h.second.second++;
          return;
        }
    by_how.push_back ({ how, { err, 1 } });
  }
};

double
percentile (std::vector<double> v, double p)
{
  if (v.empty ())
    return 0.0;
  std::sort (v.begin (), v.end ());
  const std::size_t k = static_cast<std::size_t> (std::ceil (p / 100.0 * static_cast<double> (v.size ())));
  return v[std::min (v.size () - 1, k > 0 ? k - 1 : 0)];
}

bool
parse (int argc, char **argv, Options *o)
{
  bool trays_set = false, dishes_set = false;
  for (int i = 1; i < argc; i++)
    {
      const std::string a = argv[i];
      const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
      auto number = [&] (long lo, long hi, long *out) {
        char *end = nullptr;
        errno = 0;
        const long v = value ? std::strtol (value, &end, 10) : 0;
        if (!value || errno || end == value || *end || v < lo || v > hi)
          {
            std::fprintf (stderr, "waste-eval: %s needs a number from %ld to %ld\n", a.c_str (), lo, hi);
            return false;
          }
        *out = v;
        i++;
        return true;
      };
      long n = 0;
      if (a == "--trays" || a == "--dishes" || a == "--seed")
        {
          if (!number (a == "--seed" ? 0 : 1, a == "--dishes" ? 150 : a == "--trays" ? 100000 : 2147483647, &n))
            return false;
          if (a == "--trays")
            o->trays = static_cast<int> (n), trays_set = true;
          else if (a == "--dishes")
            o->dishes = static_cast<int> (n), dishes_set = true;
          else
            o->seed = static_cast<unsigned long long> (n);
        }
      else if (a == "--photos" && value)
        o->photos = argv[++i];
      else if (a == "--quick")
        o->quick = true;
      else if (a == "--json")
        o->json = true;
      else if (a == "--tap")
        o->tap = true;
      else
        {
          std::fprintf (stderr, "waste-eval: unknown option “%s”\nusage: waste-eval [--trays N] [--dishes D] "
                                "[--seed S] [--quick] [--photos DIR] [--json | --tap]\n", a.c_str ());
          return false;
        }
    }
  if (o->quick)
    {
      o->trays = trays_set ? o->trays : 16;
      o->dishes = dishes_set ? o->dishes : 8;
    }
  if (o->photos.empty () && std::getenv ("CANTEEN_FOOD_PHOTOS"))
    o->photos = std::getenv ("CANTEEN_FOOD_PHOTOS");
  return true;
}

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

double
now_ms ()
{
  struct timespec t {};
  clock_gettime (CLOCK_MONOTONIC, &t);
  return static_cast<double> (t.tv_sec) * 1e3 + static_cast<double> (t.tv_nsec) / 1e6;
}

/* This thread's CPU time: the one-core cost even when other processes
 * share the core (wall time then counts their turns too). */
double
cpu_ms ()
{
  struct timespec t {};
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double> (t.tv_sec) * 1e3 + static_cast<double> (t.tv_nsec) / 1e6;
}

std::string
pair_path (const std::string &dir, int i, const char *what)
{
  char name[64];
  std::snprintf (name, sizeof name, "/pair-%05d-%s", i, what);
  return dir + name;
}

/* The child: draws every pair into `dir` (JPEGs, then the truth file by
 * rename, which marks the pair complete); "error" holds why it stopped. */
int
produce (const Options &o, const std::string &dir)
{
  traygen::keep_freed_memory ();
  try
    {
      traygen::PhotoLibrary library;
      std::string error;
      if (!library.load (o.photos, &error))
        {
          std::ofstream (dir + "/error") << "photos " << error;
          return 0;
        }
      const traygen::Menu menu = traygen::make_menu (library, o.dishes, o.seed);
      for (int i = 0; i < o.trays; i++)
        {
          const traygen::TrayPair p = traygen::make_tray_pair (library, menu, i);
          std::ofstream (pair_path (dir, i, "before.jpg"), std::ios::binary)
            .write (reinterpret_cast<const char *> (p.before.jpeg.data ()), static_cast<long> (p.before.jpeg.size ()));
          std::ofstream (pair_path (dir, i, "after.jpg"), std::ios::binary)
            .write (reinterpret_cast<const char *> (p.after.jpeg.data ()), static_cast<long> (p.after.jpeg.size ()));
          {
            std::ofstream t (pair_path (dir, i, "truth.tmp"));
            for (const auto &r : p.regions)
              t << r.id << ' ' << r.how << ' ' << r.food.x << ' ' << r.food.y << ' ' << r.food.width << ' '
                << r.food.height << ' ' << r.container.x << ' ' << r.container.y << ' ' << r.container.width << ' '
                << r.container.height << ' ' << r.left << ' ' << r.bones << ' ' << r.smear << ' ' << r.served << '\n';
          }
          std::rename (pair_path (dir, i, "truth.tmp").c_str (), pair_path (dir, i, "truth").c_str ());
        }
    }
  catch (const std::exception &e)
    {
      std::ofstream (dir + "/error") << "generator " << e.what ();
    }
  return 0;
}

/* Waits for pair i; false (with *why) when the child stopped without it. */
bool
wait_pair (const std::string &dir, int i, pid_t child, std::string *why)
{
  std::error_code ec;
  for (;;)
    {
      if (std::filesystem::exists (pair_path (dir, i, "truth"), ec))
        return true;
      if (std::filesystem::exists (dir + "/error", ec))
        {
          std::ifstream e (dir + "/error");
          std::getline (e, *why);
          return false;
        }
      int status = 0;
      if (waitpid (child, &status, WNOHANG) == child)
        {
          if (std::filesystem::exists (pair_path (dir, i, "truth"), ec))
            return true;
          std::ifstream e (dir + "/error");
          if (!std::getline (e, *why))
            *why = "the generator stopped early";
          return false;
        }
      usleep (5000);
    }
}

std::vector<Truth>
read_truth (const std::string &path)
{
  std::vector<Truth> out;
  std::ifstream in (path);
  std::string line;
  while (std::getline (in, line))
    {
      std::istringstream s (line);
      Truth t;
      s >> t.id >> t.how >> t.food.x >> t.food.y >> t.food.width >> t.food.height >> t.container.x >> t.container.y
        >> t.container.width >> t.container.height >> t.left >> t.bones >> t.smear >> t.served;
      if (s)
        out.push_back (t);
    }
  return out;
}

bool
load_rgb (const std::string &path, cv::Mat *rgb)
{
  cv::Mat bgr = cv::imread (path, cv::IMREAD_COLOR);
  if (bgr.empty ())
    return false;
  cv::cvtColor (bgr, *rgb, cv::COLOR_BGR2RGB);
  return true;
}

/* Each truth region ↦ the predicted region whose box holds its food's
 * centre with the largest overlap; -1 when none. */
int
match (const Truth &t, const CanteenVisionLeftovers &r)
{
  const cv::Point c (t.food.x + t.food.width / 2, t.food.y + t.food.height / 2);
  int best = -1;
  double best_iou = 0.0;
  for (int k = 0; k < r.n_items; k++)
    {
      const cv::Rect b (r.items[k].box[0], r.items[k].box[1], r.items[k].box[2], r.items[k].box[3]);
      if (!b.contains (c))
        continue;
      const double iou = static_cast<double> ((b & t.container).area ()) / std::max (1, (b | t.container).area ());
      if (iou > best_iou)
        {
          best_iou = iou;
          best = k;
        }
    }
  return best;
}

double
load_average ()
{
  double l[1] = { 0.0 };
  return getloadavg (l, 1) == 1 ? l[0] : -1.0;
}

void
print_table (const Options &o, const Report &r)
{
  std::printf ("waste-eval: %d tray pairs, %d dishes on the menu, seed %llu\n", r.pairs, o.dishes, o.seed);
  std::printf ("  dishes %d (missed %d, %d merged two to a region by segmentation); regions scored %d, extra %d;\n"
               "  same-tray pairs refused %d, no food found in the checkout picture %d, failed %d\n", r.regions,
               r.missed, r.merged, r.scored, r.extra, r.refused, r.no_food, r.failed);
  std::printf ("  %-34s %10s %10s\n", "figure", "measured", "target");
  std::printf ("  %-34s %10.3f %10s\n", "leftover-fraction MAE", r.mae (), "≤ 0.08");
  std::printf ("  %-34s %9.1f%% %10s\n", "within ±0.10", 100 * r.within_share (), "");
  std::printf ("  %-34s %10.3f %10s\n", "clean-plate precision", r.precision (), "");
  std::printf ("  %-34s %10.3f %10s\n", "clean-plate recall", r.recall (), "");
  std::printf ("  %-34s %10.3f %10s\n", "clean-plate F1", r.f1 (), "≥ 0.95");
  std::printf ("  %-34s %10.1f %10s\n", "latency p50 ms (one core)", percentile (r.latency, 50), "");
  std::printf ("  %-34s %10.1f %10s\n", "latency p95 ms (one core)", percentile (r.latency, 95), "≤ 150");
  std::printf ("  %-34s %10.1f %10s\n", "CPU time p50 ms", percentile (r.cpu, 50), "");
  std::printf ("  %-34s %10.1f %10s\n", "CPU time p95 ms", percentile (r.cpu, 95), "≤ 150");
  std::printf ("  %-34s %10.2f %10s\n", "load average (1 min) at the end", load_average (), "");
  std::printf ("  %-34s %10ld %10s\n", "peak RSS KiB", r.peak_rss_kb, "");
  std::printf ("  %-34s %6d / %-3d %10s\n", "different trays accepted", r.cross_accepted, r.cross_tried, "0");
  for (const auto &h : r.by_how)
    std::printf ("  MAE %-30s %10.3f  (%d)\n", h.first.c_str (), h.second.first / std::max (1, h.second.second),
                 h.second.second);
  if (!r.first_error.empty ())
    std::printf ("  last failure (or first refusal): %s\n", r.first_error.c_str ());
}

void
print_json (const Options &o, const Report &r)
{
  std::printf ("{\"pairs\":%d,\"dishes\":%d,\"seed\":%llu,\"merged\":%d,\"scored\":%d,\"regions\":%d,\"missed\":%d,\"extra\":%d,\"refused\":%d,"
               "\"no_food\":%d,\"failed\":%d,\"mae\":%.4f,\"within_0_10\":%.4f,\"clean_precision\":%.4f,\"clean_recall\":%.4f,"
               "\"clean_f1\":%.4f,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"peak_rss_kb\":%ld,\"cross_tried\":%d,"
               "\"cpu_p50_ms\":%.2f,\"cpu_p95_ms\":%.2f,\"cross_accepted\":%d,\"targets\":{\"mae\":%.2f,\"clean_f1\":%.2f,\"p95_ms\":%.0f}}\n",
               r.pairs, o.dishes, o.seed, r.merged, r.scored, r.regions, r.missed, r.extra, r.refused, r.no_food, r.failed,
               r.mae (),
               r.within_share (), r.precision (), r.recall (), r.f1 (), percentile (r.latency, 50),
               percentile (r.latency, 95), r.peak_rss_kb, r.cross_tried, percentile (r.cpu, 50), percentile (r.cpu, 95),
               r.cross_accepted, TARGET_MAE, TARGET_F1,
               TARGET_P95_MS);
}

int
print_tap (const Report &r)
{
  int n = 0, failed = 0;
  auto check = [&] (bool ok, const std::string &what) {
    std::printf ("%s %d - %s\n", ok ? "ok" : "not ok", ++n, what.c_str ());
    failed += !ok;
  };
  char text[160];
  std::printf ("# pairs %d regions %d missed %d refused %d; MAE %.3f within %.3f clean P %.3f R %.3f F1 %.3f; "
               "p50 %.1f ms p95 %.1f ms; RSS %ld KiB\n",
               r.pairs, r.regions, r.missed, r.refused, r.mae (), r.within_share (), r.precision (), r.recall (),
               r.f1 (), percentile (r.latency, 50), percentile (r.latency, 95), r.peak_rss_kb);
  check (r.failed == 0, "no pair failed outright");
  std::snprintf (text, sizeof text, "same-tray pairs refused %d ≤ %d", r.refused, FLOOR_REFUSED);
  check (r.refused <= FLOOR_REFUSED, text);
  check (r.cross_accepted == 0, "no other tray's return accepted");
  std::snprintf (text, sizeof text, "MAE %.3f ≤ %.2f", r.mae (), FLOOR_MAE);
  check (r.mae () <= FLOOR_MAE, text);
  std::snprintf (text, sizeof text, "within ±0.10 %.3f ≥ %.2f", r.within_share (), FLOOR_WITHIN);
  check (r.within_share () >= FLOOR_WITHIN, text);
  std::snprintf (text, sizeof text, "clean-plate F1 %.3f ≥ %.2f", r.f1 (), FLOOR_F1);
  check (r.f1 () >= FLOOR_F1, text);
  check (r.missed * 2 <= r.regions, "at most half the dishes missed (segmentation or refusal)");
  std::printf ("1..%d\n", n);
  return failed;
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
  auto skip = [&] (const std::string &why) {
    if (o.tap)
      {
        std::printf ("1..0 # SKIP %s\n", why.c_str ());
        return 0;
      }
    std::fprintf (stderr, "waste-eval: skipped: %s\n", why.c_str ());
    return EXIT_SKIP;
  };
  if (o.photos.empty ())
    return skip ("no food photos: set CANTEEN_FOOD_PHOTOS or --photos (./canteen test fetches them)");
  if (!std::filesystem::is_directory (o.photos, ec))
    return skip (o.photos + ": no such folder of food photos (./canteen test fetches them)");

  char tmpl[] = "/tmp/waste-eval-XXXXXX";
  if (!mkdtemp (tmpl))
    {
      std::fprintf (stderr, "waste-eval: cannot make a temporary folder: %s\n", std::strerror (errno));
      return EXIT_ERROR;
    }
  const std::string dir = tmpl;
  const int cpu = first_cpu ();
  cpu_set_t others;
  CPU_ZERO (&others);
  sched_getaffinity (0, sizeof others, &others);
  if (cpu >= 0 && CPU_COUNT (&others) > 1)
    CPU_CLR (cpu, &others);
  std::fflush (stdout);
  const pid_t child = fork ();
  if (child < 0)
    {
      std::fprintf (stderr, "waste-eval: fork: %s\n", std::strerror (errno));
      std::filesystem::remove_all (dir, ec);
      return EXIT_ERROR;
    }
  if (child == 0)
    {
      sched_setaffinity (0, sizeof others, &others);
      _exit (produce (o, dir));
    }
  cpu_set_t mine;
  CPU_ZERO (&mine);
  CPU_SET (cpu, &mine);
  if (cpu < 0 || sched_setaffinity (0, sizeof mine, &mine) != 0)
    std::fprintf (stderr, "waste-eval: could not pin to one CPU; latency is not a one-core figure\n");
  cv::setNumThreads (1);

  Report r;
  CanteenVision *vision = canteen_vision_new ();
  int status = 0;
  cv::Mat prev_before;
  std::vector<Truth> prev_truth;
  std::string why;
  for (int i = 0; i < o.trays; i++)
    {
      if (!wait_pair (dir, i, child, &why))
        {
          if (why.rfind ("photos ", 0) == 0)
            {
              kill (child, SIGTERM);
              waitpid (child, nullptr, 0);
              std::filesystem::remove_all (dir, ec);
              canteen_vision_free (vision);
              return skip (why.substr (7));
            }
          std::fprintf (stderr, "waste-eval: %s\n", why.c_str ());
          status = EXIT_ERROR;
          break;
        }
      cv::Mat before, after;
      const std::vector<Truth> truth = read_truth (pair_path (dir, i, "truth"));
      if (!load_rgb (pair_path (dir, i, "before.jpg"), &before) || !load_rgb (pair_path (dir, i, "after.jpg"), &after))
        {
          std::fprintf (stderr, "waste-eval: pair %d: the generator wrote an unreadable picture\n", i);
          status = EXIT_ERROR;
          break;
        }
      if (!std::getenv ("WASTE_EVAL_KEEP"))
        {
          std::filesystem::remove (pair_path (dir, i, "before.jpg"), ec);
          std::filesystem::remove (pair_path (dir, i, "after.jpg"), ec);
        }
      r.pairs++;
      r.regions += static_cast<int> (truth.size ());

      const CanteenVisionImage ib = image_of (before), ia = image_of (after);
      CanteenVisionLeftovers res {};
      const double t0 = now_ms (), c0 = cpu_ms ();
      const CanteenVisionStatus s = canteen_vision_leftovers (vision, &ib, &ia, &res);
      r.latency.push_back (now_ms () - t0);
      r.cpu.push_back (cpu_ms () - c0);
      if (s != CANTEEN_VISION_OK)
        {
          (s == CANTEEN_VISION_NOT_SAME_TRAY ? r.refused : s == CANTEEN_VISION_NO_FOOD ? r.no_food : r.failed)++;
          r.missed += static_cast<int> (truth.size ());
          if (std::getenv ("WASTE_EVAL_VERBOSE"))
            std::fprintf (stderr, "pair %d refused: %s\n", i, res.error);
          if (r.first_error.empty () || s != CANTEEN_VISION_NOT_SAME_TRAY)
            r.first_error = "pair " + std::to_string (i) + " (status " + std::to_string (static_cast<int> (s))
                            + "): " + res.error;
        }
      else
        {
          /* Truths ↦ predicted regions; a region that holds two dishes
           * (the segmentation merged them: recognition's error, counted
           * apart) is scored against their pooled truth, by served area. */
          std::vector<std::vector<const Truth *>> held (static_cast<std::size_t> (res.n_items));
          for (const Truth &t : truth)
            {
              const int k = match (t, res);
              if (k < 0)
                r.missed++;
              else
                held[static_cast<std::size_t> (k)].push_back (&t);
            }
          std::vector<bool> used (static_cast<std::size_t> (res.n_items), false);
          for (int k = 0; k < res.n_items; k++)
            {
              const auto &ts = held[static_cast<std::size_t> (k)];
              if (ts.empty ())
                continue;
              used[static_cast<std::size_t> (k)] = true;
              double left = 0.0, area = 0.0;
              for (const Truth *t : ts)
                {
                  left += t->left * std::max (t->served, 1.0);
                  area += std::max (t->served, 1.0);
                }
              left /= area;
              r.merged += ts.size () > 1 ? static_cast<int> (ts.size ()) : 0;
              r.scored++;
              const double got = res.items[k].leftover_fraction, err = std::abs (got - left);
              r.abs_sum += err;
              r.within += err <= 0.10;
              r.add_how (ts.size () > 1 ? "merged" : ts[0]->how, err);
              const bool clean = left <= CLEAN, said_clean = got <= CLEAN;
              r.tp += clean && said_clean;
              r.fp += !clean && said_clean;
              r.fn += clean && !said_clean;
              if (std::getenv ("WASTE_EVAL_VERBOSE"))
                std::fprintf (stderr, "pair %d %s %-9s truth %.3f got %.3f%s%s box %d %d\n", i, ts[0]->id.c_str (),
                              ts.size () > 1 ? "merged" : ts[0]->how.c_str (), left, got, ts[0]->bones ? " bones" : "",
                              ts[0]->smear ? " smear" : "", res.items[k].box[0], res.items[k].box[1]);
            }
          for (bool u : used)
            r.extra += !u;
        }
      if (std::getenv ("WASTE_EVAL_VERBOSE") && s == CANTEEN_VISION_OK)
        std::fprintf (stderr, "same %d: same_tray %.3f matches %d\n", i, static_cast<double> (res.same_tray),
                      res.matches);
      canteen_vision_leftovers_clear (&res);

      /* Every 4th pair: last tray's checkout against this tray's return. */
      if (i % 4 == 1 && !prev_before.empty ())
        {
          const CanteenVisionImage ip = image_of (prev_before);
          CanteenVisionLeftovers cross {};
          r.cross_tried++;
          if (canteen_vision_leftovers (vision, &ip, &ia, &cross) == CANTEEN_VISION_OK)
            r.cross_accepted++;
          if (std::getenv ("WASTE_EVAL_VERBOSE"))
            std::fprintf (stderr, "cross %d: same_tray %.3f matches %d %s\n", i, static_cast<double> (cross.same_tray),
                          cross.matches, cross.error);
          canteen_vision_leftovers_clear (&cross);
        }
      prev_before = before;
      prev_truth = truth;
    }
  r.peak_rss_kb = [] {
    struct rusage u {};
    getrusage (RUSAGE_SELF, &u);
    return u.ru_maxrss;
  }();
  canteen_vision_free (vision);
  kill (child, SIGTERM);
  waitpid (child, nullptr, 0);
  if (std::getenv ("WASTE_EVAL_KEEP"))
    std::fprintf (stderr, "waste-eval: pairs kept in %s\n", dir.c_str ());
  else
    std::filesystem::remove_all (dir, ec);
  if (status != 0)
    return status;

  if (o.tap)
    return print_tap (r) == 0 ? 0 : 1;
  if (o.json)
    print_json (o, r);
  else
    print_table (o, r);
  return 0;
}
