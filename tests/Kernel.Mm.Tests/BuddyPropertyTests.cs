// Model-based property tests (CsCheck): random memory maps with holes, random reserves, random
// alloc/free/drain sequences over every order, each step checked against BuddyModel and against
// a walk of the allocator's own lists (Verify).
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class BuddyPropertyTests
    {
        public enum OpKind { Alloc, Free, Drain }
        public readonly record struct Op(OpKind Kind, int Order, bool Kernel, int Pick);

        // A memory map: segments in address order, usable or hole, added in a shuffled order.
        public sealed record Map((bool usable, int length)[] Segments, int[] AddKeys)
        {
            public uint Frames => (uint)Segments.Sum(s => s.length);

            public IEnumerable<(uint start, uint count)> UsableRanges()
            {
                var ranges = new List<(uint, uint, int)>();
                uint at = 0;
                for (int i = 0; i < Segments.Length; i++)
                {
                    if (Segments[i].usable) ranges.Add((at, (uint)Segments[i].length, AddKeys[i]));
                    at += (uint)Segments[i].length;
                }
                return ranges.OrderBy(r => r.Item3).Select(r => (r.Item1, r.Item2));
            }

            public override string ToString() =>
                "map [" + string.Join(", ", Segments.Select(s => (s.usable ? "ram " : "hole ") + s.length)) + "]";
        }

        public sealed record Scenario(Map Map, uint Reserve, Op[] Ops)
        {
            public override string ToString() =>
                Map + " reserve " + Reserve + " ops [" + string.Join(" ", Ops.Select(o =>
                    o.Kind == OpKind.Alloc ? "A" + o.Order + (o.Kernel ? "k" : "u") : o.Kind == OpKind.Free ? "F" + o.Pick % 97 : "D")) + "]";
        }

        static readonly Gen<(bool, int)> GenSegment =
            Gen.Select(Gen.Int[0, 3], Gen.OneOf(Gen.Int[1, 40], Gen.Int[1, 1500]), (u, n) => (u != 0, n));

        static readonly Gen<Map> GenMap =
            from segments in GenSegment.Array[1, 6]
            from keys in Gen.Int.Array[segments.Length]
            select new Map(segments, keys);

        // Order 0 about half the time, the other orders evenly.
        static readonly Gen<int> GenOrder = Gen.Int[0, 21].Select(o => o <= 10 ? 0 : o - 11);

        static readonly Gen<Op> GenOp =
            Gen.Select(Gen.Int[0, 99], GenOrder, Gen.Bool, Gen.Int[0, int.MaxValue],
                (k, order, kernel, pick) => new Op(k < 55 ? OpKind.Alloc : k < 95 ? OpKind.Free : OpKind.Drain, order, kernel, pick));

        static readonly Gen<Scenario> GenScenario =
            from map in GenMap
            from reserve in Gen.OneOf(Gen.Const(0u), Gen.UInt[0, 300])
            from ops in GenOp.Array[0, 300]
            select new Scenario(map, reserve, ops);

        static void Check(bool ok, string what)
        {
            if (!ok) throw new Exception(what);
        }

        static void CheckCounts(FrameWorld m, BuddyModel model)
        {
            m.AssertHealthy();
            Check(m.Buddy.FreeFrames == model.Free, "FreeFrames " + m.Buddy.FreeFrames + ", model " + model.Free);
            ulong sum = m.Buddy.CachedFrames;
            for (int k = 0; k <= BuddyAllocator.MaxOrder; k++) sum += (ulong)m.Buddy.FreeBlocks(k) << k;
            Check(sum == m.Buddy.FreeFrames, "per-order counts add up to " + sum);
        }

        static void CheckCanonical(FrameWorld m, BuddyModel model)
        {
            Check(m.Buddy.CachedFrames == 0, "cache not drained");
            var want = model.CanonicalFreeBlocks();
            var got = m.FreeBlocks();
            Check(want.SetEquals(got), "free lists differ from the canonical decomposition: got " +
                string.Join(" ", got.Take(20)) + ", want " + string.Join(" ", want.Take(20)));
            for (int k = 0; k <= BuddyAllocator.MaxOrder; k++)
                Check(m.Buddy.FreeBlocks(k) == want.Count(b => b.order == k), "FreeBlocks(" + k + ") disagrees");
        }

        static void Run(Scenario s)
        {
            var map = s.Map;
            using var m = new FrameWorld(map.Frames, s.Reserve);
            var model = new BuddyModel(map.Frames, s.Reserve);
            foreach (var (start, count) in map.UsableRanges())
            {
                m.Buddy.AddFreeRange(start, count);
                model.AddFreeRange(start, count);
            }
            CheckCounts(m, model);
            CheckCanonical(m, model);
            var initial = m.FreeBlocks();
            Check(m.Buddy.ManagedFrames == model.Free, "ManagedFrames");

            foreach (var op in s.Ops)
            {
                switch (op.Kind)
                {
                    case OpKind.Alloc:
                        var flags = op.Kernel ? AllocFlags.Kernel : AllocFlags.User;
                        bool expect = model.ExpectAlloc(op.Order, flags);
                        bool got = m.Buddy.TryAlloc(op.Order, flags, out uint pfn);
                        Check(got == expect, "TryAlloc(" + op.Order + ", " + flags + ") returned " + got + ", model expects " + expect);
                        if (got)
                        {
                            string bad = model.Take(pfn, op.Order);
                            Check(bad == null, bad);
                            Check(m.Pages[pfn].RefCount == 1 && m.Pages[pfn].Flags == PageFlags.None, "fresh head record");
                            // Scribble owner fields the way a user of the frame would.
                            m.Pages[pfn].OwnerId = 7;
                            m.Pages[pfn].OwnerIndex = pfn;
                            m.Pages[pfn].Flags = op.Kernel ? PageFlags.Kernel : PageFlags.Anon;
                        }
                        else Check(pfn == Page.NoFrame, "failed TryAlloc left pfn set");
                        break;
                    case OpKind.Free:
                        if (model.Allocated.Count == 0) break;
                        var block = model.Release(op.Pick % model.Allocated.Count);
                        m.Buddy.Free(block.pfn, block.order);
                        break;
                    case OpKind.Drain:
                        m.Buddy.DrainCache();
                        CheckCanonical(m, model);
                        break;
                }
                CheckCounts(m, model);
            }

            while (model.Allocated.Count > 0)
            {
                var block = model.Release(model.Allocated.Count - 1);
                m.Buddy.Free(block.pfn, block.order);
            }
            m.Buddy.DrainCache();
            CheckCounts(m, model);
            CheckCanonical(m, model);
            Check(initial.SetEquals(m.FreeBlocks()), "did not coalesce back to the starting free lists");
        }

        [Fact]
        public void Random_operations_agree_with_the_model() =>
            GenScenario.Sample(Run, iter: 1500, print: s => s.ToString());

        // Allocate until even order 0 fails (kernel allocations: the reserve does not apply), then
        // free everything in a random order: every usable frame handed out exactly once, no
        // reserved frame ever, and the free lists come back as they started.
        [Fact]
        public void Fill_then_empty_restores_the_start() =>
            Gen.Select(GenMap, GenOrder.Array[1, 30], Gen.Int.Array[0, 64]).Sample((map, orders, keys) =>
            {
                using var m = new FrameWorld(map.Frames, 50);
                var model = new BuddyModel(map.Frames, 50);
                foreach (var (start, count) in map.UsableRanges())
                {
                    m.Buddy.AddFreeRange(start, count);
                    model.AddFreeRange(start, count);
                }
                var initial = m.FreeBlocks();
                int step = 0;
                for (int order = orders[0]; ; step++)
                {
                    if (m.Buddy.TryAlloc(order, AllocFlags.Kernel, out uint pfn))
                    {
                        string bad = model.Take(pfn, order);
                        if (bad != null) throw new Exception(bad);
                        order = orders[step % orders.Length];
                    }
                    else if (order > 0) order--;
                    else break;
                }
                Check(model.Free == 0 && m.Buddy.FreeFrames == 0, "order 0 failed with frames free");
                CheckCounts(m, model);
                int i = 0;
                while (model.Allocated.Count > 0)
                {
                    int pick = keys.Length == 0 ? 0 : (int)((uint)keys[i++ % keys.Length] % (uint)model.Allocated.Count);
                    var block = model.Release(pick);
                    m.Buddy.Free(block.pfn, block.order);
                }
                CheckCounts(m, model);
                m.Buddy.DrainCache();
                CheckCanonical(m, model);
                Check(initial.SetEquals(m.FreeBlocks()), "did not coalesce back to the start");
            }, iter: 400, print: t => t.Item1 + " orders [" + string.Join(",", t.Item2) + "]");
    }
}
