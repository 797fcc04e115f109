// What Kernel.Containers needs from the kernel, which implements it (host tests fake it): task
// lookup, "is a kernel thread", a task's container pointer (on the task and its mm), a workqueue
// for over-limit work, and a way to let other tasks run during a long operation.
namespace Kernel.Containers
{
    public abstract class ContainerHost
    {
        // A live (not exited) task with this PID exists.
        public abstract bool TaskExists(int pid);
        public abstract bool IsKernelThread(int pid);
        // The task's container; null: in none.
        public abstract Container ContainerOf(int pid);
        // The task's address space (if any) points at the task's container.
        public abstract bool MmAgrees(int pid);
        // Sets the container pointer of the task and of its address space (null: none).
        public abstract void SetContainer(int pid, Container c);
        // Runs ContainerTable.RunOverLimit(c) later, on a workqueue. Called with interrupts off,
        // from the page-fault path too: must not allocate.
        public abstract void QueueOverLimit(Container c);
        // Between batches of a long operation (rmdir's charge move): other tasks may run here.
        public abstract void MayReschedule();
        // Sleeps ms (rmdir waiting for the reaper to leave a container).
        public abstract void Sleep(ulong ms);
        // Tasks throttled on c's charges: wake them (the reaper made room, the limit went up, the
        // container is going), and whether there are any.
        public abstract void WakeThrottled(Container c);
        public abstract bool HasThrottled(Container c);
        // c cannot get under its limit and a task of it waits: kill its biggest task (resident +
        // swapped pages; never PID 1 nor a kernel thread). False when it has no such task.
        public abstract bool OomKill(Container c);
    }
}
