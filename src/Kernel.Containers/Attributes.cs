// The files of a container directory, declared as Linux's configfs and memcg declare theirs: a
// table of name → mode, show (the text a read returns: the value and a newline) and store (a
// write's whole text → errno). Read-only files are 0444, read-write 0644, write-only 0200; the
// VFS refuses the other access with EACCES at open, and Show/Store refuse it again here.
//
// Layout: one ConfigAttribute per file, in the order a directory listing shows them; the table
// belongs to a ContainerTable (ContainerTable.Attributes) and its functions are bound to it.
// Stores validate everything before changing anything: a refused write leaves the value as it was.
// Not locked: called with interrupts off, like the rest of ContainerTable.
using Kernel.Abi;

namespace Kernel.Containers
{
    public delegate string AttributeShow(Container c);
    public delegate Errno AttributeStore(Container c, string text);

    // One attribute file (Linux's struct configfs_attribute).
    public sealed class ConfigAttribute
    {
        public const ushort ReadOnly = 0x124;    // 0444
        public const ushort ReadWrite = 0x1A4;   // 0644
        public const ushort WriteOnly = 0x80;    // 0200

        public readonly string Name;
        public readonly ushort Mode;
        public readonly AttributeShow Show;      // null: write-only
        public readonly AttributeStore Store;    // null: read-only

        public ConfigAttribute(string name, ushort mode, AttributeShow show, AttributeStore store)
        {
            Name = name;
            Mode = mode;
            Show = show;
            Store = store;
        }
    }

    public sealed class Attributes
    {
        private readonly ContainerTable _table;
        private readonly ConfigAttribute[] _all;

        internal Attributes(ContainerTable table)
        {
            _table = table;
            _all = new ConfigAttribute[]
            {
                new ConfigAttribute("id", ConfigAttribute.ReadOnly, ShowId, null),
                new ConfigAttribute("num_tasks", ConfigAttribute.ReadOnly, ShowNumTasks, null),
                new ConfigAttribute("num_files", ConfigAttribute.ReadOnly, ShowNumFiles, null),
                new ConfigAttribute("num_anon_pages", ConfigAttribute.ReadOnly, ShowAnonPages, null),
                new ConfigAttribute("num_file_pages", ConfigAttribute.ReadOnly, ShowFilePages, null),
                new ConfigAttribute("num_mapped_pages", ConfigAttribute.ReadOnly, ShowMappedPages, null),
                new ConfigAttribute("num_active_pages", ConfigAttribute.ReadOnly, ShowActivePages, null),
                new ConfigAttribute("page_usage", ConfigAttribute.ReadOnly, ShowPageUsage, null),
                new ConfigAttribute("max_page_usage", ConfigAttribute.ReadWrite, ShowMaxPageUsage, StoreMaxPageUsage),
                new ConfigAttribute("page_limit", ConfigAttribute.ReadWrite, ShowPageLimit, StorePageLimit),
                new ConfigAttribute("task_limit", ConfigAttribute.ReadWrite, ShowTaskLimit, StoreTaskLimit),
                new ConfigAttribute("page_limit_hits", ConfigAttribute.ReadOnly, ShowPageLimitHits, null),
                new ConfigAttribute("task_limit_hits", ConfigAttribute.ReadOnly, ShowTaskLimitHits, null),
                new ConfigAttribute("freeing", ConfigAttribute.ReadOnly, ShowFreeing, null),
                new ConfigAttribute("num_swap_pages", ConfigAttribute.ReadOnly, c => Line(c.SwapPages), null),
                new ConfigAttribute("pages_reclaimed", ConfigAttribute.ReadOnly, c => Line(c.PagesReclaimed), null),
                new ConfigAttribute("pages_swapped_out", ConfigAttribute.ReadOnly, c => Line(c.PagesSwappedOut), null),
                new ConfigAttribute("pages_swapped_in", ConfigAttribute.ReadOnly, c => Line(c.PagesSwappedIn), null),
                new ConfigAttribute("reclaim_runs", ConfigAttribute.ReadOnly, c => Line(c.ReclaimRuns), null),
                new ConfigAttribute("throttle_count", ConfigAttribute.ReadOnly, c => Line(c.ThrottleCount), null),
                new ConfigAttribute("throttle_ms", ConfigAttribute.ReadOnly, c => Line(c.ThrottleMs), null),
                new ConfigAttribute("oom_kills", ConfigAttribute.ReadOnly, c => Line(c.OomKills), null),
                new ConfigAttribute("showtasks", ConfigAttribute.ReadOnly, ShowTasks, null),
                new ConfigAttribute("addtask", ConfigAttribute.WriteOnly, null, StoreAddTask),
                new ConfigAttribute("rmtask", ConfigAttribute.WriteOnly, null, StoreRemoveTask),
            };
        }

        public int Count => _all.Length;
        public ConfigAttribute At(int index) => index >= 0 && index < _all.Length ? _all[index] : null;

        public ConfigAttribute Find(string name)
        {
            for (int i = 0; i < _all.Length; i++) if (_all[i].Name == name) return _all[i];
            return null;
        }

        // The text a read of name returns; ENOENT for no such file, EACCES for a write-only one.
        public Errno Show(Container c, string name, out string text)
        {
            text = null;
            ConfigAttribute a = Find(name);
            if (a == null) return Errno.ENOENT;
            if (a.Show == null) return Errno.EACCES;
            text = a.Show(c);
            return Errno.None;
        }

        // Stores a write's text; ENOENT, EACCES for a read-only file, or the store's own error.
        public Errno Store(Container c, string name, string text)
        {
            ConfigAttribute a = Find(name);
            if (a == null) return Errno.ENOENT;
            if (a.Store == null) return Errno.EACCES;
            return a.Store(c, text);
        }

        private static string Line(long value) => string.Concat(value.ToString(), "\n");

        private string ShowId(Container c) => Line(c.Id);
        private string ShowNumTasks(Container c) => Line(c.NumTasks);
        private string ShowNumFiles(Container c) => Line(c.NumFiles);
        private string ShowAnonPages(Container c) => Line(c.AnonPages);
        private string ShowFilePages(Container c) => Line(c.FilePages);
        private string ShowMappedPages(Container c) => Line(c.MappedPages);
        private string ShowActivePages(Container c) => Line(_table.Vm.Lru.ActiveCount(c.Id));
        private string ShowPageUsage(Container c) => Line(c.PageUsage);
        private string ShowMaxPageUsage(Container c) => Line(c.MaxPageUsage);
        private string ShowPageLimit(Container c) => Line(c.PageLimit);
        private string ShowTaskLimit(Container c) => Line(c.TaskLimit);
        private string ShowPageLimitHits(Container c) => Line(c.PageLimitHits);
        private string ShowTaskLimitHits(Container c) => Line(c.TaskLimitHits);
        private string ShowFreeing(Container c) => c.Freeing ? "1\n" : "0\n";

        // One PID a line, ascending.
        private string ShowTasks(Container c)
        {
            int n = c.NumTasks;
            string[] parts = new string[2 * n];
            for (int i = 0; i < n; i++)
            {
                parts[2 * i] = c.TaskAt(i).ToString();
                parts[2 * i + 1] = "\n";
            }
            return n == 0 ? "" : string.Concat(parts);
        }

        private Errno StoreAddTask(Container c, string text) => _table.AddTask(c, text);
        private Errno StoreRemoveTask(Container c, string text) => _table.RemoveTask(c, text);

        private Errno StorePageLimit(Container c, string text)
        {
            Errno e = Numbers.ParseLimit(text, out long value);
            if (e == Errno.None) _table.SetPageLimit(c, value);
            return e;
        }

        private Errno StoreTaskLimit(Container c, string text)
        {
            Errno e = Numbers.ParseLimit(text, out long value);
            if (e == Errno.None) c.TaskLimit = value;
            return e;
        }

        // Only 0, which restarts the peak from the current usage (memcg's max_usage_in_bytes).
        private Errno StoreMaxPageUsage(Container c, string text)
        {
            if (Numbers.ParseLimit(text, out long value) != Errno.None || value != 0) return Errno.EINVAL;
            _table.ResetMaxPageUsage(c);
            return Errno.None;
        }
    }
}
