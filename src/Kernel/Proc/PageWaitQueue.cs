// Where tasks wait for a page under I/O (Kernel.Mm's PageWait): one wait queue for every page,
// woken whole whenever any page is unlocked; each waiter re-checks its own page (Linux hashes
// pages over a table of queues; one queue is enough on one CPU with few disks).
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal sealed class PageWaitQueue : PageWait
    {
        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly Cpu _cpu;
        private readonly WaitQueue _queue;

        public PageWaitQueue(Scheduler scheduler, IrqLock irq, Cpu cpu)
        {
            _scheduler = scheduler;
            _irq = irq;
            _cpu = cpu;
            _queue = new WaitQueue(scheduler);
        }

        public override void Wait()
        {
            using (_irq.Hold())
            {
                _scheduler.Block(_queue, 0);
                _cpu.Yield();
            }
        }

        public override void WakeAll()
        {
            using (_irq.Hold()) _scheduler.WakeAll(_queue);
        }
    }
}
