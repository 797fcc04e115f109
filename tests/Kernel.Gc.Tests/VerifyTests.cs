// Debug mode: poisoned free slots, and Verify catching dangling references, writes after free,
// broken MethodTables and broken free lists.
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class VerifyTests : GcTest
    {
        public VerifyTests() => GcHeap.DebugPoison = true;

        [Fact]
        public void Freed_slots_are_poisoned_so_a_dangling_method_table_is_non_canonical()
        {
            byte* keep = New(Pair), victim = New(Mixed);
            Collect((nint)keep);
            Assert.False(Alive(victim));
            Assert.Equal(GcHeap.PoisonPattern, *(ulong*)victim);            // its MethodTable word
            for (int i = 0; i < 48 - 8; i++) Assert.Equal(0xDD, victim[i]);
            ulong mt = *(ulong*)victim;
            Assert.False((long)mt >> 47 == 0 || (long)mt >> 47 == -1);
            AssertVerified();
        }

        [Fact]
        public void A_dangling_reference_is_reported()
        {
            byte* holder = New(Pair), keepPageAlive = New(Pair), target = New(Pair);
            Collect((nint)holder, (nint)keepPageAlive);
            Assert.False(Alive(target));
            Set(holder, 16, target);          // as if a root had been missed
            Assert.Equal(GcStatus.BadReference, GcHeap.Verify(Types.Lo, Types.Hi));
            Assert.True(GcHeap.BadSlot == holder + 16);
            Assert.True(GcHeap.BadValue == target);
            Set(holder, 16, target + 8);      // an interior pointer in a field is as bad
            Assert.Equal(GcStatus.BadReference, GcHeap.Verify(Types.Lo, Types.Hi));
            Set(holder, 16, keepPageAlive);
            AssertVerified();
        }

        [Fact]
        public void A_write_after_free_is_reported()
        {
            byte* keep = New(Pair), victim = New(Pair);
            Collect((nint)keep);
            AssertVerified();
            *(ulong*)(victim + 8) = 42;
            Assert.Equal(GcStatus.FreedSlotWritten, GcHeap.Verify(Types.Lo, Types.Hi));
            Assert.True(GcHeap.BadSlot == victim - 8);
        }

        [Fact]
        public void Never_used_slots_of_a_poisoned_page_are_poisoned_too()
        {
            New(Pair);
            AssertVerified();
            byte* p = New(Leaf);
            byte* next = p + 32;                         // the next free slot in the same page
            Assert.Equal(GcHeap.PoisonPattern, *(ulong*)next);
        }

        [Fact]
        public void Bad_method_tables_and_oversized_objects_are_reported()
        {
            byte* a = New(Pair);
            *(byte**)a = null;
            Assert.Equal(GcStatus.BadMethodTable, GcHeap.Verify(Types.Lo, Types.Hi));
            Assert.True(GcHeap.BadSlot == a);
            *(byte**)a = Types.Hi;
            Assert.Equal(GcStatus.BadMethodTable, GcHeap.Verify(Types.Lo, Types.Hi));
            *(byte**)a = Pair;
            AssertVerified();
            byte* arr = New(ObjArray, 2);                 // 40 bytes in a 48-byte slot
            *(int*)(arr + 8) = 3;                          // 48: still fits
            AssertVerified();
            *(int*)(arr + 8) = 4;                          // 56: overflows the slot
            Assert.Equal(GcStatus.ObjectTooLarge, GcHeap.Verify(Types.Lo, Types.Hi));
        }

        [Fact]
        public void A_free_list_pointing_at_a_live_slot_is_reported()
        {
            byte* a = New(Pair);
            byte* b = New(Pair);                          // the page's free list now starts after b
            byte* freeHead = b - 8 + 32;
            *(ulong*)freeHead = (ulong)(a - 8);           // corrupt the link
            Assert.Equal(GcStatus.FreeListCorrupt, GcHeap.Verify(Types.Lo, Types.Hi));
        }

        [Fact]
        public void References_outside_the_heap_are_accepted()
        {
            byte* holder = New(Pair);
            byte* frozen = (byte*)Native(32) + 8;
            *(byte**)frozen = Leaf;
            Set(holder, 8, frozen);
            AssertVerified();
        }
    }
}
