// The machine half of processes on x86-64: a task's first interrupt frame, the context switch,
// and the safe points where fatal signals take effect. Every switch happens on the interrupt path
// (the timer for preemption, int 0x81 for a voluntary yield): the outgoing task's InterruptFrame
// stays on its stack, the incoming one's is returned to Boot/isr.asm, which restores its general
// and FPU/SSE registers and irets into it. A new task's frame starts it at TaskStart (or IdleLoop).
//
// Fatal signals take effect when the kernel is about to resume a task (after a yield, a sleep or
// an interrupt) that Processes.MustDie names: the frame is redirected to TaskKilled on a fresh
// stack pointer; the old stack is abandoned without unwinding, and Processes frees what the task
// owns. Interrupts are off throughout this file (interrupt gates or the interrupt lock).
using Kernel.Arch;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal sealed unsafe class X86Cpu : Cpu
    {
        private const int FxAreaBytes = 512;   // fxsave64 area below each frame

        private readonly IrqLock _irq;
        private Processes _processes;
        private VirtualMemory _vm;

        public X86Cpu(IrqLock irq) { _irq = irq; }

        public void Attach(Processes processes, VirtualMemory vm)
        {
            _processes = processes;
            _vm = vm;
        }

        public override void Yield() => Native.Yield();

        public override void PrepareFrame(Task t, TaskEntry entry)
        {
            InterruptFrame* frame = (InterruptFrame*)((t.StackTop - (ulong)sizeof(InterruptFrame)) & ~15UL);
            byte* fx = (byte*)(((ulong)frame - FxAreaBytes) & ~15UL);
            for (int i = 0; i < FxAreaBytes; i++) fx[i] = 0;
            *(ushort*)fx = 0x037F;             // x87 control word: all exceptions masked
            *(uint*)(fx + 24) = 0x1F80;         // MXCSR: all SSE exceptions masked
            byte* f = (byte*)frame;
            for (int i = 0; i < sizeof(InterruptFrame); i++) f[i] = 0;
            frame->Rip = entry == TaskEntry.Idle ? (ulong)(delegate*<void>)&IdleLoop : (ulong)(delegate*<void>)&TaskStart;
            frame->Cs = Gdt.KernelCode;
            frame->Rflags = 0x202;              // IF
            frame->Ss = Gdt.KernelData;
            frame->Rsp = (((ulong)fx - 64) & ~15UL) - 8;  // as if just called
            t.SavedFrame = (ulong)frame;
        }

        // Interrupt context: the current task's slice is over, it yielded, or it blocked; picks
        // the next task and returns the frame to resume.
        public InterruptFrame* Reschedule(InterruptFrame* frame)
        {
            if (_processes == null) return frame;
            Scheduler s = _processes.Scheduler;
            Task current = s.Current;
            current.SavedFrame = (ulong)frame;
            current.IrqDepth = _irq.Depth;
            current.IrqWereEnabled = _irq.WereEnabled;
            Task next = s.PickNext();
            AddressSpace nextMm = next is Process p ? p.Mm : null;
            if (nextMm != _vm.Current) _vm.Switch(nextMm);
            _irq.Restore(next.IrqDepth, next.IrqWereEnabled);
            return Deliver(next, (InterruptFrame*)next.SavedFrame);
        }

        // Returning from an interrupt to the same task: a safe point for fatal signals.
        public InterruptFrame* CheckSignals(InterruptFrame* frame)
        {
            if (_processes == null) return frame;
            return Deliver(_processes.Scheduler.Current, frame);
        }

        private InterruptFrame* Deliver(Task task, InterruptFrame* frame)
        {
            if (!_processes.MustDie(task)) return frame;
            frame->Rip = (ulong)(delegate*<void>)&TaskKilled;
            frame->Rsp = ((task.StackTop - 2048) & ~15UL) - 8;
            frame->Rflags = 0x202;
            _irq.Restore(0, false);
            return frame;
        }

        // The collector's view of a switched-out task's stack: from its saved FPU area upward.
        public static bool TryGetSavedStack(Task t, Task current, out ulong low, out ulong high)
        {
            low = high = 0;
            if (t == null || t == current || t.State == TaskState.Zombie || t.SavedFrame == 0) return false;
            low = (t.SavedFrame - FxAreaBytes) & ~15UL;
            high = t.StackTop;
            return true;
        }

        private static void IdleLoop()
        {
            while (true) Native.StiHlt();
        }

        // First code of every new task (interrupts on).
        private static void TaskStart()
        {
            Process self = Sys.Processes.Current;
            int status = self.Main(self.Argv);
            Sys.Processes.ExitCurrent(status);
        }

        // A fatal signal took effect: the old stack is abandoned.
        private static void TaskKilled() => Sys.Processes.ExitKilled();
    }

    // The interrupt flag for the interrupt lock.
    internal sealed class X86InterruptControl : InterruptControl
    {
        private const ulong InterruptFlag = 1 << 9;

        public override bool Disable()
        {
            ulong flags = Native.ReadFlags();
            Native.Cli();
            return (flags & InterruptFlag) != 0;
        }

        public override void Enable() => Native.Sti();
        public override bool AreEnabled => (Native.ReadFlags() & InterruptFlag) != 0;
        public override void Panic(string message) => Kernel.Panic.Fail(message);
    }

    // printk for Processes and friends: the console, dmesg, the panic screen.
    internal sealed class KernelPrintk : KernelOutput
    {
        public override void Console(string line) => Drivers.Console.WriteLine(line);
        public override void Log(string line) => Kernel.Log.Line(line);
        public override void Panic(string message) => Kernel.Panic.Fail(message);
    }

    internal sealed class PitClock : Clock
    {
        public override ulong NowMs => Pit.UptimeMs;
    }
}
