using System.Collections.Generic;
using CsCheck;
using Kernel.Mm;
using Xunit;

public class MemoryMapTests
{
    private static List<(ulong, ulong)> Free(MemoryMap map)
    {
        var list = new List<(ulong, ulong)>();
        for (int i = 0; map.FreeRange(i, out ulong s, out ulong e); i++) list.Add((s, e));
        return list;
    }

    [Fact]
    public void Usable_ranges_are_merged_sorted_and_shrunk_to_whole_pages()
    {
        var map = new MemoryMap();
        map.AddUsable(0x100000, 0x7EE0000);   // 1 MiB .. 128 MiB - 128 KiB
        map.AddUsable(0x800, 0x9F000);         // unaligned start: shrinks to 0x1000
        map.AddUsable(0x200000, 0x1000);       // inside the first: merged
        Assert.Equal(2, map.UsableCount);
        Assert.Equal(0x1000UL, map.UsableStart(0));
        Assert.Equal(0x9F000UL, map.UsableEnd(0));
        Assert.Equal(0x100000UL, map.UsableStart(1));
        Assert.Equal(0x7FE0000UL, map.UsableEnd(1));
    }

    [Fact]
    public void Free_ranges_skip_reservations()
    {
        var map = new MemoryMap();
        map.AddUsable(0, 0x100000);
        map.Reserve(0x10000, 0x1000);
        map.Reserve(0x20800, 0x100);   // grows to the whole page 0x20000..0x21000
        Assert.Equal(new[] { (0UL, 0x10000UL), (0x11000UL, 0x20000UL), (0x21000UL, 0x100000UL) }, Free(map));
    }

    [Fact]
    public void Allocation_takes_the_top_below_the_limit_and_avoids_reservations()
    {
        var map = new MemoryMap();
        map.AddUsable(0, 0x400000);
        map.Reserve(0x3F0000, 0x10000);
        Assert.True(map.TryAllocate(0x2000, 0x1000, 0x400000, out ulong a));
        Assert.Equal(0x3EE000UL, a);
        Assert.True(map.TryAllocate(0x1000, 0x200000, 0x400000, out ulong b));
        Assert.Equal(0x200000UL, b);
        Assert.False(map.TryAllocate(0x1000000, 0x1000, 0x400000, out _));
        Assert.True(map.IsReserved(a) && map.IsReserved(b));
    }

    // Property: free ranges are exactly the usable pages that are not reserved.
    [Fact]
    public void Free_ranges_match_a_page_bitmap_model()
    {
        var range = Gen.Select(Gen.Int[0, 255], Gen.Int[1, 40]);
        Gen.Select(range.Array[1, 8], range.Array[0, 8]).Sample(t =>
        {
            var (usable, reserved) = t;
            var map = new MemoryMap();
            var model = new bool[300];
            foreach (var (s, n) in usable) { map.AddUsable((ulong)s * 4096, (ulong)n * 4096); for (int p = s; p < s + n; p++) model[p] = true; }
            foreach (var (s, n) in reserved) { map.Reserve((ulong)s * 4096, (ulong)n * 4096); for (int p = s; p < s + n; p++) model[p] = false; }
            var fromMap = new bool[300];
            ulong previousEnd = 0;
            foreach (var (s, e) in Free(map))
            {
                Assert.True(s >= previousEnd && e > s);
                previousEnd = e;
                for (ulong p = s / 4096; p < e / 4096; p++) fromMap[p] = true;
            }
            Assert.Equal(model, fromMap);
        }, iter: 500);
    }
}
