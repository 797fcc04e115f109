// ATA disks on the PCI IDE controller (PIIX3/PIIX4 in QEMU's `pc` machine and in VMware): the
// probe, IDENTIFY, and the disks as block devices. Transfers are AtaChannel's.
//
// Probe, per channel, polled with the device's interrupts off (nIEN): a floating bus (status 0xFF)
// has no devices; otherwise a software reset, then for master and slave the signature the reset
// leaves in LBA mid/high (00/00 ATA, 14/EB ATAPI), and IDENTIFY (DEVICE or PACKET DEVICE), whose
// 256 words give the model (words 27-46, byte-swapped), LBA support (49 bit 9), DMA support (49 bit
// 8), LBA28 capacity (60-61), LBA48 support (83 bit 10) and capacity (100-103), UDMA modes (88).
// ATA disks become sda, sdb … in the order primary master, primary slave, secondary master,
// secondary slave (libata's), major 8, minor 16 × index. ATAPI devices (the boot CD) are named in
// dmesg and not driven. A controller in native mode takes its ports from BAR0-3 and its IRQ from
// the interrupt line; in compatibility mode (QEMU, VMware) the legacy ports and IRQ 14/15.
// `libata.dma=0` on the command line turns DMA off, as on Linux: every transfer then goes by PIO.
using Kernel.Arch;
using Kernel.Block;
using Kernel.Boot;

namespace Kernel.Drivers
{
    internal sealed class AtaDisk : BlockDevice
    {
        public readonly AtaChannel Channel;
        public readonly int Drive;              // 0 master, 1 slave
        public bool Lba48;
        public bool UsesDma;
        public bool PioReported;
        // dmesg lines for the first PIO transfer, made at probe time (Start may run in an
        // interrupt handler, which must not allocate).
        public string PioOnlyMessage, PioFallbackMessage, TimeoutMessage, TimeoutFailedMessage;

        public AtaDisk(BlockContext context, string name, int minor, AtaChannel channel, int drive)
            : base(context, name, 8, minor)
        {
            Channel = channel;
            Drive = drive;
            PioOnlyMessage = string.Concat("ata: ", name, ": transfers by PIO (no DMA): slow");
            PioFallbackMessage = string.Concat("ata: ", name, ": a transfer by PIO (memory bus-master DMA cannot reach): slow");
            TimeoutMessage = string.Concat("ata: ", name, ": command timeout, resetting the ", channel.Name, " channel");
            TimeoutFailedMessage = string.Concat("ata: ", name, ": command failed after ", AtaChannel.MaxTries.ToString(), " tries (timeout): I/O error");
        }

        public void Describe(string model, ulong sectors, bool lba48, bool dma, bool removable)
        {
            Model = model;
            Sectors = sectors;
            Lba48 = lba48;
            UsesDma = dma;
            Removable = removable;
            CanFlush = true;
            MaxSectors = 256;        // one LBA28 command; LBA48 commands only where LBA28 cannot reach
            MaxSegments = 32;
            MaxInFlight = 1;
            DmaAlignment = 2;
        }

        public void CreatePool() => Pool = RequestPool.TryCreate(Context, 8, MaxSegments);

        protected override bool Start(BlockRequest chain) => Channel.Start(this, chain);
    }

    internal static unsafe class Ata
    {
        private static AtaChannel[] s_channels = new AtaChannel[0];

        public static int ChannelCount => s_channels.Length;
        public static AtaChannel Channel(int i) => s_channels[i];

        public static void Probe(BlockContext context, DiskTable disks)
        {
            PciFunction ide = null;
            for (int i = 0; i < Pci.Count && ide == null; i++)
                if (Pci.At(i).ClassCode == 0x01 && Pci.At(i).Subclass == 0x01) ide = Pci.At(i);
            if (ide == null)
            {
                Log.Line("ata: no IDE controller");
                return;
            }
            ushort busMaster = 0;
            if (ide.Bars[4].Kind == PciBarKind.Io && ide.Bars[4].Address != 0) busMaster = (ushort)ide.Bars[4].Address;
            ide.EnableCommand((ushort)(Pci.CommandIo | (busMaster != 0 ? Pci.CommandBusMaster : 0)));
            Log.Line(string.Concat("ata: IDE controller ", ide.Address, " (", string.Concat(Shell.Numbers.Hex(ide.VendorId, 4), ":", Shell.Numbers.Hex(ide.DeviceId, 4)),
                busMaster != 0 ? string.Concat("), bus-master DMA at port 0x", Shell.Numbers.Hex(busMaster, 4)) : "), no bus-master DMA"));
            if (busMaster != 0 && BootInfo.Parameter("libata.dma") == "0")
            {
                Log.Line("ata: DMA off (libata.dma=0): every transfer by PIO");
                busMaster = 0;
            }
            Parameters();
            s_channels = new AtaChannel[2];
            int sdIndex = 0;
            for (int c = 0; c < 2; c++)
            {
                bool native = (ide.ProgIf & (c == 0 ? 0x01 : 0x04)) != 0;
                ushort cmd = (ushort)(c == 0 ? 0x1F0 : 0x170), ctl = (ushort)(c == 0 ? 0x3F6 : 0x376);
                int irq = c == 0 ? 14 : 15;
                if (native)
                {
                    cmd = (ushort)ide.Bars[2 * c].Address;
                    ctl = (ushort)(ide.Bars[2 * c + 1].Address + 2);
                    irq = ide.InterruptLine;
                }
                if (!context.TryAllocateDma(0, out ulong page))
                {
                    Log.Line("ata: no memory for a PRD table");
                    return;
                }
                ushort bm = (ushort)(busMaster == 0 ? 0 : busMaster + 8 * c);
                if (bm != 0 && c == 1 && (Native.InB((ushort)(busMaster + 2)) & 0x80) != 0)
                {
                    Log.Line("ata: simplex controller: DMA on the primary channel only");
                    bm = 0;
                }
                AtaChannel channel = new AtaChannel(c, cmd, ctl, bm, irq, context, page);
                s_channels[c] = channel;
                ProbeChannel(context, disks, channel, ref sdIndex);
                if (channel.Drives[0] != null || channel.Drives[1] != null)
                {
                    if (!IrqTable.Register(irq, channel.HandleInterrupt)) Log.Line(string.Concat("ata: cannot register IRQ ", irq.ToString()));
                    Native.OutB(channel.Control, 0);   // device interrupts on
                }
            }
        }

        // Timer interrupt: every channel's command deadline.
        public static void Tick(ulong nowMs)
        {
            for (int i = 0; i < s_channels.Length; i++)
                if (s_channels[i] != null) s_channels[i].CheckTimeout(nowMs);
        }

        // `ata.timeout=SECONDS` (1-3600) and `ata.lose_interrupts=N` (fault injection, 0-1000);
        // an unparsable value is reported and ignored.
        private static void Parameters()
        {
            string timeout = BootInfo.Parameter("ata.timeout"), lose = BootInfo.Parameter("ata.lose_interrupts");
            if (timeout != null)
            {
                if (Shell.Numbers.TryParseLong(timeout, out long seconds) == Shell.ParseStatus.Ok && seconds >= 1 && seconds <= 3600)
                {
                    AtaChannel.TimeoutMs = (ulong)seconds * 1000;
                    Log.Line(string.Concat("ata: command timeout ", timeout, " s"));
                }
                else Log.Line(string.Concat("ata: bad ata.timeout '", timeout, "' ignored"));
            }
            if (lose != null)
            {
                if (Shell.Numbers.TryParseLong(lose, out long n) == Shell.ParseStatus.Ok && n >= 0 && n <= 1000)
                {
                    AtaChannel.LoseInterrupts = (int)n;
                    Log.Line(string.Concat("ata: fault injection: the next ", lose, " completion interrupts are lost"));
                }
                else Log.Line(string.Concat("ata: bad ata.lose_interrupts '", lose, "' ignored"));
            }
        }

        private static void ProbeChannel(BlockContext context, DiskTable disks, AtaChannel ch, ref int sdIndex)
        {
            Native.OutB(ch.Control, AtaChannel.ControlNoInterrupts);
            if (ch.ReadStatus() == 0xFF)
            {
                Log.Line(string.Concat("ata: ", ch.Name, " channel: floating bus, no devices"));
                return;
            }
            ch.SoftReset(3000000);
            for (int drive = 0; drive < 2; drive++)
            {
                string where = string.Concat(ch.Name, drive == 0 ? " master" : " slave");
                ch.Select(drive, 0);
                byte status = ch.ReadStatus();
                byte mid = Native.InB((ushort)(ch.Base + AtaChannel.LbaMid)), high = Native.InB((ushort)(ch.Base + AtaChannel.LbaHigh));
                bool atapi = (mid == 0x14 && high == 0xEB) || (mid == 0x69 && high == 0x96);
                // Nothing there: no status at all (an ATAPI device shows no DRDY after a reset, so
                // its signature counts instead).
                if (status == 0xFF || (status == 0 && !atapi)) continue;
                if (!atapi && !(mid == 0 && high == 0) && !(mid == 0x3C && high == 0xC3))
                {
                    Log.Line(string.Concat("ata: ", where, ": unknown device signature, skipped"));
                    continue;
                }
                ushort* id = stackalloc ushort[256];
                if (!Identify(ch, drive, atapi ? (byte)0xA1 : (byte)0xEC, id))
                {
                    Log.Line(string.Concat("ata: ", where, ": IDENTIFY failed, skipped"));
                    continue;
                }
                string model = Model(id);
                if (atapi)
                {
                    Log.Line(string.Concat("ata: ", where, ": ATAPI ", model, " (not driven)"));
                    continue;
                }
                if ((id[49] & 0x200) == 0)
                {
                    Log.Line(string.Concat("ata: ", where, ": ", model, " without LBA, skipped"));
                    continue;
                }
                bool lba48 = (id[83] & 0x400) != 0;
                ulong sectors = lba48 ? id[100] | ((ulong)id[101] << 16) | ((ulong)id[102] << 32) | ((ulong)id[103] << 48) : id[60] | ((ulong)id[61] << 16);
                if (sectors == 0)
                {
                    Log.Line(string.Concat("ata: ", where, ": ", model, ": no medium, skipped"));
                    continue;
                }
                bool dma = ch.BusMaster != 0 && (id[49] & 0x100) != 0 && SetTransferMode(ch, drive, id);
                string name = DiskTable.DiskName("sd", sdIndex);
                AtaDisk disk = new AtaDisk(context, name, 16 * sdIndex, ch, drive);
                disk.Describe(model, sectors, lba48, dma, (id[0] & 0x80) != 0);
                disk.CreatePool();
                if (disk.Pool == null)
                {
                    Log.Line(string.Concat("ata: ", name, ": no memory for requests, skipped"));
                    continue;
                }
                sdIndex++;
                ch.Drives[drive] = disk;
                disks.Add(disk);
                if (dma) Native.OutB((ushort)(ch.BusMaster + 2), (byte)(Native.InB((ushort)(ch.BusMaster + 2)) | (0x20 << drive)));
                Log.Line(string.Concat("ata: ", where, ": ", name, " ", model, string.Concat(", ", sectors.ToString(), " sectors, "),
                    string.Concat(lba48 ? "LBA48" : "LBA28", dma ? ", bus-master DMA" : ", PIO only (no DMA)")));
            }
        }

        // Polled IDENTIFY (DEVICE or PACKET DEVICE) into id; false when the device does not answer.
        private static bool Identify(AtaChannel ch, int drive, byte command, ushort* id)
        {
            ch.Select(drive, 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.SectorCount), 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.LbaLow), 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.LbaMid), 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.LbaHigh), 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.CommandReg), command);
            ch.Settle();
            if (ch.AltStatus() == 0) return false;
            for (int i = 0; i < 3000000; i++)
            {
                byte s = ch.AltStatus();
                if ((s & AtaChannel.Bsy) != 0) continue;
                if ((s & AtaChannel.Err) != 0) return false;
                if ((s & AtaChannel.Drq) == 0) continue;
                for (int w = 0; w < 256; w++) id[w] = Native.InW((ushort)(ch.Base + AtaChannel.Data));
                ch.ReadStatus();
                return true;
            }
            return false;
        }

        // SET FEATURES / set transfer mode: the best UDMA mode (word 88) or multiword DMA (word 63)
        // the drive offers, as libata does before using DMA. False: stay with PIO.
        private static bool SetTransferMode(AtaChannel ch, int drive, ushort* id)
        {
            byte mode = 0;
            if ((id[53] & 0x4) != 0 && (id[88] & 0x7F) != 0)
            {
                int m = 6;
                while ((id[88] & (1 << m)) == 0) m--;
                mode = (byte)(0x40 | m);
            }
            else if ((id[63] & 0x7) != 0)
            {
                int m = 2;
                while ((id[63] & (1 << m)) == 0) m--;
                mode = (byte)(0x20 | m);
            }
            else return false;
            ch.Select(drive, 0);
            Native.OutB((ushort)(ch.Base + AtaChannel.Features), 0x03);
            Native.OutB((ushort)(ch.Base + AtaChannel.SectorCount), mode);
            Native.OutB((ushort)(ch.Base + AtaChannel.CommandReg), 0xEF);
            ch.Settle();
            if (!ch.WaitNotBusy(3000000)) return false;
            return (ch.ReadStatus() & (AtaChannel.Err | AtaChannel.Df)) == 0;
        }

        private static string Model(ushort* id)
        {
            char[] chars = new char[40];
            for (int i = 0; i < 20; i++)
            {
                chars[2 * i] = (char)(id[27 + i] >> 8);
                chars[2 * i + 1] = (char)(id[27 + i] & 0xFF);
            }
            int n = 40;
            while (n > 0 && (chars[n - 1] == ' ' || chars[n - 1] == '\0')) n--;
            return new string(chars, 0, n);
        }
    }
}
