// What a file system gives the page cache of one of its files (Linux's address_space_operations):
// reading a page in from the disk and writing a dirty page back. Both may sleep for I/O (the
// kernel's interrupt lock is per task, so sleeping inside it is allowed). A cache with no backing
// (ramfs) is the file's only copy: its pages are never written back nor reclaimed.
//
// And the wait for a page under I/O (Linux's wait_on_page_locked): a task that finds a page
// Locked (being read in) sleeps on the PageWait until it is unlocked. The kernel implements it
// with a wait queue; without one (the host tests, where I/O completes at once) nobody ever waits.
using Kernel.Abi;

namespace Kernel.Mm
{
    public abstract class PageCacheBacking
    {
        // Fills frame pfn with page `index` of the file (zeros past its end or in a hole).
        public abstract Errno ReadPage(PageCache cache, ulong index, uint pfn);
        // Writes frame pfn, page `index` of the file, to its place on the disk.
        public abstract Errno WritePage(PageCache cache, ulong index, uint pfn);
    }

    public abstract class PageWait
    {
        // Sleeps until some page is unlocked (callers re-check theirs).
        public abstract void Wait();
        public abstract void WakeAll();
    }

    // How a page absent from the cache is filled when it comes in.
    public enum PageFill
    {
        Read,   // from the backing store (or zeros without one)
        Zero,   // the caller overwrites all of it: no read needed
    }
}
