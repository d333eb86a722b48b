/* test-necks.cpp — two portions joined at a neck are cut apart, and one
 * portion stays whole (devices/vision/necks.hpp). Masks are drawn at the
 * working scale (640 x 360), as the food mask gives them: a chopstick
 * across two compartments, food filled to a thin wall, a lumpy pile of
 * pieces, a portion of two lobes as thick as their waist. */
#include <glib.h>
#include <opencv2/imgproc.hpp>

#include "food-mask.hpp"
#include "necks.hpp"
#include "vision-private.hpp"

namespace {

const cv::Size WORK (640, 360);

/* One region over `mask`, as food_regions() makes it. */
vision::Region
region_of (const cv::Mat &mask)
{
  vision::Region r;
  r.mask = mask.clone ();
  r.food_box = cv::boundingRect (mask);
  r.box = r.food_box;
  r.area = cv::countNonZero (mask);
  return r;
}

std::vector<vision::Region>
split (const cv::Mat &mask)
{
  std::vector<vision::Region> regions { region_of (mask) };
  vision::split_at_necks (regions, vision::min_portion_area (WORK));
  return regions;
}

/* Two portions of two compartments (120 x 100 each) joined by a
 * chopstick's band 14 pixels wide: two regions, every food pixel in one
 * of them, each part on its own side of the tray. */
void
test_chopstick_between_compartments ()
{
  cv::Mat mask (WORK, CV_8U, cv::Scalar (0));
  cv::rectangle (mask, cv::Rect (100, 100, 120, 100), cv::Scalar (255), cv::FILLED);
  cv::rectangle (mask, cv::Rect (260, 100, 120, 100), cv::Scalar (255), cv::FILLED);
  cv::rectangle (mask, cv::Rect (210, 143, 60, 14), cv::Scalar (255), cv::FILLED);
  const std::vector<vision::Region> parts = split (mask);
  g_assert_cmpuint (parts.size (), ==, 2);
  double area = 0.0;
  for (const vision::Region &p : parts)
    {
      area += p.area;
      g_assert_cmpint (p.cut_from, ==, parts[0].cut_from);
      g_assert_cmpint (p.cut_from, >=, 0);
      g_assert_true (p.box == p.food_box);
    }
  g_assert_cmpfloat (area, ==, cv::countNonZero (mask));
  const bool left_first = parts[0].food_box.x < parts[1].food_box.x;
  const vision::Region &left = parts[left_first ? 0 : 1], &right = parts[left_first ? 1 : 0];
  g_assert_cmpint (left.food_box.br ().x, <=, 245);
  g_assert_cmpint (right.food_box.x, >=, 235);
}

/* Food filled to a thin wall: the two blobs touch along a third of their
 * height. */
void
test_food_to_a_thin_wall ()
{
  cv::Mat mask (WORK, CV_8U, cv::Scalar (0));
  cv::ellipse (mask, cv::Point (200, 180), cv::Size (70, 60), 0, 0, 360, cv::Scalar (255), cv::FILLED);
  cv::ellipse (mask, cv::Point (330, 180), cv::Size (70, 60), 0, 0, 360, cv::Scalar (255), cv::FILLED);
  g_assert_cmpuint (split (mask).size (), ==, 2);
}

/* One portion: a round pile, a pile with two lobes and a waist almost
 * as thick as they are, a pile of pieces (shallow lumps under 20 pixels
 * deep joined by narrow bridges). None is cut. */
void
test_one_portion_stays_whole ()
{
  cv::Mat round (WORK, CV_8U, cv::Scalar (0));
  cv::circle (round, cv::Point (320, 180), 80, cv::Scalar (255), cv::FILLED);
  g_assert_cmpuint (split (round).size (), ==, 1);

  cv::Mat lobes (WORK, CV_8U, cv::Scalar (0));
  cv::circle (lobes, cv::Point (270, 180), 60, cv::Scalar (255), cv::FILLED);
  cv::circle (lobes, cv::Point (370, 180), 60, cv::Scalar (255), cv::FILLED);
  g_assert_cmpuint (split (lobes).size (), ==, 1);

  cv::Mat pieces (WORK, CV_8U, cv::Scalar (0));
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++)
      cv::circle (pieces, cv::Point (220 + 45 * i, 130 + 45 * j), 16, cv::Scalar (255), cv::FILLED);
  cv::rectangle (pieces, cv::Rect (220, 125, 135, 10), cv::Scalar (255), cv::FILLED);
  cv::rectangle (pieces, cv::Rect (220, 170, 135, 10), cv::Scalar (255), cv::FILLED);
  cv::rectangle (pieces, cv::Rect (220, 215, 135, 10), cv::Scalar (255), cv::FILLED);
  cv::rectangle (pieces, cv::Rect (260, 130, 10, 90), cv::Scalar (255), cv::FILLED);
  g_assert_cmpuint (split (pieces).size (), ==, 1);
}

/* A region without food (the mask emptied by a caller) is left alone. */
void
test_empty_region ()
{
  std::vector<vision::Region> regions { vision::Region {} };
  regions[0].mask = cv::Mat (WORK, CV_8U, cv::Scalar (0));
  vision::split_at_necks (regions, vision::min_portion_area (WORK));
  g_assert_cmpuint (regions.size (), ==, 1);
  g_assert_cmpint (regions[0].cut_from, ==, -1);
}

} // namespace

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, nullptr);
  g_test_add_func ("/necks/chopstick-between-compartments", test_chopstick_between_compartments);
  g_test_add_func ("/necks/food-to-a-thin-wall", test_food_to_a_thin_wall);
  g_test_add_func ("/necks/one-portion-stays-whole", test_one_portion_stays_whole);
  g_test_add_func ("/necks/empty-region", test_empty_region);
  return g_test_run ();
}
