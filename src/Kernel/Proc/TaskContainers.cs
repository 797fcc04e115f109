// The kernel's side of memory containers (Kernel.Containers holds the logic): the ContainerHost
// through which the table sees tasks, the fork and exit hooks, and the over-limit work items.
// A task's container pointer lives on the Process and on its mm (AddressSpace.Container); Point
// is the one place that sets them, so they always agree. Over-limit work (the reaper) runs on the
// [kcontainerd] workqueue, one preallocated work item per container id, so that queueing it
// from the page-fault path allocates nothing. A charge far over its limit sleeps here (up to
// ThrottleMs) on its container's wait queue; the OOM killer picks its victim here.
// Interrupt lock held for every call (the table is under the big lock, like Kernel.Mm).
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal sealed class TaskContainers : ContainerHost
    {
        public const ulong ThrottleMs = 100;

        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly Cpu _cpu;
        private readonly Clock _clock;
        private readonly KernelOutput _out;
        private readonly Workqueue _kcontainerd;
        private readonly OverLimitWork[] _work;
        private readonly WaitQueue[] _throttled;   // per container id
        private ContainerTable _table;

        public TaskContainers(Scheduler scheduler, IrqLock irq, Cpu cpu, Clock clock, KernelOutput output, Workqueue kcontainerd)
        {
            _scheduler = scheduler;
            _irq = irq;
            _cpu = cpu;
            _clock = clock;
            _out = output;
            _kcontainerd = kcontainerd;
            _work = new OverLimitWork[ContainerTable.MaxContainers + 1];
            _throttled = new WaitQueue[ContainerTable.MaxContainers + 1];
            for (int i = 0; i < _work.Length; i++)
            {
                _work[i] = new OverLimitWork(this);
                _throttled[i] = new WaitQueue(scheduler);
            }
        }

        // The table is made with this host; it comes right after. The charger's throttle is ours.
        public void AttachTable(ContainerTable table)
        {
            _table = table;
            table.Charger.SetThrottle(new ThrottleQueue(this));
        }

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

        public override void Sleep(ulong ms)
        {
            using (_irq.Hold())
            {
                _scheduler.Sleep(_clock.NowMs + ms);
                _cpu.Yield();
            }
        }

        public override void WakeThrottled(Container c) => _scheduler.WakeAll(_throttled[c.Id]);

        public override bool HasThrottled(Container c) => !_throttled[c.Id].IsEmpty;

        // The biggest task of c by resident plus swapped pages, killed with SIGKILL; it says so in
        // dmesg and on the console as Linux's OOM killer does. While a task of c is already dying
        // (a kill waits for the end of an unkillable section) nobody else is killed.
        public override bool OomKill(Container c)
        {
            Process victim = null;
            ulong worst = 0;
            for (int i = 0; i < c.NumTasks; i++)
            {
                Process t = Live(c.TaskAt(i));
                if (t != null && _scheduler.HasFatalSignal(t)) return false;
            }
            for (int i = 0; i < c.NumTasks; i++)
            {
                Process t = Live(c.TaskAt(i));
                if (t == null || t.IsKernelThread || t.Pid == 1 || t.Mm == null) continue;
                ulong pages = (ulong)t.Mm.ResidentPages + t.Mm.SwapEntries;
                if (victim == null || pages > worst) { victim = t; worst = pages; }
            }
            if (victim == null)
            {
                _out.Log(string.Concat("containers: ", c.Name, " out of memory: no task to kill"));
                return false;
            }
            string line = string.Concat("containers: ", c.Name, " out of memory: killed process ", string.Concat(victim.Pid.ToString(), " (", victim.Name,
                string.Concat("), rss ", victim.Mm.ResidentPages.ToString(), " pages, swap ", string.Concat(victim.Mm.SwapEntries.ToString(), " pages"))));
            _out.Log(line);
            _out.Console(line);
            _scheduler.Kill(victim.Pid, Sched.Signals.SIGKILL);
            return true;
        }

        // A task of a container far over its limit sleeps, when it charges it, until the reaper
        // makes room, the limit goes up, it leaves the container, or ThrottleMs pass.
        private sealed class ThrottleQueue : ChargeThrottle
        {
            private readonly TaskContainers _owner;
            public ThrottleQueue(TaskContainers owner) { _owner = owner; }

            public override void Throttle(MemoryContainer m)
            {
                Container c = m as Container;
                Process self = _owner._scheduler.Current as Process;
                // Only the container's own tasks wait (swapoff, rmdir or another container's task
                // bringing pages back for it does not).
                if (c == null || c.IsRoot || self == null || self.IsKernelThread || self.Container != c) return;
                ulong start = _owner._clock.NowMs;
                c.ThrottleCount++;
                using (_owner._irq.Hold())
                {
                    _owner._scheduler.Block(_owner._throttled[c.Id], start + ThrottleMs);
                    _owner._cpu.Yield();
                }
                c.ThrottleMs += (long)(_owner._clock.NowMs - start);
            }
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

            // The reaper: reclaims the container's own pages (ContainerTable.RunOverLimit).
            public override void Run()
            {
                Container c = Target;
                if (c == null) return;
                using (_owner._irq.Hold()) _owner._table.RunOverLimit(c);
            }
        }
    }
}
