/* features.hpp — the descriptor of one food region, and the distance
 * between two descriptors.
 *
 * Contract: a descriptor is DIM floats in blocks; each block is a
 * histogram that sums to 1 (an empty block is uniform). The layout is fixed
 * by DESCRIPTOR_VERSION: change anything here (a bin, a block, a weight that
 * alters distances) and bump it, so exemplars made by an older build are
 * refused with a clear message instead of being matched wrongly. */
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include <opencv2/core.hpp>

#include "vision-private.hpp"

namespace vision {

constexpr int DESCRIPTOR_VERSION = 2;

struct Block
{
  const char *name;
  int         offset;
  int         size;
  float       weight;  /* the block's share of the distance; the weights sum to 1 */
};

/* Chroma a*b* (12x12), lightness (8), rotation-invariant uniform LBP at
 * radii 1, 2 and 4 (10 each), local contrast (8). The weights were chosen
 * on tests/vision's synthetic trays: chroma separates dishes best once the
 * lamp's colour is taken out; lightness moves with the exposure and the
 * lamp's gradient across the tray, so it counts little. Twelve chroma bins
 * (about 11 a*b* units each) rather than eight: greens, yellows and
 * browns of different dishes sat in the same coarse bins (top-1 on the
 * synthetic 20-dish trays of seed 1: 54% → 56%; sixteen bins did no
 * better and cost more). */
constexpr int CHROMA_BINS = 12;
constexpr int CHROMA_DIM = CHROMA_BINS * CHROMA_BINS;
constexpr std::array<Block, 6> BLOCKS = { {
  { "chroma",   0,               CHROMA_DIM, 0.60f },
  { "light",    CHROMA_DIM,      8,  0.05f },
  { "lbp1",     CHROMA_DIM + 8,  10, 0.10f },
  { "lbp2",     CHROMA_DIM + 18, 10, 0.10f },
  { "lbp4",     CHROMA_DIM + 28, 10, 0.10f },
  { "contrast", CHROMA_DIM + 38, 8,  0.05f },
} };
constexpr int DIM = CHROMA_DIM + 46;

using Descriptor = std::vector<float>;
/* A region is described patch by patch (PATCH working pixels square, at
 * most MAX_PATCHES of them): a portion is a mixture (leaves and sauce,
 * grains and a stray backdrop), and matching patch to patch lets the parts
 * that agree decide, where one histogram of the whole would blend them. */
using Patches = std::vector<Descriptor>;
constexpr int PATCH = 32;
constexpr int MAX_PATCHES = 48;

/* The frame's lighting: per-channel gains that turn the crockery's and
 * tray's brightest surfaces to a fixed neutral grey, so a warm lamp or a
 * dim afternoon moves every dish the same way and cancels out. */
struct Lighting
{
  cv::Vec3f gain { 1.0f, 1.0f, 1.0f };
};

/* From the working-scale RGB image and its food mask (255 = food). */
Lighting estimate_lighting (const cv::Mat &rgb, const cv::Mat &food);

/* The descriptor of the pixels of `mask` (CV_8U, 255 = food) in the
 * working-scale RGB image. */
Descriptor describe (const cv::Mat &rgb, const cv::Mat &mask, const cv::Rect &box, const Lighting &lighting);

/* Weighted χ² over the blocks: 0 for identical, at most 1. */
float distance (const float *a, const float *b);

/* Whether stored floats can be a descriptor of this version. */
bool descriptor_is_valid (const float *v, std::size_t n);

} // namespace vision
