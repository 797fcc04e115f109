// The radix page map: set, clear, lookup and ordered walk over canonical addresses in both halves.
using System;
using System.Collections.Generic;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class PageMapTests : GcTest
    {
        private static nuint RandomPage(Random r)
        {
            ulong a = ((ulong)r.NextInt64() & ((1UL << 47) - 1)) & ~4095UL;
            if (r.Next(4) == 0) a &= (1UL << 30) - 1;            // cluster some in a small range
            if (r.Next(2) == 0) a |= 0xFFFF_8000_0000_0000UL;    // the kernel's half
            return (nuint)a;
        }

        [Fact]
        public void Matches_a_sorted_model_in_both_halves()
        {
            var r = new Random(7);
            var model = new SortedDictionary<ulong, nuint>();   // linear page -> fake descriptor
            for (int step = 0; step < 4000; step++)
            {
                nuint page = step > 0 && r.Next(3) == 0 && model.Count > 0
                    ? PageMap.Address(PickKey(model, r))
                    : RandomPage(r);
                ulong key = PageMap.Linear(page);
                if (model.ContainsKey(key) && r.Next(2) == 0)
                {
                    PageMap.Clear(page);
                    model.Remove(key);
                }
                else
                {
                    nuint fake = (nuint)(step + 1) * 16;
                    Assert.True(PageMap.Set(page, (PageDesc*)fake));
                    model[key] = fake;
                }
                nuint probe = page + (nuint)r.Next(4096);
                nuint expect = model.TryGetValue(key, out nuint v) ? v : 0;
                Assert.Equal(expect, (nuint)PageMap.Lookup(probe));
            }
            // Ordered walk visits exactly the model, in address order.
            ulong pn = 0;
            var walked = new List<ulong>();
            PageDesc* d;
            while ((d = PageMap.Next(ref pn)) != null)
            {
                Assert.Equal(model[pn], (nuint)d);
                walked.Add(pn);
                pn++;
            }
            Assert.Equal(new List<ulong>(model.Keys), walked);
            for (int i = 1; i < walked.Count; i++)
                Assert.True(PageMap.Address(walked[i - 1]) < PageMap.Address(walked[i]));
        }

        private static ulong PickKey(SortedDictionary<ulong, nuint> model, Random r)
        {
            int k = r.Next(model.Count);
            foreach (ulong key in model.Keys) if (k-- == 0) return key;
            throw new InvalidOperationException();
        }

        [Fact]
        public void Non_canonical_and_unmapped_addresses_are_not_in_the_heap()
        {
            nuint page = unchecked((nuint)0xFFFF_8000_1234_5000UL);
            Assert.True(PageMap.Set(page, (PageDesc*)0x1000));
            Assert.True(PageMap.Set(unchecked((nuint)0x0000_7000_0000_0000UL), (PageDesc*)0x2000));
            Assert.Equal((nuint)0x1000, (nuint)PageMap.Lookup(page + 100));
            Assert.True(PageMap.Lookup(unchecked((nuint)0x0000_8000_1234_5000UL)) == null);   // non-canonical alias
            Assert.True(PageMap.Lookup(unchecked((nuint)0x7FFF_8000_1234_5000UL)) == null);
            Assert.True(PageMap.Lookup(page + 4096) == null);
            Assert.True(PageMap.Lookup(0) == null);
            Assert.True(PageMap.Lookup(~(nuint)0) == null);
        }
    }
}
