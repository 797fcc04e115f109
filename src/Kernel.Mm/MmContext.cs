// What every address space shares (Linux's globals around mm/): the frame allocator, the direct
// map, the MMU, the kernel's template PML4, the LRU lists, the mm and page-cache registries, the
// charging hooks memory containers attach to (PageEvents.cs), and the reverse map used to age
// anonymous pages (AnonRmap).
//
// The registries map ids to AddressSpaces and PageCaches, because frame records name their owner
// by id (Page.OwnerId). Ids come from a counter starting at 1 (0 = no owner) and are never reused, so
// the registry's arrays stay sorted by appending; Find is a binary search. Not locked: the kernel
// calls all of Kernel.Mm with interrupts off.
namespace Kernel.Mm
{
    // Whole-page fills and copies (4 KiB, page-aligned).
    public abstract unsafe class PageOps
    {
        public abstract void Zero(ulong* page);
        public abstract void Copy(ulong* destination, ulong* source);
    }

    // Objects by id: ids from 1 up, never reused, so appending keeps the arrays sorted.
    public class IdRegistry<T> where T : class
    {
        private uint[] _ids = new uint[16];
        private T[] _items = new T[16];
        private int _count;
        private uint _nextId = 1;

        public int Count => _count;
        public T At(int index) => _items[index];   // in id order

        // Enters item under a new id and returns the id.
        public uint Register(T item)
        {
            if (_count == _ids.Length)
            {
                uint[] ids = new uint[_count * 2];
                T[] items = new T[_count * 2];
                for (int i = 0; i < _count; i++) { ids[i] = _ids[i]; items[i] = _items[i]; }
                _ids = ids;
                _items = items;
            }
            uint id = _nextId++;
            _ids[_count] = id;
            _items[_count] = item;
            _count++;
            return id;
        }

        public void Unregister(uint id)
        {
            int i = IndexOf(id);
            if (i < 0) return;
            for (int k = i; k < _count - 1; k++) { _ids[k] = _ids[k + 1]; _items[k] = _items[k + 1]; }
            _count--;
            _items[_count] = null;
        }

        // The live object with this id, or null.
        public T Find(uint id)
        {
            int i = IndexOf(id);
            return i < 0 ? null : _items[i];
        }

        private int IndexOf(uint id)
        {
            int lo = 0, hi = _count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (_ids[mid] < id) lo = mid + 1;
                else hi = mid;
            }
            return lo < _count && _ids[lo] == id ? lo : -1;
        }
    }

    // Address spaces by AddressSpace.Id (frame records of anonymous pages name their mm).
    public sealed class MmRegistry : IdRegistry<AddressSpace> { }

    // Page caches by PageCache.Id (frame records of page-cache pages name their cache).
    public sealed class PageCacheRegistry : IdRegistry<PageCache> { }

    // The referenced test for anonymous frames: an anonymous page never moves from its virtual
    // page (no mremap), so every PTE mapping it is at OwnerIndex in some mm. The owner mm is
    // asked first; when the frame has more mappings than that (fork shares it copy-on-write, or
    // the owner is gone) the other mms are searched until MapCount mappings were found.
    public sealed class AnonRmap : AccessedTester
    {
        private readonly FrameDatabase _frames;
        private readonly MmRegistry _registry;

        public AnonRmap(FrameDatabase frames, MmRegistry registry)
        {
            _frames = frames;
            _registry = registry;
        }

        public override unsafe bool TestAndClearAccessed(uint pfn)
        {
            Page* p = _frames.Get(pfn);
            if (p == null || (p->Flags & PageFlags.Anon) == 0) return false;
            ulong va = p->OwnerIndex << 12;
            bool referenced = false, maps;
            int found = 0;
            AddressSpace owner = _registry.Find(p->OwnerId);
            if (owner != null)
            {
                if (owner.Table.TestAndClearAccessed(va, pfn, out maps)) referenced = true;
                if (maps) found++;
            }
            for (int i = 0; i < _registry.Count && found < p->MapCount; i++)
            {
                AddressSpace mm = _registry.At(i);
                if (mm == owner) continue;
                if (mm.Table.TestAndClearAccessed(va, pfn, out maps)) referenced = true;
                if (maps) found++;
            }
            return referenced;
        }
    }

    public sealed unsafe class MmContext
    {
        public readonly BuddyAllocator Buddy;
        public readonly FrameDatabase Frames;
        public readonly Page* Pages;
        public readonly byte* DirectMap;
        public readonly Mmu Mmu;
        public readonly uint KernelTemplatePfn;
        public readonly Lru Lru;
        public readonly MmRegistry Registry;
        public readonly PageCacheRegistry Caches;
        public readonly AnonRmap Rmap;
        public readonly PanicHandler Panic;
        public PageEvents Events;

        // directMap: physical address P is at directMap + P. kernelTemplatePfn: the PML4 whose
        // entries 256-511 every address space shares. lruGroups: 1 + the most memory containers.
        public MmContext(BuddyAllocator buddy, byte* directMap, Mmu mmu, uint kernelTemplatePfn, int lruGroups, PageEvents events, PanicHandler panic)
        {
            Buddy = buddy;
            Frames = buddy.Frames;
            Pages = Frames.Pages;
            DirectMap = directMap;
            Mmu = mmu;
            KernelTemplatePfn = kernelTemplatePfn;
            Panic = panic;
            Events = events == null ? new NoPageEvents() : events;
            Lru = new Lru(Frames, lruGroups, panic);
            Registry = new MmRegistry();
            Caches = new PageCacheRegistry();
            Rmap = new AnonRmap(Frames, Registry);
        }

        public byte* FrameAddress(uint pfn) => DirectMap + ((ulong)pfn << 12);

        // The kernel may install faster machine code for whole-page zeroing and copying (on x86,
        // rep stosq / rep movsq); the host tests use the portable loops.
        public PageOps PageOps { get; set; }

        public void ZeroFrame(uint pfn)
        {
            ulong* d = (ulong*)FrameAddress(pfn);
            if (PageOps != null) { PageOps.Zero(d); return; }
            for (int i = 0; i < 512; i++) d[i] = 0;
        }

        public void CopyFrame(uint dst, uint src)
        {
            ulong* d = (ulong*)FrameAddress(dst);
            ulong* s = (ulong*)FrameAddress(src);
            if (PageOps != null) { PageOps.Copy(d, s); return; }
            for (int i = 0; i < 512; i++) d[i] = s[i];
        }
    }
}
