// Synthetic ILC-10 MethodTables in one native arena (so Verify gets a [lo, hi) range): flags at
// +0, BaseSize at +4, the GCDesc written backwards before the MethodTable exactly as ILC emits it.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Kernel.Gc.Tests
{
    internal static unsafe class Types
    {
        public const uint HasComponentSize = 0x80000000;
        public const uint HasPointers = 0x01000000;
        private const int ArenaBytes = 1 << 20;

        private static byte* s_arena;
        private static int s_used;

        public static byte* Lo => s_arena;
        public static byte* Hi => s_arena + ArenaBytes;

        public static void Reset()
        {
            if (s_arena == null) s_arena = (byte*)NativeMemory.AlignedAlloc(ArenaBytes, 4096);
            NativeMemory.Clear(s_arena, ArenaBytes);
            s_used = 0;
        }

        // gcdescBytes before the MethodTable, 32 bytes of MethodTable.
        private static byte* NewMethodTable(int gcdescBytes, uint flags, uint baseSize)
        {
            int before = (gcdescBytes + 15) & ~15;
            s_used += before;
            byte* mt = s_arena + s_used;
            s_used += 32;
            if (s_used > ArenaBytes) throw new InvalidOperationException("type arena full");
            *(uint*)mt = flags;
            *(uint*)(mt + 4) = baseSize;
            return mt;
        }

        // Contiguous runs of 8-byte slots: (offset, count).
        private static List<(int off, int count)> Runs(IEnumerable<int> offsets)
        {
            var sorted = new List<int>(offsets);
            sorted.Sort();
            var runs = new List<(int, int)>();
            foreach (int o in sorted)
            {
                if (runs.Count > 0 && runs[^1].Item1 + 8 * runs[^1].Item2 == o)
                    runs[^1] = (runs[^1].Item1, runs[^1].Item2 + 1);
                else runs.Add((o, 1));
            }
            return runs;
        }

        // A class: baseSize includes the 8-byte header; reference fields at the given offsets
        // from the object reference (>= 8: +0 is the MethodTable word).
        public static byte* Class(uint baseSize, params int[] refOffsets)
        {
            if (refOffsets.Length == 0) return NewMethodTable(0, 0, baseSize);
            var runs = Runs(refOffsets);
            byte* mt = NewMethodTable(8 + 16 * runs.Count, HasPointers, baseSize);
            *(nint*)(mt - 8) = runs.Count;
            for (int i = 0; i < runs.Count; i++)
            {
                byte* s = mt - 8 - 16 * (i + 1);
                *(nint*)s = 8 * runs[i].count - (nint)baseSize;
                *(nint*)(s + 8) = runs[i].off;
            }
            return mt;
        }

        // object[]: component size 8, one series over the elements.
        public static byte* RefArray()
        {
            byte* mt = NewMethodTable(24, HasComponentSize | HasPointers | 8, 24);
            *(nint*)(mt - 8) = 1;
            *(nint*)(mt - 24) = -24;
            *(nint*)(mt - 16) = 16;
            return mt;
        }

        // string-like: component size 2, BaseSize 22 (header, MT, length, terminator), no pointers.
        public static byte* StringLike() => NewMethodTable(0, HasComponentSize | 2, 22);

        // byte[]-like.
        public static byte* ByteArray() => NewMethodTable(0, HasComponentSize | 1, 24);

        // An array of structs of structSize bytes with references at refOffsets inside each
        // element: negative series count, start offset at MT-16, items {nptrs, skip} at MT-24, ...
        public static byte* StructArray(int structSize, params int[] refOffsets)
        {
            var runs = Runs(refOffsets);
            byte* mt = NewMethodTable(16 + 8 * runs.Count, HasComponentSize | HasPointers | (uint)structSize, 24);
            *(nint*)(mt - 8) = -runs.Count;
            *(nint*)(mt - 16) = 16 + runs[0].off;
            for (int i = 0; i < runs.Count; i++)
            {
                int end = runs[i].off + 8 * runs[i].count;
                int next = i + 1 < runs.Count ? runs[i + 1].off : structSize + runs[0].off;
                *(uint*)(mt - 24 - 8 * i) = (uint)runs[i].count;
                *(uint*)(mt - 24 - 8 * i + 4) = (uint)(next - end);
            }
            return mt;
        }

        public static uint BaseSize(byte* mt) => *(uint*)(mt + 4);
        public static uint ComponentSize(byte* mt) => (*(uint*)mt & HasComponentSize) != 0 ? *(uint*)mt & 0xFFFF : 0;

        public static nuint SizeOf(byte* mt, int length)
        {
            nuint size = BaseSize(mt) + (nuint)length * ComponentSize(mt);
            return (size + 7) & ~(nuint)7;
        }
    }
}
