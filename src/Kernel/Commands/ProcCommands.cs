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
                RunBy = Processes.Scheduler.Current.Pid;
                RunAt = Pit.UptimeMs;
            }
        }

        // Queues an item on the events workqueue and checks its kernel thread ran it.
        public static int WqTest(string[] argv, int argc)
        {
            Marker item = new Marker();
            ulong queued = Pit.UptimeMs;
            Workqueue wq = Processes.Events;
            if (!wq.Queue(item))
            {
                Console.WriteLine("wqtest: FAILED: not queued");
                return 1;
            }
            for (int i = 0; i < 100 && item.RunBy == 0; i++) Processes.Sleep(1);
            bool ok = item.RunBy == wq.Thread.Pid;
            Console.WriteLine(string.Concat("wqtest: item run by PID ", item.RunBy.ToString(), " [", wq.Name,
                string.Concat("] after ", (item.RunAt - queued).ToString(), " ms", ok ? ": ok" : ": FAILED")));
            return ok ? 0 : 1;
        }

        private static int Yielder(string[] argv)
        {
            for (int i = 0; i < 2000; i++) Processes.Yield();
            return 0;
        }

        private static int Nothing(string[] argv) => 0;

        public static int Bench(string[] argv, int argc)
        {
            // Context switch: two tasks yielding to each other 2000 times each.
            ulong start = Tsc.Now;
            Errno e1 = Processes.Spawn(Processes.Init, "yielder", false, Yielder, null, false, out Task _);
            Errno e2 = Processes.Spawn(Processes.Init, "yielder", false, Yielder, null, false, out Task _);
            if (e1 != Errno.None || e2 != Errno.None) { Console.WriteLine("bench proc: cannot start tasks"); return 1; }
            while (Processes.Wait(-1, out int _, out int _) == Errno.None) { }
            ulong cycles = Tsc.Now - start;
            Console.WriteLine(string.Concat("bench proc: context switch ", Tsc.ToMicroseconds(cycles / 4000).ToString(),
                " us (", (cycles / 4000).ToString(), " cycles)"));

            // fork + exit + wait.
            const int Rounds = 200;
            start = Tsc.Now;
            for (int i = 0; i < Rounds; i++)
            {
                if (Processes.Spawn(Processes.Init, "true", false, Nothing, null, true, out Task _) != Errno.None) break;
                Processes.Wait(-1, out int _, out int _);
            }
            cycles = Tsc.Now - start;
            Console.WriteLine(string.Concat("bench proc: fork+exit+wait ", Tsc.ToMicroseconds(cycles / Rounds).ToString(), " us"));
            return 0;
        }
    }
}
