// The reverse map for anonymous frames (Linux's anon rmap, without anon_vma): which PTEs map a
// frame, found from the frame record alone. It rests on one invariant: an anonymous page never
// moves from its virtual page (there is no mremap), so every PTE mapping it is at OwnerIndex in
// some mm — the owner's, or (after a copy-on-write fork) a relative's. The owner mm is asked
// first; while fewer than MapCount mappings were found, the other mms are searched.
using Kernel.Abi;

namespace Kernel.Mm
{
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
            ulong va = p->OwnerIndex << Paging.Shift;
            bool referenced = false, maps;
            int found = 0;
            _registry.TryFind(p->OwnerId, out AddressSpace owner);
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
}
