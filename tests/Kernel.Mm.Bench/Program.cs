// Host benchmarks of the buddy allocator: ns per alloc+free pair at order 0 (the cached fast path)
// and order 3 (split and coalesce through the free lists).
//   dotnet run -c Release --project tests/Kernel.Mm.Bench -- --filter '*'
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Kernel.Mm;

namespace Kernel.Mm.Bench
{
    public sealed class NoPanic : PanicHandler
    {
        public override void Panic(string message) => throw new System.InvalidOperationException(message);
    }

    [ShortRunJob]
    public unsafe class BuddyBench
    {
        private const uint Frames = 1u << 16;   // 256 MiB of RAM
        private Page* _pages;
        private BuddyAllocator _buddy;

        [GlobalSetup]
        public void Setup()
        {
            _pages = (Page*)NativeMemory.AlignedAlloc((nuint)FrameDatabase.BytesFor(Frames), 64);
            _buddy = new BuddyAllocator(new FrameDatabase(_pages, Frames), new NoPanic(), 256);
            _buddy.AddFreeRange(1, Frames - 1);   // pfn 0 reserved, as on a PC
            // Some frames in use, so the lists are not all order-10 blocks.
            for (int i = 0; i < 1000; i++) _buddy.TryAlloc(i % 4, AllocFlags.Kernel, out _);
        }

        [GlobalCleanup]
        public void Cleanup() => NativeMemory.AlignedFree(_pages);

        [Benchmark]
        public uint Order0Pair()
        {
            _buddy.TryAlloc(0, AllocFlags.User, out uint pfn);
            _buddy.Free(pfn, 0);
            return pfn;
        }

        [Benchmark]
        public uint Order3Pair()
        {
            _buddy.TryAlloc(3, AllocFlags.User, out uint pfn);
            _buddy.Free(pfn, 3);
            return pfn;
        }
    }

    public static class Program
    {
        public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
