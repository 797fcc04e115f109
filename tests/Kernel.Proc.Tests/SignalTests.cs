// Fatal signals and where they may land: never inside an unkillable section (delivered at its
// end), never to PID 1 or a kernel thread, and a task handed a mutex keeps it however it is killed.
using Kernel.Abi;
using Kernel.Sched;
using Xunit;

namespace Kernel.Proc.Tests
{
    public class SignalTests
    {
        [Fact]
        public void A_killed_task_dies_at_the_next_safe_point_and_not_inside_an_unkillable_section()
        {
            using var w = new ProcWorld();
            var p = w.Spawn();
            w.RunAs(p);
            var section = w.Processes.Unkillable();
            Assert.Equal(Errno.None, w.Processes.Kill(p.Pid, Signals.SIGKILL));
            Assert.False(w.Processes.MustDie(p));      // inside: not yet
            int yields = w.Cpu.Yields;
            section.Dispose();
            Assert.Equal(yields + 1, w.Cpu.Yields);    // its end is a safe point: the kernel switches
            Assert.True(w.Processes.MustDie(p));
            Assert.Equal(1, w.DeliverSignals());
            Assert.Equal(128 + Signals.SIGKILL, p.ExitStatus);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Pid_1_and_kernel_threads_refuse_fatal_signals()
        {
            using var w = new ProcWorld();
            Assert.Equal(Errno.EPERM, w.Processes.Kill(w.Init.Pid, Signals.SIGKILL));
            Assert.Equal(Errno.EPERM, w.Processes.Kill(w.Kcontainerd.Thread.Pid, Signals.SIGKILL));
            Assert.False(w.Processes.MustDie(w.Init));
            Assert.False(w.Processes.MustDie(w.Kcontainerd.Thread));
        }

        [Fact]
        public void A_waiter_handed_the_mutex_and_then_killed_still_owns_it_and_passes_it_on()
        {
            using var w = new ProcWorld();
            var m = new Mutex(w.Scheduler, w.Irq, w.Cpu, w.Out);
            var got = new System.Collections.Generic.List<string>();
            ProgramMain locker = argv => { m.Lock(); got.Add(argv[0]); m.Unlock(); return 0; };
            w.RunAs(w.Init);
            m.Lock();                              // PID 1 (this thread) holds the mutex
            Assert.Equal(Errno.None, w.Processes.Spawn(w.Init, "b", TaskKind.User, locker, new[] { "b" }, MmSource.New, out Process b));
            Assert.Equal(Errno.None, w.Processes.Spawn(w.Init, "c", TaskKind.User, locker, new[] { "c" }, MmSource.New, out Process c));
            w.Cpu.Threaded = w.Scheduler;
            w.Processes.Yield();                   // b, then c, run and block on it; back here
            Assert.Equal(TaskState.Sleeping, b.State);
            Assert.Equal(TaskState.Sleeping, c.State);
            m.Unlock();                            // handed to b, the longest waiter
            Assert.Same(b, m.Owner);
            Assert.Equal(Errno.None, w.Processes.Kill(b.Pid, Signals.SIGKILL));
            Assert.False(w.Processes.MustDie(b));  // it holds the mutex: the kill waits
            for (int i = 0; i < 100 && got.Count < 2; i++) w.Processes.Yield();
            Assert.Equal(new[] { "b", "c" }, got.ToArray());   // b passed it on; c was not stranded
            Assert.Null(m.Owner);
            Assert.Equal(TaskState.Zombie, c.State);
            w.Cpu.Threaded = null;
            w.AssertMemcheckOk();
        }
    }
}
