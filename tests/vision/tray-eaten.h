/* tray-eaten.h — the same tray after the meal: the data of the leftover
 * harness (waste-eval) and of the leftover tests.
 *
 * Contract:
 *  - make_tray_pair (…, index).before is make_tray (…, index), the
 *    checkout picture. `after` is that tray returned: of each dish a known
 *    share of its food is gone (eaten from the rim, in sectors or in bites
 *    here and there), what is left stays where it lay; sauce is smeared
 *    over the emptied part, bones and peel may lie on the plate; the
 *    chopsticks and spoons lie elsewhere; then the tray is photographed
 *    again, turned, shifted and under other light.
 *  - The truth is measured in tray space: `left` is the share of the
 *    dish's solid food (not its sauce, never the bones) still there, 0..1.
 *  - With a tray tag (tray-gen.h) both pictures show it: the sticker is
 *    part of the tray, so it turns and moves with it.
 *  - Deterministic: a pure function of (library, menu, index, tag).
 *  - Test-only code.
 */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "tray-gen.h"

namespace traygen {

struct EatenRegion
{
  std::string id;           /* the dish */
  cv::Rect    food;         /* the food's box in the BEFORE frame */
  cv::Rect    container;    /* its vessel's box in the BEFORE frame */
  double      left = 1.0;   /* truth: share of the served solid food still there */
  double      served = 0.0; /* the solid food's area, tray pixels */
  std::string how;          /* "rim", "sectors", "bites" or "untouched" */
  int         bones = 0;    /* bones or peel left on the plate */
  bool        smear = false;/* sauce smeared over the emptied part */
};

struct TrayPair
{
  Frame                    before, after;
  std::vector<EatenRegion> regions;   /* per before.regions entry */
};

TrayPair make_tray_pair (const PhotoLibrary &library, const Menu &menu, int index, const std::string &tag = {});


} // namespace traygen
