// The buddy allocator's self-check: walks every free list, the order-0 cache and the whole frame
// database and checks the invariants BuddyAllocator.cs states. O(frames); for debug commands and
// tests, never on an allocation path. Returns the first broken invariant, or null.
namespace Kernel.Mm
{
    public sealed unsafe partial class BuddyAllocator
    {
        public string Verify()
        {
            ulong listed = 0;
            for (int order = 0; order <= MaxOrder; order++)
            {
                uint size = 1u << order;
                string links = _areas[order].Verify(_pages, _count);
                if (links != null) return "free list " + order.ToString() + ": " + links;
                uint n = 0;
                for (uint pfn = _areas[order].Head; pfn != Page.NoFrame; pfn = _pages[pfn].LruNext)
                {
                    string where = "free list " + order.ToString() + ", pfn " + pfn.ToString() + ": ";
                    if (pfn >= _count || size > _count - pfn) return where + "past the frame database";
                    if ((pfn & (size - 1)) != 0) return where + "head not aligned";
                    Page* p = _pages + pfn;
                    if ((p->Flags & (PageFlags.Free | PageFlags.Head)) != (PageFlags.Free | PageFlags.Head)) return where + "head lacks Free|Head";
                    if (p->Order != order) return where + "head has order " + p->Order.ToString();
                    for (uint i = 1; i < size; i++)
                    {
                        if ((_pages[pfn + i].Flags & (PageFlags.Free | PageFlags.Head)) != PageFlags.Free) return where + "frame " + (pfn + i).ToString() + " of the block not plain Free";
                    }
                    if (order < MaxOrder)
                    {
                        uint buddy = pfn ^ size;
                        if (buddy < _count && (_pages[buddy].Flags & PageFlags.Head) != 0 && _pages[buddy].Order == order) return where + "buddy is free too (not coalesced)";
                    }
                    n++;
                }
                listed += (ulong)n << order;
            }
            for (int i = 0; i < _cacheCount; i++)
            {
                uint pfn = _cache[i];
                if (pfn >= _count || _pages[pfn].Flags != PageFlags.Free) return "cached pfn " + pfn.ToString() + " not a plain Free frame";
            }
            listed += (uint)_cacheCount;
            if (listed != _freeFrames) return "lists and cache hold " + listed.ToString() + " frames, FreeFrames says " + _freeFrames.ToString();
            uint free = 0, reserved = 0;
            for (uint pfn = 0; pfn < _count; pfn++)
            {
                PageFlags f = _pages[pfn].Flags;
                if ((f & PageFlags.Free) != 0) free++;
                if ((f & PageFlags.Reserved) != 0) reserved++;
                if ((f & PageFlags.Free) != 0 && (f & PageFlags.Reserved) != 0) return "pfn " + pfn.ToString() + " both Free and Reserved";
            }
            if (free != _freeFrames) return free.ToString() + " frames marked Free, FreeFrames says " + _freeFrames.ToString();
            if (reserved != _count - _managedFrames) return reserved.ToString() + " frames Reserved, expected " + (_count - _managedFrames).ToString();
            return null;
        }
    }
}
