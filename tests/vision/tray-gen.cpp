/* tray-gen.cpp — menus, enrollment photos and test trays: which dishes go
 * where, in what (and where a tray tag is stuck); drawing is food-plating,
 * tray-scene and camera-sim. */
#include "tray-gen.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "camera-sim.h"
#include "food-plating.h"
#include "mat-pool.h"
#include "tray-scene.h"
#include "tray-stages.h"

namespace traygen {

namespace {

/* What a seed is for, so that no two streams of one seed coincide. */
enum Stream : uint64_t { MENU = 1, TRAY = 2, ENROLL = 3, DRAW = 4 };

/* splitmix64: a well-mixed 64-bit state from (seed, stream, index). */
uint64_t
mix (uint64_t seed, Stream stream, uint64_t index)
{
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t> (stream) * 0x100000001ull + index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Sauces pieces may lie in: soy-braised, chilli oil, light broth, a white
 * (egg, starch) sauce, a green one. BGR. */
const cv::Scalar SAUCES[] = {
  { 30, 55, 100 }, { 25, 45, 165 }, { 140, 185, 205 }, { 215, 225, 228 }, { 55, 120, 85 },
};

Dish
make_dish (const PhotoLibrary &library, int photo_index, cv::RNG &rng)
{
  const FoodPhoto &photo = library.photos ()[static_cast<size_t> (photo_index)];
  Dish d {};
  d.photo = photo_index;
  const int longest = std::max (photo.bgr.cols, photo.bgr.rows);
  const bool small = std::max (photo.halves[0].width, photo.halves[0].height) < 150;
  /* Cut-outs (a fruit, a vegetable) are best as pieces; textures (grains,
   * leaves filling the frame) as a heap or filling a bowl. */
  if (photo.cutout && (small || rng.uniform (0.0, 1.0) < 0.75))
    d.plating = Plating::PIECES;
  else
    d.plating = rng.uniform (0.0, 1.0) < 0.6 ? Plating::MOUND : Plating::SPREAD;
  /* Texture detail at a food-like size whatever the photo's resolution. */
  d.texture_scale = std::clamp (rng.uniform (0.8, 1.25) * 300.0 / longest, 0.35, 1.6);
  d.piece_size = rng.uniform (0.28, 0.45);
  d.sauce = rng.uniform (0.0, 1.0) < 0.55;
  cv::Scalar s = SAUCES[rng.uniform (0, static_cast<int> (sizeof SAUCES / sizeof SAUCES[0]))];
  const double f = rng.uniform (0.85, 1.1);
  d.sauce_bgr = cv::Scalar (s[0] * f, s[1] * f, s[2] * f);
  return d;
}

/* One food region's ground truth from its tray-space food mask. */
Region
region_of (const Menu &menu, int dish, const Container &where, const cv::Mat &food, const Shot &shot)
{
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours (food, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  std::vector<cv::Point> all;
  for (const auto &c : contours)
    all.insert (all.end (), c.begin (), c.end ());
  const Dish &d = menu.dishes[static_cast<size_t> (dish)];
  return Region { dish, d.id, d.enrolled, project_box (shot, all), project_box (shot, outline (where.outer)),
                  vessel_name (where.kind) };
}

VesselKind
vessel_for (const Dish &dish, cv::RNG &rng)
{
  if (dish.plating == Plating::SPREAD)
    return VesselKind::BOWL;
  double r = rng.uniform (0.0, 1.0);
  return r < 0.5 ? VesselKind::ROUND_PLATE : r < 0.75 ? VesselKind::OVAL_PLATE : VesselKind::RECT_PLATE;
}

/* What goes where on test tray `index`: its own random stream, apart from
 * the drawing's, so plan_tray() is cheap and make_tray() draws the same. */
struct Layout
{
  TrayKind               kind;
  bool                   flat;
  std::vector<Container> places;  /* compartments, or the plates and bowls placed */
  std::vector<int>       dishes;  /* per place: index in Menu::dishes, -1 = left empty */
};

Layout
lay_out (const Menu &menu, int index)
{
  cv::RNG rng (mix (menu.seed, TRAY, static_cast<uint64_t> (index)));
  Layout l;
  const double r = rng.uniform (0.0, 1.0);
  l.kind = r < 0.40 ? TrayKind::COMPARTMENT_STAINLESS
           : r < 0.55 ? TrayKind::COMPARTMENT_PLASTIC
           : r < 0.80 ? TrayKind::FLAT_PLASTIC
                      : TrayKind::FLAT_STAINLESS;
  l.flat = l.kind == TrayKind::FLAT_PLASTIC || l.kind == TrayKind::FLAT_STAINLESS;

  /* Where food goes: the compartments (a few left empty), or 1–4 plates
   * and bowls (now and then an empty one). */
  std::vector<bool> filled;
  if (!l.flat)
    {
      l.places = compartment_layout (rng.uniform (3, 6), rng);
      for (size_t i = 0; i < l.places.size (); i++)
        filled.push_back (rng.uniform (0.0, 1.0) < 0.88);
    }
  else
    {
      const double c = rng.uniform (0.0, 1.0);
      const int count = c < 0.2 ? 1 : c < 0.55 ? 2 : c < 0.85 ? 3 : 4;
      for (int i = 0; i < count; i++)
        filled.push_back (rng.uniform (0.0, 1.0) < 0.97);
    }

  /* The dishes: never the same twice on a tray; about UNKNOWN_SHARE of
   * them never enrolled. */
  const int n_dishes = static_cast<int> (menu.dishes.size ());
  std::vector<bool> taken (static_cast<size_t> (n_dishes), false);
  std::vector<int> dishes;
  for (bool f : filled)
    {
      int dish = -1;
      if (f)
        for (int attempt = 0; attempt < 64 && dish < 0; attempt++)
          {
            bool unknown = rng.uniform (0.0, 1.0) < UNKNOWN_SHARE;
            int pick = unknown ? rng.uniform (menu.n_enrolled, n_dishes) : rng.uniform (0, menu.n_enrolled);
            if (!taken[static_cast<size_t> (pick)])
              dish = pick;
          }
      if (dish >= 0)
        taken[static_cast<size_t> (dish)] = true;
      dishes.push_back (dish);
    }
  if (!l.flat)
    {
      l.dishes = dishes;
      return l;
    }
  /* A vessel that finds no room is left off the tray, with its dish. */
  for (int dish : dishes)
    {
      VesselKind kind = dish >= 0 ? vessel_for (menu.dishes[static_cast<size_t> (dish)], rng)
                                  : static_cast<VesselKind> (rng.uniform (0, 4));
      Container vessel;
      if (place_vessel (kind, l.places, false, rng, &vessel))
        {
          l.places.push_back (vessel);
          l.dishes.push_back (dish);
        }
    }
  return l;
}

/* Where a tray tag goes: the place on the rim whose sticker would cover
 * least of the food and the plates and bowls (a sticker is stuck where
 * nothing stands), a corner when one is as good. No rng: the tray is
 * drawn as without a tag. */
int
tag_place (const Layout &l, const std::vector<std::pair<size_t, cv::Mat>> &foods)
{
  cv::Mat taken (TRAY_HEIGHT, TRAY_WIDTH, CV_8U, cv::Scalar (0));
  for (const auto &[i, food] : foods)
    taken |= food;
  if (l.flat)
    for (const auto &vessel : l.places)
      taken |= shape_mask (vessel.outer, taken.size ());
  int best = 0, least = -1;
  for (int place = 0; place < TAG_PLACES; place++)
    {
      const int cost = cv::countNonZero (taken (tag_bounds (place)));
      if (least < 0 || cost < least)
        {
          least = cost;
          best = place;
        }
    }
  return best;
}

void
finish (Frame &frame, TrayScene &scene, const Shot &shot, cv::RNG &rng)
{
  frame.tray = scene.style;
  frame.notes = shot.describe ();
  frame.bgr = photograph (scene.canvas, scene.silhouette, shot, rng, &frame.jpeg);
}

} // namespace

const char *
plating_name (Plating plating)
{
  switch (plating)
    {
    case Plating::MOUND:  return "mound";
    case Plating::PIECES: return "pieces";
    case Plating::SPREAD: return "spread";
    }
  return "?";
}

Menu
make_menu (const PhotoLibrary &library, int n_enrolled, uint64_t seed, const std::vector<DishHint> &hints)
{
  const int n_unknown = std::max (2, n_enrolled / 5);
  const int total = n_enrolled + n_unknown;
  const int available = static_cast<int> (library.photos ().size ());
  if (n_enrolled < 1 || total > available)
    throw std::invalid_argument ("a menu of " + std::to_string (n_enrolled) + " dishes needs "
                                 + std::to_string (total) + " food photos; " + library.dir () + " has "
                                 + std::to_string (available));
  cv::RNG rng (mix (seed, MENU, 0));
  std::vector<int> order (static_cast<size_t> (available));
  for (int i = 0; i < available; i++)
    order[static_cast<size_t> (i)] = i;
  for (int i = available - 1; i > 0; i--)
    std::swap (order[static_cast<size_t> (i)], order[static_cast<size_t> (rng.uniform (0, i + 1))]);

  std::vector<bool> used (static_cast<size_t> (available), false);
  std::vector<int> chosen (static_cast<size_t> (total), -1);
  for (size_t i = 0; i < hints.size () && i < chosen.size (); i++)
    {
      int p = hints[i].photo.empty () ? -1 : library.find (hints[i].photo);
      if (p >= 0 && !used[static_cast<size_t> (p)])
        {
          chosen[i] = p;
          used[static_cast<size_t> (p)] = true;
        }
    }
  size_t next = 0;
  for (auto &c : chosen)
    if (c < 0)
      {
        while (used[static_cast<size_t> (order[next])])
          next++;
        c = order[next];
        used[static_cast<size_t> (c)] = true;
      }

  Menu menu;
  menu.seed = seed;
  menu.n_enrolled = n_enrolled;
  const int width = total >= 100 ? 3 : 2;
  for (int i = 0; i < total; i++)
    {
      Dish d = make_dish (library, chosen[static_cast<size_t> (i)], rng);
      if (static_cast<size_t> (i) < hints.size () && hints[static_cast<size_t> (i)].spread)
        d.plating = Plating::SPREAD;
      d.enrolled = i < n_enrolled;
      char id[16];
      std::snprintf (id, sizeof id, "%c%0*d", d.enrolled ? 'D' : 'X', width, d.enrolled ? i + 1 : i - n_enrolled + 1);
      d.id = id;
      menu.dishes.push_back (d);
    }
  return menu;
}

Frame
make_enrollment (const PhotoLibrary &library, const Menu &menu, int dish, int k)
{
  if (dish < 0 || dish >= menu.n_enrolled)
    throw std::invalid_argument ("enrollment of a dish that is not on the menu");
  MatPoolScope pool;
  cv::RNG rng (mix (menu.seed, ENROLL, static_cast<uint64_t> (dish) * 1024 + static_cast<uint64_t> (k)));
  const Dish &d = menu.dishes[static_cast<size_t> (dish)];
  TrayScene scene = draw_tray (rng.uniform (0, 2) ? TrayKind::FLAT_STAINLESS : TrayKind::FLAT_PLASTIC, {}, rng);

  Container vessel;
  if (!place_vessel (vessel_for (d, rng), {}, true, rng, &vessel))
    throw std::logic_error ("an empty tray has no room for one plate");
  draw_vessel (scene, vessel, rng);

  Frame frame;
  cv::Mat well = shape_mask (vessel.well, scene.canvas.size ());
  const FoodPhoto &photo = library.photos ()[static_cast<size_t> (d.photo)];
  cv::Mat food = paint_food (scene.canvas, well, vessel.well, photo, d.photo, ENROLL_HALF, d, rng, &frame.crops);
  Shot shot = choose_shot (rng);
  frame.regions.push_back (region_of (menu, dish, vessel, food, shot));
  finish (frame, scene, shot, rng);
  return frame;
}

TrayPlan
plan_tray (const Menu &menu, int index)
{
  Layout l = lay_out (menu, index);
  TrayPlan plan;
  plan.tray = tray_style (l.kind, l.flat ? 0 : l.places.size ());
  for (size_t i = 0; i < l.places.size (); i++)
    if (l.dishes[i] < 0)
      plan.empty++;
    else
      {
        plan.dishes.push_back (l.dishes[i]);
        plan.vessels.emplace_back (vessel_name (l.places[i].kind));
      }
  return plan;
}

TrayStages
make_tray_stages (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag)
{
  MatPoolScope pool;
  const Layout l = lay_out (menu, index);
  cv::RNG rng (mix (menu.seed, DRAW, static_cast<uint64_t> (index)));
  TrayScene scene = draw_tray (l.kind, l.flat ? std::vector<Container> () : l.places, rng);
  if (l.flat)
    for (const auto &vessel : l.places)
      draw_vessel (scene, vessel, rng);

  TrayStages st;
  st.kind = l.kind;
  st.bare = scene.canvas.clone ();
  Frame &frame = st.frame;
  std::vector<std::pair<size_t, cv::Mat>> foods;
  for (size_t i = 0; i < l.places.size (); i++)
    {
      if (l.dishes[i] < 0)
        continue;
      const Dish &d = menu.dishes[static_cast<size_t> (l.dishes[i])];
      cv::Mat well = shape_mask (l.places[i].well, scene.canvas.size ());
      const FoodPhoto &photo = library.photos ()[static_cast<size_t> (d.photo)];
      foods.emplace_back (i, paint_food (scene.canvas, well, l.places[i].well, photo, d.photo, TEST_HALF, d, rng,
                                         &frame.crops));
    }
  /* The sticker goes where the food is not; the little it still covers
   * is not food any more (the truth is what the camera can see). */
  std::vector<cv::Point> tag_outline;
  if (!tag.empty ())
    {
      st.tag_place = tag_place (l, foods);
      st.tag_text = "CANTEEN-TRAY:" + tag;
      tag_outline = draw_tag (scene.canvas, scene.silhouette, st.tag_text, st.tag_place);
      draw_tag (st.bare, scene.silhouette, st.tag_text, st.tag_place);
      cv::Mat cover (scene.canvas.size (), CV_8U, cv::Scalar (255));
      cv::fillConvexPoly (cover, tag_outline, cv::Scalar (0));
      for (auto &[i, food] : foods)
        food &= cover;
    }
  st.served = scene.canvas.clone ();
  draw_occluders (scene, rng);
  Shot shot = choose_shot (rng);
  for (const auto &[i, food] : foods)
    {
      frame.regions.push_back (region_of (menu, l.dishes[i], l.places[i], food, shot));
      st.places.push_back (l.places[i]);
      st.food.push_back (food);
    }
  finish (frame, scene, shot, rng);
  if (!tag.empty ())
    {
      frame.tag = tag;
      frame.tag_box = project_box (shot, tag_outline);
    }
  st.silhouette = scene.silhouette;
  st.shot = shot;
  st.tag = tag_outline;
  return st;
}

Frame
make_tray (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag)
{
  return make_tray_stages (library, menu, index, tag).frame;
}

} // namespace traygen
