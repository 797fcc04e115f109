// The machine half of a task (Sched/Task.cs holds the scheduling half): its kernel stack, the
// interrupt frame it was switched out in, its interrupt-lock nesting, its address space, the
// program it runs, its memory container, working directory and standard output. Only
// Proc/Processes.cs changes these (the container also Proc/TaskContainers.cs), with interrupts off;
// the shell changes its own Cwd and Stdout.
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
        internal Kernel.Containers.Container Container;  // null: in no container (charged to the root)
        internal string Cwd = "/";            // canonical absolute path
        internal Kernel.Fs.FileOutput Stdout; // null: the console
        internal Kernel.Vfs.OpenFile[] Files; // files the task holds open (mmap keeps its file); closed at exit
    }
}
