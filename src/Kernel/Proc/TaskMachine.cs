// The machine half of a task (Sched/Task.cs holds the scheduling half): its kernel stack, the
// interrupt frame it was switched out in, its interrupt-lock nesting, its address space and the
// program it runs. Only Proc/Processes.cs changes these, with interrupts off.
using Kernel.Arch;
using Kernel.Mm;

namespace Kernel.Sched
{
    // A program's main function: returns the exit status.
    internal delegate int ProgramMain(string[] argv);

    public unsafe partial class Task
    {
        internal int StackSlot = -1;          // KernelStacks slot; -1 for PID 1 (the boot stack)
        internal ulong StackBottom, StackTop;
        internal InterruptFrame* SavedFrame;  // valid while not running
        internal int IrqDepth;                // IrqLock nesting while switched out
        internal bool IrqWereEnabled;
        internal int LockDepth;               // sleeping locks held: no fatal signal until 0
        internal AddressSpace Mm;             // null for kernel threads (and PID 1 until it needs one)
        internal ProgramMain Main;
        internal string[] Argv;
        internal Kernel.Proc.Workqueue Workqueue;  // set for a workqueue's thread
    }
}
