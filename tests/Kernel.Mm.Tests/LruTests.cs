// LRU lists: list mechanics per group, second-chance aging with the Accessed bit, inactive scans,
// and the anonymous reverse map finding Accessed bits across forked address spaces.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class LruTests
    {
        const ulong Base = 0x40_0000;

        sealed class SetTester : AccessedTester
        {
            public readonly HashSet<uint> Referenced = new HashSet<uint>();
            public override bool TestAndClearAccessed(uint pfn) => Referenced.Remove(pfn);
        }

        static List<uint> Walk(VmWorld vm, int group, bool active)
        {
            var l = new List<uint>();
            for (uint pfn = vm.Vm.Lru.Head(group, active ? LruList.Active : LruList.Inactive); pfn != Page.NoFrame; pfn = vm.Pages[pfn].LruNext) l.Add(pfn);
            return l;
        }

        // What the Charger does before it files a frame: the group is the frame's container id.
        static void AddTo(VmWorld vm, uint pfn, int group)
        {
            vm.Pages[pfn].ContainerId = (ushort)group;
            vm.Vm.Lru.Add(pfn);
        }

        static uint[] Frames(VmWorld vm, int n)
        {
            var f = new uint[n];
            for (int i = 0; i < n; i++)
            {
                if (!vm.Buddy.TryAlloc(0, AllocFlags.User, out f[i])) throw new Exception("OOM");
                vm.Pages[f[i]].Flags = PageFlags.Anon;
            }
            return f;
        }

        [Fact]
        public void Lists_keep_order_counts_and_groups()
        {
            using var vm = new VmWorld(64, lruGroups: 3);
            var lru = vm.Vm.Lru;
            var f = Frames(vm, 6);
            AddTo(vm, f[0], 0); AddTo(vm, f[1], 0); AddTo(vm, f[2], 0);
            AddTo(vm, f[3], 2); AddTo(vm, f[4], 2);
            Assert.Equal(new[] { f[2], f[1], f[0] }, Walk(vm, 0, false));
            Assert.Equal(f[0], lru.Tail(0, LruList.Inactive));
            Assert.Equal(3u, lru.InactiveCount(0));
            Assert.Equal(2u, lru.InactiveCount(2));
            Assert.Equal((ushort)2, vm.Pages[f[3]].ContainerId);
            Assert.True((vm.Pages[f[3]].Flags & PageFlags.Inactive) != 0);

            lru.Activate(f[1]);
            lru.Activate(f[4]);
            Assert.Equal(new[] { f[2], f[0] }, Walk(vm, 0, false));
            Assert.Equal(new[] { f[1] }, Walk(vm, 0, true));
            Assert.Equal(new[] { f[4] }, Walk(vm, 2, true));
            Assert.True((vm.Pages[f[1]].Flags & (PageFlags.Active | PageFlags.Inactive)) == PageFlags.Active);
            lru.Deactivate(f[1]);
            Assert.Equal(new[] { f[1], f[2], f[0] }, Walk(vm, 0, false));
            Assert.Equal(0u, lru.ActiveCount(0));

            Assert.True(lru.Remove(f[2]));
            Assert.False(lru.Remove(f[2]));
            Assert.False(lru.Remove(f[5]));
            Assert.Equal(new[] { f[1], f[0] }, Walk(vm, 0, false));
            Assert.Null(lru.Verify());

            lru.Add(f[0]);      // already listed: a bug
            vm.Pages[f[5]].ContainerId = 3;
            lru.Add(f[5]);      // no such group
            vm.Pages[f[5]].ContainerId = 0;
            lru.Activate(f[2]); // not listed
            Assert.Equal(3, vm.M.Panics.Messages.Count);
            vm.M.Panics.Messages.Clear();

            foreach (uint pfn in f) { lru.Remove(pfn); vm.Buddy.Free(pfn, 0); }
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Aging_gives_referenced_pages_a_second_chance()
        {
            using var vm = new VmWorld(64);
            var lru = vm.Vm.Lru;
            var f = Frames(vm, 5);
            foreach (uint pfn in f) { AddTo(vm, pfn, 0); lru.Activate(pfn); }
            // Active, head to tail: f4 f3 f2 f1 f0.
            var t = new SetTester();
            t.Referenced.Add(f[0]);
            t.Referenced.Add(f[2]);
            Assert.Equal(2, lru.Age(0, 4, t));   // looks at f0 f1 f2 f3
            Assert.Empty(t.Referenced);          // bits cleared
            Assert.Equal(new[] { f[2], f[0], f[4] }, Walk(vm, 0, true));
            Assert.Equal(new[] { f[3], f[1] }, Walk(vm, 0, false));
            // Nothing referenced now: aging more than the list holds deactivates each page once.
            Assert.Equal(3, lru.Age(0, 100, t));
            Assert.Equal(new[] { f[2], f[0], f[4], f[3], f[1] }, Walk(vm, 0, false));

            // Inactive scan: oldest first, referenced pages promoted, the rest stay as candidates.
            t.Referenced.Add(f[3]);
            var cand = new uint[8];
            int n = lru.ScanInactive(0, 8, t, cand);
            Assert.Equal(new[] { f[1], f[4], f[0], f[2] }, cand[..n]);
            Assert.Equal(new[] { f[3] }, Walk(vm, 0, true));
            Assert.Equal(new[] { f[2], f[0], f[4], f[1] }, Walk(vm, 0, false));
            Assert.Equal(2, lru.ScanInactive(0, 8, t, new uint[2]));   // stops when full
            Assert.Equal(1, lru.ScanInactive(0, 1, t, cand));          // or after count pages
            Assert.Null(lru.Verify());
            foreach (uint pfn in f) { lru.Remove(pfn); vm.Buddy.Free(pfn, 0); }
            vm.AssertHealthy();
        }

        [Fact]
        public void Aging_reads_the_accessed_bit_of_real_mappings()
        {
            using var vm = new VmWorld(64);
            var lru = vm.Vm.Lru;
            var mm = vm.NewMm();
            mm.MapAnonymous(Base, 4, Protection.Read | Protection.Write);
            var pfn = new uint[4];
            for (int i = 0; i < 4; i++) { Cpu.WriteOk(vm, mm, Base + ((ulong)i << 12), 1); pfn[i] = Pte.Pfn(mm.Table.Lookup(Base + ((ulong)i << 12))); }
            // New anonymous pages start inactive, newest first.
            Assert.Equal(new[] { pfn[3], pfn[2], pfn[1], pfn[0] }, Walk(vm, 0, false));
            Assert.Equal(0u, lru.ActiveCount(0));

            // All were referenced by the fault: the first scan promotes them all and clears the bits.
            Assert.Equal(0, lru.ScanInactive(0, 10, vm.Vm.Rmap, new uint[10]));
            Assert.Equal(new[] { pfn[3], pfn[2], pfn[1], pfn[0] }, Walk(vm, 0, true));
            for (int i = 0; i < 4; i++) Assert.False(Pte.Has(mm.Table.Lookup(Base + ((ulong)i << 12)), PteFlags.Accessed));

            Cpu.ReadOk(vm, mm, Base + 0x1000);   // touch page 1
            Assert.Equal(3, lru.Age(0, 4, vm.Vm.Rmap));
            Assert.Equal(new[] { pfn[1] }, Walk(vm, 0, true));
            Assert.Equal(new[] { pfn[3], pfn[2], pfn[0] }, Walk(vm, 0, false));

            Cpu.ReadOk(vm, mm, Base + 0x2000);   // page 2 referenced while inactive: promoted
            var cand = new uint[4];
            int n = lru.ScanInactive(0, 4, vm.Vm.Rmap, cand);
            Assert.Equal(new[] { pfn[0], pfn[3] }, cand[..n]);
            Assert.Equal(new[] { pfn[2], pfn[1] }, Walk(vm, 0, true));
            mm.Destroy();
            Assert.Equal(0u, lru.ActiveCount(0) + lru.InactiveCount(0));
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Rmap_finds_shared_mappings_beyond_the_owner()
        {
            using var vm = new VmWorld(64);
            var rmap = vm.Vm.Rmap;
            var parent = vm.NewMm();
            parent.MapAnonymous(Base, 1, Protection.Read | Protection.Write);
            Cpu.WriteOk(vm, parent, Base, 1);
            uint pfn = Pte.Pfn(parent.Table.Lookup(Base));
            var other = vm.NewMm();   // maps nothing: searched, skipped
            var child = parent.ForkOrNull();
            Assert.True(rmap.TestAndClearAccessed(pfn));    // the parent's bit from the fault
            Assert.False(rmap.TestAndClearAccessed(pfn));
            Cpu.ReadOk(vm, child, Base);
            Assert.True(rmap.TestAndClearAccessed(pfn));    // the child's bit
            Assert.False(Pte.Has(child.Table.Lookup(Base), PteFlags.Accessed));
            parent.Destroy();                                // the owner is gone
            Cpu.ReadOk(vm, child, Base);
            Assert.True(rmap.TestAndClearAccessed(pfn));
            Assert.False(rmap.TestAndClearAccessed(pfn));
            Assert.False(rmap.TestAndClearAccessed(other.Table.RootPfn));   // not an anonymous page
            child.Destroy();
            other.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }
    }
}
