// Workqueues: a named kernel thread (shown as [name] in ps) that runs queued work items one at
// a time, in the order they were queued, sleeping while there is nothing to do (Linux's
// workqueue, one worker each). Items are intrusive (WorkItem.Next), so queueing allocates
// nothing; an item already queued is not queued twice (Queue returns false).
// Queue from task context or from an interrupt handler; the list is changed with interrupts off.
using Kernel.Arch;
using Kernel.Sched;

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
        private readonly WaitQueue _wait;
        private WorkItem _head, _tail;
        private ulong _completed;
        private Task _thread;

        private Workqueue(string name, Scheduler scheduler)
        {
            _name = name;
            _wait = new WaitQueue(scheduler);
        }

        public string Name => _name;
        public Task Thread => _thread;
        public ulong Completed => _completed;

        public static Workqueue Create(string name)
        {
            Workqueue wq = new Workqueue(name, Processes.Scheduler);
            Errno e = Processes.Spawn(null, name, true, Worker, null, false, out Task thread);
            if (e != Errno.None) return null;
            thread.Workqueue = wq;
            wq._thread = thread;
            return wq;
        }

        public bool Queue(WorkItem item)
        {
            IrqLock.Enter();
            bool queued = !item.Queued;
            if (queued)
            {
                item.Queued = true;
                item.Next = null;
                if (_tail == null) _head = item; else _tail.Next = item;
                _tail = item;
                Processes.Scheduler.WakeOne(_wait);
            }
            IrqLock.Exit();
            return queued;
        }

        private static int Worker(string[] argv)
        {
            Workqueue wq = Processes.Scheduler.Current.Workqueue;
            while (true)
            {
                IrqLock.Enter();
                while (wq._head == null)
                {
                    Processes.Scheduler.Block(wq._wait, 0);
                    Native.Yield();
                }
                WorkItem item = wq._head;
                wq._head = item.Next;
                if (wq._head == null) wq._tail = null;
                item.Next = null;
                item.Queued = false;
                IrqLock.Exit();
                item.Run();
                wq._completed++;
            }
        }
    }
}
