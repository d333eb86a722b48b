/* qr-reader.cpp — finder patterns, sampling and decoding of small QR codes
 * (see qr-reader.hpp). Module and bit layouts follow ISO/IEC 18004 as
 * Nayuki's reference QR generator lays them out. */
#include "qr-reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <opencv2/imgproc.hpp>

namespace vision {

namespace {

constexpr int MAX_VERSION = 6;

/* Per version (index 1..6): codewords in the symbol; per error-correction
 * level (L, M, Q, H): EC codewords per block, and blocks. */
constexpr int RAW_CODEWORDS[MAX_VERSION + 1] = { 0, 26, 44, 70, 100, 134, 172 };
constexpr int EC_PER_BLOCK[4][MAX_VERSION + 1] = {
  { 0, 7, 10, 15, 20, 26, 18 },
  { 0, 10, 16, 26, 18, 24, 16 },
  { 0, 13, 22, 18, 26, 18, 24 },
  { 0, 17, 28, 22, 16, 22, 28 },
};
constexpr int BLOCKS[4][MAX_VERSION + 1] = {
  { 0, 1, 1, 1, 1, 1, 2 },
  { 0, 1, 1, 1, 2, 2, 4 },
  { 0, 1, 1, 2, 2, 4, 4 },
  { 0, 1, 1, 2, 4, 4, 4 },
};

/* GF(256) with QR's polynomial x^8 + x^4 + x^3 + x^2 + 1. */
struct Gf
{
  std::array<std::uint8_t, 512> exp {};
  std::array<int, 256>          log {};

  Gf ()
  {
    int x = 1;
    for (int i = 0; i < 255; i++)
      {
        exp[static_cast<std::size_t> (i)] = static_cast<std::uint8_t> (x);
        log[static_cast<std::size_t> (x)] = i;
        x <<= 1;
        if (x & 0x100)
          x ^= 0x11D;
      }
    for (int i = 255; i < 512; i++)
      exp[static_cast<std::size_t> (i)] = exp[static_cast<std::size_t> (i - 255)];
  }
  std::uint8_t mul (std::uint8_t a, std::uint8_t b) const
  {
    return a && b ? exp[static_cast<std::size_t> (log[a] + log[b])] : 0;
  }
  /* b != 0 */
  std::uint8_t div (std::uint8_t a, std::uint8_t b) const
  {
    return a ? exp[static_cast<std::size_t> (log[a] + 255 - log[b])] : 0;
  }
  /* alpha^e for any integer e */
  std::uint8_t alpha (long e) const
  {
    e %= 255;
    if (e < 0)
      e += 255;
    return exp[static_cast<std::size_t> (e)];
  }
};

const Gf &
gf ()
{
  static const Gf field;
  return field;
}

/* The syndromes of a block (first codeword = highest power). */
std::vector<std::uint8_t>
syndromes (const std::vector<std::uint8_t> &block, int nsym, bool *clean)
{
  const Gf &g = gf ();
  std::vector<std::uint8_t> s (static_cast<std::size_t> (nsym));
  *clean = true;
  for (int i = 0; i < nsym; i++)
    {
      const std::uint8_t a = g.alpha (i);
      std::uint8_t v = 0;
      for (std::uint8_t c : block)
        v = static_cast<std::uint8_t> (g.mul (v, a) ^ c);
      s[static_cast<std::size_t> (i)] = v;
      *clean = *clean && v == 0;
    }
  return s;
}

/* Reed-Solomon correction in place (Berlekamp-Massey, Chien, Forney);
 * false when the block has more errors than its nsym EC codewords fix. */
bool
rs_correct (std::vector<std::uint8_t> &block, int nsym)
{
  const Gf &g = gf ();
  const int n = static_cast<int> (block.size ());
  bool clean = false;
  const std::vector<std::uint8_t> s = syndromes (block, nsym, &clean);
  if (clean)
    return true;

  if (nsym < 1)
    return false;
  std::vector<std::uint8_t> c (static_cast<std::size_t> (nsym) + 1, 0), b (c.size (), 0);
  c.front () = 1;
  b.front () = 1;
  int l = 0, m = 1;
  std::uint8_t bd = 1;
  for (int k = 0; k < nsym; k++)
    {
      std::uint8_t d = s[static_cast<std::size_t> (k)];
      for (int i = 1; i <= l; i++)
        d ^= g.mul (c[static_cast<std::size_t> (i)], s[static_cast<std::size_t> (k - i)]);
      if (d == 0)
        {
          m++;
          continue;
        }
      const std::vector<std::uint8_t> t = c;
      const std::uint8_t coef = g.div (d, bd);
      for (int i = 0; i + m <= nsym; i++)
        c[static_cast<std::size_t> (i + m)] ^= g.mul (coef, b[static_cast<std::size_t> (i)]);
      if (2 * l <= k)
        {
          l = k + 1 - l;
          b = t;
          bd = d;
          m = 1;
        }
      else
        m++;
    }
  if (2 * l > nsym)
    return false;

  std::vector<int> where;
  for (int j = 0; j < n; j++)
    {
      const std::uint8_t x_inv = g.alpha (-(n - 1 - j));
      std::uint8_t v = 0;
      for (int i = l; i >= 0; i--)
        v = static_cast<std::uint8_t> (g.mul (v, x_inv) ^ c[static_cast<std::size_t> (i)]);
      if (v == 0)
        where.push_back (j);
    }
  if (static_cast<int> (where.size ()) != l)
    return false;

  std::vector<std::uint8_t> omega (static_cast<std::size_t> (nsym), 0);
  for (int i = 0; i < nsym; i++)
    for (int k = 0; k <= l && k <= i; k++)
      omega[static_cast<std::size_t> (i)] ^= g.mul (c[static_cast<std::size_t> (k)], s[static_cast<std::size_t> (i - k)]);
  for (int j : where)
    {
      const long p = n - 1 - j;
      const std::uint8_t x = g.alpha (p), x_inv = g.alpha (-p);
      std::uint8_t num = 0, den = 0;
      for (int i = nsym - 1; i >= 0; i--)
        num = static_cast<std::uint8_t> (g.mul (num, x_inv) ^ omega[static_cast<std::size_t> (i)]);
      for (int i = 1; i <= l; i += 2)
        den ^= g.mul (c[static_cast<std::size_t> (i)], g.alpha (-p * (i - 1)));
      if (den == 0)
        return false;
      block[static_cast<std::size_t> (j)] ^= g.mul (x, g.div (num, den));
    }
  syndromes (block, nsym, &clean);
  return clean;
}

/* Function modules (finders with their separators and the format areas,
 * timing, the one alignment pattern of versions 2-6): no data there. */
bool
is_function (int x, int y, int size, int version)
{
  if ((x < 9 && y < 9) || (x >= size - 8 && y < 9) || (x < 9 && y >= size - 8))
    return true;
  if (x == 6 || y == 6)
    return true;
  const int a = size - 7;
  return version >= 2 && std::abs (x - a) <= 2 && std::abs (y - a) <= 2;
}

bool
masked (int mask, int x, int y)
{
  switch (mask)
    {
    case 0: return (x + y) % 2 == 0;
    case 1: return y % 2 == 0;
    case 2: return x % 3 == 0;
    case 3: return (x + y) % 3 == 0;
    case 4: return (x / 3 + y / 2) % 2 == 0;
    case 5: return x * y % 2 + x * y % 3 == 0;
    case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
    default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
    }
}

/* The format information: EC level (index into the tables: L, M, Q, H)
 * and mask, from whichever copy is nearer a valid code (3 bit errors at
 * most). Modules: modules[y * size + x], 1 = dark. */
bool
read_format (const std::vector<std::uint8_t> &modules, int size, int *level, int *mask)
{
  auto bit = [&] (int x, int y) { return static_cast<int> (modules[static_cast<std::size_t> (y * size + x)]); };
  int first = 0, second = 0;
  for (int i = 0; i <= 5; i++)
    first |= bit (8, i) << i;
  first |= bit (8, 7) << 6;
  first |= bit (8, 8) << 7;
  first |= bit (7, 8) << 8;
  for (int i = 9; i < 15; i++)
    first |= bit (14 - i, 8) << i;
  for (int i = 0; i < 8; i++)
    second |= bit (size - 1 - i, 8) << i;
  for (int i = 8; i < 15; i++)
    second |= bit (8, size - 15 + i) << i;

  int best = -1, distance = 99;
  for (int data = 0; data < 32; data++)
    {
      int rem = data;
      for (int i = 0; i < 10; i++)
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
      const int code = ((data << 10) | rem) ^ 0x5412;
      for (int seen : { first, second })
        {
          const int d = __builtin_popcount (static_cast<unsigned> (seen ^ code));
          if (d < distance)
            {
              distance = d;
              best = data;
            }
        }
    }
  if (distance > 3)
    return false;
  static const int LEVEL_OF_BITS[4] = { 1, 0, 3, 2 };  /* format bits 00 M, 01 L, 10 H, 11 Q */
  *level = LEVEL_OF_BITS[best >> 3];
  *mask = best & 7;
  return true;
}

class BitReader
{
public:
  explicit BitReader (const std::vector<std::uint8_t> &bytes) : bytes_ (bytes) {}
  bool read (int n, int *out)
  {
    if (pos_ + static_cast<std::size_t> (n) > bytes_.size () * 8)
      return false;
    int v = 0;
    for (int i = 0; i < n; i++, pos_++)
      v = (v << 1) | ((bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1);
    *out = v;
    return true;
  }
  std::size_t left () const { return bytes_.size () * 8 - pos_; }

private:
  const std::vector<std::uint8_t> &bytes_;
  std::size_t                      pos_ = 0;
};

/* Numeric, alphanumeric and byte segments (and ECI headers, skipped);
 * Kanji and structured append are not for us. */
bool
parse_segments (const std::vector<std::uint8_t> &data, std::string *text)
{
  static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  BitReader r (data);
  std::string out;
  int mode = 0;
  while (r.left () >= 4 && r.read (4, &mode) && mode != 0)
    {
      int count = 0, v = 0;
      switch (mode)
        {
        case 1:
          if (!r.read (10, &count))
            return false;
          for (; count >= 3; count -= 3)
            {
              if (!r.read (10, &v) || v > 999)
                return false;
              out += static_cast<char> ('0' + v / 100);
              out += static_cast<char> ('0' + v / 10 % 10);
              out += static_cast<char> ('0' + v % 10);
            }
          if (count == 2)
            {
              if (!r.read (7, &v) || v > 99)
                return false;
              out += static_cast<char> ('0' + v / 10);
              out += static_cast<char> ('0' + v % 10);
            }
          else if (count == 1)
            {
              if (!r.read (4, &v) || v > 9)
                return false;
              out += static_cast<char> ('0' + v);
            }
          break;
        case 2:
          if (!r.read (9, &count))
            return false;
          for (; count >= 2; count -= 2)
            {
              if (!r.read (11, &v) || v >= 45 * 45)
                return false;
              out += ALNUM[v / 45];
              out += ALNUM[v % 45];
            }
          if (count == 1)
            {
              if (!r.read (6, &v) || v >= 45)
                return false;
              out += ALNUM[v];
            }
          break;
        case 4:
          if (!r.read (8, &count))
            return false;
          for (int i = 0; i < count; i++)
            {
              if (!r.read (8, &v))
                return false;
              out += static_cast<char> (v);
            }
          break;
        case 7:
          if (!r.read (8, &v))
            return false;
          if ((v & 0x80) && !r.read ((v & 0x40) ? 16 : 8, &v))
            return false;
          break;
        default:
          return false;
        }
    }
  *text = out;
  return true;
}

/* Bilinear sample, or -1 outside the picture. */
double
sample (const cv::Mat &gray, cv::Point2d p)
{
  if (p.x < 0.0 || p.y < 0.0 || p.x > gray.cols - 1.001 || p.y > gray.rows - 1.001)
    return -1.0;
  const int x = static_cast<int> (p.x), y = static_cast<int> (p.y);
  const double fx = p.x - x, fy = p.y - y;
  const uchar *r0 = gray.ptr<uchar> (y), *r1 = gray.ptr<uchar> (y + 1);
  return (r0[x] * (1 - fx) + r0[x + 1] * fx) * (1 - fy) + (r1[x] * (1 - fx) + r1[x + 1] * fx) * fy;
}

/* The symbol whose finder centres are tl, tr, bl, read as `version`. */
bool
decode_symbol (const cv::Mat &gray, cv::Point2d tl, cv::Point2d tr, cv::Point2d bl, int version, std::string *text)
{
  const int size = 17 + 4 * version;
  const cv::Point2d ux = (tr - tl) / (size - 7.0), uy = (bl - tl) / (size - 7.0);
  /* Module (x, y)'s centre is (x + 0.5, y + 0.5); a finder's is 3.5 in. */
  std::vector<double> level (static_cast<std::size_t> (size * size));
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        const cv::Point2d c = tl + ux * (x - 3.0) + uy * (y - 3.0);
        double sum = 0.0;
        for (const auto &[dx, dy] : { std::pair { 0.0, 0.0 }, { -0.2, -0.2 }, { 0.2, -0.2 }, { -0.2, 0.2 }, { 0.2, 0.2 } })
          {
            const double v = sample (gray, c + ux * dx + uy * dy);
            if (v < 0.0)
              return false;
            sum += v;
          }
        level[static_cast<std::size_t> (y * size + x)] = sum / 5.0;
      }
  /* Dark and light as the finders show them: their cores, their rings. */
  double dark = 0.0, light = 0.0;
  int n_dark = 0, n_light = 0;
  for (const cv::Point o : { cv::Point (0, 0), cv::Point (size - 7, 0), cv::Point (0, size - 7) })
    for (int y = 0; y < 7; y++)
      for (int x = 0; x < 7; x++)
        {
          const int ring = std::max (std::abs (x - 3), std::abs (y - 3));
          const double v = level[static_cast<std::size_t> ((o.y + y) * size + o.x + x)];
          if (ring == 2)
            {
              light += v;
              n_light++;
            }
          else
            {
              dark += v;
              n_dark++;
            }
        }
  dark /= n_dark;
  light /= n_light;
  if (light - dark < 25.0)
    return false;
  const double threshold = (dark + light) / 2.0;
  std::vector<std::uint8_t> modules (level.size ());
  for (std::size_t i = 0; i < level.size (); i++)
    modules[i] = level[i] < threshold ? 1 : 0;

  int ec = 0, mask = 0;
  if (!read_format (modules, size, &ec, &mask))
    return false;

  const int raw_count = RAW_CODEWORDS[version];
  std::vector<std::uint8_t> raw (static_cast<std::size_t> (raw_count), 0);
  int i = 0;
  for (int right = size - 1; right >= 1; right -= 2)
    {
      if (right == 6)
        right = 5;
      for (int vert = 0; vert < size; vert++)
        for (int j = 0; j < 2; j++)
          {
            const int x = right - j;
            const bool upward = ((right + 1) & 2) == 0;
            const int y = upward ? size - 1 - vert : vert;
            if (is_function (x, y, size, version) || i >= raw_count * 8)
              continue;
            const int bit = modules[static_cast<std::size_t> (y * size + x)] ^ (masked (mask, x, y) ? 1 : 0);
            raw[static_cast<std::size_t> (i >> 3)] |= static_cast<std::uint8_t> (bit << (7 - (i & 7)));
            i++;
          }
    }

  /* De-interleave: short blocks first, then blocks one data codeword longer. */
  const int n_blocks = BLOCKS[ec][version], ec_len = EC_PER_BLOCK[ec][version];
  const int n_short = n_blocks - raw_count % n_blocks, short_len = raw_count / n_blocks;
  std::vector<std::vector<std::uint8_t>> padded (static_cast<std::size_t> (n_blocks),
                                                 std::vector<std::uint8_t> (static_cast<std::size_t> (short_len + 1)));
  for (int k = 0, at = 0; k <= short_len; k++)
    for (int b = 0; b < n_blocks; b++)
      if (k != short_len - ec_len || b >= n_short)
        padded[static_cast<std::size_t> (b)][static_cast<std::size_t> (k)] = raw[static_cast<std::size_t> (at++)];
  std::vector<std::uint8_t> data;
  for (int b = 0; b < n_blocks; b++)
    {
      const auto &p = padded[static_cast<std::size_t> (b)];
      const int data_len = short_len - ec_len + (b >= n_short ? 1 : 0);
      std::vector<std::uint8_t> block (p.begin (), p.begin () + data_len);
      block.insert (block.end (), p.end () - ec_len, p.end ());
      if (!rs_correct (block, ec_len))
        return false;
      data.insert (data.end (), block.begin (), block.begin () + data_len);
    }
  return parse_segments (data, text);
}

struct Finder
{
  cv::Point2d centre;
  double      module;
};

/* The largest child of contour `parent`, or -1. */
int
largest_child (const std::vector<std::vector<cv::Point>> &contours, const std::vector<cv::Vec4i> &tree, int parent,
               double *area)
{
  int best = -1;
  *area = 0.0;
  for (int k = tree[static_cast<std::size_t> (parent)][2]; k >= 0; k = tree[static_cast<std::size_t> (k)][0])
    {
      const double a = cv::contourArea (contours[static_cast<std::size_t> (k)]);
      if (a > *area)
        {
          *area = a;
          best = k;
        }
    }
  return best;
}

bool
squarish (const std::vector<cv::Point> &contour, double area)
{
  const cv::Size2f s = cv::minAreaRect (contour).size;
  const double box = static_cast<double> (s.width) * static_cast<double> (s.height);
  const double aspect = static_cast<double> (std::min (s.width, s.height)) / std::max (1.0, static_cast<double> (std::max (s.width, s.height)));
  return box > 0.0 && area / box > 0.7 && aspect > 0.6;
}

/* Finder patterns: a dark square ring around a light one around a dark
 * core (7:5:3 modules), whatever the code's angle and scale. In a
 * dark-on-light binarisation the light ring is a hole holding one dark
 * square; the dark ring itself is not required to stand alone, as it
 * merges with anything dark beyond a thin or blurred quiet zone. */
std::vector<Finder>
find_finders (const cv::Mat &gray)
{
  cv::Mat bin;
  cv::adaptiveThreshold (gray, bin, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 41, 12);
  /* Specks smaller than 3x3 (a granite counter, sensor noise, food grain)
   * out: they made 30,000 contours and 90 ms of a frame; a module of 3
   * pixels or more survives. */
  cv::morphologyEx (bin, bin, cv::MORPH_OPEN, cv::Mat ());
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> tree;
  cv::findContours (bin, contours, tree, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);
  std::vector<Finder> out;
  const double too_big = static_cast<double> (gray.total ()) / 32.0;
  for (int hole = 0; hole < static_cast<int> (contours.size ()); hole++)
    {
      const cv::Vec4i &t = tree[static_cast<std::size_t> (hole)];
      if (t[3] < 0 || t[2] < 0 || contours[static_cast<std::size_t> (hole)].size () < 4)
        continue;
      const double a1 = cv::contourArea (contours[static_cast<std::size_t> (hole)]);
      if (a1 < 60.0 || a1 > too_big)
        continue;
      double a2 = 0.0;
      const int core = largest_child (contours, tree, hole, &a2);
      if (core < 0 || a2 <= 0.0 || contours[static_cast<std::size_t> (core)].size () < 4)
        continue;
      const double ratio = a1 / a2;  /* 25/9 when sharp */
      if (ratio < 1.4 || ratio > 6.0)
        continue;
      const auto &h = contours[static_cast<std::size_t> (hole)], &c = contours[static_cast<std::size_t> (core)];
      if (!squarish (h, a1) || !squarish (c, a2))
        continue;
      const cv::Moments mh = cv::moments (h), mc = cv::moments (c);
      if (mh.m00 <= 0.0 || mc.m00 <= 0.0)
        continue;
      const cv::Point2d ch (mh.m10 / mh.m00, mh.m01 / mh.m00), cc (mc.m10 / mc.m00, mc.m01 / mc.m00);
      /* A threshold that grows the dark shrinks the hole's side and grows
       * the core's by the same amount: their sum is 8 modules. */
      const double module = (std::sqrt (a1) + std::sqrt (a2)) / 8.0;
      if (cv::norm (ch - cc) > module)
        continue;
      out.push_back ({ (ch + cc) * 0.5, module });
    }
  return out;
}

} // namespace

std::vector<QrCode>
read_qr_codes (const cv::Mat &gray)
{
  std::vector<QrCode> codes;
  if (gray.empty () || gray.type () != CV_8UC1)
    return codes;
  std::vector<Finder> f = find_finders (gray);
  /* Textures rarely pass as finders; bound the triples anyway. */
  if (f.size () > 120)
    f.resize (120);
  std::vector<bool> used (f.size (), false);
  for (std::size_t a = 0; a < f.size (); a++)
    for (std::size_t b = a + 1; b < f.size (); b++)
      for (std::size_t c = b + 1; c < f.size (); c++)
        {
          if (used[a] || used[b] || used[c])
            continue;
          const double lo = std::min ({ f[a].module, f[b].module, f[c].module });
          const double hi = std::max ({ f[a].module, f[b].module, f[c].module });
          if (hi > 1.6 * lo)
            continue;
          const double module = (f[a].module + f[b].module + f[c].module) / 3.0;
          /* The corner is the point opposite the longest side. */
          std::size_t idx[3] = { a, b, c };
          double best_side = -1.0;
          int corner = 0;
          for (int k = 0; k < 3; k++)
            {
              const double side = cv::norm (f[idx[(k + 1) % 3]].centre - f[idx[(k + 2) % 3]].centre);
              if (side > best_side)
                {
                  best_side = side;
                  corner = k;
                }
            }
          const cv::Point2d tl = f[idx[corner]].centre;
          cv::Point2d tr = f[idx[(corner + 1) % 3]].centre, bl = f[idx[(corner + 2) % 3]].centre;
          const cv::Point2d u = tr - tl, v = bl - tl;
          if (u.x * v.y - u.y * v.x < 0.0)
            std::swap (tr, bl);
          const double l1 = cv::norm (tr - tl), l2 = cv::norm (bl - tl);
          if (std::abs (l1 - l2) > 0.2 * std::max (l1, l2)
              || std::abs (best_side - std::hypot (l1, l2)) > 0.1 * best_side)
            continue;
          const double span = (l1 + l2) / 2.0 / module;
          if (span < 11.0 || span > 38.0)
            continue;
          const int guess = std::clamp (static_cast<int> (std::lround ((span + 7.0 - 17.0) / 4.0)), 1, MAX_VERSION);
          for (int version : { guess, guess - 1, guess + 1 })
            {
              std::string text;
              if (version < 1 || version > MAX_VERSION || !decode_symbol (gray, tl, tr, bl, version, &text))
                continue;
              /* Finder centres are 3.5 modules in from the symbol's edges. */
              const double size = 17.0 + 4.0 * version;
              const cv::Point2d ux = (tr - tl) / (size - 7.0), uy = (bl - tl) / (size - 7.0);
              const cv::Point2d origin = tl - (ux + uy) * 3.5;
              codes.push_back ({ text, { origin, origin + ux * size, origin + (ux + uy) * size, origin + uy * size } });
              used[a] = used[b] = used[c] = true;
              break;
            }
        }
  return codes;
}

void
clear_qr_codes (const cv::Mat &rgb, double scale, cv::Mat &mask)
{
  cv::Mat gray;
  cv::cvtColor (rgb, gray, cv::COLOR_RGB2GRAY);
  for (const QrCode &code : read_qr_codes (gray))
    {
      if (code.corners.size () != 4)
        continue;
      cv::Point2d centre (0.0, 0.0);
      for (const cv::Point2d &c : code.corners)
        centre += c * 0.25;
      /* The symbol grown by half its size: its four-module quiet zone (up
       * to 40 % of a version 1 code) and the sticker's white border. */
      std::vector<cv::Point> quad;
      for (const cv::Point2d &c : code.corners)
        {
          const cv::Point2d p = (centre + (c - centre) * 1.5) * scale;
          quad.emplace_back (cvRound (p.x), cvRound (p.y));
        }
      cv::fillConvexPoly (mask, quad, cv::Scalar (0));
    }
}

} // namespace vision
