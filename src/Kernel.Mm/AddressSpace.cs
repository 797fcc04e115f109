// A user address space (Linux's mm_struct; SerenityOS's AddressSpace): its page tables, its
// regions, its resident pages. Memory is lazy: MapAnonymous and MapFile only record a region, and
// a fault (Fault.cs, the whole fault path top to bottom) brings a frame in. Fork shares every
// present page copy-on-write. Container is the memory container this mm's new anonymous pages
// are charged to (null = the root); the kernel keeps it equal to its task's, fork copies it.
//
// An anonymous frame mapped here has Page.Flags Anon (plus Active/Inactive: it is on the LRU),
// OwnerId = Id of the mm that faulted it in, OwnerIndex = its virtual page number, and
// MapCount = RefCount = the number of PTEs mapping it (each mapping holds one reference). A
// page-cache frame (PageCache.cs) holds one more reference, the cache's. The last reference
// uncharges a frame (which takes it off the LRU) and frees it.
//
// Invariants: every present user PTE lies inside a region and maps an Anon frame or (read-only)
// a File frame; a PTE of a writable region lacks Writable only while its frame may be shared (Cow
// set by fork, or a page-cache frame); Rss is the number of present user PTEs, SwapEntries the
// number of swap entries. After Destroy the mm holds no frames and no swap entries and is not
// registered.
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed unsafe partial class AddressSpace
    {
        private readonly MmContext _vm;
        private readonly PageTable _table;
        private readonly RegionList _regions;
        private readonly Walker _walker;
        private uint _id;
        private uint _rss;
        private uint _swapEntries;
        private bool _destroyed;

        private AddressSpace(MmContext vm, PageTable table)
        {
            _vm = vm;
            _table = table;
            _regions = new RegionList(8);
            _walker = new Walker(this);
        }

        // A new, empty address space registered under a fresh id; ENOMEM when out of frames.
        public static Errno Create(MmContext vm, out AddressSpace mm)
        {
            vm.Lock.AssertHeld("mm: create");
            mm = null;
            PageTable table = PageTable.Create(vm.Buddy, vm.DirectMap, vm.Mmu, vm.KernelTemplatePfn, vm.Panic);
            if (table == null) return Errno.ENOMEM;
            mm = new AddressSpace(vm, table);
            mm._id = vm.Registry.Register(mm);
            return Errno.None;
        }

        public uint Id => _id;
        public MemoryContainer Container { get; set; }
        public PageTable Table => _table;
        public uint ResidentPages => _rss;
        public uint SwapEntries => _swapEntries;   // pages of this mm now only on swap
        public int RegionCount => _regions.Count;
        public Region RegionAt(int index) => _regions.At(index);
        public bool FindRegion(ulong va, out Region region) => _regions.Find(va, out region);
        public bool IsDestroyed => _destroyed;
        // Set by the kernel when it loads this mm's root in CR3 (true) or switches away (false).
        public bool IsCurrent { get => _table.IsCurrent; set => _table.IsCurrent = value; }

        // Records an anonymous region of `pages` pages at start; no frames yet. EINVAL for a
        // misaligned or empty range, ENOMEM for one outside the user half, EEXIST when it
        // overlaps a region (Linux's MAP_FIXED_NOREPLACE).
        public Errno MapAnonymous(ulong start, ulong pages, Protection prot)
        {
            _vm.Lock.AssertHeld("mm: map");
            Errno e = CheckRange(start, pages, out ulong end);
            if (e != Errno.None) return e;
            return _regions.Insert(Region.Anonymous(start, end, prot)) ? Errno.None : Errno.EEXIST;
        }

        // Records a private file region: page filePage on of the PageCache with Id fileId, at start.
        public Errno MapFile(ulong start, ulong pages, Protection prot, uint fileId, ulong filePage)
        {
            _vm.Lock.AssertHeld("mm: map");
            Errno e = CheckRange(start, pages, out ulong end);
            if (e != Errno.None) return e;
            return _regions.Insert(Region.File(start, end, prot, fileId, filePage)) ? Errno.None : Errno.EEXIST;
        }

        // Unmaps [start, start + pages * 4 KiB): drops every frame mapped there and removes the
        // range from the regions (splitting them).
        public Errno Unmap(ulong start, ulong pages)
        {
            _vm.Lock.AssertHeld("mm: unmap");
            Errno e = CheckRange(start, pages, out ulong end);
            if (e != Errno.None) return e;
            _walker.Mode = WalkMode.Unmap;
            _table.Walk(start, end, _walker);
            _regions.Carve(start, end);
            return Errno.None;
        }

        // Truncation of the file fileId to firstIndex pages: unmaps every page of this mm's
        // regions of that file at file index >= firstIndex (the regions stay).
        internal void UnmapFilePages(uint fileId, ulong firstIndex)
        {
            for (int i = 0; i < _regions.Count; i++)
            {
                Region r = _regions.At(i);
                if (r.Kind != RegionKind.File || r.FileId != fileId) continue;
                ulong from = firstIndex <= r.FilePage ? r.Start : r.Start + ((firstIndex - r.FilePage) << Paging.Shift);
                if (from >= r.End) continue;
                _walker.Mode = WalkMode.Unmap;
                _table.Walk(from, r.End, _walker);
            }
        }

        // Reclaim of a page-cache frame: unmaps it wherever this mm maps page `index` of fileId
        // (only PTEs that map that very frame: private copies stay).
        internal void UnmapFilePage(uint fileId, ulong index, uint pfn)
        {
            for (int i = 0; i < _regions.Count; i++)
            {
                Region r = _regions.At(i);
                if (r.Kind != RegionKind.File || r.FileId != fileId || index < r.FilePage) continue;
                ulong va = r.Start + ((index - r.FilePage) << Paging.Shift);
                if (va >= r.End) continue;
                ulong pte = _table.Lookup(va);
                if (!Pte.IsPresent(pte) || Pte.Pfn(pte) != pfn) continue;
                _walker.Mode = WalkMode.Unmap;
                _table.Walk(va, va + Paging.Size, _walker);
            }
        }

        // Aging: tests and clears the Accessed bit wherever this mm maps page `index` of fileId as
        // frame pfn.
        internal bool TestAndClearFileAccessed(uint fileId, ulong index, uint pfn)
        {
            bool referenced = false;
            for (int i = 0; i < _regions.Count; i++)
            {
                Region r = _regions.At(i);
                if (r.Kind != RegionKind.File || r.FileId != fileId || index < r.FilePage) continue;
                ulong va = r.Start + ((index - r.FilePage) << Paging.Shift);
                if (va < r.End && _table.TestAndClearAccessed(va, pfn, out bool _)) referenced = true;
            }
            return referenced;
        }

        // Swap-out: the PTE at va, if it maps pfn, becomes a swap entry for slot.
        internal void SwapOutPte(ulong va, uint pfn, uint slot)
        {
            ulong pte = _table.Lookup(va);
            if (!Pte.IsPresent(pte) || Pte.Pfn(pte) != pfn) return;
            _table.Set(va, Pte.MakeSwap(slot));
            Page* p = _vm.Pages + pfn;
            p->MapCount--;
            p->RefCount--;
            _vm.Swap.Dup(slot);
            _rss--;
            _swapEntries++;
        }

        // Swap-in mapped a page where a swap entry was.
        internal void SwapInPte()
        {
            _rss++;
            _swapEntries--;
        }

        // swapoff: faults every swap entry of this mm back in. ENOMEM when memory runs out.
        internal Errno SwapInAll()
        {
            for (int i = 0; i < _regions.Count && _swapEntries > 0; i++)
            {
                Region r = _regions.At(i);
                for (ulong va = r.Start; va < r.End && _swapEntries > 0; va += Paging.Size)
                {
                    ulong pte = _table.Lookup(va);
                    while (Pte.IsSwap(pte))
                    {
                        FaultResult f = _vm.Swap.Fault(this, va, pte, r);
                        if (f == FaultResult.OutOfMemory) return Errno.ENOMEM;
                        if (f != FaultResult.Handled) return Errno.EIO;
                        pte = _table.Lookup(va);
                    }
                }
            }
            return Errno.None;
        }

        // Adds this mm's swap entries per slot into counts (memcheck).
        internal void CountSwapEntries(int[] counts)
        {
            _walker.Mode = WalkMode.Count;
            _walker.Counts = counts;
            _table.Walk(0, PageTable.UserTop, _walker);
            _walker.Counts = null;
        }

        // A copy of this mm: the same regions, every present page shared. Pages of writable
        // regions become read-only + Cow in both. ENOMEM when out of frames; this mm is then as
        // it was (apart from pages left write-protected, whose next write fault re-enables them).
        public Errno Fork(out AddressSpace child)
        {
            Errno e = Create(_vm, out child);
            if (e != Errno.None) return e;
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
            if (!_walker.Failed) return Errno.None;
            child.Destroy();
            child = null;
            _walker.Mode = WalkMode.Restore;
            for (int i = 0; i < _regions.Count; i++)
            {
                Region r = _regions.At(i);
                if ((r.Prot & Protection.Write) != 0) _table.Walk(r.Start, r.End, _walker);
            }
            return Errno.ENOMEM;
        }

        // Frees every user frame, every table page and the root; unregisters the mm. The kernel
        // must have switched CR3 away first.
        public void Destroy()
        {
            _vm.Lock.AssertHeld("mm: destroy");
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
            if (p->MapCount == 0 && (p->Flags & PageFlags.File) != 0) _vm.Charger.Unmapped(pfn);
            PageCache.Put(_vm, pfn);
        }

        private static Errno CheckRange(ulong start, ulong pages, out ulong end)
        {
            end = 0;
            if ((start & Paging.OffsetMask) != 0 || pages == 0) return Errno.EINVAL;
            if (start >= PageTable.UserTop || pages > (PageTable.UserTop - start) >> Paging.Shift) return Errno.ENOMEM;
            end = start + (pages << Paging.Shift);
            return Errno.None;
        }

        private enum WalkMode { Unmap, Fork, Restore, Count }

        // The PteVisitor for this mm's walks, one per mm (so walks allocate nothing). Mode and the
        // fields below are set before each walk.
        private sealed class Walker : PteVisitor
        {
            private readonly AddressSpace _mm;
            public WalkMode Mode;
            public AddressSpace Child;   // Fork
            public bool Writable;        // Fork: the region being copied is writable
            public bool Failed;          // Fork: the child ran out of frames
            public int[] Counts;         // Count: swap entries per slot

            public Walker(AddressSpace mm) { _mm = mm; }

            // Swap entries: Unmap drops the slot's reference, Fork copies the entry to the child
            // with one more reference, Count counts them.
            public override ulong VisitSwap(ulong va, ulong pte)
            {
                if (!Pte.IsSwap(pte)) return pte;
                uint slot = Pte.SwapSlot(pte);
                if (Mode == WalkMode.Unmap)
                {
                    _mm._swapEntries--;
                    _mm._vm.Swap.Drop(slot);
                    return 0;
                }
                if (Mode == WalkMode.Count)
                {
                    if (slot < (uint)Counts.Length) Counts[slot]++;
                    return pte;
                }
                if (Mode != WalkMode.Fork || Failed) return pte;
                if (!Child._table.Set(va, pte))
                {
                    Failed = true;
                    return pte;
                }
                _mm._vm.Swap.Dup(slot);
                Child._swapEntries++;
                return pte;
            }

            public override ulong Visit(ulong va, ulong pte)
            {
                if (Mode == WalkMode.Count) return pte;
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
