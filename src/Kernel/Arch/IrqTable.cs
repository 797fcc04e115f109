// Which drivers listen on which PIC line. A line may be shared (PCI INTx lines are level-triggered
// and several devices share IRQ 10/11 in QEMU's `pc` machine): every handler registered on a line
// is asked on each interrupt, in registration order, and each checks its own device (Linux's
// shared IRQ chain, request_irq with IRQF_SHARED).
//
// Layout: one flat array, PerLine slots for each of the 16 lines; slots fill from the start of
// their line. Invariants: Register runs in task context before the line is unmasked (it may
// allocate; the first call builds the table); Dispatch runs in interrupt context and never
// allocates. Registration is for the kernel's life: drivers are never unloaded.
namespace Kernel.Arch
{
    // Interrupt context, interrupts off: true when the handler's device was interrupting.
    internal delegate bool IrqHandler();

    internal static class IrqTable
    {
        public const int Lines = 16;
        public const int PerLine = 8;
        private static IrqHandler[] s_handlers;
        private static ulong[] s_counts;   // interrupts per line that some handler claimed
        private static ulong[] s_unclaimed;   // interrupts per line that no handler claimed
        private static int[] s_storm;         // unclaimed interrupts in a row
        private static string[] s_stormMessages;   // made at registration: the handler path never allocates
        private const int StormLimit = 100000;

        // Adds handler to line irq and unmasks the line (and the cascade for 8-15). False when
        // the line is out of range or full.
        public static bool Register(int irq, IrqHandler handler)
        {
            if (irq < 0 || irq >= Lines || handler == null) return false;
            Sys.Irq.Enter();
            if (s_handlers == null)
            {
                s_handlers = new IrqHandler[Lines * PerLine];
                s_counts = new ulong[Lines];
                s_unclaimed = new ulong[Lines];
                s_storm = new int[Lines];
                s_stormMessages = new string[Lines];
                for (int i = 0; i < Lines; i++) s_stormMessages[i] = string.Concat("irq ", i.ToString(), ": nobody cared (100000 unclaimed interrupts), line disabled");
            }
            int slot = -1;
            for (int i = 0; i < PerLine; i++)
                if (s_handlers[irq * PerLine + i] == null) { slot = irq * PerLine + i; break; }
            if (slot >= 0)
            {
                s_handlers[slot] = handler;
                if (irq >= 8) Pic.Unmask(2);
                Pic.Unmask(irq);
            }
            Sys.Irq.Exit();
            return slot >= 0;
        }

        // Interrupt context: asks every handler on the line. True when one claimed it.
        public static bool Dispatch(int irq)
        {
            if (s_handlers == null || irq < 0 || irq >= Lines) return false;
            bool claimed = false;
            for (int i = 0; i < PerLine; i++)
            {
                IrqHandler h = s_handlers[irq * PerLine + i];
                if (h == null) break;
                if (h()) claimed = true;
            }
            if (claimed)
            {
                s_counts[irq]++;
                s_storm[irq] = 0;
            }
            else
            {
                s_unclaimed[irq]++;
                // A level-triggered line nobody acknowledges would interrupt forever: after
                // StormLimit unclaimed interrupts in a row it is masked (Linux's "nobody cared").
                if (++s_storm[irq] == StormLimit)
                {
                    Pic.Mask(irq);
                    Log.Line(s_stormMessages[irq]);
                }
            }
            return claimed;
        }

        public static ulong Count(int irq) => s_counts == null || irq < 0 || irq >= Lines ? 0 : s_counts[irq];
        public static ulong Unclaimed(int irq) => s_unclaimed == null || irq < 0 || irq >= Lines ? 0 : s_unclaimed[irq];
    }
}
