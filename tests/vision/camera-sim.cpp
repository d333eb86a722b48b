/* camera-sim.cpp — counter, placement, light, lens and sensor. */
#include "camera-sim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tray-gen.h"
#include "tray-scene.h"

namespace traygen {

namespace {

const cv::Size FRAME (FRAME_WIDTH, FRAME_HEIGHT);
/* Slowly varying fields (light, shadow, glare) are computed this small and
 * scaled up: a full-size float image per effect costs more than the tray. */
const cv::Size LOW (FRAME_WIDTH / 4, FRAME_HEIGHT / 4);
/* Pixels kept free between the tray and the frame's edge. */
constexpr double MARGIN = 12.0;

/* The counter around the tray: dark granite, grey laminate or wood. */
cv::Mat
counter_surface (int which, cv::RNG &rng)
{
  cv::Mat broad (6, 10, CV_8U), fine (FRAME, CV_8U), grey;
  rng.fill (broad, cv::RNG::UNIFORM, 0, 24);
  cv::resize (broad, grey, FRAME, 0, 0, cv::INTER_CUBIC);
  cv::Scalar base;
  switch (which)
    {
    case 0:  /* granite: coarse speckle */
      rng.fill (fine, cv::RNG::UNIFORM, 0, 56);
      base = cv::Scalar (30, 28, 26);
      break;
    case 1:  /* laminate: faint grain */
      rng.fill (fine, cv::RNG::UNIFORM, 0, 10);
      base = cv::Scalar (160, 158, 152);
      break;
    default: /* wood: stripes along the counter */
      {
        cv::Mat stripes (FRAME_HEIGHT / 3, 1, CV_8U);
        rng.fill (stripes, cv::RNG::UNIFORM, 0, 48);
        cv::resize (stripes, stripes, FRAME, 0, 0, cv::INTER_LINEAR);
        rng.fill (fine, cv::RNG::UNIFORM, 0, 10);
        fine += stripes;
        base = cv::Scalar (40, 80, 120);
        break;
      }
    }
  grey += fine;
  cv::Mat out;
  cv::cvtColor (grey, out, cv::COLOR_GRAY2BGR);
  out += base;
  return out;
}

/* Everything that varies slowly over the frame, at a sixteenth of its
 * size: the light's level, a gradient (a window on one side, a lamp off
 * centre) and the lens's vignetting. */
cv::Mat
light_field (const Shot &shot)
{
  cv::Mat small (LOW, CV_32F);
  const double ca = std::cos (shot.gradient_angle), sa = std::sin (shot.gradient_angle);
  for (int y = 0; y < small.rows; y++)
    for (int x = 0; x < small.cols; x++)
      {
        double u = (x + 0.5) / small.cols - 0.5, v = ((y + 0.5) / small.rows - 0.5) * 0.5625;
        double along = u * ca + v * sa;
        double r2 = (u * u + v * v) / 0.33;
        small.at<float> (y, x) = static_cast<float> (shot.brightness * (1.0 + shot.gradient * 2.0 * along)
                                                     * (1.0 - shot.vignette * r2));
      }
  return small;
}

} // namespace

std::string
Shot::describe () const
{
  char text[256];
  std::snprintf (text, sizeof text,
                 "rotation %.1f° scale %.2f tilt %.3f light %.2f gradient %.2f vignette %.2f temperature %+.2f%s "
                 "blur %.2f noise %.1f jpeg %d",
                 rotation_deg, scale, tilt, brightness, gradient, vignette, temperature, glare ? " glare" : "",
                 blur_sigma, noise_sigma, jpeg_quality);
  return text;
}

Shot
choose_shot (cv::RNG &rng)
{
  Shot s {};
  /* Mostly roughly straight; sometimes askew; sometimes the other way round. */
  s.rotation_deg = rng.uniform (0.0, 1.0) < 0.8 ? std::clamp (rng.gaussian (4.0), -10.0, 10.0)
                                                : rng.uniform (-20.0, 20.0);
  if (rng.uniform (0.0, 1.0) < 0.2)
    s.rotation_deg += 180.0;
  s.scale = rng.uniform (0.74, 0.90);
  s.tilt = rng.uniform (0.0, 0.025);

  const double th = s.rotation_deg * CV_PI / 180.0, c = std::fabs (std::cos (th)), sn = std::fabs (std::sin (th));
  const double spare = 2.0 * (MARGIN + s.tilt * TRAY_WIDTH);
  double bw = s.scale * (TRAY_WIDTH * c + TRAY_HEIGHT * sn), bh = s.scale * (TRAY_WIDTH * sn + TRAY_HEIGHT * c);
  double fit = std::min ({ 1.0, (FRAME_WIDTH - spare) / bw, (FRAME_HEIGHT - spare) / bh });
  s.scale *= fit;
  bw *= fit;
  bh *= fit;
  const double slack_x = std::max (0.0, (FRAME_WIDTH - spare - bw) / 2.0);
  const double slack_y = std::max (0.0, (FRAME_HEIGHT - spare - bh) / 2.0);
  const cv::Point2d centre (FRAME_WIDTH / 2.0 + rng.uniform (-slack_x, slack_x + 1e-9),
                            FRAME_HEIGHT / 2.0 + rng.uniform (-slack_y, slack_y + 1e-9));

  const cv::Point2f from[4] = { { 0, 0 }, { TRAY_WIDTH, 0 }, { TRAY_WIDTH, TRAY_HEIGHT }, { 0, TRAY_HEIGHT } };
  cv::Point2f to[4];
  const double ct = std::cos (th), st = std::sin (th), shift = s.tilt * TRAY_WIDTH * s.scale;
  for (int i = 0; i < 4; i++)
    {
      double x = (static_cast<double> (from[i].x) - TRAY_WIDTH / 2.0) * s.scale;
      double y = (static_cast<double> (from[i].y) - TRAY_HEIGHT / 2.0) * s.scale;
      to[i] = cv::Point2f (static_cast<float> (centre.x + x * ct - y * st + rng.uniform (-shift, shift)),
                           static_cast<float> (centre.y + x * st + y * ct + rng.uniform (-shift, shift)));
    }
  s.homography = cv::Matx33d (cv::getPerspectiveTransform (from, to));

  s.brightness = rng.uniform (0.72, 1.18);
  s.gradient = rng.uniform (0.0, 0.35);
  s.gradient_angle = rng.uniform (0.0, 2.0 * CV_PI);
  s.vignette = rng.uniform (0.0, 0.25);
  s.temperature = rng.uniform (-1.0, 1.0);
  s.glare = rng.uniform (0.0, 1.0) < 0.15;
  s.blur_sigma = rng.uniform (0.0, 1.0) < 0.5 ? 0.0 : rng.uniform (0.4, 1.5);
  s.noise_sigma = rng.uniform (1.0, 3.5);
  s.jpeg_quality = rng.uniform (60, 96);
  s.counter = rng.uniform (0, 3);
  return s;
}

cv::Mat
photograph (const cv::Mat &canvas, const cv::Mat &silhouette, const Shot &shot, cv::RNG &rng,
            std::vector<uchar> *jpeg)
{
  const cv::Mat h (shot.homography);
  cv::Mat tray, alpha8, alpha;
  cv::warpPerspective (canvas, tray, h, FRAME, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpPerspective (silhouette, alpha8, h, FRAME, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  alpha8.convertTo (alpha, CV_32F, 1.0 / 255.0);

  /* The tray's own soft shadow on the counter, then the tray over it. */
  cv::Mat low_alpha, shadow, lit, unlit;
  cv::resize (alpha, low_alpha, LOW, 0, 0, cv::INTER_AREA);
  cv::Mat shift = (cv::Mat_<double> (2, 3) << 1, 0, 3, 0, 1, 4);
  cv::warpAffine (low_alpha, shadow, shift, LOW);
  cv::GaussianBlur (shadow, shadow, cv::Size (0, 0), 3.0);
  cv::resize (shadow, shadow, FRAME, 0, 0, cv::INTER_LINEAR);
  lit = 1.0 - 0.5 * shadow;
  unlit = 0.5 * shadow;
  cv::Mat counter = counter_surface (shot.counter, rng), black (FRAME, CV_8UC3, cv::Scalar::all (0)), frame;
  cv::blendLinear (counter, black, lit, unlit, counter);
  cv::blendLinear (counter, tray, 1.0 - alpha, alpha, frame);

  /* Light: level, gradient, vignetting, colour temperature. */
  const double t = shot.temperature;
  cv::Mat light;
  cv::resize (light_field (shot), light, FRAME, 0, 0, cv::INTER_LINEAR);
  cv::Mat gains;
  cv::merge (std::vector<cv::Mat> { light * (1.0 - 0.12 * t), light * (1.0 + 0.01 * t), light * (1.0 + 0.12 * t) },
             gains);
  cv::multiply (frame, gains, frame, 1.0, CV_8UC3);

  if (shot.glare)
    {
      /* A lamp's reflection on the tray: a bright blob, only on the tray. */
      cv::Point2f at_tray (static_cast<float> (rng.uniform (150.0, TRAY_WIDTH - 150.0)),
                           static_cast<float> (rng.uniform (120.0, TRAY_HEIGHT - 120.0)));
      std::vector<cv::Point2f> at { at_tray }, where;
      cv::perspectiveTransform (at, where, h);
      const double sigma = rng.uniform (40.0, 110.0), peak = rng.uniform (40.0, 80.0);
      const int r = static_cast<int> (3.0 * sigma);
      cv::Rect box = cv::Rect (cv::Point (where[0]) - cv::Point (r, r), cv::Size (2 * r + 1, 2 * r + 1))
                     & cv::Rect (0, 0, FRAME_WIDTH, FRAME_HEIGHT);
      if (!box.empty ())
        {
          cv::Mat blob (box.size (), CV_32F);
          for (int y = 0; y < blob.rows; y++)
            for (int x = 0; x < blob.cols; x++)
              {
                double dx = box.x + x - static_cast<double> (where[0].x), dy = box.y + y - static_cast<double> (where[0].y);
                blob.at<float> (y, x) = static_cast<float> (peak * std::exp (-(dx * dx + dy * dy) / (2 * sigma * sigma)));
              }
          blob = blob.mul (alpha (box));
          cv::Mat add;
          cv::merge (std::vector<cv::Mat> { blob, blob, blob }, add);
          cv::add (frame (box), add, frame (box), cv::noArray (), CV_8UC3);
        }
    }

  if (shot.blur_sigma > 0.0)
    cv::GaussianBlur (frame, frame, cv::Size (0, 0), shot.blur_sigma);
  /* Sensor noise: uniform with the shot's standard deviation (Gaussian
   * draws cost more than the rest of the picture, and look the same). */
  const double a = shot.noise_sigma * std::sqrt (3.0);
  cv::Mat noise (FRAME, CV_16SC3);
  rng.fill (noise, cv::RNG::UNIFORM, static_cast<int> (-a), static_cast<int> (a) + 1);
  cv::add (frame, noise, frame, cv::noArray (), CV_8UC3);

  cv::imencode (".jpg", frame, *jpeg, { cv::IMWRITE_JPEG_QUALITY, shot.jpeg_quality });
  return cv::imdecode (*jpeg, cv::IMREAD_COLOR);
}

cv::Rect
project_box (const Shot &shot, const std::vector<cv::Point> &points)
{
  if (points.empty ())
    return cv::Rect ();
  std::vector<cv::Point2f> in (points.begin (), points.end ()), out;
  cv::perspectiveTransform (in, out, cv::Mat (shot.homography));
  float x0 = out[0].x, y0 = out[0].y, x1 = x0, y1 = y0;
  for (const auto &p : out)
    {
      x0 = std::min (x0, p.x);
      y0 = std::min (y0, p.y);
      x1 = std::max (x1, p.x);
      y1 = std::max (y1, p.y);
    }
  cv::Rect r (cv::Point (static_cast<int> (std::floor (x0)), static_cast<int> (std::floor (y0))),
              cv::Point (static_cast<int> (std::ceil (x1)) + 1, static_cast<int> (std::ceil (y1)) + 1));
  return r & cv::Rect (0, 0, FRAME_WIDTH, FRAME_HEIGHT);
}

} // namespace traygen
