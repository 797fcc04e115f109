// One IDE channel of a PIIX controller (primary: ports 0x1F0-0x1F7 and 0x3F6, IRQ 14; secondary:
// 0x170-0x177 and 0x376, IRQ 15) with its bus-master DMA registers (BAR4 + 0 or + 8): at most one
// command runs on a channel, for its master or its slave.
//
// DMA (the normal path, Linux's ata_bmdma): the chain's segments become the PRD table
// (Kernel.Block/PrdTable.cs: none crossing 64 KiB, below 4 GiB, even), then READ/WRITE DMA (EXT)
// and the bus master's start bit; the device interrupts once at the end. PIO (the fallback, for a
// device or controller without DMA and for memory DMA cannot reach): READ/WRITE SECTORS (EXT), one
// interrupt per sector, 256 data-port words moved through a bounce sector by the handler. Flushes
// are FLUSH CACHE (EXT), a command without data.
// Page layout (one DMA page per channel): PRD table at 0 (up to 256 entries), PIO bounce sector at
// 2048. Invariants: _active is the chain on the hardware, or null; only the interrupt handler, the
// timeout or a failure to start finishes it; when it ends, both drives' queues are kicked (the
// other drive's work may have waited for the channel).
//
// Timeout (libata's error handling, simplified): a command still active at its deadline (30 s,
// the sd default; `ata.timeout=SECONDS` on the command line) is abandoned from the timer tick: the
// bus master stops and the channel is soft-reset, one step per tick so that nothing spins in the
// interrupt (SRST set; SRST released; BSY looked at each tick from 2 ms on, for at most 31 s),
// the chain staying active meanwhile so the channel takes no other work; then the chain is issued
// again, up to MaxTries in all, or fails with EIO. Fault injection for this
// path: `ata.lose_interrupts=N` acknowledges and forgets the first N successful completions, as
// if their interrupts were lost (Linux's fail_io_timeout drops completions the same way).
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Block;

namespace Kernel.Drivers
{
    internal sealed unsafe class AtaChannel
    {
        // Registers, from the command block base.
        public const int Data = 0, Error = 1, Features = 1, SectorCount = 2, LbaLow = 3, LbaMid = 4, LbaHigh = 5, DriveSelect = 6, Status = 7, CommandReg = 7;
        public const byte Bsy = 0x80, Drdy = 0x40, Df = 0x20, Drq = 0x08, Err = 0x01;
        public const byte ControlNoInterrupts = 0x02, ControlReset = 0x04;
        private const int BmCommand = 0, BmStatus = 2, BmPrd = 4;
        private const byte BmStart = 0x01, BmToMemory = 0x08, BmActive = 0x01, BmError = 0x02, BmInterrupt = 0x04;
        private const int PrdEntries = 256;
        private const int BounceOffset = 2048;
        public const int MaxTries = 3;                  // libata's ATA_EH_DEV_TRIES

        // Set once at probe from the command line.
        public static ulong TimeoutMs = 30000;
        public static int LoseInterrupts;

        public readonly int Index;         // 0 primary, 1 secondary
        public readonly ushort Base, Control, BusMaster;   // BusMaster 0: no DMA on this controller
        public readonly int Irq;
        public readonly AtaDisk[] Drives = new AtaDisk[2];
        private readonly BlockContext _context;
        private readonly ulong _pagePhys;
        private readonly byte* _page;

        // The command in progress.
        private BlockRequest _active;
        private AtaDisk _activeDisk;
        private bool _activePio;
        private uint _pioLeft;              // sectors still to move
        private BlockRequest _cursor;       // PIO: where the next sector's bytes go or come from
        private int _cursorSegment, _cursorOffset;
        private ulong _deadlineMs;           // uptime at which the active command has timed out
        private int _tries;                  // issues of the active chain so far
        private enum ResetStep : byte { None, Asserted, Waiting }
        private ResetStep _reset;            // a timeout's reset in progress (the chain stays active)
        private ulong _resetStartMs;         // when SRST was released
        private const ulong ResetLimitMs = 31000;   // the longest ATA allows BSY after a reset
        private ulong _interrupts, _stray, _timeouts;

        public AtaChannel(int index, ushort commandBase, ushort control, ushort busMaster, int irq, BlockContext context, ulong pagePhys)
        {
            Index = index;
            Base = commandBase;
            Control = control;
            BusMaster = busMaster;
            Irq = irq;
            _context = context;
            _pagePhys = pagePhys;
            _page = context.Virtual(pagePhys);
        }

        public string Name => Index == 0 ? "primary" : "secondary";
        public ulong Interrupts => _interrupts;
        public ulong Timeouts => _timeouts;

        public byte ReadStatus() => Native.InB((ushort)(Base + Status));
        public byte AltStatus() => Native.InB(Control);

        // The 400 ns a device needs after a select before its status means anything.
        public void Settle()
        {
            for (int i = 0; i < 4; i++) AltStatus();
        }

        public void Select(int drive, byte lbaBits)
        {
            Native.OutB((ushort)(Base + DriveSelect), (byte)(0xA0 | 0x40 | (drive << 4) | lbaBits));
            Settle();
        }

        // Polls (probe and command set-up only) until BSY clears; false after `spins` reads.
        public bool WaitNotBusy(int spins)
        {
            for (int i = 0; i < spins; i++)
                if ((AltStatus() & Bsy) == 0) return true;
            return false;
        }

        // The probe's polled software reset of both devices (SRST for ≥ 5 µs, then ≥ 2 ms before BSY
        // means anything, then BSY polled at most `spins` reads). Device 0 is selected first, as
        // libata's softreset does: status reads come from the selected device, and an absent
        // device 1 left selected (by the BIOS) reads 0, "not busy", while the reset is still under
        // way and the device ignores a select. Leaves the device interrupts off (nIEN); false when
        // BSY never cleared.
        public bool SoftReset(int spins)
        {
            AssertReset();
            for (int i = 0; i < 50; i++) AltStatus();
            Native.OutB(Control, ControlNoInterrupts);
            for (int i = 0; i < 200; i++) AltStatus();
            return WaitNotBusy(spins);
        }

        // Device 0 selected, device interrupts off, SRST set (the caller releases it).
        private void AssertReset()
        {
            Native.OutB(Control, ControlNoInterrupts);
            Select(0, 0);
            Native.OutB(Control, ControlReset | ControlNoInterrupts);
        }

        // Start of a chain for one of this channel's drives (block lock held). False while the
        // channel works for the other drive.
        public bool Start(AtaDisk disk, BlockRequest chain)
        {
            if (_active != null) return false;
            _tries = 0;
            return Issue(disk, chain);
        }

        // Puts chain on the hardware (again, after a timeout); true: it is the active chain.
        private bool Issue(AtaDisk disk, BlockRequest chain)
        {
            _active = chain;
            _activeDisk = disk;
            _tries++;
            _deadlineMs = Pit.UptimeMs + TimeoutMs;
            if (chain.Op == BlockOp.Flush)
            {
                _activePio = true;
                _pioLeft = 0;
                if (!IssueCommand(disk, disk.Lba48 ? (byte)0xEA : (byte)0xE7, 0, 0)) End(Errno.EIO);
                return true;
            }
            bool dma = disk.UsesDma && BuildPrdTable(chain);
            ulong lba = chain.Sector;
            uint count = chain.ChainSectors;
            bool ext = disk.Lba48 && (lba + count >= 0x10000000UL || count > 256);   // as libata's lba_28_ok
            bool write = chain.Op == BlockOp.Write;
            if (dma)
            {
                _activePio = false;
                Native.OutB((ushort)(BusMaster + BmCommand), 0);
                Native.OutB((ushort)(BusMaster + BmStatus), (byte)(BmError | BmInterrupt | (Native.InB((ushort)(BusMaster + BmStatus)) & 0x60)));
                Native.OutL((ushort)(BusMaster + BmPrd), (uint)_pagePhys);
                Native.OutB((ushort)(BusMaster + BmCommand), write ? (byte)0 : BmToMemory);
                byte command = write ? (ext ? (byte)0x35 : (byte)0xCA) : (ext ? (byte)0x25 : (byte)0xC8);
                if (!IssueCommand(disk, command, lba, count, ext)) { End(Errno.EIO); return true; }
                Native.OutB((ushort)(BusMaster + BmCommand), (byte)((write ? 0 : BmToMemory) | BmStart));
                return true;
            }
            if (!disk.PioReported)
            {
                disk.PioReported = true;
                Log.Line(disk.UsesDma ? disk.PioFallbackMessage : disk.PioOnlyMessage);   // made at probe: no allocation here
            }
            _activePio = true;
            _pioLeft = count;
            _cursor = chain;
            _cursorSegment = 0;
            _cursorOffset = 0;
            byte pio = write ? (ext ? (byte)0x34 : (byte)0x30) : (ext ? (byte)0x24 : (byte)0x20);
            if (!IssueCommand(disk, pio, lba, count, ext)) { End(Errno.EIO); return true; }
            if (write)
            {
                // The first sector goes out when the device asks (DRQ); the rest after each interrupt.
                if (!WaitDataRequest()) { End(Errno.EIO); return true; }
                PioOut();
            }
            return true;
        }

        private bool IssueCommand(AtaDisk disk, byte command, ulong lba, uint count, bool ext = false)
        {
            Select(disk.Drive, ext ? (byte)0 : (byte)((lba >> 24) & 0x0F));
            if (!WaitNotBusy(1000000)) return false;
            if (ext)
            {
                ushort n = (ushort)(count == 65536 ? 0 : count);
                Native.OutB((ushort)(Base + SectorCount), (byte)(n >> 8));
                Native.OutB((ushort)(Base + LbaLow), (byte)(lba >> 24));
                Native.OutB((ushort)(Base + LbaMid), (byte)(lba >> 32));
                Native.OutB((ushort)(Base + LbaHigh), (byte)(lba >> 40));
                Native.OutB((ushort)(Base + SectorCount), (byte)n);
            }
            else Native.OutB((ushort)(Base + SectorCount), (byte)(count == 256 ? 0 : count));
            Native.OutB((ushort)(Base + LbaLow), (byte)lba);
            Native.OutB((ushort)(Base + LbaMid), (byte)(lba >> 8));
            Native.OutB((ushort)(Base + LbaHigh), (byte)(lba >> 16));
            Native.OutB((ushort)(Base + CommandReg), command);
            return true;
        }

        private bool WaitDataRequest()
        {
            Settle();
            for (int i = 0; i < 1000000; i++)
            {
                byte s = AltStatus();
                if ((s & Bsy) != 0) continue;
                if ((s & (Err | Df)) != 0) return false;
                if ((s & Drq) != 0) return true;
            }
            return false;
        }

        // The PRD table for chain (PrdTable.cs); false when DMA cannot reach its memory (then PIO).
        private bool BuildPrdTable(BlockRequest chain) => PrdTable.Build(chain, (uint*)_page, PrdEntries) > 0;

        // Timer interrupt: a command past its deadline is abandoned and the channel reset, one
        // step per tick (see the header); then the chain is issued again or failed.
        public void CheckTimeout(ulong nowMs)
        {
            if (_active == null) return;
            switch (_reset)
            {
                case ResetStep.None:
                    if (nowMs < _deadlineMs) return;
                    _timeouts++;
                    Log.Line(_activeDisk.TimeoutMessage);
                    if (BusMaster != 0)
                    {
                        Native.OutB((ushort)(BusMaster + BmCommand), 0);
                        Native.OutB((ushort)(BusMaster + BmStatus), (byte)(BmError | BmInterrupt | (Native.InB((ushort)(BusMaster + BmStatus)) & 0x60)));
                    }
                    AssertReset();
                    _reset = ResetStep.Asserted;             // SRST held until the next tick (≥ 5 µs)
                    return;
                case ResetStep.Asserted:
                    Native.OutB(Control, ControlNoInterrupts);
                    _reset = ResetStep.Waiting;
                    _resetStartMs = nowMs;
                    return;
                default:
                    bool busy = (AltStatus() & Bsy) != 0;
                    if (nowMs < _resetStartMs + 2 || busy && nowMs < _resetStartMs + ResetLimitMs) return;
                    ReadStatus();                              // nothing pending from before the reset
                    Native.OutB(Control, 0);                   // device interrupts on again
                    _reset = ResetStep.None;
                    BlockRequest chain = _active;
                    AtaDisk disk = _activeDisk;
                    _active = null;
                    _activeDisk = null;
                    _cursor = null;
                    if (!busy && _tries < MaxTries)
                    {
                        Issue(disk, chain);
                        return;
                    }
                    Log.Line(disk.TimeoutFailedMessage);
                    _active = chain;
                    _activeDisk = disk;
                    End(Errno.EIO);
                    return;
            }
        }

        // Interrupt context: IRQ 14 or 15 (one channel per line, not shared).
        public bool HandleInterrupt()
        {
            if (_active == null || _reset != ResetStep.None)
            {
                ReadStatus();   // acknowledge whatever it was
                _stray++;
                return false;
            }
            if (!_activePio)
            {
                byte bm = Native.InB((ushort)(BusMaster + BmStatus));
                if ((bm & BmInterrupt) == 0) return false;
                Native.OutB((ushort)(BusMaster + BmCommand), 0);
                byte status = ReadStatus();
                Native.OutB((ushort)(BusMaster + BmStatus), (byte)(BmError | BmInterrupt | (bm & 0x60)));
                _interrupts++;
                Complete((status & (Err | Df)) != 0 || (bm & BmError) != 0 ? Errno.EIO : Errno.None);
                return true;
            }
            byte s = ReadStatus();
            if ((s & Bsy) != 0) return false;
            _interrupts++;
            if ((s & (Err | Df)) != 0) { End(Errno.EIO); return true; }
            if (_pioLeft == 0) { Complete(Errno.None); return true; }   // a flush, or the last write
            if (_active.Op == BlockOp.Read)
            {
                if ((s & Drq) == 0) { End(Errno.EIO); return true; }
                PioIn();
                if (_pioLeft == 0) Complete(Errno.None);
            }
            else
            {
                if ((s & Drq) == 0) { End(Errno.EIO); return true; }
                PioOut();
            }
            return true;
        }

        // The device is done with the active command (its interrupt is acknowledged). A lost
        // interrupt (fault injection) leaves the command active for the timeout to find.
        private void Complete(Errno status)
        {
            if (status == Errno.None && LoseInterrupts > 0)
            {
                LoseInterrupts--;
                return;
            }
            End(status);
        }

        private void End(Errno status)
        {
            BlockRequest chain = _active;
            AtaDisk disk = _activeDisk;
            _active = null;
            _activeDisk = null;
            _cursor = null;
            disk.Queue.Finish(chain, status);
            AtaDisk other = Drives[1 - disk.Drive];
            if (other != null) other.Queue.Kick();
        }

        // One sector from the data port into the chain's memory, through the bounce sector.
        private void PioIn()
        {
            ushort* bounce = (ushort*)(_page + BounceOffset);
            for (int i = 0; i < 256; i++) bounce[i] = Native.InW((ushort)(Base + Data));
            Scatter(true);
            _pioLeft--;
        }

        private void PioOut()
        {
            Scatter(false);
            ushort* bounce = (ushort*)(_page + BounceOffset);
            for (int i = 0; i < 256; i++) Native.OutW((ushort)(Base + Data), bounce[i]);
            _pioLeft--;
        }

        // Moves 512 bytes between the bounce sector and the chain at the cursor, advancing it.
        private void Scatter(bool toMemory)
        {
            byte* bounce = _page + BounceOffset;
            int done = 0;
            while (done < BlockDevice.SectorSize && _cursor != null)
            {
                int n = (int)_cursor.SegmentBytes(_cursorSegment) - _cursorOffset;
                if (n > BlockDevice.SectorSize - done) n = BlockDevice.SectorSize - done;
                byte* memory = _context.Virtual(_cursor.SegmentPhys(_cursorSegment) + (ulong)_cursorOffset);
                for (int i = 0; i < n; i++)
                {
                    if (toMemory) memory[i] = bounce[done + i];
                    else bounce[done + i] = memory[i];
                }
                done += n;
                _cursorOffset += n;
                if (_cursorOffset == (int)_cursor.SegmentBytes(_cursorSegment))
                {
                    _cursorOffset = 0;
                    if (++_cursorSegment == _cursor.SegmentCount)
                    {
                        _cursorSegment = 0;
                        _cursor = _cursor.NextInChain;
                    }
                }
            }
        }
    }
}
