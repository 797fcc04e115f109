// Test fixture: a machine (Kernel.Mm's VmWorld), a ContainerTable installed as its charger, and
// a fake kernel: tasks with PIDs, kernel threads, address spaces and container pointers, a
// workqueue that records what was queued, and a MayReschedule hook tests can observe.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Xunit;

namespace Kernel.Containers.Tests
{
    public sealed class FakeTask
    {
        public int Pid;
        public bool Kernel;
        public AddressSpace Mm;
        public Container Container;
    }

    public sealed class FakeHost : ContainerHost
    {
        public readonly Dictionary<int, FakeTask> Tasks = new Dictionary<int, FakeTask>();
        public readonly List<Container> Queued = new List<Container>();
        public int Reschedules;
        public Action OnReschedule;

        private FakeTask Live(int pid) => Tasks.TryGetValue(pid, out FakeTask t) ? t : null;

        public override bool TaskExists(int pid) => Live(pid) != null;
        public override bool IsKernelThread(int pid) => Live(pid)?.Kernel == true;
        public override Container ContainerOf(int pid) => Live(pid)?.Container;
        public override bool MmAgrees(int pid)
        {
            FakeTask t = Live(pid);
            return t == null || t.Mm == null || t.Mm.Container == t.Container;
        }

        public override void SetContainer(int pid, Container c)
        {
            FakeTask t = Live(pid);
            t.Container = c;
            if (t.Mm != null) t.Mm.Container = c;
        }

        public override void QueueOverLimit(Container c) => Queued.Add(c);

        // Throttling and the OOM killer, recorded: tests say who waits and see who would be killed.
        public readonly HashSet<Container> Throttled = new HashSet<Container>();
        public readonly List<Container> OomKilled = new List<Container>();
        public int Wakes;
        public override void Sleep(ulong ms) => OnReschedule?.Invoke();
        public override void WakeThrottled(Container c) { Wakes++; Throttled.Remove(c); }
        public override bool HasThrottled(Container c) => Throttled.Contains(c);
        public override bool OomKill(Container c) { OomKilled.Add(c); return true; }

        public override void MayReschedule()
        {
            Reschedules++;
            OnReschedule?.Invoke();
        }
    }

    public sealed unsafe class ContainerWorld : IDisposable
    {
        public const ulong Base = 0x40_0000;
        public readonly VmWorld Vm;
        public readonly FakeHost Host = new FakeHost();
        public readonly ContainerTable Table;
        private int _nextPid = 1;

        public ContainerWorld(uint frames = 1024, long pageLimit = 100_000)
        {
            Vm = new VmWorld(frames, ContainerTable.MaxContainers + 1);
            Table = new ContainerTable(Vm.Vm, Host, pageLimit);
        }

        public MmContext Mm => Vm.Vm;

        // A user task with an address space and a 256-page anonymous region at Base; it joins
        // parent's container as fork does (EAGAIN at the limit: null).
        public FakeTask Spawn(FakeTask parent = null, bool forkMm = false)
        {
            Container c = parent?.Container;
            if (Table.CanFork(c) != Errno.None) return null;
            AddressSpace mm = forkMm && parent != null ? parent.Mm.ForkOrNull() : (AddressSpace.Create(Mm, out AddressSpace fresh) == Errno.None ? fresh : null);
            if (mm == null) throw new Exception("out of frames for an mm");
            if (!forkMm) Assert.Equal(Errno.None, mm.MapAnonymous(Base, 256, Protection.Read | Protection.Write));
            var t = new FakeTask { Pid = _nextPid++, Mm = mm, Container = c };
            mm.Container = c;
            Host.Tasks[t.Pid] = t;
            Table.Attach(c, t.Pid);
            return t;
        }

        public FakeTask KernelThread()
        {
            var t = new FakeTask { Pid = _nextPid++, Kernel = true };
            Host.Tasks[t.Pid] = t;
            return t;
        }

        public void Exit(FakeTask t)
        {
            Table.Detach(t.Container, t.Pid);
            Host.Tasks.Remove(t.Pid);
            t.Mm?.Destroy();
        }

        public FaultResult Touch(FakeTask t, int page, bool write = true) =>
            Cpu.Access(Vm, t.Mm, Base + ((ulong)page << 12), write ? FaultAccess.Write : FaultAccess.Read, out byte* _);

        public void AssertMemcheckOk()
        {
            string[] problems = MemCheck.Run(Mm, Table);
            Assert.True(problems.Length == 0, string.Join("\n", problems));
            Assert.Empty(Vm.M.Panics.Messages);
        }

        public void Dispose() => Vm.Dispose();
    }
}
