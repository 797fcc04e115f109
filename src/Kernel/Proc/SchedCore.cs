// The scheduler's decisions (no hardware): the task table, the round-robin run queue, wait
// queues, timed sleeps, exit/wait/re-parenting and fatal signals. Proc/Processes.cs acts on them.
// Called with interrupts off (one CPU): nothing here locks, and nothing here allocates except
// TryCreate (a Task object) — so the timer and input interrupts may call Tick, Wake and Kill.
//
// Invariants: a task is on the run queue iff it is Runnable and not Current; a Sleeping task is
// on at most one wait queue and, with a deadline, on the timed list; a Zombie is on no queue and
// stays in the table (pid reserved) until its parent reaps it. Children are re-parented to PID 1.
namespace Kernel.Sched
{
    public enum TaskState { Runnable, Running, Sleeping, Stopped, Zombie }

    public enum Errno { None = 0, EPERM = 1, ESRCH = 3, EINTR = 4, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EBUSY = 16, EINVAL = 22, ENOSPC = 28, ERANGE = 34 }

    public static class Signals
    {
        public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

        // kill(1) spellings: "9", "KILL", "SIGKILL" (also INT and TERM).
        public static bool TryParse(string text, out int signal)
        {
            signal = 0;
            if (text == "2" || text == "INT" || text == "SIGINT") signal = SIGINT;
            else if (text == "9" || text == "KILL" || text == "SIGKILL") signal = SIGKILL;
            else if (text == "15" || text == "TERM" || text == "SIGTERM") signal = SIGTERM;
            return signal != 0;
        }

        public static string Name(int signal) => signal == SIGINT ? "INT" : signal == SIGKILL ? "KILL" : signal == SIGTERM ? "TERM" : "?";
    }

    public partial class Task
    {
        internal int _pid;
        internal Task _parent;
        internal string _name;
        internal bool _kernelThread;
        internal TaskState _state;
        internal int _exitStatus;
        internal ulong _pending;
        internal ulong _cpuTicks;
        internal int _children;
        internal int _slot;
        internal Task _next, _prev;          // run queue or wait queue links
        internal WaitQueue _queue;           // the wait queue it sleeps on, if any
        internal ulong _deadline;            // 0: none
        internal bool _timedOut;
        internal WaitQueue _childExit;

        public int Pid => _pid;
        public Task Parent => _parent;
        public string Name => _name;
        public bool IsKernelThread => _kernelThread;
        public TaskState State => _state;
        public int ExitStatus => _exitStatus;
        public ulong PendingSignals => _pending;
        public ulong CpuTicks => _cpuTicks;
        public int ChildCount => _children;
    }

    // A FIFO of sleeping tasks (intrusive through Task._next/_prev).
    public sealed class WaitQueue
    {
        internal Task _head, _tail;
        internal int _count;

        public WaitQueue(Scheduler scheduler) { }

        public bool IsEmpty => _count == 0;
        public int Count => _count;

        internal void Append(Task t)
        {
            t._next = null;
            t._prev = _tail;
            if (_tail == null) _head = t; else _tail._next = t;
            _tail = t;
            _count++;
        }

        internal void Unlink(Task t)
        {
            if (t._prev == null) _head = t._next; else t._prev._next = t._next;
            if (t._next == null) _tail = t._prev; else t._next._prev = t._prev;
            t._next = t._prev = null;
            _count--;
        }
    }

    public sealed class Scheduler
    {
        public const int MaxTasks = 4096;
        public const int TimeSliceTicks = 10;
        private const int PidMax = 32768;

        private readonly Task[] _table = new Task[MaxTasks];
        private readonly short[] _slotByPid = new short[PidMax];   // slot + 1; 0 = free
        private readonly WaitQueue _runQueue;
        private readonly Task[] _timed = new Task[MaxTasks];       // sleepers with a deadline
        private int _timedCount;
        private int _count;
        private int _lastPid;
        private int _sliceUsed;
        private Task _current;
        private readonly Task _idle;

        public Scheduler()
        {
            _runQueue = new WaitQueue(this);
            _idle = new Task();
            _idle._pid = 0;
            _idle._name = "idle";
            _idle._kernelThread = true;
            _idle._state = TaskState.Runnable;
            _idle._slot = -1;
        }

        public Task Idle => _idle;
        public Task Current => _current;
        public int Count => _count;

        public Errno TryCreate(Task parent, string name, bool kernelThread, out Task task)
        {
            task = null;
            if (_count == MaxTasks) return Errno.EAGAIN;
            int pid = NextPid();
            int slot = 0;
            while (_table[slot] != null) slot++;
            task = new Task();
            task._pid = pid;
            task._parent = kernelThread ? null : parent;
            task._name = name;
            task._kernelThread = kernelThread;
            task._slot = slot;
            task._childExit = new WaitQueue(this);
            _table[slot] = task;
            _slotByPid[pid] = (short)(slot + 1);
            _count++;
            if (task._parent != null) task._parent._children++;
            task._state = TaskState.Runnable;
            _runQueue.Append(task);
            return Errno.None;
        }

        // Increasing pids, wrapping at PidMax to the lowest free pid above 1.
        private int NextPid()
        {
            int pid = _lastPid;
            do
            {
                pid++;
                if (pid >= PidMax) pid = 2;
            } while (_slotByPid[pid] != 0);
            _lastPid = pid;
            return pid;
        }

        public void Start(Task first)
        {
            if (first._state == TaskState.Runnable) _runQueue.Unlink(first);
            first._state = TaskState.Running;
            _current = first;
        }

        public Task Find(int pid)
        {
            if (pid <= 0 || pid >= PidMax || _slotByPid[pid] == 0) return null;
            return _table[_slotByPid[pid] - 1];
        }

        public int Snapshot(Task[] into)
        {
            int n = 0;
            for (int pid = 1; pid < PidMax && n < into.Length; pid++)
                if (_slotByPid[pid] != 0) into[n++] = _table[_slotByPid[pid] - 1];
            return n;
        }

        public Task PickNext()
        {
            Task current = _current;
            if (current != null && current != _idle && current._state == TaskState.Running)
            {
                current._state = TaskState.Runnable;
                _runQueue.Append(current);
            }
            Task next = _runQueue._head;
            if (next != null) _runQueue.Unlink(next);
            else next = _idle;
            next._state = TaskState.Running;
            _current = next;
            _sliceUsed = 0;
            return next;
        }

        public bool Tick(ulong nowMs)
        {
            if (_current != null) _current._cpuTicks++;
            for (int i = 0; i < _timedCount;)
            {
                Task t = _timed[i];
                if (t._deadline != 0 && nowMs >= t._deadline)
                {
                    t._timedOut = true;
                    MakeRunnable(t);   // removes it from _timed (swap with last): do not advance i
                }
                else i++;
            }
            if (_current == _idle) return _runQueue._count > 0;
            return ++_sliceUsed >= TimeSliceTicks && _runQueue._count > 0;
        }

        public void Block(WaitQueue queue, ulong deadlineMs)
        {
            Task t = _current;
            t._state = TaskState.Sleeping;
            t._timedOut = false;
            if (queue != null)
            {
                t._queue = queue;
                queue.Append(t);
            }
            if (deadlineMs != 0)
            {
                t._deadline = deadlineMs;
                _timed[_timedCount++] = t;
            }
        }

        public void Sleep(ulong deadlineMs) => Block(null, deadlineMs == 0 ? 1 : deadlineMs);

        public bool LastWakeTimedOut(Task t) => t._timedOut;

        public int WakeOne(WaitQueue queue)
        {
            if (queue._head == null) return 0;
            MakeRunnable(queue._head);
            return 1;
        }

        public int WakeAll(WaitQueue queue)
        {
            int n = 0;
            while (queue._head != null) { MakeRunnable(queue._head); n++; }
            return n;
        }

        public void Wake(Task task)
        {
            if (task._state == TaskState.Sleeping) MakeRunnable(task);
        }

        private void MakeRunnable(Task t)
        {
            if (t._queue != null)
            {
                t._queue.Unlink(t);
                t._queue = null;
            }
            RemoveTimed(t);
            t._state = TaskState.Runnable;
            if (t != _current) _runQueue.Append(t);
            else t._state = TaskState.Running;
        }

        private void RemoveTimed(Task t)
        {
            if (t._deadline == 0) return;
            t._deadline = 0;
            for (int i = 0; i < _timedCount; i++)
                if (_timed[i] == t)
                {
                    _timed[i] = _timed[--_timedCount];
                    _timed[_timedCount] = null;
                    return;
                }
        }

        public void Exit(Task task, int status)
        {
            if (task._pid == 1 || task == _idle || task._state == TaskState.Zombie) return;
            if (task._state == TaskState.Runnable && task != _current) _runQueue.Unlink(task);
            if (task._queue != null) { task._queue.Unlink(task); task._queue = null; }
            RemoveTimed(task);
            task._state = TaskState.Zombie;
            task._exitStatus = status;
            Task init = Find(1);
            for (int slot = 0; slot < MaxTasks; slot++)
            {
                Task child = _table[slot];
                if (child == null || child._parent != task) continue;
                child._parent = init;
                if (init != null) init._children++;
                task._children--;
            }
            if (init != null && task._children == 0) WakeAll(init._childExit);
            if (task._parent != null) WakeAll(task._parent._childExit);
        }

        public Errno TryReap(Task parent, int pid, out int reapedPid, out int status)
        {
            reapedPid = 0;
            status = 0;
            bool any = false;
            for (int slot = 0; slot < MaxTasks; slot++)
            {
                Task child = _table[slot];
                if (child == null || child._parent != parent || (pid > 0 && child._pid != pid)) continue;
                any = true;
                if (child._state != TaskState.Zombie) continue;
                reapedPid = child._pid;
                status = child._exitStatus;
                _table[slot] = null;
                _slotByPid[child._pid] = 0;
                _count--;
                parent._children--;
                return Errno.None;
            }
            return any ? Errno.EAGAIN : Errno.ECHILD;
        }

        public WaitQueue ChildExit(Task parent) => parent._childExit;

        public Errno Kill(int pid, int signal)
        {
            if (signal != Signals.SIGINT && signal != Signals.SIGKILL && signal != Signals.SIGTERM) return Errno.EINVAL;
            Task t = Find(pid);
            if (t == null) return Errno.ESRCH;
            if (t._pid == 1 || t._kernelThread) return Errno.EPERM;
            if (t._state == TaskState.Zombie) return Errno.None;
            t._pending |= 1UL << signal;
            if (t._state == TaskState.Sleeping) MakeRunnable(t);
            return Errno.None;
        }

        public int TakeFatalSignal(Task task)
        {
            for (int s = 1; s < 64; s++)
                if ((task._pending & (1UL << s)) != 0)
                {
                    task._pending &= ~(1UL << s);
                    return s;
                }
            return 0;
        }

        public bool HasFatalSignal(Task task) => task._pending != 0;
    }
}
