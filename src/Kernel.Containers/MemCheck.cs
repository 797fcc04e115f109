// memcheck: the audit that proves the accounting. Walks every frame record and counts, per
// Page.ContainerId, the anonymous, page-cache, mapped page-cache and active frames; then compares
// every container's counters (and the root's) with those counts, with the LRU's per-group active
// count, and with the page caches charged to it; checks each task listed in a container points
// back at it; checks the LRU lists themselves, and the swap slots against the page tables and the
// containers' num_swap_pages. Returns one line per disagreement; none means ok.
// Run with interrupts off (a consistent picture).
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Containers
{
    public static unsafe class MemCheck
    {
        private const int MaxLines = 64;

        public static string[] Run(MmContext vm, ContainerTable table)
        {
            Report r = new Report();
            int groups = ContainerTable.MaxContainers + 1;
            long[] anon = new long[groups], file = new long[groups], mapped = new long[groups], active = new long[groups];
            long[] files = new long[groups];
            FrameDatabase frames = vm.Frames;
            for (uint pfn = 0; pfn < frames.Count; pfn++)
            {
                Page* p = frames.Get(pfn);
                if ((p->Flags & (PageFlags.Anon | PageFlags.File)) == 0) continue;
                ushort id = p->ContainerId;
                string what = (p->Flags & PageFlags.Anon) != 0 ? "anon" : "file";
                if (table.FindById(id) == null)
                {
                    r.Add(string.Concat("memcheck: pfn ", pfn.ToString(), " (", string.Concat(what, ") is charged to container id ", id.ToString(), ", which does not exist")));
                    continue;
                }
                if ((p->Flags & (PageFlags.Active | PageFlags.Inactive)) == 0)
                    r.Add(string.Concat("memcheck: pfn ", pfn.ToString(), " (", string.Concat(what, ") is on no LRU list")));
                if ((p->Flags & PageFlags.Anon) != 0) anon[id]++;
                else
                {
                    file[id]++;
                    if (p->MapCount > 0) mapped[id]++;
                }
                if ((p->Flags & PageFlags.Active) != 0) active[id]++;
            }
            PageCacheRegistry caches = vm.Caches;
            for (int i = 0; i < caches.Count; i++)
            {
                PageCache cache = caches.At(i);
                if (!cache.Charged) continue;
                files[cache.Container == null ? 0 : cache.Container.Id]++;
            }
            Check(r, vm, table, table.Root, anon, file, mapped, active, files);
            for (int i = 0; i < table.Count; i++) Check(r, vm, table, table.At(i), anon, file, mapped, active, files);
            if (table.Charger.Bugs != 0)
                r.Add(string.Concat("memcheck: ", table.Charger.Bugs.ToString(), " charge events found no live container (Charger.Bugs)"));
            string problem = vm.Lru.Verify();
            if (problem != null) r.Add(string.Concat("memcheck: ", problem));
            problem = vm.Swap.Verify();
            if (problem != null) r.Add(string.Concat("memcheck: ", problem));
            long[] swap = new long[groups];
            SwapArea area = vm.Swap.Area;
            if (area != null)
                for (uint slot = 1; slot <= area.Slots; slot++)
                    if (area.IsUsed(slot) && area.Owner(slot) < groups) swap[area.Owner(slot)]++;
            CheckSwap(r, table.Root, swap);
            for (int i = 0; i < table.Count; i++) CheckSwap(r, table.At(i), swap);
            return r.Lines();
        }

        private static void Check(Report r, MmContext vm, ContainerTable table, Container c,
            long[] anon, long[] file, long[] mapped, long[] active, long[] files)
        {
            int id = c.Id;
            string who = c.IsRoot ? "root" : string.Concat("container ", c.Name);
            Compare(r, who, "num_anon_pages", c.AnonPages, anon[id]);
            Compare(r, who, "num_file_pages", c.FilePages, file[id]);
            Compare(r, who, "num_mapped_pages", c.MappedPages, mapped[id]);
            Compare(r, who, "num_active_pages", vm.Lru.ActiveCount(id), active[id]);
            Compare(r, who, "page_usage", c.PageUsage, anon[id] + file[id]);
            Compare(r, who, "num_files", c.NumFiles, files[id]);
            if (c.MaxPageUsage < c.PageUsage)
                r.Add(string.Concat("memcheck: ", who, ": max_page_usage ", string.Concat(c.MaxPageUsage.ToString(), " is below page_usage ", c.PageUsage.ToString())));
            for (int i = 0; i < c.NumTasks; i++)
            {
                int pid = c.TaskAt(i);
                if (!table.Host.TaskExists(pid) || table.Host.ContainerOf(pid) != c)
                    r.Add(string.Concat("memcheck: ", who, ": task ", string.Concat(pid.ToString(), " is listed but not in it")));
                else if (!table.Host.MmAgrees(pid))
                    r.Add(string.Concat("memcheck: ", who, ": task ", string.Concat(pid.ToString(), "'s address space charges another container")));
            }
        }

        private static void CheckSwap(Report r, Container c, long[] swap) =>
            Compare(r, c.IsRoot ? "root" : string.Concat("container ", c.Name), "num_swap_pages", c.SwapPages, swap[c.Id]);

        private static void Compare(Report r, string who, string counter, long kept, long counted)
        {
            if (kept == counted) return;
            r.Add(string.Concat("memcheck: ", who, ": ", string.Concat(counter, " ", kept.ToString(), ", frames ", counted.ToString())));
        }

        private sealed class Report
        {
            private readonly Vector<string> _lines = new Vector<string>(8);
            private int _dropped;

            public void Add(string line)
            {
                if (_lines.Count == MaxLines) _dropped++;
                else _lines.Add(line);
            }

            public string[] Lines()
            {
                if (_dropped > 0) _lines.Add(string.Concat("memcheck: ", _dropped.ToString(), " more problems"));
                return _lines.ToArray();
            }
        }
    }
}
