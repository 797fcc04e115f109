// COM1 (16550 UART) at 115200 8N1. Output is polled; input raises IRQ 4 and every received
// byte goes to the input queue, so nothing typed is lost while the kernel is busy. Input that
// arrives before the FIFO is reset here is lost (test harnesses wait for the prompt).
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static class Serial
    {
        private const ushort Port = 0x3F8;
        private static bool s_present;

        public static void Initialize()
        {
            Native.OutB(Port + 1, 0x00);  // interrupts off while configuring
            Native.OutB(Port + 3, 0x80);  // DLAB
            Native.OutB(Port + 0, 0x01);  // divisor 1: 115200 baud
            Native.OutB(Port + 1, 0x00);
            Native.OutB(Port + 3, 0x03);  // 8N1
            Native.OutB(Port + 2, 0xC7);  // FIFO on, cleared, 14-byte threshold
            Native.OutB(Port + 4, 0x0B);  // DTR, RTS, OUT2 (routes the IRQ)
            s_present = Native.InB(Port + 5) != 0xFF;
            if (!s_present) return;
            Native.OutB(Port + 1, 0x01);  // received-data interrupt
            Pic.Unmask(4);
        }

        public static void Write(byte b)
        {
            if (!s_present) return;
            for (int spin = 0; spin < 100000 && (Native.InB(Port + 5) & 0x20) == 0; spin++) { }
            Native.OutB(Port, b);
        }

        // Interrupt context: drain the FIFO.
        public static void HandleInterrupt()
        {
            while ((Native.InB(Port + 5) & 0x01) != 0) InputQueue.Put(Native.InB(Port));
        }
    }
}
