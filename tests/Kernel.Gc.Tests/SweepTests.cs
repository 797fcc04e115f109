// Sweeping: statistics, reuse of freed slots, empty pages going back to the page source.
using System.Collections.Generic;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class SweepTests : GcTest
    {
        [Fact]
        public void Statistics_count_slots_and_pages()
        {
            byte* keep = New(Pair);                      // 32-byte class
            byte* big = New(ObjArray, 1000);             // 8024 bytes: 2 pages
            for (int i = 0; i < 10; i++) New(Mixed);     // 40 -> 48-byte class
            New(ObjArray, 600);                          // 4824 bytes: 2 pages, dead
            Set(keep, 8, big);
            Assert.Equal((nuint)(32 + 8192 + 480 + 8192), GcHeap.BytesInUse);
            Assert.Equal((nuint)6, GcHeap.PagesInUse);
            Collect((nint)keep);
            Assert.Equal(1ul, GcHeap.Collections);
            Assert.Equal((nuint)(32 + 8192), GcHeap.LiveBytes);
            Assert.Equal((nuint)(480 + 8192), GcHeap.FreedBytes);
            Assert.Equal((nuint)2, GcHeap.LiveObjects);
            Assert.Equal((nuint)11, GcHeap.FreedObjects);
            Assert.Equal((nuint)(32 + 8192), GcHeap.BytesInUse);
            Assert.Equal((nuint)2, GcHeap.ObjectsInUse);
            Assert.Equal((nuint)3, GcHeap.PagesInUse);    // the 32-byte page and the 2-page array
            Assert.Equal((nuint)1, GcHeap.CachedPages);   // the 48-byte page, now empty
            AssertVerified();
        }

        [Fact]
        public void Freed_slots_are_reused_before_new_pages_are_taken()
        {
            var first = new HashSet<nint>();
            for (int i = 0; i < 1024; i++) first.Add((nint)New(Pair));   // 8 full pages of 128
            var keep = new List<nint>();
            int k = 0;
            foreach (nint p in first) if (k++ % 10 == 0) keep.Add(p);
            nuint pages = GcHeap.PagesInUse;
            Collect(keep.ToArray());
            Assert.Equal(pages, GcHeap.PagesInUse);      // every page still holds a survivor
            Assert.Equal(103, keep.Count);
            for (int i = 0; i < 1024 - 103; i++)
            {
                byte* p = New(Pair);
                Assert.Contains((nint)p, first);
                Assert.DoesNotContain((nint)p, keep);
            }
            Assert.Equal(pages, GcHeap.PagesInUse);
            New(Pair);
            Assert.Equal(pages + 1, GcHeap.PagesInUse);
            AssertVerified();
        }

        [Fact]
        public void Empty_pages_go_back_to_the_page_source_beyond_a_small_cache()
        {
            nuint meta = GcHeap.MetadataPages;
            for (int c = 0; c < SizeClasses.Count; c++)
                for (int i = 0; i < 100; i++) GcHeap.Allocate(SizeClasses.SizeOf(c));
            for (int i = 0; i < 20; i++) New(ObjArray, 1000 * (i + 1));
            Assert.True(GcHeap.PagesInUse > 100);
            Collect();
            Assert.Equal((nuint)0, GcHeap.PagesInUse);
            Assert.Equal((nuint)0, GcHeap.BytesInUse);
            Assert.Equal(GcHeap.DefaultMaxCachedPages, GcHeap.CachedPages);
            Assert.Equal(GcHeap.MetadataPages + GcHeap.CachedPages, HostPages.Outstanding);
            GcHeap.ReleaseCachedPages();
            Assert.Equal((nuint)0, GcHeap.CachedPages);
            Assert.Equal(GcHeap.MetadataPages, HostPages.Outstanding);
            Assert.True(GcHeap.MetadataPages - meta < 64, $"metadata {GcHeap.MetadataPages - meta}");   // descriptors, map nodes
            Assert.Equal(0, HostPages.BadFrees);
            // Cached pages are used again (not zeroed by the source, zeroed per slot).
            for (int i = 0; i < 3000; i++)
            {
                byte* p = New(Leaf);
                Assert.Equal(0ul, *(ulong*)(p - 8));
                Assert.Equal(0ul, *(ulong*)(p + 8));
            }
            AssertVerified();
        }

        [Fact]
        public void Dead_large_objects_return_their_run_at_once()
        {
            byte* big = New(Bytes, 1 << 20);
            byte* block = big - 8;
            Assert.True(HostPages.IsLive(block));
            Collect();
            Assert.False(HostPages.IsLive(block));
            Assert.Equal((nuint)0, GcHeap.PagesInUse);
            Assert.True(GcHeap.FindObject(big) == null);
            Assert.False(GcHeap.IsHeapAddress(big));
        }

        [Fact]
        public void Many_collections_of_short_lived_garbage_keep_the_heap_small()
        {
            byte* root = New(ObjArray, 64);
            var r = new System.Random(3);
            nuint maxPages = 0;
            for (int round = 0; round < 50; round++)
            {
                for (int i = 0; i < 20000; i++)
                {
                    byte* p = New(r.Next(8) == 0 ? ObjArray : Pair, 3);
                    if (r.Next(100) == 0) SetElement(root, r.Next(64), p);
                }
                Collect((nint)root);
                if (GcHeap.PagesInUse > maxPages) maxPages = GcHeap.PagesInUse;
            }
            Assert.True(maxPages < 400, $"pages {maxPages}");
            Assert.Equal(50ul, GcHeap.Collections);
            AssertVerified();
        }
    }
}
