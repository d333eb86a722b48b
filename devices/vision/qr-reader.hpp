/* qr-reader.hpp — the texts of the small QR codes in a picture (the tray
 * tags of tray-tag.cpp), read without OpenCV's decoder.
 *
 * Why our own: OpenCV's QRCodeDetector decodes through quirc, which the
 * distribution's OpenCV 4.6 is built without ("QUIRC is not linked"), and
 * its detector missed a third of the synthetic tags. This reader finds the
 * finder patterns as nested contours (dark ring, light ring, dark square),
 * takes each triple that forms a code's corner, samples its modules and
 * decodes them: format information, unmasking, Reed-Solomon correction
 * (GF(256), every block), then numeric, alphanumeric and byte segments.
 *
 * Contract: versions 1 to 6 (21 to 41 modules a side: up to 100 or more
 * characters of text), not mirrored, at least about 2.5 pixels a module.
 * Anything else (a bigger code, a smudged one, noise) simply yields no
 * text; no exception for a picture the reader cannot use, and no limit on
 * how many codes a picture holds. Codes come in no particular order; each
 * text once per code found. */
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace vision {

struct QrCode
{
  std::string             text;     /* decoded, errors corrected; bytes as encoded */
  std::vector<cv::Point2d> corners; /* the symbol's outer corners in `gray` (no quiet zone):
                                     * top left, top right, bottom right, bottom left of the code */
};

/* `gray`: CV_8U. Every code read. (The corners let a caller mask a tag
 * out of what it analyses, e.g. so that a sticker is not taken for food.) */
std::vector<QrCode> read_qr_codes (const cv::Mat &gray);

/* Sets to 0, in `mask` (a picture of the RGB frame `rgb` scaled by
 * `scale`), every QR code read in `rgb` with its quiet zone and the sticker
 * around it: a tray's tag (or a diner's phone code) is never food. */
void clear_qr_codes (const cv::Mat &rgb, double scale, cv::Mat &mask);

} // namespace vision
