// The header of a Linux swap area, version 1 (what mkswap writes; include/linux/swap.h's
// union swap_header), in the first page of the device:
//     0    1024  boot block (left alone)
//  1024       4  version (1)
//  1028       4  last_page: the last usable page (pages 1..last_page hold swapped pages)
//  1032       4  nr_badpages
//  1036      16  uuid
//  1052      16  volume name
//  1068   117*4  padding
//  1536   4*N    bad page numbers (nr_badpages of them)
//  4086      10  "SWAPSPACE2"
// Little-endian, 4 KiB pages. Page 0 is the header itself, never a slot.
using Kernel.Abi;

namespace Kernel.Mm
{
    public static unsafe class SwapHeader
    {
        public const int MagicOffset = 4096 - 10;
        public const int VersionOffset = 1024;
        public const int LastPageOffset = 1028;
        public const int BadPagesOffset = 1032;
        public const int UuidOffset = 1036;
        public const int BadListOffset = 1536;
        public const int MaxBadPages = (4096 - 10 - BadListOffset) / 4;
        private const string Magic = "SWAPSPACE2";

        // Reads a header page: the last usable page and the bad pages. EINVAL when the signature,
        // the version or the numbers are wrong (swapon's "Invalid argument").
        public static Errno Parse(byte* page, ulong devicePages, out uint lastPage, out uint badPages)
        {
            lastPage = badPages = 0;
            for (int i = 0; i < Magic.Length; i++) if (page[MagicOffset + i] != (byte)Magic[i]) return Errno.EINVAL;
            if (*(uint*)(page + VersionOffset) != 1) return Errno.EINVAL;
            lastPage = *(uint*)(page + LastPageOffset);
            badPages = *(uint*)(page + BadPagesOffset);
            if (lastPage < 1 || lastPage >= devicePages || badPages > MaxBadPages) return Errno.EINVAL;
            return Errno.None;
        }

        public static uint BadPage(byte* page, uint i) => *(uint*)(page + BadListOffset + 4 * i);

        // Writes a header for a device of devicePages pages (mkswap): every page after the first
        // usable, no bad pages, a uuid from `seed`. The boot block is left as it was.
        public static void Format(byte* page, ulong devicePages, ulong seed)
        {
            for (int i = VersionOffset; i < 4096; i++) page[i] = 0;
            *(uint*)(page + VersionOffset) = 1;
            ulong last = devicePages - 1;
            if (last > uint.MaxValue) last = uint.MaxValue;
            *(uint*)(page + LastPageOffset) = (uint)last;
            *(uint*)(page + BadPagesOffset) = 0;
            ulong x = seed | 1;
            for (int i = 0; i < 16; i++)
            {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                page[UuidOffset + i] = (byte)x;
            }
            page[UuidOffset + 6] = (byte)((page[UuidOffset + 6] & 0x0F) | 0x40);   // version 4
            page[UuidOffset + 8] = (byte)((page[UuidOffset + 8] & 0x3F) | 0x80);   // variant
            for (int i = 0; i < Magic.Length; i++) page[MagicOffset + i] = (byte)Magic[i];
        }
    }
}
