// The page source the host tests give the collector: page-aligned zeroed native memory, every
// outstanding allocation tracked (so a test sees pages come back, and Dispose frees them all),
// and an optional limit that makes AllocPages return null (exhaustion).
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Kernel.Gc.Tests
{
    internal static unsafe class HostPages
    {
        private static readonly Dictionary<nint, nuint> s_live = new();
        public static nuint Outstanding;     // pages
        public static nuint Limit = nuint.MaxValue;
        public static int Allocs, Frees, BadFrees;

        public static void Reset()
        {
            FreeAll();
            Limit = nuint.MaxValue;
            Allocs = Frees = BadFrees = 0;
        }

        public static void* Alloc(nuint count)
        {
            if (count == 0 || Outstanding + count > Limit) return null;
            void* p = NativeMemory.AlignedAlloc(count * 4096, 4096);
            NativeMemory.Clear(p, count * 4096);
            s_live.Add((nint)p, count);
            Outstanding += count;
            Allocs++;
            return p;
        }

        public static void Free(void* p, nuint count)
        {
            if (!s_live.TryGetValue((nint)p, out nuint n) || n != count)
            {
                BadFrees++;
                return;
            }
            s_live.Remove((nint)p);
            Outstanding -= count;
            Frees++;
            NativeMemory.AlignedFree(p);
        }

        public static bool IsLive(void* p) => s_live.ContainsKey((nint)p);

        public static void FreeAll()
        {
            foreach (var kv in s_live) NativeMemory.AlignedFree((void*)kv.Key);
            s_live.Clear();
            Outstanding = 0;
        }
    }
}
