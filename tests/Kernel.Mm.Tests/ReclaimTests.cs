// Reclaim of one container's LRU group: clean file pages are dropped, dirty ones written back
// first, ramfs pages (no backing) are skipped and counted, anonymous pages go to swap (or stay
// without it), referenced pages get a second chance, another container's pages are never
// touched, and a model-based history of faults, forks, exits, reclaim and re-reads keeps every
// byte, every charge and every slot count right.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class ReclaimTests
    {
        const ulong Base = 0x40_0000;
        const Protection Rw = Protection.Read | Protection.Write;

        static MemoryContainer Container(VmWorld vm, ushort id)
        {
            var c = new MemoryContainer(id, long.MaxValue);
            vm.Vm.Charger.Register(c);
            return c;
        }

        [Fact]
        public void File_pages_are_dropped_dirty_ones_written_first_and_ramfs_ones_skipped()
        {
            using var s = new SwapWorld(on: false);
            VmWorld vm = s.Vm;
            var c = Container(vm, 1);
            var disk = new DiskFile();
            PageCache file = PageCache.Create(vm.Vm);
            file.Backing = disk;
            file.Size = 10 * 4096;
            PageCache ram = PageCache.Create(vm.Vm);
            ram.Size = 4 * 4096;
            for (ulong i = 0; i < 10; i++) Assert.Equal(Errno.None, file.GetOrCreate(i, c, out uint _));
            for (ulong i = 0; i < 4; i++) Assert.Equal(Errno.None, ram.GetOrCreate(i, c, out uint _));
            for (ulong i = 0; i < 3; i++) { file.Address(file.Find(i))[0] = 0x55; file.MarkDirty(file.Find(i)); }
            Assert.Equal(14, c.PageUsage);
            ReclaimResult r = vm.Vm.Reclaim.Shrink(c, 100);
            Assert.Equal(10, r.Freed);
            Assert.Equal(3, r.WrittenBack);
            Assert.True(r.Unevictable >= 4);
            Assert.Equal(4, c.PageUsage);                         // only ramfs's pages are left
            Assert.Equal(0x55, disk.Pages[2][0]);
            Assert.Equal(Errno.None, file.GetOrCreate(2, c, out uint back));
            Assert.Equal(0x55, file.Address(back)[0]);            // it came back from the disk
            file.Release();
            ram.Release();
            s.AssertConsistent();
        }

        [Fact]
        public void Anonymous_pages_go_to_swap_referenced_ones_last_and_other_groups_never()
        {
            using var s = new SwapWorld();
            VmWorld vm = s.Vm;
            var a = Container(vm, 1);
            var b = Container(vm, 2);
            var ma = vm.NewMm();
            var mb = vm.NewMm();
            ma.Container = a;
            mb.Container = b;
            Assert.Equal(Errno.None, ma.MapAnonymous(Base, 64, Rw));
            Assert.Equal(Errno.None, mb.MapAnonymous(Base, 16, Rw));
            for (int i = 0; i < 64; i++) Cpu.WriteOk(vm, ma, Base + ((ulong)i << 12), (byte)i);
            for (int i = 0; i < 16; i++) Cpu.WriteOk(vm, mb, Base + ((ulong)i << 12), (byte)i);
            // Everything was accessed once at fault time; clear that, then touch pages 0..7 again.
            var refs = new PageReferences(vm.Vm);
            for (int i = 0; i < 64; i++) refs.TestAndClearAccessed(Pte.Pfn(ma.Table.Lookup(Base + ((ulong)i << 12))));
            for (int i = 0; i < 8; i++) Cpu.ReadOk(vm, ma, Base + ((ulong)i << 12));
            ReclaimResult r = vm.Vm.Reclaim.Shrink(a, 40);
            Assert.InRange(r.Freed, 40, 40 + Reclaim.Batch);
            Assert.Equal(64 - r.Freed, a.PageUsage);
            Assert.Equal(r.Freed, a.SwapPages);
            for (int i = 0; i < 8; i++) Assert.True(Pte.IsPresent(ma.Table.Lookup(Base + ((ulong)i << 12))), "page " + i + " was referenced");
            Assert.Equal(16, b.PageUsage);                        // never another container's
            Assert.Equal(0, b.SwapPages);
            for (int i = 0; i < 64; i++) Assert.Equal((byte)i, Cpu.ReadOk(vm, ma, Base + ((ulong)i << 12)));
            s.AssertConsistent();
            ma.Destroy();
            mb.Destroy();
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Without_swap_anonymous_pages_stay_and_reclaim_frees_nothing()
        {
            using var s = new SwapWorld(on: false);
            VmWorld vm = s.Vm;
            var a = Container(vm, 1);
            var mm = vm.NewMm();
            mm.Container = a;
            Assert.Equal(Errno.None, mm.MapAnonymous(Base, 20, Rw));
            for (int i = 0; i < 20; i++) Cpu.WriteOk(vm, mm, Base + ((ulong)i << 12), 1);
            Assert.Equal(0, vm.Vm.Reclaim.Shrink(a, 10).Freed);
            Assert.Equal(20, a.PageUsage);
            mm.Destroy();
            s.AssertConsistent();
        }

        public enum Step { Touch, Read, Fork, Exit, Reclaim, Unmap }

        public readonly record struct Op(Step Kind, int Mm, int Page, byte Value)
        {
            public override string ToString() => Kind + "(" + Mm + "," + Page + "," + Value + ")";
        }

        // Random histories over three address spaces in two containers with a small swap: every
        // read returns what the model says, every counter agrees with the frames, the slot counts
        // with the page tables; at the end every frame and slot is free again.
        [Fact]
        public void Random_histories_keep_every_byte_and_every_count()
        {
            Gen.Select(Gen.Int[0, 5], Gen.Int[0, 2], Gen.Int[0, 23], Gen.Byte, (k, m, p, v) => new Op((Step)k, m, p, v))
                .Array[1, 80].Sample(ops => Run(ops), iter: 120);
        }

        private static void Run(Op[] ops)
        {
            using var s = new SwapWorld(frames: 400, diskPages: 40);
            VmWorld vm = s.Vm;
            var cs = new[] { Container(vm, 1), Container(vm, 2) };
            var mms = new AddressSpace[3];
            var data = new Dictionary<int, byte>[3];
            for (int i = 0; i < 3; i++)
            {
                mms[i] = vm.NewMm();
                mms[i].Container = cs[i % 2];
                Assert.Equal(Errno.None, mms[i].MapAnonymous(Base, 24, Rw));
                data[i] = new Dictionary<int, byte>();
            }
            foreach (Op op in ops)
            {
                AddressSpace mm = mms[op.Mm];
                ulong va = Base + ((ulong)op.Page << 12);
                switch (op.Kind)
                {
                    case Step.Touch:
                        if (mm == null) break;
                        var w = Cpu.Write(vm, mm, va, op.Value);
                        if (w == FaultResult.Handled) data[op.Mm][op.Page] = op.Value;
                        else Assert.Equal(FaultResult.OutOfMemory, w);
                        break;
                    case Step.Read:
                        if (mm == null) break;
                        var r = Cpu.Read(vm, mm, va, out byte got);
                        if (r == FaultResult.Handled) Assert.Equal(data[op.Mm].TryGetValue(op.Page, out byte want) ? want : (byte)0, got);
                        else Assert.Equal(FaultResult.OutOfMemory, r);
                        break;
                    case Step.Fork:
                        int free = Array.IndexOf(mms, null);
                        if (mm == null || free < 0) break;
                        mms[free] = mm.ForkOrNull();
                        if (mms[free] != null) data[free] = new Dictionary<int, byte>(data[op.Mm]);
                        break;
                    case Step.Exit:
                        if (mm == null) break;
                        mm.Destroy();
                        mms[op.Mm] = null;
                        break;
                    case Step.Reclaim:
                        vm.Vm.Reclaim.Shrink(cs[op.Mm % 2], 1 + op.Page);
                        break;
                    case Step.Unmap:
                        if (mm == null) break;
                        Assert.Equal(Errno.None, mm.Unmap(va, 1));
                        Assert.Equal(Errno.None, mm.MapAnonymous(va, 1, Rw));
                        data[op.Mm].Remove(op.Page);
                        break;
                }
                Assert.Null(vm.Vm.Swap.Verify());
                foreach (var c in cs) Assert.Equal(c.SwapPages, CountSlots(vm, c.Id));
                Assert.Equal(vm.Vm.Charger.Root.PageUsage + cs.Sum(c => c.PageUsage), CountCharged(vm));
            }
            for (int i = 0; i < 3; i++)
            {
                if (mms[i] == null) continue;
                foreach (var kv in data[i]) Assert.Equal(kv.Value, Cpu.ReadOk(vm, mms[i], Base + ((ulong)kv.Key << 12)));
                mms[i].Destroy();
            }
            Assert.Equal(0u, vm.Vm.Swap.Area.UsedSlots);
            Assert.Equal(0, cs.Sum(c => c.PageUsage + c.SwapPages));
            Assert.Equal(vm.FreeAtStart, vm.Buddy.FreeFrames);
            s.AssertConsistent();
        }

        private static long CountSlots(VmWorld vm, ushort id)
        {
            SwapArea a = vm.Vm.Swap.Area;
            long n = 0;
            for (uint slot = 1; slot <= a.Slots; slot++) if (a.IsUsed(slot) && a.Owner(slot) == id) n++;
            return n;
        }

        private static long CountCharged(VmWorld vm)
        {
            long n = 0;
            for (uint pfn = 0; pfn < vm.M.Frames; pfn++)
                if ((vm.Pages[pfn].Flags & (PageFlags.Anon | PageFlags.File)) != 0) n++;
            return n;
        }
    }
}
