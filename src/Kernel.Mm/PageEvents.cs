// The charging hooks between Kernel.Mm and memory containers (Linux's memcg charge points):
// what Kernel.Mm knows of a container, and the events it reports for every user frame. The
// container logic (Kernel.Containers) implements PageEvents; Kernel.Mm never references it.
namespace Kernel.Mm
{
    // What Kernel.Mm knows of a memory container (Kernel.Containers derives the real one): the id
    // that frame records (Page.ContainerId) and LRU groups use. An AddressSpace and a PageCache
    // point at the container they charge; null means the root.
    public abstract class MemoryContainer
    {
        protected MemoryContainer(ushort id) { Id = id; }
        public ushort Id { get; protected set; }
    }

    // The charging hooks (memory containers); the defaults charge nothing. All are called with
    // interrupts off, on every user frame brought in, mapped, unmapped or freed.
    public abstract class PageEvents
    {
        // An anonymous frame is about to be mapped into mm (its record is filled in). The charger
        // charges mm.Container and sets Page.ContainerId. False refuses it: the fault frees the
        // frame and fails with OutOfMemory.
        public virtual bool TryCharge(AddressSpace mm, uint pfn) => true;
        // A new page-cache frame of cache (Flags File, OwnerId = cache.Id, OwnerIndex = index).
        // While !cache.Charged the charger decides cache.Container from bringer (the container of
        // the task bringing the file into memory) and sets Charged; then it charges cache.Container.
        public virtual bool TryChargeCache(PageCache cache, MemoryContainer bringer, uint pfn) => true;
        // A frame TryCharge or TryChargeCache accepted is about to be freed (MapCount is 0).
        public virtual void Uncharge(uint pfn) { }
        // A page-cache frame's MapCount went from 0 to 1, or from 1 to 0.
        public virtual void Mapped(uint pfn) { }
        public virtual void Unmapped(uint pfn) { }
        // A page cache was released: it holds no frames and is no longer registered.
        public virtual void CacheReleased(PageCache cache) { }
    }

    public sealed class NoPageEvents : PageEvents { }
}
