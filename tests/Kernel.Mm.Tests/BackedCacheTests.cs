// A page cache with a backing store (a disk file system's file): pages come in by ReadPage, a
// write marks them dirty, WriteBack puts them on the "disk", clean pages can be dropped (and
// unmapped everywhere first) and come back with the same bytes, and a read error leaves nothing.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    // A file on a "disk": page index -> 4096 bytes (absent: zeros). Counts the I/O.
    public sealed unsafe class DiskFile : PageCacheBacking
    {
        public readonly Dictionary<ulong, byte[]> Pages = new Dictionary<ulong, byte[]>();
        public int Reads, Writes;
        public ulong FailRead = ulong.MaxValue;

        public override Errno ReadPage(PageCache cache, ulong index, uint pfn)
        {
            Reads++;
            if (index == FailRead) return Errno.EIO;
            byte* dst = cache.Address(pfn);
            if (Pages.TryGetValue(index, out byte[] src)) for (int i = 0; i < 4096; i++) dst[i] = src[i];
            else for (int i = 0; i < 4096; i++) dst[i] = 0;
            return Errno.None;
        }

        public override Errno WritePage(PageCache cache, ulong index, uint pfn)
        {
            Writes++;
            byte* src = cache.Address(pfn);
            var copy = new byte[4096];
            for (int i = 0; i < 4096; i++) copy[i] = src[i];
            Pages[index] = copy;
            return Errno.None;
        }
    }

    public unsafe class BackedCacheTests
    {
        const ulong Base = 0x40_0000;

        static (PageCache, DiskFile) File(VmWorld vm, int pages)
        {
            var disk = new DiskFile();
            for (ulong i = 0; i < (ulong)pages; i++)
            {
                var b = new byte[4096];
                for (int k = 0; k < 4096; k++) b[k] = (byte)(i * 7 + (ulong)k);
                disk.Pages[i] = b;
            }
            PageCache cache = PageCache.Create(vm.Vm);
            cache.Backing = disk;
            cache.Size = (ulong)pages * 4096;
            return (cache, disk);
        }

        [Fact]
        public void A_miss_reads_the_page_and_a_hit_does_not()
        {
            using var vm = new VmWorld(64);
            var (cache, disk) = File(vm, 3);
            Assert.Equal(Errno.None, cache.GetOrCreate(2, null, out uint pfn));
            Assert.Equal((byte)(14 + 5), cache.Address(pfn)[5]);
            Assert.Equal(Errno.None, cache.GetOrCreate(2, null, out uint again));
            Assert.Equal(pfn, again);
            Assert.Equal(1, disk.Reads);
            Assert.Equal(Errno.None, cache.GetOrCreate(0, null, PageFill.Zero, out uint zeroed));
            Assert.Equal(1, disk.Reads);                          // a whole-page overwrite reads nothing
            Assert.Equal(0, cache.Address(zeroed)[5]);
            Assert.Equal(0, (int)(vm.Pages[pfn].Flags & PageFlags.Locked));
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void A_read_error_is_eio_and_leaves_nothing_charged()
        {
            using var vm = new VmWorld(64);
            var (cache, disk) = File(vm, 3);
            disk.FailRead = 1;
            Assert.Equal(Errno.EIO, cache.GetOrCreate(1, null, out uint pfn));
            Assert.Equal(Page.NoFrame, pfn);
            Assert.Equal(0ul, cache.ResidentPages);
            Assert.Equal(0, vm.Vm.Charger.Root.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Dirty_pages_are_written_back_and_only_clean_ones_are_dropped()
        {
            using var vm = new VmWorld(64);
            var (cache, disk) = File(vm, 3);
            Assert.Equal(Errno.None, cache.GetOrCreate(1, null, out uint pfn));
            cache.Address(pfn)[0] = 0xEE;
            cache.MarkDirty(pfn);
            cache.MarkDirty(pfn);
            Assert.Equal(1ul, cache.DirtyPages);
            Assert.Equal(1ul, vm.Vm.DirtyPages);
            Assert.False(cache.TryDrop(1));                       // dirty: its bytes are nowhere else
            Assert.Equal(Errno.None, cache.Sync());
            Assert.Equal(1, disk.Writes);
            Assert.Equal(0xEE, disk.Pages[1][0]);
            Assert.Equal(0ul, cache.DirtyPages + vm.Vm.DirtyPages + vm.Vm.WritebackPages);
            Assert.Equal(Errno.None, cache.Sync());
            Assert.Equal(1, disk.Writes);                          // clean now: nothing to write
            Assert.True(cache.TryDrop(1));
            Assert.Equal(0ul, cache.ResidentPages);
            Assert.Equal(0, vm.Vm.Charger.Root.PageUsage);
            Assert.Equal(Errno.None, cache.GetOrCreate(1, null, out pfn));   // back from the disk
            Assert.Equal(0xEE, cache.Address(pfn)[0]);
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Dropping_a_mapped_page_unmaps_it_and_the_next_fault_reads_it_again()
        {
            using var vm = new VmWorld(128);
            var (cache, disk) = File(vm, 2);
            var a = vm.NewMm();
            var b = vm.NewMm();
            Assert.Equal(Errno.None, a.MapFile(Base, 2, Protection.Read, cache.Id, 0));
            Assert.Equal(Errno.None, b.MapFile(Base, 2, Protection.Read | Protection.Write, cache.Id, 0));
            Assert.Equal((byte)(7 + 3), Cpu.ReadOk(vm, a, Base + 4096 + 3));
            Cpu.ReadOk(vm, b, Base + 4096);
            Cpu.WriteOk(vm, b, Base, 99);                          // b's page 0 is a private copy
            Assert.Equal(2, vm.Pages[cache.Find(1)].MapCount);
            Assert.Equal(1, vm.Vm.Charger.Root.MappedPages);
            Assert.True(cache.TryDrop(1));
            Assert.Equal(0UL, a.Table.Lookup(Base + 4096));
            Assert.Equal(0UL, b.Table.Lookup(Base + 4096));
            Assert.Equal(0, vm.Vm.Charger.Root.MappedPages);
            Assert.Equal((byte)(7 + 3), Cpu.ReadOk(vm, a, Base + 4096 + 3));   // faulted back in
            Assert.Equal(99, Cpu.ReadOk(vm, b, Base));             // the private copy was not touched
            Assert.Equal(3, disk.Reads);
            a.Destroy();
            b.Destroy();
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void A_cache_without_backing_never_drops_and_drop_clean_counts()
        {
            using var vm = new VmWorld(64);
            PageCache ram = PageCache.Create(vm.Vm);
            Assert.Equal(Errno.None, ram.GetOrCreate(0, null, out uint _));
            Assert.False(ram.IsEvictable);
            Assert.False(ram.TryDrop(0));
            var (cache, _) = File(vm, 3);
            for (ulong i = 0; i < 3; i++) Assert.Equal(Errno.None, cache.GetOrCreate(i, null, out uint _));
            cache.MarkDirty(cache.Find(2));
            Assert.Equal(2ul, cache.DropClean());
            Assert.Equal(1ul, cache.ResidentPages);
            cache.Truncate(0);                                      // dirty data past the end goes
            Assert.Equal(0ul, vm.Vm.DirtyPages);
            ram.Release();
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }
    }
}
