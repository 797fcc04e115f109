// Where every interrupt lands (from Boot/isr.asm). CPU exceptions are kernel bugs until
// processes exist: they end in the panic screen. IRQs go to their driver and are acknowledged.
// Rule: nothing reached from here allocates on the managed heap (the heap is not reentrant).
using System.Runtime;
using Kernel.Drivers;

namespace Kernel.Arch
{
    internal static unsafe class Interrupts
    {
        [RuntimeExport("interrupt_dispatch")]
        private static void Dispatch(InterruptFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector < 32)
            {
                if (vector == 14 && Memory.VirtualMemory.HandleUserFault(Native.ReadCr2(), frame->ErrorCode, out Mm.FaultResult _))
                    return;
                // Until processes exist, a user fault nothing resolves is a kernel bug too: the
                // panic screen names the address (CR2) and the kind of access.
                Panic.Exception(frame);
                return;
            }
            int irq = (int)vector - Idt.IrqBase;
            if (irq < 0 || irq >= 16) return;
            if (Pic.IsSpurious(irq)) return;
            switch (irq)
            {
                case 0: Pit.Tick(); break;
                case 1: Keyboard.HandleInterrupt(); break;
                case 4: Serial.HandleInterrupt(); break;
            }
            Pic.EndOfInterrupt(irq);
        }

        public static void Enable() => Native.Sti();
    }
}
