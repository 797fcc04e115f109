// PageCache: page-cache frames come from the buddy allocator, are charged once (to the container
// the first page binds) and go back when the cache drops them; file regions map them read-only,
// count mappings (num_mapped at the first and last), copy them privately on write, survive
// truncation until unmapped, and fork shares them. The Charger's counters are checked against
// the frames throughout.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public sealed class TestContainer : MemoryContainer
    {
        public TestContainer(ushort id) : base(id, long.MaxValue) { }
    }

    public unsafe class PageCacheTests
    {
        const ulong Base = 0x40_0000;
        const Protection Rw = Protection.Read | Protection.Write;

        static uint PfnAt(AddressSpace mm, ulong va) => Pte.Pfn(mm.Table.Lookup(va));

        static TestContainer Registered(VmWorld vm, ushort id)
        {
            var c = new TestContainer(id);
            vm.Vm.Charger.Register(c);
            return c;
        }

        static PageCache FileOf(VmWorld vm, int pages, byte fill)
        {
            PageCache cache = PageCache.Create(vm.Vm);
            for (int i = 0; i < pages; i++)
            {
                Assert.True(cache.TryGetOrCreate((ulong)i, null, out uint pfn));
                for (int b = 0; b < 4096; b++) cache.Address(pfn)[b] = (byte)(fill + i);
            }
            cache.Size = (ulong)pages * 4096;
            return cache;
        }

        [Fact]
        public void Pages_are_zeroed_charged_listed_and_all_come_back()
        {
            using var vm = new VmWorld(64);
            var owner = Registered(vm, 1);
            PageCache cache = PageCache.Create(vm.Vm);
            Assert.Same(cache, vm.Vm.Caches.Find(cache.Id));
            Assert.True(cache.TryGetOrCreate(3, owner, out uint pfn));
            Assert.True(cache.TryGetOrCreate(3, null, out uint again));
            Assert.Equal(pfn, again);
            Assert.Same(owner, cache.Container);
            Assert.Equal(1, owner.NumFiles);
            Assert.True(cache.TryGetOrCreate(0, null, out uint first));
            Assert.Same(owner, cache.Container);   // the first page decided it
            Assert.Equal(2, owner.FilePages);
            Assert.Equal(2, owner.PageUsage);
            Assert.Equal(owner.Id, vm.Pages[first].ContainerId);
            Assert.Equal(2ul, cache.ResidentPages);
            Assert.Equal(Page.NoFrame, cache.Find(1));
            Page* p = vm.Pages + pfn;
            Assert.Equal(PageFlags.File, p->Flags & (PageFlags.File | PageFlags.Anon));
            Assert.Equal(cache.Id, p->OwnerId);
            Assert.Equal(3ul, p->OwnerIndex);
            Assert.Equal(1, p->RefCount);
            Assert.True(vm.Vm.Lru.IsOnList(pfn));
            for (int i = 0; i < 4096; i++) Assert.Equal(0, cache.Address(pfn)[i]);
            Assert.Equal(vm.FreeAtStart - 2, vm.Buddy.FreeFrames);
            cache.Truncate(1);
            Assert.Equal(1ul, cache.ResidentPages);
            Assert.Equal(1, owner.FilePages);
            Assert.Equal(0, vm.Pages[pfn].ContainerId);
            cache.Release();
            Assert.True(cache.IsReleased);
            Assert.Null(vm.Vm.Caches.Find(cache.Id));
            Assert.Equal(0, owner.NumFiles);
            Assert.Equal(0, owner.PageUsage);
            Assert.Equal(2, owner.MaxPageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            Assert.Equal(Errno.ENOENT, cache.GetOrCreate(0, null, out _));
            vm.AssertHealthy();
        }

        [Fact]
        public void Out_of_memory_or_an_index_past_the_limit_takes_nothing_and_cancels_the_charge()
        {
            using var vm = new VmWorld(64);
            PageCache cache = PageCache.Create(vm.Vm);
            Assert.Equal(Errno.EFBIG, cache.GetOrCreate(PageCache.MaxPages, null, out _));
            var hog = new System.Collections.Generic.List<uint>();
            while (vm.Buddy.TryAlloc(0, AllocFlags.User, out uint f)) hog.Add(f);
            Assert.Equal(Errno.ENOMEM, cache.GetOrCreate(0, null, out uint pfn));
            Assert.Equal(Page.NoFrame, pfn);
            Assert.Equal(0ul, cache.ResidentPages);
            Assert.Equal(0, vm.Vm.Charger.Root.PageUsage);   // the reservation was cancelled
            Assert.Equal(0, vm.Vm.Charger.Root.FilePages);
            foreach (uint f in hog) vm.Buddy.Free(f, 0);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void A_read_fault_maps_the_cache_frame_read_only_and_counts_mappings()
        {
            using var vm = new VmWorld(128);
            MemoryContainer root = vm.Vm.Charger.Root;
            PageCache cache = FileOf(vm, 3, 10);
            var a = vm.NewMm();
            var b = vm.NewMm();
            Assert.Equal(Errno.None, a.MapFile(Base, 3, Rw, cache.Id, 0));
            Assert.Equal(Errno.None, b.MapFile(Base, 2, Protection.Read, cache.Id, 1));
            Assert.Equal(11, Cpu.ReadOk(vm, a, Base + 4096));
            Assert.Equal(11, Cpu.ReadOk(vm, b, Base));
            uint pfn = cache.Find(1);
            Assert.Equal(pfn, PfnAt(a, Base + 4096));
            Assert.Equal(pfn, PfnAt(b, Base));
            Assert.False(Pte.Has(a.Table.Lookup(Base + 4096), PteFlags.Writable));
            Assert.Equal(2, vm.Pages[pfn].MapCount);
            Assert.Equal(3, vm.Pages[pfn].RefCount);
            Assert.Equal(1, root.MappedPages);   // one frame, however many mappings
            Assert.Equal(FaultResult.ProtectionViolation, b.HandleFault(Base, FaultAccess.Write));
            Assert.Equal(Errno.None, a.Unmap(Base + 4096, 1));
            Assert.Equal(1, root.MappedPages);
            b.Destroy();
            Assert.Equal(0, root.MappedPages);
            Assert.Equal(1, vm.Pages[pfn].RefCount);   // the cache's own reference
            a.Destroy();
            cache.Release();
            Assert.Equal(0, root.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void A_write_gets_a_private_copy_and_the_file_is_unchanged()
        {
            using var vm = new VmWorld(128);
            MemoryContainer root = vm.Vm.Charger.Root;
            PageCache cache = FileOf(vm, 2, 40);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapFile(Base, 2, Rw, cache.Id, 0));
            // Page 0: read first (maps the cache frame), then written (copy on write).
            Assert.Equal(40, Cpu.ReadOk(vm, mm, Base));
            Cpu.WriteOk(vm, mm, Base, 99);
            // Page 1: written at once (never maps the cache frame).
            Cpu.WriteOk(vm, mm, Base + 4096 + 5, 77);
            Assert.Equal(41, Cpu.ReadOk(vm, mm, Base + 4096));
            Assert.Equal(40, cache.Address(cache.Find(0))[0]);
            Assert.Equal(41, cache.Address(cache.Find(1))[5]);
            Assert.NotEqual(cache.Find(0), PfnAt(mm, Base));
            Assert.Equal(PageFlags.Anon, vm.Pages[PfnAt(mm, Base)].Flags & (PageFlags.Anon | PageFlags.File));
            Assert.Equal(0, root.MappedPages);
            Assert.Equal(2, root.AnonPages);
            Assert.Equal(2u, mm.ResidentPages);
            mm.Destroy();
            cache.Release();
            Assert.Equal(0, root.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Faults_past_the_end_of_the_file_fail_and_holes_come_in_zeroed()
        {
            using var vm = new VmWorld(64);
            PageCache cache = PageCache.Create(vm.Vm);
            cache.Size = 4096 + 1;   // two pages, none resident
            var mm = vm.NewMm();
            var owner = Registered(vm, 7);
            mm.Container = owner;
            Assert.Equal(Errno.None, mm.MapFile(Base, 4, Protection.Read, cache.Id, 0));
            Assert.Equal(0, Cpu.ReadOk(vm, mm, Base + 4096));
            Assert.Same(owner, cache.Container);   // the faulting mm's container brought it in
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(Base + 2 * 4096, FaultAccess.Read));
            mm.Destroy();
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void A_truncated_page_stays_until_its_last_unmap_and_fork_shares_it()
        {
            using var vm = new VmWorld(128);
            MemoryContainer root = vm.Vm.Charger.Root;
            PageCache cache = FileOf(vm, 1, 5);
            uint pfn = cache.Find(0);
            var parent = vm.NewMm();
            var owner = Registered(vm, 3);
            parent.Container = owner;
            Assert.Equal(Errno.None, parent.MapFile(Base, 1, Rw, cache.Id, 0));
            Assert.Equal(5, Cpu.ReadOk(vm, parent, Base));
            var child = parent.ForkOrNull();
            Assert.Same(owner, child.Container);
            Assert.Equal(pfn, PfnAt(child, Base));
            Assert.Equal(2, vm.Pages[pfn].MapCount);
            cache.Release();   // the file is deleted while mapped
            Assert.Equal(1, root.FilePages);
            Assert.Equal(5, Cpu.ReadOk(vm, child, Base));
            // The last mapper writes: still a copy (a page-cache frame is never made writable).
            parent.Destroy();
            Cpu.WriteOk(vm, child, Base, 6);
            Assert.NotEqual(pfn, PfnAt(child, Base));
            Assert.Equal(0, root.FilePages);   // its last reference went
            Assert.Equal(1, owner.AnonPages);  // the private copy is the writer's container's
            child.Destroy();
            Assert.Equal(0, root.PageUsage + owner.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Charger_move_keeps_the_list_kind_and_the_counts()
        {
            using var vm = new VmWorld(64, lruGroups: 3);
            var to = Registered(vm, 2);
            MemoryContainer root = vm.Vm.Charger.Root;
            PageCache cache = FileOf(vm, 2, 0);
            uint a = cache.Find(0), b = cache.Find(1);
            vm.Vm.Lru.Activate(a);
            vm.Vm.Charger.Move(a, to);
            vm.Vm.Charger.Move(b, to);
            Assert.Equal(1u, vm.Vm.Lru.ActiveCount(2));
            Assert.Equal(1u, vm.Vm.Lru.InactiveCount(2));
            Assert.Equal(0u, vm.Vm.Lru.ActiveCount(0) + vm.Vm.Lru.InactiveCount(0));
            Assert.Equal(2, vm.Pages[a].ContainerId);
            Assert.Equal(2, to.FilePages);
            Assert.Equal(0, root.FilePages);
            vm.AssertHealthy();
            cache.Release();
            Assert.Equal(0, to.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Truncating_a_mapped_file_unmaps_the_pages_past_the_new_end_in_every_mapping()
        {
            using var vm = new VmWorld(128);
            MemoryContainer root = vm.Vm.Charger.Root;
            PageCache cache = FileOf(vm, 4, 20);
            var a = vm.NewMm();
            var b = vm.NewMm();
            Assert.Equal(Errno.None, a.MapFile(Base, 4, Rw, cache.Id, 0));
            Assert.Equal(Errno.None, b.MapFile(Base + 0x10000, 3, Protection.Read, cache.Id, 1));   // pages 1..3
            for (int i = 0; i < 4; i++) Cpu.ReadOk(vm, a, Base + ((ulong)i << 12));
            Cpu.WriteOk(vm, a, Base + 3 * 4096, 99);                  // a private copy of page 3
            for (int i = 0; i < 3; i++) Cpu.ReadOk(vm, b, Base + 0x10000 + ((ulong)i << 12));
            uint page2 = cache.Find(2);
            Assert.Equal(2, vm.Pages[page2].MapCount);

            cache.Truncate(2);                                          // the file is now 2 pages
            cache.Size = 2 * 4096;
            Assert.Equal(0UL, a.Table.Lookup(Base + 2 * 4096));
            Assert.Equal(0UL, a.Table.Lookup(Base + 3 * 4096));        // the private copy went too
            Assert.Equal(0UL, b.Table.Lookup(Base + 0x10000 + 4096));  // b's view of page 2
            Assert.NotEqual(0UL, b.Table.Lookup(Base + 0x10000));      // page 1 stays
            Assert.Equal(2u, a.ResidentPages);
            Assert.Equal(1u, b.ResidentPages);
            Assert.Equal(FaultResult.SegmentationFault, a.HandleFault(Base + 2 * 4096, FaultAccess.Read));   // SIGBUS
            Assert.Equal(2, root.FilePages);
            Assert.Equal(0, root.AnonPages);
            Assert.Equal(Page.NoFrame, cache.Find(2));
            a.Destroy();
            b.Destroy();
            cache.Release();
            Assert.Equal(0, root.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }
    }
}
