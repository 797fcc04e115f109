// A FIFO of sleeping tasks, intrusive through Task._waitNext/_waitPrev (no allocation to enqueue).
// Only the Scheduler adds and removes tasks (Block, WakeOne/WakeAll/Wake, Kill, Exit), with
// interrupts off (one CPU): nothing here locks.
// Invariants: _count is the length of the list _head.._tail; every task on it is Sleeping and has
// _queue == this; a task is on at most one wait queue.
namespace Kernel.Sched
{
    public sealed class WaitQueue
    {
        internal Task _head, _tail;
        internal int _count;
        internal readonly Scheduler _scheduler;   // the owner (may be null: nothing reads it yet)

        public WaitQueue(Scheduler s) { _scheduler = s; }

        public bool IsEmpty => _count == 0;
        public int Count => _count;

        // The task WakeOne would wake, or null.
        public Task First => _head;

        internal void Append(Task t)
        {
            t._queue = this;
            t._waitNext = null;
            t._waitPrev = _tail;
            if (_tail == null) _head = t; else _tail._waitNext = t;
            _tail = t;
            _count++;
        }

        internal void Unlink(Task t)
        {
            if (t._waitPrev == null) _head = t._waitNext; else t._waitPrev._waitNext = t._waitNext;
            if (t._waitNext == null) _tail = t._waitPrev; else t._waitNext._waitPrev = t._waitPrev;
            t._waitNext = t._waitPrev = null;
            t._queue = null;
            _count--;
        }
    }
}
