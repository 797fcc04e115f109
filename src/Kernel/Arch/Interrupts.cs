// Where every interrupt lands (from Boot/isr.asm). A page fault at a user address goes to the
// current address space (Memory/VirtualMemory → Kernel.Mm/Fault.cs); one it cannot resolve kills
// the process. Every other CPU exception is a kernel bug: the panic screen. IRQs go to their
// driver and are acknowledged; the timer and int 0x81 may switch tasks (Proc/X86Cpu.cs);
// lines without a case here go through the registration table (Arch/IrqTable.cs).
// Rule: nothing reached from here allocates on the managed heap (the heap is not reentrant).
using System.Runtime;
using Kernel.Drivers;

namespace Kernel.Arch
{
    internal static unsafe class Interrupts
    {
        public const int YieldVector = 0x81;

        private static int s_depth;

        // True while an interrupt or exception handler runs (what it prints is the kernel's, never
        // a task's redirected output).
        public static bool InHandler => s_depth != 0;

        // Returns the frame to resume: `frame`, or another task's after a context switch.
        [RuntimeExport("interrupt_dispatch")]
        private static InterruptFrame* Dispatch(InterruptFrame* frame)
        {
            s_depth++;
            InterruptFrame* resume = Handle(frame);
            s_depth--;
            return resume;
        }

        private static InterruptFrame* Handle(InterruptFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector < 32)
            {
                if (vector == 14 && Sys.Memory != null)
                {
                    ulong address = Native.ReadCr2();
                    // A user page fault runs in process context (Linux's too): it may sleep for a
                    // page under I/O, so it does not count as being inside an interrupt handler.
                    s_depth--;
                    Mm.FaultResult result = Sys.Memory.HandleUserFault(address, frame->ErrorCode);
                    s_depth++;
                    if (result == Mm.FaultResult.Handled) return frame;
                    // A process's bad access kills the process, never the kernel.
                    if (Sys.Processes != null && Sys.Processes.KillOnFault(address, result)) return Sys.Cpu.Reschedule(frame);
                }
                Panic.Exception(frame);
                return frame;
            }
            if (vector == YieldVector) return Sys.Cpu.Reschedule(frame);
            int irq = (int)vector - Idt.IrqBase;
            if (irq < 0 || irq >= 16) return frame;
            if (Pic.IsSpurious(irq)) return frame;
            bool reschedule = false;
            switch (irq)
            {
                case 0:
                    Pit.Tick();
                    Ata.Tick(Pit.UptimeMs);     // command timeouts
                    reschedule = Sys.Processes != null && Sys.Processes.Scheduler.Tick(Pit.UptimeMs);
                    break;
                case 1: Keyboard.HandleInterrupt(); break;
                case 4: Serial.HandleInterrupt(); break;
                default:
                    // A driver's interrupt may wake a task (an I/O completion): an idle CPU runs it
                    // now instead of at the next tick.
                    if (IrqTable.Dispatch(irq)) reschedule = IdleWithWork();
                    break;
            }
            Pic.EndOfInterrupt(irq);
            if (Sys.Cpu == null) return frame;
            return reschedule ? Sys.Cpu.Reschedule(frame) : Sys.Cpu.CheckSignals(frame);
        }

        public static void Enable() => Native.Sti();

        private static bool IdleWithWork()
        {
            Sched.Scheduler s = Sys.Processes.Scheduler;
            return s != null && s.Current == s.Idle && s.RunnableCount > 0;
        }
    }
}
