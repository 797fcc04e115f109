// Just enough ACPI to power off: RSDP -> RSDT/XSDT -> FADT (PM1 control blocks, SMI command,
// DSDT) and the \_S5 sleep type from the DSDT's AML (a package of small integers after "_S5_").
// Power-off writes SLP_TYP | SLP_EN to PM1a (and PM1b). Reboot uses the 8042 reset line, then
// a triple fault. All tables are reached through the direct map.
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static unsafe class Acpi
    {
        private static ushort s_pm1aControl, s_pm1bControl;
        private static ushort s_slpTypA, s_slpTypB;
        private static uint s_smiCommand;
        private static byte s_acpiEnable;
        private static bool s_canPowerOff;

        public static bool CanPowerOff => s_canPowerOff;

        public static void Initialize(ulong rsdpPhys)
        {
            if (rsdpPhys == 0) { Log.Line("acpi: no RSDP found"); return; }
            byte* rsdp = (byte*)Layout.PhysToVirt(rsdpPhys);
            byte revision = rsdp[15];
            byte* fadt = null;
            if (revision >= 2 && *(ulong*)(rsdp + 24) != 0)
                fadt = FindTable(*(ulong*)(rsdp + 24), 8, "FACP");
            if (fadt == null)
                fadt = FindTable(*(uint*)(rsdp + 16), 4, "FACP");
            if (fadt == null) { Log.Line("acpi: no FADT"); return; }

            uint length = *(uint*)(fadt + 4);
            s_smiCommand = *(uint*)(fadt + 48);
            s_acpiEnable = fadt[52];
            s_pm1aControl = (ushort)*(uint*)(fadt + 64);
            s_pm1bControl = (ushort)*(uint*)(fadt + 68);
            ulong dsdt = *(uint*)(fadt + 40);
            if (length >= 148 && *(ulong*)(fadt + 140) != 0) dsdt = *(ulong*)(fadt + 140);
            s_canPowerOff = s_pm1aControl != 0 && dsdt != 0 && FindS5((byte*)Layout.PhysToVirt(dsdt));
            Log.Line(s_canPowerOff ? "acpi: FADT found, S5 available" : "acpi: S5 not available");
        }

        private static bool Signature(byte* table, string name)
        {
            for (int i = 0; i < 4; i++) if (table[i] != name[i]) return false;
            return true;
        }

        private static byte* FindTable(ulong rootPhys, int entrySize, string name)
        {
            if (rootPhys == 0 || rootPhys >= Layout.DirectMapSize) return null;
            byte* root = (byte*)Layout.PhysToVirt(rootPhys);
            uint length = *(uint*)(root + 4);
            for (uint off = 36; off + entrySize <= length; off += (uint)entrySize)
            {
                ulong phys = entrySize == 8 ? *(ulong*)(root + off) : *(uint*)(root + off);
                if (phys == 0 || phys >= Layout.DirectMapSize) continue;
                byte* table = (byte*)Layout.PhysToVirt(phys);
                if (Signature(table, name)) return table;
            }
            return null;
        }

        // AML: NameOp? "_S5_" PackageOp PkgLength NumElements {BytePrefix b | ZeroOp | OneOp} ...
        private static bool FindS5(byte* dsdt)
        {
            uint length = *(uint*)(dsdt + 4);
            for (uint i = 36; i + 8 < length; i++)
            {
                byte* p = dsdt + i;
                if (p[0] != '_' || p[1] != 'S' || p[2] != '5' || p[3] != '_') continue;
                p += 4;
                if (*p != 0x12) continue;               // PackageOp
                p++;
                p += ((*p >> 6) & 3) + 1;               // PkgLength
                p++;                                    // NumElements
                s_slpTypA = ReadSmallInteger(ref p);
                s_slpTypB = ReadSmallInteger(ref p);
                return true;
            }
            return false;
        }

        private static ushort ReadSmallInteger(ref byte* p)
        {
            if (*p == 0x0A) { p++; return *p++; }       // BytePrefix
            if (*p == 0x01) { p++; return 1; }          // OneOp
            p++;                                        // ZeroOp
            return 0;
        }

        // Returns only when power-off failed.
        public static void PowerOff()
        {
            if (!s_canPowerOff) return;
            Native.Cli();
            if ((Native.InW(s_pm1aControl) & 1) == 0 && s_smiCommand != 0 && s_acpiEnable != 0)
            {
                Native.OutB((ushort)s_smiCommand, s_acpiEnable);
                for (int i = 0; i < 1000000 && (Native.InW(s_pm1aControl) & 1) == 0; i++) Native.IoWait();
            }
            const ushort SleepEnable = 1 << 13;
            Native.OutW(s_pm1aControl, (ushort)((s_slpTypA << 10) | SleepEnable));
            if (s_pm1bControl != 0) Native.OutW(s_pm1bControl, (ushort)((s_slpTypB << 10) | SleepEnable));
            for (int i = 0; i < 1000000; i++) Native.IoWait();
            Native.Sti();
        }

        public static void Reboot()
        {
            Native.Cli();
            for (int i = 0; i < 100000 && (Native.InB(0x64) & 2) != 0; i++) { }
            Native.OutB(0x64, 0xFE);
            for (int i = 0; i < 1000000; i++) Native.IoWait();
            // Still here: a triple fault resets every PC.
            byte* empty = stackalloc byte[16];
            for (int i = 0; i < 16; i++) empty[i] = 0;
            Native.LoadIdt(empty);
            Native.Int3();
        }
    }
}
