using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class PageTests
    {
        [Fact]
        public void Page_fits_in_a_cache_line_and_matches_its_const()
        {
            Assert.True(sizeof(Page) <= 64);
            Assert.Equal(Page.Size, sizeof(Page));
        }

        [Fact]
        public void Layout_is_the_documented_one()
        {
            Page p;
            byte* b = (byte*)&p;
            Assert.Equal(0, (byte*)&p.OwnerIndex - b);
            Assert.Equal(8, (byte*)&p.Flags - b);
            Assert.Equal(12, (byte*)&p.RefCount - b);
            Assert.Equal(16, (byte*)&p.MapCount - b);
            Assert.Equal(20, (byte*)&p.OwnerId - b);
            Assert.Equal(24, (byte*)&p.LruNext - b);
            Assert.Equal(28, (byte*)&p.LruPrev - b);
            Assert.Equal(32, (byte*)&p.Private - b);
            Assert.Equal(36, (byte*)&p.ContainerId - b);
            Assert.Equal(38, (byte*)&p.Order - b);
        }

        [Fact]
        public void Frame_database_starts_all_reserved_and_maps_pfns_both_ways()
        {
            using var m = new FrameWorld(100);
            Assert.Equal(100u, m.Db.Count);
            Assert.Equal(100UL * (ulong)sizeof(Page), FrameDatabase.BytesFor(100));
            for (uint pfn = 0; pfn < 100; pfn++)
            {
                Page* p = m.Db.Get(pfn);
                Assert.True(p == m.Pages + pfn);
                Assert.Equal(pfn, m.Db.Pfn(p));
                Assert.Equal(PageFlags.Reserved, p->Flags);
                Assert.Equal(Page.NoFrame, p->LruNext);
                Assert.Equal(Page.NoFrame, p->LruPrev);
                Assert.Equal(0, p->RefCount);
                Assert.Equal(0u, p->OwnerId);
                Assert.Equal(0UL, p->OwnerIndex);
                Assert.Equal((ushort)0, p->ContainerId);
            }
            Assert.True(m.Db.Get(100) == null);
            Assert.False(m.Db.Contains(100));
            Assert.Equal(0x5000UL, FrameDatabase.PhysicalAddress(5));
            Assert.Equal(5u, FrameDatabase.PfnOf(0x5fff));
        }
    }
}
