// Test fixture for virtual memory: a FrameWorld with RAM (the "direct map" is the RAM block itself,
// so physical address P is at Ram + P), a fake MMU that records TLB operations, a kernel template
// PML4 with recognisable kernel-half entries, and an MmContext. Cpu emulates user accesses the way
// the hardware does: walk the PTE, fault when needed, set Accessed/Dirty.
using System;
using System.Collections.Generic;
using Kernel.Mm;

namespace Kernel.Mm.Tests
{
    public sealed class FakeMmu : Mmu
    {
        public readonly List<ulong> Invalidated = new List<ulong>();
        public int Flushes;
        public ulong Loaded;
        public override void Invalidate(ulong va) => Invalidated.Add(va);
        public override void FlushAll() => Flushes++;
        public override void Load(ulong rootPhysical) => Loaded = rootPhysical;
    }

    public sealed unsafe class VmWorld : IDisposable
    {
        public readonly FrameWorld M;
        public readonly FakeMmu Mmu = new FakeMmu();
        public readonly uint Template;
        public readonly MmContext Vm;
        public readonly uint FreeAtStart;

        public VmWorld(uint frames, int lruGroups = 8)
        {
            M = new FrameWorld(frames, 0, withRam: true);
            M.Buddy.AddFreeRange(0, frames);
            if (!M.Buddy.TryAlloc(0, AllocFlags.Kernel, out Template)) throw new Exception("no template frame");
            ulong* t = (ulong*)(M.Ram + ((ulong)Template << 12));
            for (int i = 0; i < 512; i++) t[i] = i < 256 ? 0 : 0x8000_0000_0000_0003UL | ((ulong)i << 12);
            Vm = new MmContext(M.Buddy, M.Ram, Mmu, Template, lruGroups, M.Panics, HostInterrupts.HeldLock());
            FreeAtStart = M.Buddy.FreeFrames;
        }

        public BuddyAllocator Buddy => M.Buddy;
        public Page* Pages => M.Pages;
        public byte* Frame(uint pfn) => M.Ram + ((ulong)pfn << 12);

        public AddressSpace NewMm() =>
            AddressSpace.Create(Vm, out AddressSpace mm) == Kernel.Abi.Errno.None ? mm : throw new Exception("out of frames for an mm");

        public void AssertHealthy()
        {
            M.AssertHealthy();
            string problem = Vm.Lru.Verify();
            if (problem != null) throw new Xunit.Sdk.XunitException("Lru: " + problem);
        }

        public void Dispose() => M.Dispose();
    }

    // User-mode accesses as the CPU makes them.
    public static unsafe class Cpu
    {
        // The byte at va, faulting it in first if needed; the fault's result when it fails.
        public static FaultResult Access(VmWorld vm, AddressSpace mm, ulong va, FaultAccess access, out byte* where)
        {
            where = null;
            // A fault may take more than one round (a swap-in maps a shared page read-only, and the
            // write that follows breaks copy-on-write), as the CPU simply retries the access.
            for (int attempt = 0; attempt < 4; attempt++)
            {
                ulong pte = mm.Table.Lookup(va);
                bool ok = Pte.IsPresent(pte) && Pte.Has(pte, PteFlags.User) &&
                          (access != FaultAccess.Write || Pte.Has(pte, PteFlags.Writable)) &&
                          (access != FaultAccess.Execute || !Pte.Has(pte, PteFlags.NoExecute));
                if (ok)
                {
                    PteFlags set = PteFlags.Accessed | (access == FaultAccess.Write ? PteFlags.Dirty : 0);
                    if ((Pte.Flags(pte) & set) != set) mm.Table.Set(va, pte | (ulong)set);
                    where = vm.Frame(Pte.Pfn(pte)) + (va & 0xFFF);
                    return FaultResult.Handled;
                }
                if (attempt == 3) throw new Exception("fault handled but the access still faults at " + va.ToString("x"));
                FaultResult r = mm.HandleFault(va, access);
                if (r != FaultResult.Handled) return r;
            }
            throw new Exception("unreachable");
        }

        public static FaultResult Write(VmWorld vm, AddressSpace mm, ulong va, byte value)
        {
            FaultResult r = Access(vm, mm, va, FaultAccess.Write, out byte* p);
            if (r == FaultResult.Handled) *p = value;
            return r;
        }

        public static FaultResult Read(VmWorld vm, AddressSpace mm, ulong va, out byte value)
        {
            FaultResult r = Access(vm, mm, va, FaultAccess.Read, out byte* p);
            value = r == FaultResult.Handled ? *p : (byte)0;
            return r;
        }

        public static byte ReadOk(VmWorld vm, AddressSpace mm, ulong va)
        {
            FaultResult r = Read(vm, mm, va, out byte v);
            if (r != FaultResult.Handled) throw new Exception("read of " + va.ToString("x") + ": " + r);
            return v;
        }

        public static void WriteOk(VmWorld vm, AddressSpace mm, ulong va, byte value)
        {
            FaultResult r = Write(vm, mm, va, value);
            if (r != FaultResult.Handled) throw new Exception("write of " + va.ToString("x") + ": " + r);
        }
    }
}

namespace Kernel.Mm.Tests
{
    // Test shorthands over Kernel.Mm's Errno-returning calls.
    public static class MmTestExtensions
    {
        // The child, or null when out of frames.
        public static AddressSpace ForkOrNull(this AddressSpace mm) =>
            mm.Fork(out AddressSpace child) == Kernel.Abi.Errno.None ? child : null;

        public static bool TryGetOrCreate(this PageCache cache, ulong index, MemoryContainer bringer, out uint pfn) =>
            cache.GetOrCreate(index, bringer, out pfn) == Kernel.Abi.Errno.None;

        public static T Find<T>(this IdRegistry<T> registry, uint id) where T : class =>
            registry.TryFind(id, out T item) ? item : null;
    }
}
