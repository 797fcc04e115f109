// Commands that show things and keep showing them: `history` (the line editor's, numbered from 0
// as busybox ash numbers it), `containers [-w]` (Shell/ContainerView.cs; -w redraws every second)
// and `watch [-n SECONDS] COMMAND...` (runs COMMAND through an interpreter of its own every
// SECONDS, default 2, under an `Every Ns: COMMAND` header, as busybox watch). The repeating forms
// run in a child task (Jobs.RunTask), so that Ctrl-C — SIGINT to the foreground and its
// descendants — stops them and whatever they started.
using Container = Kernel.Containers.Container;
using ContainerTable = Kernel.Containers.ContainerTable;
using Kernel.Drivers;
using Kernel.Proc;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static class ViewCommands
    {
        public static int History(string[] argv, int argc)
        {
            History history = Shell.History;
            if (history == null) return 0;
            for (int i = 0; i < history.Count; i++)
                Console.WriteLine(string.Concat(Numbers.PadLeft(i.ToString(), 4), " ", history.Get(i)));
            return 0;
        }

        // ---- containers -------------------------------------------------------------------------

        public static int Containers(string[] argv, int argc)
        {
            bool watch = argc == 2 && argv[1] == "-w";
            if (argc > 2 || (argc == 2 && !watch))
            {
                Console.Error("usage: containers [-w]");
                return 2;
            }
            if (!watch)
            {
                PrintContainers();
                return 0;
            }
            return Jobs.RunTask("containers -w", a =>
            {
                while (true)
                {
                    ClearScreen();
                    PrintContainers();
                    if (!Sys.Processes.Sleep(1000)) return 1;
                }
            }, new string[] { "containers", "-w" }, false, null, out int _);
        }

        private static void PrintContainers()
        {
            ContainerRow[] rows;
            using (Sys.Irq.Hold())
            {
                ContainerTable table = Sys.Containers;
                rows = new ContainerRow[table.Count];
                for (int i = 0; i < rows.Length; i++)
                {
                    Container c = table.At(i);
                    rows[i].Name = c.Name;
                    rows[i].Id = c.Id;
                    rows[i].Tasks = c.NumTasks;
                    rows[i].Usage = c.PageUsage;
                    rows[i].Limit = c.PageLimit;
                    rows[i].Max = c.MaxPageUsage;
                    rows[i].Hits = c.PageLimitHits;
                    rows[i].Swap = c.SwapPages;
                    rows[i].Oom = c.OomKills;
                }
            }
            string[] lines = ContainerView.Format(rows);
            for (int i = 0; i < lines.Length; i++) Console.WriteLine(lines[i]);
        }

        // The screen (and serial terminal) cleared; into a file or pipe, the ANSI sequence.
        private static void ClearScreen()
        {
            if (Sys.Processes.Current.Stdout == null) Console.Clear();
            else Console.Write("\x1b[H\x1b[J");
        }

        // ---- watch ------------------------------------------------------------------------------

        private const string WatchUsage = "usage: watch [-n SECONDS] COMMAND...";

        public static int Watch(string[] argv, int argc)
        {
            int seconds = 2, first = 1;
            if (argc > 1 && argv[1].Length > 2 && argv[1][0] == '-' && argv[1][1] == 'n')
            {
                if (!ParseSeconds(argv[1].Substring(2), out seconds)) return BadInterval(argv[1].Substring(2));
                first = 2;
            }
            else if (argc > 1 && argv[1] == "-n")
            {
                if (argc < 3) { Console.Error(WatchUsage); return 2; }
                if (!ParseSeconds(argv[2], out seconds)) return BadInterval(argv[2]);
                first = 3;
            }
            if (first >= argc)
            {
                Console.Error(WatchUsage);
                return 2;
            }
            string line = argv[first];
            for (int i = first + 1; i < argc; i++) line = string.Concat(line, " ", argv[i]);
            string header = string.Concat("Every ", seconds.ToString(), "s: ", line);
            ulong ms = (ulong)seconds * 1000;
            return Jobs.RunTask(string.Concat("watch ", line), a =>
            {
                while (true)
                {
                    ClearScreen();
                    Console.WriteLine(header);
                    Console.WriteLine("");
                    new Interpreter().RunLine(line);
                    if (!Sys.Processes.Sleep(ms)) return 1;
                }
            }, new string[] { "watch", line }, false, null, out int _);
        }

        private static bool ParseSeconds(string text, out int seconds) =>
            Numbers.TryParseInt(text, out seconds) == ParseStatus.Ok && seconds >= 1 && seconds <= 86400;

        private static int BadInterval(string text)
        {
            Console.Error(string.Concat("watch: invalid number '", text, "' (whole seconds, 1 to 86400)"));
            return 1;
        }
    }
}
