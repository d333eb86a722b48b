/* tray-stream.cpp — the generator child and the records it sends: a
 * private binary format (host byte order; both ends are this program). */
#include "tray-stream.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace traygen {

namespace {

enum Record : uint8_t { MENU = 'M', FRAME = 'F', FAILURE = 'X', END = 'Z' };

/* Strings and JPEGs larger than this mean the stream is corrupt. */
constexpr uint32_t MAX_BLOB = 64u << 20;

class Writer
{
public:
  explicit Writer (FILE *f) : f_ (f) {}
  void u8 (uint8_t v) { put (&v, 1); }
  void i32 (int32_t v) { put (&v, sizeof v); }
  void str (const void *data, size_t len)
  {
    i32 (static_cast<int32_t> (len));
    put (data, len);
  }
  void str (const std::string &s) { str (s.data (), s.size ()); }
  void rect (const cv::Rect &r)
  {
    i32 (r.x);
    i32 (r.y);
    i32 (r.width);
    i32 (r.height);
  }
  bool ok () const { return ok_; }

private:
  void put (const void *data, size_t len) { ok_ = ok_ && (len == 0 || std::fwrite (data, 1, len, f_) == len); }
  FILE *f_;
  bool  ok_ = true;
};

class Reader
{
public:
  explicit Reader (FILE *f) : f_ (f) {}
  uint8_t u8 ()
  {
    uint8_t v = 0;
    get (&v, 1);
    return v;
  }
  int32_t i32 ()
  {
    int32_t v = 0;
    get (&v, sizeof v);
    return v;
  }
  template <typename Bytes> void str (Bytes *out)
  {
    int32_t len = i32 ();
    if (len < 0 || static_cast<uint32_t> (len) > MAX_BLOB)
      {
        ok_ = false;
        return;
      }
    out->resize (static_cast<size_t> (len));
    get (out->data (), out->size ());
  }
  cv::Rect rect ()
  {
    cv::Rect r;
    r.x = i32 ();
    r.y = i32 ();
    r.width = i32 ();
    r.height = i32 ();
    return r;
  }
  bool ok () const { return ok_; }

private:
  void get (void *data, size_t len) { ok_ = ok_ && (len == 0 || std::fread (data, 1, len, f_) == len); }
  FILE *f_;
  bool  ok_ = true;
};

void
write_frame (Writer &w, StreamFrame::Kind kind, int index, int k, const Frame &frame)
{
  w.u8 (FRAME);
  w.u8 (kind == StreamFrame::ENROLLMENT ? 'E' : 'T');
  w.i32 (index);
  w.i32 (k);
  w.str (frame.jpeg.data (), frame.jpeg.size ());
  w.str (frame.tray);
  w.str (frame.notes);
  w.i32 (static_cast<int32_t> (frame.regions.size ()));
  for (const auto &r : frame.regions)
    {
      w.i32 (r.dish);
      w.str (r.id);
      w.u8 (r.enrolled);
      w.rect (r.food);
      w.rect (r.container);
      w.str (r.vessel);
    }
}

/* The child's whole life. Returns its exit status. */
int
produce (FILE *out, const StreamSpec &spec)
{
  Writer w (out);
  keep_freed_memory ();
  try
    {
      PhotoLibrary library;
      std::string error;
      if (!library.load (spec.photos, &error))
        {
          w.u8 (FAILURE);
          w.u8 (1);
          w.str (error);
          return 0;
        }
      Menu menu = make_menu (library, spec.n_dishes, spec.seed);
      w.u8 (MENU);
      w.i32 (static_cast<int32_t> (library.photos ().size ()));
      w.i32 (static_cast<int32_t> (menu.dishes.size ()));
      for (const auto &d : menu.dishes)
        {
          w.str (d.id);
          w.str (library.photos ()[static_cast<size_t> (d.photo)].name);
          w.str (std::string (plating_name (d.plating)));
          w.u8 (d.enrolled);
        }
      for (int d = 0; d < menu.n_enrolled && w.ok (); d++)
        for (int k = 0; k < spec.n_enroll && w.ok (); k++)
          write_frame (w, StreamFrame::ENROLLMENT, d, k, make_enrollment (library, menu, d, k));
      for (int t = 0; t < spec.n_trays && w.ok (); t++)
        write_frame (w, StreamFrame::TRAY, t, 0, make_tray (library, menu, t));
      w.u8 (END);
    }
  catch (const std::exception &e)
    {
      w.u8 (FAILURE);
      w.u8 (0);
      w.str (std::string ("tray generator: ") + e.what ());
    }
  return std::fflush (out) == 0 && w.ok () ? 0 : 1;
}

} // namespace

void
keep_freed_memory ()
{
  /* Large blocks from the heap, not mmap (32 MB is glibc's ceiling for
   * this setting), and no trimming: freed frames are reused untouched. */
  mallopt (M_MMAP_THRESHOLD, 32 << 20);
  mallopt (M_TRIM_THRESHOLD, 1 << 30);
}

TrayStream::~TrayStream ()
{
  if (in_)
    std::fclose (in_);
  if (pid_ > 0)
    {
      if (!done_)
        kill (pid_, SIGTERM);
      waitpid (pid_, nullptr, 0);
    }
}

bool
TrayStream::fail (const std::string &why, bool stop_child)
{
  if (error_.empty ())
    error_ = why;
  if (pid_ > 0 && !done_)
    {
      if (stop_child)
        kill (pid_, SIGTERM);
      int status = 0;
      if (waitpid (pid_, &status, 0) == pid_)
        {
          pid_ = -1;
          if (WIFSIGNALED (status) && !stop_child)
            error_ += std::string (" (the tray generator was killed by ") + strsignal (WTERMSIG (status)) + ")";
        }
    }
  done_ = true;
  return false;
}

bool
TrayStream::start (const StreamSpec &spec)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) != 0)
    return fail (std::string ("pipe: ") + std::strerror (errno));
  std::fflush (nullptr);  /* or the child would print the parent's buffered output again */

  cpu_set_t cpus;
  CPU_ZERO (&cpus);
  sched_getaffinity (0, sizeof cpus, &cpus);
  if (spec.keep_cpu >= 0 && CPU_ISSET (spec.keep_cpu, &cpus) && CPU_COUNT (&cpus) > 1)
    CPU_CLR (spec.keep_cpu, &cpus);

  pid_ = fork ();
  if (pid_ < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return fail (std::string ("fork: ") + std::strerror (errno));
    }
  if (pid_ == 0)
    {
      close (fds[0]);
      sched_setaffinity (0, sizeof cpus, &cpus);
      FILE *out = fdopen (fds[1], "wb");
      int status = out ? produce (out, spec) : 1;
      if (out)
        std::fclose (out);
      _exit (status);
    }
  close (fds[1]);
  /* Room for a few frames, so the child draws ahead (best effort). */
  fcntl (fds[0], F_SETPIPE_SZ, 1 << 20);
  in_ = fdopen (fds[0], "rb");
  if (!in_)
    {
      close (fds[0]);
      return fail ("fdopen failed", true);
    }

  Reader r (in_);
  uint8_t kind = r.u8 ();
  if (!r.ok ())
    return fail ("the tray generator stopped before sending its menu");
  if (kind == FAILURE)
    return read_error_record ();
  if (kind != MENU)
    return fail ("the tray generator sent garbage", true);
  photo_count_ = r.i32 ();
  int n = r.i32 ();
  for (int i = 0; i < n && r.ok (); i++)
    {
      MenuEntry e;
      r.str (&e.id);
      r.str (&e.photo);
      r.str (&e.plating);
      e.enrolled = r.u8 () != 0;
      menu_.push_back (e);
    }
  return r.ok () ? true : fail ("the tray generator's menu was cut short", true);
}

bool
TrayStream::read_error_record ()
{
  Reader r (in_);
  photos_missing_ = r.u8 () == 1;
  std::string message;
  r.str (&message);
  return fail (r.ok () ? message : "the tray generator failed and said nothing");
}

bool
TrayStream::next (StreamFrame *frame)
{
  if (done_)
    return false;
  Reader r (in_);
  uint8_t kind = r.u8 ();
  if (!r.ok ())
    return fail ("the tray generator stopped without finishing");
  if (kind == FAILURE)
    return read_error_record ();
  if (kind == END)
    {
      int status = 0;
      done_ = true;
      if (waitpid (pid_, &status, 0) == pid_)
        pid_ = -1;
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        error_ = "the tray generator failed at its end";
      return false;
    }
  if (kind != FRAME)
    return fail ("the tray generator sent garbage", true);
  frame->kind = r.u8 () == 'E' ? StreamFrame::ENROLLMENT : StreamFrame::TRAY;
  frame->index = r.i32 ();
  frame->k = r.i32 ();
  r.str (&frame->jpeg);
  r.str (&frame->tray);
  r.str (&frame->notes);
  int n = r.i32 ();
  frame->regions.clear ();
  for (int i = 0; i < n && r.ok () && n < 64; i++)
    {
      Region g;
      g.dish = r.i32 ();
      r.str (&g.id);
      g.enrolled = r.u8 () != 0;
      g.food = r.rect ();
      g.container = r.rect ();
      r.str (&g.vessel);
      frame->regions.push_back (g);
    }
  return r.ok () && n < 64 ? true : fail ("the tray generator's frame was cut short", true);
}

} // namespace traygen
