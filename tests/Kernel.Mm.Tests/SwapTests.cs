// Swap on a RAM disk: Linux's mkswap header is read (and ours is what blkid calls swap), pages go
// out and come back byte for byte, fork shares swap entries, exit and unmap free the slots, the
// swap cache lets a second faulter map the same page, swapoff brings everything back, and the
// slot counts always equal the swap entries in the page tables (Swap.Verify).
using System;
using System.Diagnostics;
using System.IO;
using Kernel.Abi;
using Kernel.Block;
using Kernel.Block.Tests;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    // A VmWorld with a RAM disk whose commands complete when a sleeper waits (one "interrupt").
    public sealed unsafe class SwapWorld : IDisposable
    {
        public readonly VmWorld Vm;
        public readonly HostContext Context = new HostContext();
        public readonly RamDisk Disk;

        public SwapWorld(uint frames = 512, ulong diskPages = 256, int lruGroups = 8, bool on = true)
        {
            Vm = new VmWorld(frames, lruGroups);
            Disk = new RamDisk(Context, "vdb", diskPages * 8, maxSectors: 256);
            Context.Interrupt = () => Disk.CompleteOne();
            if (on) SwapOn();
        }

        public void MkSwap()
        {
            fixed (byte* page = Disk.Data) SwapHeader.Format(page, (ulong)Disk.Data.Length / 4096, 42);
        }

        public void SwapOn()
        {
            MkSwap();
            fixed (byte* page = Disk.Data)
            {
                Assert.Equal(Errno.None, SwapArea.Open(Disk, Vm.Vm, page, out SwapArea area));
                Assert.Equal(Errno.None, Vm.Vm.Swap.On(area));
            }
        }

        public void AssertConsistent()
        {
            Assert.Null(Vm.Vm.Swap.Verify());
            Vm.AssertHealthy();
        }

        public void Dispose()
        {
            Vm.Dispose();
            Context.Dispose();
        }
    }

    public unsafe class SwapTests
    {
        const ulong Base = 0x40_0000;
        const Protection Rw = Protection.Read | Protection.Write;

        static byte Pattern(int page, int i) => (byte)(page * 31 + i * 7 + 1);

        static void Fill(VmWorld vm, AddressSpace mm, int pages)
        {
            for (int pg = 0; pg < pages; pg++)
                for (int i = 0; i < 4096; i += 512) Cpu.WriteOk(vm, mm, Base + ((ulong)pg << 12) + (ulong)i, Pattern(pg, i));
        }

        static void Check(VmWorld vm, AddressSpace mm, int pages)
        {
            for (int pg = 0; pg < pages; pg++)
                for (int i = 0; i < 4096; i += 512) Assert.Equal(Pattern(pg, i), Cpu.ReadOk(vm, mm, Base + ((ulong)pg << 12) + (ulong)i));
        }

        static uint[] AnonFrames(AddressSpace mm, int pages)
        {
            var f = new uint[pages];
            for (int i = 0; i < pages; i++) f[i] = Pte.Pfn(mm.Table.Lookup(Base + ((ulong)i << 12)));
            return f;
        }

        [Fact]
        public void Linux_mkswap_headers_are_read_and_ours_is_a_swap_signature_to_blkid()
        {
            string path = Path.GetTempFileName();
            try
            {
                File.WriteAllBytes(path, new byte[1 << 20]);
                var p = Process.Start(new ProcessStartInfo("mkswap", path) { RedirectStandardOutput = true, RedirectStandardError = true });
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
                byte[] linux = File.ReadAllBytes(path);
                fixed (byte* page = linux)
                {
                    Assert.Equal(Errno.None, SwapHeader.Parse(page, 256, out uint last, out uint bad));
                    Assert.Equal(255u, last);
                    Assert.Equal(0u, bad);
                }
                byte[] ours = new byte[1 << 20];
                fixed (byte* page = ours) SwapHeader.Format(page, 256, 7);
                File.WriteAllBytes(path, ours);
                var b = Process.Start(new ProcessStartInfo("blkid", "-p -o value -s TYPE " + path) { RedirectStandardOutput = true });
                string type = b.StandardOutput.ReadToEnd().Trim();
                b.WaitForExit();
                Assert.Equal("swap", type);
                ours[4090] = (byte)'X';
                fixed (byte* page = ours) Assert.Equal(Errno.EINVAL, SwapHeader.Parse(page, 256, out _, out _));
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Pages_go_out_free_their_frames_and_come_back_byte_for_byte()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var c = new MemoryContainer(1, long.MaxValue);
            vm.Vm.Charger.Register(c);
            var mm = vm.NewMm();
            mm.Container = c;
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 40, Rw));
            Fill(vm, mm, 40);
            uint free = vm.Buddy.FreeFrames;
            Assert.Equal(40, vm.Vm.Swap.SwapOut(AnonFrames(mm, 40), 40, 1));
            Assert.Equal(free + 40, vm.Buddy.FreeFrames);
            Assert.Equal(0u, mm.ResidentPages);
            Assert.Equal(40u, mm.SwapEntries);
            Assert.Equal(0, c.PageUsage);
            Assert.Equal(40, c.SwapPages);
            Assert.Equal(40, c.PagesSwappedOut);
            Assert.True(Pte.IsSwap(mm.Table.Lookup(Base)));
            s.AssertConsistent();
            Check(vm, mm, 40);
            Assert.Equal(40u, mm.ResidentPages);
            Assert.Equal(0, c.SwapPages);
            Assert.Equal(40, c.PageUsage);
            Assert.Equal(40, c.PagesSwappedIn);
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);          // each was the slot's last reference
            Cpu.WriteOk(vm, mm, Base, 5);                          // exclusive: writable at once, no copy
            s.AssertConsistent();
            mm.Destroy();
            Assert.Equal(0, c.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Fork_shares_swap_entries_and_each_side_keeps_its_own_writes()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var parent = vm.NewMm();
            Assert.Equal(Errno.None, parent.MapAnonymous(Base, 8, Rw));
            Fill(vm, parent, 8);
            Assert.Equal(8, vm.Vm.Swap.SwapOut(AnonFrames(parent, 8), 8, 0));
            var child = parent.ForkOrNull();
            Assert.Equal(8u, child.SwapEntries);
            Assert.Equal(2, vm.Vm.Swap.Area.Count(Pte.SwapSlot(parent.Table.Lookup(Base))));
            s.AssertConsistent();
            Check(vm, child, 8);                                  // read in once, kept in the swap cache
            Assert.Equal(8u, vm.Vm.Swap.Area.UsedSlots);
            uint shared = Pte.Pfn(child.Table.Lookup(Base + 4096));
            Assert.Equal(Pattern(1, 0), Cpu.ReadOk(vm, parent, Base + 4096));
            Assert.Equal(shared, Pte.Pfn(parent.Table.Lookup(Base + 4096)));   // the same page
            Assert.Equal(7u, vm.Vm.Swap.Area.UsedSlots);          // page 1's slot is free now
            Cpu.WriteOk(vm, child, Base + 4096, 0xAA);            // copy on write
            Assert.Equal(Pattern(1, 0), Cpu.ReadOk(vm, parent, Base + 4096));
            s.AssertConsistent();
            child.Destroy();
            Check(vm, parent, 8);
            s.AssertConsistent();
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);
            parent.Destroy();
            Assert.Equal(0, vm.Vm.Charger.Root.PageUsage + vm.Vm.Charger.Root.SwapPages);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Exit_and_unmap_free_the_slots_of_swapped_pages()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 16, Rw));
            Fill(vm, mm, 16);
            vm.Vm.Swap.SwapOut(AnonFrames(mm, 16), 16, 0);
            Assert.Equal(Errno.None, mm.Unmap(Base, 4));
            Assert.Equal(12u, vm.Vm.Swap.Area.UsedSlots);
            Assert.Equal(12u, mm.SwapEntries);
            s.AssertConsistent();
            mm.Destroy();
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);
            Assert.Equal(0, vm.Vm.Charger.Root.SwapPages);
            s.AssertConsistent();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Swapoff_brings_every_page_back_and_full_swap_takes_nothing()
        {
            using var s = new SwapWorld(diskPages: 9);          // 8 slots
            VmWorld vm = s.Vm;
            var mm = vm.NewMm();
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 12, Rw));
            Fill(vm, mm, 12);
            uint[] frames = AnonFrames(mm, 12);
            Assert.Equal(8, vm.Vm.Swap.SwapOut(frames, 8, 0));
            Assert.Equal(0, vm.Vm.Swap.SwapOut(new[] { frames[8], frames[9] }, 2, 0));   // full
            Assert.Equal(4u, mm.ResidentPages);
            s.AssertConsistent();
            Assert.Equal(Errno.None, vm.Vm.Swap.Off());
            Assert.False(vm.Vm.Swap.IsOn);
            Assert.Equal(12u, mm.ResidentPages);
            Assert.Equal(0u, mm.SwapEntries);
            Check(vm, mm, 12);
            mm.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        // swapoff of a container far over its limit: while it reads pages back (sleeping), the
        // reaper runs and tries to swap the container's resident pages out again; nothing may
        // go to the area being turned off (else swapoff never ends), and the pages coming back
        // are charged without throttling (no reclaim could make room). Then the area is off.
        [Fact]
        public void Swapoff_of_a_container_over_its_limit_writes_nothing_meanwhile_and_does_not_throttle()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var c = new MemoryContainer(1, 4);
            vm.Vm.Charger.Register(c);
            var throttle = new SleepingThrottle();
            vm.Vm.Charger.SetThrottle(throttle);
            var mm = vm.NewMm();
            mm.Container = c;
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 40, Rw));
            Fill(vm, mm, 40);
            Assert.Equal(40, vm.Vm.Swap.SwapOut(AnonFrames(mm, 40), 40, 1));
            throttle.Sleeps = 0;
            int reaperRuns = 0, reaperWrote = 0;
            Func<bool> interrupt = s.Context.Interrupt;
            s.Context.Interrupt = () =>
            {
                if (reaperRuns == 0)
                {
                    reaperRuns++;
                    var resident = new System.Collections.Generic.List<uint>();
                    for (int i = 0; i < 40; i++)
                    {
                        ulong pte = mm.Table.Lookup(Base + ((ulong)i << 12));
                        if (Pte.IsPresent(pte)) resident.Add(Pte.Pfn(pte));
                    }
                    reaperWrote = vm.Vm.Swap.SwapOut(resident.ToArray(), resident.Count, 1);
                }
                return interrupt();
            };
            Assert.Equal(Errno.None, vm.Vm.Swap.Off());
            Assert.Equal(1, reaperRuns);
            Assert.Equal(0, reaperWrote);
            Assert.Equal(0, throttle.Sleeps);
            Assert.False(vm.Vm.Swap.IsOn);
            Assert.Equal(40, c.PageUsage);
            Assert.Equal(0, c.SwapPages);
            s.Context.Interrupt = interrupt;
            Check(vm, mm, 40);
            mm.Destroy();
            Assert.Equal(0, c.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void A_swap_in_charges_the_container_the_slot_was_charged_to()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var a = new MemoryContainer(1, long.MaxValue);
            var b = new MemoryContainer(2, long.MaxValue);
            vm.Vm.Charger.Register(a);
            vm.Vm.Charger.Register(b);
            var mm = vm.NewMm();
            mm.Container = a;
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 4, Rw));
            Fill(vm, mm, 4);
            vm.Vm.Swap.SwapOut(AnonFrames(mm, 4), 4, 1);
            mm.Container = b;                                      // the task moved
            Check(vm, mm, 4);
            Assert.Equal(4, a.PageUsage);                          // swap_cgroup: back to a
            Assert.Equal(0, b.PageUsage);
            vm.Vm.Swap.SwapOut(AnonFrames(mm, 4), 4, 1);
            vm.Vm.Swap.MoveCharges(a, vm.Vm.Charger.Root);         // rmdir a
            Assert.Equal(0, a.SwapPages);
            Check(vm, mm, 4);                                       // the root's slot: the faulter's (b) pays
            Assert.Equal(4, b.PageUsage);
            mm.Destroy();
            s.AssertConsistent();
        }
    
        // A throttle that runs something else once, as the scheduler would while the charger sleeps.
        sealed class SleepingThrottle : ChargeThrottle
        {
            public Action Meanwhile;
            public int Sleeps;

            public override void Throttle(MemoryContainer c)
            {
                Sleeps++;
                Action a = Meanwhile;
                Meanwhile = null;
                a?.Invoke();
            }
        }

        // The faulter's charge sleeps (throttled) and meanwhile the child faults the same slot in:
        // the faulter must give its charge back and map the child's page, not read a second copy
        // into the swap cache (two pages for one slot: the slot is later freed twice).
        [Fact]
        public void A_swap_in_that_sleeps_on_its_charge_maps_the_page_another_fault_brought_in()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var a = new MemoryContainer(1, 0);                      // every charge is throttled
            vm.Vm.Charger.Register(a);
            var throttle = new SleepingThrottle();
            vm.Vm.Charger.SetThrottle(throttle);
            var parent = vm.NewMm();
            parent.Container = a;
            Assert.Equal(Errno.None, parent.MapAnonymous(Base, 4, Rw));
            Fill(vm, parent, 4);
            Assert.Equal(4, vm.Vm.Swap.SwapOut(AnonFrames(parent, 4), 4, 1));
            var child = parent.ForkOrNull();
            long before = a.PageUsage;
            throttle.Meanwhile = () => Assert.Equal(Pattern(0, 0), Cpu.ReadOk(vm, child, Base));
            Assert.Equal(Pattern(0, 0), Cpu.ReadOk(vm, parent, Base));
            Assert.True(throttle.Sleeps >= 2);
            Assert.Equal(Pte.Pfn(child.Table.Lookup(Base)), Pte.Pfn(parent.Table.Lookup(Base)));
            Assert.Equal(before + 1, a.PageUsage);                  // one page, charged once
            s.AssertConsistent();
            child.Destroy();
            parent.Destroy();
            s.AssertConsistent();
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);
            Assert.Equal(0, a.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        // A copy-on-write break whose charge sleeps while the reaper swaps the shared page out:
        // the copy must not replace the swap entry that now stands in the PTE (the slot would
        // leak, the page be copied after its free); the write retries through the swap fault.
        [Fact]
        public void A_copy_on_write_that_sleeps_on_its_charge_retries_when_the_page_was_swapped_out()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var a = new MemoryContainer(1, 0);
            vm.Vm.Charger.Register(a);
            var throttle = new SleepingThrottle();
            vm.Vm.Charger.SetThrottle(throttle);
            var parent = vm.NewMm();
            parent.Container = a;
            Assert.Equal(Errno.None, parent.MapAnonymous(Base, 2, Rw));
            Fill(vm, parent, 2);
            var child = parent.ForkOrNull();
            uint shared = Pte.Pfn(parent.Table.Lookup(Base));
            int swapped = -1;
            throttle.Meanwhile = () => swapped = vm.Vm.Swap.SwapOut(new[] { shared }, 1, 1);
            Cpu.WriteOk(vm, parent, Base, 0xAA);
            Assert.Equal(0, swapped);                               // written out, held by the faulter
            Assert.Equal(0xAA, Cpu.ReadOk(vm, parent, Base));
            Assert.Equal(Pattern(0, 0), Cpu.ReadOk(vm, child, Base));
            Check(vm, child, 2);
            s.AssertConsistent();
            child.Destroy();
            parent.Destroy();
            s.AssertConsistent();
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);
            Assert.Equal(0, a.PageUsage);
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }
}
}
