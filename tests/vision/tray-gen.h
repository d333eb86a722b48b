/* tray-gen.h — seeded synthetic canteen trays, the data of the vision
 * harness (vision-eval), its self-test and the demo's camera folder.
 *
 * Contract:
 *  - Everything is a pure function of (photo library, menu size, seed,
 *    index): the same inputs give byte-identical JPEG frames and the same
 *    ground truth on every run. Randomness is cv::RNG only, seeded per
 *    frame, so tray 17 is the same whether 20 or 300 trays are made.
 *  - A frame is what the fixed checkout camera sees: 1280x720, a tray from
 *    above on the counter, JPEG-compressed once. Lighting, colour
 *    temperature, tray position, rotation, scale, tilt, blur, noise, JPEG
 *    quality and occluders (chopsticks, spoons) vary.
 *  - A dish is a food photo plus a plating style (mound, pieces, spread,
 *    with or without sauce). Enrollment photos show one plate or bowl of
 *    the dish alone on a tray, made only from the photo's enrollment half;
 *    test trays use only its test half (Frame::crops lists every photo
 *    rectangle used, so that can be checked).
 *  - A menu has n enrolled dishes and some never-enrolled ones; about 10%
 *    of the food on test trays is of a never-enrolled dish, whose expected
 *    answer is "unknown".
 *  - A test tray may carry a tray tag (issue 6: the return station matches
 *    a returned tray to its checkout by it): a QR sticker reading
 *    "CANTEEN-TRAY:<tag>" on the rim, at a corner or along a side, where
 *    it covers least food, drawn on the tray before the camera. Off by default; a tagged
 *    tray is the untagged one of the same (seed, index) plus its sticker,
 *    and no untagged frame changed when tags came in.
 *  - Test-only code. Misuse (a menu larger than the library) throws
 *    std::invalid_argument.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "food-photos.h"

namespace traygen {

constexpr int FRAME_WIDTH = 1280;
constexpr int FRAME_HEIGHT = 720;
/* Share of test food that is of a never-enrolled dish. */
constexpr double UNKNOWN_SHARE = 0.10;

enum class Plating { MOUND, PIECES, SPREAD };

struct Dish
{
  std::string id;            /* "D01"...; what the recogniser must answer */
  int         photo;         /* index in the library */
  Plating     plating;
  double      texture_scale; /* tray pixels per photo pixel (mound, spread) */
  double      piece_size;    /* a piece's length / the food's diameter (pieces) */
  bool        sauce;         /* pieces lie on a sauce */
  cv::Scalar  sauce_bgr;
  bool        enrolled;      /* false: only ever on test trays, expected "unknown" */
};

struct Menu
{
  uint64_t          seed = 0;
  std::vector<Dish> dishes;  /* the enrolled ones first */
  int               n_enrolled = 0;
};

/* One food region of a frame. */
struct Region
{
  int         dish;         /* index in Menu::dishes */
  std::string id;           /* the dish's id */
  bool        enrolled;
  cv::Rect    food;         /* the food's box in the frame */
  cv::Rect    container;    /* its plate, bowl or compartment */
  std::string vessel;       /* "round plate", "bowl", "compartment"... */
};

/* A photo rectangle a frame's food was painted from. */
struct Crop
{
  int      photo;
  cv::Rect rect;
};

struct Frame
{
  cv::Mat             bgr;     /* FRAME_WIDTH x FRAME_HEIGHT, CV_8UC3, decoded from jpeg */
  std::vector<uchar>  jpeg;
  std::vector<Region> regions;
  std::vector<Crop>   crops;
  std::string         tray;    /* tray style, e.g. "compartment-5 stainless" */
  std::string         notes;   /* the camera's draw (lighting, tilt...) for humans */
  std::string         tag;     /* the tray tag's id, "" for none */
  cv::Rect            tag_box; /* its sticker's box in the frame (empty for none) */
};

/* What the demo wants of dish i (empty / unset: the seed decides). */
struct DishHint
{
  std::string photo;         /* a library name; unknown names are ignored */
  bool        spread = false;/* served filling a bowl or compartment (rice, porridge, noodles) */
};

/* A menu of n_enrolled dishes (plus max(2, n_enrolled / 5) never enrolled),
 * drawn from the library by seed; hints[i], when given, shapes dish i. */
Menu make_menu (const PhotoLibrary &library, int n_enrolled, uint64_t seed, const std::vector<DishHint> &hints = {});

/* Enrollment photo k (0, 1, 2...) of an enrolled dish. */
Frame make_enrollment (const PhotoLibrary &library, const Menu &menu, int dish, int k);

/* Test tray `index` (0, 1, 2...); with a tray tag when `tag` is not "". */
Frame make_tray (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag = {});

/* What make_tray (…, index) will draw, without drawing it (cheap: for
 * statistics over many trays). */
struct TrayPlan
{
  std::string              tray;     /* as Frame::tray */
  std::vector<int>         dishes;   /* per food region, in Frame::regions order */
  std::vector<std::string> vessels;  /* as Region::vessel */
  int                      empty = 0;/* plates, bowls or compartments left empty */
};
TrayPlan plan_tray (const Menu &menu, int index);

const char *plating_name (Plating plating);

} // namespace traygen
