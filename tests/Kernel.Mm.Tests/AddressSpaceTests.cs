// AddressSpace: lazy anonymous regions, faults in and out of regions, zero fill, protection,
// fork with copy-on-write, unmap splitting regions, destroy, the charge hook, and OOM paths on a
// tiny machine, all checked against frame counts.
using System;
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class AddressSpaceTests
    {
        const ulong Base = 0x40_0000;
        const Protection Rw = Protection.Read | Protection.Write;

        static uint PfnAt(AddressSpace mm, ulong va) => Pte.Pfn(mm.Table.Lookup(va));

        [Fact]
        public void Ids_are_unique_and_registered()
        {
            using var vm = new VmWorld(64);
            var a = vm.NewMm();
            var b = vm.NewMm();
            Assert.NotEqual(0u, a.Id);
            Assert.NotEqual(a.Id, b.Id);
            Assert.Same(a, vm.Vm.Registry.Find(a.Id));
            Assert.Same(b, vm.Vm.Registry.Find(b.Id));
            a.Destroy();
            Assert.Null(vm.Vm.Registry.Find(a.Id));
            Assert.Same(b, vm.Vm.Registry.Find(b.Id));
            var c = vm.NewMm();
            Assert.True(c.Id > b.Id);
            b.Destroy();
            c.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Registry_grows_past_its_first_array()
        {
            using var vm = new VmWorld(128);
            var all = new List<AddressSpace>();
            for (int i = 0; i < 40; i++) all.Add(vm.NewMm());
            for (int i = 0; i < 40; i += 2) all[i].Destroy();
            for (int i = 0; i < 40; i++) Assert.Equal(i % 2 == 0 ? null : all[i], vm.Vm.Registry.Find(all[i].Id));
            for (int i = 1; i < 40; i += 2) all[i].Destroy();
            Assert.Equal(0, vm.Vm.Registry.Count);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Map_anonymous_is_lazy_and_faults_zero_fill()
        {
            using var vm = new VmWorld(64);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 4, Rw));
            Assert.Equal(vm.FreeAtStart - 1, vm.Buddy.FreeFrames);   // just the root
            Assert.Equal(0u, mm.ResidentPages);

            // Dirty a frame, free it, and make sure the next fault does not see the old bytes.
            Assert.True(vm.Buddy.TryAlloc(0, AllocFlags.User, out uint dirty));
            for (int i = 0; i < 4096; i++) vm.Frame(dirty)[i] = 0xEE;
            vm.Buddy.Free(dirty, 0);

            Assert.Equal(0, Cpu.ReadOk(vm, mm, Base + 5));
            Assert.Equal(1u, mm.ResidentPages);
            uint pfn = PfnAt(mm, Base);
            for (int i = 0; i < 4096; i++) Assert.Equal(0, vm.Frame(pfn)[i]);
            Page* p = vm.Pages + pfn;
            Assert.Equal(PageFlags.Anon | PageFlags.Inactive, p->Flags);
            Assert.Equal(mm.Id, p->OwnerId);
            Assert.Equal(Base >> 12, p->OwnerIndex);
            Assert.Equal(1, p->MapCount);
            Assert.Equal(1, p->RefCount);
            Assert.Equal(1u, vm.Vm.Lru.InactiveCount(0));

            ulong pte = mm.Table.Lookup(Base);
            Assert.True(Pte.Has(pte, PteFlags.User | PteFlags.Writable | PteFlags.NoExecute | PteFlags.Accessed));
            Assert.False(Pte.Has(pte, PteFlags.Dirty));

            Cpu.WriteOk(vm, mm, Base + 4096 * 3 + 7, 0x5A);
            Assert.Equal(0x5A, Cpu.ReadOk(vm, mm, Base + 4096 * 3 + 7));
            Assert.True(Pte.Has(mm.Table.Lookup(Base + 4096 * 3), PteFlags.Dirty));
            Assert.Equal(2u, mm.ResidentPages);
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Faults_outside_regions_or_against_protection_fail()
        {
            using var vm = new VmWorld(64);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 2, Protection.Read));
            Assert.Equal(Errno.None, mm.MapAnonymous(Base + 0x10000, 1, Protection.None));
            Assert.Equal(Errno.None, mm.MapAnonymous(Base + 0x20000, 1, Protection.Read | Protection.Execute));
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(Base - 1, FaultAccess.Read));
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(Base + 0x2000, FaultAccess.Write));
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(PageTable.UserTop + 0x1000, FaultAccess.Read));
            Assert.Equal(FaultResult.ProtectionViolation, mm.HandleFault(Base, FaultAccess.Write));
            Assert.Equal(FaultResult.ProtectionViolation, mm.HandleFault(Base, FaultAccess.Execute));
            Assert.Equal(FaultResult.ProtectionViolation, mm.HandleFault(Base + 0x10000, FaultAccess.Read));
            Assert.Equal(0u, mm.ResidentPages);

            Assert.Equal(0, Cpu.ReadOk(vm, mm, Base + 0x1FFF));
            Assert.False(Pte.Has(mm.Table.Lookup(Base + 0x1000), PteFlags.Writable));
            Assert.Equal(FaultResult.ProtectionViolation, Cpu.Write(vm, mm, Base + 0x1000, 1));

            Assert.Equal(FaultResult.Handled, Cpu.Access(vm, mm, Base + 0x20000, FaultAccess.Execute, out _));
            Assert.False(Pte.Has(mm.Table.Lookup(Base + 0x20000), PteFlags.NoExecute));

            // A file region exists as a region but has no pages to fault in yet.
            Assert.Equal(Errno.None, mm.MapFile(Base + 0x30000, 1, Protection.Read, 7, 3));
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(Base + 0x30000, FaultAccess.Read));
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Map_anonymous_rejects_bad_ranges()
        {
            using var vm = new VmWorld(64);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 4, Rw));
            Assert.Equal(Errno.EEXIST, mm.MapAnonymous(Base + 0x3000, 2, Rw));    // overlap
            Assert.Equal(Errno.EEXIST, mm.MapAnonymous(Base - 0x1000, 2, Rw));    // overlap
            Assert.Equal(Errno.EINVAL, mm.MapAnonymous(Base + 1, 1, Rw));         // misaligned
            Assert.Equal(Errno.EINVAL, mm.MapAnonymous(Base + 0x10000, 0, Rw));   // empty
            Assert.Equal(Errno.ENOMEM, mm.MapAnonymous(PageTable.UserTop - 0x1000, 2, Rw));   // past the user half
            Assert.Equal(Errno.ENOMEM, mm.MapAnonymous(0x1000, ulong.MaxValue, Rw));
            Assert.Equal(Errno.None, mm.MapAnonymous(PageTable.UserTop - 0x1000, 1, Rw));
            Assert.Equal(Errno.None, mm.MapAnonymous(Base - 0x1000, 1, Rw));      // adjacent is fine
            Assert.Equal(3, mm.RegionCount);
            Cpu.WriteOk(vm, mm, PageTable.UserTop - 1, 9);
            Assert.Equal(9, Cpu.ReadOk(vm, mm, PageTable.UserTop - 1));
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Unmap_frees_frames_and_splits_regions()
        {
            using var vm = new VmWorld(64);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 8, Rw));
            for (ulong i = 0; i < 8; i++) Cpu.WriteOk(vm, mm, Base + (i << 12), (byte)(i + 1));
            Assert.Equal(8u, mm.ResidentPages);
            uint free = vm.Buddy.FreeFrames;
            Assert.Equal(Errno.None, mm.Unmap(Base + 0x2000, 3));
            Assert.Equal(5u, mm.ResidentPages);
            Assert.Equal(free + 3, vm.Buddy.FreeFrames);
            Assert.Equal(2, mm.RegionCount);
            Assert.Equal((Base, Base + 0x2000), (mm.RegionAt(0).Start, mm.RegionAt(0).End));
            Assert.Equal((Base + 0x5000, Base + 0x8000), (mm.RegionAt(1).Start, mm.RegionAt(1).End));
            Assert.Equal(FaultResult.SegmentationFault, Cpu.Write(vm, mm, Base + 0x3000, 1));
            Assert.Equal(6, Cpu.ReadOk(vm, mm, Base + 0x5000));
            Assert.Equal(2, Cpu.ReadOk(vm, mm, Base + 0x1000));
            Assert.Equal(5u, vm.Vm.Lru.InactiveCount(0) + vm.Vm.Lru.ActiveCount(0));
            Assert.Equal(Errno.None, mm.Unmap(0, 0x1000));   // everything below Base + 16 MiB
            Assert.Equal(0, mm.RegionCount);
            Assert.Equal(0u, mm.ResidentPages);
            Assert.Equal(1u, mm.Table.TablePages);   // the walk freed the emptied tables
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Fork_shares_pages_copy_on_write()
        {
            using var vm = new VmWorld(64);
            var parent = vm.NewMm();
            Assert.Equal(Errno.None, parent.MapAnonymous(Base, 3, Rw));
            Assert.Equal(Errno.None, parent.MapAnonymous(Base + 0x10000, 1, Protection.Read));
            Cpu.WriteOk(vm, parent, Base, 1);
            Cpu.WriteOk(vm, parent, Base + 100, 100);
            Cpu.WriteOk(vm, parent, Base + 0x1000, 2);
            Cpu.ReadOk(vm, parent, Base + 0x10000);
            uint p0 = PfnAt(parent, Base), p1 = PfnAt(parent, Base + 0x1000), pro = PfnAt(parent, Base + 0x10000);
            parent.IsCurrent = true;
            vm.Mmu.Invalidated.Clear();

            var child = parent.ForkOrNull();
            Assert.NotNull(child);
            Assert.Equal(2, child.RegionCount);
            Assert.Equal(3u, child.ResidentPages);
            Assert.Contains(Base, vm.Mmu.Invalidated);   // the parent's PTEs were write-protected
            foreach (var mm in new[] { parent, child })
            {
                ulong pte = mm.Table.Lookup(Base);
                Assert.Equal(p0, Pte.Pfn(pte));
                Assert.False(Pte.Has(pte, PteFlags.Writable));
                Assert.True(Pte.Has(pte, PteFlags.Cow));
                Assert.False(Pte.Has(mm.Table.Lookup(Base + 0x10000), PteFlags.Cow));   // read-only region: just shared
            }
            Assert.Equal(2, vm.Pages[p0].MapCount);
            Assert.Equal(2, vm.Pages[p0].RefCount);
            Assert.Equal(2, vm.Pages[pro].MapCount);

            // Child writes: gets its own copy; the parent keeps its data.
            Cpu.WriteOk(vm, child, Base, 11);
            uint c0 = PfnAt(child, Base);
            Assert.NotEqual(p0, c0);
            Assert.Equal(1, Cpu.ReadOk(vm, parent, Base));
            Assert.Equal(11, Cpu.ReadOk(vm, child, Base));
            Assert.Equal(100, Cpu.ReadOk(vm, child, Base + 100));   // the copy has the rest of the page
            Assert.Equal(1, vm.Pages[p0].MapCount);
            Assert.Equal(1, vm.Pages[c0].MapCount);
            Assert.Equal(child.Id, vm.Pages[c0].OwnerId);
            Assert.False(Pte.Has(child.Table.Lookup(Base), PteFlags.Cow));

            // The parent, now the last mapper of p0, writes: no copy, just writable again.
            uint before = vm.Buddy.FreeFrames;
            Cpu.WriteOk(vm, parent, Base, 3);
            Assert.Equal(p0, PfnAt(parent, Base));
            Assert.Equal(before, vm.Buddy.FreeFrames);
            Assert.True(Pte.Has(parent.Table.Lookup(Base), PteFlags.Writable));
            Assert.Equal(11, Cpu.ReadOk(vm, child, Base));

            // Parent writes a still-shared page: the child keeps the old bytes.
            Cpu.WriteOk(vm, parent, Base + 0x1000, 22);
            Assert.Equal(2, Cpu.ReadOk(vm, child, Base + 0x1000));
            Assert.Equal(p1, PfnAt(child, Base + 0x1000));
            Assert.NotEqual(p1, PfnAt(parent, Base + 0x1000));

            // A page never touched before fork is faulted in separately by each.
            Cpu.WriteOk(vm, child, Base + 0x2000, 5);
            Assert.Equal(0, Cpu.ReadOk(vm, parent, Base + 0x2000));

            parent.IsCurrent = false;
            parent.Destroy();
            Assert.Equal(11, Cpu.ReadOk(vm, child, Base));
            Assert.Equal(1, vm.Pages[pro].MapCount);
            child.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Fork_of_a_fork_shares_three_ways()
        {
            using var vm = new VmWorld(64);
            var a = vm.NewMm();
            a.MapAnonymous(Base, 1, Rw);
            Cpu.WriteOk(vm, a, Base, 7);
            var b = a.ForkOrNull();
            var c = b.ForkOrNull();
            uint pfn = PfnAt(a, Base);
            Assert.Equal(3, vm.Pages[pfn].MapCount);
            Cpu.WriteOk(vm, b, Base, 8);
            Assert.Equal(2, vm.Pages[pfn].MapCount);
            Cpu.WriteOk(vm, a, Base, 9);
            Assert.Equal(1, vm.Pages[pfn].MapCount);
            Assert.Equal(pfn, PfnAt(c, Base));
            Cpu.WriteOk(vm, c, Base, 10);
            Assert.Equal(pfn, PfnAt(c, Base));   // last mapper reuses it
            Assert.Equal((9, 8, 10), (Cpu.ReadOk(vm, a, Base), Cpu.ReadOk(vm, b, Base), Cpu.ReadOk(vm, c, Base)));
            a.Destroy(); b.Destroy(); c.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Destroy_returns_every_frame_and_refuses_the_current_mm()
        {
            using var vm = new VmWorld(512);
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(0x1000, 50, Rw));
            Assert.Equal(Errno.None, mm.MapAnonymous(0x7000_0000_0000, 50, Rw));
            for (ulong i = 0; i < 50; i += 3) { Cpu.WriteOk(vm, mm, 0x1000 + (i << 12), 1); Cpu.WriteOk(vm, mm, 0x7000_0000_0000 + (i << 12), 1); }
            mm.IsCurrent = true;
            mm.Destroy();
            Assert.Single(vm.M.Panics.Messages);
            Assert.False(mm.IsDestroyed);
            vm.M.Panics.Messages.Clear();
            mm.IsCurrent = false;
            mm.Destroy();
            Assert.True(mm.IsDestroyed);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            Assert.Equal(0u, vm.Vm.Lru.InactiveCount(0) + vm.Vm.Lru.ActiveCount(0));
            Assert.Equal(FaultResult.SegmentationFault, mm.HandleFault(0x1000, FaultAccess.Read));
            vm.AssertHealthy();
        }

        [Fact]
        public void The_charger_counts_every_frame_and_a_failed_fault_cancels_its_charge()
        {
            using var vm = new VmWorld(64);
            MemoryContainer root = vm.Vm.Charger.Root;
            var mm = vm.NewMm();
            mm.MapAnonymous(Base, 4, Rw);
            Cpu.WriteOk(vm, mm, Base, 1);
            Cpu.WriteOk(vm, mm, Base + 0x1000, 1);
            Assert.Equal(2, root.AnonPages);
            var child = mm.ForkOrNull();
            Assert.Equal(2, root.AnonPages);          // sharing charges nothing
            Cpu.WriteOk(vm, child, Base, 2);          // the copy is charged
            Assert.Equal(3, root.AnonPages);
            Assert.Equal(3, root.MaxPageUsage);

            var hog = new System.Collections.Generic.List<uint>();
            while (vm.Buddy.TryAlloc(0, AllocFlags.User, out uint f)) hog.Add(f);
            Assert.Equal(FaultResult.OutOfMemory, Cpu.Write(vm, mm, Base + 0x2000, 1));      // no frame for a new page
            Assert.Equal(FaultResult.OutOfMemory, Cpu.Write(vm, child, Base + 0x1000, 1));   // nor for a COW copy
            Assert.Equal(0UL, mm.Table.Lookup(Base + 0x2000));
            Assert.Equal(1, Cpu.ReadOk(vm, child, Base + 0x1000));
            Assert.Equal(3, root.PageUsage);          // the reservations were cancelled
            Assert.Equal(3, root.MaxPageUsage);       // and never counted as a peak
            Assert.Equal(0, root.PageLimitHits);
            foreach (uint f in hog) vm.Buddy.Free(f, 0);
            mm.Destroy();
            child.Destroy();
            Assert.Equal(0, root.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Fault_out_of_memory_undoes_cleanly()
        {
            using var vm = new VmWorld(16);
            var mm = vm.NewMm();
            mm.MapAnonymous(Base, 64, Rw);
            mm.MapAnonymous(0x80_0000_0000, 1, Rw);   // under another PML4 entry
            int handled = 0;
            for (ulong i = 0; i < 64; i++)
            {
                FaultResult r = Cpu.Write(vm, mm, Base + (i << 12), (byte)i);
                if (r != FaultResult.Handled) { Assert.Equal(FaultResult.OutOfMemory, r); break; }
                handled++;
            }
            Assert.Equal(0u, vm.Buddy.FreeFrames);
            Assert.Equal((uint)handled, mm.ResidentPages);
            // Free two pages: the far fault can take tables but still lacks the page (or vice versa).
            for (uint give = 1; give <= 4; give++)
            {
                mm.Unmap(Base + ((ulong)(handled - (int)give) << 12), 1);
                uint free = vm.Buddy.FreeFrames, tables = mm.Table.TablePages;
                FaultResult r = Cpu.Write(vm, mm, 0x80_0000_0000, 1);
                if (r == FaultResult.Handled) { Assert.Equal(4u, give); break; }
                Assert.Equal(FaultResult.OutOfMemory, r);
                Assert.Equal(free, vm.Buddy.FreeFrames);
                Assert.Equal(tables, mm.Table.TablePages);
            }
            for (ulong i = 0; i < (ulong)handled - 4; i++) Assert.Equal((byte)i, Cpu.ReadOk(vm, mm, Base + (i << 12)));
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Fork_out_of_memory_undoes_cleanly()
        {
            // Every amount of spare memory short of a full fork: Fork returns null, frames and
            // counts are back, the parent's data and writability are intact.
            for (uint spare = 0; spare < 12; spare++)
            {
                using var vm = new VmWorld(40);
                var mm = vm.NewMm();
                mm.MapAnonymous(Base, 4, Rw);
                mm.MapAnonymous(0x80_0000_0000, 2, Protection.Read);
                mm.MapAnonymous(0x100_0000_0000, 2, Rw);
                for (ulong i = 0; i < 4; i++) Cpu.WriteOk(vm, mm, Base + (i << 12), (byte)(i + 1));
                Cpu.ReadOk(vm, mm, 0x80_0000_0000);
                Cpu.WriteOk(vm, mm, 0x100_0000_1000, 9);
                var hog = new List<uint>();
                while (vm.Buddy.FreeFrames > spare && vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn)) hog.Add(pfn);
                uint free = vm.Buddy.FreeFrames;
                var child = mm.ForkOrNull();
                // The child needs a root and 3 tables under each of three PML4 entries.
                Assert.Equal(spare >= 10, child != null);
                if (child != null)
                {
                    Assert.Equal(1, Cpu.ReadOk(vm, child, Base));
                    child.Destroy();
                }
                else
                {
                    Assert.Equal(free, vm.Buddy.FreeFrames);
                    Assert.Equal(1, vm.Vm.Registry.Count);
                    for (ulong i = 0; i < 4; i++)
                    {
                        Assert.Equal(1, vm.Pages[PfnAt(mm, Base + (i << 12))].MapCount);
                        Assert.True(Pte.Has(mm.Table.Lookup(Base + (i << 12)), PteFlags.Writable));
                    }
                }
                Assert.Equal(free, vm.Buddy.FreeFrames);
                Cpu.WriteOk(vm, mm, Base, 0x77);
                Assert.Equal(0x77, Cpu.ReadOk(vm, mm, Base));
                Assert.Equal(9, Cpu.ReadOk(vm, mm, 0x100_0000_1000));
                foreach (uint pfn in hog) vm.Buddy.Free(pfn, 0);
                mm.Destroy();
                Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
                vm.AssertHealthy();
            }
        }
    }
}
