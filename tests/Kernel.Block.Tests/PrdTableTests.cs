// The PRD table the ATA driver hands the bus master, built from requests with made-up physical
// addresses (nothing is dereferenced): pieces split at every 64 KiB boundary with 64 KiB written
// as 0, the end-of-table bit on the last entry only, and the memory DMA cannot reach (at or above
// 4 GiB, odd, more pieces than the table holds) refused, which is what sends a chain to PIO.
using Kernel.Block;
using Xunit;

namespace Kernel.Block.Tests
{
    public sealed unsafe class PrdTableTests
    {
        private static BlockRequest Request(params (ulong Phys, uint Bytes)[] segments)
        {
            var r = new BlockRequest(segments.Length, new Completion(new HostContext().CreateChannel()));
            uint bytes = 0;
            foreach (var s in segments) bytes += s.Bytes;
            Assert.True(r.Set(BlockOp.Read, 0, bytes / 512));
            foreach (var s in segments) Assert.True(r.AddSegment(s.Phys, s.Bytes));
            return r;
        }

        private static (uint Phys, uint Word)[] Build(BlockRequest r, int max, out int n)
        {
            uint* table = stackalloc uint[2 * max + 2];
            table[2 * max] = table[2 * max + 1] = 0xDEADBEEF;     // past the end: must stay
            n = PrdTable.Build(r, table, max);
            Assert.Equal(0xDEADBEEFu, table[2 * max]);
            Assert.Equal(0xDEADBEEFu, table[2 * max + 1]);
            var entries = new (uint, uint)[n];
            for (int i = 0; i < n; i++) entries[i] = (table[2 * i], table[2 * i + 1]);
            return entries;
        }

        [Fact]
        public void A_segment_is_split_at_every_64_KiB_boundary_and_only_the_last_entry_ends_the_table()
        {
            var entries = Build(Request((0x1F000, 128 * 1024)), 256, out int n);
            Assert.Equal(3, n);
            Assert.Equal((0x1F000u, 0x1000u), entries[0]);
            Assert.Equal((0x20000u, 0u), entries[1]);                         // a whole 64 KiB
            Assert.Equal((0x30000u, 0xF000u | PrdTable.EndOfTable), entries[2]);
        }

        [Fact]
        public void Separate_segments_keep_their_order_and_memory_ending_at_4_GiB_is_reachable()
        {
            var entries = Build(Request((0x5000, 512), (0xFFFFF000, 4096), (0x8000, 1024)), 256, out int n);
            Assert.Equal(3, n);
            Assert.Equal((0x5000u, 512u), entries[0]);
            Assert.Equal((0xFFFFF000u, 4096u), entries[1]);
            Assert.Equal((0x8000u, 1024u | PrdTable.EndOfTable), entries[2]);
        }

        [Theory]
        [InlineData(0x100000000UL, 4096u)]     // above 4 GiB
        [InlineData(0xFFFFF000UL, 8192u)]      // running past 4 GiB
        [InlineData(0x3001UL, 512u)]           // odd address
        [InlineData(0x3000UL, 513u)]           // odd length
        public void Memory_dma_cannot_reach_gives_no_table(ulong phys, uint bytes)
        {
            Build(Request((0x1000, 512), (phys, bytes)), 256, out int n);
            Assert.Equal(0, n);
        }

        [Fact]
        public void More_pieces_than_the_table_holds_gives_no_table()
        {
            // 1 MiB aligned is 16 pieces of 64 KiB: it fits 16 entries exactly, not 15.
            Build(Request((0x100000, 1024 * 1024)), 16, out int fits);
            Assert.Equal(16, fits);
            Build(Request((0x100000, 1024 * 1024)), 15, out int n);
            Assert.Equal(0, n);
        }
    }
}
