// PageCache: page-cache frames come from the buddy allocator, are charged once and go back when
// the cache drops them; file regions map them read-only, count mappings (Mapped/Unmapped at 0),
// copy them privately on write, survive truncation until unmapped, and fork shares them.
using System;
using System.Collections.Generic;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    // Records what the charging hooks saw and checks they pair up.
    public sealed unsafe class FileEvents : PageEvents
    {
        public readonly HashSet<uint> Charged = new HashSet<uint>();
        public readonly HashSet<uint> MappedNow = new HashSet<uint>();
        public readonly List<uint> Released = new List<uint>();
        public MemoryContainer Decided;
        public bool RefuseCache;

        public override bool TryCharge(AddressSpace mm, uint pfn)
        {
            if (!Charged.Add(pfn)) throw new Exception("pfn " + pfn + " charged twice");
            return true;
        }

        public override bool TryChargeCache(PageCache cache, MemoryContainer bringer, uint pfn)
        {
            if (RefuseCache) return false;
            if (!cache.Charged)
            {
                cache.Container = bringer;
                cache.Charged = true;
                Decided = bringer;
            }
            if (!Charged.Add(pfn)) throw new Exception("pfn " + pfn + " charged twice");
            return true;
        }

        public override void Uncharge(uint pfn)
        {
            if (MappedNow.Contains(pfn)) throw new Exception("pfn " + pfn + " uncharged while mapped");
            if (!Charged.Remove(pfn)) throw new Exception("pfn " + pfn + " uncharged but not charged");
        }

        public override void Mapped(uint pfn)
        {
            if (!MappedNow.Add(pfn)) throw new Exception("pfn " + pfn + " mapped twice");
        }

        public override void Unmapped(uint pfn)
        {
            if (!MappedNow.Remove(pfn)) throw new Exception("pfn " + pfn + " unmapped but not mapped");
        }

        public override void CacheReleased(PageCache cache) => Released.Add(cache.Id);
    }

    public sealed class TestContainer : MemoryContainer
    {
        public TestContainer(ushort id) : base(id) { }
    }

    public unsafe class PageCacheTests
    {
        const ulong Base = 0x40_0000;
        const Protection Rw = Protection.Read | Protection.Write;

        static uint PfnAt(AddressSpace mm, ulong va) => Pte.Pfn(mm.Table.Lookup(va));

        static PageCache FileOf(VmMachine vm, int pages, byte fill)
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
        public void PagesAreZeroedChargedListedAndAllComeBack()
        {
            var events = new FileEvents();
            using var vm = new VmMachine(64, events);
            var owner = new TestContainer(1);
            PageCache cache = PageCache.Create(vm.Vm);
            Assert.Same(cache, vm.Vm.Caches.Find(cache.Id));
            Assert.True(cache.TryGetOrCreate(3, owner, out uint pfn));
            Assert.True(cache.TryGetOrCreate(3, null, out uint again));
            Assert.Equal(pfn, again);
            Assert.Same(owner, events.Decided);
            Assert.True(cache.TryGetOrCreate(0, null, out uint first));
            Assert.Same(owner, cache.Container);   // the first page decided it
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
            Assert.DoesNotContain(pfn, events.Charged);
            cache.Release();
            Assert.True(cache.IsReleased);
            Assert.Null(vm.Vm.Caches.Find(cache.Id));
            Assert.Equal(new[] { cache.Id }, events.Released);
            Assert.Empty(events.Charged);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            Assert.False(cache.TryGetOrCreate(0, null, out _));
            vm.AssertHealthy();
        }

        [Fact]
        public void ARefusedChargeOrAnIndexPastTheLimitTakesNothing()
        {
            var events = new FileEvents { RefuseCache = true };
            using var vm = new VmMachine(64, events);
            PageCache cache = PageCache.Create(vm.Vm);
            Assert.False(cache.TryGetOrCreate(0, null, out uint pfn));
            Assert.Equal(Page.NoFrame, pfn);
            events.RefuseCache = false;
            Assert.False(cache.TryGetOrCreate(PageCache.MaxPages, null, out _));
            Assert.Equal(0ul, cache.ResidentPages);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void AReadFaultMapsTheCacheFrameReadOnlyAndCountsMappings()
        {
            var events = new FileEvents();
            using var vm = new VmMachine(128, events);
            PageCache cache = FileOf(vm, 3, 10);
            var a = vm.NewMm();
            var b = vm.NewMm();
            Assert.True(a.MapFile(Base, 3, Rw, cache.Id, 0));
            Assert.True(b.MapFile(Base, 2, Protection.Read, cache.Id, 1));
            Assert.Equal(11, Cpu.ReadOk(vm, a, Base + 4096));
            Assert.Equal(11, Cpu.ReadOk(vm, b, Base));
            uint pfn = cache.Find(1);
            Assert.Equal(pfn, PfnAt(a, Base + 4096));
            Assert.Equal(pfn, PfnAt(b, Base));
            Assert.False(Pte.Has(a.Table.Lookup(Base + 4096), PteFlags.Writable));
            Assert.Equal(2, vm.Pages[pfn].MapCount);
            Assert.Equal(3, vm.Pages[pfn].RefCount);
            Assert.Contains(pfn, events.MappedNow);
            Assert.Equal(FaultResult.ProtectionViolation, b.HandleFault(Base, FaultAccess.Write));
            Assert.True(a.Unmap(Base + 4096, 1));
            Assert.Contains(pfn, events.MappedNow);
            b.Destroy();
            Assert.DoesNotContain(pfn, events.MappedNow);
            Assert.Equal(1, vm.Pages[pfn].RefCount);   // the cache's own reference
            a.Destroy();
            cache.Release();
            Assert.Empty(events.Charged);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void AWriteGetsAPrivateCopyAndTheFileIsUnchanged()
        {
            var events = new FileEvents();
            using var vm = new VmMachine(128, events);
            PageCache cache = FileOf(vm, 2, 40);
            var mm = vm.NewMm();
            Assert.True(mm.MapFile(Base, 2, Rw, cache.Id, 0));
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
            Assert.Empty(events.MappedNow);
            Assert.Equal(2u, mm.ResidentPages);
            mm.Destroy();
            cache.Release();
            Assert.Empty(events.Charged);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void FaultsPastTheEndOfTheFileFailAndHolesComeInZeroed()
        {
            var events = new FileEvents();
            using var vm = new VmMachine(64, events);
            PageCache cache = PageCache.Create(vm.Vm);
            cache.Size = 4096 + 1;   // two pages, none resident
            var mm = vm.NewMm();
            var owner = new TestContainer(7);
            mm.Container = owner;
            Assert.True(mm.MapFile(Base, 4, Protection.Read, cache.Id, 0));
            Assert.Equal(0, Cpu.ReadOk(vm, mm, Base + 4096));
            Assert.Same(owner, cache.Container);   // the faulting mm's container brought it in
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(Base + 2 * 4096, FaultAccess.Read));
            mm.Destroy();
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void ATruncatedPageStaysUntilItsLastUnmapAndForkSharesIt()
        {
            var events = new FileEvents();
            using var vm = new VmMachine(128, events);
            PageCache cache = FileOf(vm, 1, 5);
            uint pfn = cache.Find(0);
            var parent = vm.NewMm();
            var owner = new TestContainer(3);
            parent.Container = owner;
            Assert.True(parent.MapFile(Base, 1, Rw, cache.Id, 0));
            Assert.Equal(5, Cpu.ReadOk(vm, parent, Base));
            var child = parent.Fork();
            Assert.Same(owner, child.Container);
            Assert.Equal(pfn, PfnAt(child, Base));
            Assert.Equal(2, vm.Pages[pfn].MapCount);
            cache.Release();   // the file is deleted while mapped
            Assert.Contains(pfn, events.Charged);
            Assert.Equal(5, Cpu.ReadOk(vm, child, Base));
            // The last mapper writes: still a copy (a page-cache frame is never made writable).
            parent.Destroy();
            Cpu.WriteOk(vm, child, Base, 6);
            Assert.NotEqual(pfn, PfnAt(child, Base));
            Assert.DoesNotContain(pfn, events.Charged);   // its last reference went
            child.Destroy();
            Assert.Empty(events.Charged);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void MoveToGroupKeepsTheListKind()
        {
            using var vm = new VmMachine(64, null, lruGroups: 3);
            PageCache cache = FileOf(vm, 2, 0);
            uint a = cache.Find(0), b = cache.Find(1);
            vm.Vm.Lru.Activate(a);
            vm.Vm.Lru.MoveToGroup(a, 2);
            vm.Vm.Lru.MoveToGroup(b, 2);
            Assert.Equal(1u, vm.Vm.Lru.ActiveCount(2));
            Assert.Equal(1u, vm.Vm.Lru.InactiveCount(2));
            Assert.Equal(0u, vm.Vm.Lru.ActiveCount(0) + vm.Vm.Lru.InactiveCount(0));
            Assert.Equal(2, vm.Pages[a].ContainerId);
            vm.AssertHealthy();
            cache.Release();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }
    }
}
