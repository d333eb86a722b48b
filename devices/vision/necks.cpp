/* necks.cpp — joined portions cut at their neck (see necks.hpp).
 *
 * The depth of a food pixel is its distance to the mask's edge. Two
 * portions joined across a wall or along a chopstick are two deep blobs
 * with a shallow neck between them; cutting the mask at a depth above the
 * neck's leaves the blobs' cores apart. The lowest level that parts them
 * cuts closest to the neck, and every food pixel then goes to the nearest
 * core. A lumpy single portion has necks too, but shallow blobs: a core
 * only counts as a blob when it is at least BLOB_OVER_NECK times deeper
 * than the level it was parted at. */
#include "necks.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

/* Levels, as shares of the region's greatest depth, at which the cores
 * are looked for, lowest first. */
constexpr double LEVELS[] = { 0.2, 0.25, 0.3, 0.35, 0.4, 0.5 };
/* A blob's deepest pixel is at least this many times the level: the
 * neck is at most half as thick as the thinner blob. */
constexpr double BLOB_OVER_NECK = 2.0;
/* Cores smaller than this (working pixels) are a bulge of the edge. */
constexpr int MIN_CORE = 16;
/* Nor is a blob shallower than this (working pixels: a portion 40 across,
 * about 6 cm of tray at 720p). Scattered pieces ("pieces" plating on the
 * synthetic trays) make lumpy portions whose lumps peak at 14-18 and were
 * cut in error; the joined portions found there peak at 24 and more. */
constexpr double MIN_BLOB_DEPTH = 20.0;

/* The region's parts, or none when it is one blob (or a part would be
 * smaller than a portion). */
std::vector<Region>
split_one (const Region &r, double min_area, int cut_id)
{
  /* One pixel of background around the food, so depths end at its edge. */
  const cv::Rect roi = cv::Rect (r.food_box.x - 1, r.food_box.y - 1, r.food_box.width + 2, r.food_box.height + 2)
                       & cv::Rect (0, 0, r.mask.cols, r.mask.rows);
  const cv::Mat mask = r.mask (roi);
  cv::Mat depth;
  cv::distanceTransform (mask, depth, cv::DIST_L2, 3);
  double deepest = 0.0;
  cv::minMaxLoc (depth, nullptr, &deepest);

  /* No blob can be deep enough. */
  if (deepest < MIN_BLOB_DEPTH)
    return {};

  for (double share : LEVELS)
    {
      const double level = share * deepest;
      cv::Mat labels, stats, centroids;
      const int n = cv::connectedComponentsWithStats (depth > level, labels, stats, centroids, 8, CV_32S);
      /* Each core's deepest pixel, in one pass. */
      std::vector<float> peak (static_cast<std::size_t> (n), 0.0f);
      for (int y = 0; y < labels.rows; y++)
        {
          const int *l = labels.ptr<int> (y);
          const float *d = depth.ptr<float> (y);
          for (int x = 0; x < labels.cols; x++)
            peak[static_cast<std::size_t> (l[x])] = std::max (peak[static_cast<std::size_t> (l[x])], d[x]);
        }
      std::vector<cv::Mat> blobs;
      for (int i = 1; i < n; i++)
        if (stats.at<int> (i, cv::CC_STAT_AREA) >= MIN_CORE
            && static_cast<double> (peak[static_cast<std::size_t> (i)]) >= std::max (BLOB_OVER_NECK * level, MIN_BLOB_DEPTH))
          blobs.push_back (labels == i);
      if (blobs.size () < 2)
        continue;

      /* Each pixel's nearest core: distanceTransform labels the zero
       * pixels' components, so the cores are the zeros. */
      cv::Mat others (mask.size (), CV_8U, cv::Scalar (255)), distance, nearest;
      for (const cv::Mat &core : blobs)
        others.setTo (0, core);
      cv::distanceTransform (others, distance, nearest, cv::DIST_L2, 3, cv::DIST_LABEL_CCOMP);

      std::vector<Region> parts;
      for (const cv::Mat &core : blobs)
        {
          std::vector<cv::Point> one;
          cv::findNonZero (core, one);
          const int id = nearest.at<int> (one.front ());
          Region part = r;
          /* A new buffer: assigning Mat::zeros() would zero the one part
           * shares with r. */
          part.mask = cv::Mat (r.mask.size (), CV_8U, cv::Scalar (0));
          part.mask (roi).setTo (255, mask & (nearest == id));
          part.area = cv::countNonZero (part.mask);
          if (part.area < min_area)
            return {};
          part.food_box = cv::boundingRect (part.mask);
          part.box = part.food_box;
          part.cut_from = cut_id;
          parts.push_back (std::move (part));
        }
      return parts;
    }
  return {};
}

} // namespace

void
split_at_necks (std::vector<Region> &regions, double min_area)
{
  std::vector<Region> out;
  out.reserve (regions.size ());
  int cut_id = 0;
  for (Region &r : regions)
    {
      std::vector<Region> parts = split_one (r, min_area, cut_id++);
      if (parts.empty ())
        out.push_back (std::move (r));
      else
        for (Region &p : parts)
          out.push_back (std::move (p));
    }
  regions = std::move (out);
}

} // namespace vision
