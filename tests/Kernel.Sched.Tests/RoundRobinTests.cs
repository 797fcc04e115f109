using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class RoundRobinTests
    {
        [Fact]
        public void New_scheduler_runs_idle()
        {
            Scheduler s = new Scheduler();
            Assert.Same(s.Idle, s.Current);
            Assert.Equal(0, s.Idle.Pid);
            Assert.True(s.Idle.IsKernelThread);
            Assert.Null(s.Idle.Parent);
            Assert.Equal(0, s.Count);
            Assert.Null(s.Find(0));
            Assert.Same(s.Idle, s.PickNext());
            Assert.Same(s.Idle, s.PickNext());
            Assert.Equal(TaskState.Running, s.Idle.State);
            Assert.False(s.Tick(1));
            H.Ok(s);
        }

        [Fact]
        public void Pids_start_at_1_and_increase()
        {
            Scheduler s = H.Booted(out Task init);
            Assert.Equal(1, init.Pid);
            Assert.Null(init.Parent);
            Assert.Equal(TaskState.Running, init.State);
            Assert.False(s.IsQueued(init));
            for (int i = 2; i < 10; i++)
            {
                Task t = H.Spawn(s, init, "t" + i);
                Assert.Equal(i, t.Pid);
                Assert.Same(t, s.Find(i));
                Assert.Same(init, t.Parent);
                Assert.Equal(TaskState.Runnable, t.State);
                Assert.True(s.IsQueued(t));
            }
            Assert.Equal(9, s.Count);
            Assert.Equal(8, init.ChildCount);
            H.Ok(s);
        }

        [Fact]
        public void Round_robin_order_and_current_to_the_tail()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a"), b = H.Spawn(s, init, "b"), c = H.Spawn(s, init, "c");
            Assert.Equal(new[] { a, b, c }, H.RunQueue(s));
            Task[] expected = { a, b, c, init, a, b, c, init };
            foreach (Task e in expected)
            {
                Task next = s.PickNext();
                Assert.Same(e, next);
                Assert.Same(next, s.Current);
                Assert.Equal(TaskState.Running, next.State);
                Assert.False(s.IsQueued(next));
                H.Ok(s);
            }
        }

        [Fact]
        public void Every_runnable_task_is_picked_within_N_picks()
        {
            Scheduler s = H.Booted(out Task init);
            Task[] tasks = new Task[50];
            for (int i = 0; i < tasks.Length; i++) tasks[i] = H.Spawn(s, init, "t" + i);
            int n = s.Count;
            for (int round = 0; round < 5; round++)
            {
                int[] picked = new int[32768];
                for (int i = 0; i < n; i++) picked[s.PickNext().Pid]++;
                Assert.Equal(1, picked[init.Pid]);
                foreach (Task t in tasks) Assert.Equal(1, picked[t.Pid]);
            }
            // Sleepers are skipped, and the others still share fairly.
            H.RunUntil(s, tasks[7]);
            s.Block(null, 0);
            for (int i = 0; i < 3 * n; i++) Assert.NotSame(tasks[7], s.PickNext());
            H.Ok(s);
        }

        [Fact]
        public void Idle_when_nothing_is_runnable_and_back()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            s.Block(q, 0);
            Assert.Equal(TaskState.Sleeping, init.State);
            Assert.Same(s.Idle, s.PickNext());
            Assert.Equal(TaskState.Running, s.Idle.State);
            Assert.Same(s.Idle, s.PickNext());
            Assert.False(s.Tick(1));
            Assert.Equal(1, s.WakeOne(q));
            Assert.Equal(TaskState.Runnable, init.State);
            Assert.True(s.Tick(2));                 // idle yields at once to a runnable task
            Assert.Same(init, s.PickNext());
            Assert.Equal(TaskState.Runnable, s.Idle.State);
            Assert.False(s.IsQueued(s.Idle));
            H.Ok(s);
        }

        [Fact]
        public void Slice_expires_after_TimeSliceTicks_when_another_task_waits()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            ulong now = 0;
            for (int i = 1; i < Scheduler.TimeSliceTicks; i++) Assert.False(s.Tick(++now));
            Assert.True(s.Tick(++now));
            Assert.Equal((ulong)Scheduler.TimeSliceTicks, init.CpuTicks);
            Assert.Same(a, s.PickNext());
            Assert.Equal(0, s.SliceUsed);
            for (int i = 1; i < Scheduler.TimeSliceTicks; i++) Assert.False(s.Tick(++now));
            Assert.True(s.Tick(++now));
            Assert.Equal((ulong)Scheduler.TimeSliceTicks, a.CpuTicks);
            Assert.Same(init, s.PickNext());
        }

        [Fact]
        public void Alone_a_task_keeps_the_cpu_but_is_preempted_as_soon_as_another_appears()
        {
            Scheduler s = H.Booted(out Task init);
            for (int i = 1; i <= 3 * Scheduler.TimeSliceTicks; i++) Assert.False(s.Tick((ulong)i));
            Assert.Equal(Scheduler.TimeSliceTicks, s.SliceUsed);
            Assert.Equal(30UL, init.CpuTicks);
            H.Spawn(s, init, "a");
            Assert.True(s.Tick(31));
        }

        [Fact]
        public void A_blocked_or_exited_current_asks_for_a_switch()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Block(null, 0);
            Assert.True(s.Tick(1));
            Assert.Same(init, s.PickNext());
            Assert.False(s.IsQueued(a));
            Assert.Equal(TaskState.Sleeping, a.State);
            Task b = H.Spawn(s, init, "b");
            H.RunUntil(s, b);
            s.Exit(b, 0);
            Assert.True(s.Tick(2));
            Assert.Same(b, s.Current);
            Assert.Same(init, s.PickNext());
            Assert.False(s.IsQueued(b));
            H.Ok(s);
        }

        [Fact]
        public void Start_takes_the_task_off_the_run_queue()
        {
            Scheduler s = new Scheduler();
            Assert.Equal(Errno.None, s.TryCreate(null, "sh", TaskKind.User, out Task init));
            Assert.True(s.IsQueued(init));
            s.Start(init);
            Assert.False(s.IsQueued(init));
            Assert.Same(init, s.Current);
            Assert.Equal(TaskState.Runnable, s.Idle.State);
            Assert.Same(init, s.PickNext());   // alone: picked again
            H.Ok(s);
        }
    }
}
