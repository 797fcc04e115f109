// PageTable on simulated physical memory: map/unmap/lookup, table pages allocated and freed,
// the shared kernel half, the walker, TLB invalidation only while current, OOM leaving no trace.
using System;
using System.Collections.Generic;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class PageTableTests
    {
        const PteFlags UserRw = PteFlags.User | PteFlags.Writable;

        static PageTable NewTable(VmWorld vm) =>
            PageTable.Create(vm.Buddy, vm.M.Ram, vm.Mmu, vm.Template, vm.M.Panics) ?? throw new Exception("OOM");

        sealed class Collect : PteVisitor
        {
            public readonly List<(ulong va, ulong pte)> Seen = new List<(ulong, ulong)>();
            public Func<ulong, ulong, ulong> Then = (va, pte) => pte;
            public override ulong Visit(ulong va, ulong pte) { Seen.Add((va, pte)); return Then(va, pte); }
        }

        [Fact]
        public void Pte_formats_round_trip()
        {
            ulong pte = Pte.Make(0x12345, PteFlags.Present | PteFlags.NoExecute | PteFlags.Cow);
            Assert.Equal(0x12345u, Pte.Pfn(pte));
            Assert.Equal(PteFlags.Present | PteFlags.NoExecute | PteFlags.Cow, Pte.Flags(pte));
            Assert.True(Pte.IsPresent(pte));
            Assert.False(Pte.IsSwap(pte));
            foreach (uint slot in new uint[] { 0, 1, 77, 0xFFFF_FFFF })
            {
                ulong s = Pte.MakeSwap(slot);
                Assert.True(s != 0 && Pte.IsSwap(s) && !Pte.IsPresent(s));
                Assert.Equal(slot, Pte.SwapSlot(s));
                Assert.True((s & Pte.AddressMask) >= 1UL << 44, "a swap entry's address bits point above 16 TiB");
            }
            Assert.False(Pte.IsSwap(0));
            Assert.Equal(1UL << 9, (ulong)PteFlags.Cow);
            Assert.Equal(1UL << 63, (ulong)PteFlags.NoExecute);
        }

        [Fact]
        public void New_table_shares_the_kernel_half_and_has_an_empty_user_half()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            Assert.Equal(1u, t.TablePages);
            ulong* root = (ulong*)vm.Frame(t.RootPfn);
            ulong* template = (ulong*)vm.Frame(vm.Template);
            for (int i = 0; i < 256; i++) Assert.Equal(0UL, root[i]);
            for (int i = 256; i < 512; i++) Assert.Equal(template[i], root[i]);
            Assert.Equal(PageFlags.Kernel, vm.Pages[t.RootPfn].Flags);
            Assert.Equal((ulong)t.RootPfn << 12, t.RootPhysical);
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Map_lookup_unmap_and_tables_come_and_go()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            ulong va = 0x0000_1234_5678_9000;
            Assert.Equal(0UL, t.Lookup(va));
            Assert.True(t.Map(va, 42, UserRw));
            Assert.Equal(4u, t.TablePages);   // root + PDPT + PD + PT
            Assert.Equal(Pte.Make(42, UserRw | PteFlags.Present), t.Lookup(va));
            Assert.Equal(t.Lookup(va), t.Lookup(va + 0xABC));   // any address in the page
            Assert.Equal(0UL, t.Lookup(va + 4096));

            // A neighbour in the same PT needs no new table; one 2 MiB away needs a PT; one 1 GiB
            // away a PD and a PT.
            Assert.True(t.Map(va + 4096, 43, UserRw));
            Assert.Equal(4u, t.TablePages);
            Assert.True(t.Map(va + (2UL << 20), 44, UserRw));
            Assert.Equal(5u, t.TablePages);
            Assert.True(t.Map(va + (1UL << 30), 45, UserRw));
            Assert.Equal(7u, t.TablePages);

            Assert.Equal(Pte.Make(42, UserRw | PteFlags.Present), t.Unmap(va));
            Assert.Equal(0UL, t.Lookup(va));
            Assert.Equal(0UL, t.Unmap(va));
            Assert.Equal(7u, t.TablePages);
            Assert.NotEqual(0UL, t.Unmap(va + (1UL << 30)));
            Assert.Equal(5u, t.TablePages);
            t.Unmap(va + (2UL << 20));
            t.Unmap(va + 4096);
            Assert.Equal(1u, t.TablePages);
            Assert.Equal(vm.FreeAtStart - 1, vm.Buddy.FreeFrames);
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Map_replaces_and_swap_entries_occupy_their_slot()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            Assert.True(t.Map(0x5000, 9, PteFlags.User));
            Assert.True(t.Map(0x5000, 10, UserRw));
            Assert.Equal(10u, Pte.Pfn(t.Lookup(0x5000)));
            Assert.True(t.Set(0x5000, Pte.MakeSwap(3)));
            Assert.Equal(3u, Pte.SwapSlot(t.Lookup(0x5000)));
            Assert.Equal(4u, t.TablePages);
            Assert.Equal(Pte.MakeSwap(3), t.Unmap(0x5000));
            Assert.Equal(1u, t.TablePages);
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Kernel_addresses_are_panics_not_mappings()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            Assert.False(t.Map(PageTable.UserTop, 5, UserRw));
            Assert.Single(vm.M.Panics.Messages);
            Assert.Equal(0UL, t.Lookup(0xFFFF_8000_0000_0000));
            Assert.Equal(1u, t.TablePages);
        }

        [Fact]
        public void Tlb_is_invalidated_only_while_current()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            t.Map(0x1000, 5, UserRw);
            t.Map(0x1000, 6, UserRw);
            t.Unmap(0x1000);
            Assert.Empty(vm.Mmu.Invalidated);
            t.IsCurrent = true;
            t.Map(0x2000, 5, UserRw);
            Assert.Empty(vm.Mmu.Invalidated);            // nothing was cached for a non-present PTE
            t.Map(0x2000, 6, UserRw);
            Assert.Contains(0x2000UL, vm.Mmu.Invalidated);
            vm.Mmu.Invalidated.Clear();
            t.Unmap(0x2000);
            Assert.Contains(0x2000UL, vm.Mmu.Invalidated);
            t.IsCurrent = false;
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Walker_visits_present_entries_in_order_within_the_range()
        {
            using var vm = new VmWorld(128);
            var t = NewTable(vm);
            var vas = new ulong[] { 0x1000, 0x2000, 0x20_0000, 0x4000_0000, 0x80_0000_0000, 0x7FFF_FFFF_F000 };
            for (int i = 0; i < vas.Length; i++) Assert.True(t.Map(vas[i], (uint)(10 + i), PteFlags.User));
            t.Set(0x3000, Pte.MakeSwap(1));   // not present: not visited by Visit
            var c = new Collect();
            t.Walk(0, PageTable.UserTop, c);
            Assert.Equal(vas, c.Seen.ConvertAll(s => s.va).ToArray());
            c.Seen.Clear();
            t.Walk(0x2000, 0x4000_1000, c);
            Assert.Equal(new ulong[] { 0x2000, 0x20_0000, 0x4000_0000 }, c.Seen.ConvertAll(s => s.va).ToArray());
            c.Seen.Clear();
            t.Walk(0x2001, 0x20_0000, c);   // start rounds down, end is exclusive
            Assert.Equal(new ulong[] { 0x2000 }, c.Seen.ConvertAll(s => s.va).ToArray());
            t.Unmap(0x3000);
            t.Walk(0, PageTable.UserTop, new Collect { Then = (va, pte) => 0 });
            Assert.Equal(1u, t.TablePages);
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Walker_changes_invalidate_or_flush_once()
        {
            using var vm = new VmWorld(64);
            var t = NewTable(vm);
            for (ulong i = 0; i < 100; i++) t.Map(i << 12, 5, UserRw);
            t.IsCurrent = true;
            var readOnly = new Collect { Then = (va, pte) => pte & ~(ulong)PteFlags.Writable };
            t.Walk(0, 10 << 12, readOnly);
            Assert.Equal(10, vm.Mmu.Invalidated.Count);
            Assert.Equal(0, vm.Mmu.Flushes);
            vm.Mmu.Invalidated.Clear();
            t.Walk(0, 100 << 12, readOnly);   // 90 changed: a flush instead
            Assert.Equal(1, vm.Mmu.Flushes);
            Assert.True(vm.Mmu.Invalidated.Count <= 32);
            Assert.False(Pte.Has(t.Lookup(99 << 12), PteFlags.Writable));
            t.IsCurrent = false;
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Free_user_tables_releases_every_table_page()
        {
            using var vm = new VmWorld(256);
            var t = NewTable(vm);
            var rng = new Random(3);
            for (int i = 0; i < 60; i++) Assert.True(t.Map((ulong)rng.NextInt64(0, 1L << 47) & ~0xFFFUL, 1, PteFlags.User));
            Assert.True(t.TablePages > 20);
            t.FreeUserTables();
            Assert.Equal(1u, t.TablePages);
            Assert.Equal(vm.FreeAtStart - 1, vm.Buddy.FreeFrames);
            Assert.Equal(0UL, t.Lookup(0));
            Assert.True(t.Map(0x1000, 1, PteFlags.User));   // still usable
            t.Free();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            vm.AssertHealthy();
        }

        [Fact]
        public void Map_out_of_memory_leaves_the_tree_as_it_was()
        {
            // For each number of free frames short of what a far mapping needs, Map fails and frees
            // the tables it had added; the earlier mapping is untouched.
            for (uint spare = 0; spare < 3; spare++)
            {
                using var vm = new VmWorld(16);
                var t = NewTable(vm);
                Assert.True(t.Map(0x1000, 3, PteFlags.User));   // root + 3 tables
                var hog = new List<uint>();
                while (vm.Buddy.FreeFrames > spare && vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint pfn)) hog.Add(pfn);
                uint before = vm.Buddy.FreeFrames, tables = t.TablePages;
                // 0x80_0000_0000 is under another PML4 entry: needs a PDPT, a PD and a PT.
                Assert.False(t.Map(0x80_0000_0000, 4, PteFlags.User));
                Assert.Equal(before, vm.Buddy.FreeFrames);
                Assert.Equal(tables, t.TablePages);
                Assert.Equal(3u, Pte.Pfn(t.Lookup(0x1000)));
                ulong* root = (ulong*)vm.Frame(t.RootPfn);
                Assert.Equal(0UL, root[1]);
                Assert.Equal(1u, vm.Pages[t.RootPfn].Private);
                foreach (uint pfn in hog) vm.Buddy.Free(pfn, 0);
                Assert.True(t.Map(0x80_0000_0000, 4, PteFlags.User));
                t.Free();
                Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
                vm.AssertHealthy();
            }
        }

        [Fact]
        public void Create_fails_cleanly_without_frames()
        {
            using var vm = new VmWorld(4);
            while (vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out _)) { }
            Assert.Null(PageTable.Create(vm.Buddy, vm.M.Ram, vm.Mmu, vm.Template, vm.M.Panics));
            Assert.Equal(Kernel.Abi.Errno.ENOMEM, AddressSpace.Create(vm.Vm, out AddressSpace mm));
            Assert.Null(mm);
            Assert.Equal(0, vm.Vm.Registry.Count);
        }
    }
}
