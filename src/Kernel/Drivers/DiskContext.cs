// The machine under Kernel.Block: its lock is interrupts off (IrqLock, which nests, so interrupt
// handlers that finish requests hold it already), its wait channels are the scheduler's wait
// queues, its physical addresses are the direct map's (and the image's), and DMA memory comes from
// the buddy allocator as kernel frames that are never freed.
//
// A task sleeping on a channel holds LockDepth: a fatal signal waits until the I/O is over, since a
// killed task's stack (and the buffers on it or reachable only from it) would be abandoned while a
// device still writes into them (Linux's uninterruptible D state).
using Kernel.Arch;
using Kernel.Block;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;

namespace Kernel.Drivers
{
    internal sealed class SchedulerChannel : WaitChannel
    {
        private readonly WaitQueue _queue = new WaitQueue(Sys.Processes.Scheduler);

        public override void Sleep()
        {
            Scheduler s = Sys.Processes.Scheduler;
            Task self = s.Current;
            self.NoKillDepth++;   // the device may still write into this task's buffers
            s.Block(_queue, 0);
            Sys.Cpu.Yield();
            self.NoKillDepth--;
        }

        public override void WakeAll() => Sys.Processes.Scheduler.WakeAll(_queue);
    }

    internal sealed unsafe class KernelBlockContext : BlockContext
    {
        public override void Lock() => Sys.Irq.Enter();
        public override void Unlock() => Sys.Irq.Exit();
        public override WaitChannel CreateChannel() => new SchedulerChannel();

        public override bool TryPhysical(void* virt, out ulong phys)
        {
            ulong a = (ulong)virt;
            phys = 0;
            if (a >= Layout.DirectMapBase && a - Layout.DirectMapBase < Layout.DirectMapSize)
            {
                phys = a - Layout.DirectMapBase;
                return true;
            }
            if (a >= Layout.ImageStart() && a < Layout.KernelEnd())
            {
                phys = Layout.KernelVirtToPhys(a);
                return true;
            }
            return false;   // user addresses and anything else: the caller bounces
        }

        public override byte* Virtual(ulong phys) => (byte*)Layout.PhysToVirt(phys);

        public override bool TryAllocateDma(int order, out ulong phys)
        {
            phys = 0;
            if (!PhysicalMemory.TryAlloc(order, AllocFlags.Kernel, out uint pfn)) return false;
            phys = FrameDatabase.PhysicalAddress(pfn);
            byte* p = Virtual(phys);
            for (int i = 0; i < (4096 << order); i += 8) *(ulong*)(p + i) = 0;
            return true;
        }
    }
}
