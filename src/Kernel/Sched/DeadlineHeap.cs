// The timed sleepers: a binary min-heap of tasks keyed by (deadline, sleep order), each task
// knowing its own index (Task._heapIndex) so a woken or killed sleeper leaves in O(log n).
// Tick only looks at the top: O(1) per tick when nothing expires, O(log n) per expiry.
// Used by the Scheduler with interrupts off (one CPU): nothing here locks.
// Invariants: _items[0.._count) are the tasks with _heapIndex >= 0, _items[i]._heapIndex == i,
// and no item is earlier than its parent ((i - 1) / 2).
namespace Kernel.Sched
{
    internal sealed class DeadlineHeap
    {
        private readonly Task[] _items;
        private int _count;

        public DeadlineHeap(int capacity) { _items = new Task[capacity]; }

        public int Count => _count;
        public Task Top => _count == 0 ? null : _items[0];
        public Task At(int i) => _items[i];

        public static bool Earlier(Task a, Task b) =>
            a._deadline < b._deadline || (a._deadline == b._deadline && a._sleepSeq < b._sleepSeq);

        public void Push(Task t)
        {
            int i = _count++;
            Place(t, i);
            SiftUp(i);
        }

        public void Remove(Task t)
        {
            int i = t._heapIndex;
            int last = --_count;
            Task moved = _items[last];
            _items[last] = null;
            t._heapIndex = -1;
            if (i == last) return;
            Place(moved, i);
            SiftDown(i);
            SiftUp(moved._heapIndex);
        }

        private void Place(Task t, int i)
        {
            _items[i] = t;
            t._heapIndex = i;
        }

        private void SiftUp(int i)
        {
            Task t = _items[i];
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Earlier(t, _items[parent])) break;
                Place(_items[parent], i);
                i = parent;
            }
            Place(t, i);
        }

        private void SiftDown(int i)
        {
            Task t = _items[i];
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && Earlier(_items[child + 1], _items[child])) child++;
                if (!Earlier(_items[child], t)) break;
                Place(_items[child], i);
                i = child;
            }
            Place(t, i);
        }

        // null when the heap invariants hold, else what is wrong.
        public string Verify()
        {
            for (int i = 0; i < _count; i++)
            {
                Task t = _items[i];
                if (t == null) return "heap: null at " + i.ToString();
                if (t._heapIndex != i) return "heap: pid " + t._pid.ToString() + " index " + t._heapIndex.ToString() + " at " + i.ToString();
                if (i > 0 && Earlier(t, _items[(i - 1) / 2])) return "heap: order broken at " + i.ToString();
            }
            for (int i = _count; i < _items.Length; i++)
                if (_items[i] != null) return "heap: stale entry at " + i.ToString();
            return null;
        }
    }
}
