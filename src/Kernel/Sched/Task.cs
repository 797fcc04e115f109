// The scheduling half of a task (the kernel's own partial adds the machine half: stack, saved
// frame, address space). Only Scheduler and WaitQueue change these fields, with interrupts off
// (one CPU), so nothing here locks.
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
    public partial class Task
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

        internal Task(int pid, string name, bool kernelThread, int slot)
        {
            _pid = pid;
            _name = name;
            _kernelThread = kernelThread;
            _slot = slot;
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
