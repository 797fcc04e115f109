// What process management needs from the platform, behind small interfaces the kernel implements
// (Proc/X86Cpu.cs, Memory/KernelStacks.cs) and the host tests fake: the context switch, kernel
// stacks, the clock, and the console and kernel log for the messages a process's end prints.
using Kernel.Sched;

namespace Kernel.Proc
{
    // Where a new task starts once it is first switched to.
    internal enum TaskEntry { Program, Idle }

    internal abstract class Cpu
    {
        // Builds t's first frame on its kernel stack (StackTop is set) so that, switched to, it
        // runs `entry` with interrupts on.
        public abstract void PrepareFrame(Task t, TaskEntry entry);
        // Gives the CPU up (the scheduler has been told why: Block, Sleep, Exit or a yield);
        // returns when this task runs again. Interrupt lock held: the depth is this task's.
        public abstract void Yield();
    }

    // Kernel stacks with a guard page below each (Linux's THREAD_SIZE stacks).
    internal abstract class StackAllocator
    {
        public abstract bool TryAllocate(out int slot, out ulong bottom, out ulong top);
        public abstract void Free(int slot);
        public abstract int MaxSlots { get; }
    }

    internal abstract class Clock
    {
        public abstract ulong NowMs { get; }
    }

    // printk: a line for the console (the user sees it now) or for the kernel log (dmesg); and
    // the end for a broken invariant.
    internal abstract class KernelOutput
    {
        public abstract void Console(string line);
        public abstract void Log(string line);
        public abstract void Panic(string message);
    }
}
