// A disk as the rest of the kernel sees it (Linux's gendisk and its queue's limits): a name, the
// major and minor number, the capacity in 512-byte sectors, whether it is read-only or removable,
// and the request queue transfers go through. Both drivers (ATA, virtio-blk) derive from it and
// implement Start, which puts a chain of requests on the hardware.
//
// Limits the queue respects when it merges: at most MaxSectors sectors and MaxSegments segments in
// one chain, at most MaxInFlight chains started and not finished. Exclusive use: a mount or a swap
// area claims the device (Claim/Release); while claimed, every other would-be user gets EBUSY.
// The descriptive fields are set once by the driver at probe time and never change.
using Kernel.Abi;

namespace Kernel.Block
{
    public abstract class BlockDevice
    {
        public const int SectorSize = 512;
        public const int SectorShift = 9;

        private readonly BlockContext _context;
        private readonly RequestQueue _queue;
        private string _holder;

        protected BlockDevice(BlockContext context, string name, int major, int minor)
        {
            _context = context;
            Name = name;
            Major = major;
            Minor = minor;
            MaxSectors = 128;
            MaxSegments = 32;
            MaxInFlight = 1;
            Model = "";
            _queue = new RequestQueue(this, context);
        }

        public BlockContext Context => _context;
        public RequestQueue Queue => _queue;
        public string Name { get; }
        public int Major { get; }
        public int Minor { get; }
        public string Model { get; protected set; }
        public ulong Sectors { get; protected set; }
        public ulong Bytes => Sectors << SectorShift;
        public bool ReadOnly { get; protected set; }
        public bool Removable { get; protected set; }
        public bool CanFlush { get; protected set; }
        public int MaxSectors { get; protected set; }
        public int MaxSegments { get; protected set; }
        public int MaxInFlight { get; protected set; }
        // Memory a segment starts at must be a multiple of this (ATA's PRD entries: 2).
        public int DmaAlignment { get; protected set; } = 1;
        // Spare requests with bounce pages (device-node I/O, dd, bench); made by the driver.
        public RequestPool Pool { get; protected set; }

        // Puts a chain (a head and its NextInChain members: contiguous sectors, one direction) on
        // the hardware. Called with the lock held, never more than MaxInFlight at once. False when
        // the hardware cannot take it now (a channel shared with another device is busy): the
        // queue keeps it and tries again on its next Kick. The driver reports the end through
        // Queue.Finish, usually from its interrupt handler; never allocates.
        protected internal abstract bool Start(BlockRequest chain);

        // Who holds the device exclusively ("/mnt", "[SWAP]"), or null.
        public string Holder => _holder;

        public Errno Claim(string holder)
        {
            if (holder == null) return Errno.EINVAL;
            _context.Lock();
            Errno e = _holder != null ? Errno.EBUSY : Errno.None;
            if (e == Errno.None) _holder = holder;
            _context.Unlock();
            return e;
        }

        public void Release(string holder)
        {
            _context.Lock();
            if (_holder == holder) _holder = null;
            _context.Unlock();
        }

        // Submit and wait: one request, start to end. Returns its status.
        public Errno Transfer(BlockRequest request)
        {
            _context.Lock();
            Errno e = _queue.Submit(request);
            if (e == Errno.None)
            {
                request.Completion.WaitLocked();
                e = request.Status;
            }
            _context.Unlock();
            return e;
        }
    }
}
