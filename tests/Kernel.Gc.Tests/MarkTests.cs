// Marking: precise and conservative roots, interior pointers, cycles, arrays, struct arrays,
// field precision, external (frozen-like) objects.
using System.Collections.Generic;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class MarkTests : GcTest
    {
        [Fact]
        public void Precise_roots_keep_their_graph_and_the_rest_is_freed()
        {
            byte* a = New(Pair), b = New(Pair), c = New(Leaf), dead = New(Pair), deadChild = New(Leaf);
            Set(a, 8, b);
            Set(b, 16, c);
            Set(dead, 8, deadChild);
            Set(dead, 16, a);                    // dead points at live: irrelevant
            Collect((nint)a);
            Assert.True(Alive(a) && Alive(b) && Alive(c));
            Assert.False(Alive(dead));
            Assert.False(Alive(deadChild));
            Assert.Equal((nuint)3, GcHeap.LiveObjects);
            Assert.Equal((nuint)2, GcHeap.FreedObjects);
            AssertVerified();
        }

        [Fact]
        public void Conservative_words_mark_through_interior_pointers()
        {
            byte* whole = New(Pair), header = New(Leaf), middle = New(Mixed), arr = New(ObjArray, 100), elem = New(Leaf);
            byte* big = New(ObjArray, 5000), bigElem = New(Leaf);
            byte* unrelated = New(Leaf);
            SetElement(arr, 57, elem);
            SetElement(big, 4321, bigElem);
            ulong* stack = (ulong*)Native(8 * 16);
            stack[0] = (ulong)whole;                      // exact reference
            stack[1] = (ulong)(header - 8);               // the header word
            stack[2] = (ulong)(middle + 21);              // unaligned, inside
            stack[3] = (ulong)(arr + 16 + 8 * 57 + 3);    // inside an element of a small array
            stack[4] = (ulong)(big + 16 + 8 * 3000);      // a continuation page of a large array
            stack[5] = 12345;                             // not a pointer
            stack[6] = 0xFFFF_FFFF_FFFF_FFF0UL;
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.MarkConservative((byte*)stack + 3, stack + 7);   // unaligned start: first word skipped
            GcHeap.MarkConservative(stack, stack + 1);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(Alive(whole) && Alive(header) && Alive(middle) && Alive(arr) && Alive(elem) && Alive(big) && Alive(bigElem));
            Assert.False(Alive(unrelated));
            AssertVerified();
        }

        [Fact]
        public void Words_pointing_at_free_slots_or_page_tails_mark_nothing()
        {
            byte* keep = New(Leaf);
            byte* freed = New(Leaf);
            Collect((nint)keep);                         // `freed` is now a free slot
            Assert.False(Alive(freed));
            byte* big = New(Str, 1100);                  // 2230 bytes: a large object in one page
            ulong* stack = (ulong*)Native(8 * 4);
            stack[0] = (ulong)freed;
            stack[1] = (ulong)((byte*)big - 8 + 3000);   // inside the page, past the object
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.MarkConservative(stack, stack + 2);
            GcHeap.MarkPrecise(&stack[3]);               // null slot
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.False(Alive(keep));
            Assert.False(Alive(big));
            Assert.Equal((nuint)0, GcHeap.ObjectsInUse);
        }

        [Fact]
        public void Cycles_are_kept_when_reachable_and_freed_when_not()
        {
            byte* a = New(Pair), b = New(Pair), c = New(Pair);
            Set(a, 8, b); Set(b, 8, c); Set(c, 8, a); Set(c, 16, c);
            byte* x = New(Pair), y = New(Pair);
            Set(x, 8, y); Set(y, 8, x);
            Collect((nint)b);
            Assert.True(Alive(a) && Alive(b) && Alive(c));
            Assert.False(Alive(x) || Alive(y));
            Collect();
            Assert.False(Alive(a) || Alive(b) || Alive(c));
            Assert.Equal((nuint)0, GcHeap.PagesInUse);
        }

        [Fact]
        public void Arrays_of_references_keep_their_elements()
        {
            byte* arr = New(ObjArray, 10000);               // 80 KiB: a large object
            var elems = new List<nint>();
            for (int i = 0; i < 10000; i += 3)
            {
                byte* e = New(i % 2 == 0 ? Leaf : Pair);
                SetElement(arr, i, e);
                elems.Add((nint)e);
            }
            byte* loose = New(Leaf);
            byte* small = New(ObjArray, 4);
            byte* se = New(Leaf);
            SetElement(small, 3, se);
            SetElement(arr, 1, small);
            Collect((nint)arr);
            foreach (nint e in elems) Assert.True(Alive((byte*)e));
            Assert.True(Alive(small) && Alive(se));
            Assert.False(Alive(loose));
            AssertVerified();
        }

        [Fact]
        public void Only_reference_fields_are_scanned()
        {
            byte* holder = New(Mixed);
            byte* viaRef1 = New(Leaf), viaRef2 = New(Leaf), viaLong = New(Leaf), viaSlack = New(Leaf);
            Set(holder, 8, viaRef1);
            Set(holder, 16, viaLong);                     // a long field that happens to hold an address
            Set(holder, 24, viaRef2);
            // A string's characters and a byte array's bytes are not references either.
            byte* s = New(Str, 20), bytes = New(Bytes, 64);
            byte* viaString = New(Leaf), viaBytes = New(Leaf);
            *(byte**)(s + 16) = viaString;
            *(byte**)(bytes + 24) = viaBytes;
            // Struct array {object key; long value}: keys are references, values are not.
            byte* kv = New(KvArray, 50);
            byte* key = New(Leaf), value = New(Leaf);
            *(byte**)(kv + 16 + 16 * 49) = key;
            *(byte**)(kv + 16 + 16 * 49 + 8) = value;
            Set(holder, 32, viaSlack);                    // past the last reference field
            Collect((nint)holder, (nint)s, (nint)bytes, (nint)kv);
            Assert.True(Alive(viaRef1) && Alive(viaRef2) && Alive(key));
            Assert.False(Alive(viaLong));
            Assert.False(Alive(viaString));
            Assert.False(Alive(viaBytes));
            Assert.False(Alive(value));
            Assert.False(Alive(viaSlack));
        }

        [Fact]
        public void Struct_arrays_with_several_reference_runs_per_element()
        {
            // struct { object a; object b; long x; object c; long y; } : 40 bytes, runs (0,2) and (24,1)
            byte* mt = Types.StructArray(40, 0, 8, 24);
            byte* arr = New(mt, 30);
            var expectAlive = new List<nint>();
            var expectDead = new List<nint>();
            for (int i = 0; i < 30; i++)
            {
                byte* e = arr + 16 + 40 * i;
                for (int f = 0; f < 40; f += 8)
                {
                    byte* o = New(Leaf);
                    *(byte**)(e + f) = o;
                    (f == 16 || f == 32 ? expectDead : expectAlive).Add((nint)o);
                }
            }
            Collect((nint)arr);
            foreach (nint o in expectAlive) Assert.True(Alive((byte*)o));
            foreach (nint o in expectDead) Assert.False(Alive((byte*)o));
            AssertVerified();
        }

        [Fact]
        public void Objects_reachable_only_from_an_external_object_survive()
        {
            // A frozen-like object outside the heap (its own MethodTable is a heap-less Pair).
            byte* frozen = (byte*)Native(64) + 8;
            *(byte**)frozen = Pair;
            byte* a = New(Pair), b = New(Leaf);
            Set(frozen, 8, a);
            Set(a, 16, b);
            Collect();                                        // without the external scan
            Assert.False(Alive(a) || Alive(b));
            a = New(Pair); b = New(Leaf);
            byte* c = New(Leaf);
            Set(frozen, 8, a);
            Set(a, 16, b);
            Set(frozen, 16, frozen);                          // points at itself: outside the heap
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.TraceExternalObject(frozen);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(Alive(a) && Alive(b));
            Assert.False(Alive(c));
            AssertVerified();
        }

        [Fact]
        public void A_frozen_segment_is_walked_object_by_object()
        {
            // Segment: [8 bytes][string "hello"][Pair][object[2]][Leaf]; then zero (end marker).
            byte* seg = (byte*)Native(512);
            byte* o1 = seg + 8;
            *(byte**)o1 = Str; *(int*)(o1 + 8) = 5;                 // 22 + 10 = 32
            byte* o2 = o1 + 32;
            *(byte**)o2 = Pair;
            byte* o3 = o2 + 32;
            *(byte**)o3 = ObjArray; *(int*)(o3 + 8) = 2;            // 24 + 16 = 40
            byte* o4 = o3 + 40;
            *(byte**)o4 = Leaf;
            byte* x = New(Leaf), y = New(Leaf), z = New(Leaf), dead = New(Leaf);
            Set(o2, 16, x);
            SetElement(o3, 1, y);
            *(byte**)(o4 + 8) = dead;                               // Leaf has no references
            *(byte**)(o1 + 16) = dead;                              // nor has a string
            Set(o3, 16, z);                                         // element 0
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.TraceExternalObjects(o1, seg + 512);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(Alive(x) && Alive(y) && Alive(z));
            Assert.False(Alive(dead));
        }

        [Fact]
        public void Mark_range_and_mark_reference()
        {
            void** refs = (void**)Native(8 * 4);
            byte* a = New(Leaf), b = New(Pair), c = New(Leaf), d = New(Leaf);
            refs[0] = a; refs[1] = null; refs[2] = b;
            Set(b, 8, c);
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.MarkRange(refs, 3);
            GcHeap.MarkReference(null);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(Alive(a) && Alive(b) && Alive(c));
            Assert.False(Alive(d));
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.MarkReference(c + 5);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(Alive(c));
            Assert.False(Alive(a) || Alive(b));
        }
    }
}
