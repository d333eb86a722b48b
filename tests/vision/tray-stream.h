/* tray-stream.h — the tray generator in a child process, its frames read
 * back one at a time over a pipe.
 *
 * Why a child: the harness measures the recogniser's latency and peak
 * memory (getrusage). Drawing trays allocates and frees tens of megabytes
 * per frame and holds the photo library; in the same process that would
 * count against the recogniser, and its heap churn would slow it. The
 * child also draws the next tray on another core while the parent
 * recognises the last one.
 *
 * Contract:
 *  - The child loads the library, makes the menu, then sends the menu,
 *    every enrollment photo (dish by dish, k = 0..n_enroll-1) and every
 *    test tray (0..n_trays-1), in that order, then an end mark. Frames are
 *    exactly those tray-gen makes in-process for the same arguments.
 *  - On failure the child sends an error (with whether the photos were
 *    missing) instead; next() then returns false and error() says why.
 *    A child that dies without an end mark is reported too.
 *  - The child runs on the CPUs the parent may use other than `keep_cpu`
 *    (when there are any), so it does not compete with the measured core.
 *  - One stream per process at a time; POSIX only (fork, pipe).
 */
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "tray-gen.h"

namespace traygen {

struct StreamSpec
{
  std::string photos;     /* the library folder */
  int         n_dishes = 20;
  int         n_enroll = 3;
  int         n_trays = 100;
  uint64_t    seed = 1;
  int         keep_cpu = -1;  /* the parent's measured CPU; -1: no preference */
};

struct MenuEntry
{
  std::string id, photo, plating;
  bool        enrolled;
};

struct StreamFrame
{
  enum Kind { ENROLLMENT, TRAY } kind;
  int                 index;    /* dish index (enrollment) or tray index */
  int                 k;        /* enrollment photo number */
  std::vector<uchar>  jpeg;
  std::string         tray, notes;
  std::vector<Region> regions;
};

class TrayStream
{
public:
  TrayStream () = default;
  TrayStream (const TrayStream &) = delete;
  TrayStream &operator= (const TrayStream &) = delete;
  ~TrayStream ();

  /* Forks the child and reads the menu. False with error() set (and
   * photos_missing() if that was why). */
  bool start (const StreamSpec &spec);
  const std::vector<MenuEntry> &menu () const { return menu_; }
  int photo_count () const { return photo_count_; }

  /* The next frame; false at the end (error() empty) or on failure. */
  bool next (StreamFrame *frame);

  const std::string &error () const { return error_; }
  bool photos_missing () const { return photos_missing_; }

private:
  /* Records why, reaps the child (stopping it first if asked). */
  bool fail (const std::string &why, bool stop_child = false);
  bool read_error_record ();

  FILE                  *in_ = nullptr;
  int                    pid_ = -1;
  std::vector<MenuEntry> menu_;
  int                    photo_count_ = 0;
  std::string            error_;
  bool                   photos_missing_ = false;
  bool                   done_ = false;
};

/* For the generator-only programs (tests, canteen-trays): keep freed
 * memory in the heap instead of returning it to the kernel. On this kind
 * of VM a first touch costs ~20 µs per page, more than the drawing. Never
 * called in a process whose own memory or speed is being measured. */
void keep_freed_memory ();

} // namespace traygen
