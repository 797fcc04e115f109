// Physical memory at boot: builds the MemoryMap from the boot loader's ranges, reserves what is
// taken (low 1 MiB, the kernel image and its boot page tables, the boot info, the early arena),
// extends the boot direct map to all RAM, lays out the frame database (Linux's mem_map) in RAM,
// and gives every remaining usable frame to the buddy allocator.
//
// The reserve: frames only kernel allocations (heap, page tables, stacks) may take, so a greedy
// program can never starve the kernel: 1/64 of RAM, at least 1 MiB and at most 16 MiB.
// Locking: the allocator is called with interrupts off (IrqLock) — one CPU, no other lock.
// The managed heap takes its pages from here, so any allocation may change the allocator's
// counters. The JIT assumes allocation helpers write no user-visible memory and may reuse a load
// across `new`: read counters around allocations through FreeFrames(), a real call. The buddy
// allocator itself never allocates while it updates its state, so no update can be lost.
using Kernel.Arch;
using Kernel.Boot;
using Kernel.Mm;

namespace Kernel.Memory
{
    internal sealed class KernelPanicHandler : PanicHandler
    {
        public override void Panic(string message) => Kernel.Panic.Fail(message);
    }

    internal static unsafe class PhysicalMemory
    {
        private const ulong LowMemory = 1UL << 20;
        private const ulong GiB = 1UL << 30;

        private static MemoryMap s_map;
        private static FrameDatabase s_frames;
        private static BuddyAllocator s_buddy;
        private static ulong s_kernelBytes, s_frameDatabaseBytes, s_earlyTableBytes, s_heapBytes;
        private static ulong s_totalBytes;

        public static BuddyAllocator Buddy => s_buddy;
        public static FrameDatabase Frames => s_frames;
        public static MemoryMap Map => s_map;
        public static ulong KernelImageBytes => s_kernelBytes;
        public static ulong FrameDatabaseBytes => s_frameDatabaseBytes;
        public static ulong EarlyPageTableBytes => s_earlyTableBytes;
        public static ulong EarlyArenaBytes => s_heapBytes;
        // Memory the kernel manages: every usable frame except the image and boot reservations
        // (Linux's MemTotal): the buddy allocator's frames plus the early arena.
        public static ulong TotalBytes => s_totalBytes;

        public static bool Initialize(ulong heapPhys, ulong heapBytes)
        {
            s_map = new MemoryMap();
            for (int i = 0; i < BootInfo.RangeCount; i++)
            {
                MemoryRange r = BootInfo.Range(i);
                if (r.Type == 1) s_map.AddUsable(r.Base, r.Length);
            }
            ulong imageStart = Layout.KernelVirtToPhys(Layout.ImageStart());
            ulong imageEnd = Layout.KernelVirtToPhys(Layout.KernelEnd());
            s_kernelBytes = imageEnd - imageStart;
            s_heapBytes = heapBytes;
            s_map.Reserve(0, LowMemory);
            s_map.Reserve(imageStart, imageEnd - imageStart);
            s_map.Reserve(BootInfo.InfoStart, BootInfo.InfoEnd - BootInfo.InfoStart);
            s_map.Reserve(heapPhys, heapBytes);

            ulong highest = s_map.HighestUsableEnd();
            if (!ExtendDirectMap(highest)) return false;

            uint frameCount = (uint)(highest / Paging.Size);
            s_frameDatabaseBytes = FrameDatabase.BytesFor(frameCount);
            if (!s_map.TryAllocate(s_frameDatabaseBytes, Paging.Size, Layout.DirectMapSize, out ulong dbPhys))
                return false;
            s_frames = new FrameDatabase((Page*)Layout.PhysToVirt(dbPhys), frameCount);

            ulong usable = s_map.UsableBytes();
            ulong reserve = usable / 64 / Paging.Size;
            if (reserve < 256) reserve = 256;
            if (reserve > 4096) reserve = 4096;
            s_buddy = new BuddyAllocator(s_frames, new KernelPanicHandler(), (uint)reserve);
            for (int i = 0; s_map.FreeRange(i, out ulong start, out ulong end); i++)
                s_buddy.AddFreeRange((uint)(start / Paging.Size), (uint)((end - start) / Paging.Size));
            s_totalBytes = (ulong)s_buddy.ManagedFrames * Paging.Size + heapBytes;
            return true;
        }

        // The boot stub maps the first 4 GiB at DirectMapBase; RAM above that gets 2 MiB pages
        // in page directories taken from early memory (one per GiB, up to 512 GiB).
        private static bool ExtendDirectMap(ulong highest)
        {
            ulong gibs = (highest + GiB - 1) / GiB;
            if (gibs > 512) gibs = 512;
            ulong* pml4 = (ulong*)Layout.PhysToVirt(Native.ReadCr3() & ~0xFFFUL);
            ulong* pdpt = (ulong*)Layout.PhysToVirt(pml4[256] & 0x000FFFFFFFFFF000UL);
            for (ulong g = Layout.DirectMapSize / GiB; g < gibs; g++)
            {
                if (!s_map.TryAllocate(Paging.Size, Paging.Size, Layout.DirectMapSize, out ulong pdPhys))
                    return false;
                s_earlyTableBytes += Paging.Size;
                ulong* pd = (ulong*)Layout.PhysToVirt(pdPhys);
                for (ulong i = 0; i < 512; i++) pd[i] = (g * GiB + (i << 21)) | 0x83;
                pdpt[g] = pdPhys | 0x03;
            }
            if (gibs > Layout.DirectMapSize / GiB) Layout.SetDirectMapSize(gibs * GiB);
            Native.WriteCr3(Native.ReadCr3());
            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static uint FreeFrames() => s_buddy.FreeFrames;

        public static bool TryAllocFrame(AllocFlags flags, out uint pfn)
        {
            using (Sys.Irq.Hold()) return s_buddy.TryAlloc(0, flags, out pfn);
        }

        public static bool TryAlloc(int order, AllocFlags flags, out uint pfn)
        {
            using (Sys.Irq.Hold()) return s_buddy.TryAlloc(order, flags, out pfn);
        }

        public static void Free(uint pfn, int order)
        {
            using (Sys.Irq.Hold()) s_buddy.Free(pfn, order);
        }

        public static byte* FrameAddress(uint pfn) => (byte*)Layout.PhysToVirt(FrameDatabase.PhysicalAddress(pfn));
    }
}
