// Processes on the machine: creating tasks with a kernel stack and a first interrupt frame,
// switching between them, and the ends of their lives. Sched/Scheduler decides; this file acts.
//
// Every context switch happens on the interrupt path (the timer for preemption, int 0x81 for a
// voluntary yield): the outgoing task's InterruptFrame stays on its stack, the incoming one's is
// returned to Boot/isr.asm, which restores its registers and FPU/SSE state and irets into it.
// A new task gets a synthetic frame whose RIP is TaskStart.
//
// Fatal signals take effect at safe points: when a task is about to be resumed (after a yield,
// a sleep, or an interrupt) while holding no sleeping lock. The frame is redirected to TaskKilled
// on a fresh stack pointer: the old stack is abandoned without unwinding, and TaskKilled frees
// what the task owns. Interrupts are off throughout this file (interrupt gates or IrqLock).
using System.Runtime;
using Internal.Runtime;
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Sched;

namespace Kernel.Proc
{
    internal static unsafe class Processes
    {
        private static Scheduler s_scheduler;
        private static Task[] s_bySlot;          // stack slot -> task, for the collector's roots
        private static Task s_init;
        private static Workqueue s_events;

        public static Scheduler Scheduler => s_scheduler;
        public static Task Init => s_init;
        public static Workqueue Events => s_events;
        public static bool Started => s_scheduler != null;

        // The boot context becomes PID 1 (the shell); an idle task and the first workqueue start.
        public static void Initialize()
        {
            Scheduler scheduler = new Scheduler();
            s_bySlot = new Task[KernelStacks.MaxSlots];
            if (scheduler.TryCreate(null, "sh", false, out Task init) != Errno.None) Panic.Fail("proc: cannot create PID 1");
            init.StackBottom = Layout.BootStackGuard() + 4096;
            init.StackTop = Layout.BootStackTop();
            s_init = init;
            if (!SetUpStack(scheduler.Idle, &IdleLoop)) Panic.Fail("proc: no stack for the idle task");
            scheduler.Start(init);
            s_scheduler = scheduler;
            s_events = Workqueue.Create("events");
            if (s_events == null) Panic.Fail("proc: cannot start the events workqueue");
            InputQueue.EnableSleeping();
            Yield();   // let the workqueue thread reach its first sleep before the shell starts
        }

        private static void IdleLoop()
        {
            while (true) Native.StiHlt();
        }

        // A kernel stack and a first frame that starts `entry` with interrupts on.
        private static bool SetUpStack(Task task, delegate*<void> entry)
        {
            if (!KernelStacks.TryAllocate(out int slot)) return false;
            task.StackSlot = slot;
            task.StackBottom = KernelStacks.Bottom(slot);
            task.StackTop = KernelStacks.Top(slot);
            s_bySlot[slot] = task;
            InterruptFrame* frame = (InterruptFrame*)((task.StackTop - (ulong)sizeof(InterruptFrame)) & ~15UL);
            byte* fx = (byte*)(((ulong)frame - 512) & ~15UL);
            for (int i = 0; i < 512; i++) fx[i] = 0;
            *(ushort*)fx = 0x037F;             // x87 control word: all exceptions masked
            *(uint*)(fx + 24) = 0x1F80;         // MXCSR: all SSE exceptions masked
            byte* f = (byte*)frame;
            for (int i = 0; i < sizeof(InterruptFrame); i++) f[i] = 0;
            frame->Rip = (ulong)entry;
            frame->Cs = Gdt.KernelCode;
            frame->Rflags = 0x202;              // IF
            frame->Ss = Gdt.KernelData;
            frame->Rsp = (((ulong)fx - 64) & ~15UL) - 8;  // as if just called
            task.SavedFrame = frame;
            task.IrqDepth = 0;
            task.IrqWereEnabled = false;
            return true;
        }

        // Creates a task running main(argv). forkMm: the child's address space is a copy-on-write
        // copy of the parent's; otherwise a new empty one (none for kernel threads).
        public static Errno Spawn(Task parent, string name, bool kernelThread, ProgramMain main, string[] argv, bool forkMm, out Task task)
        {
            task = null;
            AddressSpace mm = null;
            if (!kernelThread)
            {
                if (forkMm && parent != null && parent.Mm != null) mm = VirtualMemory.Fork(parent.Mm);
                else mm = VirtualMemory.CreateSpace();
                if (mm == null) return Errno.ENOMEM;
            }
            IrqLock.Enter();
            Errno e = kernelThread ? Errno.None : TaskContainers.CanFork(parent);
            if (e == Errno.None) e = s_scheduler.TryCreate(parent, name, kernelThread, out task);
            if (e != Errno.None)
            {
                IrqLock.Exit();
                if (mm != null) VirtualMemory.Destroy(mm);
                return e;
            }
            task.Mm = mm;
            task.Main = main;
            task.Argv = argv;
            if (!kernelThread && parent != null)
            {
                // What a child of fork inherits: its container, working directory and stdout.
                TaskContainers.Attach(parent, task);
                task.Cwd = parent.Cwd;
                task.Stdout = parent.Stdout;
                if (task.Stdout != null) task.Stdout.Retain();
            }
            if (!SetUpStack(task, &TaskStart))
            {
                // No stack: the task never ran; end it and reap it at once.
                TaskContainers.Detach(task);
                if (task.Stdout != null) task.Stdout.Release();
                task.Stdout = null;
                s_scheduler.Exit(task, 1);
                // Tasks without a parent (kernel threads) are the idle task's children: null reaps them.
                s_scheduler.TryReap(task.Parent, task.Pid, out int _, out int _);
                IrqLock.Exit();
                if (mm != null) VirtualMemory.Destroy(mm);
                task = null;
                return Errno.ENOMEM;
            }
            IrqLock.Exit();
            return Errno.None;
        }

        // First code of every new task (interrupts on).
        private static void TaskStart()
        {
            Task self = s_scheduler.Current;
            int status = self.Main(self.Argv);
            ExitCurrent(status);
        }

        // A fatal signal took effect: the old stack is abandoned; free what the task owns.
        private static void TaskKilled()
        {
            int signal = s_scheduler.TakeFatalSignal(s_scheduler.Current);
            ExitCurrent(128 + (signal == 0 ? Signals.SIGKILL : signal));
        }

        // The current task ends: its address space goes now, its stack when it is reaped.
        public static void ExitCurrent(int status)
        {
            Task self = s_scheduler.Current;
            if (self == s_init) Panic.Fail("proc: PID 1 exited");
            FlushStdout(self);
            CloseFiles(self);
            IrqLock.Enter();
            TaskContainers.Detach(self);
            AddressSpace mm = self.Mm;
            self.Mm = null;
            if (mm != null)
            {
                VirtualMemory.Switch(null);
                VirtualMemory.Destroy(mm);
            }
            s_scheduler.Exit(self, status);
            Native.Yield();
            Panic.Fail("proc: a zombie ran");
        }

        // The task's redirected output reaches its file (the last user closes it); a failed write
        // is reported on the console.
        private static void FlushStdout(Task self)
        {
            Fs.FileOutput output = self.Stdout;
            if (output == null) return;
            self.Stdout = null;
            Errno e = output.Release();
            if (e != Errno.None) Console.WriteLine(string.Concat(self.Name, ": write error: ", ErrnoText.Message(e)));
        }

        // Keeps file open until the current task exits (as a mapping keeps its file in Linux:
        // an unlinked file's pages live on while mapped).
        public static void HoldFile(Vfs.OpenFile file)
        {
            Task self = s_scheduler.Current;
            Vfs.OpenFile[] files = self.Files;
            int n = 0;
            if (files != null) while (n < files.Length && files[n] != null) n++;
            if (files == null || n == files.Length)
            {
                Vfs.OpenFile[] bigger = new Vfs.OpenFile[files == null ? 4 : files.Length * 2];
                for (int i = 0; i < n; i++) bigger[i] = files[i];
                self.Files = files = bigger;
            }
            files[n] = file;
        }

        private static void CloseFiles(Task self)
        {
            Vfs.OpenFile[] files = self.Files;
            self.Files = null;
            if (files == null) return;
            for (int i = 0; i < files.Length && files[i] != null; i++) Fs.FileSystems.Close(files[i]);
        }

        // Reaps a zombie child: frees its stack. Blocks while children exist but none has exited.
        public static Errno Wait(int pid, out int reapedPid, out int status)
        {
            Task self = s_scheduler.Current;
            while (true)
            {
                IrqLock.Enter();
                Errno e = s_scheduler.TryReap(self, pid, out reapedPid, out status);
                if (e == Errno.None) ReleaseReaped(reapedPid);
                if (e != Errno.EAGAIN)
                {
                    IrqLock.Exit();
                    return e;
                }
                s_scheduler.Block(s_scheduler.ChildExit(self), 0);
                Native.Yield();
                IrqLock.Exit();
                if (self != s_init && s_scheduler.HasFatalSignal(self)) return Errno.EINTR;
            }
        }

        // Non-blocking reap of any exited child (for the shell's job notices).
        public static Errno TryWait(int pid, out int reapedPid, out int status)
        {
            IrqLock.Enter();
            Errno e = s_scheduler.TryReap(s_scheduler.Current, pid, out reapedPid, out status);
            if (e == Errno.None) ReleaseReaped(reapedPid);
            IrqLock.Exit();
            return e;
        }

        private static void ReleaseReaped(int pid)
        {
            for (int slot = 0; slot < s_bySlot.Length; slot++)
            {
                Task t = s_bySlot[slot];
                if (t == null || t.Pid != pid || t.State != TaskState.Zombie) continue;
                s_bySlot[slot] = null;
                KernelStacks.Free(slot);
                t.StackSlot = -1;
                return;
            }
        }

        // kill(2) from task code (the scheduler is only ever entered with interrupts off).
        public static Errno Kill(int pid, int signal)
        {
            IrqLock.Enter();
            Errno e = s_scheduler.Kill(pid, signal);
            IrqLock.Exit();
            return e;
        }

        // A consistent copy of the task table, for ps.
        public static int Snapshot(Task[] into)
        {
            IrqLock.Enter();
            int n = s_scheduler.Snapshot(into);
            IrqLock.Exit();
            return n;
        }

        // Sleeps for ms; false when a fatal signal cut it short.
        public static bool Sleep(ulong ms)
        {
            IrqLock.Enter();
            s_scheduler.Sleep(Pit.UptimeMs + ms);
            Native.Yield();
            IrqLock.Exit();
            return !s_scheduler.HasFatalSignal(s_scheduler.Current);
        }

        public static void Yield()
        {
            IrqLock.Enter();
            Native.Yield();
            IrqLock.Exit();
        }

        // Timer interrupt: true when the current task's slice is over.
        public static bool Tick() => s_scheduler != null && s_scheduler.Tick(Pit.UptimeMs);

        // Interrupt context: picks the next task and returns the frame to resume.
        public static InterruptFrame* Reschedule(InterruptFrame* frame)
        {
            if (s_scheduler == null) return frame;
            Task current = s_scheduler.Current;
            current.SavedFrame = frame;
            current.IrqDepth = IrqLock.Depth;
            current.IrqWereEnabled = IrqLock.WereEnabled;
            Task next = s_scheduler.PickNext();
            if (next.Mm != current.Mm) VirtualMemory.Switch(next.Mm);
            IrqLock.Restore(next.IrqDepth, next.IrqWereEnabled);
            return Deliver(next, next.SavedFrame);
        }

        // Returning from an interrupt to the same task: a safe point for fatal signals.
        public static InterruptFrame* CheckSignals(InterruptFrame* frame)
        {
            if (s_scheduler == null) return frame;
            return Deliver(s_scheduler.Current, frame);
        }

        private static InterruptFrame* Deliver(Task task, InterruptFrame* frame)
        {
            if (task.IsKernelThread || task == s_init || task.LockDepth != 0 || task.StackSlot < 0) return frame;
            if (!s_scheduler.HasFatalSignal(task)) return frame;
            frame->Rip = (ulong)(delegate*<void>)&TaskKilled;
            frame->Rsp = ((task.StackTop - 2048) & ~15UL) - 8;
            frame->Rflags = 0x202;
            IrqLock.Restore(0, false);
            return frame;
        }

        // A page fault a process cannot survive: say so and kill it (the kernel lives on).
        public static bool KillOnFault(InterruptFrame* frame, ulong address, FaultResult result)
        {
            if (s_scheduler == null) return false;
            Task t = s_scheduler.Current;
            if (t == s_init || t.IsKernelThread || t.StackSlot < 0 || !PageTable.IsUserPage(address)) return false;
            if (result == FaultResult.OutOfMemory)
            {
                Console.Write("Out of memory: Killed process ");
                Console.WriteDecimal((ulong)t.Pid);
                Console.Write(" (");
                Console.Write(t.Name);
                Console.Write(")\n");
            }
            else
            {
                Console.Write(t.Name);
                Console.Write("[");
                Console.WriteDecimal((ulong)t.Pid);
                Console.Write("]: segfault at 0x");
                Console.WriteHex(address, 12);
                Console.Write("\n");
            }
            s_scheduler.Kill(t.Pid, Signals.SIGKILL);
            return true;
        }

        // The collector's view: every task's stack that may hold references. The current stack is
        // scanned from rsp by the collector itself; others from their saved FPU area upward.
        public static int StackCount => s_bySlot == null ? 0 : s_bySlot.Length;

        public static bool TryGetSavedStack(int index, out ulong low, out ulong high)
        {
            low = high = 0;
            Task t = index < 0 ? s_init : s_bySlot[index];
            if (t == null || t == s_scheduler.Current || t.State == TaskState.Zombie || t.SavedFrame == null) return false;
            low = ((ulong)t.SavedFrame - 512) & ~15UL;
            high = t.StackTop;
            return true;
        }

        public static ulong CurrentStackTop => s_scheduler == null ? Layout.BootStackTop() : s_scheduler.Current.StackTop;
        public static ulong CurrentStackBottom => s_scheduler == null ? Layout.BootStackGuard() + 4096 : s_scheduler.Current.StackBottom;
    }
}
