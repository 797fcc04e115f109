using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class SleepTests
    {
        // init plus n children, each of which then blocks on q (in creation order).
        static Task[] BlockAll(Scheduler s, Task init, WaitQueue q, int n, ulong deadline = 0)
        {
            Task[] t = new Task[n];
            for (int i = 0; i < n; i++) t[i] = H.Spawn(s, init, "w" + i);
            for (int i = 0; i < n; i++)
            {
                H.RunUntil(s, t[i]);
                s.Block(q, deadline);
                Assert.Equal(TaskState.Sleeping, t[i].State);
                Assert.Same(q, s.QueueOf(t[i]));
                s.PickNext();
            }
            H.Ok(s);
            return t;
        }

        [Fact]
        public void WakeOne_is_fifo()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task[] t = BlockAll(s, init, q, 4);
            Assert.Equal(4, q.Count);
            Assert.Same(t[0], q.First);
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(1, s.WakeOne(q));
                Assert.Equal(TaskState.Runnable, t[i].State);
                Assert.Null(s.QueueOf(t[i]));
                Assert.False(s.LastWakeTimedOut(t[i]));
                Assert.Equal(3 - i, q.Count);
                H.Ok(s);
            }
            Assert.True(q.IsEmpty);
            Assert.Equal(0, s.WakeOne(q));
        }

        [Fact]
        public void WakeAll_queues_sleepers_in_fifo_order()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task[] t = BlockAll(s, init, q, 5);
            H.RunUntil(s, init);
            Assert.Empty(H.RunQueue(s));
            Assert.Equal(5, s.WakeAll(q));
            Assert.Equal(t, H.RunQueue(s));
            Assert.Equal(0, s.WakeAll(q));
            H.Ok(s);
        }

        [Fact]
        public void Wake_of_a_specific_sleeper_keeps_the_others_in_order()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task[] t = BlockAll(s, init, q, 3, 500);
            Assert.Equal(3, s.TimedSleepers);
            s.Wake(t[1]);
            Assert.Equal(TaskState.Runnable, t[1].State);
            Assert.False(s.HasDeadline(t[1]));
            Assert.Equal(2, s.TimedSleepers);
            Assert.Equal(2, q.Count);
            s.Wake(t[1]);                          // not sleeping: nothing
            s.Wake(init);
            Assert.Equal(1, s.WakeOne(q));
            Assert.Equal(TaskState.Runnable, t[0].State);
            Assert.Same(t[2], q.First);
            H.Ok(s);
        }

        [Fact]
        public void Timeout_wakes_with_TimedOut_and_leaves_the_queue()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Block(q, 100);
            Assert.True(s.HasDeadline(a));
            Assert.Equal(100UL, s.DeadlineOf(a));
            s.PickNext();
            s.Tick(99);
            Assert.Equal(TaskState.Sleeping, a.State);
            s.Tick(100);
            Assert.Equal(TaskState.Runnable, a.State);
            Assert.True(s.LastWakeTimedOut(a));
            Assert.True(q.IsEmpty);
            Assert.Equal(0, s.TimedSleepers);
            // The next sleep, ended by a wake-up, says so.
            H.RunUntil(s, a);
            s.Block(q, 200);
            s.PickNext();
            Assert.False(s.LastWakeTimedOut(a));
            Assert.Equal(1, s.WakeOne(q));
            Assert.False(s.LastWakeTimedOut(a));
            Assert.Equal(0, s.TimedSleepers);
            s.Tick(300);                           // the old deadline is gone
            Assert.False(s.LastWakeTimedOut(a));
            H.Ok(s);
        }

        [Fact]
        public void Sleepers_wake_in_deadline_order_ties_in_sleep_order()
        {
            Scheduler s = H.Booted(out Task init);
            ulong[] deadlines = { 50, 20, 50, 10, 20, 70 };
            Task[] t = new Task[deadlines.Length];
            for (int i = 0; i < t.Length; i++) t[i] = H.Spawn(s, init, "s" + i);
            for (int i = 0; i < t.Length; i++)
            {
                H.RunUntil(s, t[i]);
                s.Sleep(deadlines[i]);
                s.PickNext();
            }
            H.RunUntil(s, init);
            Assert.Equal(6, s.TimedSleepers);
            s.Tick(60);
            Assert.Equal(new[] { t[3], t[1], t[4], t[0], t[2] }, H.RunQueue(s));
            Assert.Equal(TaskState.Sleeping, t[5].State);
            s.Tick(70);
            Assert.Equal(TaskState.Runnable, t[5].State);
            H.Ok(s);
        }

        [Fact]
        public void Sleep_with_a_past_deadline_ends_at_the_next_tick()
        {
            Scheduler s = H.Booted(out Task init);
            s.Tick(1000);
            s.Sleep(0);
            Assert.Equal(TaskState.Sleeping, init.State);
            Assert.Same(s.Idle, s.PickNext());
            Assert.True(s.Tick(1001));
            Assert.True(s.LastWakeTimedOut(init));
            Assert.Same(init, s.PickNext());
        }

        [Fact]
        public void Block_without_queue_or_deadline_waits_for_Wake()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Block(null, 0);
            s.PickNext();
            for (ulong now = 1; now < 1000; now += 7) s.Tick(now);
            Assert.Equal(TaskState.Sleeping, a.State);
            s.Wake(a);
            Assert.Equal(TaskState.Runnable, a.State);
            H.Ok(s);
        }

        [Fact]
        public void Woken_before_the_switch_the_current_task_just_runs_on()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            H.Spawn(s, init, "a");
            s.Block(q, 10);
            Assert.Equal(1, s.WakeOne(q));
            Assert.Same(init, s.Current);
            Assert.Equal(TaskState.Running, init.State);
            Assert.False(s.IsQueued(init));
            Assert.Equal(0, s.TimedSleepers);
            H.Ok(s);
            // And by its deadline, within the tick.
            s.Block(q, 10);
            s.Tick(10);
            Assert.Equal(TaskState.Running, init.State);
            Assert.True(s.LastWakeTimedOut(init));
            Assert.True(q.IsEmpty);
            H.Ok(s);
        }

        [Fact]
        public void Idle_never_sleeps_and_blocking_twice_does_nothing()
        {
            Scheduler s = new Scheduler();
            WaitQueue q = new WaitQueue(s);
            s.Block(q, 0);
            s.Sleep(5);
            Assert.Equal(TaskState.Running, s.Idle.State);
            Assert.True(q.IsEmpty);
            Assert.Equal(0, s.TimedSleepers);
            Scheduler s2 = H.Booted(out Task init);
            WaitQueue q2 = new WaitQueue(s2);
            s2.Block(q2, 0);
            s2.Block(q2, 5);
            Assert.Equal(1, q2.Count);
            Assert.Equal(0, s2.TimedSleepers);
            H.Ok(s2);
        }

        [Fact]
        public void Thousands_of_timed_sleepers()
        {
            Scheduler s = H.Booted(out Task init);
            System.Random rng = new System.Random(7);
            Task[] t = new Task[Scheduler.MaxTasks - 1];
            ulong[] d = new ulong[t.Length];
            for (int i = 0; i < t.Length; i++) t[i] = H.Spawn(s, init, "s");
            for (int i = 0; i < t.Length; i++)
            {
                Assert.Same(t[i], s.PickNext());
                d[i] = (ulong)rng.Next(1, 2000);
                s.Sleep(d[i]);
            }
            Assert.Same(init, s.PickNext());
            // Wake a third of them early, at random.
            for (int i = 0; i < t.Length; i += 3) s.Wake(t[i]);
            H.Ok(s);
            ulong last = 0;
            for (ulong now = 1; now <= 2000; now++)
            {
                s.Tick(now);
                last = now;
            }
            Assert.Equal(0, s.TimedSleepers);
            for (int i = 0; i < t.Length; i++)
            {
                Assert.Equal(TaskState.Runnable, t[i].State);
                Assert.Equal(i % 3 != 0, s.LastWakeTimedOut(t[i]));
            }
            // Timed-out ones reached the run queue in deadline order.
            Task[] rq = H.RunQueue(s);
            ulong prev = 0;
            foreach (Task x in rq)
            {
                if (!s.LastWakeTimedOut(x)) continue;
                int i = System.Array.IndexOf(t, x);
                Assert.True(d[i] >= prev);
                prev = d[i];
            }
            Assert.Equal(2000UL, last);
            H.Ok(s);
        }
    }
}
