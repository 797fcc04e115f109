// A memory container (Rohit Seth's 2006 "container", Linux's mem_cgroup): a named group of tasks
// whose pages are charged to it. The page counters and the page limit live in the base class
// (Kernel.Mm's MemoryContainer), which only the Charger writes; this layer adds the name, the
// tasks, the task limit and the state of its over-limit work. The table (ContainerTable.cs)
// changes these, with interrupts off.
//
// Invariants: NumTasks = the PIDs in _tasks (sorted), each a live task whose container pointer
// is this container. Active pages are not counted here: the LRU keeps them per group
// (Lru.ActiveCount(Id)).
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Containers
{
    public sealed class Container : MemoryContainer
    {
        public const long DefaultTaskLimit = 100;

        private readonly string _name;
        private readonly Vector<int> _tasks = new Vector<int>(4);   // sorted PIDs

        internal Container(ushort id, string name, long pageLimit) : base(id, pageLimit)
        {
            _name = name;
            TaskLimit = DefaultTaskLimit;
        }

        public string Name => _name;
        public long TaskLimit { get; internal set; }
        public long TaskLimitHits { get; internal set; }
        // rmdir is handing its charges to the root (the `freeing` file).
        public bool Freeing => Offline;
        // The over-limit work item is queued and has not run yet; how many times it ran.
        public bool OverLimitPending { get; internal set; }
        public long OverLimitRuns { get; internal set; }
        // The reaper is working on this container (rmdir waits for it to leave).
        public bool Reclaiming { get; internal set; }

        public int NumTasks => _tasks.Count;
        public int TaskAt(int index) => _tasks[index];   // ascending PIDs

        public bool HasTask(int pid) => IndexOf(pid) >= 0;

        internal void AddTask(int pid)
        {
            if (IndexOf(pid) >= 0) return;
            int at = 0;
            while (at < _tasks.Count && _tasks[at] < pid) at++;
            _tasks.Insert(at, pid);
        }

        internal bool RemoveTask(int pid)
        {
            int i = IndexOf(pid);
            if (i < 0) return false;
            _tasks.RemoveAt(i);
            return true;
        }

        private int IndexOf(int pid)
        {
            for (int i = 0; i < _tasks.Count; i++) if (_tasks[i] == pid) return i;
            return -1;
        }
    }
}
