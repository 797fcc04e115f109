// Size classes of small objects (<= 2048 bytes). A small-object page (4 KiB) holds slots of one
// class only: Capacity = 4096 / Size slots from the page start, the tail is unused.
//   16 32 48 64 96 128 192 256 384 512 768 1024 1360 2048
// (1360 instead of 1536 fits three slots in a page instead of two.) Slot index of a byte offset
// is (offset * Magic) >> 32 with Magic = 2^32 / Size + 1: exact for every offset below 4096.
// The table (ClassInfo[Count], then a byte map from (size + 15) / 16 to class) lives in a
// metadata page given to Init; each class heads the list of its pages that have free slots.
namespace Internal.Runtime.Gc
{
    internal unsafe struct ClassInfo
    {
        public uint Size;
        public uint Capacity;
        public uint Magic;
        public uint Index;
        public PageDesc* Partial;   // pages of this class with at least one free slot
    }

    internal static unsafe class SizeClasses
    {
        public const int Count = 14;
        public const uint MaxSmall = 2048;
        private const int LookupEntries = (int)(MaxSmall / 16) + 1;

        private static ClassInfo* s_classes;
        private static byte* s_lookup;

        public static uint SizeOf(int c)
        {
            switch (c)
            {
                case 0: return 16;
                case 1: return 32;
                case 2: return 48;
                case 3: return 64;
                case 4: return 96;
                case 5: return 128;
                case 6: return 192;
                case 7: return 256;
                case 8: return 384;
                case 9: return 512;
                case 10: return 768;
                case 11: return 1024;
                case 12: return 1360;
                default: return 2048;
            }
        }

        public static uint MagicFor(uint size) => (uint)((1UL << 32) / size + 1);

        // Bytes of metadata the table needs (well under a page).
        public static nuint TableBytes => (nuint)(Count * sizeof(ClassInfo) + LookupEntries);

        public static void Init(byte* mem)
        {
            s_classes = (ClassInfo*)mem;
            s_lookup = mem + Count * sizeof(ClassInfo);
            int c = 0;
            for (int i = 0; i < LookupEntries; i++)
            {
                while (SizeOf(c) < (uint)i * 16) c++;
                s_lookup[i] = (byte)c;
            }
            for (int k = 0; k < Count; k++)
            {
                ClassInfo* ci = &s_classes[k];
                ci->Size = SizeOf(k);
                ci->Capacity = (uint)PageSource.PageSize / ci->Size;
                ci->Magic = MagicFor(ci->Size);
                ci->Index = (uint)k;
                ci->Partial = null;
            }
        }

        // 1 <= size <= MaxSmall.
        public static ClassInfo* For(nuint size) => &s_classes[s_lookup[(size + 15) >> 4]];

        public static ClassInfo* Get(int c) => &s_classes[c];
    }
}
