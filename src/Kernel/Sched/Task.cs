// A task as the scheduler sees it (Linux's task_struct, scheduling part), plus its CPU context:
// the kernel stack and the interrupt frame it was switched out in, as plain numbers the machine
// code interprets (Linux's thread_struct). Kernel.Proc derives Process, which adds what a process
// owns (address space, container, files). Only Scheduler and WaitQueue change the scheduling
// fields, the kernel's context switch the CPU context, all with interrupts off (one CPU).
//
// Invariants (checked by Scheduler.Verify):
//   _slot >= 0 iff the task is in its scheduler's table; -1 for idle and for a reaped task.
//   _onRunQueue iff (_state == Runnable and the task is not Current); never for idle.
//   _queue != null or _heapIndex >= 0 only while Sleeping; a sleeper may have neither (it then
//     waits for Wake or a signal).
//   _parent is never null for a task in the table: parentless tasks (PID 1, kernel threads) hang
//     under the idle task (pid 0), which Parent reports as null. _childCount is the length of the
//     sibling list _firstChild.._lastChild, which holds zombies until they are reaped.
namespace Kernel.Sched
{
    public enum TaskKind { User, KernelThread }

    public class Task
    {
        internal int _pid;
        internal Task _parent;               // idle (pid 0) for parentless tasks
        internal string _name;
        internal bool _kernelThread;
        internal TaskState _state;
        internal int _exitStatus;
        internal ulong _pending;             // bit (1UL << signal)
        internal ulong _cpuTicks;
        internal int _slot;                  // index in the table, -1 when not in it

        // Run queue links (Scheduler).
        internal Task _runNext, _runPrev;
        internal bool _onRunQueue;

        // Wait queue links: the queue this task sleeps on, if any.
        internal WaitQueue _queue;
        internal Task _waitNext, _waitPrev;

        // Timed sleep: index in the deadline heap (-1: none), the deadline, and the order of the
        // sleep (ties between equal deadlines wake in the order they went to sleep).
        internal int _heapIndex;
        internal ulong _deadline;
        internal ulong _sleepSeq;
        internal bool _timedOut;             // how the last sleep ended

        // Children: a doubly-linked sibling list, oldest (or earliest adopted) first.
        internal Task _firstChild, _lastChild;
        internal Task _siblingNext, _siblingPrev;
        internal int _childCount;
        internal WaitQueue _childExit;       // made on first use (Scheduler.ChildExit)

        // CPU context (the kernel's context switch; opaque to the scheduler).
        internal int StackSlot = -1;          // the kernel stack's slot; -1: the boot stack (PID 1)
        internal ulong StackBottom, StackTop;
        internal ulong SavedFrame;            // the InterruptFrame it was switched out in
        internal int IrqDepth;                // interrupt-lock nesting while switched out
        internal bool IrqWereEnabled;
        internal int NoKillDepth;             // unkillable sections (held mutexes too): no fatal signal until 0

        // A task not yet in any scheduler (Scheduler.TryAdd gives it a pid and a slot).
        public Task(string name, TaskKind kind)
        {
            _name = name;
            _kernelThread = kind == TaskKind.KernelThread;
            _slot = -1;
            _heapIndex = -1;
            _state = TaskState.Runnable;
        }

        public int Pid => _pid;
        public Task Parent => _parent == null || _parent._pid == 0 ? null : _parent;
        public string Name => _name;
        public bool IsKernelThread => _kernelThread;
        public TaskState State => _state;
        public int ExitStatus => _exitStatus;
        public ulong PendingSignals => _pending;
        public ulong CpuTicks => _cpuTicks;
        public int ChildCount => _childCount;
    }
}
