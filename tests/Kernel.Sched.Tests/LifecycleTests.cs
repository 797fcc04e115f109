using System.Diagnostics;
using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class LifecycleTests
    {
        [Fact]
        public void Exit_makes_a_zombie_and_reaping_frees_the_pid()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            s.Exit(a, 3);
            Assert.Equal(TaskState.Zombie, a.State);
            Assert.Equal(3, a.ExitStatus);
            Assert.False(s.IsQueued(a));
            Assert.Same(a, s.Find(a.Pid));
            Assert.Equal(2, s.Count);
            H.Ok(s);
            Assert.Equal(Errno.None, s.TryReap(init, -1, out int pid, out int status));
            Assert.Equal(a.Pid, pid);
            Assert.Equal(3, status);
            Assert.Null(s.Find(pid));
            Assert.Equal(1, s.Count);
            Assert.Equal(0, init.ChildCount);
            Assert.Equal(TaskState.Zombie, a.State);   // the Task object keeps what it was
            H.Ok(s);
        }

        [Theory]
        [InlineData(0, 0)]
        [InlineData(255, 255)]
        [InlineData(256, 0)]
        [InlineData(-1, 255)]
        [InlineData(128 + Signals.SIGKILL, 137)]
        public void Exit_status_is_a_byte(int status, int expected)
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            s.Exit(a, status);
            Assert.Equal(Errno.None, s.TryReap(init, a.Pid, out _, out int got));
            Assert.Equal(expected, got);
        }

        [Fact]
        public void Wait_for_a_specific_child()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            Task b = H.Spawn(s, init, "b");
            Task grandchild = H.Spawn(s, a, "g");
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, a.Pid, out int pid, out _));
            Assert.Equal(0, pid);
            Assert.Equal(Errno.ECHILD, s.TryReap(init, grandchild.Pid, out _, out _));
            Assert.Equal(Errno.ECHILD, s.TryReap(init, 999, out _, out _));
            s.Exit(b, 7);
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, a.Pid, out _, out _));
            Assert.Equal(Errno.None, s.TryReap(init, b.Pid, out pid, out int status));
            Assert.Equal(b.Pid, pid);
            Assert.Equal(7, status);
            Assert.Equal(Errno.ECHILD, s.TryReap(init, b.Pid, out _, out _));
            H.Ok(s);
        }

        [Fact]
        public void Wait_for_any_child_reaps_the_oldest_zombie()
        {
            Scheduler s = H.Booted(out Task init);
            Assert.Equal(Errno.ECHILD, s.TryReap(init, -1, out _, out _));
            Task a = H.Spawn(s, init, "a"), b = H.Spawn(s, init, "b"), c = H.Spawn(s, init, "c");
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, -1, out _, out _));
            s.Exit(c, 3);
            s.Exit(b, 2);
            Assert.Equal(Errno.None, s.TryReap(init, -1, out int pid, out int st));
            Assert.Equal(b.Pid, pid);
            Assert.Equal(2, st);
            Assert.Equal(Errno.None, s.TryReap(init, -1, out pid, out st));
            Assert.Equal(c.Pid, pid);
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, -1, out _, out _));
            s.Exit(a, 1);
            Assert.Equal(Errno.None, s.TryReap(init, 0, out pid, out _));
            Assert.Equal(a.Pid, pid);
            Assert.Equal(Errno.ECHILD, s.TryReap(init, -1, out _, out _));
            H.Ok(s);
        }

        [Fact]
        public void Exit_wakes_the_parent_waiting_in_ChildExit()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, -1, out _, out _));
            s.Block(s.ChildExit(init), 0);
            Assert.Same(a, s.PickNext());
            Assert.Same(s.ChildExit(init), s.QueueOf(init));
            s.Exit(a, 0);
            Assert.Equal(TaskState.Runnable, init.State);
            Assert.True(s.Tick(1));
            Assert.Same(init, s.PickNext());
            Assert.Equal(Errno.None, s.TryReap(init, -1, out int pid, out _));
            Assert.Equal(a.Pid, pid);
            H.Ok(s);
        }

        [Fact]
        public void Orphans_go_to_pid_1_which_can_reap_them()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            Task c1 = H.Spawn(s, a, "c1"), c2 = H.Spawn(s, a, "c2"), c3 = H.Spawn(s, a, "c3");
            Task gc = H.Spawn(s, c1, "gc");
            s.Exit(c2, 5);                       // a zombie before its parent dies
            Assert.Equal(3, a.ChildCount);
            Assert.Equal(1, init.ChildCount);
            s.Block(s.ChildExit(init), 0);      // init waits (for a, say)
            s.PickNext();
            s.Exit(a, 1);
            Assert.Equal(TaskState.Runnable, init.State);   // woken: a zombie orphan came, and a died
            Assert.Same(init, c1.Parent);
            Assert.Same(init, c2.Parent);
            Assert.Same(init, c3.Parent);
            Assert.Same(c1, gc.Parent);
            Assert.Equal(0, a.ChildCount);
            Assert.Equal(4, init.ChildCount);
            H.Ok(s);
            Assert.Equal(Errno.None, s.TryReap(init, -1, out int pid, out int st));
            Assert.Equal(a.Pid, pid);            // a is older in the list than its adopted children
            Assert.Equal(1, st);
            Assert.Equal(Errno.None, s.TryReap(init, -1, out pid, out st));
            Assert.Equal(c2.Pid, pid);
            Assert.Equal(5, st);
            s.Exit(c1, 0);
            Assert.Same(init, gc.Parent);
            Assert.Equal(Errno.None, s.TryReap(init, c1.Pid, out _, out _));
            Assert.Equal(Errno.EAGAIN, s.TryReap(init, -1, out _, out _));
            Assert.Equal(2, init.ChildCount);
            H.Ok(s);
        }

        [Fact]
        public void Pid_1_idle_and_zombies_do_not_exit_again()
        {
            Scheduler s = H.Booted(out Task init);
            s.Exit(init, 0);
            Assert.Equal(TaskState.Running, init.State);
            s.Exit(s.Idle, 0);
            Assert.NotEqual(TaskState.Zombie, s.Idle.State);
            Task a = H.Spawn(s, init, "a");
            s.Exit(a, 4);
            s.Exit(a, 9);
            Assert.Equal(4, a.ExitStatus);
            s.Exit(null, 0);
            Scheduler other = H.Booted(out Task _);
            Task foreign = H.Spawn(other, null, "x");
            s.Exit(foreign, 0);                 // not this scheduler's
            Assert.Equal(TaskState.Runnable, foreign.State);
            H.Ok(s);
            H.Ok(other);
        }

        [Fact]
        public void Exit_takes_a_sleeper_off_its_queue_and_the_timer()
        {
            Scheduler s = H.Booted(out Task init);
            WaitQueue q = new WaitQueue(s);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Block(q, 50);
            s.PickNext();
            s.Exit(a, 0);
            Assert.True(q.IsEmpty);
            Assert.Equal(0, s.TimedSleepers);
            s.Tick(60);
            Assert.Equal(TaskState.Zombie, a.State);
            H.Ok(s);
        }

        [Fact]
        public void Kernel_threads_have_no_parent_and_are_reaped_by_pid_0()
        {
            Scheduler s = H.Booted(out Task init);
            Task k = H.Spawn(s, init, "kworker/0", kernelThread: true);   // the parent is ignored
            Assert.True(k.IsKernelThread);
            Assert.Null(k.Parent);
            Assert.Equal(0, init.ChildCount);
            Assert.Equal(2, s.Idle.ChildCount);  // PID 1 and the kernel thread
            Assert.Equal(Errno.ECHILD, s.TryReap(init, k.Pid, out _, out _));
            Assert.Equal(Errno.EAGAIN, s.TryReap(null, k.Pid, out _, out _));
            s.Exit(k, 0);
            Assert.Equal(Errno.None, s.TryReap(null, -1, out int pid, out _));
            Assert.Equal(k.Pid, pid);
            Assert.Equal(Errno.EAGAIN, s.TryReap(null, -1, out _, out _));   // PID 1 never exits
            H.Ok(s);
        }

        [Fact]
        public void Null_parent_means_pid_1_for_user_tasks_and_zombie_parents_are_refused()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, null, "a");
            Assert.Same(init, a.Parent);
            Task b = H.Spawn(s, s.Idle, "b");
            Assert.Same(init, b.Parent);
            s.Exit(a, 0);
            Assert.Equal(Errno.EINVAL, s.TryCreate(a, "c", TaskKind.User, out Task c));
            Assert.Null(c);
            Assert.Equal(Errno.None, s.TryCreate(a, "k", TaskKind.KernelThread, out Task k));   // kernel thread: parent ignored
            Assert.Null(k.Parent);
            H.Ok(s);
        }

        [Fact]
        public void Exiting_current_stays_current_until_the_switch()
        {
            Scheduler s = H.Booted(out Task init);
            Task a = H.Spawn(s, init, "a");
            H.RunUntil(s, a);
            s.Exit(a, 0);
            Assert.Same(a, s.Current);
            H.Ok(s);
            Assert.Same(init, s.PickNext());
            Assert.Same(init, s.PickNext());
            Assert.False(s.IsQueued(a));
            H.Ok(s);
        }

        [Fact]
        public void Pids_are_not_reused_before_reaping_and_wrap_to_the_lowest_free()
        {
            Scheduler s = H.Booted(out Task init);
            Task zombie = H.Spawn(s, init, "z");     // pid 2, stays a zombie
            Task live = H.Spawn(s, init, "l");       // pid 3
            s.Exit(zombie, 0);
            Assert.Equal(2, zombie.Pid);
            int last = 3;
            while (last < Scheduler.PidMax - 1)
            {
                Task t = H.Spawn(s, init, "t");
                Assert.Equal(last + 1, t.Pid);
                last = t.Pid;
                s.Exit(t, 0);
                Assert.Equal(Errno.None, s.TryReap(init, t.Pid, out _, out _));
            }
            Task w = H.Spawn(s, init, "w");
            Assert.Equal(4, w.Pid);                  // 2 (zombie) and 3 (live) are skipped
            Task x = H.Spawn(s, init, "x");
            Assert.Equal(5, x.Pid);
            Assert.Equal(Errno.None, s.TryReap(init, 2, out _, out _));
            Task y = H.Spawn(s, init, "y");
            Assert.Equal(6, y.Pid);                  // increasing again, 2 comes at the next wrap
            Assert.Same(live, s.Find(3));
            H.Ok(s);
        }

        [Fact]
        public void MaxTasks_then_EAGAIN_then_room_after_a_reap()
        {
            Scheduler s = H.Booted(out Task init);
            Task[] t = new Task[Scheduler.MaxTasks - 1];
            for (int i = 0; i < t.Length; i++) t[i] = H.Spawn(s, init, "t");
            Assert.Equal(Scheduler.MaxTasks, s.Count);
            Assert.Equal(Errno.EAGAIN, s.TryCreate(init, "one too many", TaskKind.User, out Task none));
            Assert.Null(none);
            Assert.Equal(Errno.EAGAIN, s.TryCreate(null, "kthread", TaskKind.KernelThread, out _));
            s.Exit(t[100], 0);                       // a zombie still counts
            Assert.Equal(Errno.EAGAIN, s.TryCreate(init, "still", TaskKind.User, out _));
            Assert.Equal(Errno.None, s.TryReap(init, t[100].Pid, out _, out _));
            Assert.Equal(Errno.None, s.TryCreate(init, "fits", TaskKind.User, out Task fits));
            Assert.Equal(Scheduler.MaxTasks + 1, fits.Pid);
            H.Ok(s);
        }

        [Fact]
        public void Snapshot_is_in_pid_order()
        {
            Scheduler s = H.Booted(out Task init);
            Task[] t = new Task[20];
            for (int i = 0; i < t.Length; i++) t[i] = H.Spawn(s, init, "t" + i);
            // Free some slots, then create again: slots are reused out of pid order.
            for (int i = 0; i < t.Length; i += 2) { s.Exit(t[i], 0); s.TryReap(init, t[i].Pid, out _, out _); }
            for (int i = 0; i < 5; i++) H.Spawn(s, init, "n" + i);
            Task[] all = new Task[Scheduler.MaxTasks];
            int n = s.Snapshot(all);
            Assert.Equal(s.Count, n);
            for (int i = 1; i < n; i++) Assert.True(all[i - 1].Pid < all[i].Pid);
            Task[] small = new Task[3];
            Assert.Equal(3, s.Snapshot(small));
            Assert.Equal(1, small[0].Pid);
            Assert.Equal(0, s.Snapshot(null));
        }

        [Fact]
        public void Creating_and_reaping_100k_tasks_is_fast()
        {
            Scheduler s = H.Booted(out Task init);
            Task[] resident = new Task[Scheduler.MaxTasks - 2];
            for (int i = 0; i < resident.Length; i++) resident[i] = H.Spawn(s, init, "r");
            Stopwatch sw = Stopwatch.StartNew();
            for (int i = 0; i < 100_000; i++)
            {
                s.TryCreate(init, "t", TaskKind.User, out Task t);
                s.PickNext();
                s.Exit(t, i);
                s.TryReap(init, t.Pid, out _, out _);
            }
            sw.Stop();
            Assert.Equal(Scheduler.MaxTasks - 1, s.Count);
            Assert.True(sw.ElapsedMilliseconds < 1000, "100k create/exit/reap with 4094 resident: " + sw.ElapsedMilliseconds + " ms");
            H.Ok(s);
        }
    }
}
