// What every address space shares (Linux's globals around mm/): the frame allocator, the direct
// map, the MMU, the kernel's template PML4, the LRU lists, the charger, the mm and page-cache
// registries, and the reverse map used to age anonymous pages. Kernel.Mm has no lock of its
// own: the kernel calls all of it with the interrupt lock held, and the entry points
// (AddressSpace, PageCache) assert that.
using Kernel.Abi;
using Kernel.Sync;

namespace Kernel.Mm
{
    public sealed unsafe class MmContext
    {
        public readonly BuddyAllocator Buddy;
        public readonly FrameDatabase Frames;
        public readonly Page* Pages;
        public readonly byte* DirectMap;
        public readonly Mmu Mmu;
        public readonly uint KernelTemplatePfn;
        public readonly Lru Lru;
        public readonly Charger Charger;
        public readonly MmRegistry Registry;
        public readonly PageCacheRegistry Caches;
        public readonly AnonRmap Rmap;
        public readonly Swap Swap;
        public readonly Reclaim Reclaim;
        public readonly PanicHandler Panic;
        public readonly IrqLock Lock;   // held for every call into Kernel.Mm (entry points assert it)

        // directMap: physical address P is at directMap + P. kernelTemplatePfn: the PML4 whose
        // entries 256-511 every address space shares. lruGroups: 1 + the most memory containers.
        public MmContext(BuddyAllocator buddy, byte* directMap, Mmu mmu, uint kernelTemplatePfn, int lruGroups, PanicHandler panic, IrqLock irq)
        {
            Lock = irq;
            Buddy = buddy;
            Frames = buddy.Frames;
            Pages = Frames.Pages;
            DirectMap = directMap;
            Mmu = mmu;
            KernelTemplatePfn = kernelTemplatePfn;
            Panic = panic;
            Lru = new Lru(Frames, lruGroups, panic);
            Charger = new Charger(Pages, Lru, panic);
            Registry = new MmRegistry();
            Caches = new PageCacheRegistry();
            Rmap = new AnonRmap(Frames, Registry);
            Swap = new Swap(this);
            Reclaim = new Reclaim(this);
        }

        public byte* FrameAddress(uint pfn) => DirectMap + ((ulong)pfn << Paging.Shift);

        // Page-cache frames waiting to be written back, and being written (/proc/meminfo).
        public ulong DirtyPages { get; internal set; }
        public ulong WritebackPages { get; internal set; }

        // Where a task waits for a page under I/O; the kernel installs one (the host needs none:
        // its I/O completes at once).
        public PageWait PageWait { get; set; } = new NoPageWait();

        private sealed class NoPageWait : PageWait
        {
            public override void Wait() { }
            public override void WakeAll() { }
        }

        // Machine code for whole-page zeroing and copying, if the kernel installed any.
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
