/* mat-pool.cpp — a cv::MatAllocator that recycles large blocks by size. */
#include "mat-pool.h"

#include <map>
#include <mutex>

namespace traygen {

namespace {

/* Smaller blocks are cheap to get from malloc; larger ones are pooled. */
constexpr size_t POOL_MIN = 64 * 1024;
/* A tray's working set is about 150 MB; a bit more leaves room for the
 * odd sizes of food layers without growing without bound. */
constexpr size_t POOL_LIMIT = 384u << 20;

class PoolAllocator : public cv::MatAllocator
{
public:
  cv::UMatData *
  allocate (int dims, const int *sizes, int type, void *data0, size_t *step, cv::AccessFlag,
            cv::UMatUsageFlags) const override
  {
    /* As OpenCV's own allocator lays a Mat out. */
    size_t total = CV_ELEM_SIZE (type);
    for (int i = dims - 1; i >= 0; i--)
      {
        if (step)
          {
            if (data0 && step[i] != cv::Mat::AUTO_STEP)
              {
                CV_Assert (total <= step[i]);
                total = step[i];
              }
            else
              step[i] = total;
          }
        total *= static_cast<size_t> (sizes[i]);
      }
    auto *u = new cv::UMatData (this);
    u->size = total;
    if (data0)
      {
        u->data = u->origdata = static_cast<uchar *> (data0);
        u->flags |= cv::UMatData::USER_ALLOCATED;
        return u;
      }
    u->data = u->origdata = take (u->size);  /* u->size becomes the block's capacity */
    return u;
  }

  bool
  allocate (cv::UMatData *u, cv::AccessFlag, cv::UMatUsageFlags) const override
  {
    return u != nullptr;
  }

  void
  deallocate (cv::UMatData *u) const override
  {
    if (!u)
      return;
    CV_Assert (u->urefcount == 0 && u->refcount == 0);
    if (!(u->flags & cv::UMatData::USER_ALLOCATED))
      give (u->origdata, u->size);
    delete u;
  }

private:
  /* Sizes are rounded up to classes a quarter-octave apart, so the many
   * odd-sized temporaries of food layers and pieces find a block too. */
  static size_t
  size_class (size_t size)
  {
    size_t octave = POOL_MIN;
    while (octave * 2 <= size)
      octave *= 2;
    for (size_t q = 4; q <= 8; q++)
      if (octave / 4 * q >= size)
        return octave / 4 * q;
    return octave * 2;
  }

  uchar *
  take (size_t &size) const
  {
    if (size >= POOL_MIN)
      {
        size = size_class (size);
        std::lock_guard<std::mutex> lock (mutex_);
        auto it = free_.find (size);
        if (it != free_.end ())
          {
            uchar *block = it->second;
            free_.erase (it);
            pooled_ -= size;
            return block;
          }
      }
    return static_cast<uchar *> (cv::fastMalloc (size));
  }

  void
  give (uchar *block, size_t size) const
  {
    if (size >= POOL_MIN)
      {
        std::lock_guard<std::mutex> lock (mutex_);
        if (pooled_ + size <= POOL_LIMIT)
          {
            free_.emplace (size, block);
            pooled_ += size;
            return;
          }
      }
    cv::fastFree (block);
  }

  mutable std::mutex                     mutex_;
  mutable std::multimap<size_t, uchar *> free_;
  mutable size_t                         pooled_ = 0;
};

/* Never destroyed: Mats it made may live until the process ends. */
PoolAllocator *
pool ()
{
  static PoolAllocator *p = new PoolAllocator;
  return p;
}

} // namespace

MatPoolScope::MatPoolScope () : previous_ (cv::Mat::getDefaultAllocator ())
{
  cv::Mat::setDefaultAllocator (pool ());
}

MatPoolScope::~MatPoolScope ()
{
  cv::Mat::setDefaultAllocator (previous_);
}

} // namespace traygen
