// Virtual memory regions (Linux's vm_area_struct, SerenityOS's Region): a page-aligned range
// [Start, End) of one address space with one protection and one kind of backing, and the sorted
// array an address space keeps them in.
//
// Layout: RegionList holds Region values in a Vector, sorted by Start. Regions are values, so
// splitting one allocates nothing unless the vector grows.
//
// Invariants: every region has Start < End, both page-aligned, End <= PageTable.UserTop; regions
// never overlap, so sorted by Start they are sorted by End too (Find is a binary search).
// Adjacent regions are not merged. All regions are private mappings (fork copies on write).
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Mm
{
    [System.Flags]
    public enum Protection : byte
    {
        None = 0,
        Read = 1 << 0,
        Write = 1 << 1,
        Execute = 1 << 2,
    }

    public enum RegionKind : byte
    {
        Anonymous,   // zero-filled on first touch
        File,        // FileId's page cache, from page FilePage on (private: writes copy)
    }

    public struct Region
    {
        public ulong Start;
        public ulong End;
        public ulong FilePage;   // File: the file page index mapped at Start
        public uint FileId;      // File: opaque to Kernel.Mm
        public Protection Prot;
        public RegionKind Kind;

        public ulong Pages => (End - Start) >> Paging.Shift;
        public bool Contains(ulong va) => va >= Start && va < End;

        public static Region Anonymous(ulong start, ulong end, Protection prot)
        {
            Region r = default;
            r.Start = start;
            r.End = end;
            r.Prot = prot;
            r.Kind = RegionKind.Anonymous;
            return r;
        }

        public static Region File(ulong start, ulong end, Protection prot, uint fileId, ulong filePage)
        {
            Region r = Anonymous(start, end, prot);
            r.Kind = RegionKind.File;
            r.FileId = fileId;
            r.FilePage = filePage;
            return r;
        }

        // This region cut down to [start, end) (inside it); the file offset follows the start.
        public Region Slice(ulong start, ulong end)
        {
            Region r = this;
            if (Kind == RegionKind.File) r.FilePage = FilePage + ((start - Start) >> Paging.Shift);
            r.Start = start;
            r.End = end;
            return r;
        }
    }

    public sealed class RegionList
    {
        private readonly Vector<Region> _items;

        public RegionList(int capacity) { _items = new Vector<Region>(capacity); }

        public int Count => _items.Count;
        public Region At(int index) => _items[index];

        // The index of the region containing va, or -1.
        public int IndexOf(ulong va)
        {
            int i = FirstEndingAfter(va);
            return i < _items.Count && _items[i].Start <= va ? i : -1;
        }

        public bool Find(ulong va, out Region region)
        {
            int i = IndexOf(va);
            region = i < 0 ? default : _items[i];
            return i >= 0;
        }

        // The first region with End > va (so the first that contains or follows va); Count if none.
        public int FirstEndingAfter(ulong va)
        {
            int lo = 0, hi = _items.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (_items[mid].End > va) hi = mid;
                else lo = mid + 1;
            }
            return lo;
        }

        // Adds a region; false (and no change) if it is empty, misaligned or overlaps another.
        public bool Insert(Region region)
        {
            if (region.Start >= region.End || ((region.Start | region.End) & Paging.OffsetMask) != 0) return false;
            int i = FirstEndingAfter(region.Start);
            if (i < _items.Count && _items[i].Start < region.End) return false;
            _items.Insert(i, region);
            return true;
        }

        // Removes [start, end) from every region it touches: regions inside it go, regions across
        // its edges are trimmed, a region around it is split in two. Returns the regions touched.
        public int Carve(ulong start, ulong end)
        {
            int touched = 0;
            int i = FirstEndingAfter(start);
            while (i < _items.Count && _items[i].Start < end)
            {
                Region r = _items[i];
                touched++;
                if (r.Start < start && r.End > end)
                {
                    _items[i] = r.Slice(r.Start, start);
                    _items.Insert(i + 1, r.Slice(end, r.End));
                    break;
                }
                if (r.Start < start)
                {
                    _items[i] = r.Slice(r.Start, start);
                    i++;
                }
                else if (r.End > end)
                {
                    _items[i] = r.Slice(end, r.End);
                    break;
                }
                else _items.RemoveAt(i);
            }
            return touched;
        }

        public void RemoveAt(int index) => _items.RemoveAt(index);

        public void Clear() => _items.Clear();
    }
}
