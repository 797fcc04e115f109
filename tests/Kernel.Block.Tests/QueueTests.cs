// The request queue case by case: dispatch when idle, back and front merges while the device is
// busy, the limits a merge respects, flushes, completion of every member with the chain's status,
// a device that refuses work until kicked, plugging, and the checks Submit makes.
using System;
using System.Runtime.InteropServices;
using Kernel.Abi;
using Kernel.Block;
using Xunit;

namespace Kernel.Block.Tests
{
    public sealed unsafe class QueueTests : IDisposable
    {
        private readonly HostContext _context = new();
        private readonly RamDisk _disk;
        private readonly byte[] _memory = GC.AllocateArray<byte>(1 << 20, pinned: true);

        public QueueTests()
        {
            _disk = new RamDisk(_context, "sda", 1024, maxSectors: 32, maxSegments: 4);
            _context.Interrupt = _disk.CompleteOne;
        }

        public void Dispose() => _context.Dispose();

        private ulong Address(int offset)
        {
            fixed (byte* p = _memory) return (ulong)(p + offset);
        }

        private BlockRequest Request(BlockOp op, ulong sector, uint count, int segments = 1)
        {
            var r = new BlockRequest(8, new Completion(_context.CreateChannel()));
            Assert.True(r.Set(op, sector, count));
            uint bytes = count * 512;
            // Distinct, non-adjacent pieces of memory, so that they do not fold into one segment.
            for (int i = 0; i < segments; i++)
            {
                uint piece = i == segments - 1 ? bytes - (uint)(segments - 1) * 512 : 512;
                Assert.True(r.AddSegment(Address((int)sector * 1024 + i * 600), piece));
            }
            return r;
        }

        [Fact]
        public void An_idle_device_gets_a_request_at_once()
        {
            BlockRequest r = Request(BlockOp.Read, 10, 4);
            Assert.Equal(Errno.None, _disk.Queue.Submit(r));
            Assert.Equal([new Command(BlockOp.Read, 10, 4, 1, 1)], _disk.Log);
            Assert.False(r.IsDone);
            Assert.True(_disk.CompleteOne());
            Assert.True(r.IsDone);
            Assert.Equal(Errno.None, r.Status);
            Assert.Null(_disk.Queue.Verify());
        }

        [Fact]
        public void Adjacent_requests_merge_behind_a_busy_device_back_and_front()
        {
            BlockRequest first = Request(BlockOp.Write, 0, 1);
            Assert.Equal(Errno.None, _disk.Queue.Submit(first));   // in flight: the rest waits
            BlockRequest a = Request(BlockOp.Write, 100, 4), b = Request(BlockOp.Write, 104, 4), c = Request(BlockOp.Write, 96, 4);
            Assert.Equal(Errno.None, _disk.Queue.Submit(a));
            Assert.Equal(Errno.None, _disk.Queue.Submit(b));       // back merge onto a
            Assert.Equal(Errno.None, _disk.Queue.Submit(c));       // front merge: c heads the chain
            Assert.Equal(1, _disk.Queue.PendingChains);
            Assert.Equal(2UL, _disk.Queue.Merged);
            Assert.Null(_disk.Queue.Verify());
            Assert.True(_disk.CompleteOne());
            Assert.Equal(new Command(BlockOp.Write, 96, 12, 3, 3), _disk.Log[1]);
            Assert.True(_disk.CompleteOne());
            Assert.True(a.IsDone && b.IsDone && c.IsDone);
        }

        [Fact]
        public void Merges_respect_direction_and_the_device_limits()
        {
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 0, 1)));
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 100, 30)));
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Write, 130, 2)));   // other direction
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 130, 4)));    // 34 > 32 sectors
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 130 - 32, 2, segments: 2)));   // fits sectors: 32
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 500, 3, segments: 3)));
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 503, 2, segments: 2)));   // 5 > 4 segments
            Assert.Equal(5, _disk.Queue.PendingChains);
            Assert.Null(_disk.Queue.Verify());
            while (_disk.CompleteOne()) { }
            Assert.Equal(6, _disk.Log.Count);
            Assert.Equal(new Command(BlockOp.Read, 98, 32, 2, 3), _disk.Log[1]);
        }

        [Fact]
        public void Flushes_never_merge_and_complete()
        {
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Write, 0, 1)));
            var f1 = new BlockRequest(1, new Completion(_context.CreateChannel()));
            var f2 = new BlockRequest(1, new Completion(_context.CreateChannel()));
            f1.Set(BlockOp.Flush, 0, 0);
            f2.Set(BlockOp.Flush, 0, 0);
            Assert.Equal(Errno.None, _disk.Queue.Submit(f1));
            Assert.Equal(Errno.None, _disk.Queue.Submit(f2));
            Assert.Equal(2, _disk.Queue.PendingChains);
            while (_disk.CompleteOne()) { }
            Assert.Equal(2, _disk.Flushes);
            Assert.True(f1.IsDone && f2.IsDone);
        }

        [Fact]
        public void A_failed_chain_fails_every_member()
        {
            _disk.Fails = (sector, count) => sector <= 200 && 200 < sector + count;
            Assert.Equal(Errno.None, _disk.Queue.Submit(Request(BlockOp.Read, 0, 1)));
            BlockRequest a = Request(BlockOp.Read, 196, 4), b = Request(BlockOp.Read, 200, 4);
            Assert.Equal(Errno.None, _disk.Queue.Submit(a));
            Assert.Equal(Errno.None, _disk.Queue.Submit(b));
            while (_disk.CompleteOne()) { }
            Assert.Equal(Errno.EIO, a.Status);
            Assert.Equal(Errno.EIO, b.Status);
            Assert.Equal(1UL, _disk.Queue.Errors);
            // The request is reusable afterwards, and the sector outside the bad range reads.
            Assert.True(a.Set(BlockOp.Read, 0, 1));
            a.AddSegment(Address(0), 512);
            Assert.Equal(Errno.None, _disk.Transfer(a));
        }

        [Fact]
        public void A_device_that_refuses_keeps_the_chain_until_kicked()
        {
            _disk.Busy = true;
            BlockRequest r = Request(BlockOp.Read, 5, 1);
            Assert.Equal(Errno.None, _disk.Queue.Submit(r));
            Assert.Empty(_disk.Log);
            Assert.Equal(1, _disk.Queue.PendingChains);
            _disk.Queue.Kick();
            Assert.Empty(_disk.Log);
            _disk.Busy = false;
            _disk.Queue.Kick();
            Assert.Single(_disk.Log);
            Assert.Equal(0, _disk.Queue.PendingChains);
            Assert.Null(_disk.Queue.Verify());
        }

        [Fact]
        public void A_plug_lets_a_batch_merge_on_an_idle_device()
        {
            _disk.Queue.Plug();
            BlockRequest[] batch = new BlockRequest[4];
            for (int i = 0; i < 4; i++)
            {
                batch[i] = Request(BlockOp.Write, (ulong)(40 + 8 * i), 8);
                Assert.Equal(Errno.None, _disk.Queue.Submit(batch[i]));
            }
            Assert.Empty(_disk.Log);
            _disk.Queue.Unplug();
            Assert.Equal([new Command(BlockOp.Write, 40, 32, 4, 4)], _disk.Log);
            Assert.True(_disk.CompleteOne());
            foreach (BlockRequest r in batch) Assert.True(r.IsDone);
        }

        [Fact]
        public void Submit_refuses_malformed_requests_and_past_the_end()
        {
            BlockRequest r = Request(BlockOp.Read, 1020, 4);
            Assert.Equal(Errno.None, _disk.Queue.Submit(r));
            Assert.Equal(Errno.EBUSY, _disk.Queue.Submit(r));            // already queued
            Assert.False(r.Set(BlockOp.Read, 0, 1));                        // cannot change while queued
            Assert.True(_disk.CompleteOne());
            Assert.Equal(Errno.ENOSPC, _disk.Queue.Submit(Request(BlockOp.Read, 1021, 4)));
            Assert.Equal(Errno.ENOSPC, _disk.Queue.Submit(Request(BlockOp.Read, 1024, 1)));
            Assert.Equal(Errno.EINVAL, _disk.Queue.Submit(Request(BlockOp.Read, 0, 33)));   // over MaxSectors
            var empty = new BlockRequest(2, new Completion(_context.CreateChannel()));
            empty.Set(BlockOp.Read, 0, 1);
            Assert.Equal(Errno.EINVAL, _disk.Queue.Submit(empty));          // no memory
            var shortRequest = new BlockRequest(2, new Completion(_context.CreateChannel()));
            shortRequest.Set(BlockOp.Write, 0, 2);
            shortRequest.AddSegment(Address(0), 512);
            Assert.Equal(Errno.EINVAL, _disk.Queue.Submit(shortRequest));   // 512 bytes for 2 sectors
            var readOnly = new RamDisk(_context, "sdb", 16, readOnly: true, poolSize: 0);
            var w = new BlockRequest(2, new Completion(_context.CreateChannel()));
            w.Set(BlockOp.Write, 0, 1);
            w.AddSegment(Address(0), 512);
            Assert.Equal(Errno.EROFS, readOnly.Queue.Submit(w));
            Assert.Equal(0, _disk.Queue.PendingChains);
        }

        [Fact]
        public void Segments_that_continue_each_other_fold_into_one()
        {
            var r = new BlockRequest(2, new Completion(_context.CreateChannel()));
            r.Set(BlockOp.Read, 0, 24);
            Assert.True(r.AddSegment(Address(0), 4096));
            Assert.True(r.AddSegment(Address(4096), 4096));
            Assert.True(r.AddSegment(Address(10000), 4096));
            Assert.Equal(2, r.SegmentCount);
            Assert.Equal(8192u, r.SegmentBytes(0));
            Assert.False(r.AddSegment(Address(20000), 100));   // full
        }

        [Fact]
        public void Transfer_sleeps_until_the_interrupt_and_moves_the_data()
        {
            for (int i = 0; i < 512; i++) _disk.Data[7 * 512 + i] = (byte)(i * 3);
            var r = new BlockRequest(2, new Completion(_context.CreateChannel()));
            r.Set(BlockOp.Read, 7, 1);
            r.AddSegment(Address(4096), 512);
            Assert.Equal(Errno.None, _disk.Transfer(r));
            Assert.Equal(1, _context.Sleeps);
            for (int i = 0; i < 512; i++) Assert.Equal((byte)(i * 3), _memory[4096 + i]);
            Assert.Equal(0, _context.Depth);
        }

        [Fact]
        public void Claims_are_exclusive()
        {
            Assert.Equal(Errno.None, _disk.Claim("/mnt"));
            Assert.Equal(Errno.EBUSY, _disk.Claim("[SWAP]"));
            Assert.Equal("/mnt", _disk.Holder);
            _disk.Release("[SWAP]");                       // not the holder: nothing changes
            Assert.Equal("/mnt", _disk.Holder);
            _disk.Release("/mnt");
            Assert.Null(_disk.Holder);
            Assert.Equal(Errno.None, _disk.Claim("[SWAP]"));
        }

        [Theory]
        [InlineData(0, "sda")]
        [InlineData(1, "sdb")]
        [InlineData(25, "sdz")]
        [InlineData(26, "sdaa")]
        [InlineData(27, "sdab")]
        [InlineData(701, "sdzz")]
        [InlineData(702, "sdaaa")]
        public void Disk_names_follow_linux(int index, string name) => Assert.Equal(name, DiskTable.DiskName("sd", index));
    }
}
