/* mat-pool.h — keeps the generator's large image buffers for reuse.
 *
 * Why: a tray is drawn with a few dozen full-frame temporaries. Fresh
 * pages cost ~20 µs each on these VMs (and AddressSanitizer maps and
 * unmaps every large block), so drawing spent most of its time in page
 * faults. While a MatPoolScope lives, new cv::Mats take their memory from a
 * pool of freed blocks of the same size, and give it back there.
 *
 * Contract: only for processes (or children) that do nothing but draw
 * trays: the pool keeps up to POOL_LIMIT bytes resident and is never
 * returned, and setting OpenCV's default allocator is process-wide. Mats
 * made inside a scope may outlive it. Thread-safe (OpenCV may allocate from
 * its worker threads).
 */
#pragma once

#include <opencv2/core.hpp>

namespace traygen {

class MatPoolScope
{
public:
  MatPoolScope ();
  ~MatPoolScope ();
  MatPoolScope (const MatPoolScope &) = delete;
  MatPoolScope &operator= (const MatPoolScope &) = delete;

private:
  cv::MatAllocator *previous_;
};

} // namespace traygen
