// What the boot loader tells the kernel, read from either protocol before anything allocates:
// the usable RAM ranges (Multiboot2 tag 6 / Multiboot1 mmap), the ACPI RSDP (Multiboot2 tags
// 14/15, else a scan of the EBDA and 0xE0000..0xFFFFF), the command line, and where the info
// block itself lies (so the heap does not overwrite it). Stored in fixed-size unmanaged arrays.
using Kernel.Arch;

namespace Kernel.Boot
{
    internal enum BootProtocol { Unknown, Multiboot1, Multiboot2 }

    internal unsafe struct MemoryRange
    {
        public ulong Base;
        public ulong Length;
        public uint Type; // 1 = usable RAM, 3 = ACPI reclaimable, others reserved
    }

    internal static unsafe class BootInfo
    {
        public const uint Multiboot2Magic = 0x36d76289;
        public const uint Multiboot1Magic = 0x2BADB002;
        public const int MaxRanges = 128;

        private static MemoryRange* s_ranges;
        public static int RangeCount { get; private set; }
        public static BootProtocol Protocol { get; private set; }
        public static ulong RsdpPhys { get; private set; }
        public static ulong InfoStart { get; private set; }
        public static ulong InfoEnd { get; private set; }

        // The command line, copied out of the loader's memory while nothing can have overwritten it
        // (Multiboot1 leaves it wherever the loader chose). Longer ones are cut at MaxCommandLine.
        public const int MaxCommandLine = 512;
        private struct CommandLineBytes { public fixed byte Bytes[MaxCommandLine]; }
        private static CommandLineBytes s_cmdline;
        private static int s_cmdlineLength;

        public static MemoryRange Range(int i) => s_ranges[i];

        // Parses the info block; `scratch` holds MaxRanges entries (static storage from the caller).
        public static bool Parse(uint magic, ulong info, MemoryRange* scratch)
        {
            s_ranges = scratch;
            RangeCount = 0;
            if (magic == Multiboot2Magic) { Protocol = BootProtocol.Multiboot2; ParseMultiboot2(info); }
            else if (magic == Multiboot1Magic) { Protocol = BootProtocol.Multiboot1; ParseMultiboot1(info); }
            else return false;
            if (RsdpPhys == 0) RsdpPhys = ScanForRsdp();
            return true;
        }

        private static void CopyCommandLine(byte* text)
        {
            int n = 0;
            while (n < MaxCommandLine && text[n] != 0)
            {
                s_cmdline.Bytes[n] = text[n];
                n++;
            }
            s_cmdlineLength = n;
        }

        // The command line as the loader gave it (GRUB: the words after the kernel's path; QEMU's
        // -kernel: the path, then -append's text). Needs the heap.
        public static string CommandLine
        {
            get
            {
                char[] c = new char[s_cmdlineLength];
                for (int i = 0; i < c.Length; i++) c[i] = (char)s_cmdline.Bytes[i];
                return new string(c, 0, c.Length);
            }
        }

        // The value of a kernel parameter `key=value` (the last one wins, as in Linux); null when
        // the command line does not set it.
        public static string Parameter(string key)
        {
            string line = CommandLine, value = null;
            int i = 0;
            while (i < line.Length)
            {
                while (i < line.Length && line[i] == ' ') i++;
                int start = i;
                while (i < line.Length && line[i] != ' ') i++;
                string word = line.Substring(start, i - start);
                if (word.Length > key.Length && word[key.Length] == '=' && word.StartsWith(key))
                    value = word.Substring(key.Length + 1);
            }
            return value;
        }

        private static void AddRange(ulong start, ulong length, uint type)
        {
            if (RangeCount == MaxRanges || length == 0) return;
            s_ranges[RangeCount].Base = start;
            s_ranges[RangeCount].Length = length;
            s_ranges[RangeCount].Type = type;
            RangeCount++;
        }

        private static void ParseMultiboot2(ulong info)
        {
            byte* p = (byte*)Layout.PhysToVirt(info);
            uint total = *(uint*)p;
            InfoStart = info;
            InfoEnd = info + total;
            byte* end = p + total;
            for (byte* tag = p + 8; tag + 8 <= end;)
            {
                uint type = *(uint*)tag, size = *(uint*)(tag + 4);
                if (type == 0 || size < 8) break;
                if (type == 1) CopyCommandLine(tag + 8);
                else if (type == 6)
                {
                    uint entrySize = *(uint*)(tag + 8);
                    for (byte* e = tag + 16; e + entrySize <= tag + size; e += entrySize)
                        AddRange(*(ulong*)e, *(ulong*)(e + 8), *(uint*)(e + 16));
                }
                else if ((type == 14 || type == 15) && RsdpPhys == 0)
                    RsdpPhys = (ulong)(tag + 8) - Layout.DirectMapBase;
                tag += (size + 7) & ~7u;
            }
        }

        private static void ParseMultiboot1(ulong info)
        {
            uint* p = (uint*)Layout.PhysToVirt(info);
            InfoStart = info;
            InfoEnd = info + 120;
            uint flags = p[0];
            if ((flags & (1 << 2)) != 0) CopyCommandLine((byte*)Layout.PhysToVirt(p[4]));
            if ((flags & (1 << 6)) != 0)
            {
                byte* e = (byte*)Layout.PhysToVirt(p[12]);
                byte* end = e + p[11];
                while (e < end)
                {
                    uint size = *(uint*)e;
                    AddRange(*(ulong*)(e + 4), *(ulong*)(e + 12), *(uint*)(e + 20));
                    e += size + 4;
                }
            }
        }

        // The RSDP lies on a 16-byte boundary in the first KiB of the EBDA or in the BIOS area.
        private static ulong ScanForRsdp()
        {
            ulong ebda = (ulong)(*(ushort*)Layout.PhysToVirt(0x40E)) << 4;
            ulong found = ebda != 0 ? ScanRange(ebda, 1024) : 0;
            return found != 0 ? found : ScanRange(0xE0000, 0x20000);
        }

        private static ulong ScanRange(ulong start, ulong length)
        {
            for (ulong a = start; a + 20 <= start + length; a += 16)
            {
                byte* p = (byte*)Layout.PhysToVirt(a);
                if (p[0] == 'R' && p[1] == 'S' && p[2] == 'D' && p[3] == ' ' && p[4] == 'P' && p[5] == 'T' && p[6] == 'R' && p[7] == ' ')
                {
                    byte sum = 0;
                    for (int i = 0; i < 20; i++) sum += p[i];
                    if (sum == 0) return a;
                }
            }
            return 0;
        }

        public static ulong UsableBytes()
        {
            ulong total = 0;
            for (int i = 0; i < RangeCount; i++) if (s_ranges[i].Type == 1) total += s_ranges[i].Length;
            return total;
        }
    }
}
