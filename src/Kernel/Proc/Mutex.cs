// A sleeping mutex: a task that finds it held sleeps on its wait queue instead of spinning.
// Unlock hands the mutex straight to the longest waiter (Linux's mutex handoff), so a waiter
// that is woken and then killed before it runs still owns it: it is not killable while it holds
// a mutex (NoKillDepth), so it runs on, returns from Lock, and its Unlock passes the mutex on.
// Not for interrupt handlers (they cannot sleep). Not recursive.
// Invariants: _owner is null exactly when no task holds it and no waiter was handed it; the
// owner's NoKillDepth counts this mutex.
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal sealed class Mutex
    {
        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly Cpu _cpu;
        private readonly KernelOutput _out;
        private readonly WaitQueue _waiters;
        private Task _owner;

        public Mutex(Scheduler scheduler, IrqLock irq, Cpu cpu, KernelOutput output)
        {
            _scheduler = scheduler;
            _irq = irq;
            _cpu = cpu;
            _out = output;
            _waiters = new WaitQueue(scheduler);
        }

        public Task Owner => _owner;

        public void Lock()
        {
            using (_irq.Hold())
            {
                Task self = _scheduler.Current;
                if (_owner == self) { _out.Panic("mutex: locked twice by the same task"); return; }
                if (_owner == null)
                {
                    _owner = self;
                    self.NoKillDepth++;
                    return;
                }
                // Sleep until Unlock hands it over (it also counts it in our NoKillDepth).
                while (_owner != self)
                {
                    _scheduler.Block(_waiters, 0);
                    _cpu.Yield();
                }
            }
        }

        public void Unlock()
        {
            using (_irq.Hold())
            {
                Task self = _scheduler.Current;
                if (_owner != self) { _out.Panic("mutex: unlocked by a task that does not hold it"); return; }
                self.NoKillDepth--;
                Task next = _waiters.First;
                _owner = next;
                if (next != null)
                {
                    next.NoKillDepth++;
                    _scheduler.WakeOne(_waiters);
                }
            }
        }
    }
}
