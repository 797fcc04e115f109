// The page-fault path, top to bottom (Linux's handle_mm_fault → do_anonymous_page / do_read_fault
// / do_wp_page). The kernel's #PF handler calls HandleFault with the faulting address and access;
// every frame it brings in is charged here through the Charger's tiers:
//
//   HandleFault(va, access)
//     no region / not user / mm destroyed     → SegmentationFault
//     region forbids the access               → ProtectionViolation
//     present, write to a read-only page      → BreakCow: last mapper of an anon page: make it
//                                                writable; else copy into a new anon frame
//     present otherwise                       → spurious (stale TLB): invalidate
//     a swap entry                            → Swap.Fault: from the swap cache or read in
//     file region                             → FaultInFile: the page-cache frame, read-only;
//                                                a write maps a private anon copy of it
//     anonymous region                        → a zeroed anon frame
//   new anon frame: Charger.TryCharge(mm.Container) → Buddy.TryAlloc → zero/copy → map PTE →
//                   Charger.Commit (frame bound, on the LRU); any failure before the commit frees
//                   the frame and Charger.Cancel gives the reservation back.
//
// A charge may sleep (throttled far over the limit), and a read sleeps for the disk: whatever the
// fault relies on across such a sleep — a page it copies, the PTE it replaces, a swap slot not yet
// in the swap cache — is held by a reference or looked at again afterwards.
//
// FaultResult is the outcome of a fault (Linux's vm_fault_t), not an error number: the kernel
// turns it into a signal or an OOM kill. Runs with interrupts off; allocates nothing on the heap.
using Kernel.Abi;

namespace Kernel.Mm
{
    public enum FaultAccess { Read, Write, Execute }

    public enum FaultResult { Handled, SegmentationFault, OutOfMemory, ProtectionViolation }

    public sealed unsafe partial class AddressSpace
    {
        public FaultResult HandleFault(ulong va, FaultAccess access)
        {
            _vm.Lock.AssertHeld("mm: fault");
            Region r;
            if (_destroyed || !PageTable.IsUserPage(va) || !_regions.Find(va, out r)) return FaultResult.SegmentationFault;
            if (!Allowed(r.Prot, access)) return FaultResult.ProtectionViolation;
            va &= ~Paging.OffsetMask;
            ulong pte = _table.Lookup(va);
            if (Pte.IsPresent(pte))
            {
                if (access == FaultAccess.Write && !Pte.Has(pte, PteFlags.Writable)) return BreakCow(va, pte);
                if (IsCurrent) _vm.Mmu.Invalidate(va);
                return FaultResult.Handled;
            }
            if (Pte.IsSwap(pte)) return _vm.Swap.Fault(this, va, pte, r);
            if (pte != 0) return FaultResult.SegmentationFault;
            if (r.Kind == RegionKind.File) return FaultInFile(va, r, access);
            PteFlags flags = LeafFlags(r.Prot) | PteFlags.Accessed;
            if (access == FaultAccess.Write) flags |= PteFlags.Dirty;
            return MapNewAnon(va, Page.NoFrame, flags);
        }

        // A page of a file region: the page-cache frame mapped read-only, or for a write, a private
        // anonymous copy of it. Past the end of the file: SegmentationFault (Linux's SIGBUS).
        private FaultResult FaultInFile(ulong va, Region r, FaultAccess access)
        {
            ulong index = r.FilePage + ((va - r.Start) >> Paging.Shift);
            if (!_vm.Caches.TryFind(r.FileId, out PageCache cache) || index >= Paging.PagesFor(cache.Size)) return FaultResult.SegmentationFault;
            if (cache.GetOrCreate(index, Container, out uint cached) != Errno.None) return FaultResult.OutOfMemory;
            if (access == FaultAccess.Write)
            {
                // The copy's charge may sleep (throttled): hold the cache page meanwhile, so that
                // reclaim dropping it from the cache cannot free what is being copied.
                _vm.Pages[cached].RefCount++;
                FaultResult copied = MapNewAnon(va, cached, LeafFlags(r.Prot) | PteFlags.Accessed | PteFlags.Dirty);
                PageCache.Put(_vm, cached);
                return copied;
            }
            PteFlags flags = (LeafFlags(r.Prot) & ~PteFlags.Writable) | PteFlags.Accessed;
            if ((r.Prot & Protection.Write) != 0) flags |= PteFlags.Cow;
            if (!_table.Map(va, cached, flags)) return FaultResult.OutOfMemory;
            Page* p = _vm.Pages + cached;
            p->RefCount++;
            if (p->MapCount++ == 0) _vm.Charger.Mapped(cached);
            _rss++;
            return FaultResult.Handled;
        }

        // A write to a present read-only page of a writable region.
        private FaultResult BreakCow(ulong va, ulong pte)
        {
            uint old = Pte.Pfn(pte);
            Page* op = _vm.Pages + old;
            PteFlags keep = (Pte.Flags(pte) & ~PteFlags.Cow) | PteFlags.Writable | PteFlags.Dirty | PteFlags.Accessed;
            if (op->MapCount == 1 && (op->Flags & PageFlags.Anon) != 0 && !_vm.Swap.IsSharedThroughSlot(old))
            {
                // The last mapper: the frame is ours alone now.
                op->OwnerId = _id;
                op->OwnerIndex = va >> Paging.Shift;
                _table.Set(va, Pte.Make(old, keep));
                return FaultResult.Handled;
            }
            // The copy's charge may sleep (throttled), and meanwhile the reaper may swap the old
            // page out: hold it, and look at the PTE again before replacing it.
            op->RefCount++;
            bool got = TryNewAnonFrame(va, old, out uint pfn, out MemoryContainer payer);
            if (got && _table.Lookup(va) != pte)
            {
                _vm.Buddy.Free(pfn, 0);
                _vm.Charger.Cancel(payer);
                PageCache.Put(_vm, old);
                return FaultResult.Handled;   // changed while we slept: the access is retried
            }
            if (!got)
            {
                PageCache.Put(_vm, old);
                return FaultResult.OutOfMemory;
            }
            // The PT exists (the old PTE is in it), so this cannot need a frame.
            _table.Set(va, Pte.Make(pfn, keep));
            _vm.Pages[pfn].MapCount = 1;
            _vm.Charger.Commit(payer, pfn, ChargeKind.Anon);
            PutPage(old);
            PageCache.Put(_vm, old);
            return FaultResult.Handled;
        }

        // Maps a new anonymous frame (zeroed, or a copy of source) at an unmapped va: charged, on
        // the LRU, counted in Rss. OutOfMemory, holding nothing, when any step fails.
        private FaultResult MapNewAnon(ulong va, uint source, PteFlags flags)
        {
            if (!TryNewAnonFrame(va, source, out uint pfn, out MemoryContainer payer)) return FaultResult.OutOfMemory;
            if (!_table.Map(va, pfn, flags))
            {
                _vm.Buddy.Free(pfn, 0);
                _vm.Charger.Cancel(payer);
                return FaultResult.OutOfMemory;
            }
            _vm.Pages[pfn].MapCount = 1;
            _vm.Charger.Commit(payer, pfn, ChargeKind.Anon);
            _rss++;
            return FaultResult.Handled;
        }

        // A reserved charge and a new anonymous frame for va: zeroed (source = NoFrame) or copied
        // from source, owned by this mm, not yet mapped or committed. False, holding nothing, when
        // the charge is refused or memory is out.
        private bool TryNewAnonFrame(ulong va, uint source, out uint pfn, out MemoryContainer payer)
        {
            pfn = Page.NoFrame;
            if (_vm.Charger.TryCharge(Container, out payer) != Errno.None) return false;
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn))
            {
                _vm.Charger.Cancel(payer);
                return false;
            }
            if (source == Page.NoFrame) _vm.ZeroFrame(pfn); else _vm.CopyFrame(pfn, source);
            Page* p = _vm.Pages + pfn;
            p->Flags = PageFlags.Anon;
            p->OwnerId = _id;
            p->OwnerIndex = va >> Paging.Shift;
            return true;
        }

        private static bool Allowed(Protection prot, FaultAccess access)
        {
            if (access == FaultAccess.Write) return (prot & Protection.Write) != 0;
            if (access == FaultAccess.Execute) return (prot & Protection.Execute) != 0;
            // x86 cannot make a page writable or executable but unreadable (Linux agrees).
            return prot != Protection.None;
        }

        internal static PteFlags LeafFlags(Protection prot)
        {
            PteFlags f = PteFlags.Present | PteFlags.User;
            if ((prot & Protection.Write) != 0) f |= PteFlags.Writable;
            if ((prot & Protection.Execute) == 0) f |= PteFlags.NoExecute;
            return f;
        }
    }
}
