// PCI: every function on every bus, found through configuration mechanism #1 (address to port
// 0xCF8, data at 0xCFC), with its IDs, class, BARs and interrupt line. Drivers look functions up
// here and enable what they use (I/O or memory decode, bus mastering).
//
// The walk starts at bus 0 and follows PCI-to-PCI bridges (class 06:04, header type 1) to their
// secondary bus, depth first, each bus at most once. Functions are kept sorted by bus:device.fn,
// the order lspci prints and the order drivers probe in (so vda, vdb … follow PCI slots as on
// Linux). BAR sizes are learnt the standard way: with decoding off, write all ones, read the mask
// back, restore. Config space layout (header type 0): 0x00 vendor, 0x02 device, 0x04 command,
// 0x06 status, 0x08 revision, 0x09 prog-if, 0x0A subclass, 0x0B class, 0x0E header type,
// 0x10-0x24 BARs, 0x3C interrupt line, 0x3D interrupt pin.
// Invariants: the table is built once at boot (Initialize) and never changes; configuration
// accesses take IrqLock (the address/data pair must not be split by an interrupt handler).
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal enum PciBarKind : byte { None, Io, Memory32, Memory64 }

    internal struct PciBar
    {
        public PciBarKind Kind;
        public bool Prefetchable;
        public ulong Address;
        public ulong Size;
    }

    internal sealed class PciFunction
    {
        public byte Bus, Device, Function;
        public ushort VendorId, DeviceId;
        public byte ClassCode, Subclass, ProgIf, Revision, HeaderType;
        public byte InterruptLine, InterruptPin;
        public readonly PciBar[] Bars = new PciBar[6];

        // "00:01.1", as lspci names a function.
        public string Address =>
            string.Concat(Shell.Numbers.Hex(Bus, 2), ":", Shell.Numbers.Hex(Device, 2), string.Concat(".", Shell.Numbers.Hex(Function, 1)));

        public uint Read32(int offset) => Pci.Read32(Bus, Device, Function, offset);
        public ushort Read16(int offset) => (ushort)(Pci.Read32(Bus, Device, Function, offset & ~3) >> ((offset & 2) * 8));
        public byte Read8(int offset) => (byte)(Pci.Read32(Bus, Device, Function, offset & ~3) >> ((offset & 3) * 8));
        public void Write32(int offset, uint value) => Pci.Write32(Bus, Device, Function, offset, value);

        public void Write16(int offset, ushort value)
        {
            Sys.Irq.Enter();
            uint old = Pci.Read32(Bus, Device, Function, offset & ~3);
            int shift = (offset & 2) * 8;
            Pci.Write32(Bus, Device, Function, offset & ~3, (old & ~(0xFFFFu << shift)) | ((uint)value << shift));
            Sys.Irq.Exit();
        }

        // Command register bits: 0 I/O space, 1 memory space, 2 bus master, 10 INTx disable.
        public void EnableCommand(ushort bits)
        {
            ushort command = Read16(Pci.Command);
            if ((command & bits) != bits) Write16(Pci.Command, (ushort)(command | bits));
        }
    }

    internal static class Pci
    {
        public const int Command = 0x04;
        public const ushort CommandIo = 1, CommandMemory = 2, CommandBusMaster = 4, CommandIntxDisable = 0x400;
        private const ushort AddressPort = 0xCF8, DataPort = 0xCFC;

        private static PciFunction[] s_functions = new PciFunction[0];
        private static bool s_present;

        public static int Count => s_functions.Length;
        public static PciFunction At(int index) => s_functions[index];
        public static bool Present => s_present;

        public static uint Read32(int bus, int device, int function, int offset)
        {
            Sys.Irq.Enter();
            Native.OutL(AddressPort, ConfigAddress(bus, device, function, offset));
            uint value = Native.InL(DataPort);
            Sys.Irq.Exit();
            return value;
        }

        public static void Write32(int bus, int device, int function, int offset, uint value)
        {
            Sys.Irq.Enter();
            Native.OutL(AddressPort, ConfigAddress(bus, device, function, offset));
            Native.OutL(DataPort, value);
            Sys.Irq.Exit();
        }

        private static uint ConfigAddress(int bus, int device, int function, int offset) =>
            0x80000000u | ((uint)bus << 16) | ((uint)device << 11) | ((uint)function << 8) | ((uint)offset & 0xFC);

        // The next function after `after` (null: the first) with this vendor and device, in
        // bus:device.fn order; null when none.
        public static PciFunction Find(ushort vendor, ushort device, PciFunction after)
        {
            int i = 0;
            if (after != null) { while (i < s_functions.Length && s_functions[i] != after) i++; i++; }
            for (; i < s_functions.Length; i++)
                if (s_functions[i].VendorId == vendor && s_functions[i].DeviceId == device) return s_functions[i];
            return null;
        }

        public static void Initialize()
        {
            // Mechanism #1 is there when the address register keeps what is written to it.
            Sys.Irq.Enter();
            uint saved = Native.InL(AddressPort);
            Native.OutL(AddressPort, 0x80000000u);
            s_present = Native.InL(AddressPort) == 0x80000000u;
            Native.OutL(AddressPort, saved);
            Sys.Irq.Exit();
            if (!s_present)
            {
                Log.Line("pci: no configuration mechanism #1: no PCI bus");
                return;
            }
            PciFunction[] found = new PciFunction[32];
            int count = 0;
            bool[] seen = new bool[256];
            ScanBus(0, seen, ref found, ref count);
            // Insertion sort by bus:device.fn (bridges make the walk order differ from it).
            for (int i = 1; i < count; i++)
            {
                PciFunction f = found[i];
                int j = i - 1;
                while (j >= 0 && Key(found[j]) > Key(f)) { found[j + 1] = found[j]; j--; }
                found[j + 1] = f;
            }
            PciFunction[] table = new PciFunction[count];
            for (int i = 0; i < count; i++) table[i] = found[i];
            s_functions = table;
            Log.Line(string.Concat("pci: ", count.ToString(), " functions"));
        }

        private static int Key(PciFunction f) => (f.Bus << 8) | (f.Device << 3) | f.Function;

        private static void ScanBus(int bus, bool[] seen, ref PciFunction[] found, ref int count)
        {
            if (seen[bus]) return;
            seen[bus] = true;
            for (int device = 0; device < 32; device++)
            {
                if ((ushort)Read32(bus, device, 0, 0) == 0xFFFF) continue;
                int functions = (Read32(bus, device, 0, 0x0C) >> 16 & 0x80) != 0 ? 8 : 1;
                for (int function = 0; function < functions; function++)
                {
                    uint id = Read32(bus, device, function, 0);
                    if ((ushort)id == 0xFFFF) continue;
                    PciFunction f = Probe(bus, device, function, id);
                    if (count == found.Length)
                    {
                        PciFunction[] bigger = new PciFunction[count * 2];
                        for (int i = 0; i < count; i++) bigger[i] = found[i];
                        found = bigger;
                    }
                    found[count++] = f;
                    if ((f.HeaderType & 0x7F) == 1 && f.ClassCode == 0x06 && f.Subclass == 0x04)
                    {
                        int secondary = (int)(Read32(bus, device, function, 0x18) >> 8) & 0xFF;
                        if (secondary != 0) ScanBus(secondary, seen, ref found, ref count);
                    }
                }
            }
        }

        private static PciFunction Probe(int bus, int device, int function, uint id)
        {
            PciFunction f = new PciFunction();
            f.Bus = (byte)bus;
            f.Device = (byte)device;
            f.Function = (byte)function;
            f.VendorId = (ushort)id;
            f.DeviceId = (ushort)(id >> 16);
            uint classReg = Read32(bus, device, function, 0x08);
            f.Revision = (byte)classReg;
            f.ProgIf = (byte)(classReg >> 8);
            f.Subclass = (byte)(classReg >> 16);
            f.ClassCode = (byte)(classReg >> 24);
            f.HeaderType = (byte)(Read32(bus, device, function, 0x0C) >> 16);
            uint irq = Read32(bus, device, function, 0x3C);
            f.InterruptLine = (byte)irq;
            f.InterruptPin = (byte)(irq >> 8);
            int header = f.HeaderType & 0x7F;
            int bars = header == 0 ? 6 : header == 1 ? 2 : 0;
            for (int i = 0; i < bars; i++)
                if (ReadBar(f, i)) i++;   // a 64-bit BAR takes two registers
            return f;
        }

        // Decodes BAR i (sizing it with decoding off); true when it was 64-bit.
        private static bool ReadBar(PciFunction f, int i)
        {
            int offset = 0x10 + 4 * i;
            Sys.Irq.Enter();
            uint value = f.Read32(offset);
            ushort command = f.Read16(Command);
            f.Write16(Command, (ushort)(command & ~(CommandIo | CommandMemory)));
            bool is64 = false;
            PciBar bar = default;
            if ((value & 1) != 0)
            {
                f.Write32(offset, 0xFFFFFFFF);
                uint mask = f.Read32(offset) & ~3u & 0xFFFF;
                f.Write32(offset, value);
                bar.Kind = PciBarKind.Io;
                bar.Address = value & ~3u;
                bar.Size = mask == 0 ? 0 : (~mask & 0xFFFF) + 1;
            }
            else
            {
                is64 = ((value >> 1) & 3) == 2 && i < 5;
                uint high = is64 ? f.Read32(offset + 4) : 0;
                f.Write32(offset, 0xFFFFFFFF);
                ulong mask = f.Read32(offset) & ~0xFu;
                f.Write32(offset, value);
                if (is64)
                {
                    f.Write32(offset + 4, 0xFFFFFFFF);
                    mask |= (ulong)f.Read32(offset + 4) << 32;
                    f.Write32(offset + 4, high);
                }
                else if (mask != 0) mask |= 0xFFFFFFFF00000000UL;
                bar.Kind = is64 ? PciBarKind.Memory64 : PciBarKind.Memory32;
                bar.Prefetchable = (value & 8) != 0;
                bar.Address = (value & ~0xFUL) | ((ulong)high << 32);
                bar.Size = mask == 0 ? 0 : ~mask + 1;
            }
            f.Write16(Command, command);
            Sys.Irq.Exit();
            if (bar.Size != 0) f.Bars[i] = bar;
            return is64;
        }
    }
}
