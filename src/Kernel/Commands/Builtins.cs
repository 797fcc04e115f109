// The built-in commands of the boot-time shell. Each prints Linux-like messages and returns an
// exit status; none may panic on any input (panic-test excepted, on purpose).
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Sched;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static unsafe class Builtins
    {
        public static Command[] All()
        {
            return new Command[]
            {
                new Command("help", "help", "list the commands", Help),
                new Command("echo", "echo [-n] [ARG]...", "print the arguments (-n: no newline)", Echo),
                new Command("true", "true", "do nothing, successfully", (a, n) => 0),
                new Command("false", "false", "do nothing, unsuccessfully", (a, n) => 1),
                new Command("uname", "uname [-asnrm]", "print system information", Uname),
                new Command("uptime", "uptime", "time since boot", Uptime),
                new Command("clear", "clear", "clear the screen", Clear),
                new Command("dmesg", "dmesg [-c|-C]", "print the kernel log (-c: then clear it; -C: only clear it)", Dmesg),
                new Command("repeat", "repeat N COMMAND [ARG]...", "run a command N times", Repeat),
                new Command("history", "history", "list the command history, numbered", ViewCommands.History),
                new Command("watch", "watch [-n SECONDS] COMMAND...", "run COMMAND every SECONDS (2) until Ctrl-C", ViewCommands.Watch),
                new Command("set", "set [-o|+o pipefail]", "shell options: pipefail (a pipeline fails if any command does)", SetElsewhere),
                new Command("poweroff", "poweroff", "power the machine off (ACPI S5)", PowerOff),
                new Command("reboot", "reboot", "restart the machine", Reboot),
                new Command("cd", "cd [DIR]", "change the working directory", FileCommands.Cd),
                new Command("pwd", "pwd", "print the working directory", FileCommands.Pwd),
                new Command("ls", "ls [-l] [PATH]...", "list directory contents", FileCommands.Ls),
                new Command("cat", "cat [FILE]...", "print files (or standard input)", KernelToolIo.Handler(TextTools.Cat)),
                new Command("grep", TextTools.GrepUsage, "print lines matching a basic (-E: extended) regular expression", KernelToolIo.Handler(TextTools.Grep)),
                new Command("head", TextTools.HeadUsage, "print the first N lines (10)", KernelToolIo.Handler(TextTools.Head)),
                new Command("tail", TextTools.TailUsage, "print the last N lines (10), or from line N on", KernelToolIo.Handler(TextTools.Tail)),
                new Command("wc", TextTools.WcUsage, "count lines, words and bytes", KernelToolIo.Handler(TextTools.Wc)),
                new Command("sort", TextTools.SortUsage, "sort lines (-n by number, -r reversed)", KernelToolIo.Handler(TextTools.Sort)),
                new Command("uniq", TextTools.UniqUsage, "drop repeated adjacent lines (-c counts them)", KernelToolIo.Handler(TextTools.Uniq)),
                new Command("tee", TextTools.TeeUsage, "copy standard input to standard output and files", KernelToolIo.Handler(TextTools.Tee)),
                new Command("mkdir", "mkdir [-p] DIR...", "make directories (in /config/containers: containers)", FileCommands.Mkdir),
                new Command("rmdir", "rmdir DIR...", "remove empty directories (and containers)", FileCommands.Rmdir),
                new Command("rm", "rm [-f] FILE...", "remove files", FileCommands.Rm),
                new Command("touch", "touch FILE...", "create empty files", FileCommands.Touch),
                new Command("stat", "stat FILE...", "show a file's size, inode and mode", FileCommands.Stat),
                new Command("mount", "mount [[-t TYPE] SOURCE DIR]", "list mounts, or mount ext2 (a disk), ramfs or configfs", FileCommands.Mount),
                new Command("umount", "umount DIR|DEVICE", "unmount a file system (writing it back first)", FileCommands.Umount),
                new Command("mv", "mv SOURCE... DEST", "rename or move files and directories", FsCommands.Mv),
                new Command("ln", "ln [-sf] TARGET [LINK]", "make a hard link, or with -s a symbolic link", FsCommands.Ln),
                new Command("df", FsCommands.DfUsage, "disk space of mounted file systems (1 KiB blocks; -m MiB, -h human)", FsCommands.Df),
                new Command("date", "date", "print the date and time (UTC, from the CMOS clock)", FsCommands.Date),
                new Command("lspci", "lspci [-n]", "list PCI functions (lspci -n's form)", DiskCommands.Lspci),
                new Command("lsblk", "lsblk", "list disks (util-linux's columns)", DiskCommands.Lsblk),
                new Command("sync", "sync", "write dirty file data and metadata back, then every disk's cache", DiskCommands.Sync),
                new Command("mkswap", "mkswap DEVICE", "write a swap signature (Linux's version 1) on a disk", SwapCommands.MkSwap),
                new Command("swapon", "swapon DEVICE | swapon -s", "use a disk for swap, or list swap areas", SwapCommands.SwapOn),
                new Command("swapoff", "swapoff DEVICE", "bring every swapped page back and stop using the disk", SwapCommands.SwapOff),
                new Command("sh", "sh FILE", "run the commands in FILE, one per line", Script.Run),
                new Command("memcheck", "memcheck", "audit every frame against the containers' counters", ContainerCommands.MemCheck),
                new Command("containers", "containers [-w]", "one line per container by usage (-w: redraw every second until Ctrl-C)", ViewCommands.Containers),
                new Command("free", MemoryCommands.FreeUsage, "memory in use and free (KiB; -b bytes, -m MiB, -g GiB, -h human)", MemoryCommands.Free),
                new Command("meminfo", "meminfo", "where physical memory went, in pages", MemoryCommands.MemInfo),
                new Command("memtest", "memtest", "write and check the free frames (all but the reserve and a margin)", MemoryCommands.MemTest, true),
                new Command("ps", "ps", "list processes (kernel threads in brackets)", Jobs.Ps),
                new Command("kill", "kill [-SIGNAL] PID|%JOB...", "send a signal (TERM, KILL, INT, PIPE; default TERM) to processes or jobs (%N, %%)", Jobs.Kill),
                new Command("jobs", "jobs", "list background jobs", Jobs.JobsCommand),
                new Command("wait", "wait [%JOB|PID]...", "wait for every background job, or these (status: the last one's)", Jobs.WaitCommand),
                new Command("wqtest", "wqtest", "check that the events workqueue runs a queued item", ProcCommands.WqTest),
                new Command("gc", "gc [debug [on|off]]", "collect garbage now and report; debug: poison and verify", GcCommands.Gc),
                new Command("gctest", "gctest [MiB]", "allocate MiB of short-lived objects and check survivors", GcCommands.GcTest, true),
                new Command("bench", "bench mm|gc|proc|containers|reclaim|disk DEV|fs DIR", "measure the memory manager, the collector, the scheduler, charging, reclaim, a disk or a file system", Bench.Run),
                new Command("vmtest", "vmtest", "check demand faults and copy-on-write on the real MMU", VmTest.Run),
                new Command("selftest", "selftest", "check the runtime contracts the compiled code relies on", SelfTest.Run),
                new Command("panic-test", "panic-test pf|de|ud|df|stack|oom", "crash the kernel on purpose (page fault, divide error, invalid opcode, double fault, stack overflow, heap exhaustion)", PanicTest),
            };
        }

        // `set` is the interpreter's own (Interpreter.SetOptions); reached here only through repeat.
        private static int SetElsewhere(string[] argv, int argc)
        {
            Console.Error("sh: set: only a command line runs set (not repeat)");
            return 2;
        }

        private static int Help(string[] argv, int argc)
        {
            Command[] commands = Shell.Commands;
            for (int i = 0; i < commands.Length; i++)
            {
                Console.Write(Numbers.PadRight(commands[i].Usage, 28));
                Console.Write(" ");
                Console.WriteLine(commands[i].Process ? string.Concat(commands[i].Description, " (process; & runs it in the background)") : commands[i].Description);
            }
            Proc.ProgramInfo[] programs = Proc.Programs.All();
            for (int i = 0; i < programs.Length; i++)
            {
                Console.Write(Numbers.PadRight(programs[i].Usage, 28));
                Console.Write(" ");
                Console.WriteLine(string.Concat(programs[i].Description, " (program; & runs it in the background)"));
            }
            return 0;
        }

        // echo [-n] ARG...: -n leaves out the newline (echo -n 5 > page_limit, as on Linux).
        private static int Echo(string[] argv, int argc)
        {
            bool newline = !(argc > 1 && argv[1] == "-n");
            int first = newline ? 1 : 2;
            for (int i = first; i < argc; i++)
            {
                if (i > first) Console.Write(' ');
                Console.Write(argv[i]);
            }
            if (newline) Console.Write('\n');
            return 0;
        }

        private static int Uname(string[] argv, int argc)
        {
            bool system = false, node = false, release = false, machine = false;
            for (int i = 1; i < argc; i++)
            {
                string a = argv[i];
                if (a.Length < 2 || a[0] != '-')
                {
                    Console.WriteLine(string.Concat("uname: extra operand '", a, "'"));
                    return 1;
                }
                for (int j = 1; j < a.Length; j++)
                {
                    switch (a[j])
                    {
                        case 'a': system = node = release = machine = true; break;
                        case 's': system = true; break;
                        case 'n': node = true; break;
                        case 'r': release = true; break;
                        case 'm': machine = true; break;
                        default:
                            Console.WriteLine(string.Concat("uname: invalid option -- '", a.Substring(j, 1), "'"));
                            return 1;
                    }
                }
            }
            if (!system && !node && !release && !machine) system = true;
            string result = "";
            if (system) result = "CsKernel";
            if (node) result = Text.Join(result, "(none)");
            if (release) result = Text.Join(result, Kernel.Main.Version);
            if (machine) result = Text.Join(result, "x86_64");
            Console.WriteLine(result);
            return 0;
        }

        private static int Uptime(string[] argv, int argc)
        {
            ulong ms = Tsc.UptimeMs;
            ulong seconds = ms / 1000;
            Console.WriteLine(string.Concat("up ", (seconds / 3600).ToString(), ":", Text.TwoDigits(seconds / 60 % 60), ":",
                Text.TwoDigits(seconds % 60), string.Concat(" (", ms.ToString(), " ms)")));
            return 0;
        }

        private static int Clear(string[] argv, int argc)
        {
            Console.Clear();
            return 0;
        }

        // dmesg [-c|-C], as busybox's: -c prints then clears the log, -C only clears it.
        private static int Dmesg(string[] argv, int argc)
        {
            bool print = true, clear = false;
            if (argc > 2 || argc == 2 && argv[1] != "-c" && argv[1] != "-C")
            {
                Console.Error(argc == 2 && argv[1].Length == 2 && argv[1][0] == '-'
                    ? string.Concat("dmesg: invalid option -- '", argv[1].Substring(1), "'\nusage: dmesg [-c|-C]")
                    : "usage: dmesg [-c|-C]");
                return 1;
            }
            if (argc == 2)
            {
                clear = true;
                print = argv[1] == "-c";
            }
            if (print) Log.Dump();
            if (clear) Log.Clear();
            return 0;
        }

        private static int Repeat(string[] argv, int argc)
        {
            if (argc < 3)
            {
                Console.WriteLine("usage: repeat N COMMAND [ARG]...");
                return 2;
            }
            if (Numbers.TryParseInt(argv[1], out int count) != ParseStatus.Ok || count < 0)
            {
                Console.WriteLine(string.Concat("repeat: invalid count '", argv[1], "'"));
                return 2;
            }
            string[] rest = new string[argc - 2];
            for (int i = 2; i < argc; i++) rest[i - 2] = argv[i];
            int status = 0;
            // Ctrl-C ends the loop, as it ends a shell loop: the command died of SIGINT, or
            // (a built-in in this task) the interrupt waits for us.
            for (int i = 0; i < count; i++)
            {
                status = Shell.Execute(rest, rest.Length);
                if (status == 128 + Signals.SIGINT) return status;
                if (Jobs.Interrupted()) return 128 + Signals.SIGINT;
            }
            return status;
        }

        private static int PowerOff(string[] argv, int argc)
        {
            Sys.Files.Shutdown();   // everything written, disk file systems clean (as Linux's remount read-only)
            Console.WriteLine("Power down.");
            Acpi.PowerOff();
            Console.WriteLine("poweroff: ACPI S5 is not available on this machine");
            return 1;
        }

        private static int Reboot(string[] argv, int argc)
        {
            Console.WriteLine("Restarting system.");
            Acpi.Reboot();
            return 1;
        }

        private static int s_zero;

        private sealed class Hoarded { public Hoarded Next; public byte[] Data; }

        // Keeps everything it allocates until the heap runs out of memory (and panics).
        private static int Hoard()
        {
            Hoarded head = null;
            while (true) head = new Hoarded { Next = head, Data = new byte[64 * 1024] };
        }

        // Unbounded recursion: runs into the boot stack's guard page.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int Recurse(int depth)
        {
            byte* frame = stackalloc byte[256];
            frame[depth & 255] = (byte)depth;
            return Recurse(depth + 1) + frame[(depth * 7) & 255];
        }

        private static int PanicTest(string[] argv, int argc)
        {
            string kind = argc == 2 ? argv[1] : "";
            if (kind == "pf") *(int*)0xFFFFC00000000000 = 1; // nothing is mapped there
            else if (kind == "de") return 1 / s_zero;
            else if (kind == "ud") Native.Ud2();
            else if (kind == "df") Native.TriggerDoubleFault();
            else if (kind == "stack") return Recurse(1);
            else if (kind == "oom") return Hoard();
            Console.WriteLine("usage: panic-test pf|de|ud|df|stack|oom");
            return 2;
        }
    }
}
