// The interrupt flag of the host "CPU" for the interrupt lock: a bool. A fixture enters the lock
// once when it is built (as the kernel's code runs with interrupts off), so Kernel.Mm's lock
// assertions hold; a test that leaves it can show that an entry point asserts. A broken lock
// rule throws, so the test that broke it fails at the spot.
using Kernel.Sync;

namespace Kernel.Mm.Tests
{
    public sealed class HostInterrupts : InterruptControl
    {
        private bool _enabled = true;

        public override bool Disable()
        {
            bool was = _enabled;
            _enabled = false;
            return was;
        }

        public override void Enable() => _enabled = true;
        public override bool AreEnabled => _enabled;
        public override void Panic(string message) => throw new Xunit.Sdk.XunitException("panic: " + message);

        // A lock with interrupts already off, as the kernel's callers hold it.
        public static IrqLock HeldLock()
        {
            IrqLock irq = new IrqLock(new HostInterrupts());
            irq.Enter();
            return irq;
        }
    }
}
