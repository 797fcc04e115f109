// The kernel's virtual memory layout (set up by Boot/boot.asm; the memory-management issue
// replaces the boot tables with its own):
//   0x0000000000000000 .. 1 GiB      identity map, used only during boot
//   0xFFFF800000000000 .. +RAM       direct map of physical memory (PhysToVirt; 2 MiB pages)
//   0xFFFFFFFF80000000 + phys        the kernel image, loaded at physical 1 MiB
// Linker-script symbols are read through tiny assembly functions.
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Arch
{
    internal static unsafe class Layout
    {
        public const ulong KernelBase = 0xFFFFFFFF80000000;
        public const ulong DirectMapBase = 0xFFFF800000000000;
        private static ulong s_directMapSize = 4UL << 30;

        // Bytes of physical memory the direct map covers: 4 GiB from boot, all RAM once
        // Memory/PhysicalMemory.cs has extended it.
        public static ulong DirectMapSize => s_directMapSize;
        public static void SetDirectMapSize(ulong bytes) => s_directMapSize = bytes;

        public static void* PhysToVirt(ulong phys) => (void*)(DirectMapBase + phys);
        public static ulong KernelVirtToPhys(ulong virt) => virt - KernelBase;

        [RuntimeImport("*", "layout_image_start")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ImageStart();
        [RuntimeImport("*", "layout_kernel_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong KernelEnd();
        [RuntimeImport("*", "layout_text_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong LoadEnd();
        [RuntimeImport("*", "layout_modules_start")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void** ModulesStart();
        [RuntimeImport("*", "layout_modules_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void** ModulesEnd();
        [RuntimeImport("*", "layout_ksyms_start")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern byte* SymbolsStart();
        [RuntimeImport("*", "layout_ksyms_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern byte* SymbolsEnd();
        [RuntimeImport("*", "layout_ist1_top")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong Ist1Top();
        [RuntimeImport("*", "layout_ist2_top")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong Ist2Top();
        [RuntimeImport("*", "layout_boot_stack_top")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong BootStackTop();
        [RuntimeImport("*", "layout_text_end_exact")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong TextEnd();
        [RuntimeImport("*", "layout_rodata_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong RodataEnd();
        [RuntimeImport("*", "layout_boot_stack_guard")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong BootStackGuard();
        [RuntimeImport("*", "layout_isr_stub_table")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong* IsrStubTable();

        public static bool IsKernelText(ulong address) => address >= ImageStart() && address < TextEnd();
    }
}
