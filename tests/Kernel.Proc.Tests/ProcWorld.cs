// Test fixture: the kernel's process glue built as Main builds it — scheduler, virtual memory,
// processes, the [kcontainerd] workqueue, the container table and the file tree — over a
// VmWorld, with the machine faked: stacks come from a counting allocator, the context switch
// runs a callback the test supplies (the "other tasks" run there), the clock is a number, and
// printk lines are recorded.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Fs;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Proc.Tests
{
    internal sealed class FakeStacks : StackAllocator
    {
        public readonly HashSet<int> InUse = new HashSet<int>();
        public int Limit = int.MaxValue;
        private readonly int _slots;

        public FakeStacks(int slots) { _slots = slots; }
        public override int MaxSlots => _slots;

        public override bool TryAllocate(out int slot, out ulong bottom, out ulong top)
        {
            slot = -1; bottom = top = 0;
            if (InUse.Count >= Limit) return false;
            for (int s = 0; s < _slots; s++)
                if (InUse.Add(s))
                {
                    slot = s;
                    bottom = 0x1000_0000UL + (ulong)s * 0x10000;
                    top = bottom + 0x8000;
                    return true;
                }
            return false;
        }

        public override void Free(int slot)
        {
            if (!InUse.Remove(slot)) throw new Exception("stack slot " + slot + " freed twice");
        }
    }

    // The context switch. By default a yield returns at once (the test thread goes on as the same
    // task). With Threaded set, tasks are host threads and a yield is a real switch on one CPU:
    // the scheduler picks the next task, that task's thread runs (started at its Main the first
    // time, as the kernel's TaskStart does), and this one waits until the scheduler picks it
    // again — so a sleeping task really does not run until it is woken.
    internal sealed class FakeCpu : Cpu
    {
        public readonly List<(Task task, TaskEntry entry)> Frames = new List<(Task, TaskEntry)>();
        public int Yields;
        public Scheduler Threaded;
        public Processes Processes;
        private readonly Dictionary<Task, System.Threading.SemaphoreSlim> _baton = new Dictionary<Task, System.Threading.SemaphoreSlim>();
        private readonly HashSet<Task> _started = new HashSet<Task>();

        public override void PrepareFrame(Task t, TaskEntry entry) => Frames.Add((t, entry));

        public override void Yield()
        {
            Yields++;
            if (Threaded == null) return;
            Task me = Threaded.Current;
            lock (_started) _started.Add(me);   // it runs on this thread already
            SwitchTo(Threaded.PickNext(), me);
            if (!Baton(me).Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("task " + me.Pid + " never ran again");
            // Resuming a task is a safe point: one that must die leaves its stack (X86Cpu.Deliver).
            if (Processes.MustDie(me)) throw new Killed();
        }

        private sealed class Killed : Exception { }

        private void SwitchTo(Task next, Task me)
        {
            if (next == me) { Baton(me).Release(); return; }
            bool start;
            lock (_started) start = _started.Add(next);
            if (start && next is Process p)
            {
                var thread = new System.Threading.Thread(() =>
                {
                    if (!Baton(p).Wait(TimeSpan.FromSeconds(10))) return;
                    int status;
                    try { status = p.Main(p.Argv); }
                    catch (Killed) { status = 128 + Threaded.TakeFatalSignal(p); }
                    Processes.Exit(p, status);
                    SwitchTo(Threaded.PickNext(), p);
                });
                thread.IsBackground = true;
                thread.Start();
            }
            Baton(next).Release();
        }

        private System.Threading.SemaphoreSlim Baton(Task t)
        {
            lock (_baton)
            {
                if (!_baton.TryGetValue(t, out var s)) _baton[t] = s = new System.Threading.SemaphoreSlim(0);
                return s;
            }
        }
    }

    internal sealed class FakeClock : Clock
    {
        public ulong Now;
        public override ulong NowMs => Now;
    }

    internal sealed class RecordingOutput : KernelOutput
    {
        public readonly List<string> ConsoleLines = new List<string>();
        public readonly List<string> LogLines = new List<string>();
        public override void Console(string line) => ConsoleLines.Add(line);
        public override void Log(string line) => LogLines.Add(line);
        public override void Panic(string message) => throw new Xunit.Sdk.XunitException("panic: " + message);
    }

    internal sealed unsafe class ProcWorld : IDisposable
    {
        public const ulong Base = 0x40_0000;
        public readonly VmWorld Vm;
        public readonly IrqLock Irq;
        public readonly Scheduler Scheduler = new Scheduler();
        public readonly VirtualMemory Memory;
        public readonly FakeStacks Stacks = new FakeStacks(64);
        public readonly FakeCpu Cpu = new FakeCpu();
        public readonly FakeClock Clock = new FakeClock();
        public readonly RecordingOutput Out = new RecordingOutput();
        internal readonly Processes Processes;
        internal readonly Workqueue Kcontainerd;
        internal readonly TaskContainers Glue;
        public readonly ContainerTable Table;
        internal readonly FileSystems Files;

        public ProcWorld(uint frames = 2048)
        {
            Vm = new VmWorld(frames, ContainerTable.MaxContainers + 1);
            Irq = Vm.Vm.Lock;
            Memory = new VirtualMemory(Vm.Vm, Irq, 0x1000);
            Processes = Processes.Create(Scheduler, Irq, Memory, Stacks, Cpu, Clock, Out, 0x2000, 0x3000);
            Assert.NotNull(Processes);
            Cpu.Processes = Processes;
            Kcontainerd = Workqueue.Create("kcontainerd", Processes, Irq, Cpu);
            Glue = new TaskContainers(Scheduler, Irq, Cpu, Clock, Out, Kcontainerd);
            Table = new ContainerTable(Vm.Vm, Glue, 100_000);
            Glue.AttachTable(Table);
            Processes.AttachContainers(Glue);
            Files = FileSystems.Create(Vm.Vm, Irq, Scheduler, Table, null);
            Assert.NotNull(Files);
        }

        internal Process Init => Processes.Init;

        // A user program forked from parent (PID 1 by default) with a 256-page region at Base.
        internal Process Spawn(Process parent = null, MmSource source = MmSource.New)
        {
            Errno e = Processes.Spawn(parent ?? Init, "prog", TaskKind.User, argv => 0, null, source, out Process p);
            Assert.Equal(Errno.None, e);
            if (source == MmSource.New) Assert.Equal(Errno.None, Memory.MapAnonymous(p.Mm, Base, 256, Protection.Read | Protection.Write));
            return p;
        }

        // The process touches `pages` pages of its region (faults them in, as the CPU would).
        internal void Touch(Process p, int pages, int first = 0)
        {
            for (int i = first; i < first + pages; i++)
                Assert.Equal(FaultResult.Handled, Mm.Tests.Cpu.Access(Vm, p.Mm, Base + ((ulong)i << 12), FaultAccess.Write, out byte* _));
        }

        // Makes t the running task (the scheduler's round robin, as the timer would).
        internal void RunAs(Task t)
        {
            for (int i = 0; i < 10_000 && Scheduler.Current != t; i++) Scheduler.PickNext();
            Assert.Same(t, Scheduler.Current);
        }

        // The kernel's safe point for every task: each one MustDie names exits as killed.
        internal int DeliverSignals()
        {
            int n = 0;
            Task[] all = new Task[Scheduler.MaxTasks];
            int count = Scheduler.Snapshot(all);
            for (int i = 0; i < count; i++)
                if (all[i] is Process p && Processes.MustDie(p))
                {
                    int signal = Scheduler.TakeFatalSignal(p);
                    Processes.Exit(p, 128 + signal);
                    n++;
                }
            return n;
        }

        // PID 1 reaps every zombie child (its own and re-parented orphans).
        internal int ReapAll()
        {
            RunAs(Init);
            int n = 0;
            while (Processes.TryWait(-1, out int _, out int _) == Errno.None) n++;
            return n;
        }

        public void AssertMemcheckOk()
        {
            string[] problems = MemCheck.Run(Vm.Vm, Table);
            Assert.True(problems.Length == 0, string.Join("\n", problems));
            Assert.Empty(Vm.M.Panics.Messages);
            Assert.Null(Scheduler.Verify());
        }

        public void Dispose() => Vm.Dispose();
    }
}
