// Byte-addressed reads and writes of a whole device, uncached (what O_DIRECT on a Linux block
// device node does, but at any offset and size): /dev/sda, dd and the benchmark go through here.
//
// A transfer is cut into three parts: a partial first sector and a partial last sector go through
// a request's bounce page (a write reads the sector, changes the bytes, writes it back); the full
// sectors in between go straight between the device and the caller's buffer (its physical
// segments), in requests of at most ChunkSectors, up to a pool's worth submitted before the first
// wait so that a device with several queues in flight (virtio) works on them together. Memory the
// device cannot reach directly (no physical address, misaligned for the device) is bounced a page
// at a time.
// Past the end: a read returns 0 bytes, a write ENOSPC; a transfer that crosses the end is cut
// short there. An I/O error ends a transfer: what was done before it is returned as a short count,
// EIO when nothing was.
// Two writers of the same partial sector at once may lose one's bytes (the read-modify-write is not
// atomic), as with raw devices elsewhere; full-sector writes never interfere.
using Kernel.Abi;

namespace Kernel.Block
{
    public static unsafe class DirectIo
    {
        private const int PageSize = 4096;

        public static Errno Read(BlockDevice device, ulong offset, byte[] buffer, int start, int count, out int done)
        {
            done = 0;
            if (!Valid(device, buffer, start, count)) return Errno.EFAULT;
            ulong size = device.Bytes;
            if (count == 0 || offset >= size) return Errno.None;
            if ((ulong)count > size - offset) count = (int)(size - offset);
            fixed (byte* p = buffer) return Transfer(device, BlockOp.Read, offset, p + start, count, out done);
        }

        public static Errno Write(BlockDevice device, ulong offset, byte[] buffer, int start, int count, out int done)
        {
            done = 0;
            if (!Valid(device, buffer, start, count)) return Errno.EFAULT;
            if (count == 0) return Errno.None;
            if (device.ReadOnly) return Errno.EROFS;
            ulong size = device.Bytes;
            if (offset >= size) return Errno.ENOSPC;
            if ((ulong)count > size - offset) count = (int)(size - offset);
            fixed (byte* p = buffer) return Transfer(device, BlockOp.Write, offset, p + start, count, out done);
        }

        // Raw memory version for kernel buffers (the benchmark's pages).
        public static Errno Transfer(BlockDevice device, BlockOp op, ulong offset, byte* memory, int count, out int done)
        {
            done = 0;
            Errno e = Errno.None;
            int sectorMask = BlockDevice.SectorSize - 1;
            // The partial first sector.
            if ((offset & (ulong)sectorMask) != 0 || count < BlockDevice.SectorSize)
            {
                int inSector = (int)(offset & (ulong)sectorMask);
                int n = BlockDevice.SectorSize - inSector;
                if (n > count) n = count;
                e = PartialSector(device, op, offset >> BlockDevice.SectorShift, inSector, memory, n);
                if (e != Errno.None) return e;
                done = n;
            }
            // Full sectors.
            int full = (count - done) & ~sectorMask;
            if (full > 0)
            {
                e = FullSectors(device, op, (offset + (ulong)done) >> BlockDevice.SectorShift, memory + done, full, out int moved);
                done += moved;
                if (e != Errno.None) return done > 0 ? Errno.None : e;
            }
            // The partial last sector.
            if (done < count)
            {
                e = PartialSector(device, op, (offset + (ulong)done) >> BlockDevice.SectorShift, 0, memory + done, count - done);
                if (e != Errno.None) return done > 0 ? Errno.None : e;
                done = count;
            }
            return Errno.None;
        }

        private static bool Valid(BlockDevice device, byte[] buffer, int start, int count) =>
            device != null && buffer != null && start >= 0 && count >= 0 && count <= buffer.Length - start;

        // Sectors of at most one request: bounded by the device and by the segments a buffer of
        // that size can need (one per page it touches).
        public static int ChunkSectors(BlockDevice device, BlockRequest r)
        {
            int bySegments = (r.MaxSegments - 1) * PageSize / BlockDevice.SectorSize;
            int limit = device.MaxSectors < bySegments ? device.MaxSectors : bySegments;
            return limit < 1 ? 1 : limit;
        }

        private static Errno PartialSector(BlockDevice device, BlockOp op, ulong sector, int inSector, byte* memory, int n)
        {
            RequestPool pool = device.Pool;
            BlockRequest r = pool.Take();
            ulong bouncePhys = pool.BounceOf(r);
            byte* bounce = device.Context.Virtual(bouncePhys);
            r.Set(BlockOp.Read, sector, 1);
            r.AddSegment(bouncePhys, BlockDevice.SectorSize);
            Errno e = device.Transfer(r);
            if (e == Errno.None)
            {
                if (op == BlockOp.Read) Copy(memory, bounce + inSector, n);
                else
                {
                    Copy(bounce + inSector, memory, n);
                    r.Set(BlockOp.Write, sector, 1);
                    r.AddSegment(bouncePhys, BlockDevice.SectorSize);
                    e = device.Transfer(r);
                }
            }
            pool.Put(r);
            return e;
        }

        // bytes is a multiple of the sector size. Batches of requests: submitted under a plug (so
        // that they merge when the device is busy), then waited for in order. The plug is the
        // queue's, not the caller's: it is held only for the few submits, never across a sleep.
        private static Errno FullSectors(BlockDevice device, BlockOp op, ulong sector, byte* memory, int bytes, out int done)
        {
            done = 0;
            RequestPool pool = device.Pool;
            BlockContext context = device.Context;
            BlockRequest[] batch = new BlockRequest[pool.Count];
            bool[] bounced = new bool[pool.Count];
            Errno e = Errno.None;
            while (done < bytes && e == Errno.None)
            {
                int n = 0;
                int planned = done;
                // The first request may mean a sleep: taken before the plug, which must never be
                // held across a sleep (it would hold back other tasks' requests too).
                BlockRequest first = pool.Take();
                device.Queue.Plug();
                while (planned < bytes && n < batch.Length)
                {
                    BlockRequest r = n == 0 ? first : pool.TryTake();
                    if (r == null) break;
                    int chunk = ChunkSectors(device, r) * BlockDevice.SectorSize;
                    if (chunk > bytes - planned) chunk = bytes - planned;
                    ulong at = sector + (ulong)(planned >> BlockDevice.SectorShift);
                    bool direct = Describe(device, r, op, at, memory + planned, chunk);
                    if (!direct)
                    {
                        // Bounce: one page at a time (the bounce page's size).
                        if (chunk > RequestPool.BounceBytes) chunk = RequestPool.BounceBytes;
                        ulong bouncePhys = pool.BounceOf(r);
                        r.Set(op, at, (uint)(chunk >> BlockDevice.SectorShift));
                        r.AddSegment(bouncePhys, (uint)chunk);
                        if (op == BlockOp.Write) Copy(context.Virtual(bouncePhys), memory + planned, chunk);
                    }
                    bounced[n] = !direct;
                    Errno s = device.Queue.Submit(r);
                    if (s != Errno.None)
                    {
                        pool.Put(r);
                        e = s;
                        break;
                    }
                    batch[n++] = r;
                    planned += chunk;
                }
                device.Queue.Unplug();
                for (int i = 0; i < n; i++)
                {
                    BlockRequest r = batch[i];
                    context.Lock();
                    r.Completion.WaitLocked();
                    context.Unlock();
                    int chunk = (int)(r.Count << BlockDevice.SectorShift);
                    if (r.Status != Errno.None && e == Errno.None) e = r.Status;
                    if (e == Errno.None)
                    {
                        if (bounced[i] && op == BlockOp.Read) Copy(memory + done, context.Virtual(pool.BounceOf(r)), chunk);
                        done += chunk;
                    }
                    pool.Put(r);
                    batch[i] = null;
                }
            }
            return e;
        }

        // Describes a direct transfer of memory[0..bytes) into r; false (r unusable as is) when
        // some of the memory has no physical address the device can use.
        private static bool Describe(BlockDevice device, BlockRequest r, BlockOp op, ulong sector, byte* memory, int bytes)
        {
            BlockContext context = device.Context;
            r.Set(op, sector, (uint)(bytes >> BlockDevice.SectorShift));
            int at = 0;
            while (at < bytes)
            {
                byte* p = memory + at;
                int n = PageSize - (int)((ulong)p & (PageSize - 1));
                if (n > bytes - at) n = bytes - at;
                if (!context.TryPhysical(p, out ulong phys)) return false;
                if (device.DmaAlignment > 1 && (phys % (ulong)device.DmaAlignment) != 0) return false;
                if (!r.AddSegment(phys, (uint)n)) return false;
                at += n;
            }
            return true;
        }

        private static void Copy(byte* to, byte* from, int n)
        {
            // 8 bytes at a time, then the rest.
            int i = 0;
            for (; i + 8 <= n; i += 8) *(ulong*)(to + i) = *(ulong*)(from + i);
            for (; i < n; i++) to[i] = from[i];
        }
    }
}
