// Processes: the lives of tasks from spawn to reap (Linux's kernel/fork.c and kernel/exit.c).
// Sched/Scheduler decides who runs; this object creates tasks with what they own, ends them,
// frees what they owned, and delivers fatal signals. The machine (the context switch, the
// stacks, the clock) is behind Platform.cs, so this file runs under host tests too.
//
//   Spawn   one interrupt-lock hold from the container's task limit to the runnable child:
//           task limit → address space (fork copy-on-write, or new) → kernel stack → task in
//           the scheduler → container, cwd, stdout inherited → first frame. A failure undoes
//           every earlier step; nothing runs in between, so no signal can land half-way.
//   Exit    stdout and stderr flushed, stdin and files closed → container left → address space
//           destroyed → zombie (the parent is woken). Output lost to a pipe without readers
//           (EPIPE) makes the status 128 + SIGPIPE, as the signal would have. The kernel stack goes only when the parent reaps.
//   Kill    the scheduler makes a fatal signal pending; it takes effect at a safe point: the
//           kernel resumes a task (after an interrupt or a sleep) that is not Unkillable.
//
// Unkillable sections (Task.NoKillDepth, the Mutex holds one too): a kernel service that owns a
// resource across a point where interrupts are on (a file opened but not yet recorded, an exit
// under way) runs in one, and a signal that arrived meanwhile is delivered at its end.
// Invariants: a task's stack slot is allocated from spawn until reap; _bySlot[slot] names it.
// Every task but idle is a Process. Called with interrupts on unless a method says otherwise.
using Kernel.Collections;
using Kernel.Containers;
using Kernel.Fs;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;

namespace Kernel.Proc
{
    // Where a new task's address space comes from.
    internal enum MmSource { New, Fork }

    internal sealed class Processes
    {
        private readonly Scheduler _scheduler;
        private readonly IrqLock _irq;
        private readonly VirtualMemory _vm;
        private readonly StackAllocator _stacks;
        private readonly Cpu _cpu;
        private readonly Clock _clock;
        private readonly KernelOutput _out;
        private readonly Task[] _bySlot;          // stack slot -> task (the collector's roots)
        private readonly Process _init;
        private TaskContainers _containers;

        // The boot context becomes PID 1 (the shell) on the boot stack [bootBottom, bootTop);
        // the idle task gets a stack and a frame. Fails (null) only when memory is out.
        public static Processes Create(Scheduler scheduler, IrqLock irq, VirtualMemory vm, StackAllocator stacks, Cpu cpu,
            Clock clock, KernelOutput output, ulong bootBottom, ulong bootTop)
        {
            Processes p = new Processes(scheduler, irq, vm, stacks, cpu, clock, output);
            using (irq.Hold())
            {
                if (scheduler.TryAdd(p._init, null) != Errno.None) return null;
                p._init.StackBottom = bootBottom;
                p._init.StackTop = bootTop;
                if (!p.GiveStack(scheduler.Idle, TaskEntry.Idle)) return null;
                scheduler.Start(p._init);
            }
            return p;
        }

        private Processes(Scheduler scheduler, IrqLock irq, VirtualMemory vm, StackAllocator stacks, Cpu cpu, Clock clock, KernelOutput output)
        {
            _scheduler = scheduler;
            _irq = irq;
            _vm = vm;
            _stacks = stacks;
            _cpu = cpu;
            _clock = clock;
            _out = output;
            _bySlot = new Task[stacks.MaxSlots];
            _init = new Process("sh", TaskKind.User);
        }

        // The container glue comes after this object (it finds tasks through the scheduler).
        public void AttachContainers(TaskContainers containers) => _containers = containers;

        public Scheduler Scheduler => _scheduler;
        public Process Init => _init;
        public Process Current => _scheduler.Current as Process;   // null while idle runs
        public int StackSlots => _bySlot.Length;
        public Task TaskInSlot(int slot) => _bySlot[slot];

        // ---- Spawn --------------------------------------------------------------------------

        // A new task running main(argv), child of parent (null: of PID 1; a kernel thread: of
        // nobody). A user task's address space is a copy-on-write copy of the parent's (Fork) or
        // a new one; it inherits the parent's container, working directory, stdin, stdout and
        // stderr. EAGAIN at
        // the container's task limit or the scheduler's; ENOMEM when memory is out.
        public Errno Spawn(Process parent, string name, TaskKind kind, ProgramMain main, string[] argv, MmSource source, out Process task)
        {
            task = null;
            using (_irq.Hold())
            {
                bool user = kind == TaskKind.User;
                Errno e = user && _containers != null ? _containers.CanFork(parent) : Errno.None;
                if (e != Errno.None) return e;
                AddressSpace mm = null;
                if (user)
                {
                    e = source == MmSource.Fork && parent != null && parent.Mm != null ? _vm.Fork(parent.Mm, out mm) : _vm.Create(out mm);
                    if (e != Errno.None) return e;
                }
                Process p = new Process(name, kind);
                p.Mm = mm;
                p.Main = main;
                p.Argv = argv;
                if (!GiveStack(p, TaskEntry.Program))
                {
                    if (mm != null) _vm.Destroy(mm);
                    return Errno.ENOMEM;
                }
                e = _scheduler.TryAdd(p, parent);
                if (e != Errno.None)
                {
                    FreeStack(p);
                    if (mm != null) _vm.Destroy(mm);
                    return e;
                }
                if (user && parent != null)
                {
                    // What a child inherits: its container (task and mm), cwd, stdin, stdout, stderr.
                    if (_containers != null) _containers.Attach(parent, p);
                    p.Cwd = parent.Cwd;
                    p.Stdin = parent.Stdin;
                    if (p.Stdin != null) p.Stdin.Retain();
                    p.Stdout = parent.Stdout;
                    if (p.Stdout != null) p.Stdout.Retain();
                    p.Stderr = parent.Stderr;
                    if (p.Stderr != null) p.Stderr.Retain();
                }
                task = p;
                return Errno.None;
            }
        }

        // A kernel stack for t and its first frame. Interrupt lock held.
        private bool GiveStack(Task t, TaskEntry entry)
        {
            if (!_stacks.TryAllocate(out int slot, out ulong bottom, out ulong top)) return false;
            t.StackSlot = slot;
            t.StackBottom = bottom;
            t.StackTop = top;
            t.IrqDepth = 0;
            t.IrqWereEnabled = false;
            _bySlot[slot] = t;
            _cpu.PrepareFrame(t, entry);
            return true;
        }

        private void FreeStack(Task t)
        {
            if (t.StackSlot < 0) return;
            _bySlot[t.StackSlot] = null;
            _stacks.Free(t.StackSlot);
            t.StackSlot = -1;
        }

        // ---- Exit ---------------------------------------------------------------------------

        // p ends with status: everything it owns is released now but its stack (freed by the
        // reap); it becomes a zombie. For the current task the kernel then switches away
        // (ExitCurrent). Returns the first error writing its redirected output, for the caller
        // to report. PID 1 never exits.
        public Errno Exit(Process p, int status)
        {
            if (p == _init || p.State == TaskState.Zombie) return Errno.EINVAL;
            p.NoKillDepth++;   // an exit under way is not interrupted by a second kill
            Errno error = Errno.None;
            FileOutput output = p.Stdout, errors = p.Stderr;
            FileInput input = p.Stdin;
            p.Stdout = null;
            p.Stderr = null;
            p.Stdin = null;
            if (output != null) error = output.Release();
            if (errors != null)
            {
                Errno e = errors.Release();
                if (error == Errno.None) error = e;
            }
            if (input != null) input.Release();
            // A pipe without readers took the rest of the output: the writer ends as under
            // SIGPIPE, silently (a write error no one would read).
            if (error == Errno.EPIPE && !p.Killed)
            {
                status = 128 + Signals.SIGPIPE;
                error = Errno.None;
            }
            if (p.Killed) error = Errno.None;   // its output was cut short on purpose
            using (_irq.Hold())
            {
                for (int i = 0; i < p.Files.Count; i++) p.Files[i].Close();
                p.Files.Clear();
                if (_containers != null) _containers.Detach(p);
                AddressSpace mm = p.Mm;
                p.Mm = null;
                if (mm != null)
                {
                    if (_vm.Current == mm) _vm.Switch(null);
                    _vm.Destroy(mm);
                }
                _scheduler.Exit(p, status);
            }
            return error;
        }

        // The current task ends. Never returns.
        public void ExitCurrent(int status)
        {
            Process self = Current;
            if (self == null || self == _init) { _out.Panic("proc: PID 1 or idle exited"); return; }
            Errno e = Exit(self, status);
            if (e != Errno.None) _out.Console(string.Concat(self.Name, ": write error: ", ErrnoText.Message(e)));
            _irq.Enter();
            _cpu.Yield();
            _out.Panic("proc: a zombie ran");
        }

        // A fatal signal took effect on the current task (its old stack is abandoned). Never returns.
        public void ExitKilled()
        {
            int signal = _scheduler.TakeFatalSignal(_scheduler.Current);
            Process self = Current;
            if (self != null) self.Killed = true;   // its last output does not wait for a pipe's reader
            ExitCurrent(128 + (signal == 0 ? Signals.SIGKILL : signal));
        }

        // ---- Wait and reap --------------------------------------------------------------------

        // Reaps a zombie child of the current task (pid > 0: that one; else any): frees its stack.
        // Sleeps while children exist but none has exited. EINTR when a fatal signal comes.
        public Errno Wait(int pid, out int reapedPid, out int status)
        {
            Task self = _scheduler.Current;
            while (true)
            {
                using (_irq.Hold())
                {
                    Errno e = Reap(self, pid, out reapedPid, out status);
                    if (e != Errno.EAGAIN) return e;
                    _scheduler.Block(_scheduler.ChildExit(self), 0);
                    _cpu.Yield();
                }
                if (self != _init && _scheduler.HasFatalSignal(self)) return Errno.EINTR;
            }
        }

        // The same without sleeping (the shell's job notices): EAGAIN when no child has exited.
        public Errno TryWait(int pid, out int reapedPid, out int status)
        {
            using (_irq.Hold()) return Reap(_scheduler.Current, pid, out reapedPid, out status);
        }

        private Errno Reap(Task parent, int pid, out int reapedPid, out int status)
        {
            Errno e = _scheduler.TryReap(parent, pid, out Task reaped);
            reapedPid = reaped == null ? 0 : reaped.Pid;
            status = reaped == null ? 0 : reaped.ExitStatus;
            if (reaped != null) FreeStack(reaped);
            return e;
        }

        // ---- Signals ------------------------------------------------------------------------

        // kill(2).
        public Errno Kill(int pid, int signal)
        {
            using (_irq.Hold()) return _scheduler.Kill(pid, signal);
        }

        // Whether the kernel, about to resume t, must instead end it (a safe point): a fatal
        // signal is pending and t is a user process outside any unkillable section. Interrupt
        // context or interrupt lock held.
        public bool MustDie(Task t) =>
            !t.IsKernelThread && t != _init && t.NoKillDepth == 0 && t.StackSlot >= 0 && t.State != TaskState.Zombie &&
            _scheduler.HasFatalSignal(t);

        // A section the current task is not killed in: `using (processes.Unkillable()) { ... }`.
        public NoKill Unkillable()
        {
            Task t = _scheduler.Current;
            t.NoKillDepth++;
            return new NoKill(this, t);
        }

        // The end of an unkillable section: a signal that came meanwhile takes effect now.
        internal void LeaveUnkillable(Task t)
        {
            t.NoKillDepth--;
            if (t.NoKillDepth == 0 && t == _scheduler.Current && MustDie(t))
                using (_irq.Hold()) _cpu.Yield();
        }

        public struct NoKill : System.IDisposable
        {
            private readonly Processes _owner;
            private readonly Task _task;
            internal NoKill(Processes owner, Task task) { _owner = owner; _task = task; }
            public void Dispose() => _owner.LeaveUnkillable(_task);
        }

        // A page fault a process cannot survive: say why and make SIGKILL pending (the kernel
        // lives on). False when the faulting context is not a killable process (a kernel bug).
        // Interrupt context.
        public bool KillOnFault(ulong address, FaultResult result)
        {
            Process t = Current;
            if (t == null || t == _init || t.IsKernelThread || t.StackSlot < 0 || !PageTable.IsUserPage(address)) return false;
            if (result == FaultResult.OutOfMemory)
                _out.Console(string.Concat("Out of memory: Killed process ", t.Pid.ToString(), string.Concat(" (", t.Name, ")")));
            else
                _out.Console(string.Concat(t.Name, "[", t.Pid.ToString(), string.Concat("]: segfault at 0x", Hex(address))));
            _scheduler.Kill(t.Pid, Signals.SIGKILL);
            return true;
        }

        private static string Hex(ulong value)
        {
            string digits = "0123456789abcdef", s = "";
            for (int i = 44; i >= 0; i -= 4) s = string.Concat(s, digits.Substring((int)((value >> i) & 15), 1));
            return s;
        }

        // ---- Files a task holds -------------------------------------------------------------

        // Opens path for the current task and records it in one step, so that no kill can land
        // between the two (the file is closed at exit, like an mmap's file in Linux).
        public Errno OpenHeld(FileSystems files, string path, OpenFlags flags, out OpenFile file)
        {
            using (_irq.Hold())
            {
                Errno e = files.OpenLocked(path, flags, out file);
                if (e == Errno.None) Current.Files.Add(file);
                return e;
            }
        }

        // Closes a file OpenHeld opened for the current task, before its exit.
        public void CloseHeld(OpenFile file)
        {
            using (_irq.Hold())
            {
                Vector<OpenFile> files = Current.Files;
                for (int i = 0; i < files.Count; i++)
                    if (files[i] == file)
                    {
                        files.RemoveAt(i);
                        break;
                    }
                file.Close();
            }
        }

        // ---- Time and the CPU ---------------------------------------------------------------

        // Sleeps for ms; false when a fatal signal cut it short.
        public bool Sleep(ulong ms)
        {
            using (_irq.Hold())
            {
                _scheduler.Sleep(_clock.NowMs + ms);
                _cpu.Yield();
            }
            return !_scheduler.HasFatalSignal(_scheduler.Current);
        }

        public void Yield()
        {
            using (_irq.Hold()) _cpu.Yield();
        }

        // A consistent copy of the task table, for ps.
        public int Snapshot(Task[] into)
        {
            using (_irq.Hold()) return _scheduler.Snapshot(into);
        }
    }
}
