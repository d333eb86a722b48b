/* tray-scene.cpp — trays, crockery and cutlery, drawn in tray space. The
 * light comes from the upper left, as in a canteen with ceiling lamps
 * behind the camera: shadows fall to the lower right. */
#include "tray-scene.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace traygen {

namespace {

const cv::Point SHADOW_OFFSET (8, 11);

/* BGR. Canteen trays: brown, beige, green, blue, grey, black, red. */
const cv::Scalar PLASTIC_TRAYS[] = {
  { 38, 68, 112 }, { 150, 190, 210 }, { 70, 110, 55 }, { 140, 95, 45 },
  { 105, 108, 110 }, { 42, 42, 45 }, { 50, 50, 160 }, { 120, 175, 140 },
};
/* Coloured crockery: melamine greens, blues, yellows, a dark glaze. */
const cv::Scalar CROCKERY[] = {
  { 175, 212, 170 }, { 225, 200, 160 }, { 150, 220, 240 }, { 200, 225, 240 },
  { 60, 85, 120 }, { 40, 40, 42 }, { 110, 175, 235 }, { 195, 175, 215 },
};
/* The band on a white plate's rim. */
const cv::Scalar BANDS[] = { { 150, 80, 30 }, { 70, 140, 40 }, { 40, 40, 170 }, { 60, 160, 200 } };
/* Chopsticks: bamboo, dark and red lacquer, stainless. */
const cv::Scalar STICKS[] = { { 140, 185, 215 }, { 35, 35, 45 }, { 40, 40, 150 }, { 185, 185, 190 } };

template <size_t N>
cv::Scalar
pick (const cv::Scalar (&palette)[N], cv::RNG &rng)
{
  return palette[rng.uniform (0, static_cast<int> (N))];
}

cv::Scalar
times (const cv::Scalar &c, double f)
{
  return cv::Scalar (std::min (255.0, c[0] * f), std::min (255.0, c[1] * f), std::min (255.0, c[2] * f));
}

/* Darkens the canvas under `polys` moved by `offset`, blurred: the soft
 * shadow of something standing on the tray. */
void
cast_shadow (cv::Mat &canvas, const std::vector<std::vector<cv::Point>> &polys, cv::Point offset, double sigma,
             double strength)
{
  cv::Rect box;
  for (const auto &p : polys)
    box |= cv::boundingRect (p);
  const int pad = static_cast<int> (3 * sigma) + 2;
  box = cv::Rect (box.x + offset.x - pad, box.y + offset.y - pad, box.width + 2 * pad, box.height + 2 * pad);
  box &= cv::Rect (0, 0, canvas.cols, canvas.rows);
  if (box.empty ())
    return;
  cv::Mat mask (box.size (), CV_32F, cv::Scalar (0));
  std::vector<std::vector<cv::Point>> moved = polys;
  for (auto &p : moved)
    for (auto &q : p)
      q += offset - box.tl ();
  cv::fillPoly (mask, moved, cv::Scalar (1.0), cv::LINE_AA);
  cv::GaussianBlur (mask, mask, cv::Size (0, 0), sigma);
  cv::Mat roi = canvas (box), f;
  roi.convertTo (f, CV_32FC3);
  cv::Mat keep = 1.0 - strength * mask;
  cv::Mat keep3;
  cv::merge (std::vector<cv::Mat> { keep, keep, keep }, keep3);
  f = f.mul (keep3);
  f.convertTo (roi, CV_8UC3);
}

/* Brushed stainless steel: streaks along the tray's length, and the broad
 * soft reflections of the lamps. */
cv::Mat
stainless (cv::Size size, cv::RNG &rng)
{
  cv::Mat streaks (size, CV_8U), glow (3, 4, CV_8U), grey;
  rng.fill (streaks, cv::RNG::UNIFORM, 0, 64);
  cv::blur (streaks, streaks, cv::Size (81, 1));
  /* The blur leaves streaks of about ±4 around 32: stretch them. */
  streaks.convertTo (streaks, CV_8U, 3.0, -96 + 20);
  rng.fill (glow, cv::RNG::UNIFORM, 0, 44);
  cv::resize (glow, grey, size, 0, 0, cv::INTER_CUBIC);
  grey += streaks;
  cv::Mat out;
  cv::cvtColor (grey, out, cv::COLOR_GRAY2BGR);
  const double base = rng.uniform (120.0, 165.0);
  out += cv::Scalar (base + 5, base + 1, base - 3);
  return out;
}

/* Moulded plastic: a flat colour, fine grain and a faint sheen. */
cv::Mat
plastic (cv::Size size, const cv::Scalar &colour, cv::RNG &rng)
{
  cv::Mat grain (size, CV_8U), sheen (3, 3, CV_32F), sheen_full, out (size, CV_8UC3, colour);
  rng.fill (grain, cv::RNG::UNIFORM, 0, 10);
  rng.fill (sheen, cv::RNG::UNIFORM, 0.94, 1.08);
  cv::resize (sheen, sheen_full, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat sheen3, grain3;
  cv::merge (std::vector<cv::Mat> { sheen_full, sheen_full, sheen_full }, sheen3);
  cv::multiply (out, sheen3, out, 1.0, CV_8UC3);
  cv::cvtColor (grain, grain3, cv::COLOR_GRAY2BGR);
  out += grain3;
  out -= cv::Scalar::all (5);
  return out;
}

Shape
rounded_rect (cv::Rect2f r, double exponent)
{
  return Shape { cv::RotatedRect ((r.tl () + r.br ()) * 0.5f, r.size (), 0.0f), exponent };
}

/* `m` moved by (dx, dy), what moves out of the image is lost. */
cv::Mat
shifted (const cv::Mat &m, int dx, int dy)
{
  cv::Mat out (m.size (), m.type (), cv::Scalar (0));
  cv::Rect from (std::max (0, -dx), std::max (0, -dy), m.cols - std::abs (dx), m.rows - std::abs (dy));
  m (from).copyTo (out (from + cv::Point (dx, dy)));
  return out;
}

/* Recessed compartments: the floor a little darker, the upper-left wall
 * in shadow, the lower-right wall catching the light. */
void
draw_compartments (cv::Mat &canvas, const std::vector<Container> &cells)
{
  cv::Mat shade (canvas.size (), CV_32F, cv::Scalar (1.0));
  for (const auto &cell : cells)
    {
      cv::Mat m = shape_mask (cell.outer, canvas.size ());
      shade.setTo (0.90, m);
      shade.setTo (0.68, m & ~shifted (m, 9, 11));
      shade.setTo (1.12, m & ~shifted (m, -6, -7));
    }
  cv::GaussianBlur (shade, shade, cv::Size (0, 0), 2.5);
  cv::Mat shade3;
  cv::merge (std::vector<cv::Mat> { shade, shade, shade }, shade3);
  cv::multiply (canvas, shade3, canvas, 1.0, CV_8UC3);
}

/* How far the edge of `s` is from its centre in direction `phi` (radians),
 * rounded up for squarish shapes: enough to keep vessels apart. */
double
reach (const Shape &s, double phi)
{
  double a = static_cast<double> (s.box.size.width) / 2.0, b = static_cast<double> (s.box.size.height) / 2.0;
  double psi = phi - static_cast<double> (s.box.angle) * CV_PI / 180.0;
  double r = a * b / std::hypot (b * std::cos (psi), a * std::sin (psi));
  return r * std::pow (2.0, 0.5 - 1.0 / s.exponent);
}

} // namespace

const char *
vessel_name (VesselKind kind)
{
  switch (kind)
    {
    case VesselKind::ROUND_PLATE: return "round plate";
    case VesselKind::OVAL_PLATE:  return "oval plate";
    case VesselKind::RECT_PLATE:  return "rectangular plate";
    case VesselKind::BOWL:        return "bowl";
    case VesselKind::COMPARTMENT: return "compartment";
    }
  return "?";
}

std::vector<Container>
compartment_layout (int n, cv::RNG &rng)
{
  n = std::clamp (n, 3, 5);
  const float x0 = 42, y0 = 42, w = TRAY_WIDTH - 84, h = TRAY_HEIGHT - 84, gap = 24;
  const float top = (h - gap) * 0.44f, bottom = h - gap - top;
  auto row = [&] (int count, float y, float height) {
    std::vector<cv::Rect2f> cells;
    float cw = (w - gap * static_cast<float> (count - 1)) / static_cast<float> (count);
    for (int i = 0; i < count; i++)
      cells.emplace_back (x0 + static_cast<float> (i) * (cw + gap), y, cw, height);
    return cells;
  };
  /* Small dishes in a row at the top, rice and the main dish below. */
  int upper = n == 3 ? 2 : n == 5 ? 3 : rng.uniform (0, 2) ? 3 : 2;
  std::vector<cv::Rect2f> cells = row (upper, y0, top), lower = row (n - upper, y0 + top + gap, bottom);
  cells.insert (cells.end (), lower.begin (), lower.end ());
  std::vector<Container> out;
  for (const auto &r : cells)
    out.push_back ({ VesselKind::COMPARTMENT, rounded_rect (r, 6.0),
                     rounded_rect (cv::Rect2f (r.x + 8, r.y + 8, r.width - 16, r.height - 16), 6.0) });
  return out;
}

std::string
tray_style (TrayKind kind, size_t compartments)
{
  switch (kind)
    {
    case TrayKind::FLAT_STAINLESS:        return "flat stainless";
    case TrayKind::FLAT_PLASTIC:          return "flat plastic";
    case TrayKind::COMPARTMENT_STAINLESS: return "compartment-" + std::to_string (compartments) + " stainless";
    case TrayKind::COMPARTMENT_PLASTIC:   return "compartment-" + std::to_string (compartments) + " plastic";
    }
  return "?";
}

TrayScene
draw_tray (TrayKind kind, const std::vector<Container> &compartments, cv::RNG &rng)
{
  TrayScene scene;
  scene.kind = kind;
  const cv::Size size (TRAY_WIDTH, TRAY_HEIGHT);
  const bool steel = kind == TrayKind::FLAT_STAINLESS || kind == TrayKind::COMPARTMENT_STAINLESS;
  scene.canvas = steel ? stainless (size, rng) : plastic (size, pick (PLASTIC_TRAYS, rng), rng);

  Shape tray = rounded_rect (cv::Rect2f (0, 0, TRAY_WIDTH, TRAY_HEIGHT), 14.0);
  scene.silhouette = shape_mask (tray, size);
  /* The raised rim: a lighter band, then the step down to the floor. */
  Shape floor = rounded_rect (cv::Rect2f (22, 22, TRAY_WIDTH - 44, TRAY_HEIGHT - 44), 12.0);
  cv::Mat rim = scene.silhouette & ~shape_mask (floor, size);
  cv::add (scene.canvas, cv::Scalar::all (steel ? 22 : 14), scene.canvas, rim);
  std::vector<std::vector<cv::Point>> step { outline (floor) };
  cv::polylines (scene.canvas, step, true, cv::Scalar::all (steel ? 95 : 30), 3, cv::LINE_AA);

  if (!compartments.empty ())
    draw_compartments (scene.canvas, compartments);
  scene.style = tray_style (kind, compartments.size ());
  return scene;
}

bool
place_vessel (VesselKind kind, const std::vector<Container> &taken, bool near_centre, cv::RNG &rng, Container *out)
{
  Shape outer;
  double well = 0.74;
  switch (kind)
    {
    case VesselKind::ROUND_PLATE:
      {
        float d = static_cast<float> (rng.uniform (280.0, 370.0));
        outer = Shape { cv::RotatedRect (cv::Point2f (), cv::Size2f (d, d), 0.0f), 2.0 };
        break;
      }
    case VesselKind::OVAL_PLATE:
      {
        float d = static_cast<float> (rng.uniform (250.0, 310.0));
        outer = Shape { cv::RotatedRect (cv::Point2f (), cv::Size2f (d * 1.35f, d * 0.92f),
                                         static_cast<float> (rng.uniform (-90.0, 90.0))), 2.0 };
        well = 0.78;
        break;
      }
    case VesselKind::RECT_PLATE:
      {
        float d = static_cast<float> (rng.uniform (250.0, 300.0));
        float angle = static_cast<float> (rng.uniform (-15.0, 15.0) + (rng.uniform (0, 2) ? 90.0 : 0.0));
        outer = Shape { cv::RotatedRect (cv::Point2f (), cv::Size2f (d * 1.25f, d * 0.95f), angle), 5.0 };
        well = 0.80;
        break;
      }
    case VesselKind::BOWL:
    case VesselKind::COMPARTMENT:
      {
        float d = static_cast<float> (rng.uniform (240.0, 300.0));
        outer = Shape { cv::RotatedRect (cv::Point2f (), cv::Size2f (d, d), 0.0f), 2.0 };
        well = 0.80;
        break;
      }
    }

  const cv::Rect inside (34, 34, TRAY_WIDTH - 68, TRAY_HEIGHT - 68);
  for (int attempt = 0; attempt < 300; attempt++)
    {
      if (near_centre)
        outer.box.center = cv::Point2f (static_cast<float> (rng.uniform (380.0, 620.0)),
                                        static_cast<float> (rng.uniform (280.0, 420.0)));
      else
        outer.box.center = cv::Point2f (static_cast<float> (rng.uniform (inside.x, inside.br ().x)),
                                        static_cast<float> (rng.uniform (inside.y, inside.br ().y)));
      if ((cv::boundingRect (outline (outer)) & inside) != cv::boundingRect (outline (outer)))
        continue;
      bool clear = true;
      for (const auto &other : taken)
        {
          cv::Point2f d = other.outer.box.center - outer.box.center;
          double phi = std::atan2 (static_cast<double> (d.y), static_cast<double> (d.x));
          if (std::hypot (static_cast<double> (d.x), static_cast<double> (d.y)) < reach (outer, phi) + reach (other.outer, phi + CV_PI) + 8.0)
            clear = false;
        }
      if (clear)
        {
          *out = Container { kind, outer, outer.scaled (well) };
          return true;
        }
    }
  return false;
}

void
draw_vessel (TrayScene &scene, const Container &vessel, cv::RNG &rng)
{
  cv::Mat &c = scene.canvas;
  const bool white = rng.uniform (0.0, 1.0) < 0.65;
  cv::Scalar body = white ? cv::Scalar (rng.uniform (234, 250), rng.uniform (236, 250), rng.uniform (236, 250))
                          : pick (CROCKERY, rng);

  cast_shadow (c, { outline (vessel.outer) }, SHADOW_OFFSET, 8.0, 0.45);
  fill_shape (c, vessel.outer, times (body, 0.97));
  std::vector<std::vector<cv::Point>> edge { outline (vessel.outer) };
  cv::polylines (c, edge, true, times (body, 0.72), 2, cv::LINE_AA);

  if (vessel.kind == VesselKind::BOWL)
    {
      /* Looking into a bowl: the inner wall darkens towards the bottom. */
      for (int i = 0; i < 6; i++)
        fill_shape (c, vessel.outer.scaled (0.88 - 0.018 * i), times (body, 0.76 + 0.03 * i));
      fill_shape (c, vessel.well, times (body, 0.93));
    }
  else
    {
      if (white && rng.uniform (0.0, 1.0) < 0.4)
        {
          fill_shape (c, vessel.outer.scaled (0.94), pick (BANDS, rng));
          fill_shape (c, vessel.outer.scaled (0.90), times (body, 0.97));
        }
      /* The step from the rim down into the well. */
      fill_shape (c, vessel.well.scaled (1.02), times (body, 0.84));
      fill_shape (c, vessel.well, body);
    }
  if (vessel.outer.exponent <= 2.0)
    {
      /* The lamp's reflection on the glaze of the rim. */
      const cv::RotatedRect &b = vessel.outer.box;
      cv::ellipse (c, b.center, cv::Size (static_cast<int> (b.size.width * 0.455f), static_cast<int> (b.size.height * 0.455f)),
                   static_cast<double> (b.angle), 200, 250, times (body, 1.12) + cv::Scalar::all (20), 3, cv::LINE_AA);
    }
}

void
draw_occluders (TrayScene &scene, cv::RNG &rng)
{
  cv::Mat &c = scene.canvas;
  if (rng.uniform (0.0, 1.0) < 0.5)
    {
      /* A pair of chopsticks, about 23 cm, thick end to tip. */
      const double length = rng.uniform (470.0, 540.0), angle = rng.uniform (0.0, CV_PI);
      const cv::Point2d centre (rng.uniform (200.0, 800.0), rng.uniform (120.0, 580.0));
      const double apart = rng.uniform (12.0, 30.0), splay = rng.uniform (-0.05, 0.05);
      const cv::Scalar colour = pick (STICKS, rng);
      std::vector<std::vector<cv::Point>> sticks;
      for (int i = 0; i < 2; i++)
        {
          double a = angle + (i ? splay : 0.0);
          cv::Point2d u (std::cos (a), std::sin (a)), n (-u.y, u.x);
          cv::Point2d mid = centre + n * (i ? apart : 0.0);
          cv::Point2d thick = mid - u * (length / 2), tip = mid + u * (length / 2);
          sticks.push_back ({ thick + n * 6.5, tip + n * 3.5, tip - n * 3.5, thick - n * 6.5 });
        }
      cast_shadow (c, sticks, cv::Point (6, 8), 3.0, 0.45);
      cv::fillPoly (c, sticks, colour, cv::LINE_AA);
      for (const auto &s : sticks)
        cv::line (c, (s[0] * 3 + s[3]) / 4, (s[1] * 3 + s[2]) / 4, times (colour, 1.25) + cv::Scalar::all (25), 2,
                  cv::LINE_AA);
    }
  if (rng.uniform (0.0, 1.0) < 0.3)
    {
      /* A white porcelain spoon (汤匙) or a stainless one. */
      const bool porcelain = rng.uniform (0, 2) == 0;
      const double angle = rng.uniform (0.0, 2.0 * CV_PI);
      const cv::Point2d u (std::cos (angle), std::sin (angle)), n (-u.y, u.x);
      const cv::Point2d bowl (rng.uniform (200.0, 800.0), rng.uniform (150.0, 550.0));
      const cv::Size axes = porcelain ? cv::Size (55, 42) : cv::Size (46, 30);
      const double handle = porcelain ? 170.0 : 230.0, w0 = porcelain ? 13.0 : 7.0, w1 = porcelain ? 9.0 : 11.0;
      const cv::Scalar colour = porcelain ? cv::Scalar (240, 242, 242) : cv::Scalar (190, 190, 196);
      const cv::Point2d start = bowl + u * (axes.width * 0.8);
      std::vector<cv::Point> bowl_poly;
      cv::ellipse2Poly (cv::Point (bowl), axes, static_cast<int> (angle * 180.0 / CV_PI), 0, 360, 8, bowl_poly);
      std::vector<std::vector<cv::Point>> spoon { bowl_poly,
        { start + n * w0, start + u * handle + n * w1, start + u * handle - n * w1, start - n * w0 } };
      cast_shadow (c, spoon, cv::Point (7, 9), 4.0, 0.45);
      cv::fillPoly (c, spoon, colour, cv::LINE_AA);
      cv::ellipse (c, cv::Point (bowl), cv::Size (axes.width * 3 / 4, axes.height * 3 / 4), angle * 180.0 / CV_PI,
                   0, 360, times (colour, 0.82), cv::FILLED, cv::LINE_AA);
      cv::line (c, start + n * (w0 / 3), start + u * (handle - 4) + n * (w1 / 3), times (colour, 1.1) + cv::Scalar::all (15),
                2, cv::LINE_AA);
    }
}

cv::Rect
tag_bounds (int place)
{
  /* Off the tray's rounded corner; room for the sticker's tilt. */
  constexpr int INSET = 14, SIDE = TAG_SIDE + 12, ALONG = 8, ACROSS = 4;
  const int x_end = TRAY_WIDTH - INSET - SIDE, y_end = TRAY_HEIGHT - INSET - SIDE;
  place = std::clamp (place, 0, TAG_PLACES - 1);
  if (place < 4)
    return cv::Rect (place == 1 || place == 2 ? x_end : INSET, place >= 2 ? y_end : INSET, SIDE, SIDE);
  place -= 4;
  if (place < 2 * (ALONG - 1))
    {
      /* Along the long sides, top then bottom. */
      const int k = place % (ALONG - 1) + 1;
      return cv::Rect (INSET + (x_end - INSET) * k / ALONG, place < ALONG - 1 ? INSET : y_end, SIDE, SIDE);
    }
  place -= 2 * (ALONG - 1);
  const int k = place % (ACROSS - 1) + 1;
  return cv::Rect (place < ACROSS - 1 ? INSET : x_end, INSET + (y_end - INSET) * k / ACROSS, SIDE, SIDE);
}

std::vector<cv::Point>
draw_tag (cv::Mat &canvas, const cv::Mat &silhouette, const std::string &text, int place)
{
  /* The smallest version that holds the text (version 1 for
   * "CANTEEN-TRAY:T0001"), level M so a scratch or a crumb does not
   * spoil it; the encoder adds a quiet zone of 2 modules. */
  cv::QRCodeEncoder::Params params;
  params.version = 0;
  params.correction_level = cv::QRCodeEncoder::CORRECT_LEVEL_M;
  params.mode = cv::QRCodeEncoder::MODE_AUTO;
  cv::Mat code, big, sticker;
  cv::QRCodeEncoder::create (params)->encode (text, code);
  /* One module more of paper around: a quiet zone of 3, so the finders
   * stand clear of dark food next to the sticker even when blurred. */
  cv::copyMakeBorder (code, code, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar (255));
  cv::resize (code, big, cv::Size (TAG_SIDE, TAG_SIDE), 0, 0, cv::INTER_NEAREST);
  /* Printed ink on off-white paper. */
  big.convertTo (big, CV_8U, (240.0 - 38.0) / 255.0, 38.0);
  cv::cvtColor (big, sticker, cv::COLOR_GRAY2BGR);

  /* Stuck on by hand: up to 4 degrees askew, from the text (FNV-1a) so
   * that the tray's rng is not touched. */
  std::uint32_t hash = 2166136261u;
  for (unsigned char ch : text)
    hash = (hash ^ ch) * 16777619u;
  const double angle = static_cast<double> (hash % 9u) - 4.0;
  const cv::Rect bounds = tag_bounds (place);
  const float half = TAG_SIDE / 2.0f;
  cv::Mat m = cv::getRotationMatrix2D (cv::Point2f (half, half), angle, 1.0);
  m.at<double> (0, 2) += bounds.x + bounds.width / 2.0 - static_cast<double> (half);
  m.at<double> (1, 2) += bounds.y + bounds.height / 2.0 - static_cast<double> (half);

  /* The paper's corners are rounded (inside the quiet zone). */
  const Shape paper { cv::RotatedRect (cv::Point2f (half, half), cv::Size2f (TAG_SIDE, TAG_SIDE), 0.0f), 8.0 };
  cv::Mat warped, cover;
  cv::warpAffine (sticker, warped, m, canvas.size (), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpAffine (shape_mask (paper, sticker.size ()), cover, m, canvas.size (), cv::INTER_LINEAR,
                  cv::BORDER_CONSTANT);
  cover = (cover > 127) & silhouette;
  warped.copyTo (canvas, cover);

  std::vector<cv::Point2f> corners { { 0, 0 }, { TAG_SIDE, 0 }, { TAG_SIDE, TAG_SIDE }, { 0, TAG_SIDE } }, moved;
  cv::transform (corners, moved, m);
  return std::vector<cv::Point> (moved.begin (), moved.end ());
}

} // namespace traygen
