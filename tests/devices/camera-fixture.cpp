/* camera-fixture.cpp — writes the camera tests' videos and photos. */
#include "camera-fixture.h"

#include <cstdio>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

extern "C" int
camera_fixture_write_video (const char *path, int width, int height, double fps, int n_frames,
                            const unsigned char (*rgb)[3])
{
  try
    {
      cv::VideoWriter writer (path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc ('M', 'J', 'P', 'G'), fps,
                              cv::Size (width, height));
      if (!writer.isOpened ())
        {
          std::fprintf (stderr, "camera-fixture: cannot write %s\n", path);
          return -1;
        }
      for (int i = 0; i < n_frames; i++)
        {
          /* OpenCV wants BGR. */
          cv::Mat frame (height, width, CV_8UC3, cv::Scalar (rgb[i][2], rgb[i][1], rgb[i][0]));
          writer.write (frame);
        }
      return 0;
    }
  catch (const std::exception &e)
    {
      std::fprintf (stderr, "camera-fixture: %s: %s\n", path, e.what ());
      return -1;
    }
}

extern "C" int
camera_fixture_write_photo (const char *path, int width, int height, unsigned seed)
{
  try
    {
      cv::RNG rng (seed);
      cv::Mat noise (height, width, CV_8UC3);
      cv::Mat photo;

      rng.fill (noise, cv::RNG::UNIFORM, 0, 256);
      cv::GaussianBlur (noise, photo, cv::Size (0, 0), 6.0);
      cv::normalize (photo, photo, 0, 255, cv::NORM_MINMAX);
      for (int i = 0; i < 12; i++)
        cv::circle (photo, cv::Point (rng.uniform (0, width), rng.uniform (0, height)),
                    rng.uniform (20, height / 3 + 21),
                    cv::Scalar (rng.uniform (0, 256), rng.uniform (0, 256), rng.uniform (0, 256)), cv::FILLED,
                    cv::LINE_AA);
      cv::add (photo, noise / 16, photo);  /* sensor grain */
      if (!cv::imwrite (path, photo, std::vector<int> { cv::IMWRITE_JPEG_QUALITY, 90 }))
        {
          std::fprintf (stderr, "camera-fixture: cannot write %s\n", path);
          return -1;
        }
      return 0;
    }
  catch (const std::exception &e)
    {
      std::fprintf (stderr, "camera-fixture: %s: %s\n", path, e.what ());
      return -1;
    }
}
