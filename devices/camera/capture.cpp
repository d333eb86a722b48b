/* capture.cpp — OpenCV VideoCapture and imread behind the C ABI of
 * capture.h. Everything OpenCV-shaped stays in this file. */
#include "capture.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace fs = std::filesystem;

namespace {

enum class Kind { Device, Video, Images };

constexpr const char *image_extensions[] = { ".jpg", ".jpeg", ".png", ".ppm", ".bmp" };
/* Only these go to FFmpeg. Its demuxers probe anything they are given, so
 * an allowlist keeps a wrong path (a menu file, a log) away from them and
 * lets the error say what was expected. */
constexpr const char *video_extensions[] = { ".avi", ".mp4", ".mkv", ".mov", ".webm",
                                             ".mjpg", ".mjpeg", ".m4v", ".ogv" };

template <std::size_t N>
bool
has_extension (const fs::path &path, const char *const (&list)[N])
{
  std::string ext = path.extension ().string ();
  std::transform (ext.begin (), ext.end (), ext.begin (),
                  [] (unsigned char ch) { return static_cast<char> (std::tolower (ch)); });
  return std::find_if (std::begin (list), std::end (list),
                       [&] (const char *e) { return ext == e; }) != std::end (list);
}

bool
sane_fps (double fps)
{
  return std::isfinite (fps) && fps > 0.0 && fps <= 1000.0;
}

std::string
size_text (int width, int height)
{
  return std::to_string (width) + "x" + std::to_string (height);
}

} // namespace

struct CanteenCapture
{
  Kind                     kind = Kind::Images;
  unsigned                 flags = 0;
  double                   fps = CANTEEN_CAPTURE_DEFAULT_FPS;
  std::string              path;              /* without a "v4l2:" prefix */
  std::string              error;
  bool                     ready = false;     /* opened successfully */

  /* Device and Video */
  cv::VideoCapture         video;
  int                      video_api = cv::CAP_ANY;
  unsigned long            frames_read = 0;   /* since the last rewind, for messages and loops */

  /* Images */
  std::vector<std::string> images;            /* full paths, sorted by name */
  std::size_t              next = 0;          /* the image the next read decodes */
  std::size_t              skipped_in_a_row = 0;
  cv::Mat                  decoded;           /* the last image read; see read_image() */

  CanteenCaptureStatus
  fail (CanteenCaptureStatus status, const std::string &message)
  {
    error = message;
    return status;
  }

  /* For catch blocks: must not throw again. "out of memory" fits the
   * small-string buffer, so assigning it allocates nothing. */
  CanteenCaptureStatus
  fail_noexcept (const char *prefix, const char *what) noexcept
  {
    try
      {
        error = std::string (prefix) + what;
      }
    catch (...)
      {
        error = "out of memory";
      }
    return CANTEEN_CAPTURE_FAILED;
  }

  CanteenCaptureStatus open_device ();
  CanteenCaptureStatus open_video ();
  CanteenCaptureStatus open_images (const fs::path &dir);
  CanteenCaptureStatus read_video (CanteenCaptureFrame *frame);
  CanteenCaptureStatus read_image (CanteenCaptureFrame *frame);
  CanteenCaptureStatus to_rgb (const cv::Mat &src, const std::string &what, CanteenCaptureFrame *frame);
};

/* Every entry point goes through this: no exception leaves the file. */
template <typename Body>
static CanteenCaptureStatus
guarded (CanteenCapture *c, Body &&body) noexcept
{
  try
    {
      return body ();
    }
  catch (const cv::Exception &e)
    {
      return c->fail_noexcept ("OpenCV: ", e.err.c_str ());
    }
  catch (const std::bad_alloc &)
    {
      return c->fail_noexcept ("", "out of memory");
    }
  catch (const std::exception &e)
    {
      return c->fail_noexcept ("", e.what ());
    }
  catch (...)
    {
      return c->fail_noexcept ("", "unexpected failure");
    }
}

CanteenCaptureStatus
CanteenCapture::open_device ()
{
  kind = Kind::Device;
  /* access() first: OpenCV only logs why it failed, and "permission denied"
   * has a fix the operator can act on. */
  if (::access (path.c_str (), R_OK | W_OK) != 0)
    {
      if (errno == EACCES)
        return fail (CANTEEN_CAPTURE_FAILED, "permission denied (is the kiosk user in the ‘video’ group?)");
      return fail (CANTEEN_CAPTURE_FAILED, std::strerror (errno));
    }
  video_api = cv::CAP_V4L2;
  if (!video.open (path, video_api))
    return fail (CANTEEN_CAPTURE_FAILED, "not a V4L2 capture device, or busy");

  const int width = static_cast<int> (video.get (cv::CAP_PROP_FRAME_WIDTH));
  const int height = static_cast<int> (video.get (cv::CAP_PROP_FRAME_HEIGHT));
  if (width > CANTEEN_CAPTURE_MAX_SIDE || height > CANTEEN_CAPTURE_MAX_SIDE)
    return fail (CANTEEN_CAPTURE_TOO_LARGE, "frames of " + size_text (width, height) + " are over the limit");

  if (sane_fps (fps))
    video.set (cv::CAP_PROP_FPS, fps);  /* a request; the driver picks the nearest it has */
  const double own = video.get (cv::CAP_PROP_FPS);
  if (sane_fps (own))
    fps = own;
  return CANTEEN_CAPTURE_OK;
}

CanteenCaptureStatus
CanteenCapture::open_video ()
{
  kind = Kind::Video;
  /* FFmpeg reads every common format; OpenCV's own MJPEG reader is the
   * fallback for .avi MJPG should FFmpeg be missing. GStreamer is left out:
   * it is slow to start and prints to stderr on every file it refuses. */
  for (int api : { cv::CAP_FFMPEG, cv::CAP_OPENCV_MJPEG })
    {
      if (video.open (path, api))
        {
          video_api = api;
          break;
        }
    }
  if (!video.isOpened ())
    return fail (CANTEEN_CAPTURE_UNSUPPORTED, "cannot be opened as a video (corrupt or unknown format)");

  const int width = static_cast<int> (video.get (cv::CAP_PROP_FRAME_WIDTH));
  const int height = static_cast<int> (video.get (cv::CAP_PROP_FRAME_HEIGHT));
  if (width > CANTEEN_CAPTURE_MAX_SIDE || height > CANTEEN_CAPTURE_MAX_SIDE)
    return fail (CANTEEN_CAPTURE_TOO_LARGE, "frames of " + size_text (width, height) + " are over the limit");

  const double own = video.get (cv::CAP_PROP_FPS);
  if (sane_fps (own))
    fps = own;
  return CANTEEN_CAPTURE_OK;
}

CanteenCaptureStatus
CanteenCapture::open_images (const fs::path &dir)
{
  kind = Kind::Images;
  std::error_code ec;
  fs::directory_iterator it (dir, ec);
  if (ec)
    return fail (CANTEEN_CAPTURE_FAILED, "cannot list the folder: " + ec.message ());

  for (const fs::directory_entry &entry : it)
    {
      const fs::path &p = entry.path ();
      /* Dot files are editors' and file managers' leftovers, not frames. */
      if (p.filename ().string ().rfind ('.', 0) == 0 || !has_extension (p, image_extensions))
        continue;
      std::error_code type_ec;
      if (entry.is_regular_file (type_ec))
        images.push_back (p.string ());
    }
  if (images.empty ())
    return fail (CANTEEN_CAPTURE_UNSUPPORTED, "the folder has no images (.jpg, .jpeg, .png, .ppm, .bmp)");
  std::sort (images.begin (), images.end ());
  return CANTEEN_CAPTURE_OK;
}

/* Converts any 8-bit picture OpenCV hands us (BGR, grey, BGRA) into a
 * malloc()ed RGB24 frame; cvtColor writes straight into that buffer. */
CanteenCaptureStatus
CanteenCapture::to_rgb (const cv::Mat &src, const std::string &what, CanteenCaptureFrame *frame)
{
  if (src.cols > CANTEEN_CAPTURE_MAX_SIDE || src.rows > CANTEEN_CAPTURE_MAX_SIDE)
    return fail (CANTEEN_CAPTURE_TOO_LARGE,
                 what + size_text (src.cols, src.rows) + " is over the limit of "
                 + size_text (CANTEEN_CAPTURE_MAX_SIDE, CANTEEN_CAPTURE_MAX_SIDE));

  int code;
  switch (src.channels ())
    {
    case 1: code = cv::COLOR_GRAY2RGB; break;
    case 3: code = cv::COLOR_BGR2RGB; break;
    case 4: code = cv::COLOR_BGRA2RGB; break;
    default:
      return fail (CANTEEN_CAPTURE_UNSUPPORTED, what + std::to_string (src.channels ()) + " channels per pixel");
    }
  if (src.depth () != CV_8U)
    return fail (CANTEEN_CAPTURE_UNSUPPORTED, what + "not 8 bits per channel");

  const std::size_t stride = static_cast<std::size_t> (src.cols) * 3;
  const std::size_t size = stride * static_cast<std::size_t> (src.rows);
  std::unique_ptr<unsigned char, decltype (&std::free)> data (
    static_cast<unsigned char *> (std::malloc (size ? size : 1)), &std::free);
  if (!data)
    return fail (CANTEEN_CAPTURE_FAILED, what + "out of memory for a " + size_text (src.cols, src.rows) + " frame");

  cv::Mat dst (src.rows, src.cols, CV_8UC3, data.get (), stride);
  cv::cvtColor (src, dst, code);
  /* cvtColor keeps a destination of the right size and type; should it
   * ever reallocate, copy back rather than hand out the wrong buffer. */
  if (dst.data != data.get ())
    dst.copyTo (cv::Mat (src.rows, src.cols, CV_8UC3, data.get (), stride));

  frame->width = src.cols;
  frame->height = src.rows;
  frame->stride = stride;
  frame->data = data.release ();
  return CANTEEN_CAPTURE_OK;
}

CanteenCaptureStatus
CanteenCapture::read_video (CanteenCaptureFrame *frame)
{
  cv::Mat bgr;

  /* Two tries: the second is the first frame after a loop's rewind. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (video.read (bgr) && !bgr.empty ())
        {
          frames_read++;
          return to_rgb (bgr, kind == Kind::Video ? "frame " + std::to_string (frames_read) + ": " : "", frame);
        }
      if (kind == Kind::Device)
        return fail (CANTEEN_CAPTURE_FAILED, "the camera stopped delivering frames (unplugged or failed)");
      /* A video's end and a broken frame look the same through VideoCapture. */
      if (!(flags & CANTEEN_CAPTURE_LOOP))
        return fail (CANTEEN_CAPTURE_END, "end of the video");
      if (frames_read == 0)
        return fail (CANTEEN_CAPTURE_FAILED, "the video has no readable frames");
      /* Reopening rewinds reliably; seeking to frame 0 does not for every
       * container. */
      video.release ();
      frames_read = 0;
      if (!video.open (path, video_api))
        return fail (CANTEEN_CAPTURE_FAILED, "cannot reopen the video to loop it");
    }
  return fail (CANTEEN_CAPTURE_FAILED, "the video has no readable frames");
}

CanteenCaptureStatus
CanteenCapture::read_image (CanteenCaptureFrame *frame)
{
  if (next == images.size ())
    {
      if (!(flags & CANTEEN_CAPTURE_LOOP))
        return fail (CANTEEN_CAPTURE_END, "no more images");
      next = 0;
    }
  const std::string &file = images[next++];
  const std::string name = fs::path (file).filename ().string () + ": ";

  /* Assigned to a member, so the previous picture is freed only after the
   * new one is allocated: the heap stays warm instead of being trimmed and
   * faulted back in for every frame. On this VM that was 20 ms against
   * 4 ms per 1280x720 JPEG: page faults cost more than the decode. */
  decoded = cv::imread (file, cv::IMREAD_COLOR);
  CanteenCaptureStatus status;
  if (decoded.empty ())
    status = fail (CANTEEN_CAPTURE_SKIPPED, name + "cannot be read or decoded (corrupt, truncated or not an image)");
  else
    status = to_rgb (decoded, name, frame);

  if (status == CANTEEN_CAPTURE_OK)
    {
      skipped_in_a_row = 0;
      return status;
    }
  /* One bad image must not stop the show: skip it, but say which. */
  if (++skipped_in_a_row >= images.size ())
    return fail (CANTEEN_CAPTURE_FAILED, "none of the " + std::to_string (images.size ())
                 + " images could be read; the last: " + error);
  return CANTEEN_CAPTURE_SKIPPED;
}

extern "C" {

CanteenCaptureStatus
canteen_capture_open (const char *source, double fps_hint, unsigned flags, CanteenCapture **out_capture)
{
  if (out_capture == nullptr)
    return CANTEEN_CAPTURE_FAILED;
  *out_capture = nullptr;

  CanteenCapture *c;
  try
    {
      c = new CanteenCapture ();
    }
  catch (...)
    {
      return CANTEEN_CAPTURE_FAILED;
    }
  *out_capture = c;

  const CanteenCaptureStatus status = guarded (c, [&] () -> CanteenCaptureStatus {
    c->flags = flags;
    c->fps = sane_fps (fps_hint) ? fps_hint : CANTEEN_CAPTURE_DEFAULT_FPS;
    if (source == nullptr || *source == '\0')
      return c->fail (CANTEEN_CAPTURE_UNSUPPORTED, "no source given");

    const bool v4l2_prefix = std::strncmp (source, "v4l2:", 5) == 0;
    c->path = v4l2_prefix ? source + 5 : source;

    std::error_code ec;
    const fs::file_status st = fs::status (c->path, ec);
    if (st.type () == fs::file_type::not_found)
      return c->fail (CANTEEN_CAPTURE_NOT_FOUND, v4l2_prefix || c->path.rfind ("/dev/", 0) == 0
                                                   ? "no such device" : "no such file or folder");
    if (ec)
      return c->fail (CANTEEN_CAPTURE_FAILED, ec.message ());

    if (fs::is_character_file (st))
      return c->open_device ();
    if (v4l2_prefix)
      return c->fail (CANTEEN_CAPTURE_UNSUPPORTED, "not a device");
    if (fs::is_directory (st))
      return c->open_images (c->path);
    if (!fs::is_regular_file (st))
      return c->fail (CANTEEN_CAPTURE_UNSUPPORTED, "not a file, folder or device");

    const fs::path p (c->path);
    if (has_extension (p, image_extensions))
      {
        c->kind = Kind::Images;
        c->images.push_back (c->path);
        return CANTEEN_CAPTURE_OK;
      }
    if (has_extension (p, video_extensions))
      return c->open_video ();
    return c->fail (CANTEEN_CAPTURE_UNSUPPORTED,
                    "not an image (.jpg, .png, .ppm, .bmp) or a video (.avi, .mp4, .mkv, .mov, .webm)");
  });
  c->ready = status == CANTEEN_CAPTURE_OK;
  return status;
}

CanteenCaptureStatus
canteen_capture_read (CanteenCapture *capture, CanteenCaptureFrame *frame)
{
  if (frame != nullptr)
    *frame = CanteenCaptureFrame {};
  if (capture == nullptr || frame == nullptr)
    return CANTEEN_CAPTURE_FAILED;

  return guarded (capture, [&] () -> CanteenCaptureStatus {
    /* A handle whose open failed is only there to carry the error. */
    if (!capture->ready)
      return capture->fail (CANTEEN_CAPTURE_FAILED, "not open");
    if (capture->kind == Kind::Images)
      return capture->read_image (frame);
    return capture->read_video (frame);
  });
}

double
canteen_capture_get_fps (const CanteenCapture *capture)
{
  return capture != nullptr ? capture->fps : CANTEEN_CAPTURE_DEFAULT_FPS;
}

bool
canteen_capture_is_live (const CanteenCapture *capture)
{
  return capture != nullptr && capture->kind == Kind::Device;
}

const char *
canteen_capture_last_error (const CanteenCapture *capture)
{
  return capture != nullptr ? capture->error.c_str () : "no capture";
}

void
canteen_capture_close (CanteenCapture *capture)
{
  try
    {
      delete capture;
    }
  catch (...)
    {
      /* Destructors do not throw; this only keeps the promise of the ABI. */
    }
}

void
canteen_capture_frame_clear (CanteenCaptureFrame *frame)
{
  if (frame == nullptr)
    return;
  std::free (frame->data);
  *frame = CanteenCaptureFrame {};
}

} // extern "C"
