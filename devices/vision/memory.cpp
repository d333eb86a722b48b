/* memory.cpp — canteen_vision_keep_freed_memory (vision.h).
 *
 * A 1280x720 tray is analysed in buffers of a few MB each, allocated and
 * freed for every tray. With glibc's defaults every such buffer is a fresh
 * mmap and is returned to the kernel when freed, so the next tray pays the
 * page faults again: measured here, that was about half of a tray's CPU
 * time. Keeping freed memory in the heap costs resident memory up to the
 * peak one tray needs (well under the 300 MB budget), which a kiosk holds
 * anyway. */
#include "vision.h"

#include <malloc.h>

extern "C" void
canteen_vision_keep_freed_memory (void)
{
  /* 32 MB is glibc's ceiling for the mmap threshold. */
  mallopt (M_MMAP_THRESHOLD, 32 << 20);
  mallopt (M_TRIM_THRESHOLD, 1 << 30);
}
