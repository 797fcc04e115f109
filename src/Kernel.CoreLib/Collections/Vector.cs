// A growable array (SerenityOS's AK::Vector, the BCL's List<T>): the one growable list every
// layer uses. Plain C# with no runtime dependencies beyond arrays, so the host tests compile this
// same file. The backing array doubles when full and never shrinks; Clear and RemoveAt reset the
// freed slots so the collector does not see stale references.
//
// Invariants: 0 <= _count <= _items.Length; slots at and past _count hold default(T).
// An index out of range is a caller's bug: the array access faults (there is no unwinder).
namespace Kernel.Collections
{
    public sealed class Vector<T>
    {
        private T[] _items;
        private int _count;

        public Vector() : this(4) { }

        public Vector(int capacity) { _items = new T[capacity < 1 ? 1 : capacity]; }

        public int Count => _count;
        public int Capacity => _items.Length;

        public T this[int index]
        {
            get => _items[Checked(index)];
            set => _items[Checked(index)] = value;
        }

        public void Add(T item)
        {
            if (_count == _items.Length) Grow(_count + 1);
            _items[_count++] = item;
        }

        // Inserts item before index (index == Count appends).
        public void Insert(int index, T item)
        {
            if ((uint)index > (uint)_count) OutOfRange();
            if (_count == _items.Length) Grow(_count + 1);
            for (int k = _count; k > index; k--) _items[k] = _items[k - 1];
            _items[index] = item;
            _count++;
        }

        public void RemoveAt(int index)
        {
            Checked(index);
            for (int k = index; k < _count - 1; k++) _items[k] = _items[k + 1];
            _count--;
            _items[_count] = default;
        }

        public void Clear()
        {
            for (int k = 0; k < _count; k++) _items[k] = default;
            _count = 0;
        }

        // Makes room for at least `capacity` items without further growth.
        public void EnsureCapacity(int capacity)
        {
            if (capacity > _items.Length) Grow(capacity);
        }

        // A copy of the items, in order.
        public T[] ToArray()
        {
            T[] copy = new T[_count];
            for (int k = 0; k < _count; k++) copy[k] = _items[k];
            return copy;
        }

        private void Grow(int atLeast)
        {
            int n = _items.Length * 2;
            if (n < atLeast) n = atLeast;
            T[] bigger = new T[n];
            for (int k = 0; k < _count; k++) bigger[k] = _items[k];
            _items = bigger;
        }

        // An index at or past the count is as wrong as one past the array: it is turned into one,
        // so the runtime's bounds check reports it (a panic in the kernel, an exception on the host).
        private int Checked(int index)
        {
            if ((uint)index >= (uint)_count) OutOfRange();
            return index;
        }

        private void OutOfRange() => _items[_items.Length] = default;
    }
}
