// A memory container (Rohit Seth's 2006 "container", Linux's mem_cgroup): a named group of tasks
// whose pages are charged to it. The counters are what its configfs files show; the charge path
// (Charger.cs) and the table (ContainerTable.cs) change them, with interrupts off.
//
// Invariants (memcheck verifies them against the frame database):
//   AnonPages / FilePages = frames with Flags Anon / File and Page.ContainerId == Id;
//   MappedPages = those File frames with MapCount > 0; PageUsage = AnonPages + FilePages;
//   MaxPageUsage >= PageUsage; NumFiles = page caches charged here; NumTasks = the PIDs in _tasks,
//   each a live task whose Task.Container is this container.
// Active pages are not counted here: the LRU keeps them per group (Lru.ActiveCount(Id)).
using Kernel.Mm;

namespace Kernel.Containers
{
    public sealed class Container : MemoryContainer
    {
        public const long DefaultTaskLimit = 100;

        private readonly string _name;
        private int[] _tasks = new int[4];   // sorted PIDs
        private int _taskCount;

        internal Container(ushort id, string name, long pageLimit) : base(id)
        {
            _name = name;
            PageLimit = pageLimit;
            TaskLimit = DefaultTaskLimit;
        }

        public string Name => _name;
        public bool IsRoot => Id == 0;

        public long AnonPages { get; internal set; }
        public long FilePages { get; internal set; }
        public long MappedPages { get; internal set; }
        public long NumFiles { get; internal set; }
        public long PageUsage { get; internal set; }
        public long MaxPageUsage { get; internal set; }
        public long PageLimit { get; internal set; }
        public long TaskLimit { get; internal set; }
        public long PageLimitHits { get; internal set; }
        public long TaskLimitHits { get; internal set; }
        public bool Freeing { get; internal set; }
        // The over-limit work item is queued and has not run yet; how many times it ran.
        public bool OverLimitPending { get; internal set; }
        public long OverLimitRuns { get; internal set; }

        public int NumTasks => _taskCount;
        public int TaskAt(int index) => _tasks[index];   // ascending PIDs

        public bool HasTask(int pid) => IndexOf(pid) >= 0;

        internal void AddTask(int pid)
        {
            if (IndexOf(pid) >= 0) return;
            if (_taskCount == _tasks.Length)
            {
                int[] bigger = new int[_taskCount * 2];
                for (int i = 0; i < _taskCount; i++) bigger[i] = _tasks[i];
                _tasks = bigger;
            }
            int at = _taskCount;
            while (at > 0 && _tasks[at - 1] > pid) { _tasks[at] = _tasks[at - 1]; at--; }
            _tasks[at] = pid;
            _taskCount++;
        }

        internal bool RemoveTask(int pid)
        {
            int i = IndexOf(pid);
            if (i < 0) return false;
            for (int k = i; k < _taskCount - 1; k++) _tasks[k] = _tasks[k + 1];
            _taskCount--;
            return true;
        }

        private int IndexOf(int pid)
        {
            int lo = 0, hi = _taskCount;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (_tasks[mid] < pid) lo = mid + 1; else hi = mid;
            }
            return lo < _taskCount && _tasks[lo] == pid ? lo : -1;
        }
    }
}
