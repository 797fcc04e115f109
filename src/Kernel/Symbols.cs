// The kernel's own symbol table, embedded by build.ps1's second link in section .ksyms:
//   u32 count, u32 reserved, count x {u64 address, u32 name offset, u32 name length}, names.
// Sorted by address, so a lookup is a binary search. Allocates nothing (used by the panic path).
using Kernel.Arch;
using Kernel.Drivers;

namespace Kernel
{
    internal static unsafe class Symbols
    {
        private struct Entry { public ulong Address; public uint NameOffset, NameLength; }

        // The nearest symbol at or below the address; false when none (or no table).
        public static bool TryFind(ulong address, out byte* name, out int nameLength, out ulong offset)
        {
            name = null; nameLength = 0; offset = 0;
            byte* table = Layout.SymbolsStart();
            if (Layout.SymbolsEnd() - table < 8) return false;
            uint count = *(uint*)table;
            Entry* entries = (Entry*)(table + 8);
            byte* names = (byte*)(entries + count);
            int lo = 0, hi = (int)count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (entries[mid].Address <= address) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            if (found < 0) return false;
            name = names + entries[found].NameOffset;
            nameLength = (int)entries[found].NameLength;
            offset = address - entries[found].Address;
            return true;
        }

        public static void WriteSymbol(ulong address)
        {
            if (TryFind(address, out byte* name, out int length, out ulong offset))
            {
                Console.Write(name, length);
                Console.Write("+0x");
                Console.WriteHex(offset, offset > 0xFFFF ? 8 : 4);
            }
            else Console.Write("?");
        }
    }
}
