// Byte-addressed device I/O (what /dev/sda and dd use): any offset and size, partial sectors
// read-modified-written, the end of the device, misaligned and unreachable memory bounced,
// I/O errors as short counts or EIO; and a property test against a plain byte array.
using System;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Block;
using Xunit;

namespace Kernel.Block.Tests
{
    public sealed class DirectIoTests : IDisposable
    {
        private readonly HostContext _context = new();

        public void Dispose() => _context.Dispose();

        private RamDisk Disk(ulong sectors = 64, int maxSectors = 16, int maxSegments = 8, int maxInFlight = 2, int pool = 3, int alignment = 1)
        {
            var disk = new RamDisk(_context, "vda", sectors, maxSectors, maxSegments, maxInFlight, pool, alignment);
            _context.Interrupt = disk.CompleteOne;
            return disk;
        }

        [Fact]
        public void A_partial_sector_write_keeps_the_rest_of_the_sector()
        {
            RamDisk disk = Disk();
            for (int i = 0; i < disk.Data.Length; i++) disk.Data[i] = 0xAA;
            byte[] data = Enumerable.Range(0, 10).Select(i => (byte)i).ToArray();
            Assert.Equal(Errno.None, DirectIo.Write(disk, 1000, data, 0, 10, out int written));
            Assert.Equal(10, written);
            Assert.Equal(0xAA, disk.Data[999]);
            Assert.Equal(data, disk.Data[1000..1010]);
            Assert.Equal(0xAA, disk.Data[1010]);
            byte[] back = new byte[12];
            Assert.Equal(Errno.None, DirectIo.Read(disk, 999, back, 0, 12, out int read));
            Assert.Equal(12, read);
            Assert.Equal(new byte[] { 0xAA, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xAA }, back);
            Assert.Equal(disk.Pool.Count, disk.Pool.FreeCount);
        }

        [Fact]
        public void Past_the_end_reads_nothing_and_writes_fail_with_enospc()
        {
            RamDisk disk = Disk(sectors: 8);
            byte[] buffer = new byte[1000];
            Assert.Equal(Errno.None, DirectIo.Read(disk, 4096, buffer, 0, 1000, out int read));
            Assert.Equal(0, read);
            Assert.Equal(Errno.None, DirectIo.Read(disk, 4000, buffer, 0, 1000, out read));
            Assert.Equal(96, read);                                   // cut short at the end
            Assert.Equal(Errno.ENOSPC, DirectIo.Write(disk, 4096, buffer, 0, 1, out int written));
            Assert.Equal(0, written);
            Assert.Equal(Errno.None, DirectIo.Write(disk, 3000, buffer, 0, 1000, out written));
            Assert.Equal(1000, written);
            Assert.Equal(Errno.None, DirectIo.Write(disk, 3596, buffer, 0, 1000, out written));
            Assert.Equal(500, written);                               // a short write, then
            Assert.Equal(Errno.ENOSPC, DirectIo.Write(disk, 4096, buffer, 0, 500, out written));
        }

        [Fact]
        public void Full_sectors_go_straight_to_the_caller_s_memory_in_merged_batches()
        {
            RamDisk disk = Disk(sectors: 256, maxSectors: 16, maxInFlight: 1, pool: 4);
            byte[] buffer = new byte[64 * 512];
            new Random(5).NextBytes(disk.Data);
            Assert.Equal(Errno.None, DirectIo.Read(disk, 512 * 10, buffer, 0, buffer.Length, out int read));
            Assert.Equal(buffer.Length, read);
            Assert.Equal(disk.Data[(512 * 10)..(512 * 74)], buffer);
            // 64 sectors in 16-sector requests, 4 at a time: each batch is one request started at once
            // and three that wait; those three merge as far as 16 sectors allow: no merges here.
            Assert.All(disk.Log, c => Assert.True(c.Sectors <= 16));
            Assert.Equal(4, disk.Log.Count);
        }

        [Fact]
        public void Misaligned_or_unreachable_memory_is_bounced()
        {
            RamDisk disk = Disk(sectors: 64, alignment: 2);
            new Random(6).NextBytes(disk.Data);
            byte[] buffer = new byte[8 * 512 + 1];
            Assert.Equal(Errno.None, DirectIo.Read(disk, 0, buffer, 1, 8 * 512, out int read));   // odd address
            Assert.Equal(8 * 512, read);
            Assert.Equal(disk.Data[..(8 * 512)], buffer[1..]);
            _context.NoPhysical = _ => true;
            byte[] data = new byte[6000];
            new Random(7).NextBytes(data);
            Assert.Equal(Errno.None, DirectIo.Write(disk, 512, data, 0, data.Length, out int written));
            Assert.Equal(data.Length, written);
            Assert.Equal(data, disk.Data[512..(512 + 6000)]);
        }

        [Fact]
        public void An_io_error_ends_the_transfer_short_or_with_eio()
        {
            RamDisk disk = Disk(sectors: 64, maxSectors: 8, maxInFlight: 1, pool: 1);
            disk.Fails = (sector, count) => sector <= 20 && 20 < sector + count;
            byte[] buffer = new byte[32 * 512];
            Assert.Equal(Errno.None, DirectIo.Read(disk, 0, buffer, 0, buffer.Length, out int read));
            Assert.Equal(16 * 512, read);                             // sectors 0-15 fine, 16-23 failed
            Assert.Equal(Errno.EIO, DirectIo.Read(disk, 20 * 512, buffer, 0, 512, out read));
            Assert.Equal(0, read);
            Assert.Equal(Errno.EIO, DirectIo.Write(disk, 20 * 512 + 3, buffer, 0, 5, out int written));
            Assert.Equal(0, written);
            Assert.Equal(disk.Pool.Count, disk.Pool.FreeCount);
        }

        [Fact]
        public void Read_only_devices_refuse_writes()
        {
            var disk = new RamDisk(_context, "sr0", 8, readOnly: true);
            _context.Interrupt = disk.CompleteOne;
            Assert.Equal(Errno.EROFS, DirectIo.Write(disk, 0, new byte[512], 0, 512, out int _));
            Assert.Equal(Errno.EFAULT, DirectIo.Read(disk, 0, new byte[4], 2, 4, out int _));
        }

        public readonly record struct Io(bool Write, int Offset, int Count, int Start, int Seed);

        public sealed record Setup(int Sectors, int MaxSectors, int MaxSegments, int MaxInFlight, int Pool, int Alignment, bool Unreachable, Io[] Ios)
        {
            public override string ToString() =>
                $"disk {Sectors} sectors, max {MaxSectors}/{MaxSegments} segs, {MaxInFlight} in flight, pool {Pool}, align {Alignment}, unreachable {Unreachable}: " +
                string.Join(" ", Ios.Select(i => (i.Write ? "W" : "R") + i.Offset + "+" + i.Count + "@" + i.Start));
        }

        static readonly Gen<Io> GenIo =
            Gen.Select(Gen.Bool, Gen.Int[0, 40 * 512], Gen.OneOf(Gen.Int[0, 600], Gen.Int[0, 20000]), Gen.Int[0, 3], Gen.Int)
                .Select(t => new Io(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5));

        static readonly Gen<Setup> GenSetup =
            from sectors in Gen.Int[1, 40]
            from maxSectors in Gen.Int[1, 32]
            from maxSegments in Gen.Int[2, 10]
            from inFlight in Gen.Int[1, 4]
            from pool in Gen.Int[1, 4]
            from alignment in Gen.OneOf(Gen.Const(1), Gen.Const(2))
            from unreachable in Gen.Int[0, 5]
            from ios in GenIo.Array[1, 25]
            select new Setup(sectors, maxSectors, maxSegments, inFlight, pool, alignment, unreachable == 0, ios);

        [Fact]
        public void Random_reads_and_writes_agree_with_a_byte_array() =>
            GenSetup.Sample(s =>
            {
                using var context = new HostContext();
                var disk = new RamDisk(context, "vda", (ulong)s.Sectors, s.MaxSectors, s.MaxSegments, s.MaxInFlight, s.Pool, s.Alignment);
                context.Interrupt = disk.CompleteOne;
                if (s.Unreachable) context.NoPhysical = phys => (phys / 4096) % 2 == 1;
                byte[] model = new byte[s.Sectors * 512];
                foreach (Io io in s.Ios)
                {
                    byte[] buffer = new byte[io.Start + io.Count + 3];
                    new Random(io.Seed).NextBytes(buffer);
                    byte[] before = (byte[])buffer.Clone();
                    int size = model.Length;
                    if (io.Write)
                    {
                        Errno e = DirectIo.Write(disk, (ulong)io.Offset, buffer, io.Start, io.Count, out int written);
                        int expect = io.Count == 0 ? 0 : io.Offset >= size ? 0 : Math.Min(io.Count, size - io.Offset);
                        Errno expectErr = io.Count > 0 && io.Offset >= size ? Errno.ENOSPC : Errno.None;
                        if (e != expectErr || written != expect) throw new Exception($"write {io}: {e} {written}, expected {expectErr} {expect}");
                        Array.Copy(buffer, io.Start, model, Math.Min(io.Offset, size), expect);
                        if (!buffer.SequenceEqual(before)) throw new Exception("a write changed the caller's buffer");
                    }
                    else
                    {
                        Errno e = DirectIo.Read(disk, (ulong)io.Offset, buffer, io.Start, io.Count, out int read);
                        int expect = io.Offset >= size ? 0 : Math.Min(io.Count, size - io.Offset);
                        if (e != Errno.None || read != expect) throw new Exception($"read {io}: {e} {read}, expected {expect}");
                        for (int i = 0; i < buffer.Length; i++)
                        {
                            bool inside = i >= io.Start && i < io.Start + read;
                            byte want = inside ? model[io.Offset + i - io.Start] : before[i];
                            if (buffer[i] != want) throw new Exception($"read {io}: byte {i} is {buffer[i]}, expected {want}");
                        }
                    }
                    if (!disk.Data.SequenceEqual(model)) throw new Exception($"after {io} the disk differs from the model");
                    if (disk.Pool.FreeCount != disk.Pool.Count) throw new Exception("a pool request was not given back");
                    if (context.Depth != 0) throw new Exception("the lock is held after an operation");
                    string problem = disk.Queue.Verify();
                    if (problem != null) throw new Exception(problem);
                }
            }, iter: 400, print: s => s.ToString());
    }
}
