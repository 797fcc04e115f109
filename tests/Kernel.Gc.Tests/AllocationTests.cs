// Allocation: every size class, large objects, zeroing, interior lookups, exhaustion.
using System.Collections.Generic;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class AllocationTests : GcTest
    {
        [Fact]
        public void Every_size_class_gives_zeroed_aligned_disjoint_slots_found_from_any_interior_byte()
        {
            var seen = new List<(nuint start, nuint size)>();
            for (int c = 0; c < SizeClasses.Count; c++)
            {
                uint slot = SizeClasses.SizeOf(c);
                uint lower = c == 0 ? 1 : SizeClasses.SizeOf(c - 1) + 1;
                foreach (uint size in new[] { lower, (lower + slot) / 2, slot })
                {
                    for (int k = 0; k < 5; k++)
                    {
                        byte* p = (byte*)GcHeap.Allocate(size);
                        Assert.True(p != null);
                        Assert.Equal((nuint)0, (nuint)p % 16);
                        for (uint i = 0; i < size; i++) Assert.Equal(0, p[i]);
                        for (uint i = 0; i < size; i++) p[i] = 0xAB;
                        for (uint i = 0; i < slot; i += 7) Assert.True(GcHeap.FindObject(p + i) == p + 8);
                        seen.Add(((nuint)p, slot));
                    }
                }
            }
            seen.Sort();
            for (int i = 1; i < seen.Count; i++) Assert.True(seen[i - 1].start + seen[i - 1].size <= seen[i].start);
            Assert.Equal((nuint)seen.Count, GcHeap.ObjectsInUse);
            nuint bytes = 0;
            foreach (var s in seen) bytes += s.size;
            Assert.Equal(bytes, GcHeap.BytesInUse);
        }

        [Fact]
        public void Large_objects_get_their_own_page_runs_and_interior_pointers_find_them()
        {
            foreach (nuint size in new nuint[] { 2049, 4096, 4097, 12288, 100_000, 1 << 20 })
            {
                nuint pagesBefore = GcHeap.PagesInUse;
                byte* p = (byte*)GcHeap.Allocate(size);
                Assert.True(p != null);
                Assert.Equal((nuint)0, (nuint)p % 4096);
                Assert.True(HostPages.IsLive(p));
                nuint pages = (size + 4095) / 4096;
                Assert.Equal(pagesBefore + pages, GcHeap.PagesInUse);
                for (nuint i = 0; i < size; i += 509) Assert.Equal(0, p[i]);
                for (nuint off = 0; off < size; off += 4093) Assert.True(GcHeap.FindObject(p + off) == p + 8);
                Assert.True(GcHeap.FindObject(p + size - 1) == p + 8);
                // Past the object (its last page's tail, the next page): nothing.
                nuint rounded = (size + 7) & ~(nuint)7;
                if (rounded < pages * 4096) Assert.True(GcHeap.FindObject(p + rounded) == null);
                Assert.True(GcHeap.FindObject(p + pages * 4096) == null || GcHeap.FindObject(p + pages * 4096) != p + 8);
            }
        }

        [Fact]
        public void Zero_size_gets_the_smallest_slot()
        {
            byte* p = (byte*)GcHeap.Allocate(0);
            Assert.True(p != null);
            Assert.True(GcHeap.FindObject(p) == p + 8);
            Assert.Equal((nuint)16, GcHeap.BytesInUse);
        }

        [Fact]
        public void Exhaustion_returns_null_and_a_collection_makes_room()
        {
            HostPages.Limit = HostPages.Outstanding + 40;
            int n = 0;
            byte* kept = New(Pair);
            while (TryNew(Leaf) != null) n++;
            Assert.True(n > 100);
            Assert.True(TryNew(ObjArray, 2000) == null);             // large: no run either
            Collect((nint)kept);
            Assert.True(Alive(kept));
            Assert.Equal((nuint)1, GcHeap.LiveObjects);
            for (int i = 0; i < n / 2; i++) Assert.True(TryNew(Leaf) != null);
            AssertVerified();
        }

        [Fact]
        public void No_allocation_during_a_collection()
        {
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            Assert.True(GcHeap.Allocate(32) == null);
            Assert.Equal(GcStatus.CollectionInProgress, GcHeap.BeginCollection());
            Assert.Equal(GcStatus.CollectionInProgress, GcHeap.Verify(Types.Lo, Types.Hi));
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.Equal(GcStatus.NoCollection, GcHeap.Sweep());
            Assert.Equal(GcStatus.NoCollection, GcHeap.Trace());
            Assert.True(GcHeap.Allocate(32) != null);
        }

        [Fact]
        public void Reused_slots_are_zeroed_again()
        {
            var blocks = new List<nint>();
            for (int i = 0; i < 300; i++)
            {
                byte* p = (byte*)GcHeap.Allocate(40);
                for (int k = 0; k < 48; k++) p[k] = 0x5A;
                blocks.Add((nint)p);
            }
            Collect();
            for (int i = 0; i < 300; i++)
            {
                byte* p = (byte*)GcHeap.Allocate(40);
                for (int k = 0; k < 40; k++) Assert.Equal(0, p[k]);
            }
        }
    }
}
