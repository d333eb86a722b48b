/* camera-sim.h — the fixed checkout camera: puts a tray drawn in tray
 * space on the counter, as seen from above, and takes its picture.
 *
 * Contract: a Shot holds every random choice of one picture (where the
 * tray lies, how it is turned and tilted, the light, the lens, the JPEG
 * quality), drawn from the caller's rng; photograph() is then a pure
 * function of the scene, the shot and the rng. The tray always lies wholly
 * inside the frame (the counter has a marked place for it).
 */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace traygen {

struct Shot
{
  cv::Matx33d homography;       /* tray space → frame */
  double      rotation_deg;
  double      scale;
  double      tilt;             /* largest corner displacement / tray width */
  double      brightness;       /* multiplier */
  double      gradient;         /* relative brightness change across the frame */
  double      gradient_angle;   /* radians */
  double      vignette;
  double      temperature;      /* -1 cool (blue) .. +1 warm (amber) */
  bool        glare;            /* a lamp's reflection somewhere on the tray */
  double      blur_sigma;       /* 0 = sharp */
  double      noise_sigma;
  int         jpeg_quality;
  int         counter;          /* which counter surface */

  std::string describe () const;
};

Shot choose_shot (cv::RNG &rng);

/* The frame: counter, tray (canvas where silhouette is set) and the shot's
 * light, lens and sensor, through JPEG; *jpeg gets the encoded bytes, the
 * result is their decoding. */
cv::Mat photograph (const cv::Mat &canvas, const cv::Mat &silhouette, const Shot &shot, cv::RNG &rng,
                    std::vector<uchar> *jpeg);

/* The box in the frame of a tray-space outline, clipped to the frame. */
cv::Rect project_box (const Shot &shot, const std::vector<cv::Point> &points);

} // namespace traygen
