// The kernel's side of memory containers (Kernel.Containers holds the logic): the ContainerHost
// through which the table sees tasks, the fork and exit hooks, and the over-limit work items.
// A task's container pointer lives on the Process and on its mm (AddressSpace.Container); Point
// is the one place that sets them, so they always agree. Over-limit work runs on the
// [kcontainerd] workqueue, one preallocated work item per container id, so that queueing it
// from the page-fault path allocates nothing.
// Interrupt lock held for every call (the table is under the big lock, like Kernel.Mm).
using Kernel.Containers;
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal sealed class TaskContainers : ContainerHost
    {
        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly KernelOutput _out;
        private readonly Workqueue _kcontainerd;
        private readonly OverLimitWork[] _work;
        private ContainerTable _table;

        public TaskContainers(Scheduler scheduler, IrqLock irq, KernelOutput output, Workqueue kcontainerd)
        {
            _scheduler = scheduler;
            _irq = irq;
            _out = output;
            _kcontainerd = kcontainerd;
            _work = new OverLimitWork[ContainerTable.MaxContainers + 1];
            for (int i = 0; i < _work.Length; i++) _work[i] = new OverLimitWork(this);
        }

        // The table is made with this host; it comes right after.
        public void AttachTable(ContainerTable table) => _table = table;

        public ContainerTable Table => _table;

        // ---- ContainerHost ----------------------------------------------------------------

        public override bool TaskExists(int pid) => Live(pid) != null;

        public override bool IsKernelThread(int pid)
        {
            Process t = Live(pid);
            return t != null && t.IsKernelThread;
        }

        public override Container ContainerOf(int pid)
        {
            Process t = Live(pid);
            return t == null ? null : t.Container;
        }

        public override bool MmAgrees(int pid)
        {
            Process t = Live(pid);
            return t == null || t.Mm == null || t.Mm.Container == t.Container;
        }

        public override void SetContainer(int pid, Container c)
        {
            Process t = Live(pid);
            if (t != null) Point(t, c);
        }

        public override void QueueOverLimit(Container c)
        {
            OverLimitWork w = _work[c.Id];
            w.Target = c;
            _kcontainerd.Queue(w);
        }

        // Opens a window for the timer to preempt a long operation.
        public override void MayReschedule()
        {
            _irq.Exit();
            _irq.Enter();
        }

        private Process Live(int pid)
        {
            Process t = pid > 0 ? _scheduler.Find(pid) as Process : null;
            return t == null || t.State == TaskState.Zombie ? null : t;
        }

        // ---- fork and exit ------------------------------------------------------------------

        // fork: may a task of parent's container have a child? EAGAIN at its task_limit.
        public Errno CanFork(Process parent) => parent == null ? Errno.None : _table.CanFork(parent.Container);

        // fork: the child (its mm already copied) joins its parent's container.
        public void Attach(Process parent, Process child)
        {
            Container c = parent == null ? null : parent.Container;
            Point(child, c);
            _table.Attach(c, child.Pid);
        }

        // exit: the task leaves its container.
        public void Detach(Process task)
        {
            Container c = task.Container;
            Point(task, null);
            _table.Detach(c, task.Pid);
        }

        // A task's container pointer and its mm's always agree (new pages are charged by the mm's).
        public static void Point(Process t, Container c)
        {
            t.Container = c;
            if (t.Mm != null) t.Mm.Container = c;
        }

        private sealed class OverLimitWork : WorkItem
        {
            private readonly TaskContainers _owner;
            public Container Target;

            public OverLimitWork(TaskContainers owner) { _owner = owner; }

            // Until the reaper exists, the work item reports the event in the kernel log (dmesg),
            // as memcg reports a limit it cannot keep.
            public override void Run()
            {
                Container c = Target;
                if (c == null) return;
                long usage, limit, hits;
                using (_owner._irq.Hold())
                {
                    _owner._table.RunOverLimit(c);
                    usage = c.PageUsage;
                    limit = c.PageLimit;
                    hits = c.PageLimitHits;
                }
                _owner._out.Log(string.Concat("containers: ", c.Name, " over its page_limit: usage ", string.Concat(usage.ToString(), " pages, limit ",
                    limit.ToString(), string.Concat(", ", hits.ToString(), " hits"))));
            }
        }
    }
}
