// bench disk DEVICE: the figures the issue compares with Linux in the same QEMU — 16 MiB read and
// written sequentially in 64 KiB requests, and 4,096 sequential 4 KiB writes — through the same
// path as /dev/vda and dd (Kernel.Block.DirectIo, straight between the device and a heap buffer),
// timed with the TSC. It overwrites the first 16 MiB of the device, and claims it meanwhile (a
// mounted or swapped-on device is refused with EBUSY). MB is 2^20 bytes, as dd's rates.
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Block;
using Kernel.Drivers;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static class DiskBench
    {
        private const int Total = 16 << 20;
        private const int Big = 64 << 10, Small = 4 << 10;

        public static int Run(string device)
        {
            string name = device.StartsWith("/dev/") ? device.Substring(5) : device;
            if (!Disks.Table.TryFind(name, out BlockDevice disk))
            {
                Console.Error(string.Concat("bench disk: ", device, ": No such device"));
                return 1;
            }
            if (disk.Bytes < (ulong)Total)
            {
                Console.Error(string.Concat("bench disk: ", name, " is smaller than 16 MiB"));
                return 1;
            }
            Errno e = disk.Claim("[bench]");
            if (e != Errno.None)
            {
                Console.Error(string.Concat("bench disk: ", name, ": ", ErrnoText.Message(e)));
                return 1;
            }
            byte[] buffer = new byte[Big];
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(i * 7 + 1);
            ulong read = Pass(disk, BlockOp.Read, buffer, Big, out e);
            ulong write = e == Errno.None ? Pass(disk, BlockOp.Write, buffer, Big, out e) : 0;
            ulong small = e == Errno.None ? Pass(disk, BlockOp.Write, buffer, Small, out e) : 0;
            disk.Release("[bench]");
            if (e != Errno.None)
            {
                Console.Error(string.Concat("bench disk: ", name, ": ", ErrnoText.Message(e)));
                return 1;
            }
            string prefix = string.Concat("bench disk ", name, ": ");
            Console.WriteLine(string.Concat(prefix, "sequential read 16 MiB in 64 KiB requests: ", DiskText.Seconds(read), string.Concat(" s (", Rate(read), " MB/s)")));
            Console.WriteLine(string.Concat(prefix, "sequential write 16 MiB in 64 KiB requests: ", DiskText.Seconds(write), string.Concat(" s (", Rate(write), " MB/s)")));
            Console.WriteLine(string.Concat(prefix, "4 KiB writes: 4096 in ", DiskText.Seconds(small), string.Concat(" s (", (4096UL * 1000000 / (small == 0 ? 1 : small)).ToString(), " IOPS)")));
            return 0;
        }

        // Microseconds for 16 MiB in requests of `size` bytes.
        private static ulong Pass(BlockDevice disk, BlockOp op, byte[] buffer, int size, out Errno e)
        {
            e = Errno.None;
            ulong start = Tsc.Now;
            for (int at = 0; at < Total; at += size)
            {
                int done;
                e = op == BlockOp.Read ? DirectIo.Read(disk, (ulong)at, buffer, 0, size, out done) : DirectIo.Write(disk, (ulong)at, buffer, 0, size, out done);
                if (e == Errno.None && done != size) e = Errno.EIO;
                if (e != Errno.None) return 0;
            }
            ulong micros = Tsc.ToMicroseconds(Tsc.Now - start);
            return micros == 0 ? 1 : micros;
        }

        // MB/s (2^20 bytes) with one decimal.
        private static string Rate(ulong micros)
        {
            ulong tenths = (ulong)Total * 10 * 1000000 / (1UL << 20) / (micros == 0 ? 1 : micros);
            return string.Concat((tenths / 10).ToString(), ".", (tenths % 10).ToString());
        }
    }
}
