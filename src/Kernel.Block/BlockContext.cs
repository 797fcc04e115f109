// What the block layer needs from the machine it runs on, as small abstract classes the kernel
// implements (interrupts off as the lock, the scheduler's wait queues, the direct map) and the host
// tests fake (no lock, a simulated device that completes when a waiter sleeps, identity "physical"
// addresses over pinned memory).
//
// The lock: every queue and request field is touched only with it held. In the kernel it is
// interrupts off (one CPU), so it nests and interrupt handlers hold it implicitly; a task that
// sleeps lets it go and has it again when it runs (the IrqLock state is per task).
// Sleeping: a WaitChannel is a place to sleep on until someone wakes everybody sleeping there
// (Linux's wait_queue_head). A sleeper rechecks its condition after each wake; spurious wakes are
// allowed. A task sleeping on a channel cannot be killed meanwhile (Linux's D state): I/O into its
// buffers is in flight.
namespace Kernel.Block
{
    public abstract class WaitChannel
    {
        // With the lock held: sleeps until a WakeAll (or spuriously); returns with the lock held.
        public abstract void Sleep();

        // With the lock held (interrupt handlers hold it): wakes every sleeper. Never allocates.
        public abstract void WakeAll();
    }

    public abstract unsafe class BlockContext
    {
        public abstract void Lock();
        public abstract void Unlock();

        // A new channel; called at setup time (it may allocate).
        public abstract WaitChannel CreateChannel();

        // The physical address of kernel memory at virt (a managed array's data, a stack buffer):
        // false when it has none the devices can use directly (the caller then bounces).
        public abstract bool TryPhysical(void* virt, out ulong phys);

        // Where the CPU reaches physical memory (the direct map).
        public abstract byte* Virtual(ulong phys);

        // A physically contiguous, page-aligned buffer of 2^order pages for DMA, kept for the
        // kernel's life (descriptor rings, bounce pages). Setup time only; false when out of memory.
        public abstract bool TryAllocateDma(int order, out ulong phys);
    }

    // A one-shot event a sleeper waits for (Linux's struct completion): Complete marks it done and
    // wakes the sleeper; Reset arms it again for the next use.
    public sealed class Completion
    {
        private readonly WaitChannel _channel;
        private bool _done;

        public Completion(WaitChannel channel) { _channel = channel; }

        public bool IsDone => _done;

        // With the lock held.
        public void Reset() => _done = false;

        // With the lock held (interrupt context included).
        public void Complete()
        {
            _done = true;
            _channel.WakeAll();
        }

        // With the lock held: returns once Complete has run.
        public void WaitLocked()
        {
            while (!_done) _channel.Sleep();
        }
    }
}
