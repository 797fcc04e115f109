// The process glue under random histories with kills landing between every two steps: spawn
// (fork and new), page faults, files held open and removed, containers made and removed, tasks
// added and removed, kills, unkillable sections, the safe point where kills take effect, exits
// and reaps. After every step: memcheck is clean, the scheduler's invariants hold, every task's
// address space charges the task's container, and exactly the unreaped tasks hold stacks. At the
// end every task is killed and reaped and every frame, stack and charge is back.
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Proc.Tests
{
    public class KillModelTests
    {
        public enum Kind { Spawn, Fork, Touch, HoldFile, Mkdir, Rmdir, AddTask, RmTask, Kill, Unkillable, SafePoint, Exit, Reap }

        public readonly record struct Op(Kind Kind, int A, int B)
        {
            public override string ToString() => Kind + "(" + A + "," + B + ")";
        }

        private static readonly Gen<Op> GenOp =
            Gen.Select(Gen.Int[0, 12], Gen.Int[0, 7], Gen.Int[0, 7], (k, a, b) => new Op((Kind)k, a, b));

        [Fact]
        public void Random_histories_with_kills_everywhere_leave_nothing_behind()
        {
            GenOp.Array[1, 60].Sample(ops => Run(ops), iter: 150);
        }

        [Fact]
        public void A_scripted_history_kills_a_forking_parent_a_file_holder_and_a_container_member()
        {
            Run(new[]
            {
                new Op(Kind.Mkdir, 0, 0), new Op(Kind.Spawn, 0, 0), new Op(Kind.AddTask, 0, 0), new Op(Kind.Touch, 0, 5),
                new Op(Kind.Fork, 0, 0), new Op(Kind.HoldFile, 1, 0), new Op(Kind.Kill, 0, 0), new Op(Kind.Unkillable, 1, 0),
                new Op(Kind.Kill, 1, 0), new Op(Kind.SafePoint, 0, 0), new Op(Kind.Unkillable, 1, 0), new Op(Kind.SafePoint, 0, 0),
                new Op(Kind.Rmdir, 0, 0), new Op(Kind.Reap, 0, 0), new Op(Kind.Rmdir, 0, 0),
            });
        }

        private static void Run(Op[] ops)
        {
            using var w = new ProcWorld(frames: 4096);
            uint freeAtStart = w.Vm.Buddy.FreeFrames;
            int stacksAtStart = w.Stacks.InUse.Count;
            var tasks = new List<Process>();                 // every spawned task, in order
            var sections = new Dictionary<Process, Processes.NoKill>();
            var names = new[] { "c0", "c1", "c2" };
            int files = 0;
            Process Pick(int i)
            {
                var live = tasks.Where(t => t.State != TaskState.Zombie).ToList();
                return live.Count == 0 ? null : live[i % live.Count];
            }
            foreach (Op op in ops)
            {
                Process t = Pick(op.A);
                switch (op.Kind)
                {
                    case Kind.Spawn:
                    case Kind.Fork:
                        if (tasks.Count(x => x.State != TaskState.Zombie) >= 12) break;
                        Process parent = op.Kind == Kind.Fork && t != null ? t : w.Init;
                        Errno e = w.Processes.Spawn(parent, "p", TaskKind.User, a => 0, null,
                            op.Kind == Kind.Fork ? MmSource.Fork : MmSource.New, out Process child);
                        if (e == Errno.None)
                        {
                            if (op.Kind == Kind.Spawn || parent.Mm == null) Assert.Equal(Errno.None, w.Memory.MapAnonymous(child.Mm, ProcWorld.Base, 256, Protection.Read | Protection.Write));
                            tasks.Add(child);
                        }
                        else Assert.Equal(Errno.EAGAIN, e);   // a container's task limit
                        break;
                    case Kind.Touch:
                        if (t != null) using (w.Irq.Hold()) w.Touch(t, 1 + op.B, op.B * 3);
                        break;
                    case Kind.HoldFile:
                        if (t == null) break;
                        w.RunAs(t);
                        string path = "/f" + files++;
                        Assert.Equal(Errno.None, w.Processes.OpenHeld(w.Files, path, OpenFlags.Write | OpenFlags.Create, out OpenFile f));
                        Assert.Equal(Errno.None, w.Files.Write(f, new byte[2 * 4096], 0, 2 * 4096, out int _));
                        Assert.Equal(Errno.None, w.Files.Unlink(path));   // only the holder keeps it now
                        break;
                    case Kind.Mkdir:
                        using (w.Irq.Hold()) w.Table.Create(names[op.A % 3], out Container _);
                        break;
                    case Kind.Rmdir:
                        using (w.Irq.Hold()) w.Table.Remove(names[op.A % 3]);
                        break;
                    case Kind.AddTask:
                        if (t == null) break;
                        using (w.Irq.Hold())
                        {
                            Container c = w.Table.Find(names[op.B % 3]);
                            if (c != null) w.Table.AddTask(c, t.Pid.ToString());
                        }
                        break;
                    case Kind.RmTask:
                        if (t != null && t.Container != null) using (w.Irq.Hold()) Assert.Equal(Errno.None, w.Table.RemoveTask(t.Container, t.Pid.ToString()));
                        break;
                    case Kind.Kill:
                        if (t != null) Assert.Equal(Errno.None, w.Processes.Kill(t.Pid, Signals.SIGKILL));
                        break;
                    case Kind.Unkillable:
                        // Enter a section as t, or leave the one t is in (a kill that came meanwhile
                        // must wait for its end).
                        if (t == null) break;
                        w.RunAs(t);
                        if (sections.TryGetValue(t, out Processes.NoKill s))
                        {
                            sections.Remove(t);
                            s.Dispose();
                        }
                        else sections[t] = w.Processes.Unkillable();
                        Assert.False(sections.ContainsKey(t) && w.Processes.MustDie(t));
                        break;
                    case Kind.SafePoint:
                        w.DeliverSignals();
                        break;
                    case Kind.Exit:
                        if (t != null && !sections.ContainsKey(t)) w.Processes.Exit(t, op.B);
                        break;
                    case Kind.Reap:
                        w.ReapAll();
                        break;
                }
                Check(w, tasks, stacksAtStart);
            }
            // The end: every section left, every task killed, delivered and reaped.
            foreach (var s in sections.Values) s.Dispose();
            foreach (Process t in tasks) w.Processes.Kill(t.Pid, Signals.SIGKILL);
            w.DeliverSignals();
            w.ReapAll();
            Assert.Equal(stacksAtStart, w.Stacks.InUse.Count);
            Assert.Equal(0, w.Vm.Vm.Caches.Count);
            Assert.Equal(0, w.Table.Root.PageUsage);
            for (int i = 0; i < w.Table.Count; i++) Assert.Equal(0, w.Table.At(i).PageUsage + w.Table.At(i).NumTasks);
            Assert.Equal(freeAtStart, w.Vm.Buddy.FreeFrames);
            w.AssertMemcheckOk();
        }

        private static void Check(ProcWorld w, List<Process> tasks, int stacksAtStart)
        {
            w.AssertMemcheckOk();
            foreach (Process t in tasks)
            {
                if (t.State == TaskState.Zombie) Assert.True(t.Mm == null && t.Container == null && t.Files.Count == 0, "a zombie owns something");
                else if (t.Mm != null) Assert.Same(t.Container, t.Mm.Container);
            }
            int unreaped = tasks.Count(t => t.StackSlot >= 0);
            Assert.Equal(stacksAtStart + unreaped, w.Stacks.InUse.Count);
        }
    }
}
