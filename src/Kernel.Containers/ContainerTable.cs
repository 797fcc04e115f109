// Every memory container: the root (id 0: whatever no container pays for; never in the
// namespace, no limit) and up to 512 named ones with ids 1..512, the lowest free id taken at
// creation (Linux's memcg css ids). Creating, removing, adding and removing tasks, the fork and
// exit hooks, and the over-limit event live here; configfs (ConfigFs.cs) and the kernel call them.
//
// Invariants: _byId[c.Id] == c for every live container; names are unique; an id is free again
// only after rmdir moved every frame and file charged to it to the root; a task is in at most one
// container, and is in c exactly when host.ContainerOf(pid) == c and c.HasTask(pid).
// Not locked: the kernel calls this with interrupts off (rmdir lets go in MayReschedule).
using Kernel.Abi;
using Kernel.Mm;

namespace Kernel.Containers
{
    public sealed class ContainerTable : OverLimitHandler
    {
        public const int MaxContainers = 512;
        public const int MaxNameLength = 64;
        private const int MoveBatch = 256;

        private readonly MmContext _vm;
        private readonly ContainerHost _host;
        private readonly long _defaultPageLimit;
        private readonly Container _root;
        private readonly Container[] _byId = new Container[MaxContainers + 1];
        private readonly Container[] _order = new Container[MaxContainers];   // creation order
        private readonly Charger _charger;   // the MmContext's: the only writer of charge state
        private readonly Attributes _attributes;
        private int _count;

        public ContainerTable(MmContext vm, ContainerHost host, long defaultPageLimit)
        {
            _vm = vm;
            _host = host;
            _defaultPageLimit = defaultPageLimit;
            _root = new Container(0, "", long.MaxValue);
            _root.TaskLimit = long.MaxValue;
            _byId[0] = _root;
            _charger = vm.Charger;
            _charger.AdoptRoot(_root);
            _charger.SetOverLimitHandler(this);
            _attributes = new Attributes(this);
        }

        public Container Root => _root;
        public int Count => _count;
        public Container At(int index) => index >= 0 && index < _count ? _order[index] : null;
        public Charger Charger => _charger;
        // The files of a container directory (configfs shows and stores through it).
        public Attributes Attributes => _attributes;
        public MmContext Vm => _vm;
        public ContainerHost Host => _host;
        public long DefaultPageLimit => _defaultPageLimit;

        public Container Find(string name)
        {
            for (int i = 0; i < _count; i++) if (_order[i].Name == name) return _order[i];
            return null;
        }

        public Container FindById(ushort id) => id <= MaxContainers ? _byId[id] : null;

        public static bool IsValidName(string name)
        {
            if (name == null || name.Length == 0 || name.Length > MaxNameLength) return false;
            for (int i = 0; i < name.Length; i++)
            {
                char ch = name[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                          ch == '_' || ch == '.' || ch == '-';
                if (!ok) return false;
            }
            return true;
        }

        // mkdir: EINVAL for a bad name, EEXIST, ENOSPC past 512 (or when the LRU has no group left:
        // each container has its own LRU lists).
        public Errno Create(string name, out Container c)
        {
            c = null;
            if (!IsValidName(name)) return Errno.EINVAL;
            if (Find(name) != null) return Errno.EEXIST;
            if (_count == MaxContainers) return Errno.ENOSPC;
            ushort id = 1;
            while (_byId[id] != null) id++;
            if (id >= _vm.Lru.Groups) return Errno.ENOSPC;   // an MmContext made with fewer LRU groups
            c = new Container(id, name, _defaultPageLimit);
            _byId[id] = c;
            _charger.Register(c);
            _order[_count++] = c;
            return Errno.None;
        }

        // rmdir: EBUSY while it has tasks. Hands its files and frames to the root (freeing reads 1
        // meanwhile, and other tasks may run between batches), then frees the name and the id.
        public Errno Remove(string name)
        {
            Container c = Find(name);
            if (c == null || c.Freeing) return Errno.ENOENT;
            if (c.NumTasks != 0) return Errno.EBUSY;
            _charger.Offline(c);
            _host.WakeThrottled(c);
            // The reaper may be working on c (it sleeps for I/O): it leaves once it sees Freeing.
            while (c.Reclaiming) _host.Sleep(1);
            // Files first, so that no new page can be charged to c while the frames move.
            PageCacheRegistry caches = _vm.Caches;
            for (int i = 0; i < caches.Count; i++)
            {
                PageCache cache = caches.At(i);
                if (cache.Container == c) _charger.MoveCache(cache, _root);
            }
            int moved = 0;
            while (true)
            {
                uint pfn = _vm.Lru.Tail(c.Id, LruList.Inactive);
                if (pfn == Page.NoFrame) pfn = _vm.Lru.Tail(c.Id, LruList.Active);
                if (pfn == Page.NoFrame) break;
                _charger.Move(pfn, _root);
                if (++moved % MoveBatch == 0) _host.MayReschedule();
            }
            // Its swap slots go to the root too (no slot may name a removed, reusable id).
            _vm.Swap.MoveCharges(c, _root);
            // Every charged frame is on its group's LRU (the Charger's invariant), so nothing is
            // left; Unregister counts anything that is as a bug.
            _charger.Unregister(c);
            int at = 0;
            while (_order[at] != c) at++;
            for (int i = at; i < _count - 1; i++) _order[i] = _order[i + 1];
            _order[--_count] = null;
            _byId[c.Id] = null;
            return Errno.None;
        }

        // echo PID > addtask. The task's pages stay charged where they are; what it faults in
        // from now on is charged to c. ENOENT once c is being (or was) removed.
        public Errno AddTask(Container c, string text)
        {
            Errno e = Numbers.ParsePid(text, out int pid);
            if (e != Errno.None) return e;
            if (c.Freeing) return Errno.ENOENT;
            if (!_host.TaskExists(pid)) return Errno.ESRCH;
            if (_host.IsKernelThread(pid)) return Errno.EPERM;
            if (_host.ContainerOf(pid) != null) return Errno.EBUSY;
            if (c.NumTasks >= c.TaskLimit)
            {
                c.TaskLimitHits++;
                return Errno.ENOSPC;
            }
            _host.SetContainer(pid, c);
            c.AddTask(pid);
            return Errno.None;
        }

        // echo PID > rmtask. Its pages stay charged to c (as in memcg). ENOENT once c is being
        // (or was) removed, as for addtask: its files may still be open.
        public Errno RemoveTask(Container c, string text)
        {
            Errno e = Numbers.ParsePid(text, out int pid);
            if (e != Errno.None) return e;
            if (c.Freeing) return Errno.ENOENT;
            if (!_host.TaskExists(pid)) return Errno.ESRCH;
            if (!c.HasTask(pid) || _host.ContainerOf(pid) != c) return Errno.EINVAL;
            _host.SetContainer(pid, null);
            c.RemoveTask(pid);
            _host.WakeThrottled(c);
            return Errno.None;
        }

        // fork: may a task of `parent` have a child? (The child then joins with Attach.)
        public Errno CanFork(Container parent)
        {
            if (parent == null) return Errno.None;
            if (parent.NumTasks >= parent.TaskLimit)
            {
                parent.TaskLimitHits++;
                return Errno.EAGAIN;
            }
            return Errno.None;
        }

        public void Attach(Container c, int pid)
        {
            if (c != null) c.AddTask(pid);
        }

        // exit.
        public void Detach(Container c, int pid)
        {
            if (c != null) c.RemoveTask(pid);
        }

        // page_limit: any value is taken; one below the usage is an over-limit event at once; a
        // higher one lets throttled tasks go on.
        public void SetPageLimit(Container c, long limit)
        {
            _charger.SetLimit(c, limit);
            _host.WakeThrottled(c);
        }

        // max_page_usage written: the peak restarts from the current usage.
        public void ResetMaxPageUsage(Container c) => _charger.ResetMaxUsage(c);

        // The Charger counted a page_limit hit on m: queue its over-limit work, once until it runs.
        public override void OverLimit(MemoryContainer m)
        {
            Container c = m as Container;
            if (c == null || c.OverLimitPending) return;
            c.OverLimitPending = true;
            _host.QueueOverLimit(c);
        }

        // The reaper (the over-limit work item on [kcontainerd]): reclaims c's own pages until its
        // usage is down to limit − limit/16, in bounded batches (Kernel.Mm/Reclaim.cs), waking the
        // tasks throttled on it as it goes. A pass that frees nothing while c is over its limit and
        // a task of c is throttled kills c's biggest task (the OOM killer, inside c only). Sleeps
        // for I/O; the interrupt lock is let go between batches, so c may be removed meanwhile.
        // Only OomRetries fruitless passes in a row (about a second) lead to the kill.
        public ReclaimResult RunOverLimit(Container c)
        {
            c.OverLimitPending = false;
            c.OverLimitRuns++;
            ReclaimResult total = default;
            if (c.Freeing || c.IsRoot) return total;
            c.Reclaiming = true;
            c.ReclaimRuns++;
            long target = c.PageLimit - c.PageLimit / 16;
            // A pass that frees nothing may only have met pages under I/O or just used: try again
            // a little later, up to OomRetries times (about a second), before anyone is killed.
            for (int attempt = 0; ; attempt++)
            {
                long freed = 0;
                while (!c.Freeing && c.PageUsage > target)
                {
                    long want = c.PageUsage - target;
                    ReclaimResult r = _vm.Reclaim.Shrink(c, want > ReclaimChunk ? ReclaimChunk : want);
                    freed += r.Freed;
                    total.Freed += r.Freed;
                    total.Scanned += r.Scanned;
                    total.Unevictable += r.Unevictable;
                    total.WrittenBack += r.WrittenBack;
                    if (c.PageUsage < Charger.ThrottleLine(c)) _host.WakeThrottled(c);
                    if (r.Freed == 0) break;
                }
                if (c.Freeing || freed > 0 || c.PageUsage <= c.PageLimit || !_host.HasThrottled(c)) break;
                if (attempt + 1 < OomRetries)
                {
                    _host.Sleep(OomRetryMs);
                    continue;
                }
                if (_host.OomKill(c)) c.OomKills++;
                break;
            }
            c.Reclaiming = false;
            if (!c.Freeing && c.PageUsage < Charger.ThrottleLine(c)) _host.WakeThrottled(c);
            return total;
        }

        // The OOM killer's patience: fruitless passes, OomRetryMs apart, before it kills.
        public const int OomRetries = 8;
        public const ulong OomRetryMs = 100;

        private const long ReclaimChunk = 256;
    }
}
