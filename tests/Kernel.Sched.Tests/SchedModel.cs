// A reference model of the scheduler, written the obvious way (BCL lists, linear scans) from the
// contract in Scheduler.cs, for the model-based property test to compare the real one against.
// Pid 0 is the idle task; wait queues are keyed: -1..-3 for the test's own queues, p >= 0 for
// the ChildExit queue of the task with pid p (0: idle's, the parent of PID 1 and kernel threads).
using System.Collections.Generic;
using System.Linq;
using Kernel.Sched;

namespace Kernel.Sched.Tests
{
    public sealed class MTask
    {
        public int Pid, Parent;
        public bool Kernel;
        public TaskState State;
        public int Status;
        public ulong Pending, Cpu;
        public int? Queue;
        public bool Timed, TimedOut;
        public ulong Deadline, Seq;
        public readonly List<int> Children = new List<int>();
    }

    public sealed class SchedModel
    {
        public readonly Dictionary<int, MTask> Tasks = new Dictionary<int, MTask>();
        public readonly MTask Idle = new MTask { Pid = 0, Kernel = true, State = TaskState.Running };
        public readonly List<int> Run = new List<int>();
        public readonly Dictionary<int, List<int>> Queues = new Dictionary<int, List<int>>();
        public MTask Cur;                 // the current task's record (it may have been reaped)
        public int Current => Cur.Pid;

        public SchedModel() { Cur = Idle; }
        public int Slice;
        public int LastPid;
        public ulong SleepSeq;

        public MTask Get(int pid) => pid == 0 ? Idle : Tasks.TryGetValue(pid, out MTask t) ? t : null;
        public List<int> Queue(int key)
        {
            if (!Queues.TryGetValue(key, out List<int> q)) Queues[key] = q = new List<int>();
            return q;
        }

        public Errno Create(int? parent, bool kernel, out int pid)
        {
            pid = 0;
            if (Tasks.Count >= Scheduler.MaxTasks) return Errno.EAGAIN;
            int p;
            if (kernel) p = 0;
            else if (parent == null || parent == 0) p = Tasks.ContainsKey(1) ? 1 : 0;
            else
            {
                MTask pt = Get(parent.Value);
                if (pt == null || pt.State == TaskState.Zombie) return Errno.EINVAL;
                p = parent.Value;
            }
            int n = LastPid;
            do { n++; if (n >= Scheduler.PidMax) n = 2; } while (Tasks.ContainsKey(n));
            LastPid = pid = n;
            MTask t = new MTask { Pid = n, Parent = p, Kernel = kernel, State = TaskState.Runnable };
            Tasks[n] = t;
            Get(p).Children.Add(n);
            Queue(n).Clear();   // a new task's ChildExit queue is new
            Run.Add(n);
            return Errno.None;
        }

        public void Start(int pid)
        {
            MTask t = Get(pid);
            if (pid == Current || t == null || (pid != 0 && t.State != TaskState.Runnable)) return;
            Run.Remove(pid);
            MTask prev = Cur;
            if (Current == 0) Idle.State = TaskState.Runnable;
            else if (prev.State == TaskState.Running) { prev.State = TaskState.Runnable; Run.Add(prev.Pid); }
            t.State = TaskState.Running;
            Cur = t;
            Slice = 0;
        }

        public int Pick()
        {
            MTask prev = Cur;
            if (Current == 0) Idle.State = TaskState.Runnable;
            else if (prev.State == TaskState.Running) { prev.State = TaskState.Runnable; Run.Add(prev.Pid); }
            int next = 0;
            if (Run.Count > 0) { next = Run[0]; Run.RemoveAt(0); }
            Get(next).State = TaskState.Running;
            Cur = Get(next);
            Slice = 0;
            return next;
        }

        public bool Tick(ulong now)
        {
            MTask cur = Cur;
            cur.Cpu++;
            List<MTask> due = Tasks.Values.Where(t => t.Timed && t.Deadline <= now)
                .OrderBy(t => t.Deadline).ThenBy(t => t.Seq).ToList();
            foreach (MTask t in due) WakeUp(t, true);
            if (Current == 0) return Run.Count > 0;
            if (cur.State != TaskState.Running) return true;
            if (Slice < Scheduler.TimeSliceTicks) Slice++;
            return Slice >= Scheduler.TimeSliceTicks && Run.Count > 0;
        }

        public void Block(int? queue, bool timed, ulong deadline)
        {
            MTask t = Cur;
            if (Current == 0 || t.State != TaskState.Running) return;
            t.State = TaskState.Sleeping;
            t.TimedOut = false;
            if (queue != null) { t.Queue = queue; Queue(queue.Value).Add(t.Pid); }
            if (timed) { t.Timed = true; t.Deadline = deadline; t.Seq = ++SleepSeq; }
        }

        void WakeUp(MTask t, bool timedOut)
        {
            Unqueue(t);
            t.TimedOut = timedOut;
            if (t == Cur) t.State = TaskState.Running;
            else { t.State = TaskState.Runnable; Run.Add(t.Pid); }
        }

        void Unqueue(MTask t)
        {
            if (t.Queue != null) Queue(t.Queue.Value).Remove(t.Pid);
            t.Queue = null;
            t.Timed = false;
        }

        public int WakeOne(int key)
        {
            List<int> q = Queue(key);
            if (q.Count == 0) return 0;
            WakeUp(Get(q[0]), false);
            return 1;
        }

        public int WakeAll(int key)
        {
            int n = 0;
            while (Queue(key).Count > 0) { WakeUp(Get(Queue(key)[0]), false); n++; }
            return n;
        }

        public void Wake(int pid)
        {
            MTask t = Get(pid);
            if (t != null && t.State == TaskState.Sleeping) WakeUp(t, false);
        }

        public void Exit(int pid, int status)
        {
            if (pid == 0 || pid == 1 || !Tasks.TryGetValue(pid, out MTask t) || t.State == TaskState.Zombie) return;
            Run.Remove(pid);
            Unqueue(t);
            t.State = TaskState.Zombie;
            t.Status = status & 0xFF;
            t.Pending = 0;
            if (t.Children.Count > 0)
            {
                int heir = Tasks.ContainsKey(1) ? 1 : 0;
                bool zombies = false;
                foreach (int c in t.Children)
                {
                    Tasks[c].Parent = heir;
                    if (Tasks[c].State == TaskState.Zombie) zombies = true;
                }
                Get(heir).Children.AddRange(t.Children);
                t.Children.Clear();
                if (zombies) WakeAll(heir);
            }
            WakeAll(t.Parent);
        }

        public Errno Reap(int? parent, int pid, out int reaped, out int status)
        {
            reaped = status = 0;
            int p = parent ?? 0;
            MTask pt = Get(p);
            MTask child;
            if (pid > 0)
            {
                child = Tasks.TryGetValue(pid, out MTask c) ? c : null;
                if (child == null || child.Parent != p) return Errno.ECHILD;
                if (child.State != TaskState.Zombie) return Errno.EAGAIN;
            }
            else
            {
                if (pt.Children.Count == 0) return Errno.ECHILD;
                child = pt.Children.Select(c => Tasks[c]).FirstOrDefault(c => c.State == TaskState.Zombie);
                if (child == null) return Errno.EAGAIN;
            }
            reaped = child.Pid;
            status = child.Status;
            pt.Children.Remove(child.Pid);
            Tasks.Remove(child.Pid);
            return Errno.None;
        }

        public Errno Kill(int pid, int signal)
        {
            if (signal != 0 && signal != 2 && signal != 9 && signal != 15) return Errno.EINVAL;
            if (pid == 0) return Errno.EPERM;
            if (!Tasks.TryGetValue(pid, out MTask t)) return Errno.ESRCH;
            if (pid == 1 || t.Kernel) return Errno.EPERM;
            if (signal == 0 || t.State == TaskState.Zombie) return Errno.None;
            t.Pending |= 1UL << signal;
            if (t.State == TaskState.Sleeping) WakeUp(t, false);
            return Errno.None;
        }

        public int TakeFatal(int pid)
        {
            MTask t = Get(pid);
            foreach (int s in new[] { 2, 9, 15 })
                if ((t.Pending & (1UL << s)) != 0) { t.Pending &= ~(1UL << s); return s; }
            return 0;
        }
    }
}
