/* embedder.cpp — MobileNetV2's stem and blocks 1-5 as a cv::dnn::Net
 * (contract in embedder.hpp).
 *
 * Why these blocks: they are the ones nsfwjs left at their ImageNet
 * weights, and on tests/vision's synthetic trays the early ones name
 * dishes best (each region's map matched cell to cell: block 2 86%,
 * block 5 84%, block 10 68%, the last block 39%; the descriptor's colour
 * and texture histograms alone 90%). Together with those histograms
 * they name better than either (features.hpp has the figures). Why
 * [0, 1] inputs and not ImageNet's [-1, 1]: block 10 alone named 75% of
 * regions with the first, 64% with the second.
 *
 * The net is built layer by layer from the manifest: batch normalisation
 * is folded into each convolution's weights (Keras' epsilon 1e-3), and
 * the Keras stride-2 convolutions, which pad one pixel at the bottom and
 * right only, get a Padding layer of their own (OpenCV's convolution pads
 * symmetrically). */
#include "embedder.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "vision-private.hpp"

extern "C" {
#include "vision-model.h"
}

namespace vision {

namespace {

constexpr const char *RESOURCE = "/org/canteen/vision/mobilenet_v2/";
constexpr float BN_EPSILON = 1e-3f;
constexpr int LAST_BLOCK = 5;
constexpr const char *OUTPUT = "block_5_add";

[[noreturn]] void
model_error (const std::string &why)
{
  throw Error (CANTEEN_VISION_FAILED, "vision model: " + why);
}

/* A tensor's values in Keras order; the shape is checked at load and
 * again, as a count, where the architecture takes the tensor. */
using Tensor = std::vector<float>;

using Tensors = std::map<std::string, Tensor>;

/* A copy of an embedded file's bytes (about 60 KB, once per thread). */
std::string
resource_bytes (const char *name)
{
  GError *error = nullptr;
  GBytes *bytes = g_resource_lookup_data (canteen_vision_model_get_resource (), (std::string (RESOURCE) + name).c_str (),
                                          G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == nullptr)
    {
      const std::string why = error != nullptr ? error->message : "not found";
      g_clear_error (&error);
      model_error (std::string (name) + ": " + why);
    }
  gsize size = 0;
  const char *data = static_cast<const char *> (g_bytes_get_data (bytes, &size));
  std::string out (data, size);
  g_bytes_unref (bytes);
  return out;
}

Tensors
load_tensors ()
{
  const std::string manifest = resource_bytes ("manifest.json");
  const std::string weights = resource_bytes ("weights.bin");
  cv::FileStorage fs (manifest, cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
  if (!fs.isOpened () || !fs["weights"].isSeq ())
    model_error ("manifest.json holds no weights list");
  Tensors tensors;
  for (const cv::FileNode &w : fs["weights"])
    {
      const std::string name = static_cast<std::string> (w["name"]);
      std::size_t count = 1, dims = 0;
      for (const cv::FileNode &d : w["shape"])
        {
          const int n = static_cast<int> (d);
          if (n < 1 || n > 4096)
            model_error (name + ": bad shape");
          dims++;
          count *= static_cast<std::size_t> (n);
        }
      const double offset = static_cast<double> (w["offset"]);
      const double min = static_cast<double> (w["min"]), scale = static_cast<double> (w["scale"]);
      if (name.empty () || dims == 0 || !(offset >= 0.0) || offset + static_cast<double> (count) > static_cast<double> (weights.size ())
          || !std::isfinite (min) || !std::isfinite (scale))
        model_error ("manifest entry '" + name + "' does not fit weights.bin");
      const auto *bytes = reinterpret_cast<const unsigned char *> (weights.data ()) + static_cast<std::size_t> (offset);
      Tensor t (count);
      for (std::size_t i = 0; i < count; i++)
        t[i] = static_cast<float> (min + scale * bytes[i]);
      tensors[name] = std::move (t);
    }
  return tensors;
}

const Tensor &
tensor (const Tensors &tensors, const std::string &name, std::size_t count)
{
  const auto it = tensors.find (name);
  if (it == tensors.end ())
    model_error ("no tensor " + name);
  if (it->second.size () != count)
    model_error (name + " has " + std::to_string (it->second.size ()) + " values, the architecture wants "
                 + std::to_string (count));
  return it->second;
}

struct Builder
{
  cv::dnn::Net  &net;
  const Tensors &tensors;
  int            channels = 3;  /* of the last layer added */

  /* A k x k convolution (depthwise or not) with its batch normalisation
   * folded in, and ReLU6 when `relu`; returns the last layer's id. */
  int
  conv (const std::string &conv_name, const std::string &bn, int k, int out, int stride, bool depthwise, bool relu, int input)
  {
    const int in = channels;
    if (depthwise)
      out = in;
    const int per_group = depthwise ? 1 : in;
    const std::size_t kk = static_cast<std::size_t> (k) * static_cast<std::size_t> (k);
    const Tensor &kernel = tensor (tensors, conv_name + (depthwise ? "/depthwise_kernel" : "/kernel"),
                                   kk * static_cast<std::size_t> (in) * static_cast<std::size_t> (depthwise ? 1 : out));
    const std::size_t n = static_cast<std::size_t> (out);
    const Tensor &gamma = tensor (tensors, bn + "/gamma", n), &beta = tensor (tensors, bn + "/beta", n);
    const Tensor &mean = tensor (tensors, bn + "/moving_mean", n), &var = tensor (tensors, bn + "/moving_variance", n);

    cv::Mat weights ({ out, per_group, k, k }, CV_32F), bias (1, out, CV_32F);
    for (int o = 0; o < out; o++)
      {
        const std::size_t oi = static_cast<std::size_t> (o);
        const float s = gamma[oi] / std::sqrt (var[oi] + BN_EPSILON);
        bias.at<float> (o) = beta[oi] - mean[oi] * s;
        for (int i = 0; i < per_group; i++)
          for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++)
              {
                /* Keras: [k][k][in][out], depthwise [k][k][in][1]. */
                const std::size_t at = static_cast<std::size_t> (y * k + x);
                const float v = depthwise ? kernel[at * static_cast<std::size_t> (in) + oi]
                                          : kernel[(at * static_cast<std::size_t> (in) + static_cast<std::size_t> (i)) * n + oi];
                const int idx[4] = { o, i, y, x };
                weights.at<float> (idx) = v * s;
              }
      }

    int pad = k / 2;
    if (stride == 2)
      {
        cv::dnn::LayerParams p;
        const int pads[8] = { 0, 0, 0, 0, 0, 1, 0, 1 };
        p.set ("paddings", cv::dnn::DictValue::arrayInt (pads, 8));
        const int id = net.addLayer (conv_name + "_pad", "Padding", p);
        net.connect (input, 0, id, 0);
        input = id;
        pad = 0;
      }
    cv::dnn::LayerParams p;
    p.set ("kernel_size", k);
    p.set ("stride", stride);
    p.set ("pad", pad);
    p.set ("num_output", out);
    p.set ("group", depthwise ? in : 1);
    p.set ("bias_term", true);
    p.blobs = { weights, bias };
    int id = net.addLayer (conv_name, "Convolution", p);
    net.connect (input, 0, id, 0);
    if (relu)
      {
        cv::dnn::LayerParams r;
        r.set ("min_value", 0.0f);
        r.set ("max_value", 6.0f);
        const int rid = net.addLayer (conv_name + "_relu", "ReLU6", r);
        net.connect (id, 0, rid, 0);
        id = rid;
      }
    channels = out;
    return id;
  }
};

cv::dnn::Net
build_net ()
{
  const Tensors tensors = load_tensors ();
  cv::dnn::Net net;
  net.setInputsNames ({ "rgb" });
  Builder b { net, tensors };
  int x = b.conv ("Conv1", "bn_Conv1", 3, 32, 2, false, true, 0);
  x = b.conv ("expanded_conv_depthwise", "expanded_conv_depthwise_BN", 3, 0, 1, true, true, x);
  x = b.conv ("expanded_conv_project", "expanded_conv_project_BN", 1, 16, 1, false, false, x);
  /* MobileNetV2's inverted residual blocks: expand 6x, depthwise 3x3,
   * project; a shortcut where the shape stays. */
  const struct { int out, stride; } blocks[LAST_BLOCK + 1] = { { 16, 1 }, { 24, 2 }, { 24, 1 }, { 32, 2 }, { 32, 1 }, { 32, 1 } };
  for (int i = 1; i <= LAST_BLOCK; i++)
    {
      const std::string p = "block_" + std::to_string (i) + "_";
      const int in = x, in_channels = b.channels;
      int y = b.conv (p + "expand", p + "expand_BN", 1, 6 * in_channels, 1, false, true, x);
      y = b.conv (p + "depthwise", p + "depthwise_BN", 3, 0, blocks[i].stride, true, true, y);
      y = b.conv (p + "project", p + "project_BN", 1, blocks[i].out, 1, false, false, y);
      if (blocks[i].stride == 1 && in_channels == blocks[i].out)
        {
          cv::dnn::LayerParams e;
          e.set ("operation", "sum");
          const int id = net.addLayer (p + "add", "Eltwise", e);
          net.connect (in, 0, id, 0);
          net.connect (y, 0, id, 1);
          y = id;
        }
      x = y;
    }
  if (b.channels != CNN_CHANNELS)
    model_error ("block 5 gives " + std::to_string (b.channels) + " channels");
  return net;
}

cv::dnn::Net &
this_threads_net ()
{
  thread_local std::unique_ptr<cv::dnn::Net> net;
  if (!net)
    net = std::make_unique<cv::dnn::Net> (build_net ());
  return *net;
}

} // namespace

FeatureMap
feature_map (const cv::Mat &rgb_crop, const cv::Vec3f &gain)
{
  if (rgb_crop.empty () || rgb_crop.type () != CV_8UC3)
    throw Error (CANTEEN_VISION_INVALID, "feature map: not an 8-bit RGB crop");
  cv::Mat input;
  rgb_crop.convertTo (input, CV_32FC3, 1.0 / 255.0);
  cv::multiply (input, cv::Scalar (static_cast<double> (gain[0]), static_cast<double> (gain[1]), static_cast<double> (gain[2])), input);
  cv::resize (input, input, cv::Size (CNN_SIDE, CNN_SIDE), 0, 0, cv::INTER_AREA);
  cv::dnn::Net &net = this_threads_net ();
  net.setInput (cv::dnn::blobFromImage (input));
  return FeatureMap (net.forward (OUTPUT).clone (), rgb_crop.size ());
}

void
FeatureMap::pool (const cv::Rect &box, float *bins) const
{
  const int h = map_.size[2], w = map_.size[3];
  /* The cells under the box, at least one. */
  const int x0 = std::clamp (box.x * w / std::max (crop_.width, 1), 0, w - 1);
  const int y0 = std::clamp (box.y * h / std::max (crop_.height, 1), 0, h - 1);
  const int x1 = std::clamp ((box.x + box.width) * w / std::max (crop_.width, 1), x0 + 1, w);
  const int y1 = std::clamp ((box.y + box.height) * h / std::max (crop_.height, 1), y0 + 1, h);
  double total = 0.0;
  for (int c = 0; c < CNN_CHANNELS; c++)
    {
      double sum = 0.0;
      for (int y = y0; y < y1; y++)
        {
          const float *row = map_.ptr<float> (0, c, y);
          for (int x = x0; x < x1; x++)
            sum += static_cast<double> (row[x]);
        }
      bins[c] = static_cast<float> (std::max (sum, 0.0));
      bins[CNN_CHANNELS + c] = static_cast<float> (std::max (-sum, 0.0));
      total += std::fabs (sum);
    }
  for (int i = 0; i < CNN_BINS; i++)
    bins[i] = total > 0.0 ? static_cast<float> (static_cast<double> (bins[i]) / total) : 1.0f / CNN_BINS;
}

} // namespace vision
