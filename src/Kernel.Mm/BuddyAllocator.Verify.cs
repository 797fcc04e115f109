// The buddy allocator's self-check: walks every free list, the order-0 cache and the whole frame
// database and checks the invariants BuddyAllocator.cs states. O(frames); for debug commands and
// tests, never on an allocation path. Reports the first problem found as a string.
namespace Kernel.Mm
{
    public sealed unsafe partial class BuddyAllocator
    {
        public bool Verify(out string problem)
        {
            ulong listed = 0;
            for (int order = 0; order <= MaxOrder; order++)
            {
                uint size = 1u << order;
                uint n = 0, prev = Page.NoFrame;
                for (uint pfn = _areaHead[order]; pfn != Page.NoFrame; pfn = _pages[pfn].LruNext)
                {
                    string where = "free list " + order.ToString() + ", pfn " + pfn.ToString() + ": ";
                    if (n == _areaCount[order]) { problem = where + "list longer than its count"; return false; }
                    if (pfn >= _count || size > _count - pfn) { problem = where + "past the frame database"; return false; }
                    if ((pfn & (size - 1)) != 0) { problem = where + "head not aligned"; return false; }
                    Page* p = _pages + pfn;
                    if ((p->Flags & (PageFlags.Free | PageFlags.Head)) != (PageFlags.Free | PageFlags.Head)) { problem = where + "head lacks Free|Head"; return false; }
                    if (p->Order != order) { problem = where + "head has order " + p->Order.ToString(); return false; }
                    if (p->LruPrev != prev) { problem = where + "back link broken"; return false; }
                    for (uint i = 1; i < size; i++)
                    {
                        if ((_pages[pfn + i].Flags & (PageFlags.Free | PageFlags.Head)) != PageFlags.Free) { problem = where + "frame " + (pfn + i).ToString() + " of the block not plain Free"; return false; }
                    }
                    if (order < MaxOrder)
                    {
                        uint buddy = pfn ^ size;
                        if (buddy < _count && (_pages[buddy].Flags & PageFlags.Head) != 0 && _pages[buddy].Order == order) { problem = where + "buddy is free too (not coalesced)"; return false; }
                    }
                    prev = pfn;
                    n++;
                }
                if (n != _areaCount[order]) { problem = "free list " + order.ToString() + " has " + n.ToString() + " blocks, count says " + _areaCount[order].ToString(); return false; }
                listed += (ulong)n << order;
            }
            for (int i = 0; i < _cacheCount; i++)
            {
                uint pfn = _cache[i];
                if (pfn >= _count || _pages[pfn].Flags != PageFlags.Free) { problem = "cached pfn " + pfn.ToString() + " not a plain Free frame"; return false; }
            }
            listed += (uint)_cacheCount;
            if (listed != _freeFrames) { problem = "lists and cache hold " + listed.ToString() + " frames, FreeFrames says " + _freeFrames.ToString(); return false; }
            uint free = 0, reserved = 0;
            for (uint pfn = 0; pfn < _count; pfn++)
            {
                PageFlags f = _pages[pfn].Flags;
                if ((f & PageFlags.Free) != 0) free++;
                if ((f & PageFlags.Reserved) != 0) reserved++;
                if ((f & PageFlags.Free) != 0 && (f & PageFlags.Reserved) != 0) { problem = "pfn " + pfn.ToString() + " both Free and Reserved"; return false; }
            }
            if (free != _freeFrames) { problem = free.ToString() + " frames marked Free, FreeFrames says " + _freeFrames.ToString(); return false; }
            if (reserved != _count - _managedFrames) { problem = reserved.ToString() + " frames Reserved, expected " + (_count - _managedFrames).ToString(); return false; }
            problem = null;
            return true;
        }
    }
}
