/* tray-scene.h — a tray as the camera would see it if it looked straight
 * down from a fixed height: the tray itself (stainless or plastic, flat or
 * with 3–5 compartments, 分格餐盘), the plates and bowls put on it, and
 * the chopsticks and spoons lying about. Food is painted by food-plating.
 *
 * Contract: "tray space" is a TRAY_WIDTH x TRAY_HEIGHT canvas (about
 * 45 x 32 cm, so 22 px/cm); the camera (camera.h) maps it into the frame.
 * Drawing only ever adds to the canvas; everything random comes from the
 * caller's rng. A tray tag (issue 6: the QR sticker the return station
 * reads) draws nothing random at all, so a tagged tray is the untagged one
 * plus its sticker.
 */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "shapes.h"

namespace traygen {

constexpr int TRAY_WIDTH = 1000;
constexpr int TRAY_HEIGHT = 700;

enum class TrayKind { FLAT_STAINLESS, FLAT_PLASTIC, COMPARTMENT_STAINLESS, COMPARTMENT_PLASTIC };

enum class VesselKind { ROUND_PLATE, OVAL_PLATE, RECT_PLATE, BOWL, COMPARTMENT };

/* Something that holds food: a plate, a bowl or a compartment. */
struct Container
{
  VesselKind kind;
  Shape      outer;  /* the whole vessel or compartment */
  Shape      well;   /* where food lies (inside the rim) */
};

struct TrayScene
{
  TrayKind    kind;
  cv::Mat     canvas;      /* CV_8UC3, tray space */
  cv::Mat     silhouette;  /* CV_8U, 255 = the tray */
  std::string style;       /* "compartment-5 stainless"... */
};

/* Where the n (3, 4 or 5) compartments of a compartment tray are. */
std::vector<Container> compartment_layout (int n, cv::RNG &rng);

/* "flat plastic", "compartment-4 stainless"... */
std::string tray_style (TrayKind kind, size_t compartments);

/* An empty tray, with those compartments (none for a flat tray). */
TrayScene draw_tray (TrayKind kind, const std::vector<Container> &compartments, cv::RNG &rng);

/* A plate or bowl of `kind` (not COMPARTMENT) of a random size, placed
 * where it touches none of `taken`; `near_centre` keeps it in the middle
 * (enrollment). False when no room is left. */
bool place_vessel (VesselKind kind, const std::vector<Container> &taken, bool near_centre, cv::RNG &rng,
                   Container *out);

/* Draws a placed plate or bowl (white or coloured crockery) with its
 * shadow. */
void draw_vessel (TrayScene &scene, const Container &vessel, cv::RNG &rng);

/* Chopsticks and spoons, at random, some across the food. */
void draw_occluders (TrayScene &scene, cv::RNG &rng);

const char *vessel_name (VesselKind kind);

/* A tray tag: a white QR sticker about 7 cm a side with its quiet zone,
 * so 90-135 px in a 1280x720 frame. */
constexpr int TAG_SIDE = 150;

/* Where a tag may be stuck, on the rim and into the floor: places 0-3
 * are the corners (top left, top right, bottom right, bottom left), the
 * rest lie along the sides. */
constexpr int TAG_PLACES = 4 + 2 * 7 + 2 * 3;
/* The tray-space box a tag at `place` covers. */
cv::Rect tag_bounds (int place);

/* Sticks a tag whose QR code reads `text` at `place` of a tray-space
 * canvas (slightly askew, by a hash of the text: no rng), clipped to the
 * tray's silhouette; returns its outline. The same arguments draw the
 * same pixels. Throws cv::Exception when `text` does not fit a QR code. */
std::vector<cv::Point> draw_tag (cv::Mat &canvas, const cv::Mat &silhouette, const std::string &text, int place);

} // namespace traygen
