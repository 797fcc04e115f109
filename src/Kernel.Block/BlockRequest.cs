// One transfer between a run of sectors and memory (Linux's bio and request in one): the first
// sector, the count, the direction, and the memory as a list of physical segments (scatter-gather:
// any page, no copy). Requests are made at setup time and reused: filling and submitting one never
// allocates, so the page-fault and reclaim paths can do I/O.
//
// Layout: segments in two parallel arrays of fixed capacity (physical address, bytes). The queue
// merges adjacent requests into a chain: the head carries the chain's totals, members are linked
// through NextInChain in sector order. A driver sees only chain heads and walks the members'
// segments in order; the bytes of all segments of a chain equal its sectors × 512.
// Life cycle: Idle → (Set, AddSegment…) → Submit → Queued → Started → Done (Status set, the
// completion signalled, at most once per submit) → Idle again. Fields are touched with the block
// lock held once submitted.
using Kernel.Abi;

namespace Kernel.Block
{
    public enum BlockOp : byte { Read, Write, Flush }

    public sealed class BlockRequest
    {
        // Drivers split segments further where their hardware needs it (an ATA PRD entry may not
        // cross a 64 KiB boundary).
        public const uint MaxSegmentBytes = 1 << 20;

        private readonly ulong[] _segmentPhys;
        private readonly uint[] _segmentBytes;
        private int _segmentCount;
        private readonly Completion _completion;

        // The queue's links (chain members, and pending chains) and the chain head's totals.
        internal BlockRequest _nextInChain, _chainTail, _nextPending;
        internal uint _chainSectors;
        internal int _chainSegments;
        internal bool _queued;

        public BlockRequest(int maxSegments, Completion completion)
        {
            _segmentPhys = new ulong[maxSegments];
            _segmentBytes = new uint[maxSegments];
            _completion = completion;
        }

        public BlockOp Op { get; private set; }
        public ulong Sector { get; private set; }
        public uint Count { get; private set; }       // sectors (0 for a flush)
        public Errno Status { get; internal set; }
        public Completion Completion => _completion;
        public bool IsDone => _completion.IsDone;
        public int MaxSegments => _segmentPhys.Length;
        public int SegmentCount => _segmentCount;
        public ulong SegmentPhys(int i) => _segmentPhys[i];
        public uint SegmentBytes(int i) => _segmentBytes[i];

        // For drivers, on a chain head: the next member, and the chain's totals.
        public BlockRequest NextInChain => _nextInChain;
        public uint ChainSectors => _chainSectors;
        public int ChainSegments => _chainSegments;
        public ulong End => Sector + Count;

        // Starts a new transfer description; false while the request is queued or in flight.
        public bool Set(BlockOp op, ulong sector, uint count)
        {
            if (_queued) return false;
            Op = op;
            Sector = sector;
            Count = op == BlockOp.Flush ? 0 : count;
            _segmentCount = 0;
            Status = Errno.None;
            return true;
        }

        // Appends memory; a segment that continues the previous one physically is folded into it.
        // False when the segment table is full (or the request is queued).
        public bool AddSegment(ulong phys, uint bytes)
        {
            if (_queued || bytes == 0) return !_queued;
            if (_segmentCount > 0)
            {
                int last = _segmentCount - 1;
                ulong end = _segmentPhys[last] + _segmentBytes[last];
                if (end == phys && _segmentBytes[last] + (ulong)bytes <= MaxSegmentBytes)
                {
                    _segmentBytes[last] += bytes;
                    return true;
                }
            }
            if (_segmentCount == _segmentPhys.Length) return false;
            _segmentPhys[_segmentCount] = phys;
            _segmentBytes[_segmentCount] = bytes;
            _segmentCount++;
            return true;
        }

        public ulong SegmentTotal()
        {
            ulong total = 0;
            for (int i = 0; i < _segmentCount; i++) total += _segmentBytes[i];
            return total;
        }
    }
}
