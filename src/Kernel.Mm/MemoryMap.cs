// The boot-time picture of physical memory (Linux's memblock): the usable RAM the firmware
// reported, minus what is already taken (the kernel image, the boot loader's data, the frame
// database, the heap, early page tables). It also hands out early memory before the buddy
// allocator exists, by taking it from the top of the usable ranges below a limit.
//
// Invariants: _usable and _reserved each hold sorted, non-overlapping, page-aligned ranges
// [start, end) in bytes; usable ranges are shrunk inward to whole pages, reserved ones grown
// outward. Firmware maps may overlap or come unsorted: AddUsable merges.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed class MemoryMap
    {
        private const int MaxRanges = 128;

        private readonly ulong[] _usableStart = new ulong[MaxRanges], _usableEnd = new ulong[MaxRanges];
        private readonly ulong[] _reservedStart = new ulong[MaxRanges], _reservedEnd = new ulong[MaxRanges];
        private int _usableCount, _reservedCount;

        public int UsableCount => _usableCount;
        public ulong UsableStart(int i) => _usableStart[i];
        public ulong UsableEnd(int i) => _usableEnd[i];
        public int ReservedCount => _reservedCount;
        public ulong ReservedStart(int i) => _reservedStart[i];
        public ulong ReservedEnd(int i) => _reservedEnd[i];

        // Returns false when the table is full (the range is then ignored).
        public bool AddUsable(ulong start, ulong length)
        {
            ulong end = start + length;
            if (end < start) end = ulong.MaxValue & ~(Paging.Size - 1);
            start = AlignUp(start);
            end &= ~(Paging.Size - 1);
            if (end <= start) return true;
            return Insert(_usableStart, _usableEnd, ref _usableCount, start, end);
        }

        public bool Reserve(ulong start, ulong length)
        {
            ulong end = AlignUp(start + length);
            start &= ~(Paging.Size - 1);
            if (end <= start) return true;
            return Insert(_reservedStart, _reservedEnd, ref _reservedCount, start, end);
        }

        public ulong UsableBytes()
        {
            ulong total = 0;
            for (int i = 0; i < _usableCount; i++) total += _usableEnd[i] - _usableStart[i];
            return total;
        }

        public ulong HighestUsableEnd() => _usableCount == 0 ? 0 : _usableEnd[_usableCount - 1];

        public bool IsReserved(ulong address)
        {
            for (int i = 0; i < _reservedCount; i++)
                if (address >= _reservedStart[i] && address < _reservedEnd[i]) return true;
            return false;
        }

        // Takes `size` bytes (rounded up to pages), aligned to `align` (a power of two >= a page),
        // from the highest usable memory below `limit` that is not reserved, and reserves it.
        // Returns false when nothing fits.
        public bool TryAllocate(ulong size, ulong align, ulong limit, out ulong address)
        {
            address = 0;
            size = AlignUp(size);
            if (align < Paging.Size) align = Paging.Size;
            for (int u = _usableCount - 1; u >= 0; u--)
            {
                ulong top = _usableEnd[u] < limit ? _usableEnd[u] : limit;
                // Walk down through the free gaps of this usable range.
                while (top > _usableStart[u] && top - _usableStart[u] >= size)
                {
                    ulong candidate = (top - size) & ~(align - 1);
                    if (candidate < _usableStart[u]) break;
                    int blocker = FirstReservedOverlap(candidate, candidate + size);
                    if (blocker < 0)
                    {
                        Reserve(candidate, size);
                        address = candidate;
                        return true;
                    }
                    top = _reservedStart[blocker];
                }
            }
            return false;
        }

        // Visits the usable, unreserved page ranges in ascending order: call with index 0, 1, …
        // until it returns false.
        public bool FreeRange(int index, out ulong start, out ulong end)
        {
            int seen = 0;
            for (int u = 0; u < _usableCount; u++)
            {
                ulong at = _usableStart[u];
                while (at < _usableEnd[u])
                {
                    int r = FirstReservedOverlap(at, _usableEnd[u]);
                    ulong stop = r < 0 ? _usableEnd[u] : (_reservedStart[r] > at ? _reservedStart[r] : at);
                    if (stop > at)
                    {
                        if (seen++ == index) { start = at; end = stop; return true; }
                    }
                    if (r < 0) break;
                    at = _reservedEnd[r];
                }
            }
            start = end = 0;
            return false;
        }

        private int FirstReservedOverlap(ulong start, ulong end)
        {
            int found = -1;
            for (int i = 0; i < _reservedCount; i++)
                if (_reservedStart[i] < end && _reservedEnd[i] > start && (found < 0 || _reservedStart[i] < _reservedStart[found]))
                    found = i;
            return found;
        }

        private static ulong AlignUp(ulong value) => (value + Paging.Size - 1) & ~(Paging.Size - 1);

        // Inserts [start, end) keeping the list sorted and merging overlapping or touching ranges.
        private static bool Insert(ulong[] starts, ulong[] ends, ref int count, ulong start, ulong end)
        {
            int i = 0;
            while (i < count && ends[i] < start) i++;
            int j = i;
            while (j < count && starts[j] <= end)
            {
                if (starts[j] < start) start = starts[j];
                if (ends[j] > end) end = ends[j];
                j++;
            }
            int removed = j - i;
            if (removed == 0 && count == MaxRanges) return false;
            int shift = 1 - removed;
            if (shift > 0)
                for (int k = count - 1; k >= j; k--) { starts[k + shift] = starts[k]; ends[k + shift] = ends[k]; }
            else if (shift < 0)
                for (int k = j; k < count; k++) { starts[k + shift] = starts[k]; ends[k + shift] = ends[k]; }
            starts[i] = start;
            ends[i] = end;
            count += shift;
            return true;
        }
    }
}
