/* tray-stages.h — the intermediate stages of a test tray, for generators
 * that change a tray after it was served (tray-eaten.h).
 *
 * Contract: make_tray_stages (…, index).frame is byte-identical to
 * make_tray (…, index) (make_tray is built on it); the other members are
 * what was drawn on the way, in tray space. Test-only code.
 */
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "camera-sim.h"
#include "tray-gen.h"
#include "tray-scene.h"

namespace traygen {

struct TrayStages
{
  Frame                  frame;       /* what make_tray returns */
  cv::Mat                bare;        /* the tray and its vessels, before any food (CV_8UC3) */
  cv::Mat                served;      /* with the food, before the chopsticks and spoons */
  cv::Mat                silhouette;  /* CV_8U, 255 = the tray */
  TrayKind               kind;
  std::vector<Container> places;      /* per Frame::regions entry: where its food lies */
  std::vector<cv::Mat>   food;        /* per Frame::regions entry: CV_8U tray-space food mask */
  Shot                   shot;
  std::vector<cv::Point> tag;         /* the tray tag's outline in tray space; empty for none. The sticker
                                       * is on `bare` and `served` (over what little food is at its place,
                                       * which `food` then leaves out) */
  std::string            tag_text;    /* what its QR code reads */
  int                    tag_place = 0;  /* for draw_tag (tray-scene.h) */
};

TrayStages make_tray_stages (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag = {});

} // namespace traygen
