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
            Runtime.Collector.Start();
            if (!Memory.KernelStacks.Initialize()) Panic.Fail("mm: no memory for the kernel stack area");
            Log.Line(string.Concat("mm: ", (Memory.PhysicalMemory.TotalBytes / 1024).ToString(), " KiB managed, early arena ",
                (s_heapBytes / 1024).ToString(), " KiB, frame database ", (Memory.PhysicalMemory.FrameDatabaseBytes / 1024).ToString(),
                string.Concat(" KiB (", Mm.Page.Size.ToString(), " bytes per frame), reserve ", (Memory.PhysicalMemory.Buddy.ReserveFrames * 4).ToString(), " KiB")));
            Acpi.Initialize(BootInfo.RsdpPhys);

            Proc.Processes.Initialize();
            Proc.TaskContainers.Initialize();
            Disks.Initialize();
            Fs.FileSystems.Initialize();
            Log.Line("proc: scheduler running (PID 1 sh, [events] and [kcontainerd] workqueues)");
            Log.Line("fs: ramfs on /, configfs on /config, devtmpfs on /dev");
            Commands.Shell.Run();
        }

        // The early arena is carved out before anything else: the objects the memory manager is
        // built from live there, before the collector can take pages from the buddy allocator. It
        // also holds raw runtime structures for the kernel's life. 4 MiB at the start of the
        // largest usable range above the image and the boot info, inside the boot direct map.
        private const ulong EarlyArenaBytes = 4UL << 20;
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
            ulong size = EarlyArenaBytes;
            if (size > bestLength) return false;
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
