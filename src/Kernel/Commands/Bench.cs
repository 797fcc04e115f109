// bench: figures measured inside the running kernel (rdtsc cycles; under QEMU's TCG these are
// emulated cycles, useful for comparisons within one run, not with real hardware).
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;

namespace Kernel.Commands
{
    internal static class Bench
    {
        private const int Pairs = 20000;

        public static int Run(string[] argv, int argc)
        {
            if (argc == 2 && argv[1] == "mm") return Memory();
            if (argc == 2 && argv[1] == "gc") return GcCommands.Bench(argv, argc);
            if (argc == 2 && argv[1] == "proc") return ProcCommands.Bench(argv, argc);
            if (argc == 2 && argv[1] == "containers") return ContainerCommands.Bench(argv, argc);
            if (argc == 3 && argv[1] == "disk") return DiskBench.Run(argv[2]);
            Console.WriteLine("usage: bench mm|gc|proc|containers|disk DEVICE");
            return 2;
        }

        // Cycles per alloc+free pair of one order, interrupts off so the timer does not interfere.
        private static ulong PairCycles(int order)
        {
            BuddyAllocator buddy = PhysicalMemory.Buddy;
            IrqLock.Enter();
            ulong start = Native.Rdtsc();
            for (int i = 0; i < Pairs; i++)
            {
                if (!buddy.TryAlloc(order, AllocFlags.Kernel, out uint pfn)) break;
                buddy.Free(pfn, order);
            }
            ulong cycles = Native.Rdtsc() - start;
            IrqLock.Exit();
            return cycles / Pairs;
        }

        private static int Memory()
        {
            Console.WriteLine(string.Concat("bench mm: order-0 alloc+free ", PairCycles(0).ToString(), " cycles/pair"));
            Console.WriteLine(string.Concat("bench mm: order-3 alloc+free ", PairCycles(3).ToString(), " cycles/pair"));
            Console.WriteLine(string.Concat("bench mm: demand-zero fault ", VmTest.FaultCycles(2048).ToString(), " cycles/page (2048 pages)"));
            return 0;
        }
    }
}
