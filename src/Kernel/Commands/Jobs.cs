// The shell's processes: starting tasks with the standard streams a pipeline stage needs, the
// foreground (where Ctrl-C goes) and the job table of background pipelines, `jobs`, `wait`, `ps`,
// `kill`, and the notices printed before the next prompt when a background job has finished.
//
// RunTask is also how a command does work that needs an address space of its own (vmtest, the
// fault benchmark, the process commands memtest and gctest, watch and containers -w): the work
// runs in a child task that owns its mm, so every context switch puts that task's page tables back
// in CR3 — a command never switches CR3 behind the scheduler's back — and a fault it cannot
// survive kills the child, never the shell.
//
// The foreground is a set of PIDs (a pipeline's processes): Ctrl-C sends SIGINT to each and to
// every task descending from one (what a process group gives Linux), from the interrupt handler,
// through a task array allocated beforehand. Invariants: only PID 1 keeps a job table and a
// foreground; a task started by another task is its own child, waited for by PID (never "any
// child", which would reap the shell's background jobs); a job lists its processes' PIDs and
// leaves the table when the last of them has been reaped.
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Shell;

namespace Kernel.Commands
{
    // A task's standard input, output and error (null: the console).
    internal struct Streams
    {
        public FileInput In;
        public FileOutput Out;
        public FileOutput Err;
    }

    internal static class Jobs
    {
        private const int MaxJobs = 64;
        private const int MaxAncestors = 64;   // how far up Ctrl-C looks for a foreground PID

        private sealed class Job
        {
            public int[] Pids;       // 0 once reaped
            public int Left;         // not reaped yet
            public int Status;       // the last process's
            public string Name;
            public ulong Started;    // order of starting: the highest is the current job (%%)
        }

        private static readonly Job[] s_jobs = new Job[MaxJobs + 1];   // index = job number
        private static volatile int[] s_foreground;                     // null: none (read by Ctrl-C)
        private static Task[] s_tasks;                                  // Ctrl-C's copy of the task table
        private static ulong s_started;                                 // jobs started so far

        // Starts main(args) as a child of the current task with the given standard streams (the
        // child holds references of its own), with an address space of its own (a copy-on-write
        // copy of the caller's, or a new empty one when the caller has none, as the shell).
        // Returns its PID, or 0 after saying why it could not start.
        public static int Start(string name, ProgramMain main, string[] args, Streams streams)
        {
            Process self = Sys.Processes.Current;
            FileInput savedIn = self.Stdin;
            FileOutput savedOut = self.Stdout, savedErr = self.Stderr;
            self.Stdin = streams.In;
            self.Stdout = streams.Out;
            self.Stderr = streams.Err;
            Errno e = Sys.Processes.Spawn(self, name, TaskKind.User, main, args, MmSource.Fork, out Process task);
            self.Stdin = savedIn;
            self.Stdout = savedOut;
            self.Stderr = savedErr;
            if (e != Errno.None)
            {
                Console.Error(string.Concat("sh: fork: ", ErrnoText.Message(e)));
                return 0;
            }
            return task.Pid;
        }

        // The current task's own streams.
        public static Streams Own()
        {
            Process self = Sys.Processes.Current;
            Streams s = new Streams();
            s.In = self.Stdin;
            s.Out = self.Stdout;
            s.Err = self.Stderr;
            return s;
        }

        // A built-in's handler as a process's main.
        public static ProgramMain AsMain(Command command)
        {
            CommandHandler run = command.Run;
            return a => run(a, a.Length);
        }

        // Starts main(args) as a child with the caller's streams (stdout: the given one when not
        // null). Foreground: waits for that child and returns its exit status (128 + signal when
        // killed; 1 when it could not start, after saying why); Ctrl-C interrupts it when the
        // caller is the shell. Background: a job; returns 0. pid: the child's, or 0.
        public static int RunTask(string name, ProgramMain main, string[] args, bool background, FileOutput stdout, out int pid)
        {
            Streams streams = Own();
            if (stdout != null) streams.Out = stdout;
            if (background) streams.In = FileInput.Empty(Sys.Irq);   // as sh gives a background job /dev/null
            pid = Start(name, main, args, streams);
            if (background) streams.In.Release();
            if (pid == 0) return 1;
            int[] pids = new int[] { pid };
            if (background)
            {
                AddJob(pids, name);
                return 0;
            }
            int[] statuses = new int[1];
            WaitAll(pids, statuses);
            return statuses[0];
        }

        // Waits for each of pids (0s are skipped) and stores their statuses; the shell makes them
        // the foreground meanwhile and reports a signal that ended the last one.
        public static void WaitAll(int[] pids, int[] statuses)
        {
            bool shell = Sys.Processes.Current == Sys.Processes.Init;
            if (shell)
            {
                if (s_tasks == null) s_tasks = new Task[Scheduler.MaxTasks];
                s_foreground = pids;
            }
            for (int i = 0; i < pids.Length; i++)
            {
                if (pids[i] == 0) continue;
                Errno w = Sys.Processes.Wait(pids[i], out int _, out int status);
                statuses[i] = w == Errno.None ? status : 1;
            }
            if (shell)
            {
                s_foreground = null;
                ReportSignal(statuses[statuses.Length - 1]);
            }
        }

        // PID 1 records a background job (its processes' PIDs) and prints `[job] PID` (the last).
        public static void AddJob(int[] pids, string name)
        {
            int last = 0;
            for (int i = 0; i < pids.Length; i++) if (pids[i] != 0) last = pids[i];
            if (last == 0) return;
            bool shell = Sys.Processes.Current == Sys.Processes.Init;
            int number = 1;
            if (shell)
            {
                while (number <= MaxJobs && s_jobs[number] != null) number++;
                if (number <= MaxJobs)
                {
                    Job job = new Job();
                    job.Pids = pids;
                    job.Name = name;
                    job.Started = ++s_started;
                    for (int i = 0; i < pids.Length; i++) if (pids[i] != 0) job.Left++;
                    s_jobs[number] = job;
                }
            }
            Console.WriteLine(string.Concat("[", shell && number <= MaxJobs ? number.ToString() : "?", "] ", last.ToString()));
        }

        // True when the current task has been told to die (a process command checks this to stop
        // early; the signal itself takes effect when it returns), or, for PID 1 running a
        // built-in, when Ctrl-C was typed meanwhile (taken: the built-in stops, the shell goes on).
        public static bool Interrupted()
        {
            Process self = Sys.Processes.Current;
            if (self == Sys.Processes.Init) return ConsoleInput.TakeInterrupt();
            return Sys.Processes.Scheduler.HasFatalSignal(self);
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

        // Ctrl-C while a foreground pipeline runs: SIGINT to its processes and their descendants
        // (interrupt context: nothing allocated). False: no foreground.
        public static bool InterruptForeground()
        {
            int[] foreground = s_foreground;
            if (foreground == null || !Sys.ProcessesStarted) return false;
            Scheduler s = Sys.Processes.Scheduler;
            int n = s.Snapshot(s_tasks);
            for (int i = 0; i < n; i++)
            {
                Task t = s_tasks[i];
                s_tasks[i] = null;
                Task a = t;
                for (int depth = 0; a != null && depth < MaxAncestors; depth++, a = a.Parent)
                    if (Contains(foreground, a.Pid))
                    {
                        s.Kill(t.Pid, Signals.SIGINT);
                        break;
                    }
            }
            Console.Write("^C");
            return true;
        }

        private static bool Contains(int[] pids, int pid)
        {
            for (int i = 0; i < pids.Length; i++) if (pids[i] == pid) return true;
            return false;
        }

        private static string StateText(int status) =>
            status == 0 ? "Done" : status >= 128 ? (status == 128 + Signals.SIGKILL ? "Killed" : status == 128 + Signals.SIGTERM ? "Terminated" :
            status == 128 + Signals.SIGPIPE ? "Broken pipe" : "Interrupt") : string.Concat("Exit ", status.ToString());

        // A reaped PID: its job's bookkeeping; the job's notice once its last process is gone.
        private static void Reaped(int pid, int status, bool waited)
        {
            for (int number = 1; number <= MaxJobs; number++)
            {
                Job job = s_jobs[number];
                if (job == null) continue;
                for (int i = 0; i < job.Pids.Length; i++)
                {
                    if (job.Pids[i] != pid) continue;
                    job.Pids[i] = 0;
                    job.Left--;
                    if (i == job.Pids.Length - 1) job.Status = status;
                    if (job.Left == 0)
                    {
                        Console.WriteLine(string.Concat("[", number.ToString(), "]+  ", Numbers.PadRight(StateText(job.Status), 24), job.Name));
                        s_jobs[number] = null;
                    }
                    return;
                }
            }
        }

        // Before each prompt: reap finished children (PID 1 also reaps re-parented orphans) and
        // print a notice for each background job whose processes have all ended.
        public static void ReapAndNotify()
        {
            while (Sys.Processes.TryWait(-1, out int pid, out int status) == Errno.None) Reaped(pid, status, false);
        }

        // jobs: as ash lists them, the current job (%%) marked +, the one started before it -.
        public static int JobsCommand(string[] argv, int argc)
        {
            int current = 0, previous = 0;
            for (int number = 1; number <= MaxJobs; number++)
            {
                if (s_jobs[number] == null) continue;
                if (current == 0 || s_jobs[number].Started > s_jobs[current].Started)
                {
                    previous = current;
                    current = number;
                }
                else if (previous == 0 || s_jobs[number].Started > s_jobs[previous].Started) previous = number;
            }
            for (int number = 1; number <= MaxJobs; number++)
                if (s_jobs[number] != null)
                    Console.WriteLine(string.Concat("[", number.ToString(), number == current ? "]+  " : number == previous ? "]-  " : "]   ",
                        Numbers.PadRight("Running", 24), string.Concat(s_jobs[number].Name, " &")));
            return 0;
        }

        // A job by its spec, as ash reads them: %N (job N), %%, %+ or % (the current job, the
        // one started last); or, when pidToo, a PID of one of the jobs. 0: none (only PID 1 has
        // jobs).
        private static int FindJob(string spec, bool pidToo)
        {
            if (Sys.Processes.Current != Sys.Processes.Init || spec.Length == 0) return 0;
            if (spec[0] != '%')
            {
                if (!pidToo || Numbers.TryParseInt(spec, out int pid) != ParseStatus.Ok || pid <= 0) return 0;
                for (int number = 1; number <= MaxJobs; number++)
                    if (s_jobs[number] != null)
                        for (int i = 0; i < s_jobs[number].Pids.Length; i++)
                            if (s_jobs[number].Pids[i] == pid) return number;
                return 0;
            }
            if (spec == "%" || spec == "%%" || spec == "%+")
            {
                int current = 0;
                for (int number = 1; number <= MaxJobs; number++)
                    if (s_jobs[number] != null && (current == 0 || s_jobs[number].Started > s_jobs[current].Started)) current = number;
                return current;
            }
            if (Numbers.TryParseInt(spec.Substring(1), out int n) != ParseStatus.Ok || n < 1 || n > MaxJobs || s_jobs[n] == null) return 0;
            return n;
        }

        // Waits for every process of job `number` (PID 1 only); its status (the last process's).
        private static int WaitJob(int number)
        {
            Job job = s_jobs[number];
            s_foreground = job.Pids;
            if (s_tasks == null) s_tasks = new Task[Scheduler.MaxTasks];
            for (int i = 0; i < job.Pids.Length && s_jobs[number] == job; i++)
            {
                int pid = job.Pids[i];
                if (pid == 0) continue;
                Errno e = Sys.Processes.Wait(pid, out int _, out int status);
                Reaped(pid, e == Errno.None ? status : 0, true);
            }
            s_foreground = null;
            return job.Status;
        }

        // wait: every background job of the shell, status 0; wait %N|PID...: those jobs, the
        // status of the last (127 for one that is not a job, as ash). In any other task there is
        // nothing to wait for.
        public static int WaitCommand(string[] argv, int argc)
        {
            if (Sys.Processes.Current != Sys.Processes.Init) return 0;
            if (argc == 1)
            {
                for (int number = 1; number <= MaxJobs; number++)
                    if (s_jobs[number] != null) WaitJob(number);
                return 0;
            }
            int status = 0;
            for (int i = 1; i < argc; i++)
            {
                int number = FindJob(argv[i], true);
                if (number != 0) status = WaitJob(number);
                else
                {
                    Console.Error(argv[i][0] == '%' ? string.Concat("sh: wait: ", argv[i], ": no such job")
                        : string.Concat("sh: wait: pid ", argv[i], " is not a child of this shell"));
                    status = 127;
                }
            }
            return status;
        }

        // ps: PID PPID STAT TIME RSS COMMAND; kernel threads in brackets, like Linux.
        public static int Ps(string[] argv, int argc)
        {
            Task[] snapshot = new Task[Scheduler.MaxTasks];   // its own: ps may run in several tasks at once
            int n = Sys.Processes.Snapshot(snapshot);
            Console.WriteLine("  PID  PPID STAT   TIME    RSS CONTAINER  COMMAND");
            for (int i = 0; i < n; i++)
            {
                Task t = snapshot[i];
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
                Console.WriteLine("usage: kill [-SIGNAL] PID|%JOB...");
                return 2;
            }
            int status = 0;
            for (int i = first; i < argc; i++)
            {
                if (argv[i].Length > 0 && argv[i][0] == '%')
                {
                    int number = FindJob(argv[i], false);
                    if (number == 0)
                    {
                        Console.Error(string.Concat("sh: kill: ", argv[i], ": no such job"));
                        status = 1;
                        continue;
                    }
                    int[] pids = s_jobs[number].Pids;
                    for (int k = 0; k < pids.Length; k++)
                        if (pids[k] != 0) Sys.Processes.Kill(pids[k], signal);   // a zombie not reaped yet: nothing to do
                    continue;
                }
                if (Numbers.TryParseInt(argv[i], out int pid) != ParseStatus.Ok || pid <= 0)
                {
                    Console.WriteLine("usage: kill [-SIGNAL] PID|%JOB...");
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
