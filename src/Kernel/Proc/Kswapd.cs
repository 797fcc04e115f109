// [kswapd0]: the kernel thread that ages the LRU lists in the background, once a second (the
// part of Linux's kswapd that keeps the active and inactive lists meaningful). Reclaim itself is
// each container's reaper on [kcontainerd]; this thread frees nothing.
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Sync;

namespace Kernel.Proc
{
    internal static class Kswapd
    {
        public const ulong PeriodMs = 1000;

        // Starts the thread; false when it cannot be made.
        public static bool Start(Processes processes, IrqLock irq, MmContext vm)
        {
            Errno e = processes.Spawn(null, "kswapd0", TaskKind.KernelThread, argv =>
            {
                while (true)
                {
                    processes.Sleep(PeriodMs);
                    using (irq.Hold()) vm.Reclaim.Aging.Run();
                }
            }, null, MmSource.New, out Process _);
            return e == Errno.None;
        }
    }
}
