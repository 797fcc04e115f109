// The shell's processes: starting programs in the foreground or in the background (&), the job
// table, `jobs`, `wait`, `ps`, `kill`, and the notices printed before the next prompt when a
// background job has finished. The foreground job's PID is where Ctrl-C goes.
//
// RunTask is also how a command does work that needs an address space of its own (vmtest, the
// fault benchmark, the process commands memtest and gctest): the work runs in a child task that
// owns its mm, so every context switch puts that task's page tables back in CR3 — a command never
// switches CR3 behind the scheduler's back — and a fault it cannot survive kills the child, never
// the shell. Invariants: only PID 1 keeps a job table and a foreground PID; a task started by
// another task (a process command's child) is its own child, waited for by PID (never "any
// child", which would reap the shell's background jobs).
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static class Jobs
    {
        private const int MaxJobs = 64;
        private static readonly int[] s_pids = new int[MaxJobs + 1];      // index = job number
        private static readonly string[] s_names = new string[MaxJobs + 1];
        private static Task[] s_snapshot;
        private static volatile int s_foreground;

        public static int ForegroundPid => s_foreground;

        private static string Join(string[] argv, int argc)
        {
            string line = argv[0];
            for (int i = 1; i < argc; i++) line = string.Concat(line, " ", argv[i]);
            return line;
        }

        // stdout: where the program's output goes (it inherits it for the spawn); null: the shell's own.
        public static int Run(ProgramInfo program, string[] argv, int argc, bool background, Fs.FileOutput stdout = null)
        {
            string[] args = new string[argc];
            for (int i = 0; i < argc; i++) args[i] = argv[i];
            return RunTask(Join(argv, argc), program.Main, args, background, stdout, out int _);
        }

        // A built-in that runs as a process (Command.Process): the same as a program.
        public static int RunCommand(Command command, string[] argv, int argc, bool background, Fs.FileOutput stdout = null)
        {
            string[] args = new string[argc];
            for (int i = 0; i < argc; i++) args[i] = argv[i];
            CommandHandler run = command.Run;
            return RunTask(Join(argv, argc), a => run(a, a.Length), args, background, stdout, out int _);
        }

        // Starts main(args) as a child of the current task, with an address space of its own (a
        // copy-on-write copy of the caller's, or a new empty one when the caller has none, as the
        // shell). Foreground: waits for that child alone and returns its exit status (128 + signal
        // when killed; 1 when it could not start, after saying why); Ctrl-C interrupts it when the
        // caller is the shell. Background: PID 1 records a job and prints `[job] PID`; returns 0.
        // pid: the child's, or 0 when it could not start.
        public static int RunTask(string name, ProgramMain main, string[] args, bool background, Fs.FileOutput stdout, out int pid)
        {
            pid = 0;
            Process self = Sys.Processes.Current;
            bool shell = self == Sys.Processes.Init;
            Fs.FileOutput saved = self.Stdout;
            if (stdout != null) self.Stdout = stdout;
            Errno e = Sys.Processes.Spawn(self, name, TaskKind.User, main, args, MmSource.Fork, out Process task);
            self.Stdout = saved;
            if (e != Errno.None)
            {
                Console.Error(string.Concat("sh: fork: ", ErrnoText.Message(e)));
                return 1;
            }
            pid = task.Pid;
            if (background)
            {
                int job = 1;
                if (shell)
                {
                    while (job <= MaxJobs && s_pids[job] != 0) job++;
                    if (job <= MaxJobs)
                    {
                        s_pids[job] = task.Pid;
                        s_names[job] = name;
                    }
                }
                Console.WriteLine(string.Concat("[", shell && job <= MaxJobs ? job.ToString() : "?", "] ", task.Pid.ToString()));
                return 0;
            }
            if (shell) s_foreground = task.Pid;
            Errno w = Sys.Processes.Wait(task.Pid, out int _, out int status);
            if (shell) s_foreground = 0;
            if (w != Errno.None) return 1;
            if (shell) ReportSignal(status);
            return status;
        }

        // True when the current task has been told to die (a process command checks this to stop
        // early; the signal itself takes effect when it returns).
        public static bool Interrupted()
        {
            Process self = Sys.Processes.Current;
            return self != Sys.Processes.Init && Sys.Processes.Scheduler.HasFatalSignal(self);
        }

        // A stretch where the current task holds kernel resources nothing else would free (raw
        // frames): a fatal signal waits until it ends, exactly as while a mutex is held (Task.NoKillDepth; Sys.Processes.Unkillable).
        // Not for PID 1 (never killed anyway). Enter and Leave pair up; nothing here sleeps.
        public static void EnterUnkillable()
        {
            Sys.Processes.Current.NoKillDepth++;
        }

        public static void LeaveUnkillable()
        {
            Sys.Processes.LeaveUnkillable(Sys.Processes.Current);
        }

        private static void ReportSignal(int status)
        {
            if (status == 128 + Signals.SIGKILL) Console.WriteLine("Killed");
            else if (status == 128 + Signals.SIGTERM) Console.WriteLine("Terminated");
            else if (status == 128 + Signals.SIGINT) Console.Write("\n");
        }

        // Ctrl-C while a foreground job runs: SIGINT to it (interrupt context). False: no job.
        public static bool InterruptForeground()
        {
            int pid = s_foreground;
            if (pid == 0 || !Sys.ProcessesStarted) return false;
            Sys.Processes.Scheduler.Kill(pid, Signals.SIGINT);
            Console.Write("^C");
            return true;
        }

        // Before each prompt: reap finished children (PID 1 also reaps re-parented orphans) and
        // print a notice for each background job among them.
        public static void ReapAndNotify()
        {
            while (Sys.Processes.TryWait(-1, out int pid, out int status) == Errno.None)
                for (int job = 1; job <= MaxJobs; job++)
                    if (s_pids[job] == pid)
                    {
                        string state = status == 0 ? "Done" : status >= 128 ? (status == 128 + Signals.SIGKILL ? "Killed" : status == 128 + Signals.SIGTERM ? "Terminated" : "Interrupt") : string.Concat("Exit ", status.ToString());
                        Console.WriteLine(string.Concat("[", job.ToString(), "]+  ", Numbers.PadRight(state, 24), s_names[job]));
                        s_pids[job] = 0;
                        s_names[job] = null;
                    }
        }

        public static int JobsCommand(string[] argv, int argc)
        {
            for (int job = 1; job <= MaxJobs; job++)
                if (s_pids[job] != 0)
                    Console.WriteLine(string.Concat("[", job.ToString(), "]   ", Numbers.PadRight("Running", 24), string.Concat(s_names[job], " &")));
            return 0;
        }

        public static int WaitCommand(string[] argv, int argc)
        {
            while (true)
            {
                bool any = false;
                for (int job = 1; job <= MaxJobs; job++) any |= s_pids[job] != 0;
                if (!any) return 0;
                for (int job = 1; job <= MaxJobs; job++)
                {
                    if (s_pids[job] == 0) continue;
                    int pid = s_pids[job];
                    s_foreground = pid;
                    Errno e = Sys.Processes.Wait(pid, out int _, out int status);
                    s_foreground = 0;
                    string state = e != Errno.None ? "Done" : status == 0 ? "Done" : string.Concat("Exit ", status.ToString());
                    Console.WriteLine(string.Concat("[", job.ToString(), "]+  ", Numbers.PadRight(state, 24), s_names[job]));
                    s_pids[job] = 0;
                    s_names[job] = null;
                }
            }
        }

        // ps: PID PPID STAT TIME RSS COMMAND; kernel threads in brackets, like Linux.
        public static int Ps(string[] argv, int argc)
        {
            if (s_snapshot == null) s_snapshot = new Task[Scheduler.MaxTasks];
            int n = Sys.Processes.Snapshot(s_snapshot);
            Console.WriteLine("  PID  PPID STAT   TIME    RSS CONTAINER  COMMAND");
            for (int i = 0; i < n; i++)
            {
                Task t = s_snapshot[i];
                s_snapshot[i] = null;
                Process p = t as Process;
                AddressSpace mm = p == null ? null : p.Mm;
                Containers.Container container = p == null ? null : p.Container;
                ulong seconds = t.CpuTicks / 1000;
                string time = string.Concat((seconds / 60).ToString(), ":", Text.TwoDigits(seconds % 60));
                ulong rss = mm == null ? 0 : (ulong)mm.ResidentPages * 4;
                string stat = t.State == TaskState.Zombie ? "Z" : t.State == TaskState.Sleeping ? "S" : t.State == TaskState.Stopped ? "T" : "R";
                string command = t.IsKernelThread ? string.Concat("[", t.Name, "]") : t.Name;
                Console.WriteLine(string.Concat(Numbers.PadLeft(t.Pid.ToString(), 5), " ", Numbers.PadLeft(t.Parent == null ? "0" : t.Parent.Pid.ToString(), 5),
                    string.Concat(" ", Numbers.PadRight(stat, 4), Numbers.PadLeft(time, 5), " "),
                    string.Concat(Numbers.PadLeft(rss.ToString(), 6), " ", Numbers.PadRight(container == null ? "-" : container.Name, 10), string.Concat(" ", command))));
            }
            return 0;
        }

        // kill [-SIG] PID...
        public static int Kill(string[] argv, int argc)
        {
            int signal = Signals.SIGTERM;
            int first = 1;
            if (argc >= 2 && argv[1].Length > 1 && argv[1][0] == '-')
            {
                if (!Signals.TryParse(argv[1].Substring(1), out signal))
                {
                    Console.WriteLine(string.Concat("kill: invalid signal specification: ", argv[1].Substring(1)));
                    return 1;
                }
                first = 2;
            }
            if (first >= argc)
            {
                Console.WriteLine("usage: kill [-SIGNAL] PID...");
                return 2;
            }
            int status = 0;
            for (int i = first; i < argc; i++)
            {
                if (Numbers.TryParseInt(argv[i], out int pid) != ParseStatus.Ok || pid <= 0)
                {
                    Console.WriteLine("usage: kill [-SIGNAL] PID...");
                    return 2;
                }
                Errno e = Sys.Processes.Kill(pid, signal);
                if (e != Errno.None)
                {
                    Console.WriteLine(string.Concat("kill: (", pid.ToString(), ") - ", ErrnoText.Message(e)));
                    status = 1;
                }
            }
            return status;
        }
    }
}
