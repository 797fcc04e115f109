// A user address space (Linux's mm_struct): its page tables, its regions, its resident pages.
// Memory is lazy: MapAnonymous and MapFile only record a region, and a fault brings in a zeroed
// frame or maps the file's page-cache frame. Fork shares every present page copy-on-write; the
// first write to a shared page copies it, or, when the writer is the last mapper of an anonymous
// page, just makes it writable again. File regions are private mappings: a page-cache frame is
// always mapped read-only and a write copies it into an anonymous frame.
//
// An anonymous frame mapped here has Page.Flags Anon (plus Active/Inactive: it is on the LRU),
// OwnerId = Id of the mm that faulted it in, OwnerIndex = its virtual page number, and
// MapCount = RefCount = the number of PTEs mapping it (each mapping holds one reference). A
// page-cache frame (PageCache.cs) holds one more reference, the cache's. The last reference
// takes a frame off the LRU, uncharges it and frees it. Container is the memory container new
// anonymous pages are charged to (null = the root); the kernel sets it, fork copies it.
//
// Invariants: every present user PTE lies inside a region and maps an Anon frame or (read-only)
// a File frame; a PTE of a writable region lacks Writable only while its frame may be shared (Cow
// set by fork, or a page-cache frame); Rss is the number of present user PTEs. After Destroy the
// mm holds no frames and is not registered.
// Not locked: the kernel calls this with interrupts off.
namespace Kernel.Mm
{
    public enum FaultAccess { Read, Write, Execute }

    public enum FaultResult { Handled, SegmentationFault, OutOfMemory, ProtectionViolation }

    public sealed unsafe class AddressSpace
    {
        private const ulong PageSize = PageTable.PageSize;

        private readonly MmContext _vm;
        private readonly PageTable _table;
        private readonly RegionList _regions;
        private readonly Walker _walker;
        private uint _id;
        private uint _rss;
        private bool _destroyed;

        private AddressSpace(MmContext vm, PageTable table)
        {
            _vm = vm;
            _table = table;
            _regions = new RegionList(8);
            _walker = new Walker(this);
        }

        // A new, empty address space, registered under a fresh id; null when out of frames.
        public static AddressSpace Create(MmContext vm)
        {
            PageTable table = PageTable.Create(vm.Buddy, vm.DirectMap, vm.Mmu, vm.KernelTemplatePfn, vm.Panic);
            if (table == null) return null;
            AddressSpace mm = new AddressSpace(vm, table);
            mm._id = vm.Registry.Register(mm);
            return mm;
        }

        public uint Id => _id;
        public MemoryContainer Container { get; set; }
        public PageTable Table => _table;
        public uint ResidentPages => _rss;
        public int RegionCount => _regions.Count;
        public Region RegionAt(int index) => _regions.At(index);
        public bool FindRegion(ulong va, out Region region) => _regions.Find(va, out region);
        public bool IsDestroyed => _destroyed;
        // Set by the kernel when it loads this mm's root in CR3 (true) or switches away (false).
        public bool IsCurrent { get => _table.IsCurrent; set => _table.IsCurrent = value; }

        // Records an anonymous region of `pages` pages at start; no frames yet. False when the
        // range is misaligned, empty, outside the user half or overlaps a region.
        public bool MapAnonymous(ulong start, ulong pages, Protection prot)
        {
            ulong end;
            if (!CheckRange(start, pages, out end)) return false;
            return _regions.Insert(Region.Anonymous(start, end, prot));
        }

        // Records a private file region: page filePage on of the PageCache with Id fileId, at start.
        public bool MapFile(ulong start, ulong pages, Protection prot, uint fileId, ulong filePage)
        {
            ulong end;
            if (!CheckRange(start, pages, out end)) return false;
            return _regions.Insert(Region.File(start, end, prot, fileId, filePage));
        }

        // Unmaps [start, start + pages * 4 KiB): drops every frame mapped there and removes the
        // range from the regions (splitting them). False only for a bad range.
        public bool Unmap(ulong start, ulong pages)
        {
            ulong end;
            if (!CheckRange(start, pages, out end)) return false;
            _walker.Mode = WalkMode.Unmap;
            _table.Walk(start, end, _walker);
            _regions.Carve(start, end);
            return true;
        }

        public FaultResult HandleFault(ulong va, FaultAccess access)
        {
            Region r;
            if (_destroyed || !PageTable.IsUserPage(va) || !_regions.Find(va, out r)) return FaultResult.SegmentationFault;
            if (!Allowed(r.Prot, access)) return FaultResult.ProtectionViolation;
            va &= ~(PageSize - 1);
            ulong pte = _table.Lookup(va);
            if (Pte.IsPresent(pte))
            {
                if (access == FaultAccess.Write && !Pte.Has(pte, PteFlags.Writable)) return BreakCow(va, pte);
                // Spurious: the TLB held an older entry.
                if (IsCurrent) _vm.Mmu.Invalidate(va);
                return FaultResult.Handled;
            }
            // Swap entries appear with reclaim.
            if (pte != 0) return FaultResult.SegmentationFault;
            return r.Kind == RegionKind.File ? FaultInFile(va, r, access) : FaultInAnonymous(va, r, access);
        }

        // A copy of this mm: the same regions, every present page shared. Pages of writable
        // regions become read-only + Cow in both. Null when out of frames; this mm is then as it
        // was (apart from pages left write-protected, whose next write fault re-enables them).
        public AddressSpace Fork()
        {
            AddressSpace child = Create(_vm);
            if (child == null) return null;
            child.Container = Container;
            _walker.Mode = WalkMode.Fork;
            _walker.Child = child;
            _walker.Failed = false;
            for (int i = 0; i < _regions.Count && !_walker.Failed; i++)
            {
                Region r = _regions.At(i);
                child._regions.Insert(r);
                _walker.Writable = (r.Prot & Protection.Write) != 0;
                _table.Walk(r.Start, r.End, _walker);
            }
            _walker.Child = null;
            if (!_walker.Failed) return child;
            child.Destroy();
            _walker.Mode = WalkMode.Restore;
            for (int i = 0; i < _regions.Count; i++)
            {
                Region r = _regions.At(i);
                if ((r.Prot & Protection.Write) != 0) _table.Walk(r.Start, r.End, _walker);
            }
            return null;
        }

        // Frees every user frame, every table page and the root; unregisters the mm. The kernel
        // must have switched CR3 away first.
        public void Destroy()
        {
            if (_destroyed) return;
            if (IsCurrent)
            {
                _vm.Panic.Panic("mm: destroying the current address space " + _id.ToString());
                return;
            }
            _walker.Mode = WalkMode.Unmap;
            _table.Walk(0, PageTable.UserTop, _walker);
            _table.Free();
            _regions.Clear();
            _vm.Registry.Unregister(_id);
            _destroyed = true;
        }

        // A new anonymous frame for va: zeroed (source = NoFrame) or copied from source, owned by
        // this mm, not yet mapped, and charged. False, holding nothing, when out of memory or when
        // the charge is refused.
        private bool TryNewAnonFrame(ulong va, uint source, out uint pfn)
        {
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn)) return false;
            if (source == Page.NoFrame) _vm.ZeroFrame(pfn); else _vm.CopyFrame(pfn, source);
            Page* p = _vm.Pages + pfn;
            p->Flags = PageFlags.Anon;
            p->OwnerId = _id;
            p->OwnerIndex = va >> 12;
            p->MapCount = 0;
            p->ContainerId = 0;
            if (_vm.Events.TryCharge(this, pfn)) return true;
            _vm.Buddy.Free(pfn, 0);
            pfn = Page.NoFrame;
            return false;
        }

        private FaultResult FaultInAnonymous(ulong va, Region r, FaultAccess access)
        {
            PteFlags flags = LeafFlags(r.Prot) | PteFlags.Accessed;
            if (access == FaultAccess.Write) flags |= PteFlags.Dirty;
            return MapNewAnon(va, Page.NoFrame, flags);
        }

        // Maps a new anonymous frame (zeroed, or a copy of source) at an unmapped va: charged, on
        // the LRU, counted in Rss. OutOfMemory, holding nothing, when any step fails.
        private FaultResult MapNewAnon(ulong va, uint source, PteFlags flags)
        {
            if (!TryNewAnonFrame(va, source, out uint pfn)) return FaultResult.OutOfMemory;
            if (!_table.Map(va, pfn, flags))
            {
                _vm.Events.Uncharge(pfn);
                _vm.Buddy.Free(pfn, 0);
                return FaultResult.OutOfMemory;
            }
            Page* p = _vm.Pages + pfn;
            p->MapCount = 1;
            _vm.Lru.Add(pfn, p->ContainerId);
            _rss++;
            return FaultResult.Handled;
        }

        // A page of a file region: the page-cache frame mapped read-only, or for a write, a private
        // anonymous copy of it. Past the end of the file: SegmentationFault (Linux's SIGBUS).
        private FaultResult FaultInFile(ulong va, Region r, FaultAccess access)
        {
            PageCache cache = _vm.Caches.Find(r.FileId);
            ulong index = r.FilePage + ((va - r.Start) >> 12);
            if (cache == null || index >= (cache.Size + PageSize - 1) >> 12) return FaultResult.SegmentationFault;
            if (!cache.TryGetOrCreate(index, Container, out uint cached)) return FaultResult.OutOfMemory;
            if (access == FaultAccess.Write)
                return MapNewAnon(va, cached, LeafFlags(r.Prot) | PteFlags.Accessed | PteFlags.Dirty);
            PteFlags flags = (LeafFlags(r.Prot) & ~PteFlags.Writable) | PteFlags.Accessed;
            if ((r.Prot & Protection.Write) != 0) flags |= PteFlags.Cow;
            if (!_table.Map(va, cached, flags)) return FaultResult.OutOfMemory;
            Page* p = _vm.Pages + cached;
            p->RefCount++;
            if (p->MapCount++ == 0) _vm.Events.Mapped(cached);
            _rss++;
            return FaultResult.Handled;
        }

        // A write to a present read-only page of a writable region.
        private FaultResult BreakCow(ulong va, ulong pte)
        {
            uint old = Pte.Pfn(pte);
            Page* op = _vm.Pages + old;
            PteFlags keep = Pte.Flags(pte) & ~PteFlags.Cow;
            keep |= PteFlags.Writable | PteFlags.Dirty | PteFlags.Accessed;
            if (op->MapCount == 1 && (op->Flags & PageFlags.Anon) != 0)
            {
                // The last mapper: the frame is ours alone now.
                op->OwnerId = _id;
                op->OwnerIndex = va >> 12;
                _table.Set(va, Pte.Make(old, keep));
                return FaultResult.Handled;
            }
            if (!TryNewAnonFrame(va, old, out uint pfn)) return FaultResult.OutOfMemory;
            Page* p = _vm.Pages + pfn;
            // The PT exists (the old PTE is in it), so this cannot need a frame.
            _table.Set(va, Pte.Make(pfn, keep));
            p->MapCount = 1;
            _vm.Lru.Add(pfn, p->ContainerId);
            PutPage(old);
            return FaultResult.Handled;
        }

        // Drops one mapping's reference to a user frame; the last reference frees it.
        private void PutPage(uint pfn)
        {
            Page* p = _vm.Pages + pfn;
            if (p->MapCount <= 0 || p->RefCount <= 0)
            {
                _vm.Panic.Panic("mm: unmapping pfn " + pfn.ToString() + " with MapCount " + p->MapCount.ToString());
                return;
            }
            p->MapCount--;
            if (p->MapCount == 0 && (p->Flags & PageFlags.File) != 0) _vm.Events.Unmapped(pfn);
            PageCache.Put(_vm, pfn);
        }

        private static bool Allowed(Protection prot, FaultAccess access)
        {
            if (access == FaultAccess.Write) return (prot & Protection.Write) != 0;
            if (access == FaultAccess.Execute) return (prot & Protection.Execute) != 0;
            // x86 cannot make a page writable or executable but unreadable (Linux agrees).
            return prot != Protection.None;
        }

        private static PteFlags LeafFlags(Protection prot)
        {
            PteFlags f = PteFlags.Present | PteFlags.User;
            if ((prot & Protection.Write) != 0) f |= PteFlags.Writable;
            if ((prot & Protection.Execute) == 0) f |= PteFlags.NoExecute;
            return f;
        }

        private static bool CheckRange(ulong start, ulong pages, out ulong end)
        {
            end = 0;
            if ((start & (PageSize - 1)) != 0 || pages == 0 || start >= PageTable.UserTop) return false;
            if (pages > (PageTable.UserTop - start) >> 12) return false;
            end = start + (pages << 12);
            return true;
        }

        private enum WalkMode { Unmap, Fork, Restore }

        // The PteVisitor for this mm's walks, one per mm (the kernel heap is not collected, so
        // walks allocate nothing). Mode and the fields below are set before each walk.
        private sealed class Walker : PteVisitor
        {
            private readonly AddressSpace _mm;
            public WalkMode Mode;
            public AddressSpace Child;   // Fork
            public bool Writable;        // Fork: the region being copied is writable
            public bool Failed;          // Fork: the child ran out of frames

            public Walker(AddressSpace mm) { _mm = mm; }

            // Nothing writes swap entries yet. Unmap drops them (reclaim will free the slot
            // here); Fork does not copy them yet (reclaim must, with a slot reference).
            public override ulong VisitSwap(ulong va, ulong pte) => Mode == WalkMode.Unmap ? 0 : pte;

            public override ulong Visit(ulong va, ulong pte)
            {
                if (Mode == WalkMode.Unmap)
                {
                    _mm.PutPage(Pte.Pfn(pte));
                    _mm._rss--;
                    return 0;
                }
                Page* p = _mm._vm.Pages + Pte.Pfn(pte);
                if (Mode == WalkMode.Restore)
                {
                    if (Pte.Has(pte, PteFlags.Cow) && p->MapCount == 1 && (p->Flags & PageFlags.Anon) != 0)
                        return (pte | (ulong)PteFlags.Writable) & ~(ulong)PteFlags.Cow;
                    return pte;
                }
                if (Failed) return pte;
                if (Writable && Pte.Has(pte, PteFlags.Writable))
                    pte = (pte & ~(ulong)PteFlags.Writable) | (ulong)PteFlags.Cow;
                if (!Child._table.Set(va, pte & ~(ulong)PteFlags.Accessed))
                {
                    Failed = true;
                    return pte;
                }
                p->MapCount++;
                p->RefCount++;
                Child._rss++;
                return pte;
            }
        }
    }
}
