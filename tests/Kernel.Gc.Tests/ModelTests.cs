// The collector against a reference model: random object graphs of every shape (classes, object
// arrays, struct arrays, strings, large arrays), random precise, conservative (interior) and
// external roots; after each collection the surviving set must equal a BFS over the model, and
// Verify must pass with debug poisoning on. Several rounds mutate the graph between collections.
using System;
using System.Collections.Generic;
using CsCheck;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class ModelTests : GcTest
    {
        private sealed class Obj
        {
            public nint Addr;
            public nuint Size;
            public int[] SlotOffsets;     // from the reference
            public Obj[] Targets;
        }

        private sealed class World
        {
            public readonly ModelTests T;
            public readonly Random R;
            public readonly List<Obj> Objects = new();
            public World(ModelTests t, int seed) { T = t; R = new Random(seed); }
        }

        private Obj NewRandom(World w)
        {
            Random r = w.R;
            byte* mt;
            int len = 0;
            int[] offsets;
            switch (r.Next(9))
            {
                case 0: mt = Leaf; offsets = Array.Empty<int>(); break;
                case 1: mt = Pair; offsets = new[] { 8, 16 }; break;
                case 2: mt = Mixed; offsets = new[] { 8, 24 }; break;
                case 3:
                    mt = Str; len = r.Next(0, 1500); offsets = Array.Empty<int>(); break;
                case 4:
                    mt = KvArray; len = r.Next(0, 20);
                    offsets = new int[len];
                    for (int i = 0; i < len; i++) offsets[i] = 16 + 16 * i;
                    break;
                case 5:
                    mt = ObjArray; len = r.Next(0, r.Next(50) == 0 ? 3000 : 40);
                    offsets = new int[len];
                    for (int i = 0; i < len; i++) offsets[i] = 16 + 8 * i;
                    break;
                default: mt = Pair; offsets = new[] { 8, 16 }; break;
            }
            byte* p = TryNew(mt, len);
            Assert.True(p != null);
            var o = new Obj { Addr = (nint)p, Size = Types.SizeOf(mt, len), SlotOffsets = offsets, Targets = new Obj[offsets.Length] };
            w.Objects.Add(o);
            return o;
        }

        private static void Link(Obj from, int slot, Obj to)
        {
            from.Targets[slot] = to;
            *(nint*)(from.Addr + from.SlotOffsets[slot]) = to == null ? 0 : to.Addr;
        }

        // One collection with random roots; checks survivors against the model and prunes it.
        private void CollectAndCompare(World w, int precise, int conservative, int external)
        {
            Random r = w.R;
            var roots = new List<Obj>();
            var objs = w.Objects;
            void** slots = (void**)Native((nuint)(8 * (precise + 1)));
            ulong* stack = (ulong*)Native((nuint)(8 * (conservative * 2 + 1)));
            int ext = Math.Max(external, 1);
            byte* frozen = (byte*)Native((nuint)(24 + 8 * ext)) + 8;
            *(byte**)frozen = ObjArray;
            *(int*)(frozen + 8) = ext;

            for (int i = 0; i < precise && objs.Count > 0; i++)
            {
                Obj o = objs[r.Next(objs.Count)];
                slots[i] = (void*)o.Addr;
                roots.Add(o);
            }
            for (int i = 0; i < conservative; i++)
            {
                if (objs.Count > 0)
                {
                    Obj o = objs[r.Next(objs.Count)];
                    stack[2 * i] = (ulong)(o.Addr - 8 + (nint)(ulong)r.NextInt64((long)o.Size));   // anywhere inside
                    roots.Add(o);
                }
                stack[2 * i + 1] = (ulong)r.Next(4096);                                          // noise
            }
            for (int i = 0; i < external && objs.Count > 0; i++)
            {
                Obj o = objs[r.Next(objs.Count)];
                *(nint*)(frozen + 16 + 8 * i) = o.Addr;
                roots.Add(o);
            }

            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            if (r.Next(2) == 0) GcHeap.MarkRange(slots, (nuint)precise);
            else for (int i = 0; i < precise; i++) GcHeap.MarkPrecise(&slots[i]);
            GcHeap.MarkConservative(stack, stack + 2 * conservative);
            if (external > 0) GcHeap.TraceExternalObject(frozen);
            Assert.Equal(GcStatus.Ok, GcHeap.Trace());
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());

            var reached = new HashSet<Obj>();
            var queue = new Queue<Obj>();
            foreach (Obj o in roots) if (reached.Add(o)) queue.Enqueue(o);
            while (queue.Count > 0)
                foreach (Obj t in queue.Dequeue().Targets)
                    if (t != null && reached.Add(t)) queue.Enqueue(t);

            foreach (Obj o in objs)
                Assert.True(reached.Contains(o) == Alive((byte*)o.Addr), $"object 0x{o.Addr:x} reachable={reached.Contains(o)}");
            Assert.Equal((nuint)reached.Count, GcHeap.LiveObjects);
            Assert.Equal((nuint)reached.Count, GcHeap.ObjectsInUse);
            objs.RemoveAll(o => !reached.Contains(o));
            AssertVerified();
        }

        private void Mutate(World w, int newObjects, int edges)
        {
            Random r = w.R;
            for (int i = 0; i < newObjects; i++) NewRandom(w);
            var withSlots = w.Objects.FindAll(o => o.SlotOffsets.Length > 0);
            if (withSlots.Count == 0) return;
            for (int i = 0; i < edges; i++)
            {
                Obj from = withSlots[r.Next(withSlots.Count)];
                Obj to = r.Next(8) == 0 ? null : w.Objects[r.Next(w.Objects.Count)];
                Link(from, r.Next(from.SlotOffsets.Length), to);
            }
        }

        private void Scenario(int objects, int seed, int stackEntries, int rounds)
        {
            HostPages.Reset();
            Assert.Equal(GcStatus.Ok, GcHeap.Init(&HostPages.Alloc, &HostPages.Free, 1, 4));
            GcHeap.DebugPoison = true;
            Marker.LimitCapacity((nuint)stackEntries);
            var w = new World(this, seed);
            for (int round = 0; round < rounds; round++)
            {
                Mutate(w, objects, objects * 2);
                CollectAndCompare(w, w.R.Next(0, 4), w.R.Next(0, 6), w.R.Next(0, 3));
            }
        }

        [Fact]
        public void Random_graphs_survive_exactly_as_the_model_says()
        {
            Gen.Select(Gen.Int[1, 200], Gen.Int[0, 1_000_000], Gen.Int[1, 64])
                .Sample((n, seed, cap) => Scenario(n, seed, cap, 1), iter: 300, threads: 1);
        }

        [Fact]
        public void Many_rounds_of_mutation_and_collection()
        {
            Scenario(3000, 12345, 16, 25);
            Assert.Equal(25ul, GcHeap.Collections);
        }

        [Fact]
        public void Many_rounds_with_the_default_stack()
        {
            HostPages.Reset();
            Assert.Equal(GcStatus.Ok, GcHeap.Init(&HostPages.Alloc, &HostPages.Free, GcHeap.DefaultMarkStackPages, 8));
            GcHeap.DebugPoison = true;
            var w = new World(this, 99);
            for (int round = 0; round < 10; round++)
            {
                Mutate(w, 10000, 30000);
                CollectAndCompare(w, 3, 6, 2);
            }
        }
    }
}
