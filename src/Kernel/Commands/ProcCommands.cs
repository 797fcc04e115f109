// wqtest and bench proc: the workqueue and the scheduler measured from the shell.
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Proc;
using Kernel.Sched;

namespace Kernel.Commands
{
    internal static class ProcCommands
    {
        private sealed class Marker : WorkItem
        {
            public int RunBy;
            public ulong RunAt;
            public override void Run()
            {
                RunBy = Sys.Processes.Current.Pid;
                RunAt = Tsc.UptimeMs;
            }
        }

        // Queues an item on the events workqueue and checks its kernel thread ran it.
        public static int WqTest(string[] argv, int argc)
        {
            Marker item = new Marker();
            ulong queued = Tsc.UptimeMs;
            Workqueue wq = Sys.Events;
            if (!wq.Queue(item))
            {
                Console.WriteLine("wqtest: FAILED: not queued");
                return 1;
            }
            for (int i = 0; i < 100 && item.RunBy == 0; i++) Sys.Processes.Sleep(1);
            bool ok = item.RunBy == wq.Thread.Pid;
            Console.WriteLine(string.Concat("wqtest: item run by PID ", item.RunBy.ToString(), " [", wq.Name,
                string.Concat("] after ", (item.RunAt - queued).ToString(), " ms", ok ? ": ok" : ": FAILED")));
            return ok ? 0 : 1;
        }

        private static int Yielder(string[] argv)
        {
            for (int i = 0; i < 2000; i++) Sys.Processes.Yield();
            return 0;
        }

        private static int Nothing(string[] argv) => 0;

        private static Mutex s_mutex;
        private static int s_shared;

        // Increments a shared counter under the mutex, yielding inside the critical section so the
        // other task must sleep on the lock.
        private static int Locker(string[] argv)
        {
            for (int i = 0; i < 1000; i++)
            {
                s_mutex.Lock();
                int v = s_shared;
                Sys.Processes.Yield();
                s_shared = v + 1;
                s_mutex.Unlock();
            }
            return 0;
        }

        // Starts main as a child of the current task; 0 when it could not start.
        private static int Start(string name, ProgramMain main, string[] args, bool forkMm)
        {
            Errno e = Sys.Processes.Spawn(Sys.Processes.Current, name, TaskKind.User, main, args, forkMm ? MmSource.Fork : MmSource.New, out Process task);
            return e == Errno.None ? task.Pid : 0;
        }

        // Waits for the given child (never "any child": that would reap the shell's background jobs).
        private static int WaitFor(int pid)
        {
            if (pid == 0) return -1;
            return Sys.Processes.Wait(pid, out int _, out int status) == Errno.None ? status : -1;
        }

        // bench proc: the kernel's own figures only (a comparison with Linux is `build.ps1 bench`,
        // which measures both). A part whose run fails prints FAILED, never an earlier run's figure.
        public static int Bench(string[] argv, int argc)
        {
            int failures = 0;

            // Context switch: two tasks yielding to each other 2000 times each.
            ulong start = Tsc.Now;
            int y1 = Start("yielder", Yielder, null, false), y2 = Start("yielder", Yielder, null, false);
            int s1 = WaitFor(y1), s2 = WaitFor(y2);
            ulong cycles = Tsc.Now - start;
            if (s1 != 0 || s2 != 0)
            {
                Console.WriteLine("bench proc: context switch: FAILED (the yielding tasks did not both run)");
                failures++;
            }
            else Console.WriteLine(string.Concat("bench proc: context switch ", Tsc.ToMicroseconds(cycles / 4000).ToString(),
                " us (", (cycles / 4000).ToString(), " cycles)"));

            // fork + exit + wait.
            const int Rounds = 200;
            int done = 0;
            start = Tsc.Now;
            for (int i = 0; i < Rounds; i++)
            {
                if (WaitFor(Start("true", Nothing, null, true)) != 0) break;
                done++;
            }
            cycles = Tsc.Now - start;
            if (done != Rounds)
            {
                Console.WriteLine(string.Concat("bench proc: fork+exit+wait: FAILED (round ", (done + 1).ToString(), " of ", string.Concat(Rounds.ToString(), ")")));
                failures++;
            }
            else Console.WriteLine(string.Concat("bench proc: fork+exit+wait ", Tsc.ToMicroseconds(cycles / Rounds).ToString(), " us"));

            // memhog 2048 1 as a process, 5 times (TCG timing is noisy): the median. A run counts
            // only when memhog exited 0, which it does only after recording its own time.
            ProgramInfo memhog = Programs.Find("memhog");
            ulong[] runs = new ulong[5];
            int failedRun = -1;
            for (int i = 0; i < runs.Length && failedRun < 0; i++)
            {
                int status = WaitFor(Start("memhog 2048 1", memhog.Main, new string[] { "memhog", "2048", "1" }, false));
                if (status == 0) runs[i] = Programs.LastMemhogMs;
                else failedRun = i;
            }
            if (failedRun >= 0)
            {
                Console.WriteLine(string.Concat("bench proc: memhog 2048 1: FAILED (run ", (failedRun + 1).ToString(), " of 5 did not finish)"));
                failures++;
            }
            else
            {
                for (int i = 1; i < runs.Length; i++)
                    for (int j = i; j > 0 && runs[j - 1] > runs[j]; j--) { ulong t = runs[j]; runs[j] = runs[j - 1]; runs[j - 1] = t; }
                Console.WriteLine(string.Concat("bench proc: memhog 2048 1 median ", runs[2].ToString(), " ms of 5 (",
                    string.Concat(runs[0].ToString(), "..", runs[4].ToString(), " ms)")));
            }

            // A mutex handed between two tasks.
            s_mutex = new Mutex(Sys.Processes.Scheduler, Sys.Irq, Sys.Cpu, Sys.Printk);
            s_shared = 0;
            start = Tsc.Now;
            int l1 = Start("locker", Locker, null, false), l2 = Start("locker", Locker, null, false);
            s1 = WaitFor(l1);
            s2 = WaitFor(l2);
            cycles = Tsc.Now - start;
            if (s1 != 0 || s2 != 0)
            {
                Console.WriteLine("bench proc: mutex: FAILED (the locking tasks did not both finish)");
                failures++;
            }
            else
            {
                Console.WriteLine(string.Concat("bench proc: mutex lock+unlock with 2 tasks ", (cycles / 2000).ToString(),
                    " cycles/pair, counter ", s_shared.ToString(), s_shared == 2000 ? " (ok)" : " (LOST UPDATES)"));
                if (s_shared != 2000) failures++;
            }
            return failures == 0 ? 0 : 1;
        }
    }
}
