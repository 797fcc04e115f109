// Kernel bugs the allocator must report through the panic handler, leaving its state untouched.
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class BugReportTests
    {
        static void AssertOnePanic(FrameWorld m, string contains, uint freeBefore)
        {
            Assert.Single(m.Panics.Messages);
            Assert.Contains(contains, m.Panics.Messages[0]);
            Assert.StartsWith("mm: ", m.Panics.Messages[0]);
            m.Panics.Messages.Clear();
            Assert.Equal(freeBefore, m.Buddy.FreeFrames);
            m.AssertHealthy();
        }

        [Fact]
        public void Double_free_into_the_cache()
        {
            using var m = new FrameWorld(64, 0, (0u, 64u));
            Assert.True(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn));
            m.Buddy.Free(pfn, 0);
            m.Buddy.Free(pfn, 0);
            AssertOnePanic(m, "double free: pfn " + pfn, 64);
        }

        [Fact]
        public void Double_free_of_a_coalesced_block()
        {
            using var m = new FrameWorld(64, 0, (0u, 64u));
            Assert.True(m.Buddy.TryAlloc(3, AllocFlags.Kernel, out uint pfn));
            m.Buddy.Free(pfn, 3);
            m.Buddy.Free(pfn, 3);
            AssertOnePanic(m, "double free", 64);
        }

        [Fact]
        public void Free_of_a_frame_inside_a_free_block()
        {
            using var m = new FrameWorld(64, 0, (0u, 64u));
            m.Buddy.Free(37, 0);           // a tail frame of the free order-6 block
            AssertOnePanic(m, "double free: pfn 37", 64);
            Assert.True(m.Buddy.TryAlloc(2, AllocFlags.Kernel, out uint pfn));
            m.Buddy.Free(pfn ^ 4, 2);      // its free buddy
            AssertOnePanic(m, "double free", 60);
        }

        [Fact]
        public void Free_of_a_reserved_frame()
        {
            using var m = new FrameWorld(64, 0, (0u, 32u), (40u, 24u));
            m.Buddy.Free(33, 0);
            AssertOnePanic(m, "free of a reserved frame: pfn 33", 56);
            Assert.True(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn));
            m.Buddy.Free(32, 3);           // the order-3 block 32..39 is all reserved
            AssertOnePanic(m, "reserved", 55);
        }

        [Fact]
        public void Misaligned_and_out_of_range_frees()
        {
            using var m = new FrameWorld(64, 0, (0u, 64u));
            Assert.True(m.Buddy.TryAlloc(2, AllocFlags.Kernel, out uint pfn));
            m.Buddy.Free(pfn + 1, 2);
            AssertOnePanic(m, "not aligned", 60);
            m.Buddy.Free(64, 0);
            AssertOnePanic(m, "past the frame database", 60);
            m.Buddy.Free(uint.MaxValue, 0);
            AssertOnePanic(m, "past the frame database", 60);
            m.Buddy.Free(0, 7);
            AssertOnePanic(m, "past the frame database", 60);
        }

        [Fact]
        public void Free_of_a_mapped_or_listed_frame()
        {
            using var m = new FrameWorld(64, 0, (0u, 64u));
            Assert.True(m.Buddy.TryAlloc(1, AllocFlags.Kernel, out uint pfn));
            m.Pages[pfn + 1].MapCount = 1;
            m.Buddy.Free(pfn, 1);
            AssertOnePanic(m, "mapped frame: pfn " + (pfn + 1), 62);
            m.Pages[pfn + 1].MapCount = 0;
            m.Pages[pfn].Flags = PageFlags.Anon | PageFlags.Active;
            m.Buddy.Free(pfn, 1);
            AssertOnePanic(m, "LRU", 62);
            m.Pages[pfn].Flags = PageFlags.Locked;
            m.Buddy.Free(pfn, 1);
            AssertOnePanic(m, "locked", 62);
            m.Pages[pfn].Flags = PageFlags.Anon;
            m.Buddy.Free(pfn, 1);
            Assert.Empty(m.Panics.Messages);
            Assert.Equal(64u, m.Buddy.FreeFrames);
        }

        [Fact]
        public void Overlapping_or_oversized_ranges()
        {
            using var m = new FrameWorld(64, 0, (0u, 32u));
            m.Buddy.AddFreeRange(16, 32);
            AssertOnePanic(m, "pfn 16 was already added", 32);
            m.Buddy.AddFreeRange(60, 5);
            AssertOnePanic(m, "past the frame database", 32);
            m.Buddy.AddFreeRange(32, 0);
            Assert.Empty(m.Panics.Messages);
        }
    }
}
