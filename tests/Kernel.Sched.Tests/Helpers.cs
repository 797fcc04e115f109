// Shared set-up for the scheduler tests: a scheduler whose PID 1 ("sh") is Current, as after
// the kernel's Processes.Initialize, and a check of every invariant (Scheduler.Verify).
using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    internal static class H
    {
        public static Scheduler Booted(out Task init)
        {
            Scheduler s = new Scheduler();
            Assert.Equal(Errno.None, s.TryCreate(null, "sh", TaskKind.User, out init));
            s.Start(init);
            Ok(s);
            return s;
        }

        public static Task Spawn(Scheduler s, Task parent, string name, bool kernelThread = false)
        {
            Assert.Equal(Errno.None, s.TryCreate(parent, name, kernelThread ? TaskKind.KernelThread : TaskKind.User, out Task t));
            Assert.NotNull(t);
            return t;
        }

        public static void Ok(Scheduler s)
        {
            string problem = s.Verify();
            Assert.True(problem == null, problem);
        }

        // Switches until t is Current (at most Count + 1 picks).
        public static void RunUntil(Scheduler s, Task t)
        {
            for (int i = 0; i <= s.Count + 1 && s.Current != t; i++) s.PickNext();
            Assert.Same(t, s.Current);
        }

        public static Task[] RunQueue(Scheduler s)
        {
            Task[] all = new Task[Scheduler.MaxTasks];
            int n = s.RunQueue(all);
            Task[] r = new Task[n];
            System.Array.Copy(all, r, n);
            return r;
        }
    }
}
