// The GDT and the TSS. Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 user code (32-bit,
// unused), 0x20 user data, 0x28 user code (64-bit), 0x30 TSS (two slots). This order is the one
// SYSRET expects, for when ring 3 arrives. The TSS gives the CPU known-good stacks for the faults
// that mean the current stack cannot be trusted: IST1 for #DF, IST2 for NMI and #MC.
using Internal.Runtime;

namespace Kernel.Arch
{
    internal static unsafe class Gdt
    {
        public const ushort KernelCode = 0x08;
        public const ushort KernelData = 0x10;
        public const ushort TssSelector = 0x30;
        public const int DoubleFaultIst = 1;
        public const int NmiIst = 2;

        private const int TssSize = 104;

        public static void Initialize()
        {
            ulong* gdt = (ulong*)Heap.AllocateRaw(8 * 8);
            byte* tss = (byte*)Heap.AllocateRaw(TssSize);
            gdt[0] = 0;
            gdt[1] = 0x00AF9A000000FFFF; // kernel code: present, ring 0, executable, long mode
            gdt[2] = 0x00CF92000000FFFF; // kernel data
            gdt[3] = 0x00CFFA000000FFFF; // user code 32
            gdt[4] = 0x00CFF2000000FFFF; // user data
            gdt[5] = 0x00AFFA000000FFFF; // user code 64

            // TSS layout: +4 rsp0..2, +36 ist1..7 (8 bytes each), +102 I/O map base.
            *(ulong*)(tss + 4) = Layout.BootStackTop();
            *(ulong*)(tss + 36 + 8 * (DoubleFaultIst - 1)) = Layout.Ist1Top();
            *(ulong*)(tss + 36 + 8 * (NmiIst - 1)) = Layout.Ist2Top();
            *(ushort*)(tss + 102) = TssSize; // no I/O permission bitmap

            ulong b = (ulong)tss;
            ulong limit = TssSize - 1;
            gdt[6] = (limit & 0xFFFF) | ((b & 0xFFFFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48) | (((b >> 24) & 0xFF) << 56);
            gdt[7] = b >> 32;

            byte* descriptor = (byte*)Heap.AllocateRaw(16);
            *(ushort*)descriptor = 8 * 8 - 1;
            *(ulong*)(descriptor + 2) = (ulong)gdt;
            Native.LoadGdt(descriptor);
            Native.LoadTss(TssSelector);
        }
    }
}
