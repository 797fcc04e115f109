// RegionList: sorted insert with overlap rejection, binary-search lookup, carving (trim, split,
// remove) with file offsets following, growth; plus a CsCheck comparison against a page set.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public class RegionTests
    {
        const Protection R = Protection.Read;

        static (ulong, ulong)[] Spans(RegionList l) =>
            Enumerable.Range(0, l.Count).Select(i => (l.At(i).Start, l.At(i).End)).ToArray();

        [Fact]
        public void Insert_keeps_order_and_rejects_overlaps()
        {
            var l = new RegionList(1);
            Assert.True(l.Insert(Region.Anonymous(0x5000, 0x7000, R)));
            Assert.True(l.Insert(Region.Anonymous(0x1000, 0x2000, R)));
            Assert.True(l.Insert(Region.Anonymous(0x9000, 0xA000, R)));
            Assert.True(l.Insert(Region.Anonymous(0x2000, 0x5000, R)));   // fills the gap exactly
            Assert.False(l.Insert(Region.Anonymous(0x6000, 0x8000, R)));
            Assert.False(l.Insert(Region.Anonymous(0x0000, 0x1001, R)));  // misaligned
            Assert.False(l.Insert(Region.Anonymous(0x0000, 0x2000, R)));
            Assert.False(l.Insert(Region.Anonymous(0x3000, 0x3000, R)));  // empty
            Assert.Equal(new[] { (0x1000UL, 0x2000UL), (0x2000UL, 0x5000UL), (0x5000UL, 0x7000UL), (0x9000UL, 0xA000UL) }, Spans(l));
            Assert.Equal(-1, l.IndexOf(0xFFF));
            Assert.Equal(0, l.IndexOf(0x1000));
            Assert.Equal(1, l.IndexOf(0x4FFF));
            Assert.Equal(2, l.IndexOf(0x5000));
            Assert.Equal(-1, l.IndexOf(0x7000));
            Assert.Equal(-1, l.IndexOf(0xA000));
            Assert.True(l.Find(0x9ABC, out Region r) && r.Start == 0x9000);
        }

        [Fact]
        public void Carve_trims_splits_and_removes()
        {
            var l = new RegionList(2);
            l.Insert(Region.File(0x10000, 0x20000, R, 7, 100));
            l.Insert(Region.Anonymous(0x30000, 0x40000, R));
            Assert.Equal(1, l.Carve(0x14000, 0x16000));   // split
            Assert.Equal(new[] { (0x10000UL, 0x14000UL), (0x16000UL, 0x20000UL), (0x30000UL, 0x40000UL) }, Spans(l));
            Assert.Equal(100UL, l.At(0).FilePage);
            Assert.Equal(106UL, l.At(1).FilePage);
            Assert.Equal(7u, l.At(1).FileId);
            Assert.Equal(RegionKind.File, l.At(1).Kind);
            Assert.Equal(2, l.Carve(0x18000, 0x38000));   // trims both sides of a gap
            Assert.Equal(new[] { (0x10000UL, 0x14000UL), (0x16000UL, 0x18000UL), (0x38000UL, 0x40000UL) }, Spans(l));
            Assert.Equal(0, l.Carve(0x20000, 0x30000));
            Assert.Equal(2, l.Carve(0x0, 0x18000));        // removes whole regions
            Assert.Equal(new[] { (0x38000UL, 0x40000UL) }, Spans(l));
            l.Clear();
            Assert.Equal(0, l.Count);
        }

        [Fact]
        public void Matches_a_page_set_model() =>
            Gen.Select(Gen.Bool, Gen.Int[0, 60], Gen.Int[1, 12]).Array[1, 80].Sample(ops =>
            {
                var l = new RegionList(1);
                var model = new SortedDictionary<int, int>();   // page -> region start page
                foreach (var (insert, at, len) in ops)
                {
                    ulong s = (ulong)at << 12, e = (ulong)(at + len) << 12;
                    if (insert)
                    {
                        bool free = Enumerable.Range(at, len).All(p => !model.ContainsKey(p));
                        Assert.Equal(free, l.Insert(Region.Anonymous(s, e, R)));
                        if (free) for (int p = at; p < at + len; p++) model[p] = at;
                    }
                    else
                    {
                        l.Carve(s, e);
                        for (int p = at; p < at + len; p++) model.Remove(p);
                    }
                    for (int p = 0; p < 75; p++)
                        Assert.Equal(model.ContainsKey(p), l.IndexOf((ulong)p << 12) >= 0);
                    for (int i = 0; i < l.Count; i++)
                    {
                        Assert.True(l.At(i).Start < l.At(i).End);
                        if (i > 0) Assert.True(l.At(i - 1).End <= l.At(i).Start);
                    }
                }
            }, iter: 300);
    }
}
