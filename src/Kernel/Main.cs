// kmain: the first C# the boot stub calls, on the boot stack with interrupts off. The order
// matters: nothing may allocate before the heap exists, and no reference-typed static may be
// touched before the module's statics are initialised.
using System.Runtime;
using Internal.Runtime;
using Internal.Runtime.CompilerHelpers;
using Kernel.Arch;
using Kernel.Boot;
using Kernel.Drivers;

namespace Kernel
{
    internal static unsafe class Main
    {
        public const string Version = "0.1.0";

        [RuntimeExport("kmain")]
        private static void KernelMain(uint magic, ulong info)
        {
            // kmain never returns, so its stack frame is permanent storage for the memory map.
            MemoryRange* ranges = stackalloc MemoryRange[BootInfo.MaxRanges];
            bool booted = BootInfo.Parse(magic, info, ranges);
            if (!booted || !StartHeap()) Native.HaltForever();
            StartupCodeHelpers.InitializeModules(Layout.ModulesStart(), Layout.ModulesEnd());

            Log.Initialize();
            InputQueue.Initialize();
            Runtime.InterfaceDispatch.Initialize();
            Gdt.Initialize();
            Idt.Initialize();
            Pic.Initialize();      // masks every line: drivers unmask theirs afterwards
            Vga.Initialize();
            Serial.Initialize();
            Pit.Initialize();
            Keyboard.Initialize();
            DropIdentityMap();
            Interrupts.Enable();
            Tsc.Calibrate();

            Log.Line(string.Concat("CsKernel ", Version, " (x86_64), booted by ", BootInfo.Protocol == BootProtocol.Multiboot2 ? "Multiboot2" : "Multiboot1"));
            Log.Line(string.Concat("tsc: ", (Tsc.CyclesPerMs / 1000).ToString(), " MHz (calibrated against the PIT)"));
            Log.Line(string.Concat("memory: ", (BootInfo.UsableBytes() / 1024).ToString(), " KiB usable in ", BootInfo.RangeCount.ToString(), " ranges"));
            if (!Memory.PhysicalMemory.Initialize(s_heapPhys, s_heapBytes)) Panic.Fail("mm: cannot lay out the frame database");
            if (!Memory.KernelMap.Initialize()) Panic.Fail("mm: no memory for the kernel's page tables");
            Memory.VirtualMemory.Initialize();
            Log.Line(string.Concat("mm: ", (Memory.PhysicalMemory.TotalBytes / 1024).ToString(), " KiB managed, heap ",
                (s_heapBytes / 1024).ToString(), " KiB, frame database ", (Memory.PhysicalMemory.FrameDatabaseBytes / 1024).ToString(),
                string.Concat(" KiB (", Mm.Page.Size.ToString(), " bytes per frame), reserve ", (Memory.PhysicalMemory.Buddy.ReserveFrames * 4).ToString(), " KiB")));
            Acpi.Initialize(BootInfo.RsdpPhys);

            Commands.Shell.Run();
        }

        // The managed heap is one arena carved out before anything else (its objects are what the
        // rest of memory management is built from): a quarter of RAM, at least 16 MiB and at most
        // 512 MiB, at the start of the largest usable range above the image and the boot info,
        // inside the boot direct map.
        private static ulong s_heapPhys, s_heapBytes;

        private static bool StartHeap()
        {
            ulong floor = Layout.KernelVirtToPhys(Layout.KernelEnd());
            if (BootInfo.InfoEnd > floor) floor = BootInfo.InfoEnd;
            floor = (floor + 0xFFF) & ~0xFFFUL;
            ulong bestStart = 0, bestLength = 0;
            for (int i = 0; i < BootInfo.RangeCount; i++)
            {
                MemoryRange r = BootInfo.Range(i);
                if (r.Type != 1) continue;
                ulong start = r.Base > floor ? r.Base : floor;
                ulong end = r.Base + r.Length;
                if (end > Layout.DirectMapSize) end = Layout.DirectMapSize;
                if (end > start && end - start > bestLength) { bestStart = start; bestLength = end - start; }
            }
            ulong size = BootInfo.UsableBytes() / 4;
            if (size < (16UL << 20)) size = 16UL << 20;
            if (size > (512UL << 20)) size = 512UL << 20;
            if (size > bestLength) size = bestLength & ~0xFFFUL;
            if (size < (4UL << 20)) return false;
            s_heapPhys = bestStart;
            s_heapBytes = size;
            Heap.Initialize(Layout.PhysToVirt(bestStart), (nuint)size);
            return true;
        }

        // The boot stub's identity map is needed only until we run from the higher half:
        // removing it makes page 0 (and every null dereference) fault.
        private static void DropIdentityMap()
        {
            ulong cr3 = Native.ReadCr3() & ~0xFFFUL;
            ulong* pml4 = (ulong*)Layout.PhysToVirt(cr3);
            pml4[0] = 0;
            Native.WriteCr3(cr3);
        }
    }
}
