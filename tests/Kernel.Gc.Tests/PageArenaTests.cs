// PageArena, the boot-time page source over one region: against a model, and with the
// collector running on top of it.
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class PageArenaTests : GcTest
    {
        private byte* NewArena(nuint bytes)
        {
            byte* region = (byte*)Native(bytes + 123) + 123;       // unaligned on purpose
            Assert.True(PageArena.Init(region, bytes));
            Assert.True((byte*)PageArena.Start >= region);
            Assert.Equal((nuint)0, (nuint)PageArena.Start % 4096);
            Assert.True((byte*)PageArena.End <= region + bytes);
            return region;
        }

        [Fact]
        public void Allocations_are_disjoint_zeroed_and_come_back()
        {
            NewArena(3 << 20);
            nuint total = PageArena.TotalPages;
            Assert.True(total > 700);
            var r = new System.Random(5);
            var live = new List<(nint p, nuint n)>();
            for (int step = 0; step < 5000; step++)
            {
                if (live.Count > 0 && r.Next(2) == 0)
                {
                    int k = r.Next(live.Count);
                    var (p, n) = live[k];
                    for (nuint i = 0; i < n * 4096; i += 512) ((byte*)p)[i] = 0xEE;
                    PageArena.FreePages((void*)p, n);
                    live.RemoveAt(k);
                    continue;
                }
                nuint count = r.Next(4) == 0 ? (nuint)r.Next(2, 40) : 1;
                byte* q = (byte*)PageArena.AllocPages(count);
                if (q == null) { Assert.True(PageArena.FreePageCount < 40 || count > 1); continue; }
                Assert.True(PageArena.Contains(q) && PageArena.Contains(q + count * 4096 - 1));
                for (nuint i = 0; i < count * 4096; i += 256) Assert.Equal(0, q[i]);
                foreach (var (p, n) in live)
                    Assert.True((nint)q + (nint)(count * 4096) <= p || p + (nint)(n * 4096) <= (nint)q);
                live.Add(((nint)q, count));
            }
            nuint used = 0;
            foreach (var (_, n) in live) used += n;
            Assert.Equal(used, PageArena.UsedPages);
            foreach (var (p, n) in live) PageArena.FreePages((void*)p, n);
            Assert.Equal((nuint)0, PageArena.UsedPages);
            Assert.Equal((nuint)0, PageArena.Errors);
            PageArena.FreePages(PageArena.Start, 1);                  // double free: counted, ignored
            Assert.Equal((nuint)1, PageArena.Errors);
            Assert.True(PageArena.AllocPages(total) != null);       // the whole arena as one run
            Assert.True(PageArena.AllocPages(1) == null);
        }

        [Fact]
        public void The_collector_runs_on_top_of_an_arena()
        {
            NewArena(4 << 20);
            Assert.Equal(GcStatus.Ok, GcHeap.Init(&PageArena.AllocPages, &PageArena.FreePages, 2, 4));
            GcHeap.DebugPoison = true;
            byte* root = New(ObjArray, 16);
            int allocated = 0;
            for (int round = 0; round < 30; round++)
            {
                byte* p;
                while ((p = TryNew(round % 3 == 0 ? ObjArray : Pair, 40)) != null)
                {
                    allocated++;
                    if (allocated % 997 == 0) SetElement(root, allocated % 16, p);
                }
                Collect((nint)root);
                AssertVerified();
            }
            Assert.True(allocated > 30 * 1000);
            Assert.Equal((nuint)0, PageArena.Errors);
            Assert.Equal(PageArena.UsedPages, GcHeap.PagesInUse + GcHeap.MetadataPages + GcHeap.CachedPages);
        }
    }
}
