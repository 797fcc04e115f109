// The kernel's one lock on one CPU: interrupts off (Linux's local_irq_save, xv6's push_off /
// pop_off). It guards everything an interrupt handler may also touch — the frame allocator, the
// page tables, the LRU, the charge counters, the scheduler's queues — and, as a big kernel lock,
// the VFS and the container table. Sleeping with it held is allowed: the depth belongs to the
// task that entered it (the scheduler saves and restores it around a switch), so a task that
// blocks gives the CPU up with interrupts off and gets its depth back when it runs again.
//
// Rules: Enter/Exit nest; the outermost Exit turns interrupts back on only if the outermost
// Enter found them on. Code that relies on the lock says so with AssertHeld (xv6's holding()),
// which panics with the caller's name when interrupts are on: on one CPU, interrupts off is what
// the lock is, whether a task entered it or the CPU entered an interrupt handler. Prefer the scoped form, which cannot forget its Exit:
//     using (irq.Hold()) { ... }
// Plain C# with the machine behind InterruptControl, so the host tests compile this same file.
namespace Kernel.Sync
{
    // What the lock needs from the machine: the interrupt flag, and a way to report a bug.
    public abstract class InterruptControl
    {
        // Turns interrupts off; returns whether they were on.
        public abstract bool Disable();
        public abstract void Enable();
        public abstract bool AreEnabled { get; }
        public abstract void Panic(string message);
    }

    public sealed class IrqLock
    {
        private readonly InterruptControl _cpu;
        private int _depth;
        private bool _wereEnabled;

        public IrqLock(InterruptControl cpu) { _cpu = cpu; }

        public bool IsHeld => !_cpu.AreEnabled;

        public void Enter()
        {
            bool wereOn = _cpu.Disable();
            if (_depth++ == 0) _wereEnabled = wereOn;
        }

        public void Exit()
        {
            if (_depth <= 0) { _cpu.Panic("irqlock: exit without enter"); return; }
            if (--_depth == 0 && _wereEnabled) _cpu.Enable();
        }

        // using (lock.Hold()) { ... }: Enter now, Exit when the block is left by any path.
        public Scope Hold()
        {
            Enter();
            return new Scope(this);
        }

        public void AssertHeld(string who)
        {
            if (_cpu.AreEnabled) _cpu.Panic(who + ": called with interrupts on");
        }

        // The nesting state belongs to the task that entered it: a context switch saves the
        // outgoing task's state and restores the incoming one's (interrupts are off meanwhile).
        public int Depth => _depth;
        public bool WereEnabled => _wereEnabled;

        public void Restore(int depth, bool wereEnabled)
        {
            _depth = depth;
            _wereEnabled = wereEnabled;
        }

        public struct Scope : System.IDisposable
        {
            private readonly IrqLock _lock;
            internal Scope(IrqLock l) { _lock = l; }
            public void Dispose() => _lock.Exit();
        }
    }
}
