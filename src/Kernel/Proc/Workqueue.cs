// Workqueues: a named kernel thread (shown as [name] in ps) that runs queued work items one at
// a time, in the order they were queued, sleeping while there is nothing to do (Linux's
// workqueue, one worker each). Items are intrusive (WorkItem.Next), so queueing allocates
// nothing; an item already queued is not queued twice (Queue returns false).
// Queue from task context or from an interrupt handler; the list is changed with interrupts off.
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal abstract class WorkItem
    {
        internal WorkItem Next;
        internal bool Queued;
        public abstract void Run();
    }

    internal sealed class Workqueue
    {
        private readonly string _name;
        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly Cpu _cpu;
        private readonly WaitQueue _wait;
        private WorkItem _head, _tail;
        private ulong _completed;
        private Process _thread;

        private Workqueue(string name, Scheduler scheduler, IrqLock irq, Cpu cpu)
        {
            _name = name;
            _scheduler = scheduler;
            _irq = irq;
            _cpu = cpu;
            _wait = new WaitQueue(scheduler);
        }

        public string Name => _name;
        public Process Thread => _thread;
        public ulong Completed => _completed;

        // A workqueue and its thread; null when the thread cannot be made.
        public static Workqueue Create(string name, Processes processes, IrqLock irq, Cpu cpu)
        {
            Workqueue wq = new Workqueue(name, processes.Scheduler, irq, cpu);
            Errno e = processes.Spawn(null, name, TaskKind.KernelThread, argv => wq.Work(), null, MmSource.New, out Process thread);
            if (e != Errno.None) return null;
            thread.Workqueue = wq;
            wq._thread = thread;
            return wq;
        }

        public bool Queue(WorkItem item)
        {
            using (_irq.Hold())
            {
                if (item.Queued) return false;
                item.Queued = true;
                item.Next = null;
                if (_tail == null) _head = item; else _tail.Next = item;
                _tail = item;
                _scheduler.WakeOne(_wait);
                return true;
            }
        }

        // Takes the next item, sleeping while there is none.
        private WorkItem Take()
        {
            using (_irq.Hold())
            {
                while (_head == null)
                {
                    _scheduler.Block(_wait, 0);
                    _cpu.Yield();
                }
                WorkItem item = _head;
                _head = item.Next;
                if (_head == null) _tail = null;
                item.Next = null;
                item.Queued = false;
                return item;
            }
        }

        // Runs the queued items until the queue is empty (host tests; the thread's loop).
        public int RunPending()
        {
            int n = 0;
            while (_head != null)
            {
                Take().Run();
                _completed++;
                n++;
            }
            return n;
        }

        // The thread's main: never returns.
        private int Work()
        {
            while (true)
            {
                WorkItem item = Take();
                item.Run();
                _completed++;
            }
        }
    }
}
