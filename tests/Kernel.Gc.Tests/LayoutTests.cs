// Size classes, slot-index arithmetic, bit helpers and ILC object sizes.
using System;
using System.Numerics;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class LayoutTests : GcTest
    {
        [Fact]
        public void Every_small_size_maps_to_the_smallest_class_that_fits()
        {
            for (nuint size = 1; size <= SizeClasses.MaxSmall; size++)
            {
                ClassInfo* ci = SizeClasses.For(size);
                Assert.True(ci->Size >= size);
                if (ci->Index > 0) Assert.True(SizeClasses.SizeOf((int)ci->Index - 1) < size);
                Assert.Equal(4096u / ci->Size, ci->Capacity);
            }
            for (int c = 0; c < SizeClasses.Count; c++)
            {
                Assert.Equal(0u, SizeClasses.SizeOf(c) % 16);
                Assert.True(4096 / SizeClasses.SizeOf(c) <= 256);   // the bitmaps hold 256 slots
            }
        }

        [Fact]
        public void Slot_index_by_magic_is_exact_for_every_offset_in_a_page()
        {
            for (int c = 0; c < SizeClasses.Count; c++)
            {
                uint size = SizeClasses.SizeOf(c);
                ulong magic = SizeClasses.MagicFor(size);
                for (ulong off = 0; off < 4096; off++)
                    Assert.Equal(off / size, (off * magic) >> 32);
            }
        }

        [Fact]
        public void Descriptor_is128_bytes() => Assert.Equal(128, sizeof(PageDesc));

        [Fact]
        public void Bit_helpers_match_the_bcl()
        {
            var r = new Random(1);
            for (int i = 0; i < 10000; i++)
            {
                ulong x = (ulong)r.NextInt64() ^ ((ulong)r.Next() << 40);
                if (i % 7 == 0) x &= (ulong)r.NextInt64();
                Assert.Equal(BitOperations.PopCount(x), Bits.PopCount(x));
                Assert.Equal(BitOperations.TrailingZeroCount(x), Bits.TrailingZeros(x));
            }
            Assert.Equal(64, Bits.TrailingZeros(0));
        }

        [Fact]
        public void Object_sizes_match_the_ilc_examples()
        {
            byte* s = New(Str, 3);
            Assert.Equal((nuint)32, GcHeap.ObjectSize(s));          // "123"
            byte* a = New(ObjArray, 3);
            Assert.Equal((nuint)48, GcHeap.ObjectSize(a));          // object[3]
            byte* kv = New(KvArray, 3);
            Assert.Equal((nuint)72, GcHeap.ObjectSize(kv));         // 3 structs of 16 bytes
            byte* e = New(ObjArray, 0);
            Assert.Equal((nuint)24, GcHeap.ObjectSize(e));
            Assert.Equal((nuint)40, GcHeap.ObjectSize(New(Mixed)));
        }
    }
}
