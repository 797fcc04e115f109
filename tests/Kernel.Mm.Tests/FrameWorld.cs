// Test fixture: a frame database and buddy allocator in host memory (NativeMemory), with a
// panic handler that records messages instead of halting, and optionally a "direct map" block
// standing for the RAM itself (for poisoning).
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Kernel.Mm;

namespace Kernel.Mm.Tests
{
    public sealed class RecordingPanic : PanicHandler
    {
        public readonly List<string> Messages = new List<string>();
        public override void Panic(string message) => Messages.Add(message);
    }

    public sealed unsafe class FrameWorld : IDisposable
    {
        public readonly uint Frames;
        public readonly Page* Pages;
        public readonly byte* Ram;
        public readonly FrameDatabase Db;
        public readonly BuddyAllocator Buddy;
        public readonly RecordingPanic Panics = new RecordingPanic();

        public FrameWorld(uint frames, uint reserve = 0, bool withRam = false)
        {
            Frames = frames;
            Pages = (Page*)NativeMemory.AlignedAlloc((nuint)Math.Max(1UL, FrameDatabase.BytesFor(frames)), 64);
            // Garbage, to show FrameDatabase initialises every record.
            new Span<byte>(Pages, (int)FrameDatabase.BytesFor(frames)).Fill(0xA5);
            if (withRam) Ram = (byte*)NativeMemory.AlignedAlloc((nuint)(frames * Kernel.Abi.Paging.Size), 4096);
            Db = new FrameDatabase(Pages, frames);
            Buddy = new BuddyAllocator(Db, Panics, reserve);
        }

        public FrameWorld(uint frames, uint reserve, params (uint start, uint count)[] ranges) : this(frames, reserve)
        {
            foreach (var r in ranges) Buddy.AddFreeRange(r.start, r.count);
        }

        public void AssertHealthy()
        {
            if (Panics.Messages.Count != 0) throw new Xunit.Sdk.XunitException("unexpected panic: " + Panics.Messages[0]);
            string problem = Buddy.Verify();
            if (problem != null) throw new Xunit.Sdk.XunitException("Verify: " + problem);
        }

        // (order, pfn) of every block on the free lists, by walking them.
        public SortedSet<(int order, uint pfn)> FreeBlocks()
        {
            var set = new SortedSet<(int, uint)>();
            for (int order = 0; order <= BuddyAllocator.MaxOrder; order++)
                for (uint pfn = Buddy.FirstFree(order); pfn != Page.NoFrame; pfn = Pages[pfn].LruNext)
                    if (!set.Add((order, pfn))) throw new Xunit.Sdk.XunitException("block listed twice");
            return set;
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(Pages);
            if (Ram != null) NativeMemory.AlignedFree(Ram);
        }
    }
}
