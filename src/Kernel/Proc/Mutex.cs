// A sleeping mutex: a task that finds it held sleeps on its wait queue instead of spinning.
// While a task holds any mutex, a fatal signal waits (LockDepth): its stack is never abandoned
// with a lock held. Not for interrupt handlers (they cannot sleep). Not recursive.
using Kernel.Arch;
using Kernel.Sched;

namespace Kernel.Proc
{
    internal sealed class Mutex
    {
        private readonly WaitQueue _waiters;
        private Task _owner;

        public Mutex() => _waiters = new WaitQueue(Processes.Scheduler);

        public Task Owner => _owner;

        public void Lock()
        {
            IrqLock.Enter();
            Task self = Processes.Scheduler.Current;
            if (_owner == self) Panic.Fail("mutex: locked twice by the same task");
            while (_owner != null)
            {
                Processes.Scheduler.Block(_waiters, 0);
                Native.Yield();
            }
            _owner = self;
            self.LockDepth++;
            IrqLock.Exit();
        }

        public void Unlock()
        {
            IrqLock.Enter();
            Task self = Processes.Scheduler.Current;
            if (_owner != self) Panic.Fail("mutex: unlocked by a task that does not hold it");
            _owner = null;
            self.LockDepth--;
            Processes.Scheduler.WakeOne(_waiters);
            IrqLock.Exit();
        }
    }
}
