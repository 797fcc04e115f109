using System.Collections.Generic;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class BuddyAllocatorTests
    {
        [Fact]
        public void Add_free_range_builds_maximal_aligned_blocks()
        {
            // 3000 frames from pfn 0: 2 x 1024, then 952 = 512 + 256 + 128 + 32 + 16 + 8.
            using var m = new FrameWorld(3000, 0, (0u, 3000u));
            m.AssertHealthy();
            var want = new uint[] { 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 2 };
            for (int k = 0; k <= BuddyAllocator.MaxOrder; k++) Assert.Equal(want[k], m.Buddy.FreeBlocks(k));
            Assert.Equal(3000u, m.Buddy.FreeFrames);
            Assert.Equal(3000u, m.Buddy.ManagedFrames);
        }

        [Fact]
        public void Adjacent_ranges_coalesce_and_unaligned_starts_split()
        {
            using var m = new FrameWorld(2048, 0, (1024u, 1024u), (3u, 1021u), (0u, 3u));
            m.AssertHealthy();
            Assert.Equal(2u, m.Buddy.FreeBlocks(BuddyAllocator.MaxOrder));
            Assert.Equal(2048u, m.Buddy.FreeFrames);
        }

        [Fact]
        public void Frames_outside_the_map_are_never_handed_out()
        {
            using var m = new FrameWorld(64, 0, (8u, 8u), (40u, 3u));
            var got = new HashSet<uint>();
            while (m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn)) Assert.True(got.Add(pfn));
            Assert.Equal(11, got.Count);
            foreach (uint pfn in got) Assert.True((pfn >= 8 && pfn < 16) || (pfn >= 40 && pfn < 43));
            Assert.Equal(0u, m.Buddy.FreeFrames);
            m.AssertHealthy();
        }

        [Fact]
        public void Out_of_memory_fails_without_panic()
        {
            using var m = new FrameWorld(16, 0, (0u, 16u));
            Assert.True(m.Buddy.TryAlloc(4, AllocFlags.Kernel, out uint block));
            Assert.Equal(0u, block);
            Assert.False(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn));
            Assert.Equal(Page.NoFrame, pfn);
            Assert.False(m.Buddy.TryAlloc(4, AllocFlags.Kernel, out _));
            m.Buddy.Free(block, 4);
            Assert.False(m.Buddy.TryAlloc(5, AllocFlags.Kernel, out _)); // larger than all of RAM
            m.AssertHealthy();
        }

        [Fact]
        public void Bad_orders_fail_or_panic()
        {
            using var m = new FrameWorld(16, 0, (0u, 16u));
            Assert.False(m.Buddy.TryAlloc(-1, AllocFlags.Kernel, out _));
            Assert.False(m.Buddy.TryAlloc(BuddyAllocator.MaxOrder + 1, AllocFlags.Kernel, out _));
            m.Buddy.Free(0, BuddyAllocator.MaxOrder + 1);
            Assert.Single(m.Panics.Messages);
        }

        [Fact]
        public void User_allocations_leave_the_reserve_to_the_kernel()
        {
            using var m = new FrameWorld(128, 10, (0u, 100u));
            int user = 0;
            while (m.Buddy.TryAlloc(0, AllocFlags.User, out _)) user++;
            Assert.Equal(90, user);
            Assert.False(m.Buddy.TryAlloc(0, AllocFlags.None, out _));
            int kernel = 0;
            while (m.Buddy.TryAlloc(0, AllocFlags.Kernel, out _)) kernel++;
            Assert.Equal(10, kernel);
            m.AssertHealthy();
        }

        [Fact]
        public void Reserve_counts_whole_blocks()
        {
            using var m = new FrameWorld(64, 8, (0u, 64u));
            Assert.True(m.Buddy.TryAlloc(5, AllocFlags.User, out _));   // 32 left
            Assert.True(m.Buddy.TryAlloc(4, AllocFlags.User, out _));   // 16 left
            Assert.False(m.Buddy.TryAlloc(4, AllocFlags.User, out _));  // would leave 0 < 8
            Assert.True(m.Buddy.TryAlloc(3, AllocFlags.User, out _));   // leaves exactly 8
            Assert.False(m.Buddy.TryAlloc(0, AllocFlags.User, out _));
            Assert.True(m.Buddy.TryAlloc(3, AllocFlags.Kernel, out _));
            m.Buddy.SetReserve(0);
            Assert.Equal(0u, m.Buddy.ReserveFrames);
            m.AssertHealthy();
        }

        [Fact]
        public void Fresh_and_freed_records_are_reset()
        {
            using var m = new FrameWorld(16, 0, (0u, 16u));
            Assert.True(m.Buddy.TryAlloc(2, AllocFlags.Kernel, out uint pfn));
            for (uint i = 0; i < 4; i++) Assert.Equal(PageFlags.None, m.Pages[pfn + i].Flags);
            Assert.Equal(1, m.Pages[pfn].RefCount);
            Page* p = m.Pages + pfn + 1;
            p->Flags = PageFlags.Anon | PageFlags.Dirty | PageFlags.Referenced;
            p->OwnerId = 3; p->OwnerIndex = 99; p->ContainerId = 2; p->Private = 5; p->RefCount = 4;
            m.Buddy.Free(pfn, 2);
            m.AssertHealthy();
            Assert.Equal(PageFlags.Free, p->Flags);
            Assert.Equal(0u, p->OwnerId);
            Assert.Equal(0UL, p->OwnerIndex);
            Assert.Equal((ushort)0, p->ContainerId);
            Assert.Equal(0u, p->Private);
            Assert.Equal(0, p->RefCount);
        }

        [Fact]
        public void Higher_orders_drain_the_order0_cache()
        {
            using var m = new FrameWorld(2, 0, (0u, 2u));
            Assert.True(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint a));
            m.Buddy.Free(a, 0);
            Assert.Equal(2u, m.Buddy.CachedFrames);
            Assert.Equal(0u, m.Buddy.FreeBlocks(1));
            Assert.True(m.Buddy.TryAlloc(1, AllocFlags.Kernel, out uint b));
            Assert.Equal(0u, b);
            Assert.Equal(0u, m.Buddy.CachedFrames);
            m.AssertHealthy();
        }

        [Fact]
        public void Cache_overflow_goes_back_to_the_buddy_lists()
        {
            using var m = new FrameWorld(1024, 0, (0u, 1024u));
            var held = new List<uint>();
            for (int i = 0; i < 200; i++)
            {
                Assert.True(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn));
                held.Add(pfn);
            }
            foreach (uint pfn in held) m.Buddy.Free(pfn, 0);
            Assert.True(m.Buddy.CachedFrames <= BuddyAllocator.CacheHigh);
            m.AssertHealthy();
            m.Buddy.DrainCache();
            Assert.Equal(1u, m.Buddy.FreeBlocks(BuddyAllocator.MaxOrder));
            m.AssertHealthy();
        }

        [Fact]
        public void Poison_fills_freed_memory_through_the_window()
        {
            using var m = new FrameWorld(8, 0, withRam: true);
            m.Buddy.AddFreeRange(0, 8);
            m.Buddy.EnablePoison(m.Ram);
            Assert.True(m.Buddy.TryAlloc(1, AllocFlags.Kernel, out uint pfn));
            byte* mem = m.Ram + pfn * Kernel.Abi.Paging.Size;
            for (int i = 0; i < 2 * (int)Kernel.Abi.Paging.Size; i++) mem[i] = 0x11;
            m.Buddy.Free(pfn, 1);
            for (int i = 0; i < 2 * (int)Kernel.Abi.Paging.Size; i += 8) Assert.Equal(BuddyAllocator.PoisonPattern, *(ulong*)(mem + i));
            m.AssertHealthy();
        }

        [Fact]
        public void A_gibibyte_of_frames_round_trips()
        {
            const uint frames = 1u << 18;
            using var m = new FrameWorld(frames, 0, (0u, frames));
            var held = new uint[frames];
            for (uint i = 0; i < frames; i++) Assert.True(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out held[i]));
            Assert.False(m.Buddy.TryAlloc(0, AllocFlags.Kernel, out _));
            for (uint i = 0; i < frames; i++) m.Buddy.Free(held[frames - 1 - i], 0);
            m.Buddy.DrainCache();
            Assert.Equal(frames >> BuddyAllocator.MaxOrder, m.Buddy.FreeBlocks(BuddyAllocator.MaxOrder));
            m.AssertHealthy();
        }
    }
}
