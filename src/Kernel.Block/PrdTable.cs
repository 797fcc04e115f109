// The bus-master IDE physical region descriptor table (ATA/ATAPI bus-master spec; Linux's
// ata_bmdma_fill_sg): one 8-byte entry per piece of memory, {u32 physical address, u16 bytes
// (0 means 64 KiB), u16 flags with 0x8000 on the last entry}. The controller's rules, each of
// which the builder keeps: no entry crosses a 64 KiB boundary (so no entry exceeds 64 KiB), all
// memory lies below 4 GiB, addresses and lengths are even. Memory that breaks a rule cannot be
// reached by DMA at all, and the driver moves that chain by PIO instead.
namespace Kernel.Block
{
    public static unsafe class PrdTable
    {
        public const uint EndOfTable = 0x80000000u;

        // Fills table (room for maxEntries entries, two u32 each) with the segments of every
        // member of chain, in order; the number of entries, or 0 when DMA cannot move the chain
        // (memory out of reach, odd, or more entries than fit).
        public static int Build(BlockRequest chain, uint* table, int maxEntries)
        {
            int n = 0;
            for (BlockRequest r = chain; r != null; r = r.NextInChain)
            {
                for (int i = 0; i < r.SegmentCount; i++)
                {
                    ulong phys = r.SegmentPhys(i);
                    ulong left = r.SegmentBytes(i);
                    if ((phys & 1) != 0 || (left & 1) != 0 || phys + left > 0x100000000UL) return 0;
                    while (left > 0)
                    {
                        ulong toBoundary = 0x10000 - (phys & 0xFFFF);
                        uint piece = (uint)(left < toBoundary ? left : toBoundary);
                        if (n == maxEntries) return 0;
                        table[2 * n] = (uint)phys;
                        table[2 * n + 1] = piece & 0xFFFF;   // 64 KiB is written as 0
                        n++;
                        phys += piece;
                        left -= piece;
                    }
                }
            }
            if (n > 0) table[2 * n - 1] |= EndOfTable;
            return n;
        }
    }
}
