// The IDT: all 256 vectors point at the stubs in Boot/isr.asm as interrupt gates (interrupts
// stay off inside handlers). Vectors 0-31 are CPU exceptions, 32-47 the remapped PIC IRQs.
using Internal.Runtime;

namespace Kernel.Arch
{
    internal static unsafe class Idt
    {
        public const int IrqBase = 32;

        public static void Initialize()
        {
            ulong* idt = (ulong*)Heap.AllocateRaw(256 * 16);
            ulong* stubs = Layout.IsrStubTable();
            for (int v = 0; v < 256; v++)
            {
                int ist = v == 8 ? Gdt.DoubleFaultIst : (v == 2 || v == 18) ? Gdt.NmiIst : 0;
                ulong handler = stubs[v];
                idt[2 * v] = (handler & 0xFFFF) | ((ulong)Gdt.KernelCode << 16) | ((ulong)ist << 32) |
                             (0x8EUL << 40) | (((handler >> 16) & 0xFFFF) << 48);
                idt[2 * v + 1] = handler >> 32;
            }
            byte* descriptor = (byte*)Heap.AllocateRaw(16);
            *(ushort*)descriptor = 256 * 16 - 1;
            *(ulong*)(descriptor + 2) = (ulong)idt;
            Native.LoadIdt(descriptor);
        }
    }
}
