// Model-based property test (CsCheck): random create/map/read/write/fork/unmap/destroy sequences
// over up to four address spaces, against a model holding, per address space, its mapped pages
// (writable or not) and the byte last written to each. After every step: each read sees the
// model's byte (0 for a page never written: zero fill), faults fail exactly where the model says,
// every frame's MapCount and RefCount equal the PTEs mapping it, RSS and the LRU agree, the buddy
// allocator verifies. Small machines make faults and forks run out of memory: the model is then
// unchanged. Finally everything is destroyed and the free frame count is exactly the start's.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Mm;
using Xunit;

namespace Kernel.Mm.Tests
{
    public unsafe class VmPropertyTests
    {
        public enum Kind { Create, Map, Read, Write, Fork, Unmap, Destroy }
        // Slot picks among the live address spaces (Create: the slot itself); Read and Write
        // mostly pick a mapped page (Pick), otherwise the page at Zone:Offset.
        public readonly record struct Op(Kind Kind, int Slot, int Zone, int Offset, int Length, byte Value, bool Writable, int Pick)
        {
            public override string ToString() => Kind + "(" + Slot + "," + Zone + ":" + Offset + "+" + Length + (Writable ? ",w" : "") + "," + Value + "," + Pick + ")";
        }

        // Eight-page zones placed across table boundaries: a PT, a PD (2 MiB), a PML4 entry
        // (512 GiB) and the top of the user half.
        static readonly ulong[] Zones = { 0x1000, 0x1F_C000, 0x7F_FFFF_E000, 0x7FFF_FFFF_8000 };
        const int ZonePages = 8;
        const int Slots = 4;

        static ulong Va(int zone, int page) => Zones[zone] + ((ulong)page << 12);
        // Two bytes of each page are written and read (so a COW copy must carry the other one).
        static ulong ByteAt(ulong va, int cell) => va + (((va >> 12) * 7 + (ulong)cell * 2048) & 0xFFF);

        sealed class MmModel
        {
            public readonly Dictionary<ulong, bool> Mapped = new Dictionary<ulong, bool>();   // page va -> writable
            public readonly Dictionary<(ulong, int), byte> Data = new Dictionary<(ulong, int), byte>();   // (page va, cell)
            public MmModel Clone()
            {
                var c = new MmModel();
                foreach (var kv in Mapped) c.Mapped[kv.Key] = kv.Value;
                foreach (var kv in Data) c.Data[kv.Key] = kv.Value;
                return c;
            }
        }

        sealed class Census : PteVisitor
        {
            public readonly Dictionary<uint, int> Maps = new Dictionary<uint, int>();
            public int Present;
            public override ulong Visit(ulong va, ulong pte)
            {
                uint pfn = Pte.Pfn(pte);
                Maps[pfn] = Maps.TryGetValue(pfn, out int n) ? n + 1 : 1;
                Present++;
                return pte;
            }
        }

        static readonly Gen<Op> GenOp =
            Gen.Select(Gen.Int[0, 99], Gen.Int[0, Slots - 1], Gen.Int[0, Zones.Length * ZonePages - 1],
                       Gen.Int[1, ZonePages], Gen.Byte[1, 255], Gen.Int[0, 3], Gen.Int[0, 999],
                (k, slot, page, len, val, w, pick) => new Op(
                    k < 6 ? Kind.Create : k < 22 ? Kind.Map : k < 44 ? Kind.Read : k < 76 ? Kind.Write :
                    k < 86 ? Kind.Fork : k < 95 ? Kind.Unmap : Kind.Destroy,
                    slot, page / ZonePages, page % ZonePages, Math.Min(len, ZonePages - page % ZonePages), val, w != 0, pick));

        static void Check(bool ok, string what)
        {
            if (!ok) throw new Exception(what);
        }

        static void Run(uint frames, Op[] ops)
        {
            using var vm = new VmWorld(frames);
            var mms = new AddressSpace[Slots];
            var models = new MmModel[Slots];
            foreach (var op in ops)
            {
                int[] live = Enumerable.Range(0, Slots).Where(i => mms[i] != null).ToArray();
                int s = op.Kind == Kind.Create || live.Length == 0 ? op.Slot : live[op.Slot % live.Length];
                var mm = mms[s];
                var model = models[s];
                if (op.Kind == Kind.Create || mm == null)
                {
                    if (mm != null) continue;
                    AddressSpace.Create(vm.Vm, out mms[s]);
                    if (mms[s] != null) models[s] = new MmModel();
                    else Check(vm.Buddy.FreeFrames == 0, "Create failed with frames free");
                    continue;
                }
                ulong va = Va(op.Zone, op.Offset);
                if ((op.Kind == Kind.Read || op.Kind == Kind.Write) && model.Mapped.Count > 0 && op.Pick % 8 != 0)
                    va = model.Mapped.Keys.OrderBy(k => k).ElementAt(op.Pick % model.Mapped.Count);
                switch (op.Kind)
                {
                    case Kind.Map:
                    {
                        bool free = Enumerable.Range(0, op.Length).All(i => !model.Mapped.ContainsKey(va + ((ulong)i << 12)));
                        var prot = Protection.Read | (op.Writable ? Protection.Write : 0);
                        Check(mm.MapAnonymous(va, (ulong)op.Length, prot) == (free ? Errno.None : Errno.EEXIST), "MapAnonymous overlap disagrees");
                        if (free) for (int i = 0; i < op.Length; i++) model.Mapped[va + ((ulong)i << 12)] = op.Writable;
                        break;
                    }
                    case Kind.Read:
                    {
                        for (int cell = 0; cell < 2; cell++)
                        {
                            var r = Cpu.Read(vm, mm, ByteAt(va, cell), out byte got);
                            if (!model.Mapped.ContainsKey(va)) Check(r == FaultResult.SegmentationFault, "read outside: " + r);
                            else if (r == FaultResult.OutOfMemory) Check(vm.Buddy.FreeFrames < 4, "read OOM with frames free");
                            else
                            {
                                Check(r == FaultResult.Handled, "read: " + r);
                                byte want = model.Data.TryGetValue((va, cell), out byte b) ? b : (byte)0;
                                Check(got == want, "read " + got + " want " + want + " at " + va.ToString("x") + " cell " + cell);
                            }
                        }
                        break;
                    }
                    case Kind.Write:
                    {
                        int cell = op.Pick / 8 % 2;
                        var r = Cpu.Write(vm, mm, ByteAt(va, cell), op.Value);
                        if (!model.Mapped.TryGetValue(va, out bool writable)) Check(r == FaultResult.SegmentationFault, "write outside: " + r);
                        else if (!writable) Check(r == FaultResult.ProtectionViolation, "write to read-only: " + r);
                        else if (r == FaultResult.OutOfMemory) Check(vm.Buddy.FreeFrames < 4, "write OOM with frames free");
                        else
                        {
                            Check(r == FaultResult.Handled, "write: " + r);
                            model.Data[(va, cell)] = op.Value;
                        }
                        break;
                    }
                    case Kind.Fork:
                    {
                        int free = Array.IndexOf(mms, null);
                        if (free < 0) break;
                        var child = mm.ForkOrNull();
                        if (child == null) { Check(vm.Buddy.FreeFrames < 16, "fork failed with frames free"); break; }
                        mms[free] = child;
                        models[free] = model.Clone();
                        break;
                    }
                    case Kind.Unmap:
                        Check(mm.Unmap(va, (ulong)op.Length) == Errno.None, "Unmap refused");
                        for (int i = 0; i < op.Length; i++)
                        {
                            model.Mapped.Remove(va + ((ulong)i << 12));
                            model.Data.Remove((va + ((ulong)i << 12), 0));
                            model.Data.Remove((va + ((ulong)i << 12), 1));
                        }
                        break;
                    case Kind.Destroy:
                        mm.Destroy();
                        mms[s] = null;
                        models[s] = null;
                        break;
                }
                CheckConsistent(vm, mms, models);
            }
            for (int s = 0; s < Slots; s++)
                if (mms[s] != null)
                {
                    // Every mapped page still holds what the model says.
                    foreach (var va in models[s].Mapped.Keys)
                        for (int cell = 0; cell < 2; cell++)
                        {
                            ulong pte = mms[s].Table.Lookup(va);
                            byte want = models[s].Data.TryGetValue((va, cell), out byte b) ? b : (byte)0;
                            if (Pte.IsPresent(pte)) Check(vm.Frame(Pte.Pfn(pte))[ByteAt(va, cell) & 0xFFF] == want, "final contents");
                            else Check(want == 0, "written page not present");
                        }
                }
            for (int s = 0; s < Slots; s++) mms[s]?.Destroy();
            vm.AssertHealthy();
            Check(vm.Buddy.FreeFrames == vm.FreeAtStart, "free frames " + vm.Buddy.FreeFrames + ", at start " + vm.FreeAtStart);
            Check(vm.Vm.Registry.Count == 0, "registry not empty");
        }

        static void CheckConsistent(VmWorld vm, AddressSpace[] mms, MmModel[] models)
        {
            vm.AssertHealthy();
            var census = new Census();
            uint tables = 0;
            for (int s = 0; s < Slots; s++)
            {
                if (mms[s] == null) continue;
                int before = census.Present;
                mms[s].Table.Walk(0, PageTable.UserTop, census);
                Check((uint)(census.Present - before) == mms[s].ResidentPages, "RSS disagrees with the PTEs");
                tables += mms[s].Table.TablePages;
                foreach (var kv in models[s].Data)
                    Check(Pte.IsPresent(mms[s].Table.Lookup(kv.Key.Item1)), "written page lost");
            }
            foreach (var kv in census.Maps)
            {
                Page* p = vm.Pages + kv.Key;
                Check(p->MapCount == kv.Value && p->RefCount == kv.Value, "pfn " + kv.Key + " MapCount " + p->MapCount + " RefCount " + p->RefCount + ", mapped " + kv.Value);
                Check((p->Flags & PageFlags.Anon) != 0 && vm.Vm.Lru.IsOnList(kv.Key), "mapped frame not an LRU anon page");
            }
            var lru = vm.Vm.Lru;
            Check(lru.ActiveCount(0) + lru.InactiveCount(0) == census.Maps.Count, "LRU holds frames nobody maps");
            Check(vm.FreeAtStart - vm.Buddy.FreeFrames == census.Maps.Count + tables, "frames in use are not mapped pages + tables");
        }

        static readonly Gen<(uint, Op[])> GenScenario =
            Gen.Select(Gen.OneOf(Gen.Const(512u), Gen.UInt[12, 48]), GenOp.Array[1, 80]);

        [Fact]
        public void Random_operations_agree_with_the_model() =>
            GenScenario.Sample(t => Run(t.Item1, t.Item2), iter: 600,
                print: t => "frames " + t.Item1 + " [" + string.Join(" ", t.Item2) + "]");
    }
}
