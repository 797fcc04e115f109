// The reference model the property tests hold the allocator to: nothing but the state of each
// frame (reserved, free, handed out). What a buddy allocator must do follows from it:
//  - an order-n allocation succeeds exactly when some 2^n-aligned run of 2^n frames is all free
//    (and the reserve allows it), because a fully coalescing buddy system keeps every such run
//    inside one free block once its order-0 cache is drained;
//  - with the cache drained, the free lists hold exactly the canonical decomposition: the aligned
//    all-free blocks whose parent block (one order up) is not all free.
using System.Collections.Generic;
using Kernel.Mm;

namespace Kernel.Mm.Tests
{
    public enum FrameState : byte { Reserved, Free, Used }

    public sealed class BuddyModel
    {
        public readonly FrameState[] State;
        public readonly uint Reserve;
        public uint Free;
        public readonly List<(uint pfn, int order)> Allocated = new List<(uint, int)>();

        public BuddyModel(uint frames, uint reserve)
        {
            State = new FrameState[frames];
            Reserve = reserve;
        }

        public void AddFreeRange(uint start, uint count)
        {
            for (uint i = start; i < start + count; i++) State[i] = FrameState.Free;
            Free += count;
        }

        // full[k][i]: the i-th 2^k-aligned block lies inside the database and is all free.
        public bool[][] FullBlocks()
        {
            var full = new bool[BuddyAllocator.MaxOrder + 1][];
            full[0] = new bool[State.Length];
            for (int i = 0; i < State.Length; i++) full[0][i] = State[i] == FrameState.Free;
            for (int k = 1; k <= BuddyAllocator.MaxOrder; k++)
            {
                full[k] = new bool[State.Length >> k];
                for (int i = 0; i < full[k].Length; i++) full[k][i] = full[k - 1][2 * i] && full[k - 1][2 * i + 1];
            }
            return full;
        }

        public bool ExpectAlloc(int order, AllocFlags flags)
        {
            uint size = 1u << order;
            if (Free < size) return false;
            if ((flags & AllocFlags.Kernel) == 0 && Free - size < Reserve) return false;
            foreach (bool b in FullBlocks()[order]) if (b) return true;
            return false;
        }

        public SortedSet<(int order, uint pfn)> CanonicalFreeBlocks()
        {
            var full = FullBlocks();
            var set = new SortedSet<(int, uint)>();
            for (int k = 0; k <= BuddyAllocator.MaxOrder; k++)
                for (int i = 0; i < full[k].Length; i++)
                    if (full[k][i] && (k == BuddyAllocator.MaxOrder || !(i / 2 < full[k + 1].Length && full[k + 1][i / 2])))
                        set.Add((k, (uint)i << k));
            return set;
        }

        // Records a block the allocator handed out; returns what is wrong with it, or null.
        public string Take(uint pfn, int order)
        {
            uint size = 1u << order;
            if ((pfn & (size - 1)) != 0) return "pfn " + pfn + " not aligned to order " + order;
            if ((ulong)pfn + size > (ulong)State.Length) return "block at " + pfn + " past the end";
            for (uint i = pfn; i < pfn + size; i++)
            {
                if (State[i] == FrameState.Used) return "frame " + i + " handed out twice";
                if (State[i] == FrameState.Reserved) return "reserved frame " + i + " handed out";
            }
            for (uint i = pfn; i < pfn + size; i++) State[i] = FrameState.Used;
            Free -= size;
            Allocated.Add((pfn, order));
            return null;
        }

        public (uint pfn, int order) Release(int index)
        {
            var block = Allocated[index];
            Allocated[index] = Allocated[Allocated.Count - 1];
            Allocated.RemoveAt(Allocated.Count - 1);
            for (uint i = block.pfn; i < block.pfn + (1u << block.order); i++) State[i] = FrameState.Free;
            Free += 1u << block.order;
            return block;
        }
    }
}
