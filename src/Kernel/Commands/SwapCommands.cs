// The shell's swap commands, as util-linux and busybox have them: mkswap DEVICE (Linux's version-1
// header), swapon DEVICE, swapon -s (/proc/swaps' columns), swapoff DEVICE. A device that is
// mounted or already swap is EBUSY; one without the signature is EINVAL. The swap itself is
// Kernel.Mm's (Swap.cs, SwapArea.cs).
using Kernel.Abi;
using Kernel.Block;
using Kernel.Drivers;
using Kernel.Mm;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static unsafe class SwapCommands
    {
        public const string Holder = "[SWAP]";
        private static string s_path;   // the active area's device path, as swapon was given it

        private static bool Disk(string command, string path, out BlockDevice disk)
        {
            disk = null;
            Errno e = Sys.Files.Resolve(path, out Inode inode, out string _);
            if (e == Errno.None && !DevFs.TryGetDisk(inode, out disk)) e = Errno.ENOTBLK;
            if (e != Errno.None) Console.Error(string.Concat(command, ": ", path, ": ", ErrnoText.Message(e)));
            return e == Errno.None;
        }

        public static int MkSwap(string[] argv, int argc)
        {
            if (argc != 2) { Console.Error("usage: mkswap DEVICE"); return 2; }
            if (!Disk("mkswap", argv[1], out BlockDevice disk)) return 1;
            if (disk.Holder != null)
            {
                Console.Error(string.Concat("mkswap: cannot open ", argv[1], ": Device or resource busy"));
                return 1;
            }
            ulong pages = disk.Bytes / Paging.Size;
            if (pages < 10)
            {
                Console.Error(string.Concat("mkswap: error: swap area needs to be at least 40 KiB"));
                return 1;
            }
            byte[] page = new byte[Paging.Size];
            Errno e = DirectIo.Read(disk, 0, page, 0, page.Length, out int _);
            if (e == Errno.None)
                fixed (byte* p = page) SwapHeader.Format(p, pages, Arch.Tsc.Now);
            if (e == Errno.None) e = DirectIo.Write(disk, 0, page, 0, page.Length, out int _);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("mkswap: ", argv[1], ": ", ErrnoText.Message(e)));
                return 1;
            }
            ulong bytes = (pages - 1) * Paging.Size;
            Console.WriteLine(string.Concat("Setting up swapspace version 1, size = ", DiskText.LsblkSize(bytes), string.Concat(" (", bytes.ToString(), " bytes)")));
            Console.WriteLine(string.Concat("no label, UUID=", Uuid(page)));
            return 0;
        }

        public static int SwapOn(string[] argv, int argc)
        {
            if (argc == 2 && argv[1] == "-s") return Summary();
            if (argc != 2) { Console.Error("usage: swapon DEVICE | swapon -s"); return 2; }
            if (!Disk("swapon", argv[1], out BlockDevice disk)) return 1;
            Errno e = disk.Claim(Holder);
            if (e == Errno.None)
            {
                byte[] page = new byte[Paging.Size];
                e = DirectIo.Read(disk, 0, page, 0, page.Length, out int _);
                SwapArea area = null;
                using (Sys.Irq.Hold())
                {
                    if (e == Errno.None)
                        fixed (byte* p = page) e = SwapArea.Open(disk, Sys.Memory.Context, p, out area);
                    if (e == Errno.None) e = Sys.Memory.Context.Swap.On(area);
                }
                if (e != Errno.None) disk.Release(Holder);
                else
                {
                    s_path = argv[1];
                    Log.Line(string.Concat("swap: ", argv[1], " on, ", area.SizeKiB.ToString(), " KiB"));
                }
            }
            if (e != Errno.None)
            {
                Console.Error(string.Concat("swapon: ", argv[1], ": ", ErrnoText.Message(e)));
                return 1;
            }
            return 0;
        }

        public static int SwapOff(string[] argv, int argc)
        {
            if (argc != 2) { Console.Error("usage: swapoff DEVICE"); return 2; }
            if (!Disk("swapoff", argv[1], out BlockDevice disk)) return 1;
            Swap swap = Sys.Memory.Context.Swap;
            Errno e;
            using (Sys.Irq.Hold())
            {
                e = !swap.IsOn || swap.Area.Device != disk ? Errno.EINVAL : swap.Off();
                if (e == Errno.None) disk.Release(Holder);
            }
            if (e != Errno.None)
            {
                Console.Error(string.Concat("swapoff: ", argv[1], ": ", ErrnoText.Message(e)));
                return 1;
            }
            s_path = null;
            return 0;
        }

        // /proc/swaps: Filename, Type, Size and Used in KiB, Priority.
        private static int Summary()
        {
            Console.WriteLine("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority");
            Swap swap = Sys.Memory.Context.Swap;
            SwapArea area = swap.Area;
            if (area == null) return 0;
            Console.WriteLine(string.Concat(Numbers.PadRight(s_path, 40), "partition\t", string.Concat(area.SizeKiB.ToString(), "\t\t",
                area.UsedKiB.ToString(), "\t\t-2")));
            return 0;
        }

        private static string Uuid(byte[] page)
        {
            string hex = "0123456789abcdef", s = "";
            for (int i = 0; i < 16; i++)
            {
                if (i == 4 || i == 6 || i == 8 || i == 10) s = string.Concat(s, "-");
                byte b = page[SwapHeader.UuidOffset + i];
                s = string.Concat(s, hex.Substring(b >> 4, 1), hex.Substring(b & 15, 1));
            }
            return s;
        }
    }
}
