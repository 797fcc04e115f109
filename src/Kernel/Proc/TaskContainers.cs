// The kernel's side of memory containers (Kernel.Containers holds the logic): the ContainerTable,
// installed as the page charger, and the ContainerHost through which it sees tasks — a task's
// container pointer lives on the Task and on its mm (AddressSpace.Container). Over-limit work
// runs on the [kcontainerd] workqueue, one preallocated work item per container id, so queueing
// from the page-fault path allocates nothing.
// ContainerTable is called with interrupts off (IrqLock), like Kernel.Mm.
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Containers;
using Kernel.Memory;
using Kernel.Sched;

namespace Kernel.Proc
{
    internal sealed class KernelContainerHost : ContainerHost
    {
        private readonly OverLimitWork[] _work = new OverLimitWork[VirtualMemory.MaxContainers + 1];

        private static Task Live(int pid)
        {
            Task t = pid > 0 ? Processes.Scheduler.Find(pid) : null;
            return t == null || t.State == TaskState.Zombie ? null : t;
        }

        public override bool TaskExists(int pid) => Live(pid) != null;

        public override bool IsKernelThread(int pid)
        {
            Task t = Live(pid);
            return t != null && t.IsKernelThread;
        }

        public override Container ContainerOf(int pid)
        {
            Task t = Live(pid);
            return t == null ? null : t.Container;
        }

        public override void SetContainer(int pid, Container c)
        {
            Task t = Live(pid);
            if (t != null) TaskContainers.Point(t, c);
        }

        public override void QueueOverLimit(Container c)
        {
            OverLimitWork w = _work[c.Id];
            if (w == null) return;
            w.Target = c;
            TaskContainers.Reaper.Queue(w);
        }

        // Opens a window for the timer to preempt a long operation.
        public override void MayReschedule()
        {
            IrqLock.Exit();
            IrqLock.Enter();
        }

        public void Preallocate()
        {
            for (int i = 0; i < _work.Length; i++) _work[i] = new OverLimitWork();
        }
    }

    internal sealed class OverLimitWork : WorkItem
    {
        public Container Target;

        // Until the reaper exists, the work item reports the event in the kernel log (dmesg), as
        // memcg reports a limit it cannot keep.
        public override void Run()
        {
            Container c = Target;
            if (c == null) return;
            IrqLock.Enter();
            TaskContainers.Table.RunOverLimit(c);
            long usage = c.PageUsage, limit = c.PageLimit, hits = c.PageLimitHits;
            IrqLock.Exit();
            Log.Line(string.Concat("containers: ", c.Name, " over its page_limit: usage ", string.Concat(usage.ToString(), " pages, limit ",
                limit.ToString(), string.Concat(", ", hits.ToString(), " hits"))));
        }
    }

    internal static class TaskContainers
    {
        private static ContainerTable s_table;
        private static Workqueue s_reaper;

        public static ContainerTable Table => s_table;
        public static Workqueue Reaper => s_reaper;

        // After Processes: the table (default page_limit: every page the allocator manages), the
        // charger, and the reaper's workqueue.
        public static void Initialize()
        {
            KernelContainerHost host = new KernelContainerHost();
            host.Preallocate();
            s_reaper = Workqueue.Create("kcontainerd");
            if (s_reaper == null) Panic.Fail("containers: cannot start kcontainerd");
            Processes.Yield();   // let it reach its first sleep
            IrqLock.Enter();
            s_table = new ContainerTable(VirtualMemory.Context, host, PhysicalMemory.Buddy.ManagedFrames);
            VirtualMemory.Context.Events = s_table.Charger;
            IrqLock.Exit();
        }

        // fork: the child joins its parent's container, unless that is at its task_limit (EAGAIN).
        // Interrupts off; the child's task exists and has its mm.
        public static Errno CanFork(Task parent) => parent == null ? Errno.None : s_table.CanFork(parent.Container);

        public static void Attach(Task parent, Task child)
        {
            Container c = parent == null ? null : parent.Container;
            if (c == null) return;
            Point(child, c);
            s_table.Attach(c, child.Pid);
        }

        // exit: interrupts off.
        public static void Detach(Task task)
        {
            Container c = task.Container;
            if (c == null) return;
            Point(task, null);
            s_table.Detach(c, task.Pid);
        }

        // A task's container pointer and its mm's always agree (new pages are charged by the mm's).
        public static void Point(Task t, Container c)
        {
            t.Container = c;
            if (t.Mm != null) t.Mm.Container = c;
        }
    }
}
