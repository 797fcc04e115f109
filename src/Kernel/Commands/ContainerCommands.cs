// Commands about memory containers: memcheck (the accounting audit) and bench containers (the
// cost of charging). The containers themselves are managed through /config/containers.
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Containers;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Proc;
using Kernel.Sched;

namespace Kernel.Commands
{
    internal static class ContainerCommands
    {
        // Walks the frame database with interrupts off (a consistent picture) and prints each
        // disagreement with a container's counters, or "memcheck: ok".
        public static int MemCheck(string[] argv, int argc)
        {
            if (argc != 1)
            {
                Console.Error("usage: memcheck");
                return 2;
            }
            Sys.Irq.Enter();
            string[] problems = Kernel.Containers.MemCheck.Run(Sys.Memory.Context, Sys.Containers);
            string buffers = Sys.Files.Buffers.Verify();
            Sys.Irq.Exit();
            if (buffers != null)
            {
                string[] more = new string[problems.Length + 1];
                for (int i = 0; i < problems.Length; i++) more[i] = problems[i];
                more[problems.Length] = string.Concat("memcheck: ", buffers);
                problems = more;
            }
            if (problems.Length == 0)
            {
                Console.WriteLine("memcheck: ok");
                return 0;
            }
            for (int i = 0; i < problems.Length; i++) Console.WriteLine(problems[i]);
            return 1;
        }

        // memhog 4096 3 in a container with a high limit and in none, alternately, Runs times each
        // (the shell joins the container for the spawn, so the child is charged to it). Prints
        // the medians and their ratio: what charging a container costs over charging the root
        // (pages outside containers are counted for the root by the same path). One run is ~15 ms
        // under TCG, where timer noise is a few percent: hence the many runs.
        public static int Bench(string[] argv, int argc)
        {
            const string Name = "bench-charge";
            if (Sys.Processes.Init.Container != null)
            {
                Console.Error("bench containers: the shell is in a container; rmtask it first");
                return 1;
            }
            ContainerTable table = Sys.Containers;
            Sys.Irq.Enter();
            Errno e = table.Create(Name, out Container c);
            Sys.Irq.Exit();
            if (e != Errno.None)
            {
                Console.Error(string.Concat("bench containers: mkdir ", Name, ": ", ErrnoText.Message(e)));
                return 1;
            }
            ProgramInfo memhog = Programs.Find("memhog");
            string[] args = new string[] { "memhog", "4096", "3" };
            const int Runs = 15;
            ulong[] inside = new ulong[Runs], outside = new ulong[Runs];
            ulong pagesCharged = 0;
            bool failed = false;
            for (int i = 0; i < Runs && !failed; i++)
            {
                for (int round = 0; round < 2; round++)
                {
                    bool contained = ((i + round) & 1) == 0;
                    if (contained)
                    {
                        Sys.Irq.Enter();
                        table.AddTask(c, "1");
                        Sys.Irq.Exit();
                    }
                    Errno s = Sys.Processes.Spawn(Sys.Processes.Init, "memhog 4096 3", TaskKind.User, memhog.Main, args, MmSource.New, out Process task);
                    if (contained)
                    {
                        Sys.Irq.Enter();
                        table.RemoveTask(c, "1");
                        Sys.Irq.Exit();
                    }
                    // This memhog alone (not any child: the shell's background jobs are children
                    // too), and its figure only when it finished (exit 0 comes after it recorded it).
                    int status = -1;
                    if (s == Errno.None && Sys.Processes.Wait(task.Pid, out int _, out status) != Errno.None) status = -1;
                    if (status != 0) { failed = true; break; }
                    if (contained)
                    {
                        inside[i] = Programs.LastMemhogCycles;
                        if ((ulong)c.MaxPageUsage > pagesCharged) pagesCharged = (ulong)c.MaxPageUsage;
                    }
                    else outside[i] = Programs.LastMemhogCycles;
                }
            }
            Sys.Irq.Enter();
            table.Remove(Name);
            Sys.Irq.Exit();
            if (failed)
            {
                Console.WriteLine("bench containers: FAILED (a memhog 4096 3 run did not finish)");
                return 1;
            }
            ulong a = Median(inside), b = Median(outside);
            ulong ratio = b == 0 ? 0 : a * 1000 / b;
            Console.WriteLine(string.Concat("bench containers: memhog 4096 3 in a container ", Tsc.ToMicroseconds(a).ToString(), " us, in none ",
                string.Concat(Tsc.ToMicroseconds(b).ToString(), " us (medians of 15; peak charge ", pagesCharged.ToString(), " pages)")));
            Console.WriteLine(string.Concat("bench containers: charging overhead ratio ", (ratio / 1000).ToString(), ".",
                string.Concat(Text.TwoDigits(ratio / 10 % 100), (ratio % 10).ToString(), " (target <= 1.05)")));
            return 0;
        }

        private static ulong Median(ulong[] runs)
        {
            for (int i = 1; i < runs.Length; i++)
                for (int j = i; j > 0 && runs[j - 1] > runs[j]; j--) { ulong t = runs[j]; runs[j] = runs[j - 1]; runs[j - 1] = t; }
            return runs[runs.Length / 2];
        }

        // bench reclaim: memhog 8192 3 in a container with page_limit 4096 (swap must be on, as
        // in the figure: the reaper swaps out what is over the limit), Runs times. Prints
        // the median time and the highest page_usage reached (max_page_usage, reset per run): the
        // judged figure, at most limit + limit/8 + 64.
        public static int BenchReclaim(string[] argv, int argc)
        {
            const string Name = "bench-reclaim";
            const long Limit = 4096;
            const int Runs = 3;
            if (!Sys.Memory.Context.Swap.IsOn)
            {
                Console.Error("bench reclaim: no swap area (mkswap and swapon a disk first)");
                return 1;
            }
            if (Sys.Processes.Init.Container != null)
            {
                Console.Error("bench reclaim: the shell is in a container; rmtask it first");
                return 1;
            }
            ContainerTable table = Sys.Containers;
            Container c;
            Errno e;
            using (Sys.Irq.Hold())
            {
                e = table.Create(Name, out c);
                if (e == Errno.None) table.SetPageLimit(c, Limit);
            }
            if (e != Errno.None)
            {
                Console.Error(string.Concat("bench reclaim: mkdir ", Name, ": ", ErrnoText.Message(e)));
                return 1;
            }
            ProgramInfo memhog = Programs.Find("memhog");
            string[] args = new string[] { "memhog", "8192", "3" };
            ulong[] ms = new ulong[Runs];
            long peak = 0;
            bool failed = false;
            for (int i = 0; i < Runs && !failed; i++)
            {
                Errno s;
                Process task;
                using (Sys.Irq.Hold())
                {
                    table.ResetMaxPageUsage(c);
                    table.AddTask(c, "1");
                    s = Sys.Processes.Spawn(Sys.Processes.Init, "memhog 8192 3", TaskKind.User, memhog.Main, args, MmSource.New, out task);
                    table.RemoveTask(c, "1");
                }
                int status = -1;
                if (s == Errno.None && Sys.Processes.Wait(task.Pid, out int _, out status) != Errno.None) status = -1;
                if (status != 0) { failed = true; break; }
                ms[i] = Programs.LastMemhogMs;
                if (c.MaxPageUsage > peak) peak = c.MaxPageUsage;
            }
            long swappedOut = c.PagesSwappedOut, throttles = c.ThrottleCount;
            using (Sys.Irq.Hold()) table.Remove(Name);
            if (failed)
            {
                Console.WriteLine("bench reclaim: FAILED (a memhog 8192 3 run did not finish)");
                return 1;
            }
            long line = Limit + Limit / 8 + 64;
            string first = string.Concat("bench reclaim: memhog 8192 3 with page_limit 4096 median ", Median(ms).ToString(), " ms of 3, ");
            string second = string.Concat("max page_usage ", peak.ToString(), " (limit + limit/8 + 64 = ", line.ToString());
            string third = string.Concat(peak <= line ? ", ok" : ", OVER", "), swapped out ", swappedOut.ToString(), " pages");
            Console.WriteLine(string.Concat(first, second, third, string.Concat(", throttled ", throttles.ToString(), " times")));
            return 0;
        }
    }
}
