// The programs the shell can start as processes. Each runs in its own task with its own address
// space (ring 0 for now: they are C# compiled into the kernel); their data lives in regions of
// that address space, faulted in on demand.
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Shell;

namespace Kernel.Proc
{
    internal sealed class ProgramInfo
    {
        public readonly string Name, Usage, Description;
        public readonly ProgramMain Main;

        public ProgramInfo(string name, string usage, string description, ProgramMain main)
        {
            Name = name; Usage = usage; Description = description; Main = main;
        }
    }

    internal static unsafe class Programs
    {
        private const ulong DataBase = 0x10000000;   // where programs map their anonymous region
        private const ulong MaxPages = 1UL << 35;    // the user half, in pages

        private static ProgramInfo[] s_all;
        private static ulong s_lastMemhogMs;
        private static ulong s_lastMemhogCycles;

        // For bench containers: the last memhog's touching loop, in TSC cycles.
        public static ulong LastMemhogCycles
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            get => s_lastMemhogCycles;
        }

        // For bench proc: the last memhog's elapsed time.
        public static ulong LastMemhogMs
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            get => s_lastMemhogMs;
        }

        public static ProgramInfo[] All()
        {
            if (s_all == null)
                s_all = new ProgramInfo[]
                {
                    new ProgramInfo("memhog", "memhog PAGES [PASSES]", "touch PAGES anonymous pages PASSES times and report the time", MemHog),
                    new ProgramInfo("memverify", "memverify PAGES [PASSES [SECONDS]]", "fill PAGES anonymous pages with a pattern per pass, wait SECONDS, check every byte", MemVerify),
                    new ProgramInfo("memhold", "memhold PAGES SECONDS", "touch PAGES anonymous pages, then keep them for SECONDS", MemHold),
                    new ProgramInfo("mapfile", "mapfile PATH [SECONDS]", "map a file, read every page, print the count (keep it mapped SECONDS)", MapFile),
                    new ProgramInfo("forker", "forker N [PAGES]", "start N children that each touch PAGES pages, then wait", Forker),
                    new ProgramInfo("spin", "spin SECONDS", "burn CPU", Spin),
                    new ProgramInfo("sleep", "sleep SECONDS", "sleep", SleepMain),
                    new ProgramInfo("dd", "dd if=F of=F [bs=N] [count=N] [skip=N] [seek=N] [conv=notrunc]", "copy blocks between files and disks, report the rate", Commands.DiskCommands.Dd),
                    new ProgramInfo("cksum", "cksum FILE...", "print the POSIX CRC and size of files (or disks)", Commands.DiskCommands.Cksum),
                    new ProgramInfo("gcstack", "gcstack SECONDS", "keep objects only on this task's stack while sleeping, then check them (a GC test)", GcStack),
                };
            return s_all;
        }

        public static ProgramInfo Find(string name)
        {
            ProgramInfo[] all = All();
            for (int i = 0; i < all.Length; i++) if (all[i].Name == name) return all[i];
            return null;
        }

        private static bool ParseCount(string text, ulong max, out ulong value)
        {
            return Numbers.TryParseULong(text, out value) == ParseStatus.Ok && value <= max;
        }

        private static int Usage(string usage)
        {
            Console.WriteLine(string.Concat("usage: ", usage));
            return 2;
        }

        // The program's data region: `pages` anonymous pages at DataBase. False after saying why.
        private static bool MapData(string program, ulong pages)
        {
            Errno e = Sys.Memory.MapAnonymous(Sys.Processes.Current.Mm, DataBase, pages, Protection.Read | Protection.Write);
            if (e != Errno.None) Console.WriteLine(string.Concat(program, ": mmap: ", ErrnoText.Message(e)));
            return e == Errno.None;
        }

        private static int MemHog(string[] argv)
        {
            ulong passes = 1;
            if (argv.Length < 2 || argv.Length > 3 || !ParseCount(argv[1], MaxPages - (DataBase >> Paging.Shift), out ulong pages) || pages == 0 ||
                (argv.Length == 3 && (!ParseCount(argv[2], 1000000, out passes) || passes == 0)))
                return Usage("memhog PAGES [PASSES]");
            if (!MapData("memhog", pages)) return 1;
            ulong start = Tsc.Now;
            for (ulong k = 0; k < passes; k++)
                for (ulong i = 0; i < pages; i++)
                    *(byte*)(DataBase + (i << Paging.Shift)) = (byte)(i + k);
            ulong cycles = Tsc.Now - start;
            ulong ms = Tsc.ToMilliseconds(cycles);
            s_lastMemhogMs = ms;
            s_lastMemhogCycles = cycles;
            Console.WriteLine(string.Concat("memhog pages=", pages.ToString(), " passes=", passes.ToString(), string.Concat(" ms=", ms.ToString())));
            return 0;
        }

        // Each pass writes every 8-byte word of every page with (page index, pass, word index),
        // waits SECONDS (0 by default: time for swapoff, rmdir or a move to happen meanwhile), then
        // reads every byte back: a page lost or mixed up on its way to swap and back shows here.
        private static int MemVerify(string[] argv)
        {
            ulong passes = 1, seconds = 0;
            if (argv.Length < 2 || argv.Length > 4 || !ParseCount(argv[1], MaxPages - (DataBase >> Paging.Shift), out ulong pages) || pages == 0 ||
                (argv.Length >= 3 && (!ParseCount(argv[2], 1000000, out passes) || passes == 0)) ||
                (argv.Length == 4 && !ParseCount(argv[3], 3600, out seconds)))
                return Usage("memverify PAGES [PASSES [SECONDS]]");
            if (!MapData("memverify", pages)) return 1;
            ulong start = Tsc.Now, errors = 0;
            for (ulong k = 0; k < passes; k++)
            {
                for (ulong i = 0; i < pages; i++)
                {
                    ulong* w = (ulong*)(DataBase + (i << Paging.Shift));
                    for (ulong j = 0; j < 512; j++) w[j] = Pattern(i, k, j);
                }
                if (seconds != 0) Console.WriteLine(string.Concat("memverify: pass ", (k + 1).ToString(), " written"));
                if (seconds != 0 && !Sys.Processes.Sleep(seconds * 1000)) return 1;
                for (ulong i = 0; i < pages; i++)
                {
                    byte* b = (byte*)(DataBase + (i << Paging.Shift));
                    for (ulong j = 0; j < 512; j++)
                    {
                        ulong want = Pattern(i, k, j);
                        for (int n = 0; n < 8; n++)
                            if (b[j * 8 + (ulong)n] != (byte)(want >> (8 * n))) errors++;
                    }
                }
            }
            ulong ms = Tsc.ToMilliseconds(Tsc.Now - start);
            Console.WriteLine(string.Concat("memverify pages=", pages.ToString(), " passes=", passes.ToString(),
                string.Concat(" errors=", errors.ToString(), " ms=", ms.ToString())));
            return errors == 0 ? 0 : 1;
        }

        private static ulong Pattern(ulong page, ulong pass, ulong word) => (page << 32) ^ (pass << 20) ^ (word * 0x9E3779B1UL) ^ 0x5A5A0000UL;

        private static int MemHold(string[] argv)
        {
            if (argv.Length != 3 || !ParseCount(argv[1], MaxPages - (DataBase >> Paging.Shift), out ulong pages) || pages == 0 ||
                !ParseCount(argv[2], 1000000, out ulong seconds))
                return Usage("memhold PAGES SECONDS");
            if (!MapData("memhold", pages)) return 1;
            for (ulong i = 0; i < pages; i++) *(byte*)(DataBase + (i << Paging.Shift)) = (byte)i;
            Console.WriteLine(string.Concat("memhold: ", pages.ToString(), " pages"));
            return Sys.Processes.Sleep(seconds * 1000) ? 0 : 1;
        }

        // Maps the whole file privately and reads a byte of every page: the page-cache pages are
        // mapped (num_mapped_pages) while it runs, and brought in (charged) if they were holes.
        private static int MapFile(string[] argv)
        {
            ulong seconds = 0;
            if (argv.Length < 2 || argv.Length > 3 || (argv.Length == 3 && !ParseCount(argv[2], 1000000, out seconds)))
                return Usage("mapfile PATH [SECONDS]");
            // Open for reading, as mmap needs, and held open until exit: the mapping keeps the file.
            Errno e = Sys.Files.Resolve(argv[1], out Kernel.Vfs.Inode inode, out string _);
            if (e == Errno.None && inode.Kind == Kernel.Vfs.InodeKind.Directory) e = Errno.EISDIR;
            if (e == Errno.None && inode.Mapping == null) e = Errno.ENODEV;
            Kernel.Vfs.OpenFile file = null;
            if (e == Errno.None) e = Sys.Processes.OpenHeld(Sys.Files, argv[1], Kernel.Vfs.OpenFlags.Read, out file);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("mapfile: ", argv[1], ": ", ErrnoText.Message(e)));
                return 1;
            }
            inode = file.Inode;
            PageCache cache = inode.Mapping;
            ulong pages = Paging.PagesFor(inode.Size);
            ulong sum = 0;
            if (pages != 0)
            {
                e = Sys.Memory.MapFile(Sys.Processes.Current.Mm, DataBase, pages, Protection.Read, cache.Id);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("mapfile: mmap: ", ErrnoText.Message(e)));
                    return 1;
                }
                for (ulong i = 0; i < pages; i++) sum += *(byte*)(DataBase + (i << Paging.Shift));
            }
            Console.WriteLine(string.Concat("mapfile: ", argv[1], ": ", string.Concat(pages.ToString(), " pages")));
            return seconds == 0 || Sys.Processes.Sleep(seconds * 1000) ? 0 : 1;
        }

        private static int Forker(string[] argv)
        {
            ulong pages = 1;
            if (argv.Length < 2 || argv.Length > 3 || !ParseCount(argv[1], 100000, out ulong n) ||
                (argv.Length == 3 && (!ParseCount(argv[2], 1 << 20, out pages) || pages == 0)))
                return Usage("forker N [PAGES]");
            Process self = Sys.Processes.Current;
            // The parent's pages are shared copy-on-write with every child.
            if (!MapData("forker", pages)) return 1;
            for (ulong i = 0; i < pages; i++) *(byte*)(DataBase + (i << Paging.Shift)) = 1;
            string[] childArgv = new string[] { "forker-child", pages.ToString() };
            ulong started = 0, failed = 0;
            for (ulong i = 0; i < n; i++)
            {
                Errno e = Sys.Processes.Spawn(self, "forker-child", TaskKind.User, ForkerChild, childArgv, MmSource.Fork, out Process _);
                if (e == Errno.None) started++; else failed++;
            }
            ulong bad = 0;
            while (Sys.Processes.Wait(-1, out int _, out int status) == Errno.None) if (status != 0) bad++;
            // The children's writes went to their own copies.
            for (ulong i = 0; i < pages; i++) if (*(byte*)(DataBase + (i << Paging.Shift)) != 1) { bad++; break; }
            Console.WriteLine(string.Concat("forker: ", started.ToString(), " started, ", failed.ToString(),
                string.Concat(" failed, ", bad.ToString(), " exited with an error")));
            return failed == 0 && bad == 0 ? 0 : 1;
        }

        private static int ForkerChild(string[] argv)
        {
            Numbers.TryParseULong(argv[1], out ulong pages);
            for (ulong i = 0; i < pages; i++) *(byte*)(DataBase + (i << Paging.Shift)) = 2;   // copy-on-write
            Sys.Processes.Sleep(10);
            for (ulong i = 0; i < pages; i++) if (*(byte*)(DataBase + (i << Paging.Shift)) != 2) return 1;
            return 0;
        }

        private sealed class Cell
        {
            public Cell Next;
            public int Value;
        }

        // Builds a list reachable only from this task's stack (a local), sleeps while other tasks
        // allocate and collect, then checks every node. Exit status 0 when all survived intact.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int GcStack(string[] argv)
        {
            if (argv.Length != 2 || !ParseCount(argv[1], 3600, out ulong seconds)) return Usage("gcstack SECONDS");
            Cell head = null;
            for (int i = 0; i < 1000; i++) head = new Cell { Next = head, Value = i };
            Sys.Processes.Sleep(seconds * 1000);
            int expected = 999;
            for (Cell c = head; c != null; c = c.Next, expected--)
                if (c.Value != expected) { Console.WriteLine("gcstack: FAILED: a node was collected or overwritten"); return 1; }
            Console.WriteLine(expected == -1 ? "gcstack: ok" : "gcstack: FAILED: the list is short");
            return expected == -1 ? 0 : 1;
        }

        private static int Spin(string[] argv)
        {
            if (argv.Length != 2 || !ParseCount(argv[1], 100000, out ulong seconds)) return Usage("spin SECONDS");
            ulong until = Tsc.Now + seconds * 1000 * Tsc.CyclesPerMs;
            while (Tsc.Now < until) { }
            return 0;
        }

        private static int SleepMain(string[] argv)
        {
            if (argv.Length != 2 || !ParseCount(argv[1], 1000000, out ulong seconds)) return Usage("sleep SECONDS");
            return Sys.Processes.Sleep(seconds * 1000) ? 0 : 1;
        }
    }
}
