// A batch of disk transfers between runs of sectors and physical memory (pages of the page cache
// or of the buffer cache), cut into the device's requests: Add appends a piece, which extends the
// request being described when it continues it on the disk (same direction, next sector, within
// the device's MaxSectors and MaxSegments), otherwise that request is submitted and a new one
// started. Requests come from the device's pool; when the pool is empty the oldest submitted
// request is waited for and reused, so a batch of any length keeps at most the pool's worth in
// flight. Finish submits the last request, waits for all, and returns the first error.
// Used by one task at a time (the file system hands batches out with TakeBatch/ReturnBatch);
// nothing in it allocates after construction.
using Kernel.Abi;
using Kernel.Block;

namespace Kernel.Vfs.Ext2
{
    internal sealed class IoBatch
    {
        private readonly BlockDevice _device;
        private readonly BlockContext _context;
        private readonly RequestPool _pool;
        private readonly BlockRequest[] _flight;
        private int _flightHead, _flightCount;
        private readonly ulong[] _phys;
        private readonly uint[] _bytes;
        private int _segments;
        private BlockOp _op;
        private ulong _sector;
        private uint _sectors;
        private readonly int _maxSectors, _maxSegments;
        private Errno _error;

        public IoBatch(BlockDevice device)
        {
            _device = device;
            _context = device.Context;
            _pool = device.Pool;
            _flight = new BlockRequest[_pool == null ? 1 : _pool.Count];
            _maxSegments = device.MaxSegments;
            _maxSectors = device.MaxSectors;
            _phys = new ulong[_maxSegments];
            _bytes = new uint[_maxSegments];
        }

        public BlockDevice Device => _device;

        // bytes: a multiple of the sector size, at most a page.
        public void Add(BlockOp op, ulong sector, ulong phys, uint bytes)
        {
            uint n = bytes >> BlockDevice.SectorShift;
            if (_sectors > 0)
            {
                bool continues = op == _op && sector == _sector + _sectors && _sectors + n <= (uint)_maxSectors;
                bool joins = _phys[_segments - 1] + _bytes[_segments - 1] == phys;
                if (!continues || (!joins && _segments == _maxSegments)) Submit();
            }
            if (_sectors == 0)
            {
                _op = op;
                _sector = sector;
            }
            if (_segments > 0 && _phys[_segments - 1] + _bytes[_segments - 1] == phys) _bytes[_segments - 1] += bytes;
            else
            {
                _phys[_segments] = phys;
                _bytes[_segments] = bytes;
                _segments++;
            }
            _sectors += n;
        }

        public Errno Finish()
        {
            if (_sectors > 0) Submit();
            while (_flightCount > 0) WaitOldest();
            Errno e = _error;
            _error = Errno.None;
            return e;
        }

        private void Submit()
        {
            if (_pool == null)
            {
                if (_error == Errno.None) _error = Errno.EIO;
                Reset();
                return;
            }
            BlockRequest r = _pool.TryTake();
            if (r == null && _flightCount > 0)
            {
                WaitOldest();
                r = _pool.TryTake();
            }
            if (r == null) r = _pool.Take();
            r.Set(_op, _sector, _sectors);
            bool ok = true;
            for (int i = 0; i < _segments && ok; i++) ok = r.AddSegment(_phys[i], _bytes[i]);
            Errno e = ok ? _device.Queue.Submit(r) : Errno.EINVAL;
            if (e != Errno.None)
            {
                _pool.Put(r);
                if (_error == Errno.None) _error = e == Errno.ENOSPC ? Errno.EIO : e;
            }
            else
            {
                if (_flightCount == _flight.Length) WaitOldest();
                _flight[(_flightHead + _flightCount) % _flight.Length] = r;
                _flightCount++;
            }
            Reset();
        }

        private void Reset()
        {
            _segments = 0;
            _sectors = 0;
        }

        private void WaitOldest()
        {
            BlockRequest r = _flight[_flightHead];
            _flight[_flightHead] = null;
            _flightHead = (_flightHead + 1) % _flight.Length;
            _flightCount--;
            _context.Lock();
            r.Completion.WaitLocked();
            _context.Unlock();
            if (r.Status != Errno.None && _error == Errno.None) _error = r.Status;
            _pool.Put(r);
        }
    }
}
