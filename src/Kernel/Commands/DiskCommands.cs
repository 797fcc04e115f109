// The shell's disk commands: lspci (lspci -n's lines), lsblk (util-linux's columns), sync, and the
// programs dd and cksum (programs, so that they run in the background with & and stop on Ctrl-C).
// Messages are busybox's; the numbers and their formats are in Shell/DiskText.cs and
// Shell/DdOperands.cs.
using Kernel.Arch;
using Kernel.Block;
using Kernel.Drivers;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static class DiskCommands
    {
        private static string Why(Errno e) => ErrnoText.Message(e);

        // "00:01.1 0101: 8086:7010", and " (rev 02)" when the revision is not 0, as lspci -n.
        public static int Lspci(string[] argv, int argc)
        {
            if (argc > 2 || (argc == 2 && argv[1] != "-n"))
            {
                Console.Error("usage: lspci [-n]");
                return 2;
            }
            for (int i = 0; i < Pci.Count; i++)
            {
                PciFunction f = Pci.At(i);
                string line = string.Concat(f.Address, " ", Numbers.Hex(f.ClassCode, 2), Numbers.Hex(f.Subclass, 2));
                line = string.Concat(line, ": ", Numbers.Hex(f.VendorId, 4), string.Concat(":", Numbers.Hex(f.DeviceId, 4)));
                if (f.Revision != 0) line = string.Concat(line, " (rev ", Numbers.Hex(f.Revision, 2), ")");
                Console.WriteLine(line);
            }
            return 0;
        }

        // util-linux lsblk: NAME (as wide as the longest name), MAJ:MIN ("%3u:%-3u"), RM, SIZE (at
        // least 5 wide), RO, TYPE, MOUNTPOINTS (who holds the disk).
        public static int Lsblk(string[] argv, int argc)
        {
            if (argc != 1)
            {
                Console.Error("usage: lsblk");
                return 2;
            }
            DiskTable disks = Disks.Table;
            int nameWidth = 4, sizeWidth = 5;
            for (int i = 0; i < disks.Count; i++)
            {
                BlockDevice d = disks.At(i);
                if (d.Name.Length > nameWidth) nameWidth = d.Name.Length;
                int s = DiskText.LsblkSize(d.Bytes).Length;
                if (s > sizeWidth) sizeWidth = s;
            }
            Console.WriteLine(string.Concat(Numbers.PadRight("NAME", nameWidth), " MAJ:MIN RM ", Numbers.PadLeft("SIZE", sizeWidth), " RO TYPE MOUNTPOINTS"));
            for (int i = 0; i < disks.Count; i++)
            {
                BlockDevice d = disks.At(i);
                string majMin = string.Concat(Numbers.PadLeft(d.Major.ToString(), 3), ":", Numbers.PadRight(d.Minor.ToString(), 3));
                string line = string.Concat(Numbers.PadRight(d.Name, nameWidth), " ", majMin, string.Concat("  ", d.Removable ? "1" : "0", " "));
                line = string.Concat(line, Numbers.PadLeft(DiskText.LsblkSize(d.Bytes), sizeWidth), d.ReadOnly ? "  1 " : "  0 ", "disk ");
                Console.WriteLine(string.Concat(line, d.Holder == null ? "" : d.Holder));
            }
            return 0;
        }

        // sync: dirty pages and metadata of every disk file system, then every disk's write cache
        // to its medium.
        public static int Sync(string[] argv, int argc)
        {
            int status = 0;
            Errno fe = Sys.Files.SyncAll();
            if (fe != Errno.None)
            {
                Console.Error(string.Concat("sync: ", Why(fe)));
                status = 1;
            }
            for (int i = 0; i < Disks.Table.Count; i++)
            {
                BlockDevice d = Disks.Table.At(i);
                Errno e = Flush(d);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("sync: ", d.Name, ": ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        public static Errno Flush(BlockDevice d)
        {
            if (!d.CanFlush || d.ReadOnly) return Errno.None;
            BlockRequest r = d.Pool.Take();
            r.Set(BlockOp.Flush, 0, 0);
            Errno e = d.Transfer(r);
            d.Pool.Put(r);
            return e;
        }

        // The largest dd block: beyond it, busybox's "out of memory" rather than a heap panic.
        private const ulong MaxDdBlock = 16UL << 20;

        // dd (a program): copies blocks of bs bytes from if= (or the console) to of= (or standard
        // output), then prints the three status lines on standard error.
        public static int Dd(string[] argv)
        {
            DdOperands o = DdOperands.Parse(argv, argv.Length);
            if (o.Error != null)
            {
                Console.Error(o.Error);
                return 1;
            }
            if (o.BlockSize > MaxDdBlock || o.BlockSize * 4 > (ulong)Memory.PhysicalMemory.FreeFrames() * 4096)
            {
                Console.Error("dd: out of memory");
                return 1;
            }
            string inName = o.Input == null ? "/dev/console" : o.Input;
            // Opened and held in one step (closed at exit, also when killed).
            Errno e = Sys.Processes.OpenHeld(Sys.Files, inName, OpenFlags.Read, out OpenFile input);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("dd: can't open '", inName, "': ", Why(e)));
                return 1;
            }
            OpenFile output = null;
            if (o.Output != null)
            {
                OpenFlags flags = OpenFlags.Write | OpenFlags.Create;
                if (o.Seek == 0 && !o.NoTruncate) flags |= OpenFlags.Truncate;
                e = Sys.Processes.OpenHeld(Sys.Files, o.Output, flags, out output);
                if (e == Errno.None)
                {
                    // With seek=, what lies before the seek point stays (busybox's ftruncate).
                    if (o.Seek != 0 && !o.NoTruncate) e = Truncate(output, Multiply(o.Seek, o.BlockSize));
                }
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("dd: can't open '", o.Output, "': ", Why(e)));
                    return 1;
                }
                output.Offset = Multiply(o.Seek, o.BlockSize);
            }
            input.Offset = Multiply(o.Skip, o.BlockSize);
            byte[] buffer = new byte[o.BlockSize];
            ulong inFull = 0, inPart = 0, outFull = 0, outPart = 0, total = 0;
            int bs = (int)o.BlockSize;
            ulong start = Tsc.Now;
            int status = 0;
            while (o.Count == ulong.MaxValue || inFull + inPart < o.Count)
            {
                e = Sys.Files.Read(input, buffer, 0, bs, out int n);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("dd: ", inName, ": ", Why(e)));
                    return 1;
                }
                if (n == 0) break;
                if (n == bs) inFull++; else inPart++;
                int written = 0;
                e = Errno.None;
                if (output == null)
                {
                    for (int i = 0; i < n; i++) Console.Write(buffer[i]);
                    written = n;
                }
                else
                {
                    while (written < n)
                    {
                        e = Sys.Files.Write(output, buffer, written, n - written, out int w);
                        written += w;
                        if (e != Errno.None || w == 0) break;
                    }
                }
                // As busybox counts: a full output block, a short block written whole, or (a short
                // write, an error) neither; the bytes count all the same.
                total += (ulong)written;
                if (written == bs) outFull++;
                else if (written == n) outPart++;
                if (written != n)
                {
                    Console.Error(string.Concat("dd: error writing '", o.Output, "': ", Why(e == Errno.None ? Errno.ENOSPC : e)));
                    status = 1;
                    break;
                }
            }
            if (status == 0 && o.Fsync && output != null) FsyncOutput(output);
            ulong micros = Tsc.ToMicroseconds(Tsc.Now - start);
            if (micros == 0) micros = 1;
            Console.Error(string.Concat(inFull.ToString(), "+", inPart.ToString(), " records in"));
            Console.Error(string.Concat(outFull.ToString(), "+", outPart.ToString(), " records out"));
            Console.Error(string.Concat(total.ToString(), " bytes (", DiskText.BusyboxHuman(total), string.Concat("B) copied, ",
                DiskText.Seconds(micros), " seconds, ", string.Concat(DiskText.BusyboxHuman(total * 1000000 / micros), "B/s"))));
            Sys.Processes.CloseHeld(input);
            if (output != null) Sys.Processes.CloseHeld(output);
            return status;
        }

        private static ulong Multiply(ulong a, ulong b) => b != 0 && a > ulong.MaxValue / b ? ulong.MaxValue : a * b;

        private static Errno Truncate(OpenFile file, ulong size)
        {
            Sys.Irq.Enter();
            Errno e = file.Inode.Truncate(size);
            Sys.Irq.Exit();
            return e;
        }

        // conv=fsync on a disk node: its write cache to the medium.
        private static void FsyncOutput(OpenFile output)
        {
            for (int i = 0; i < Disks.Table.Count; i++)
            {
                BlockDevice d = Disks.Table.At(i);
                if (output.Inode.IsDevice && output.Inode.DeviceMajor == d.Major && output.Inode.DeviceMinor == d.Minor) Flush(d);
            }
        }

        // cksum (a program): "CRC SIZE NAME" per file, as coreutils prints it.
        public static int Cksum(string[] argv)
        {
            if (argv.Length < 2)
            {
                Console.Error("usage: cksum FILE...");
                return 2;
            }
            byte[] buffer = new byte[64 * 1024];
            int status = 0;
            for (int i = 1; i < argv.Length; i++)
            {
                Errno e = Sys.Processes.OpenHeld(Sys.Files, argv[i], OpenFlags.Read, out OpenFile file);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("cksum: can't open '", argv[i], "': ", Why(e)));
                    status = 1;
                    continue;
                }
                uint crc = 0;
                ulong length = 0;
                while (true)
                {
                    e = Sys.Files.Read(file, buffer, 0, buffer.Length, out int n);
                    if (e != Errno.None || n == 0) break;
                    crc = PosixCrc.Update(crc, buffer, 0, n);
                    length += (ulong)n;
                }
                Sys.Processes.CloseHeld(file);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("cksum: ", argv[i], ": ", Why(e)));
                    status = 1;
                    continue;
                }
                Console.WriteLine(string.Concat(PosixCrc.Finish(crc, length).ToString(), " ", length.ToString(), string.Concat(" ", argv[i])));
            }
            return status;
        }
    }
}
