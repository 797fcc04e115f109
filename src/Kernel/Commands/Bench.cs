// bench: figures measured inside the running kernel (rdtsc cycles; under QEMU's TCG these are
// emulated cycles, useful for comparisons within one run, not with real hardware). A part whose
// run fails prints FAILED, never a figure from a partial or an earlier run. Benchmark allocations
// are the anonymous kind (AllocFlags.User): a benchmark never eats into the kernel's reserve.
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
            if (argc == 2 && argv[1] == "reclaim") return ContainerCommands.BenchReclaim(argv, argc);
            if (argc == 3 && argv[1] == "disk") return DiskBench.Run(argv[2]);
            if (argc == 3 && argv[1] == "fs") return FsCommands.Bench(argv, argc);
            Console.WriteLine("usage: bench mm|gc|proc|containers|disk DEVICE|fs DIR");
            return 2;
        }

        // Cycles per alloc+free pair of one order, interrupts off so the timer does not interfere;
        // 0 when an allocation failed (no figure rather than one from fewer pairs).
        private static ulong PairCycles(int order)
        {
            BuddyAllocator buddy = PhysicalMemory.Buddy;
            int done = 0;
            Sys.Irq.Enter();
            ulong start = Native.Rdtsc();
            for (; done < Pairs; done++)
            {
                if (!buddy.TryAlloc(order, AllocFlags.User, out uint pfn)) break;
                buddy.Free(pfn, order);
            }
            ulong cycles = Native.Rdtsc() - start;
            Sys.Irq.Exit();
            return done == Pairs ? cycles / Pairs : 0;
        }

        private static int Memory()
        {
            int status = 0;
            for (int order = 0; order <= 3; order += 3)
            {
                ulong pair = PairCycles(order);
                if (pair == 0)
                {
                    Console.WriteLine(string.Concat("bench mm: order-", order.ToString(), " alloc+free: FAILED (no free block outside the reserve)"));
                    status = 1;
                }
                else Console.WriteLine(string.Concat("bench mm: order-", order.ToString(), " alloc+free ", pair.ToString(), " cycles/pair"));
            }
            ulong fault = VmTest.FaultCycles(2048);
            if (fault == 0)
            {
                Console.WriteLine("bench mm: demand-zero fault: FAILED (the process touching 2048 pages did not finish)");
                return 1;
            }
            Console.WriteLine(string.Concat("bench mm: demand-zero fault ", fault.ToString(), " cycles/page (2048 pages)"));
            return status;
        }
    }
}
