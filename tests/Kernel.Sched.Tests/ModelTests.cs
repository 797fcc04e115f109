// Model-based property test (CsCheck): random sequences of create / pick / tick / block / sleep /
// wake / exit / reap / kill run against the Scheduler and against SchedModel side by side. After
// every step the results, Current, the run-queue order, and each task's state, parent, children,
// signals, queue and deadline must agree, Verify must pass, and the structural invariants are
// checked directly: on the run queue iff Runnable and not Current; never both queued and
// sleeping; only sleepers on wait queues or the timer.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class ModelTests
    {
        public enum K { Create, Pick, Tick, Block, BlockSwitch, Sleep, WakeOne, WakeAll, Wake, Exit, ExitSwitch, Reap, Kill, TakeFatal }

        public readonly record struct Op(K Kind, int A, int B, int C)
        {
            public override string ToString() => Kind + "(" + A + "," + B + "," + C + ")";
        }

        public sealed record Scenario(bool Boot, Op[] Ops)
        {
            public override string ToString() => (Boot ? "boot " : "cold ") + string.Join(" ", Ops.Select(o => o.ToString()));
        }

        static readonly int[] Weights = { 13, 13, 12, 9, 8, 6, 6, 4, 5, 6, 4, 6, 5, 3 };

        static K KindOf(int roll)
        {
            for (int k = 0; k < Weights.Length; k++)
            {
                if (roll < Weights[k]) return (K)k;
                roll -= Weights[k];
            }
            return K.Pick;
        }

        static readonly Gen<Op> GenOp =
            Gen.Select(Gen.Int[0, 99], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000],
                (k, a, b, c) => new Op(KindOf(k), a, b, c));

        static readonly Gen<Scenario> GenScenario =
            Gen.Select(Gen.Int[0, 9], GenOp.Array[1, 160], (b, ops) => new Scenario(b != 0, ops));

        [Fact]
        public void Scheduler_matches_the_model()
        {
            GenScenario.Sample(Run, iter: 600, threads: 1);
        }

        // A longer run with many tasks alive, to exercise the heap and long queues.
        [Fact]
        public void Scheduler_matches_the_model_on_long_runs()
        {
            Gen.Select(GenOp.Array[1500, 2500], ops => new Scenario(true, ops)).Sample(Run, iter: 8, threads: 1);
        }

        sealed class Harness
        {
            public readonly Scheduler S = new Scheduler();
            public readonly SchedModel M = new SchedModel();
            public readonly WaitQueue[] Qs;
            public ulong Now;

            public Harness() { Qs = new[] { new WaitQueue(S), new WaitQueue(S), new WaitQueue(S) }; }

            public List<int> Pids => M.Tasks.Keys.OrderBy(p => p).ToList();

            // A pid from the table (or, with n == count, the "other" choice: returns -1).
            public int PickPid(int n, bool allowOther)
            {
                List<int> pids = Pids;
                int range = pids.Count + (allowOther ? 1 : 0);
                if (range == 0) return -1;
                int i = n % range;
                return i < pids.Count ? pids[i] : -1;
            }

            // False once the current task has been reaped (it runs on until the next switch, but its
            // pid may already name another task): ops aimed at "the current task" are then skipped.
            public bool CurrentLive => M.Current == 0 || (M.Tasks.TryGetValue(M.Current, out MTask t) && t == M.Cur);

            public Task Real(int pid) => pid == 0 ? S.Idle : S.Find(pid);

            public WaitQueue RealQueue(int key) => key < 0 ? Qs[-key - 1] : S.ChildExit(key == 0 ? null : S.Find(key));

            // A queue key: one of the three, or a task's ChildExit.
            public int PickQueue(int n)
            {
                if (n % 5 < 3) return -(n % 3) - 1;
                int pid = PickPid(n / 5, true);
                return pid < 0 ? 0 : pid;
            }
        }

        static void Run(Scenario sc)
        {
            Harness h = new Harness();
            Scheduler s = h.S;
            SchedModel m = h.M;
            if (sc.Boot)
            {
                Eq(m.Create(null, false, out int p1), s.TryCreate(null, "sh", TaskKind.User, out Task init), "boot create");
                m.Start(p1);
                s.Start(init);
            }
            Compare(h, "start");
            int step = 0;
            foreach (Op op in sc.Ops)
            {
                Apply(h, op);
                Compare(h, "step " + step + " " + op);
                step++;
            }
        }

        static void Apply(Harness h, Op op)
        {
            Scheduler s = h.S;
            SchedModel m = h.M;
            string what = op.ToString();
            switch (op.Kind)
            {
                case K.Create:
                {
                    bool kernel = op.C % 6 == 0;
                    int sel = op.B % 4;
                    int? mp;
                    Task rp;
                    if (sel == 0) { mp = null; rp = null; }
                    else if (sel == 1)
                    {
                        if (!h.CurrentLive) return;
                        mp = m.Current;
                        rp = s.Current;
                    }
                    else
                    {
                        int pid = h.PickPid(op.A, false);
                        mp = pid < 0 ? null : pid;
                        rp = pid < 0 ? null : s.Find(pid);
                    }
                    Errno me = m.Create(mp, kernel, out int mpid);
                    Errno re = s.TryCreate(rp, "t" + op.A, kernel ? TaskKind.KernelThread : TaskKind.User, out Task t);
                    Eq(me, re, what);
                    if (re == Errno.None) Eq(mpid, t.Pid, what + " pid");
                    else Check(t == null, what + ": task on failure");
                    break;
                }
                case K.Pick:
                    Eq(m.Pick(), s.PickNext().Pid, what);
                    break;
                case K.Tick:
                {
                    h.Now += (ulong)(op.A % 12);
                    Eq(m.Tick(h.Now), s.Tick(h.Now), what);
                    break;
                }
                case K.Block:
                case K.BlockSwitch:
                {
                    int sel = op.A % 5;   // 0 none, 1..3 a test queue, 4 Current's ChildExit
                    int? key = sel == 0 ? null : sel < 4 ? -sel : m.Current;
                    WaitQueue q = key == null ? null : h.RealQueue(key.Value);
                    ulong deadline = op.B % 3 == 0 ? 0 : h.Now + (ulong)(op.B % 40);
                    m.Block(key, deadline != 0, deadline);
                    s.Block(q, deadline);
                    if (op.Kind == K.BlockSwitch) Eq(m.Pick(), s.PickNext().Pid, what + " pick");
                    break;
                }
                case K.Sleep:
                {
                    ulong deadline = op.B % 7 == 0 ? 0 : h.Now + (ulong)(op.B % 30);
                    m.Block(null, true, deadline);
                    s.Sleep(deadline);
                    if (op.C % 2 == 0) Eq(m.Pick(), s.PickNext().Pid, what + " pick");
                    break;
                }
                case K.WakeOne:
                {
                    int key = h.PickQueue(op.A);
                    Eq(m.WakeOne(key), s.WakeOne(h.RealQueue(key)), what);
                    break;
                }
                case K.WakeAll:
                {
                    int key = h.PickQueue(op.A);
                    Eq(m.WakeAll(key), s.WakeAll(h.RealQueue(key)), what);
                    break;
                }
                case K.Wake:
                {
                    int pid = h.PickPid(op.A, true);
                    if (pid < 0) pid = 0;
                    m.Wake(pid);
                    s.Wake(h.Real(pid));
                    break;
                }
                case K.Exit:
                {
                    int pid = h.PickPid(op.A, true);
                    if (pid < 0) pid = op.C % 2 == 0 ? m.Current : 0;
                    if (pid == m.Current && !h.CurrentLive) return;
                    int status = op.B - 500;
                    m.Exit(pid, status);
                    s.Exit(h.Real(pid), status);
                    break;
                }
                case K.ExitSwitch:
                {
                    int status = op.B % 256;
                    if (h.CurrentLive)
                    {
                        m.Exit(m.Current, status);
                        s.Exit(s.Current, status);
                    }
                    Eq(m.Pick(), s.PickNext().Pid, what + " pick");
                    break;
                }
                case K.Reap:
                {
                    int sel = op.A % 4;
                    int? mp;
                    Task rp;
                    if (sel == 0) { mp = null; rp = null; }
                    else if (sel == 1)
                    {
                        if (!h.CurrentLive) return;
                        mp = m.Current == 0 ? null : m.Current;
                        rp = m.Current == 0 ? null : s.Current;
                    }
                    else
                    {
                        int pp = h.PickPid(op.A / 4, false);
                        mp = pp < 0 ? null : pp;
                        rp = pp < 0 ? null : s.Find(pp);
                    }
                    int target = op.B % 3 == 0 ? -1 : op.B % 3 == 1 ? h.PickPid(op.C, true) : 1 + op.C % 40;
                    Errno me = m.Reap(mp, target, out int mpid, out int mst);
                    Errno re = s.TryReap(rp, target, out int rpid, out int rst);
                    Eq(me, re, what);
                    Eq(mpid, rpid, what + " pid");
                    Eq(mst, rst, what + " status");
                    break;
                }
                case K.Kill:
                {
                    int[] signals = { 0, 2, 9, 15, 5, 64 };
                    int sig = signals[op.B % signals.Length];
                    int pid = op.C % 4 == 0 ? op.C % 50 - 5 : h.PickPid(op.A, true);
                    Eq(m.Kill(pid, sig), s.Kill(pid, sig), what);
                    break;
                }
                case K.TakeFatal:
                {
                    int pid = h.PickPid(op.A, true);
                    if (pid < 0) pid = m.Current;
                    if (pid == m.Current && !h.CurrentLive) return;
                    Eq(m.TakeFatal(pid), s.TakeFatalSignal(h.Real(pid)), what);
                    break;
                }
            }
        }

        static void Compare(Harness h, string where)
        {
            Scheduler s = h.S;
            SchedModel m = h.M;
            string problem = s.Verify();
            Check(problem == null, where + ": Verify: " + problem);
            Eq(m.Current, s.Current.Pid, where + ": current");
            Eq(m.Tasks.Count, s.Count, where + ": count");
            Eq(m.Run.Count, s.RunnableCount, where + ": runnable count");
            Eq(string.Join(",", m.Run), string.Join(",", H.RunQueue(s).Select(t => t.Pid)), where + ": run queue");
            Eq(m.Tasks.Values.Count(t => t.Timed), s.TimedSleepers, where + ": timed sleepers");
            Eq(m.Slice, s.SliceUsed, where + ": slice");
            Eq(m.Idle.State, s.Idle.State, where + ": idle state");
            Eq(m.Idle.Children.Count, s.Idle.ChildCount, where + ": idle children");
            Eq(m.Idle.Cpu, s.Idle.CpuTicks, where + ": idle cpu");

            Task[] snap = new Task[Scheduler.MaxTasks];
            int n = s.Snapshot(snap);
            Eq(string.Join(",", m.Tasks.Keys.OrderBy(p => p)), string.Join(",", snap.Take(n).Select(t => t.Pid)), where + ": snapshot");

            foreach (MTask mt in m.Tasks.Values)
            {
                Task t = s.Find(mt.Pid);
                string w = where + ": pid " + mt.Pid;
                Check(t != null, w + " missing");
                Eq(mt.State, t.State, w + " state");
                Eq(mt.Parent, t.Parent == null ? 0 : t.Parent.Pid, w + " parent");
                Eq(mt.Kernel, t.IsKernelThread, w + " kernel");
                Eq(mt.Children.Count, t.ChildCount, w + " children");
                Eq(mt.Pending, t.PendingSignals, w + " pending");
                Eq(mt.Cpu, t.CpuTicks, w + " cpu");
                Eq(mt.TimedOut, s.LastWakeTimedOut(t), w + " timed out");
                Eq(mt.Timed, s.HasDeadline(t), w + " has deadline");
                if (mt.Timed) Eq(mt.Deadline, s.DeadlineOf(t), w + " deadline");
                if (mt.State == TaskState.Zombie) Eq(mt.Status, t.ExitStatus, w + " status");
                WaitQueue q = s.QueueOf(t);
                if (mt.Queue == null) Check(q == null, w + " on a wait queue");
                else Check(q == h.RealQueue(mt.Queue.Value), w + " on the wrong wait queue");

                // The invariants, straight on the real scheduler.
                bool queued = s.IsQueued(t);
                Eq(t.State == TaskState.Runnable && t != s.Current, queued, w + " run-queue membership");
                Check(!(queued && (q != null || s.HasDeadline(t))), w + " both queued and sleeping");
                Check(t.State == TaskState.Sleeping || (q == null && !s.HasDeadline(t)), w + " waits while " + t.State);
                Check(t.ChildCount == 0 || t.State != TaskState.Zombie, w + " zombie with children");
            }
            foreach (KeyValuePair<int, List<int>> e in m.Queues)
            {
                if (e.Key > 0 && !m.Tasks.ContainsKey(e.Key)) continue;
                WaitQueue q = h.RealQueue(e.Key);
                Eq(e.Value.Count, q.Count, where + ": queue " + e.Key + " count");
                Eq(e.Value.Count == 0 ? -1 : e.Value[0], q.First == null ? -1 : q.First.Pid, where + ": queue " + e.Key + " head");
            }
        }

        static void Eq<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Exception(what + ": model " + expected + ", scheduler " + actual);
        }

        static void Check(bool ok, string what)
        {
            if (!ok) throw new Exception(what);
        }
    }
}
