// The two 8259 PICs, remapped so IRQ 0-15 arrive as vectors 32-47. Only the lines with a driver
// are unmasked.
namespace Kernel.Arch
{
    internal static class Pic
    {
        private const ushort Master = 0x20, MasterData = 0x21, Slave = 0xA0, SlaveData = 0xA1;
        private static ushort s_mask = 0xFFFF;

        public static void Initialize()
        {
            Native.OutB(Master, 0x11); Native.IoWait();
            Native.OutB(Slave, 0x11); Native.IoWait();
            Native.OutB(MasterData, (byte)Idt.IrqBase); Native.IoWait();
            Native.OutB(SlaveData, (byte)(Idt.IrqBase + 8)); Native.IoWait();
            Native.OutB(MasterData, 4); Native.IoWait();  // slave on IRQ2
            Native.OutB(SlaveData, 2); Native.IoWait();
            Native.OutB(MasterData, 1); Native.IoWait();  // 8086 mode
            Native.OutB(SlaveData, 1); Native.IoWait();
            s_mask = 0xFFFF & ~(1 << 2);
            WriteMask();
        }

        public static void Unmask(int irq)
        {
            s_mask = (ushort)(s_mask & ~(1 << irq));
            WriteMask();
        }

        public static void Mask(int irq)
        {
            s_mask = (ushort)(s_mask | (1 << irq));
            WriteMask();
        }

        private static void WriteMask()
        {
            Native.OutB(MasterData, (byte)s_mask);
            Native.OutB(SlaveData, (byte)(s_mask >> 8));
        }

        public static void EndOfInterrupt(int irq)
        {
            if (irq >= 8) Native.OutB(Slave, 0x20);
            Native.OutB(Master, 0x20);
        }

        // A spurious IRQ 7/15 has no in-service bit and must not be acknowledged (15: only the master).
        public static bool IsSpurious(int irq)
        {
            if (irq != 7 && irq != 15) return false;
            ushort port = irq == 7 ? Master : Slave;
            Native.OutB(port, 0x0B);
            if ((Native.InB(port) & 0x80) != 0) return false;
            if (irq == 15) Native.OutB(Master, 0x20);
            return true;
        }
    }
}
