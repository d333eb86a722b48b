/* food-photos.cpp — loads the food photographs, finds the food in each and
 * splits it into an enrollment half and a test half that look alike. */
#include "food-photos.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "mat-pool.h"

namespace fs = std::filesystem;

namespace traygen {

namespace {

/* A half with less food than this makes blurry, repetitive food (the
 * smallest Tux Paint stamps): such photos are left out. */
constexpr int MIN_HALF_FOOD = 500;
constexpr int MIN_HALF_SIDE = 14;
/* Mean colour distance (Lab, 8-bit scale) beyond which the two halves are
 * taken to be two different foods. */
constexpr double MAX_HALVES_APART = 20.0;
/* Colour distance (Lab, 8-bit scale) within which a pixel belongs to the
 * backdrop whose median the border gives. */
constexpr double BACKDROP_DISTANCE = 26.0;

/* A photo without a plain backdrop: if its middle looks nothing like its
 * border (a fruit on a cloth), GrabCut separates the middle's object;
 * otherwise (grains, leaves filling the frame) it is food all over. */
cv::Mat
object_mask (const cv::Mat &bgr, const cv::Mat &labf, const cv::Vec3f &border_median)
{
  const int w = bgr.cols, h = bgr.rows;
  cv::Mat all (h, w, CV_8U, cv::Scalar (255));
  cv::Rect middle (w * 3 / 8, h * 3 / 8, w / 4, h / 4);
  cv::Scalar centre = cv::mean (labf (middle));
  if (cv::norm (cv::Vec3f (static_cast<float> (centre[0]), static_cast<float> (centre[1]),
                           static_cast<float> (centre[2])) - border_median) < 45.0)
    return all;
  /* GrabCut at about 128 pixels across: seconds less per photo, and the
   * outline is still good to a few pixels, which the erosion takes off. */
  const double f = std::min (1.0, 128.0 / std::max (w, h));
  cv::Mat small, labels, bg, fg, mask;
  cv::resize (bgr, small, cv::Size (), f, f, cv::INTER_AREA);
  const int sw = small.cols, sh = small.rows;
  cv::grabCut (small, labels, cv::Rect (sw / 20, sh / 20, sw - sw / 10, sh - sh / 10), bg, fg, 3,
               cv::GC_INIT_WITH_RECT);
  mask = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
  cv::resize (mask, mask, bgr.size (), 0, 0, cv::INTER_LINEAR);
  mask = mask > 127;
  cv::erode (mask, mask, cv::Mat::ones (7, 7, CV_8U));
  if (cv::countNonZero (mask) < w * h / 7)
    return all;
  return mask;
}

/* Food mask of a photo without alpha: a plain backdrop (white or black
 * studio paper) is what is similar to the border's median colour and
 * connected to the border; food is the rest. A photo whose border is not
 * plain is food all over (grains, leaves filling the frame). */
cv::Mat
backdrop_mask (const cv::Mat &bgr)
{
  cv::Mat lab, labf;
  cv::cvtColor (bgr, lab, cv::COLOR_BGR2Lab);
  lab.convertTo (labf, CV_32F);

  const int w = bgr.cols, h = bgr.rows, band = 2;
  std::vector<cv::Vec3f> border;
  for (int y = 0; y < h; y++)
    {
      const bool full_row = y < band || y >= h - band;
      for (int x = 0; x < w; x = (full_row || x >= w - band - 1 || x < band - 1) ? x + 1 : w - band)
        border.push_back (labf.at<cv::Vec3f> (y, x));
    }

  cv::Vec3f median;
  for (int c = 0; c < 3; c++)
    {
      std::vector<float> v;
      v.reserve (border.size ());
      for (const auto &p : border)
        v.push_back (p[c]);
      std::nth_element (v.begin (), v.begin () + (long) v.size () / 2, v.end ());
      median[c] = v[v.size () / 2];
    }
  size_t plain = 0;
  double spread = 0.0;
  for (const auto &p : border)
    if (cv::norm (p - median) < BACKDROP_DISTANCE)
      {
        plain++;
        spread += std::fabs (static_cast<double> (p[0] - median[0]));
      }
  spread /= std::max<size_t> (plain, 1);

  cv::Mat all (h, w, CV_8U, cv::Scalar (255));
  /* Studio paper is white, black or grey: a coloured border (a tablecloth,
   * the food itself) is no backdrop. Food often touches the border, so
   * only half of it needs to be plain. */
  const double chroma = std::hypot (static_cast<double> (median[1]) - 128.0, static_cast<double> (median[2]) - 128.0);
  if (plain < border.size () / 2 || chroma > 24.0 || spread > 6.0)
    return object_mask (bgr, labf, median);

  cv::Mat diff = labf - cv::Scalar (static_cast<double> (median[0]), static_cast<double> (median[1]),
                                     static_cast<double> (median[2]));
  cv::Mat dist;
  {
    std::vector<cv::Mat> ch;
    cv::split (diff, ch);
    cv::magnitude (ch[0], ch[1], dist);
    cv::magnitude (dist, ch[2], dist);
  }
  /* The backdrop is what is near its colour and connected to the border:
   * flood each border-touching patch of near pixels (255) with 128. */
  cv::Mat near = dist < BACKDROP_DISTANCE;
  auto flood = [&] (int x, int y) {
    if (near.ptr<uchar> (y)[x] == 255)
      cv::floodFill (near, cv::Point (x, y), cv::Scalar (128), nullptr, cv::Scalar (), cv::Scalar (), 4);
  };
  for (int x = 0; x < w; x++)
    {
      flood (x, 0);
      flood (x, h - 1);
    }
  for (int y = 0; y < h; y++)
    {
      flood (0, y);
      flood (w - 1, y);
    }
  cv::Mat mask = near != 128;
  /* Drop the anti-aliased fringe, where backdrop bleeds into the food. */
  cv::morphologyEx (mask, mask, cv::MORPH_OPEN, cv::Mat::ones (3, 3, CV_8U));
  cv::erode (mask, mask, cv::Mat::ones (5, 5, CV_8U));
  /* Almost nothing left: the "backdrop" was the food itself (a frame full
   * of dark seeds has a plain dark border too). */
  if (cv::countNonZero (mask) < w * h / 7)
    return all;
  return mask;
}

/* Splits the food's bounding box across one side, where half of the food
 * lies on each side, then shrinks each half to its own food. False if
 * either half is too small. */
bool
split_across (const cv::Mat &mask, bool across_x, cv::Rect halves[2])
{
  cv::Rect box = cv::boundingRect (mask);
  if (box.empty ())
    return false;
  cv::Mat sums;
  cv::reduce (mask (box) / 255, sums, across_x ? 0 : 1, cv::REDUCE_SUM, CV_32S);
  const int n = static_cast<int> (sums.total ());
  long total = 0, run = 0;
  for (int i = 0; i < n; i++)
    total += sums.at<int> (i);
  int cut = n / 2;
  for (int i = 0; i < n; i++)
    {
      run += sums.at<int> (i);
      if (2 * run >= total)
        {
          cut = i;
          break;
        }
    }
  /* A gap of two pixels: no source pixel (nor its JPEG neighbour in the
   * photo) can end up in both an enrollment photo and a test tray. */
  cv::Rect a = box, b = box;
  if (across_x)
    {
      a.width = std::max (cut - 1, 0);
      b.x = box.x + cut + 2;
      b.width = box.width - cut - 2;
    }
  else
    {
      a.height = std::max (cut - 1, 0);
      b.y = box.y + cut + 2;
      b.height = box.height - cut - 2;
    }
  cv::Rect parts[2] = { a, b };
  for (int i = 0; i < 2; i++)
    {
      if (parts[i].width < MIN_HALF_SIDE || parts[i].height < MIN_HALF_SIDE)
        return false;
      cv::Rect food = cv::boundingRect (mask (parts[i]));
      if (food.width < MIN_HALF_SIDE || food.height < MIN_HALF_SIDE
          || cv::countNonZero (mask (parts[i])) < MIN_HALF_FOOD)
        return false;
      halves[i] = food + parts[i].tl ();
    }
  return true;
}

/* Mean Lab colour (8-bit scale) of the food in `r`. */
cv::Vec3d
food_lab_mean (const cv::Mat &lab, const cv::Mat &mask, const cv::Rect &r)
{
  cv::Scalar m = cv::mean (lab (r), mask (r));
  return cv::Vec3d (m[0], m[1], m[2]);
}

/* Splits the food in two the way that leaves the halves most alike (across
 * x or across y), and gives how far apart their mean colours still are.
 * False if neither way leaves two usable halves. */
bool
split_halves (const cv::Mat &bgr, const cv::Mat &mask, cv::Rect halves[2], double *difference)
{
  cv::Mat lab;
  cv::cvtColor (bgr, lab, cv::COLOR_BGR2Lab);
  bool found = false;
  for (bool across_x : { true, false })
    {
      cv::Rect parts[2];
      if (!split_across (mask, across_x, parts))
        continue;
      double d = cv::norm (food_lab_mean (lab, mask, parts[0]) - food_lab_mean (lab, mask, parts[1]));
      if (!found || d < *difference)
        {
          found = true;
          *difference = d;
          halves[0] = parts[0];
          halves[1] = parts[1];
        }
    }
  return found;
}

bool
load_one (const fs::path &path, const std::string &name, FoodPhoto *out)
{
  cv::Mat raw = cv::imread (path.string (), cv::IMREAD_UNCHANGED);
  if (raw.empty () || raw.depth () != CV_8U)
    return false;

  FoodPhoto photo;
  photo.name = name;
  if (raw.channels () == 4)
    {
      std::vector<cv::Mat> ch;
      cv::split (raw, ch);
      cv::merge (std::vector<cv::Mat> { ch[0], ch[1], ch[2] }, photo.bgr);
      photo.mask = ch[3] > 160;
      /* Stamps are small: one pixel of fringe is enough to drop. */
      cv::erode (photo.mask, photo.mask, cv::Mat::ones (3, 3, CV_8U));
      photo.cutout = true;
    }
  else
    {
      if (raw.channels () == 1)
        cv::cvtColor (raw, photo.bgr, cv::COLOR_GRAY2BGR);
      else if (raw.channels () == 3)
        photo.bgr = raw;
      else
        return false;
      photo.mask = backdrop_mask (photo.bgr);
      photo.cutout = cv::countNonZero (photo.mask) < static_cast<int> (photo.mask.total () * 85 / 100);
    }
  double difference = 0.0;
  if (!split_halves (photo.bgr, photo.mask, photo.halves, &difference))
    return false;
  /* Halves this far apart show two foods (rice beside a curry, a salad's
   * leaves beside its tomatoes): the photo is not one dish, and enrolling
   * one food and serving the other would test the photo, not the
   * recogniser. A canteen enrols from the same pot it serves. */
  if (difference > MAX_HALVES_APART)
    return false;
  photo.halves_apart = difference;
  cv::integral (photo.mask / 255, photo.integral, CV_32S);
  photo.mean = cv::mean (photo.bgr, photo.mask);
  *out = std::move (photo);
  return true;
}

} // namespace

double
FoodPhoto::coverage (const cv::Rect &r) const
{
  if (r.area () <= 0)
    return 0.0;
  const cv::Mat &s = integral;
  int sum = s.at<int> (r.y + r.height, r.x + r.width) - s.at<int> (r.y, r.x + r.width)
            - s.at<int> (r.y + r.height, r.x) + s.at<int> (r.y, r.x);
  return static_cast<double> (sum) / r.area ();
}

bool
PhotoLibrary::load (const std::string &dir, std::string *error)
{
  MatPoolScope pool;
  std::error_code ec;
  dir_ = dir;
  photos_.clear ();
  if (!fs::is_directory (dir, ec))
    {
      *error = dir + ": no such folder of food photos";
      return false;
    }

  std::vector<std::string> names;
  for (auto it = fs::recursive_directory_iterator (dir, ec); !ec && it != fs::recursive_directory_iterator ();
       it.increment (ec))
    {
      if (!it->is_regular_file (ec))
        continue;
      std::string ext = it->path ().extension ().string ();
      std::transform (ext.begin (), ext.end (), ext.begin (), [] (unsigned char c) { return std::tolower (c); });
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png")
        names.push_back (fs::relative (it->path (), dir, ec).generic_string ());
    }
  if (ec)
    {
      *error = dir + ": " + ec.message ();
      return false;
    }
  /* Byte order, not directory order: the library (and so every tray) must
   * not depend on the file system. */
  std::sort (names.begin (), names.end ());
  for (const auto &name : names)
    {
      FoodPhoto photo;
      if (load_one (fs::path (dir) / name, name, &photo))
        photos_.push_back (std::move (photo));
    }
  if (photos_.empty ())
    {
      *error = dir + ": no usable food photo (run ./canteen test or ./canteen bench vision to fetch them)";
      return false;
    }
  return true;
}

int
PhotoLibrary::find (const std::string &name) const
{
  for (size_t i = 0; i < photos_.size (); i++)
    if (photos_[i].name == name)
      return static_cast<int> (i);
  return -1;
}

} // namespace traygen
