// virtio-blk over PCI, through the legacy interface of the transitional device (1AF4:1001, virtio
// 0.9.5 / "legacy" in the 1.x spec): chosen because its I/O-port registers in BAR0 need no
// capability walk and no memory-mapped BAR, and QEMU's `pc` machine offers it by default.
//
// Registers (BAR0 + offset): 0x00 device features, 0x04 driver features, 0x08 queue address (page
// number), 0x0C queue size, 0x0E queue select, 0x10 queue notify, 0x12 device status, 0x13 ISR
// status (reading clears it and lowers the line), 0x14… device config without MSI-X (capacity u64,
// size_max u32 at 0x1C, seg_max u32 at 0x20). Features taken: SIZE_MAX (1), SEG_MAX (2), RO (5),
// FLUSH (9); nothing else (no event index, no indirect descriptors).
// One virtqueue (legacy layout, queue size N from the device): descriptors (16 bytes each: u64
// address, u32 length, u16 flags NEXT=1/WRITE=2, u16 next), then the available ring (u16 flags,
// u16 idx, u16 ring[N]), and at the next 4 KiB boundary the used ring (u16 flags, u16 idx,
// {u32 id, u32 len}[N]). A request is a descriptor chain: a 16-byte header the device reads
// ({u32 type 0 IN / 1 OUT / 4 FLUSH, u32 reserved, u64 sector}), the data segments, one status
// byte the device writes (0 OK). Everything is preallocated: request slot i owns descriptors
// [i × PerSlot, (i+1) × PerSlot) and bytes [32 i, 32 i + 17) of the header page; MaxInFlight is
// the number of slots. Interrupts are INTx through the PIC on a level-triggered, shared line: the
// handler reads ISR first (another device may be the one interrupting) and then walks the used
// ring from where it stopped.
// Invariants: _slots[i] is the chain slot i carries, or null; the available ring only grows; used
// entries are consumed in order exactly once (_lastUsed). Under the block lock.
using System.Runtime.CompilerServices;
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Block;

namespace Kernel.Drivers
{
    internal sealed unsafe class VirtioBlk : BlockDevice
    {
        private const int Features = 0x00, DriverFeatures = 0x04, QueueAddress = 0x08, QueueSize = 0x0C, QueueSelect = 0x0E,
            QueueNotify = 0x10, DeviceStatus = 0x12, IsrStatus = 0x13, Config = 0x14;
        private const uint FeatureSizeMax = 1 << 1, FeatureSegMax = 1 << 2, FeatureRo = 1 << 5, FeatureFlush = 1 << 9;
        private const byte StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4, StatusFailed = 128;
        private const ushort DescNext = 1, DescWrite = 2;
        private const int MaxSlots = 16;

        private readonly ushort _io;
        private readonly PciFunction _pci;
        private int _size;                // queue size N
        private int _perSlot;             // descriptors per request slot
        private uint _sizeMax;            // largest segment the device takes (0: no limit)
        private byte* _desc, _avail, _used, _headers;
        private ulong _headersPhys;
        private BlockRequest[] _slots;
        private ushort _availIdx, _lastUsed;
        private ulong _interrupts;
        private readonly string _tooManyDescriptors;

        private VirtioBlk(BlockContext context, string name, int minor, PciFunction pci, ushort io)
            : base(context, name, 254, minor)
        {
            _pci = pci;
            _io = io;
            _tooManyDescriptors = string.Concat("virtio-blk: ", name, ": a request needs more descriptors than its slot has: EIO");
        }

        public ulong Interrupts => _interrupts;
        public int QueueEntries => _size;

        public static void Probe(BlockContext context, DiskTable disks)
        {
            int index = 0, found = 0;
            for (PciFunction f = Pci.Find(0x1AF4, 0x1001, null); f != null; f = Pci.Find(0x1AF4, 0x1001, f))
            {
                found++;
                if (f.Bars[0].Kind != PciBarKind.Io)
                {
                    Log.Line(string.Concat("virtio-blk: ", f.Address, ": no I/O BAR (legacy interface), skipped"));
                    continue;
                }
                f.EnableCommand(Pci.CommandIo | Pci.CommandBusMaster);
                VirtioBlk disk = new VirtioBlk(context, DiskTable.DiskName("vd", index), 16 * index, f, (ushort)f.Bars[0].Address);
                string problem = disk.Initialize();
                if (problem != null)
                {
                    Log.Line(string.Concat("virtio-blk: ", f.Address, ": ", problem, ", skipped"));
                    Native.OutB((ushort)(disk._io + DeviceStatus), StatusFailed);
                    continue;
                }
                if (!IrqTable.Register(f.InterruptLine, disk.HandleInterrupt))
                {
                    Log.Line(string.Concat("virtio-blk: ", f.Address, ": cannot register IRQ ", f.InterruptLine.ToString(), ", skipped"));
                    Native.OutB((ushort)(disk._io + DeviceStatus), StatusFailed);
                    continue;
                }
                Native.OutB((ushort)(disk._io + DeviceStatus), StatusAcknowledge | StatusDriver | StatusDriverOk);
                disks.Add(disk);
                index++;
                Log.Line(string.Concat("virtio-blk: ", f.Address, string.Concat(": ", disk.Name, " ", disk.Sectors.ToString(), " sectors"),
                    string.Concat(", IRQ ", f.InterruptLine.ToString(), ", queue of ", disk._size.ToString()),
                    string.Concat(", ", disk.MaxInFlight.ToString(), " requests in flight", disk.CanFlush ? ", flush" : "", disk.ReadOnly ? ", read-only" : "")));
            }
            if (found == 0) Log.Line("virtio-blk: no devices");
        }

        // Feature negotiation, the virtqueue and the request slots; null on success, else why not.
        private string Initialize()
        {
            Native.OutB((ushort)(_io + DeviceStatus), 0);   // reset
            Native.OutB((ushort)(_io + DeviceStatus), StatusAcknowledge);
            Native.OutB((ushort)(_io + DeviceStatus), StatusAcknowledge | StatusDriver);
            uint offered = Native.InL((ushort)(_io + Features));
            uint taken = offered & (FeatureSizeMax | FeatureSegMax | FeatureRo | FeatureFlush);
            Native.OutL((ushort)(_io + DriverFeatures), taken);
            Sectors = (ulong)Native.InL((ushort)(_io + Config)) | ((ulong)Native.InL((ushort)(_io + Config + 4)) << 32);
            ReadOnly = (taken & FeatureRo) != 0;
            CanFlush = (taken & FeatureFlush) != 0;
            Model = "virtio-blk";
            _sizeMax = (taken & FeatureSizeMax) != 0 ? Native.InL((ushort)(_io + Config + 8)) : 0;
            uint segMax = (taken & FeatureSegMax) != 0 ? Native.InL((ushort)(_io + Config + 12)) : 0;
            MaxSectors = 256;
            MaxSegments = segMax != 0 && segMax < 32 ? (int)segMax : 32;
            // A segment longer than size_max becomes several descriptors: budget for the worst case.
            int extra = _sizeMax != 0 && _sizeMax < (uint)(MaxSectors * BlockDevice.SectorSize) ? (int)((uint)(MaxSectors * BlockDevice.SectorSize) / _sizeMax) + 1 : 0;
            if (_sizeMax != 0 && _sizeMax < 512) return "size_max below a sector";
            _perSlot = MaxSegments + extra + 2;

            Native.OutW((ushort)(_io + QueueSelect), 0);
            _size = Native.InW((ushort)(_io + QueueSize));
            if (_size == 0) return "no virtqueue 0";
            if (_size < _perSlot) return "virtqueue too small";
            int slots = _size / _perSlot;
            if (slots > MaxSlots) slots = MaxSlots;
            MaxInFlight = slots;
            ulong ringBytes = Align((ulong)(16 * _size + 6 + 2 * _size)) + Align((ulong)(6 + 8 * _size));
            int order = 0;
            while ((4096UL << order) < ringBytes) order++;
            BlockContext context = Context;
            if (!context.TryAllocateDma(order, out ulong ringPhys) || !context.TryAllocateDma(0, out _headersPhys)) return "no memory for the virtqueue";
            _desc = context.Virtual(ringPhys);
            _avail = _desc + 16 * _size;
            _used = _desc + Align((ulong)(16 * _size + 6 + 2 * _size));
            _headers = context.Virtual(_headersPhys);
            _slots = new BlockRequest[slots];
            Native.OutL((ushort)(_io + QueueAddress), (uint)(ringPhys >> 12));
            Pool = RequestPool.TryCreate(context, 8, MaxSegments);
            if (Pool == null) return "no memory for requests";
            return null;
        }

        private static ulong Align(ulong bytes) => (bytes + 4095) & ~4095UL;

        protected override bool Start(BlockRequest chain)
        {
            int slot = -1;
            for (int i = 0; i < _slots.Length; i++) if (_slots[i] == null) { slot = i; break; }
            if (slot < 0) return false;
            int first = slot * _perSlot;
            byte* header = _headers + 32 * slot;
            *(uint*)header = chain.Op == BlockOp.Read ? 0u : chain.Op == BlockOp.Write ? 1u : 4u;
            *(uint*)(header + 4) = 0;
            *(ulong*)(header + 8) = chain.Op == BlockOp.Flush ? 0 : chain.Sector;
            header[16] = 0xFF;
            int d = first;
            SetDesc(d, _headersPhys + (ulong)(32 * slot), 16, DescNext, d + 1);
            d++;
            ushort dataFlags = (ushort)(DescNext | (chain.Op == BlockOp.Read ? DescWrite : 0));
            for (BlockRequest r = chain; r != null; r = r.NextInChain)
            {
                for (int i = 0; i < r.SegmentCount; i++)
                {
                    ulong phys = r.SegmentPhys(i);
                    ulong left = r.SegmentBytes(i);
                    while (left > 0)
                    {
                        uint piece = (uint)(_sizeMax != 0 && left > _sizeMax ? _sizeMax : left);
                        if (d == first + _perSlot - 1)
                        {
                            Log.Line(_tooManyDescriptors);   // made at probe: Start may run in an interrupt handler
                            return FailAtStart(chain);
                        }
                        SetDesc(d, phys, piece, dataFlags, d + 1);
                        d++;
                        phys += piece;
                        left -= piece;
                    }
                }
            }
            SetDesc(d, _headersPhys + (ulong)(32 * slot + 16), 1, DescWrite, 0);
            _slots[slot] = chain;
            ushort* ring = (ushort*)(_avail + 4);
            ring[_availIdx % _size] = (ushort)first;
            _availIdx++;
            Publish((ushort*)(_avail + 2), _availIdx);   // the entry is written before the index moves
            Native.OutW((ushort)(_io + QueueNotify), 0);
            return true;
        }

        private bool FailAtStart(BlockRequest chain)
        {
            Queue.Finish(chain, Errno.EIO);
            return true;
        }

        private void SetDesc(int i, ulong phys, uint length, ushort flags, int next)
        {
            byte* desc = _desc + 16 * i;
            *(ulong*)desc = phys;
            *(uint*)(desc + 8) = length;
            *(ushort*)(desc + 12) = flags;
            *(ushort*)(desc + 14) = (ushort)next;
        }

        // A call the compiler cannot see through: the ring's index is stored after the ring entry,
        // and read fresh each time (x86 keeps stores in order; the device sees them in that order).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Publish(ushort* at, ushort value) => *at = value;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ushort Fetch(ushort* at) => *at;

        // Interrupt context, on a shared level-triggered line.
        public bool HandleInterrupt()
        {
            byte isr = Native.InB((ushort)(_io + IsrStatus));   // reading it acknowledges
            if ((isr & 1) == 0) return (isr & 2) != 0;           // config change only, or not ours
            _interrupts++;
            Reap();
            return true;
        }

        private void Reap()
        {
            Context.Lock();
            while (_lastUsed != Fetch((ushort*)(_used + 2)))
            {
                byte* element = _used + 4 + 8 * (_lastUsed % _size);
                int head = (int)*(uint*)element;
                _lastUsed++;
                int slot = head / _perSlot;
                if (slot < 0 || slot >= _slots.Length || _slots[slot] == null) continue;
                BlockRequest chain = _slots[slot];
                _slots[slot] = null;
                byte status = _headers[32 * slot + 16];
                Queue.Finish(chain, status == 0 ? Errno.None : Errno.EIO);
            }
            Context.Unlock();
        }
    }
}
