// One address space's x86-64 4-level page tables (PML4 → PDPT → PD → PT, 512 entries each), in
// frames from the buddy allocator (AllocFlags.Kernel, Page.Flags Kernel), reached through the
// direct map. User mappings are 4 KiB pages in the lower half (va < UserTop); PML4 entries 256-511
// are copied from the kernel's template PML4 at creation and never touched again, so the kernel
// must never add a top-level kernel entry after boot (preallocate all 256 kernel PDPTs).
//
// PTE format (PteFlags): present entries hold the frame's physical address in bits 12-51 plus the
// hardware bits and the software Cow bit (9). Non-present leaf entries: 0 is "nothing mapped";
// a swap entry has bit 0 clear, bit 1 (SwapTag) set and the swap slot number *inverted* in bits
// 12-51 (so a stale speculative walk points above any RAM, as Linux does against L1TF); all other
// bits 0. Intermediate entries are Present|Writable|User: permissions are decided at the leaf.
//
// Invariants: Page.Private of every table frame counts its non-zero entries (the root counts only
// its user half); a table other than the root is never left with a count of 0 (it is freed and
// its parent entry cleared at once), so an empty user half is the root alone. Map/Set either
// succeed or leave the tree exactly as it was (tables allocated by a failing call are freed).
// The TLB is only invalidated while IsCurrent (the kernel sets it around CR3 switches); other
// address spaces have no TLB entries on a uniprocessor, since loading CR3 drops non-global ones.
// Frames whose PTEs a walk clears may be freed before its closing FlushAll: safe only because the
// kernel runs this with interrupts off on one CPU (an SMP kernel needs Linux's mmu_gather).
using Kernel.Abi;

namespace Kernel.Mm
{
    [System.Flags]
    public enum PteFlags : ulong
    {
        None = 0,
        Present = 1UL << 0,
        Writable = 1UL << 1,
        User = 1UL << 2,
        WriteThrough = 1UL << 3,
        CacheDisable = 1UL << 4,
        Accessed = 1UL << 5,
        Dirty = 1UL << 6,
        Huge = 1UL << 7,       // PS in a PDPT/PD entry; never set by this code
        Global = 1UL << 8,
        Cow = 1UL << 9,        // software: write-protected because the frame is shared copy-on-write
        NoExecute = 1UL << 63, // needs EFER.NXE
    }

    // PTE values: building and taking apart the formats described above.
    public static class Pte
    {
        public const ulong AddressMask = 0x000F_FFFF_FFFF_F000UL;
        public const ulong SwapTag = 1UL << 1;

        public static ulong Make(uint pfn, PteFlags flags) => ((ulong)pfn << Paging.Shift) | (ulong)flags;
        public static uint Pfn(ulong pte) => (uint)((pte & AddressMask) >> Paging.Shift);
        public static PteFlags Flags(ulong pte) => (PteFlags)(pte & ~AddressMask);
        public static bool IsPresent(ulong pte) => (pte & (ulong)PteFlags.Present) != 0;
        public static bool Has(ulong pte, PteFlags flag) => (pte & (ulong)flag) != 0;
        public static bool IsSwap(ulong pte) => (pte & ((ulong)PteFlags.Present | SwapTag)) == SwapTag;
        public static ulong MakeSwap(uint slot) => SwapTag | ((~((ulong)slot << Paging.Shift)) & AddressMask);
        public static uint SwapSlot(ulong pte) => (uint)(((~pte) & AddressMask) >> Paging.Shift);
    }

    // The hardware side of a page-table change; the kernel's version runs invlpg / reloads CR3.
    public abstract class Mmu
    {
        public abstract void Invalidate(ulong va);   // one page of the current address space
        public abstract void FlushAll();             // every non-global entry
        public abstract void Load(ulong rootPhysical);  // makes this PML4 the current one (CR3)
    }

    // What PageTable.Walk calls for each leaf entry in its range. The return value is stored in
    // the entry (return the argument to keep it, 0 to clear it). A visitor must not change the
    // page table being walked by other means.
    public abstract class PteVisitor
    {
        public abstract ulong Visit(ulong va, ulong pte);             // present entries
        public virtual ulong VisitSwap(ulong va, ulong pte) => pte;   // non-present, non-empty
    }

    public sealed unsafe class PageTable
    {
        public const ulong UserTop = 0x0000_8000_0000_0000UL;
        public const int KernelFirstEntry = 256;
        private const int Entries = 512;
        private const PteFlags TableFlags = PteFlags.Present | PteFlags.Writable | PteFlags.User;
        // A walk that invalidates more pages than this ends with one FlushAll instead.
        private const int FlushThreshold = 32;

        private readonly BuddyAllocator _buddy;
        private readonly Page* _pages;
        private readonly byte* _directMap;
        private readonly Mmu _mmu;
        private readonly PanicHandler _panic;
        private readonly uint[] _path = new uint[5];   // table pfns by level (4 = root) of one va
        private uint _root;
        private uint _tablePages;
        private bool _isCurrent;
        private bool _batching;
        private int _invalidations;

        private PageTable(BuddyAllocator buddy, byte* directMap, Mmu mmu, PanicHandler panic)
        {
            _buddy = buddy;
            _pages = buddy.Frames.Pages;
            _directMap = directMap;
            _mmu = mmu;
            _panic = panic;
        }

        // A new address space's tables: a zeroed root whose kernel half is the template's. Null
        // when no frame is left.
        public static PageTable Create(BuddyAllocator buddy, byte* directMap, Mmu mmu, uint kernelTemplatePfn, PanicHandler panic)
        {
            PageTable t = new PageTable(buddy, directMap, mmu, panic);
            uint root;
            if (!t.AllocTable(out root)) return null;
            ulong* dst = t.Table(root), src = t.Table(kernelTemplatePfn);
            for (int i = KernelFirstEntry; i < Entries; i++) dst[i] = src[i];
            t._root = root;
            return t;
        }

        public uint RootPfn => _root;
        public ulong RootPhysical => (ulong)_root << Paging.Shift;   // what CR3 gets
        public uint TablePages => _tablePages;           // including the root
        // Set by the kernel when it loads (true) or leaves (false) this root in CR3.
        public bool IsCurrent { get => _isCurrent; set => _isCurrent = value; }

        public static bool IsUserPage(ulong va) => va < UserTop;

        // Maps the 4 KiB page at va to frame pfn (replacing whatever was there; the caller owns
        // the old frame). Present is added to flags. False when a table could not be allocated.
        public bool Map(ulong va, uint pfn, PteFlags flags) => Set(va, Pte.Make(pfn, flags | PteFlags.Present));

        // Stores any leaf value at va (a present PTE, a swap entry, or 0 = Unmap), allocating
        // missing tables. False when out of frames: then nothing has changed.
        public bool Set(ulong va, ulong pte)
        {
            if (!CheckUser(va, "Set")) return false;
            va &= ~Paging.OffsetMask;
            if (pte == 0)
            {
                Unmap(va);
                return true;
            }
            uint table = _root;
            for (int level = 4; level > 1; level--)
            {
                _path[level] = table;
                ulong* e = Table(table) + Index(va, level);
                if (*e == 0)
                {
                    uint child;
                    if (!AllocTable(out child))
                    {
                        // A table this call added is still empty (no other table is):
                        // free it and whatever above it became empty in turn.
                        if (level < 4 && _pages[table].Private == 0)
                        {
                            Table(_path[level + 1])[Index(va, level + 1)] = 0;
                            FreeTable(table);
                            DropEntry(va, level + 1);
                        }
                        return false;
                    }
                    *e = Pte.Make(child, TableFlags);
                    _pages[table].Private++;
                    table = child;
                }
                else table = Pte.Pfn(*e);
            }
            ulong* leaf = Table(table) + Index(va, 1);
            ulong old = *leaf;
            *leaf = pte;
            if (old == 0) _pages[table].Private++;
            else if (Pte.IsPresent(old)) Invalidate(va);
            return true;
        }

        // Clears the entry for va and frees tables left empty. Returns the old entry (0 if none).
        public ulong Unmap(ulong va)
        {
            if (!CheckUser(va, "Unmap")) return 0;
            va &= ~Paging.OffsetMask;
            ulong* leaf = Find(va);
            if (leaf == null || *leaf == 0) return 0;
            ulong old = *leaf;
            *leaf = 0;
            if (Pte.IsPresent(old)) Invalidate(va);
            DropEntry(va, 1);
            return old;
        }

        // The leaf entry for va; 0 when nothing (or a kernel address).
        public ulong Lookup(ulong va)
        {
            if (!IsUserPage(va)) return 0;
            ulong* leaf = Find(va);
            return leaf == null ? 0 : *leaf;
        }

        // For the reclaimer's aging: whether va maps frame pfn (mapsFrame) and, if so, whether its
        // Accessed bit was set; the bit is cleared.
        public bool TestAndClearAccessed(ulong va, uint pfn, out bool mapsFrame)
        {
            mapsFrame = false;
            if (!IsUserPage(va)) return false;
            ulong* leaf = Find(va);
            if (leaf == null || !Pte.IsPresent(*leaf) || Pte.Pfn(*leaf) != pfn) return false;
            mapsFrame = true;
            if (!Pte.Has(*leaf, PteFlags.Accessed)) return false;
            *leaf &= ~(ulong)PteFlags.Accessed;
            Invalidate(va);
            return true;
        }

        // Calls the visitor for every non-empty leaf entry in [start, end) (rounded out to pages,
        // clipped to the user half), lowest address first; stores what it returns, invalidating
        // the TLB for changed present entries and freeing tables left empty.
        public void Walk(ulong start, ulong end, PteVisitor visitor)
        {
            if (end > UserTop) end = UserTop;
            start &= ~Paging.OffsetMask;
            if (start >= end) return;
            _batching = true;
            _invalidations = 0;
            WalkTable(_root, 4, 0, start, end, visitor);
            _batching = false;
            if (_invalidations > FlushThreshold && _isCurrent) _mmu.FlushAll();
        }

        // Frees every table page of the user half and clears the root's user entries. Frames the
        // leaves still map are the caller's (unmap them first, e.g. with Walk).
        public void FreeUserTables()
        {
            ulong* root = Table(_root);
            for (int i = 0; i < KernelFirstEntry; i++)
            {
                if (root[i] == 0) continue;
                FreeSubtree(Pte.Pfn(root[i]), 3);
                root[i] = 0;
            }
            _pages[_root].Private = 0;
            if (_isCurrent) _mmu.FlushAll();
        }

        // Frees the user half's tables and the root. The address space must not be current.
        public void Free()
        {
            if (_isCurrent)
            {
                _panic.Panic("mm: freeing the page tables in CR3");
                return;
            }
            if (_root == Page.NoFrame) return;
            FreeUserTables();
            FreeTable(_root);
            _root = Page.NoFrame;
        }

        private void WalkTable(uint table, int level, ulong baseVa, ulong start, ulong end, PteVisitor visitor)
        {
            int shift = 12 + 9 * (level - 1);
            ulong* t = Table(table);
            int first = start <= baseVa ? 0 : (int)((start - baseVa) >> shift);
            ulong last = (end - 1 - baseVa) >> shift;   // end > baseVa: the caller checked
            int stop = last >= Entries ? Entries - 1 : (int)last;
            for (int i = first; i <= stop; i++)
            {
                ulong e = t[i];
                if (e == 0) continue;
                ulong va = baseVa + ((ulong)i << shift);
                if (level == 1)
                {
                    bool present = Pte.IsPresent(e);
                    ulong now = present ? visitor.Visit(va, e) : visitor.VisitSwap(va, e);
                    if (now == e) continue;
                    t[i] = now;
                    if (present) Invalidate(va);
                    if (now == 0) _pages[table].Private--;
                    continue;
                }
                uint child = Pte.Pfn(e);
                WalkTable(child, level - 1, va, start, end, visitor);
                if (_pages[child].Private == 0)
                {
                    t[i] = 0;
                    _pages[table].Private--;
                    FreeTable(child);
                    Invalidate(va);   // drops paging-structure caches naming the freed table
                }
            }
        }

        // The entry at `level` for va in _path[level] was just cleared: count it and free every
        // table on the path (not the root) that became empty.
        private void DropEntry(ulong va, int level)
        {
            while (true)
            {
                uint t = _path[level];
                _pages[t].Private--;
                if (level == 4 || _pages[t].Private != 0) return;
                Table(_path[level + 1])[Index(va, level + 1)] = 0;
                FreeTable(t);
                Invalidate(va);
                level++;
            }
        }

        // va's leaf entry with _path filled, or null when a table on the way is missing.
        private ulong* Find(ulong va)
        {
            uint table = _root;
            for (int level = 4; level > 1; level--)
            {
                _path[level] = table;
                ulong e = Table(table)[Index(va, level)];
                if (!Pte.IsPresent(e)) return null;
                table = Pte.Pfn(e);
            }
            _path[1] = table;
            return Table(table) + Index(va, 1);
        }

        private void FreeSubtree(uint table, int level)
        {
            if (level > 1)
            {
                ulong* t = Table(table);
                for (int i = 0; i < Entries; i++)
                    if (Pte.IsPresent(t[i])) FreeSubtree(Pte.Pfn(t[i]), level - 1);
            }
            FreeTable(table);
        }

        private bool AllocTable(out uint pfn)
        {
            if (!_buddy.TryAlloc(0, AllocFlags.Kernel, out pfn)) return false;
            ulong* t = Table(pfn);
            for (int i = 0; i < Entries; i++) t[i] = 0;
            _pages[pfn].Flags = PageFlags.Kernel;
            _pages[pfn].Private = 0;
            _tablePages++;
            return true;
        }

        private void FreeTable(uint pfn)
        {
            _pages[pfn].Private = 0;
            _tablePages--;
            _buddy.Free(pfn, 0);
        }

        private void Invalidate(ulong va)
        {
            if (!_isCurrent) return;
            if (_batching && ++_invalidations > FlushThreshold) return;
            _mmu.Invalidate(va);
        }

        private bool CheckUser(ulong va, string what)
        {
            if (IsUserPage(va)) return true;
            _panic.Panic("mm: PageTable." + what + " of kernel address " + va.ToString());
            return false;
        }

        private ulong* Table(uint pfn) => (ulong*)(_directMap + ((ulong)pfn << Paging.Shift));

        private static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & (Entries - 1));
    }
}
