// The virtual memory layout (x86-64, 48-bit addresses):
//   0x0000000000000000 .. 0x00007FFFFFFFFFFF   user half: one AddressSpace (mm) per process;
//                                               page 0 is never mapped (null dereferences fault)
//   0xFFFF800000000000 .. +RAM                  direct map of all physical memory, 2 MiB pages,
//                                               read-write, no-execute (PhysToVirt)
//   0xFFFFFFFF80000000 + phys                   the kernel image, loaded at physical 1 MiB, 4 KiB
//                                               pages: text RX, rodata R, data/bss RW+NX; the
//                                               page under each kernel stack is an unmapped guard
// The boot stub's identity map of the first GiB is removed once kmain runs. PML4 entries
// 256..511 (the kernel half) are created at boot and shared by every address space.
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
