/* embedder.hpp — the learnt half of a patch's descriptor: what the first
 * blocks of an ImageNet-trained MobileNetV2 (model/README.md) see in a
 * region's crop, pooled patch by patch.
 *
 * Contract: feature_map() scales the crop (8-bit RGB, any size of at least
 * one pixel) to CNN_SIDE square, applies the frame's lighting gains, and
 * runs the stem and blocks 1-5 (stride 8: a CNN_CHANNELS x 20 x 20 map).
 * The network is built once per thread from the weights embedded in the
 * library (a cv::dnn::Net must not be shared between threads); weights
 * that are missing or do not fit the architecture are a vision::Error
 * (FAILED) naming the tensor. FeatureMap::pool() writes CNN_BINS
 * non-negative floats summing to 1 for a box of the crop: the mean of the
 * cells under it, positive and negative parts apart (block 5's output is
 * signed), so the bins are a histogram like the descriptor's other
 * blocks. */
#pragma once

#include <utility>

#include <opencv2/core.hpp>

namespace vision {

constexpr int CNN_SIDE = 160;
constexpr int CNN_CHANNELS = 32;
constexpr int CNN_BINS = 2 * CNN_CHANNELS;

class FeatureMap
{
public:
  FeatureMap (cv::Mat map, cv::Size crop) : map_ (std::move (map)), crop_ (crop) {}
  void pool (const cv::Rect &box, float *bins) const;

private:
  cv::Mat  map_;   /* 1 x CNN_CHANNELS x h x w */
  cv::Size crop_;  /* the crop it was made from, for mapping boxes */
};

FeatureMap feature_map (const cv::Mat &rgb_crop, const cv::Vec3f &gain);

} // namespace vision
