using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class KillTests
    {
        [Fact]
        public void Errors()
        {
            Scheduler s = H.Booted(out Task init);
            Task k = H.Spawn(s, null, "kworker/0", kernelThread: true);
            Task a = H.Spawn(s, init, "a");
            Assert.Equal(Errno.ESRCH, s.Kill(999, Signals.SIGKILL));
            Assert.Equal(Errno.ESRCH, s.Kill(-1, Signals.SIGKILL));
            Assert.Equal(Errno.ESRCH, s.Kill(40000, Signals.SIGKILL));
            Assert.Equal(Errno.EPERM, s.Kill(1, Signals.SIGKILL));
            Assert.Equal(Errno.EPERM, s.Kill(0, Signals.SIGTERM));
            Assert.Equal(Errno.EPERM, s.Kill(k.Pid, Signals.SIGINT));
            Assert.Equal(Errno.EINVAL, s.Kill(a.Pid, 5));
            Assert.Equal(Errno.EINVAL, s.Kill(a.Pid, -9));
            Assert.Equal(Errno.EINVAL, s.Kill(999, 64));
            Assert.Equal(0UL, init.PendingSignals | k.PendingSignals | a.PendingSignals);
            Assert.False(s.HasFatalSignal(init));
            H.Ok(s);
        }

        [Fact]
        public void Signal_0_only_checks()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            Assert.Equal(Errno.None, s.Kill(a.Pid, 0));
            Assert.Equal(Errno.ESRCH, s.Kill(77, 0));
            Assert.Equal(Errno.EPERM, s.Kill(1, 0));
            Assert.Equal(0UL, a.PendingSignals);
        }

        [Fact]
        public void Zombies_succeed_without_effect()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            s.Exit(a, 0);
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGKILL));
            Assert.Equal(0UL, a.PendingSignals);
            s.TryReap(init, a.Pid, out _, out _);
            Assert.Equal(Errno.ESRCH, s.Kill(a.Pid, Signals.SIGKILL));
        }

        [Fact]
        public void Pending_signals_are_taken_lowest_first()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGTERM));
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGKILL));
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGKILL));
            Assert.Equal((1UL << 9) | (1UL << 15), a.PendingSignals);
            Assert.Equal(TaskState.Runnable, a.State);   // running tasks just get the bit
            Assert.True(s.HasFatalSignal(a));
            Assert.Equal(Signals.SIGKILL, s.TakeFatalSignal(a));
            Assert.Equal(Signals.SIGTERM, s.TakeFatalSignal(a));
            Assert.Equal(0, s.TakeFatalSignal(a));
            Assert.False(s.HasFatalSignal(a));
            s.Kill(a.Pid, Signals.SIGINT);
            Assert.Equal(Signals.SIGINT, s.TakeFatalSignal(a));
            H.Ok(s);
        }

        [Fact]
        public void A_signal_interrupts_a_sleep()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task a = H.Spawn(s, init, "a"), b = H.Spawn(s, init, "b");
            H.RunUntil(s, a);
            s.Block(q, 100);
            H.RunUntil(s, b);
            s.Sleep(100);
            H.RunUntil(s, init);
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGINT));
            Assert.Equal(Errno.None, s.Kill(b.Pid, Signals.SIGTERM));
            foreach (Task t in new[] { a, b })
            {
                Assert.Equal(TaskState.Runnable, t.State);
                Assert.False(s.LastWakeTimedOut(t));
                Assert.Null(s.QueueOf(t));
                Assert.False(s.HasDeadline(t));
                Assert.True(s.HasFatalSignal(t));
            }
            Assert.True(q.IsEmpty);
            Assert.Equal(0, s.TimedSleepers);
            Assert.Equal(new[] { a, b }, H.RunQueue(s));
            s.Tick(200);
            Assert.False(s.LastWakeTimedOut(a));
            H.Ok(s);
        }

        [Fact]
        public void Killing_the_current_task_that_just_blocked_lets_it_run_on()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Block(s.ChildExit(a), 0);
            Assert.Equal(Errno.None, s.Kill(a.Pid, Signals.SIGKILL));
            Assert.Same(a, s.Current);
            Assert.Equal(TaskState.Running, a.State);
            Assert.True(s.ChildExit(a).IsEmpty);
            Assert.Equal(Signals.SIGKILL, s.TakeFatalSignal(a));
            s.Exit(a, 128 + Signals.SIGKILL);
            Assert.Equal(137, a.ExitStatus);
            Assert.Equal(0UL, a.PendingSignals);
            H.Ok(s);
        }
    }
}
