// Objects by id, because frame records name their owner by id (Page.OwnerId), never by a
// managed reference the collector would have to scan. Ids come from a counter starting at 1
// (0 = no owner) and are never reused, so appending keeps the table sorted by id and Find is a
// binary search. Not locked: the kernel calls it with interrupts off.
using Kernel.Collections;

namespace Kernel.Mm
{
    public class IdRegistry<T> where T : class
    {
        private readonly Vector<uint> _ids = new Vector<uint>(16);
        private readonly Vector<T> _items = new Vector<T>(16);
        private uint _nextId = 1;

        public int Count => _ids.Count;
        public T At(int index) => _items[index];   // in id order

        // Enters item under a new id and returns the id.
        public uint Register(T item)
        {
            uint id = _nextId++;
            _ids.Add(id);
            _items.Add(item);
            return id;
        }

        public void Unregister(uint id)
        {
            int i = IndexOf(id);
            if (i < 0) return;
            _ids.RemoveAt(i);
            _items.RemoveAt(i);
        }

        // The live object with this id.
        public bool TryFind(uint id, out T item)
        {
            int i = IndexOf(id);
            item = i < 0 ? null : _items[i];
            return i >= 0;
        }

        private int IndexOf(uint id)
        {
            int lo = 0, hi = _ids.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (_ids[mid] < id) lo = mid + 1;
                else hi = mid;
            }
            return lo < _ids.Count && _ids[lo] == id ? lo : -1;
        }
    }

    // Address spaces by AddressSpace.Id (frame records of anonymous pages name their mm).
    public sealed class MmRegistry : IdRegistry<AddressSpace> { }

    // Page caches by PageCache.Id (frame records of page-cache pages name their cache).
    public sealed class PageCacheRegistry : IdRegistry<PageCache> { }
}
