/* camera-fixture.h — test-only pictures for the camera tests, written with
 * OpenCV (C++ behind C, like devices/camera/capture.h).
 *
 * Contract: each writer returns 0, or -1 after printing why to stderr;
 * nothing here is part of the product. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* An MJPG .avi (OpenCV's own writer, so no FFmpeg encoder is needed) of
 * `n_frames` frames, frame i filled with the colour rgb[i] (R, G, B). */
int camera_fixture_write_video (const char *path, int width, int height, double fps, int n_frames,
                                const unsigned char (*rgb)[3]);

/* A JPEG (quality 90) with photo-like texture — smooth regions, edges and
 * noise — so decoding it costs what a real camera picture costs. */
int camera_fixture_write_photo (const char *path, int width, int height, unsigned seed);

#ifdef __cplusplus
}
#endif
