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

            Log.Line(string.Concat("CsKernel ", Version, " (x86_64), booted by ", BootInfo.Protocol == BootProtocol.Multiboot2 ? "Multiboot2" : "Multiboot1"));
            Log.Line(string.Concat("memory: ", (BootInfo.UsableBytes() / 1024).ToString(), " KiB usable in ", BootInfo.RangeCount.ToString(), " ranges"));
            Log.Line(string.Concat("heap: ", (Heap.BytesFree / 1024).ToString(), " KiB"));
            Acpi.Initialize(BootInfo.RsdpPhys);

            Commands.Shell.Run();
        }

        // Until the memory manager exists the heap is one region: the largest usable range above
        // the kernel image and the boot loader's info block, inside the 4 GiB direct map.
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
            if (bestLength < (4UL << 20)) return false;
            Heap.Initialize(Layout.PhysToVirt(bestStart), (nuint)bestLength);
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
