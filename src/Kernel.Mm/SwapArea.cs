// One swap area on a block device (Linux's swap_info_struct): its slots, who references them,
// who is charged for them, and the transfers of pages to and from them.
//
// Layout: slot s is page s of the device (sector 8·s); slot 0 is the header page (SwapHeader.cs)
// and slots listed as bad are never handed out. Per slot: _count, the swap PTEs that name it
// (Linux's swap_map); _owner, the memory container charged for it (Linux's swap_cgroup, written
// only by the Charger); _used, whether it is allocated. Allocation is next-fit from a cursor and
// can ask for a run of adjacent slots, so the reaper writes a cluster in one request.
//
// Invariants: _free = usable slots not in use; a slot is in use from TryAllocate until Free
// (the swap layer frees it when no PTE and no swap-cache page refers to it any more).
// Transfers sleep for the I/O; requests are preallocated (no allocation on the reclaim or fault
// paths). Called with the kernel's interrupt lock held (Kernel.Mm's rule).
using Kernel.Abi;
using Kernel.Block;

namespace Kernel.Mm
{
    public sealed unsafe class SwapArea
    {
        // The most slots one transfer carries (the reaper's write cluster, swap-in readahead).
        public const int MaxCluster = 32;

        private readonly BlockDevice _device;
        private readonly MmContext _vm;
        private readonly uint _slots;          // last usable slot + 1
        private readonly ushort[] _count;
        private readonly ushort[] _owner;
        private readonly bool[] _used;
        private readonly bool[] _bad;
        private readonly BlockRequest _request;
        private readonly WaitChannel _idle;     // waiters for the request
        private bool _busy;                     // the request is someone's
        private uint _free;
        private uint _badCount;                 // set in Open, never changes
        private uint _cursor = 1;
        private ulong _reads, _writes;

        private SwapArea(BlockDevice device, MmContext vm, uint lastPage, BlockRequest request)
        {
            _device = device;
            _vm = vm;
            _slots = lastPage + 1;
            _count = new ushort[_slots];
            _owner = new ushort[_slots];
            _used = new bool[_slots];
            _bad = new bool[_slots];
            _request = request;
            _idle = device.Context.CreateChannel();
            _free = lastPage;
        }

        // An area over device, whose first page (read by the caller) is at header. EINVAL
        // without a valid version-1 header; ENOMEM when the slot tables cannot be made.
        public static Errno Open(BlockDevice device, MmContext vm, byte* header, out SwapArea area)
        {
            area = null;
            ulong devicePages = device.Sectors >> (Paging.Shift - BlockDevice.SectorShift);
            Errno e = SwapHeader.Parse(header, devicePages, out uint lastPage, out uint badPages);
            if (e != Errno.None) return e;
            area = new SwapArea(device, vm, lastPage, new BlockRequest(MaxCluster, new Completion(device.Context.CreateChannel())));
            area._used[0] = true;
            for (uint i = 0; i < badPages; i++)
            {
                uint bad = SwapHeader.BadPage(header, i);
                if (bad == 0 || bad >= area._slots || area._bad[bad]) continue;
                area._bad[bad] = true;
                area._used[bad] = true;
                area._free--;
                area._badCount++;
            }
            return Errno.None;
        }

        public BlockDevice Device => _device;
        public uint Slots => _slots - 1;          // usable pages, bad ones included (as /proc/swaps)
        public uint FreeSlots => _free;
        public uint UsedSlots => _slots - 1 - _badCount - _free;
        public ulong SizeKiB => (ulong)Slots * (Paging.Size / 1024);       // /proc/swaps' Size
        public ulong UsedKiB => (ulong)UsedSlots * (Paging.Size / 1024);
        public ulong Reads => _reads;
        public ulong Writes => _writes;

        public bool IsUsed(uint slot) => slot < _slots && _used[slot] && !_bad[slot] && slot != 0;
        public int Count(uint slot) => _count[slot];
        public ushort Owner(uint slot) => _owner[slot];

        internal void SetOwner(uint slot, ushort id) => _owner[slot] = id;
        internal void AddCount(uint slot, int delta) => _count[slot] = (ushort)(_count[slot] + delta);

        // n adjacent free slots (n <= MaxCluster), marked in use with no references; false when no
        // such run is free (the caller may ask for fewer).
        public bool TryAllocate(int n, out uint first)
        {
            first = 0;
            if (n < 1 || (uint)n > _free) return false;
            uint start = _cursor;
            for (uint tried = 0; tried < _slots; tried++)
            {
                uint s = start + tried;
                if (s >= _slots) s = s - _slots + 1;
                if (s + (uint)n > _slots) continue;
                int k = 0;
                while (k < n && !_used[s + (uint)k]) k++;
                if (k < n) continue;
                for (uint i = 0; i < (uint)n; i++)
                {
                    _used[s + i] = true;
                    _count[s + i] = 0;
                }
                _free -= (uint)n;
                _cursor = s + (uint)n >= _slots ? 1 : s + (uint)n;
                first = s;
                return true;
            }
            return false;
        }

        public void Free(uint slot)
        {
            if (!IsUsed(slot)) { _vm.Panic.Panic("swap: free of slot " + slot.ToString() + ", not in use"); return; }
            _used[slot] = false;
            _count[slot] = 0;
            _owner[slot] = 0;
            _free++;
        }

        // Writes frames pfns[0..n) to slots first..first+n-1 in one request (sleeps). The array
        // must stay the caller's until the call returns (the reaper's own buffer).
        public Errno Write(uint first, uint[] pfns, int n)
        {
            fixed (uint* p = pfns) return Transfer(BlockOp.Write, first, p, n);
        }

        // Reads slots first..first+n-1 into frames pfns[0..n) in one request (sleeps). A fault
        // passes frames on its own stack: several faulting tasks may wait here for the request.
        public Errno Read(uint first, uint* pfns, int n) => Transfer(BlockOp.Read, first, pfns, n);

        private Errno Transfer(BlockOp op, uint first, uint* pfns, int n)
        {
            if (n < 1 || n > MaxCluster || first == 0 || first + (uint)n > _slots) return Errno.EINVAL;
            BlockContext context = _device.Context;
            // One request at a time: a second user waits for the first one's completion.
            context.Lock();
            while (_busy) _idle.Sleep();
            _busy = true;
            context.Unlock();
            const uint sectorsPerPage = (uint)(Paging.Size >> BlockDevice.SectorShift);
            _request.Set(op, (ulong)first * sectorsPerPage, (uint)n * sectorsPerPage);
            Errno e = Errno.None;
            for (int i = 0; i < n && e == Errno.None; i++)
            {
                uint pfn = pfns[i];
                if (!context.TryPhysical(_vm.FrameAddress(pfn), out ulong phys) || !_request.AddSegment(phys, (uint)Paging.Size))
                    e = Errno.EIO;
            }
            if (e == Errno.None) e = _device.Queue.Submit(_request);
            if (e == Errno.None)
            {
                context.Lock();
                _request.Completion.WaitLocked();
                context.Unlock();
                e = _request.Status;
            }
            if (op == BlockOp.Write) _writes += (ulong)n; else _reads += (ulong)n;
            context.Lock();
            _busy = false;
            _idle.WakeAll();
            context.Unlock();
            return e == Errno.None ? Errno.None : Errno.EIO;
        }

        // The first broken invariant, or null.
        public string Verify()
        {
            uint free = 0;
            for (uint s = 1; s < _slots; s++)
            {
                if (!_used[s]) free++;
                if (!_used[s] && _count[s] != 0) return "swap: free slot " + s.ToString() + " has references";
            }
            return free == _free ? null : "swap: free count " + _free.ToString() + ", slots free " + free.ToString();
        }
    }
}
