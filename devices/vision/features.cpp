/* features.cpp — the region descriptor (see features.hpp).
 *
 * Colour: a*b* of CIELAB after the frame's white balance, because a*b*
 * separates "how coloured" from "how bright" and the white balance takes
 * out the lamp's colour temperature; beside it the hue angle (weighted by
 * how coloured a pixel is) and the saturation (chroma over lightness),
 * which a darker or lighter portion of the same food keeps. Texture:
 * rotation-invariant uniform LBP (the tray turns; LBP also ignores any
 * monotonic change of brightness) at three scales of a pyramid (rice
 * grains and leaves differ in scale), and a histogram of local contrast
 * relative to local brightness (LBP alone cannot tell a glossy sauce from
 * a rough one). Every histogram splats each sample bilinearly between its
 * two nearest bins, so a small shift of light moves mass smoothly instead
 * of jumping between bins. */
#include "features.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

/* Adds `w` at the fractional bin position `x` (0 = centre of the first
 * bin) of a 1-D histogram of `n` bins. */
inline void
splat1 (float *h, int n, float x, float w)
{
  x = std::clamp (x, 0.0f, static_cast<float> (n - 1));
  const int i = std::min (static_cast<int> (x), n - 2);
  const float f = x - static_cast<float> (i);
  h[i] += w * (1.0f - f);
  h[i + 1] += w * f;
}

inline void
splat2 (float *h, int n, float x, float y)
{
  x = std::clamp (x, 0.0f, static_cast<float> (n - 1));
  y = std::clamp (y, 0.0f, static_cast<float> (n - 1));
  const int i = std::min (static_cast<int> (x), n - 2);
  const int j = std::min (static_cast<int> (y), n - 2);
  const float fx = x - static_cast<float> (i), fy = y - static_cast<float> (j);
  h[j * n + i] += (1 - fx) * (1 - fy);
  h[j * n + i + 1] += fx * (1 - fy);
  h[(j + 1) * n + i] += (1 - fx) * fy;
  h[(j + 1) * n + i + 1] += fx * fy;
}

void
normalise (float *h, int n)
{
  double sum = 0.0;
  for (int i = 0; i < n; i++)
    sum += static_cast<double> (h[i]);
  for (int i = 0; i < n; i++)
    h[i] = sum > 0.0 ? static_cast<float> (static_cast<double> (h[i]) / sum) : 1.0f / static_cast<float> (n);
}

/* riu2 label of an 8-neighbour pattern: the number of neighbours at least
 * as bright as the centre when the pattern has at most two 0/1
 * transitions around the circle, else 9. */
struct RiuTable
{
  unsigned char label[256];
  RiuTable ()
  {
    for (int code = 0; code < 256; code++)
      {
        int transitions = 0, ones = 0;
        for (int b = 0; b < 8; b++)
          {
            ones += (code >> b) & 1;
            transitions += ((code >> b) & 1) != ((code >> ((b + 1) % 8)) & 1);
          }
        label[code] = static_cast<unsigned char> (transitions <= 2 ? ones : 9);
      }
  }
};

const RiuTable riu;

/* LBP(8,1) riu2 histogram of the grey pixels under the mask, borders
 * excluded. The +2 margin makes sensor noise on flat sauce read as flat
 * rather than as random patterns. */
void
lbp_histogram (const cv::Mat &grey, const cv::Mat &mask, float *h)
{
  static const int dy[8] = { 0, 1, 1, 1, 0, -1, -1, -1 };
  static const int dx[8] = { 1, 1, 0, -1, -1, -1, 0, 1 };
  for (int y = 1; y < grey.rows - 1; y++)
    {
      const unsigned char *m = mask.ptr<unsigned char> (y);
      for (int x = 1; x < grey.cols - 1; x++)
        {
          if (!m[x])
            continue;
          const int c = grey.at<unsigned char> (y, x) + 2;
          int code = 0;
          for (int k = 0; k < 8; k++)
            code |= (grey.at<unsigned char> (y + dy[k], x + dx[k]) >= c) << k;
          h[riu.label[code]] += 1.0f;
        }
    }
}

} // namespace

Lighting
estimate_lighting (const cv::Mat &rgb, const cv::Mat &food)
{
  /* A lamp's colour moves every neutral surface (white crockery,
   * stainless steel, a grey counter) along one line in log-chromaticity,
   * from amber to blue (the blackbody locus, roughly (+0.11, -0.13) per
   * unit of warmth in (log R/G, log B/G)). Coloured trays and plates lie
   * off that line, or far along it. So: every non-food pixel near the line
   * votes for a warmth; the most voted warmth, refined by the mean of its
   * voters, is the lamp, and the gains undo it. */
  constexpr double LOCUS_U = 0.113, LOCUS_V = -0.128;
  constexpr double NEAR_LINE = 0.05;    /* log-chromaticity off the line */
  constexpr double MAX_WARMTH = 1.4;    /* further along is a coloured surface */
  constexpr double BIN = 0.1;
  constexpr int BINS = 29;              /* -1.4 .. +1.4 */
  /* Canteen neutrals (stainless, laminate, white glaze) are a little cool
   * themselves; this is their average tint, kept rather than removed. */
  constexpr double REFERENCE_WARMTH = -0.17;

  Lighting light;
  cv::Mat background;
  cv::erode (~food, background, cv::Mat (), cv::Point (-1, -1), 2);
  const double norm2 = LOCUS_U * LOCUS_U + LOCUS_V * LOCUS_V, norm = std::sqrt (norm2);

  struct Vote { double warmth, u, v; };
  std::vector<Vote> votes;
  double hist[BINS] = { 0 };
  for (int y = 0; y < rgb.rows; y += 2)
    {
      const cv::Vec3b *p = rgb.ptr<cv::Vec3b> (y);
      const unsigned char *m = background.ptr<unsigned char> (y);
      for (int x = 0; x < rgb.cols; x += 2)
        {
          /* Clipped pixels lost their colour; dark ones are noise. */
          if (!m[x] || std::max ({ p[x][0], p[x][1], p[x][2] }) >= 250 || p[x][0] + p[x][1] + p[x][2] < 120)
            continue;
          const double u = std::log ((p[x][0] + 1.0) / (p[x][1] + 1.0));
          const double v = std::log ((p[x][2] + 1.0) / (p[x][1] + 1.0));
          const double warmth = (u * LOCUS_U + v * LOCUS_V) / norm2;
          if (std::fabs (u * LOCUS_V - v * LOCUS_U) / norm > NEAR_LINE || std::fabs (warmth) > MAX_WARMTH)
            continue;
          votes.push_back ({ warmth, u, v });
          hist[std::clamp (static_cast<int> (std::lround ((warmth + MAX_WARMTH) / BIN)), 0, BINS - 1)] += 1.0;
        }
    }
  if (votes.size () < 50)
    return light;

  int best = 0;
  double best_score = -1.0;
  for (int i = 0; i < BINS; i++)
    {
      const double score = hist[i] + 0.5 * (i > 0 ? hist[i - 1] : 0.0) + 0.5 * (i < BINS - 1 ? hist[i + 1] : 0.0);
      if (score > best_score)
        {
          best_score = score;
          best = i;
        }
    }
  const double centre = best * BIN - MAX_WARMTH;
  double sum = 0.0;
  long n = 0;
  for (const Vote &vote : votes)
    if (std::fabs (vote.warmth - centre) < 1.5 * BIN)
      {
        sum += vote.warmth;
        n++;
      }
  const double lamp = (n > 0 ? sum / static_cast<double> (n) : centre) - REFERENCE_WARMTH;
  light.gain[0] = static_cast<float> (std::exp (-lamp * LOCUS_U));
  light.gain[1] = 1.0f;
  light.gain[2] = static_cast<float> (std::exp (-lamp * LOCUS_V));
  return light;
}

Descriptor
describe (const cv::Mat &rgb, const cv::Mat &mask, const cv::Rect &box, const Lighting &lighting, const FeatureMap &cnn)
{
  Descriptor d (DIM, 0.0f);
  const cv::Rect r = box & cv::Rect (0, 0, rgb.cols, rgb.rows);
  if (r.empty ())
    {
      for (const Block &b : BLOCKS)
        normalise (d.data () + b.offset, b.size);
      return d;
    }

  cv::Mat balanced, lab;
  rgb (r).convertTo (balanced, CV_32FC3);
  cv::multiply (balanced, cv::Scalar (static_cast<double> (lighting.gain[0]), static_cast<double> (lighting.gain[1]), static_cast<double> (lighting.gain[2])), balanced);
  balanced.convertTo (balanced, CV_8UC3);
  cv::cvtColor (balanced, lab, cv::COLOR_RGB2Lab);
  const cv::Mat m = mask (r);

  /* Colour and lightness. 8-bit Lab keeps a* and b* offset by 128; the
   * range ±64 covers food, and the edge bins catch anything beyond. */
  float *chroma = d.data () + BLOCKS[0].offset;
  float *light = d.data () + BLOCKS[1].offset;
  float *hue = d.data () + BLOCKS[2].offset;
  float *sat = d.data () + BLOCKS[3].offset;
  const float chroma_step = 128.0f / static_cast<float> (CHROMA_BINS);
  for (int y = 0; y < lab.rows; y++)
    {
      const cv::Vec3b *p = lab.ptr<cv::Vec3b> (y);
      const unsigned char *k = m.ptr<unsigned char> (y);
      for (int x = 0; x < lab.cols; x++)
        {
          if (!k[x])
            continue;
          splat2 (chroma, CHROMA_BINS, (static_cast<float> (p[x][1]) - 64.0f) / chroma_step - 0.5f,
                  (static_cast<float> (p[x][2]) - 64.0f) / chroma_step - 0.5f);
          splat1 (light, BLOCKS[1].size, static_cast<float> (p[x][0]) / 32.0f - 0.5f, 1.0f);
          const float ca = static_cast<float> (p[x][1]) - 128.0f, cb = static_cast<float> (p[x][2]) - 128.0f;
          const float c = std::sqrt (ca * ca + cb * cb);
          /* Hue is circular (the last bin's upper half wraps to the first)
           * and only as sure as the pixel is coloured. */
          const float colour = std::min (c / HUE_FULL_CHROMA, 1.0f);
          /* fastAtan2 (degrees, about 0.3° off) is four times cheaper
           * than std::atan2 and far finer than a bin. */
          float at = std::fmod (cv::fastAtan2 (cb, ca) + 180.0f, 360.0f) / 360.0f * static_cast<float> (HUE_BINS) - 0.5f;
          if (at < 0.0f)
            at += static_cast<float> (HUE_BINS);
          const int h0 = static_cast<int> (at) % HUE_BINS;
          const float fh = at - std::floor (at);
          hue[h0] += colour * (1.0f - fh);
          hue[(h0 + 1) % HUE_BINS] += colour * fh;
          hue[HUE_BINS] += 1.0f - colour;
          /* 8-bit Lab stores L* x 255/100. */
          const float lstar = static_cast<float> (p[x][0]) * (100.0f / 255.0f);
          splat1 (sat, SAT_BINS, c / (lstar + 10.0f) / SAT_STEP - 0.5f, 1.0f);
        }
    }

  /* Texture at three scales of a pyramid of the lightness. */
  cv::Mat grey, level_mask = m.clone ();
  cv::extractChannel (lab, grey, 0);
  for (int s = 0; s < 3; s++)
    {
      if (s > 0)
        {
          if (grey.cols < 8 || grey.rows < 8)
            break;
          cv::pyrDown (grey, grey);
          cv::resize (level_mask, level_mask, grey.size (), 0, 0, cv::INTER_NEAREST);
        }
      lbp_histogram (grey, level_mask, d.data () + BLOCKS[4 + static_cast<std::size_t> (s)].offset);
    }

  /* Local contrast: standard deviation over mean in 5x5 windows, on a log
   * scale from 0.4% to 40%. */
  cv::Mat g, mean, sq, mean_sq;
  cv::extractChannel (lab, g, 0);
  g.convertTo (g, CV_32F);
  cv::boxFilter (g, mean, CV_32F, cv::Size (5, 5));
  cv::boxFilter (g.mul (g), mean_sq, CV_32F, cv::Size (5, 5));
  float *contrast = d.data () + BLOCKS[7].offset;
  const int cbins = BLOCKS[7].size;
  for (int y = 0; y < g.rows; y++)
    {
      const float *mu = mean.ptr<float> (y);
      const float *mu2 = mean_sq.ptr<float> (y);
      const unsigned char *k = m.ptr<unsigned char> (y);
      for (int x = 0; x < g.cols; x++)
        {
          if (!k[x])
            continue;
          const float sd = std::sqrt (std::max (mu2[x] - mu[x] * mu[x], 0.0f));
          const float rel = std::max (sd / (mu[x] + 8.0f), 0.004f);
          const float pos = (std::log10 (rel) + 2.4f) / 2.0f * static_cast<float> (cbins) - 0.5f;
          splat1 (contrast, cbins, pos, 1.0f);
        }
    }

  cnn.pool (r, d.data () + CNN_OFFSET);
  for (const Block &b : BLOCKS)
    normalise (d.data () + b.offset, b.size);
  return d;
}

float
distance (const float *a, const float *b)
{
  float total = 0.0f;
  for (const Block &blk : BLOCKS)
    {
      float chi = 0.0f;
      for (int i = blk.offset; i < blk.offset + blk.size; i++)
        {
          const float s = a[i] + b[i];
          if (s > 1e-9f)
            chi += (a[i] - b[i]) * (a[i] - b[i]) / s;
        }
      total += blk.weight * 0.5f * chi;
    }
  return total;
}

bool
descriptor_is_valid (const float *v, std::size_t n)
{
  if (n != static_cast<std::size_t> (DIM))
    return false;
  for (const Block &b : BLOCKS)
    {
      double sum = 0.0;
      for (int i = b.offset; i < b.offset + b.size; i++)
        {
          if (!std::isfinite (v[i]) || v[i] < 0.0f || v[i] > 1.0f)
            return false;
          sum += static_cast<double> (v[i]);
        }
      if (std::fabs (sum - 1.0) > 1e-3)
        return false;
    }
  return true;
}

} // namespace vision
