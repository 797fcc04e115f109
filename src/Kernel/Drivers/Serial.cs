// COM1 (16550 UART) at 115200 8N1. Output is polled; input raises IRQ 4 and received bytes go to
// the input queue, so nothing typed is lost while the kernel is busy. Input that arrives before
// the FIFO is reset here is lost (test harnesses wait for the prompt).
//
// Flow control: while the input queue has no room (InputQueue.HasRoomFor), bytes are left in the
// UART — the received-data interrupt is switched off (Throttled) and the FIFO fills; QEMU's 16550
// then stops reading its character device (serial_can_receive is 0 with a full FIFO), so a paste
// waits in the host's pipe instead of being dropped. InputQueue's reader calls Resume once the
// queue has room again. Interrupts are off in every method but Write.
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static class Serial
    {
        private const ushort Port = 0x3F8;
        private const ushort Data = Port, InterruptEnable = Port + 1, LineStatus = Port + 5;
        private const byte ReceivedDataInterrupt = 0x01, DataReady = 0x01, TransmitEmpty = 0x20;
        private static bool s_present;
        private static bool s_throttled;

        // Received bytes are being left in the UART until the input queue has room.
        public static bool Throttled => s_throttled;

        public static void Initialize()
        {
            Native.OutB(InterruptEnable, 0x00);  // interrupts off while configuring
            Native.OutB(Port + 3, 0x80);  // DLAB
            Native.OutB(Port + 0, 0x01);  // divisor 1: 115200 baud
            Native.OutB(Port + 1, 0x00);
            Native.OutB(Port + 3, 0x03);  // 8N1
            Native.OutB(Port + 2, 0xC7);  // FIFO on, cleared, 14-byte threshold
            Native.OutB(Port + 4, 0x0B);  // DTR, RTS, OUT2 (routes the IRQ)
            s_present = Native.InB(LineStatus) != 0xFF;
            if (!s_present) return;
            Native.OutB(InterruptEnable, ReceivedDataInterrupt);
            Pic.Unmask(4);
        }

        public static void Write(byte b)
        {
            if (!s_present) return;
            for (int spin = 0; spin < 100000 && (Native.InB(LineStatus) & TransmitEmpty) == 0; spin++) { }
            Native.OutB(Data, b);
        }

        // Interrupt context: drain the FIFO into the input queue while it has room.
        public static void HandleInterrupt() => Drain();

        // The input queue has room again (its reader, interrupts off): take input once more.
        public static void Resume()
        {
            if (!s_throttled) return;
            s_throttled = false;
            Native.OutB(InterruptEnable, ReceivedDataInterrupt);
            Drain();
        }

        private static void Drain()
        {
            while ((Native.InB(LineStatus) & DataReady) != 0)
            {
                if (!InputQueue.HasRoomFor(1))
                {
                    // Leave this byte and the rest in the UART; lowering the interrupt line now
                    // gives the PIC a fresh edge when Resume raises it again.
                    s_throttled = true;
                    Native.OutB(InterruptEnable, 0x00);
                    return;
                }
                InputQueue.Put(Native.InB(Data));
            }
        }
    }
}
