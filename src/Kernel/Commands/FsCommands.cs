// Commands for disk file systems and the names in them: mv (rename; a file moved to another file
// system is copied and removed, as busybox does), ln and ln -s, df (busybox's columns), date (the
// CMOS clock), and bench fs (16 MiB written and synced, read cold after drop_caches, read warm).
// Messages are busybox's ("mv: can't rename 'a': No such file or directory", "ln: b: File exists").
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static class FsCommands
    {
        private static string Why(Errno e) => ErrnoText.Message(e);

        // The last component of a path ("a/b/" → "b").
        private static string BaseName(string path)
        {
            int end = path.Length;
            while (end > 1 && path[end - 1] == '/') end--;
            int start = end;
            while (start > 0 && path[start - 1] != '/') start--;
            return path.Substring(start, end - start);
        }

        private static string Join(string dir, string name) =>
            dir.Length > 0 && dir[dir.Length - 1] == '/' ? string.Concat(dir, name) : string.Concat(dir, "/", name);

        private static bool IsDirectory(string path) =>
            Sys.Files.Resolve(path, out Inode inode, out string _) == Errno.None && inode.IsDirectory;

        // mv SOURCE DEST | mv SOURCE... DIRECTORY
        public static int Mv(string[] argv, int argc)
        {
            if (argc < 3)
            {
                Console.Error("usage: mv SOURCE DEST | mv SOURCE... DIRECTORY");
                return 2;
            }
            string dest = argv[argc - 1];
            bool intoDir = IsDirectory(dest);
            if (argc > 3 && !intoDir)
            {
                Console.Error(string.Concat("mv: '", dest, "' is not a directory"));
                return 1;
            }
            int status = 0;
            for (int i = 1; i < argc - 1; i++)
            {
                string target = intoDir ? Join(dest, BaseName(argv[i])) : dest;
                Errno e = Sys.Files.Rename(argv[i], target);
                if (e == Errno.EXDEV) e = CopyAcross(argv[i], target);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("mv: can't rename '", argv[i], "': ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        // A regular file to another file system: copied, then removed.
        private static Errno CopyAcross(string from, string to)
        {
            Errno e = Sys.Files.ResolveNoFollow(from, out Inode src, out string _);
            if (e != Errno.None) return e;
            if (src.Kind != InodeKind.Regular) return Errno.EXDEV;
            e = Sys.Files.Open(from, OpenFlags.Read, out OpenFile input);
            if (e != Errno.None) return e;
            e = Sys.Files.Open(to, OpenFlags.Write | OpenFlags.Create | OpenFlags.Truncate, out OpenFile output);
            if (e != Errno.None)
            {
                Sys.Files.Close(input);
                return e;
            }
            byte[] buffer = new byte[65536];
            while (e == Errno.None)
            {
                e = Sys.Files.Read(input, buffer, 0, buffer.Length, out int n);
                if (e != Errno.None || n == 0) break;
                e = Sys.Files.Write(output, buffer, 0, n, out int written);
                if (e == Errno.None && written != n) e = Errno.ENOSPC;
            }
            Sys.Files.Close(input);
            Sys.Files.Close(output);
            return e == Errno.None ? Sys.Files.Unlink(from) : e;
        }

        // ln [-s] TARGET [LINK] | ln [-s] TARGET... DIRECTORY
        public static int Ln(string[] argv, int argc)
        {
            bool symbolic = false, force = false;
            int first = 1;
            for (; first < argc && argv[first].Length > 1 && argv[first][0] == '-'; first++)
            {
                string o = argv[first];
                for (int j = 1; j < o.Length; j++)
                {
                    if (o[j] == 's') symbolic = true;
                    else if (o[j] == 'f') force = true;
                    else
                    {
                        Console.Error(string.Concat("ln: invalid option -- '", o.Substring(j, 1), "'"));
                        return 2;
                    }
                }
            }
            int operands = argc - first;
            if (operands < 1)
            {
                Console.Error("usage: ln [-sf] TARGET [LINK] | ln [-sf] TARGET... DIRECTORY");
                return 2;
            }
            string last = argv[argc - 1];
            bool intoDir = operands == 1 || IsDirectory(last);
            if (operands > 2 && !intoDir)
            {
                Console.Error(string.Concat("ln: '", last, "' is not a directory"));
                return 1;
            }
            int targets = operands == 1 ? 1 : operands - 1;
            int status = 0;
            for (int i = first; i < first + targets; i++)
            {
                string link = operands == 1 ? BaseName(argv[i]) : intoDir ? Join(last, BaseName(argv[i])) : last;
                if (force) Sys.Files.Unlink(link);
                Errno e = symbolic ? Sys.Files.Symlink(argv[i], link) : Sys.Files.Link(argv[i], link);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("ln: ", link, ": ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        public const string DfUsage = "df [-hkm]";

        // df: busybox's columns in 1 KiB blocks (-k), 1 MiB blocks (-m) or busybox's human form
        // (-h; the last option wins); file systems without sizes (ramfs, proc) left out.
        public static int Df(string[] argv, int argc)
        {
            char unit = 'k';
            if (!Text.UnitOption("df", DfUsage, "hkm", argv, argc, ref unit)) return 1;
            Console.WriteLine(string.Concat("Filesystem           ", unit == 'h' ? "     Size      " : unit == 'm' ? "1M-blocks      " : "1K-blocks      ", "Used Available Use% Mounted on"));
            for (int i = 0; i < Sys.Files.MountCount; i++)
            {
                Sys.Files.MountAt(i, out string path, out FileSystem fs);
                if (fs == null) continue;
                FsStats s;
                Errno e;
                using (Sys.Irq.Hold()) e = fs.StatFs(out s);
                if (e != Errno.None || s.Blocks == 0) continue;
                ulong used = s.Blocks - s.BlocksFree;
                ulong percent = used + s.BlocksAvailable == 0 ? 0 : (used * 100 + (used + s.BlocksAvailable) / 2) / (used + s.BlocksAvailable);
                string source = fs.Source;
                string line = source.Length > 20 ? string.Concat(source, "\n", Numbers.PadRight("", 20)) : Numbers.PadRight(source, 20);
                line = string.Concat(line, " ", Numbers.PadLeft(DfFigure(s.Blocks, s.BlockSize, unit), 9), string.Concat(" ", Numbers.PadLeft(DfFigure(used, s.BlockSize, unit), 9)));
                line = string.Concat(line, " ", Numbers.PadLeft(DfFigure(s.BlocksAvailable, s.BlockSize, unit), 9), string.Concat(" ", Numbers.PadLeft(percent.ToString(), 3), "% ", path));
                Console.WriteLine(line);
            }
            return 0;
        }

        private static ulong KiB(ulong blocks, uint size) => (blocks * size + 512) / 1024;

        private static string DfFigure(ulong blocks, uint size, char unit) =>
            unit == 'h' ? DiskText.BusyboxHuman(blocks * size) : unit == 'm' ? ((blocks * size + (1 << 19)) >> 20).ToString() : KiB(blocks, size).ToString();

        public static int Date(string[] argv, int argc)
        {
            if (argc != 1)
            {
                Console.Error("usage: date");
                return 2;
            }
            Console.WriteLine(CivilTime.Date(Rtc.Now));
            return 0;
        }

        // bench fs DIR: in DIR (a disk file system), 16 MiB written in 64 KiB writes, then sync;
        // drop_caches 3 and the file read cold in 64 KiB reads; read again, warm. The file is
        // removed afterwards. The same steps as `dd` does them in the Linux peer (build.ps1 bench).
        public static int Bench(string[] argv, int argc)
        {
            if (argc != 3)
            {
                Console.Error("usage: bench fs DIR");
                return 2;
            }
            string file = Join(argv[2], "bench-fs.tmp");
            const int Chunk = 65536, Total = 16 << 20;
            byte[] buffer = new byte[Chunk];
            for (int i = 0; i < Chunk; i++) buffer[i] = (byte)(i * 7 + 3);
            ulong t0 = Tsc.Now;
            Errno e = Sys.Files.Open(file, OpenFlags.Write | OpenFlags.Create | OpenFlags.Truncate, out OpenFile f);
            if (e != Errno.None) return Fail("open", e);
            for (int done = 0; done < Total && e == Errno.None; done += Chunk)
            {
                e = Sys.Files.Write(f, buffer, 0, Chunk, out int n);
                if (e == Errno.None && n != Chunk) e = Errno.ENOSPC;
            }
            Sys.Files.Close(f);
            if (e != Errno.None) return Fail("write", e);
            ulong t1 = Tsc.Now;
            e = Sys.Files.SyncAll();
            if (e != Errno.None) return Fail("sync", e);
            ulong t2 = Tsc.Now;
            Sys.Files.DropCaches(3);
            ulong t3 = Tsc.Now;
            e = ReadAll(file, buffer);
            if (e != Errno.None) return Fail("cold read", e);
            ulong t4 = Tsc.Now;
            e = ReadAll(file, buffer);
            if (e != Errno.None) return Fail("warm read", e);
            ulong t5 = Tsc.Now;
            Sys.Files.Unlink(file);
            Sys.Files.SyncAll();
            Console.WriteLine(string.Concat("bench fs: write 16 MiB: ", Seconds(t1 - t0), " s, sync: ", string.Concat(Seconds(t2 - t1), " s")));
            Console.WriteLine(string.Concat("bench fs: cold read 16 MiB: ", Seconds(t4 - t3), " s, warm read 16 MiB: ", string.Concat(Seconds(t5 - t4), " s")));
            return 0;
        }

        private static Errno ReadAll(string file, byte[] buffer)
        {
            Errno e = Sys.Files.Open(file, OpenFlags.Read, out OpenFile f);
            if (e != Errno.None) return e;
            ulong total = 0;
            while (true)
            {
                e = Sys.Files.Read(f, buffer, 0, buffer.Length, out int n);
                if (e != Errno.None || n == 0) break;
                total += (ulong)n;
            }
            Sys.Files.Close(f);
            if (e == Errno.None && total != 16UL << 20) e = Errno.EIO;
            return e;
        }

        private static int Fail(string what, Errno e)
        {
            Console.Error(string.Concat("bench fs: ", what, ": ", Why(e)));
            return 1;
        }

        // Seconds with three decimals.
        private static string Seconds(ulong cycles)
        {
            ulong us = Tsc.ToMicroseconds(cycles);
            ulong ms = us / 1000;
            string frac = (ms % 1000).ToString();
            while (frac.Length < 3) frac = string.Concat("0", frac);
            return string.Concat((ms / 1000).ToString(), ".", frac);
        }
    }
}
