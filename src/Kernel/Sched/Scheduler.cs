// The scheduler's decisions, without hardware: the task table and pids, the round-robin run
// queue, blocking on wait queues and timed sleeps, exit / re-parenting / reaping, and fatal
// signals. The kernel performs what is decided here (the context switch to PickNext's task,
// freeing a reaped task's stack).
//
// Concurrency: one CPU, and every method is called with interrupts off (so the timer and input
// interrupts may call Tick, Wake, WakeOne and Kill). Nothing here locks. Nothing allocates except
// TryCreate (the Task) and the first ChildExit of a task (its WaitQueue).
//
// Invariants (Verify checks them all):
//   * Current is never null (idle before Start) and never on the run queue. Current is Running,
//     or Sleeping/Zombie between Block/Exit and the kernel's PickNext; never Runnable.
//   * A task is on the run queue iff it is Runnable and not Current. The idle task (pid 0) is in
//     no queue and not in the table; it is Current exactly when nothing else can run.
//   * A Sleeping task is on at most one wait queue and, if it has a deadline, in the deadline
//     heap; tasks in any other state are in neither. A Zombie is in no queue at all.
//   * The table holds Count tasks (zombies included) at distinct slots; _slotOfPid maps each of
//     their pids to slot + 1 and every other pid to 0. A pid is free again only once reaped.
//   * Every task in the table is on exactly one sibling list: its parent's (idle's for PID 1 and
//     kernel threads). PID 1 is never a zombie, so orphans always have somewhere to go.
//   * Timed sleeps: a binary heap (DeadlineHeap) ordered by (deadline, sleep order), so a tick
//     looks only at the earliest sleeper; ties wake in the order the tasks went to sleep.
namespace Kernel.Sched
{
    public sealed class Scheduler
    {
        public const int MaxTasks = 4096;       // including PID 1 and kernel threads; not idle
        public const int TimeSliceTicks = 10;   // ticks (1 ms each) before preemption
        public const int PidMax = 32768;        // pids are 1..PidMax-1 (pid 0 is idle)

        private readonly Task[] _table = new Task[MaxTasks];
        private readonly short[] _slotOfPid = new short[PidMax];   // slot + 1; 0: pid free
        private readonly short[] _freeSlots = new short[MaxTasks]; // stack of free slots
        private int _freeCount;
        private int _count;
        private int _lastPid;

        private Task _runHead, _runTail;
        private int _runCount;

        private readonly DeadlineHeap _timers = new DeadlineHeap(MaxTasks);
        private ulong _sleepSeq;

        private readonly Task _idle;
        private Task _init;                     // PID 1 once created (it never leaves)
        private Task _current;
        private int _sliceUsed;                 // ticks charged to Current since it was picked

        public Scheduler()
        {
            for (int i = 0; i < MaxTasks; i++) _freeSlots[i] = (short)(MaxTasks - 1 - i);
            _freeCount = MaxTasks;
            _idle = new Task("idle", TaskKind.KernelThread);
            _idle._state = TaskState.Running;
            _current = _idle;
        }

        public Task Idle => _idle;
        public Task Current => _current;
        public int Count => _count;

        // Tasks waiting on the run queue (Current is never counted).
        public int RunnableCount => _runCount;
        // Sleepers with a deadline.
        public int TimedSleepers => _timers.Count;
        // Ticks charged to Current since PickNext chose it (saturates at TimeSliceTicks).
        public int SliceUsed => _sliceUsed;

        // ---- The table --------------------------------------------------------------------

        // Creates a Runnable task at the tail of the run queue (TryAdd of a new Task).
        public Errno TryCreate(Task parent, string name, TaskKind kind, out Task task)
        {
            task = new Task(name, kind);
            Errno e = TryAdd(task, parent);
            if (e != Errno.None) task = null;
            return e;
        }

        // Enters t (new, in no scheduler) under a fresh pid, Runnable at the tail of the run queue.
        // Kernel threads get no parent (whatever is passed); a user task added with a null parent
        // (or idle) becomes a child of PID 1 (PID 1 itself, the first task, has none). EAGAIN
        // when MaxTasks exist; EINVAL when parent is a zombie or not a task of this scheduler,
        // or t was added before.
        public Errno TryAdd(Task t, Task parent)
        {
            if (t == null || t._slot >= 0 || t._pid != 0 || t == _idle) return Errno.EINVAL;
            if (_count >= MaxTasks) return Errno.EAGAIN;
            Task p;
            if (t._kernelThread) p = _idle;
            else if (parent == null || parent == _idle) p = _init != null ? _init : _idle;
            else
            {
                if (!Owns(parent) || parent._state == TaskState.Zombie) return Errno.EINVAL;
                p = parent;
            }
            int pid = AllocatePid();
            int slot = _freeSlots[--_freeCount];
            t._pid = pid;
            t._slot = slot;
            _table[slot] = t;
            _slotOfPid[pid] = (short)(slot + 1);
            _count++;
            if (pid == 1) _init = t;
            AddChild(p, t);
            RunAppend(t);
            return Errno.None;
        }

        // Increasing pids; past PidMax - 1 the search starts again at 2 (the lowest pid > 1),
        // skipping pids still in the table. Terminates: fewer than MaxTasks pids are taken.
        private int AllocatePid()
        {
            int pid = _lastPid;
            while (true)
            {
                pid++;
                if (pid >= PidMax) pid = 2;
                if (_slotOfPid[pid] == 0) break;
            }
            _lastPid = pid;
            return pid;
        }

        // Makes `first` Current (Running) without queueing it: the boot context becoming a task.
        // A Running Current it replaces (not idle) goes back to the run queue. No effect on a
        // task that is sleeping, a zombie, or not in the table.
        public void Start(Task first)
        {
            if (first == null || first == _current) return;
            if (first != _idle && (!Owns(first) || first._state != TaskState.Runnable)) return;
            if (first._onRunQueue) RunUnlink(first);
            Task prev = _current;
            if (prev == _idle) _idle._state = TaskState.Runnable;
            else if (prev._state == TaskState.Running) { prev._state = TaskState.Runnable; RunAppend(prev); }
            first._state = TaskState.Running;
            _current = first;
            _sliceUsed = 0;
        }

        public Task Find(int pid)
        {
            if ((uint)pid >= (uint)PidMax) return null;
            int s = _slotOfPid[pid];
            return s == 0 ? null : _table[s - 1];
        }

        // Copies the table in pid order (as many as fit), returns how many were copied.
        public int Snapshot(Task[] into)
        {
            if (into == null) return 0;
            int n = 0;
            for (int pid = 1; pid < PidMax && n < into.Length && n < _count; pid++)
            {
                int s = _slotOfPid[pid];
                if (s != 0) into[n++] = _table[s - 1];
            }
            return n;
        }

        // ---- Choosing who runs ------------------------------------------------------------

        // Round robin: a Current that may still run goes to the tail, the head comes off; idle
        // when the queue is empty. The returned task is Running and Current with a fresh slice.
        public Task PickNext()
        {
            Task prev = _current;
            if (prev == _idle) _idle._state = TaskState.Runnable;
            else if (prev._state == TaskState.Running || prev._state == TaskState.Runnable)
            {
                prev._state = TaskState.Runnable;
                RunAppend(prev);
            }
            Task next = _runHead;
            if (next != null) RunUnlink(next);
            else next = _idle;
            next._state = TaskState.Running;
            _current = next;
            _sliceUsed = 0;
            return next;
        }

        // One timer tick at time nowMs: charges Current one tick, wakes the sleepers whose
        // deadline is <= nowMs (LastWakeTimedOut true; in deadline order), then says whether the
        // caller should call PickNext: idle with something runnable; a Current that no longer
        // runs (blocked or exited, not yet switched away); or a used-up slice with another task
        // runnable (the slice stays used up, so the next tick that finds one preempts).
        public bool Tick(ulong nowMs)
        {
            Task current = _current;
            current._cpuTicks++;
            while (_timers.Count > 0 && _timers.Top._deadline <= nowMs) WakeUp(_timers.Top, true);
            if (current == _idle) return _runCount > 0;
            if (current._state != TaskState.Running) return true;
            if (_sliceUsed < TimeSliceTicks) _sliceUsed++;
            return _sliceUsed >= TimeSliceTicks && _runCount > 0;
        }

        // ---- Sleeping and waking ----------------------------------------------------------

        // Current -> Sleeping, at the tail of queue (if any) and, when deadlineMs != 0, on the
        // timer until a tick at nowMs >= deadlineMs. The kernel then calls PickNext. Pending
        // signals are not looked at: a caller wanting an interruptible sleep checks
        // HasFatalSignal first (with interrupts off nothing can arrive in between).
        // No effect when Current is idle or not Running (idle never sleeps).
        public void Block(WaitQueue queue, ulong deadlineMs) => BlockCurrent(queue, deadlineMs != 0, deadlineMs);

        // Current sleeps on no queue until deadlineMs (an absolute time, as for Block); a
        // deadline already past (0 included) ends at the next tick.
        public void Sleep(ulong deadlineMs) => BlockCurrent(null, true, deadlineMs);

        private void BlockCurrent(WaitQueue queue, bool timed, ulong deadlineMs)
        {
            Task t = _current;
            if (t == _idle || t._state != TaskState.Running) return;
            t._state = TaskState.Sleeping;
            t._timedOut = false;
            if (queue != null) queue.Append(t);
            if (timed)
            {
                t._deadline = deadlineMs;
                t._sleepSeq = ++_sleepSeq;
                _timers.Push(t);
            }
        }

        // Whether t's last sleep ended by its deadline (false for Wake*, a signal, or no sleep).
        public bool LastWakeTimedOut(Task t) => t != null && t._timedOut;

        // Wakes the longest sleeper of queue; returns how many were woken (0 or 1).
        public int WakeOne(WaitQueue queue)
        {
            if (queue == null || queue._head == null) return 0;
            WakeUp(queue._head, false);
            return 1;
        }

        // Wakes every sleeper of queue, in FIFO order (so they reach the run queue in that order).
        public int WakeAll(WaitQueue queue)
        {
            if (queue == null) return 0;
            int n = 0;
            while (queue._head != null)
            {
                WakeUp(queue._head, false);
                n++;
            }
            return n;
        }

        // Wakes t if it is Sleeping (leaving its queue and the timer); otherwise no effect.
        public void Wake(Task task)
        {
            if (task != null && task._state == TaskState.Sleeping) WakeUp(task, false);
        }

        // A sleeper becomes Runnable at the tail of the run queue, or Running again if it is
        // still Current (it blocked and was woken before the kernel switched away).
        private void WakeUp(Task t, bool timedOut)
        {
            if (t._queue != null) t._queue.Unlink(t);
            if (t._heapIndex >= 0) _timers.Remove(t);
            t._timedOut = timedOut;
            if (t == _current) t._state = TaskState.Running;
            else
            {
                t._state = TaskState.Runnable;
                RunAppend(t);
            }
        }

        // ---- Life and death ---------------------------------------------------------------

        // task -> Zombie with status & 0xFF (exit(n): n, a signal: 128 + signal), out of every
        // queue; its children go to PID 1 (which is woken if any of them is a zombie already);
        // its parent's ChildExit queue is woken. A Current that exits stays Current until
        // PickNext. No effect on PID 1 (the kernel panics), idle, a zombie, or a stranger.
        public void Exit(Task task, int status)
        {
            if (!Owns(task) || task == _init || task._state == TaskState.Zombie) return;
            if (task._onRunQueue) RunUnlink(task);
            if (task._queue != null) task._queue.Unlink(task);
            if (task._heapIndex >= 0) _timers.Remove(task);
            task._state = TaskState.Zombie;
            task._exitStatus = status & 0xFF;
            task._pending = 0;
            if (task._firstChild != null)
            {
                Task heir = _init != null ? _init : _idle;
                bool zombies = false;
                for (Task c = task._firstChild; c != null; c = c._siblingNext)
                {
                    c._parent = heir;
                    if (c._state == TaskState.Zombie) zombies = true;
                }
                // Splice the whole sibling list onto the heir's tail.
                if (heir._lastChild == null) heir._firstChild = task._firstChild;
                else
                {
                    heir._lastChild._siblingNext = task._firstChild;
                    task._firstChild._siblingPrev = heir._lastChild;
                }
                heir._lastChild = task._lastChild;
                heir._childCount += task._childCount;
                task._firstChild = task._lastChild = null;
                task._childCount = 0;
                if (zombies) WakeAll(heir._childExit);
            }
            WakeAll(task._parent._childExit);
        }

        // wait(2) without the sleeping: pid > 0 for that child, otherwise (-1; no process groups,
        // so 0 and -N too) any child, the oldest zombie first. parent null stands for pid 0, the
        // parent of PID 1 and the kernel threads. None: a zombie was reaped (out of the table,
        // its pid free again; its Task keeps State Zombie, Pid and ExitStatus). ECHILD: no such
        // child. EAGAIN: such children exist but none is a zombie (block on ChildExit, retry).
        public Errno TryReap(Task parent, int pid, out int reapedPid, out int status)
        {
            Errno e = TryReap(parent, pid, out Task reaped);
            reapedPid = reaped == null ? 0 : reaped._pid;
            status = reaped == null ? 0 : reaped._exitStatus;
            return e;
        }

        // The same, giving the reaped task itself (the kernel frees its stack).
        public Errno TryReap(Task parent, int pid, out Task reaped)
        {
            reaped = null;
            Task p = parent == null ? _idle : parent;
            Task child;
            if (pid > 0)
            {
                child = Find(pid);
                if (child == null || child._parent != p) return Errno.ECHILD;
                if (child._state != TaskState.Zombie) return Errno.EAGAIN;
            }
            else
            {
                if (p._firstChild == null) return Errno.ECHILD;
                child = p._firstChild;
                while (child != null && child._state != TaskState.Zombie) child = child._siblingNext;
                if (child == null) return Errno.EAGAIN;
            }
            reaped = child;
            RemoveChild(p, child);
            _table[child._slot] = null;
            _freeSlots[_freeCount++] = (short)child._slot;
            _slotOfPid[child._pid] = 0;
            child._slot = -1;
            _count--;
            return Errno.None;
        }

        // The queue a parent sleeps on while waiting for children (null: pid 0's).
        public WaitQueue ChildExit(Task parent)
        {
            Task p = parent == null ? _idle : parent;
            if (p._childExit == null) p._childExit = new WaitQueue(this);
            return p._childExit;
        }

        // ---- Signals ----------------------------------------------------------------------

        // kill(pid, signal). EINVAL: a signal other than 0, SIGINT, SIGKILL, SIGTERM. ESRCH: no
        // such pid (negative pids too: no process groups). EPERM: PID 1, a kernel thread, or
        // pid 0 (idle). A zombie or signal 0: success, no effect. Otherwise the signal is made
        // pending and a Sleeping target is woken (LastWakeTimedOut false); the kernel ends it at
        // its next safe point (TakeFatalSignal).
        public Errno Kill(int pid, int signal)
        {
            if (!Signals.IsValid(signal)) return Errno.EINVAL;
            if (pid == 0) return Errno.EPERM;
            Task t = Find(pid);
            if (t == null) return Errno.ESRCH;
            if (t == _init || t._kernelThread) return Errno.EPERM;
            if (signal == 0 || t._state == TaskState.Zombie) return Errno.None;
            t._pending |= 1UL << signal;
            if (t._state == TaskState.Sleeping) WakeUp(t, false);
            return Errno.None;
        }

        // The lowest pending fatal signal, cleared; 0 when none.
        public int TakeFatalSignal(Task task)
        {
            if (task == null) return 0;
            ulong fatal = task._pending & Signals.FatalMask;
            if (fatal == 0) return 0;
            int s = 0;
            while ((fatal & (1UL << s)) == 0) s++;
            task._pending &= ~(1UL << s);
            return s;
        }

        public bool HasFatalSignal(Task task) => task != null && (task._pending & Signals.FatalMask) != 0;

        // ---- Inspection (tests, debugging commands) ---------------------------------------

        // Whether t waits on the run queue.
        public bool IsQueued(Task t) => t != null && t._onRunQueue;

        // The wait queue t sleeps on, or null.
        public WaitQueue QueueOf(Task t) => t == null ? null : t._queue;

        // Whether t sleeps with a deadline, and which.
        public bool HasDeadline(Task t) => t != null && t._heapIndex >= 0;
        public ulong DeadlineOf(Task t) => t != null && t._heapIndex >= 0 ? t._deadline : 0;

        // The run queue from head to tail (as many as fit); returns how many were copied.
        public int RunQueue(Task[] into)
        {
            int n = 0;
            for (Task t = _runHead; t != null && n < into.Length; t = t._runNext) into[n++] = t;
            return n;
        }

        // null when every invariant above holds, else a description of the first broken one.
        // O(MaxTasks + PidMax): for tests and debugging, not for the timer.
        public string Verify()
        {
            // Table, slots and pids.
            int inTable = 0;
            for (int slot = 0; slot < MaxTasks; slot++)
            {
                Task t = _table[slot];
                if (t == null) continue;
                inTable++;
                string who = "pid " + t._pid.ToString() + ": ";
                if (t._slot != slot) return who + "slot " + t._slot.ToString() + " in table slot " + slot.ToString();
                if (t._pid <= 0 || t._pid >= PidMax || _slotOfPid[t._pid] != slot + 1) return who + "pid map wrong";
                if (t == _idle) return "idle in the table";
                bool runnableWaiting = t._state == TaskState.Runnable && t != _current;
                if (t._onRunQueue != runnableWaiting) return who + "on run queue " + (t._onRunQueue ? "1" : "0") + " in state " + StateName(t._state);
                if (t._state != TaskState.Sleeping && (t._queue != null || t._heapIndex >= 0)) return who + "waits but is " + StateName(t._state);
                if (t._queue != null && !OnList(t._queue, t)) return who + "not on its wait queue";
                if (t._parent == null) return who + "no parent";
                if (!OnSiblings(t._parent, t)) return who + "not among its parent's children";
                if (t._parent != _idle && t._parent._slot < 0) return who + "parent not in the table";
                if (t._parent == _idle && t != _init && !t._kernelThread) return who + "user task under idle";
                if (t._kernelThread && t._parent != _idle) return who + "kernel thread with a parent";
                int kids = 0;
                for (Task c = t._firstChild; c != null; c = c._siblingNext)
                {
                    if (c._parent != t) return who + "child pid " + c._pid.ToString() + " names another parent";
                    if (c._slot < 0) return who + "reaped child still listed";
                    if (++kids > MaxTasks) return who + "child list loops";
                }
                if (kids != t._childCount) return who + "child count " + t._childCount.ToString() + ", listed " + kids.ToString();
            }
            if (inTable != _count) return "count " + _count.ToString() + ", table holds " + inTable.ToString();
            if (_freeCount != MaxTasks - _count) return "free slots " + _freeCount.ToString();
            for (int i = 0; i < _freeCount; i++)
                if (_table[_freeSlots[i]] != null) return "free slot " + _freeSlots[i].ToString() + " is taken";
            int mapped = 0;
            for (int pid = 0; pid < PidMax; pid++)
                if (_slotOfPid[pid] != 0) mapped++;
            if (mapped != _count) return "pid map holds " + mapped.ToString();
            if (_init != null && (_init._pid != 1 || _table[_init._slot] != _init || _init._state == TaskState.Zombie)) return "PID 1 lost";

            // Run queue.
            int queued = 0;
            Task prev = null;
            for (Task t = _runHead; t != null; t = t._runNext)
            {
                if (t._runPrev != prev) return "run queue: bad back link at pid " + t._pid.ToString();
                if (!t._onRunQueue || t._state != TaskState.Runnable || t == _current || t._slot < 0) return "run queue: pid " + t._pid.ToString() + " should not be there";
                if (++queued > MaxTasks) return "run queue loops";
                prev = t;
            }
            if (prev != _runTail) return "run queue: bad tail";
            if (queued != _runCount) return "run queue: count " + _runCount.ToString() + ", listed " + queued.ToString();

            // Current and idle.
            if (_current == null) return "no current task";
            if (_current._onRunQueue) return "current on the run queue";
            if (_current._state == TaskState.Runnable) return "current is Runnable";
            if (_current != _idle && _current._slot < 0 && _current._state != TaskState.Zombie) return "current not in the table";
            if (_idle._onRunQueue || _idle._queue != null || _idle._heapIndex >= 0) return "idle queued";
            if (_idle._state != (_current == _idle ? TaskState.Running : TaskState.Runnable)) return "idle in state " + StateName(_idle._state);

            // Timers.
            string heap = _timers.Verify();
            if (heap != null) return heap;
            for (int i = 0; i < _timers.Count; i++)
            {
                Task t = _timers.At(i);
                if (t._state != TaskState.Sleeping) return "timer holds pid " + t._pid.ToString() + " in state " + StateName(t._state);
            }
            return null;
        }

        private static bool OnList(WaitQueue q, Task t)
        {
            int n = 0;
            Task prev = null;
            for (Task x = q._head; x != null; x = x._waitNext)
            {
                if (x._waitPrev != prev || x._queue != q || x._state != TaskState.Sleeping) return false;
                if (++n > MaxTasks) return false;
                prev = x;
            }
            if (prev != q._tail || n != q._count) return false;
            for (Task x = q._head; x != null; x = x._waitNext) if (x == t) return true;
            return false;
        }

        private static bool OnSiblings(Task parent, Task t)
        {
            int n = 0;
            for (Task c = parent._firstChild; c != null; c = c._siblingNext)
            {
                if (c == t) return true;
                if (++n > MaxTasks) return false;
            }
            return false;
        }

        private static string StateName(TaskState s)
        {
            if (s == TaskState.Runnable) return "Runnable";
            if (s == TaskState.Running) return "Running";
            if (s == TaskState.Sleeping) return "Sleeping";
            if (s == TaskState.Stopped) return "Stopped";
            return "Zombie";
        }

        // ---- Lists ------------------------------------------------------------------------

        private bool Owns(Task t) => t != null && t._slot >= 0 && t._slot < MaxTasks && _table[t._slot] == t;

        private void RunAppend(Task t)
        {
            t._onRunQueue = true;
            t._runNext = null;
            t._runPrev = _runTail;
            if (_runTail == null) _runHead = t; else _runTail._runNext = t;
            _runTail = t;
            _runCount++;
        }

        private void RunUnlink(Task t)
        {
            if (t._runPrev == null) _runHead = t._runNext; else t._runPrev._runNext = t._runNext;
            if (t._runNext == null) _runTail = t._runPrev; else t._runNext._runPrev = t._runPrev;
            t._runNext = t._runPrev = null;
            t._onRunQueue = false;
            _runCount--;
        }

        private static void AddChild(Task parent, Task child)
        {
            child._parent = parent;
            child._siblingNext = null;
            child._siblingPrev = parent._lastChild;
            if (parent._lastChild == null) parent._firstChild = child; else parent._lastChild._siblingNext = child;
            parent._lastChild = child;
            parent._childCount++;
        }

        private static void RemoveChild(Task parent, Task child)
        {
            if (child._siblingPrev == null) parent._firstChild = child._siblingNext; else child._siblingPrev._siblingNext = child._siblingNext;
            if (child._siblingNext == null) parent._lastChild = child._siblingPrev; else child._siblingNext._siblingPrev = child._siblingPrev;
            child._siblingNext = child._siblingPrev = null;
            parent._childCount--;
        }
    }
}
