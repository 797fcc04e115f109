// A device's request queue (Linux's request_queue with the elevator reduced to merging): requests
// wait here until the device can take them, and adjacent ones are merged into one chain so that
// the hardware sees one command.
//
// Layout: pending chains in a FIFO (_head.._tail through _nextPending); a chain is a head request
// whose members follow through _nextInChain in sector order, the head holding the totals (sectors,
// segments) and the tail. _inFlight counts chains handed to the driver and not yet finished.
// Merging, when a read or write is submitted (flushes never merge): the first pending chain of the
// same direction that ends where the request begins takes it at its end (back merge); otherwise the
// first that begins where the request ends takes it at its front (front merge); otherwise it
// becomes a new chain at the tail. A merge must keep the chain within the device's MaxSectors and
// MaxSegments. Chains are not merged with each other.
// Dispatch: while not plugged and fewer than MaxInFlight chains are started, the oldest pending
// chain goes to the driver (Start); a driver that says "not now" is asked again on Kick or Finish.
// Plug/Unplug (Linux's blk_plug) hold dispatch back while a caller submits a batch, so the batch
// can merge even when the device is idle.
// Invariants (Verify checks them): every pending chain is contiguous, one direction, within the
// limits, its totals match its members; _inFlight ≤ MaxInFlight; a request is in at most one
// chain, and _queued exactly while it is pending or in flight. All under the block lock.
using Kernel.Abi;

namespace Kernel.Block
{
    public sealed class RequestQueue
    {
        private readonly BlockDevice _device;
        private readonly BlockContext _context;
        private BlockRequest _head, _tail;
        private int _pending, _inFlight, _plugged;

        // Counters since boot: requests submitted, merged into another's chain, chains started.
        private ulong _submitted, _merged, _dispatched, _errors;

        internal RequestQueue(BlockDevice device, BlockContext context)
        {
            _device = device;
            _context = context;
        }

        public int PendingChains => _pending;
        public int InFlight => _inFlight;
        public ulong Submitted => _submitted;
        public ulong Merged => _merged;
        public ulong Dispatched => _dispatched;
        public ulong Errors => _errors;

        // Queues a request whose transfer is described (Set, AddSegment). Errors are returned at
        // once and the request is not queued: EINVAL for a malformed request, ENOSPC past the end,
        // EROFS for a write to a read-only device, EBUSY when it is already queued.
        public Errno Submit(BlockRequest r)
        {
            if (r == null) return Errno.EINVAL;
            _context.Lock();
            Errno e = Check(r);
            if (e == Errno.None)
            {
                r.Status = Errno.None;
                r.Completion.Reset();
                r._queued = true;
                r._nextInChain = null;
                r._nextPending = null;
                r._chainTail = r;
                r._chainSectors = r.Count;
                r._chainSegments = r.SegmentCount;
                _submitted++;
                if (r.Op == BlockOp.Flush || !TryMerge(r)) Append(r);
                DispatchLocked();
            }
            _context.Unlock();
            return e;
        }

        private Errno Check(BlockRequest r)
        {
            if (r._queued) return Errno.EBUSY;
            if (r.Op == BlockOp.Flush) return Errno.None;
            if (r.Count == 0 || r.SegmentCount == 0) return Errno.EINVAL;
            if (r.SegmentCount > _device.MaxSegments || r.Count > (uint)_device.MaxSectors) return Errno.EINVAL;
            if (r.SegmentTotal() != (ulong)r.Count << BlockDevice.SectorShift) return Errno.EINVAL;
            if (r.Sector >= _device.Sectors || r.Count > _device.Sectors - r.Sector) return Errno.ENOSPC;
            if (r.Op == BlockOp.Write && _device.ReadOnly) return Errno.EROFS;
            return Errno.None;
        }

        private bool Fits(BlockRequest chain, BlockRequest r) =>
            chain.Op == r.Op && chain._chainSectors + r.Count <= (uint)_device.MaxSectors &&
            chain._chainSegments + r.SegmentCount <= _device.MaxSegments;

        private bool TryMerge(BlockRequest r)
        {
            BlockRequest previous = null;
            for (BlockRequest c = _head; c != null; c = c._nextPending)
            {
                if (c.Op == r.Op && c.Sector + c._chainSectors == r.Sector && Fits(c, r))
                {
                    c._chainTail._nextInChain = r;
                    c._chainTail = r;
                    c._chainSectors += r.Count;
                    c._chainSegments += r.SegmentCount;
                    _merged++;
                    return true;
                }
            }
            for (BlockRequest c = _head; c != null; previous = c, c = c._nextPending)
            {
                if (c.Op == r.Op && r.End == c.Sector && Fits(c, r))
                {
                    // r becomes the chain's head, in c's place in the FIFO.
                    r._nextInChain = c;
                    r._chainTail = c._chainTail;
                    r._chainSectors = r.Count + c._chainSectors;
                    r._chainSegments = r.SegmentCount + c._chainSegments;
                    r._nextPending = c._nextPending;
                    if (previous == null) _head = r; else previous._nextPending = r;
                    if (_tail == c) _tail = r;
                    c._nextPending = null;
                    c._chainTail = null;
                    _merged++;
                    return true;
                }
            }
            return false;
        }

        private void Append(BlockRequest r)
        {
            if (_tail == null) _head = r; else _tail._nextPending = r;
            _tail = r;
            _pending++;
        }

        public void Plug()
        {
            _context.Lock();
            _plugged++;
            _context.Unlock();
        }

        public void Unplug()
        {
            _context.Lock();
            if (_plugged > 0) _plugged--;
            DispatchLocked();
            _context.Unlock();
        }

        // Driver: the hardware may take work again (e.g. the other device on its channel finished).
        public void Kick()
        {
            _context.Lock();
            DispatchLocked();
            _context.Unlock();
        }

        // Driver, usually in its interrupt handler: the chain started by Start has ended with
        // status (None or EIO). Every member gets the status and is completed; then the next
        // chain may start. Never allocates.
        public void Finish(BlockRequest chain, Errno status)
        {
            _context.Lock();
            if (_inFlight > 0) _inFlight--;
            if (status != Errno.None) _errors++;
            BlockRequest r = chain;
            while (r != null)
            {
                BlockRequest next = r._nextInChain;
                r._nextInChain = null;
                r._chainTail = null;
                r._queued = false;
                r.Status = status;
                r.Completion.Complete();
                r = next;
            }
            DispatchLocked();
            _context.Unlock();
        }

        private void DispatchLocked()
        {
            while (_plugged == 0 && _head != null && _inFlight < _device.MaxInFlight)
            {
                // Off the FIFO before Start: a synchronous device may Finish it inside Start.
                BlockRequest chain = _head;
                _head = chain._nextPending;
                if (_head == null) _tail = null;
                chain._nextPending = null;
                _pending--;
                _inFlight++;
                if (!_device.Start(chain))
                {
                    _inFlight--;
                    chain._nextPending = _head;
                    _head = chain;
                    if (_tail == null) _tail = chain;
                    _pending++;
                    return;
                }
                _dispatched++;
            }
        }

        // Null when the invariants hold, else what is wrong (for tests and a debug command).
        public string Verify()
        {
            _context.Lock();
            string problem = null;
            int count = 0;
            for (BlockRequest c = _head; c != null && problem == null; c = c._nextPending)
            {
                count++;
                uint sectors = 0;
                int segments = 0;
                ulong expect = c.Sector;
                BlockRequest last = null;
                for (BlockRequest m = c; m != null; m = m._nextInChain)
                {
                    if (!m._queued) problem = "a pending request is not marked queued";
                    if (m.Op != c.Op) problem = "a chain mixes directions";
                    if (m.Sector != expect) problem = "a chain is not contiguous";
                    expect = m.End;
                    sectors += m.Count;
                    segments += m.SegmentCount;
                    last = m;
                }
                if (problem == null && (sectors != c._chainSectors || segments != c._chainSegments)) problem = "a chain's totals are wrong";
                if (problem == null && c._chainTail != last) problem = "a chain's tail is wrong";
                if (problem == null && c.Op != BlockOp.Flush && (sectors > (uint)_device.MaxSectors || segments > _device.MaxSegments)) problem = "a chain exceeds the device's limits";
            }
            if (problem == null && count != _pending) problem = "the pending count is wrong";
            if (problem == null && _inFlight > _device.MaxInFlight) problem = "more chains in flight than the device allows";
            _context.Unlock();
            return problem;
        }
    }
}
