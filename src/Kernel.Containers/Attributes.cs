// The files of a container directory, as Linux's configfs and memcg declare theirs: a table of
// name → mode, show (the text a read returns: the value and a newline) and store (a write's text
// → errno). Read-only files are 0444, read-write 0644, write-only 0200; the VFS refuses the other
// access with EACCES before a show or store is reached.
using Kernel.Abi;

namespace Kernel.Containers
{
    public delegate string AttributeShow(ContainerTable table, Container c);
    public delegate Errno AttributeStore(ContainerTable table, Container c, string text);

    public sealed class Attribute
    {
        public const ushort ReadOnly = 0x124;    // 0444
        public const ushort ReadWrite = 0x1A4;   // 0644
        public const ushort WriteOnly = 0x80;    // 0200

        public readonly string Name;
        public readonly ushort Mode;
        public readonly AttributeShow Show;      // null: write-only
        public readonly AttributeStore Store;    // null: read-only

        public Attribute(string name, ushort mode, AttributeShow show, AttributeStore store)
        {
            Name = name;
            Mode = mode;
            Show = show;
            Store = store;
        }
    }

    public static class Attributes
    {
        private static Attribute[] s_all;

        // In the order ls shows them unsorted.
        public static Attribute[] All
        {
            get
            {
                if (s_all == null) s_all = Build();
                return s_all;
            }
        }

        public static Attribute Find(string name)
        {
            Attribute[] all = All;
            for (int i = 0; i < all.Length; i++) if (all[i].Name == name) return all[i];
            return null;
        }

        // The text a read of name returns; ENOENT for no such file, EACCES for a write-only one.
        public static Errno Show(ContainerTable table, Container c, string name, out string text)
        {
            text = null;
            Attribute a = Find(name);
            if (a == null) return Errno.ENOENT;
            if (a.Show == null) return Errno.EACCES;
            text = a.Show(table, c);
            return Errno.None;
        }

        // Stores a write's text; ENOENT, EACCES for a read-only file, or the store's own error.
        public static Errno Store(ContainerTable table, Container c, string name, string text)
        {
            Attribute a = Find(name);
            if (a == null) return Errno.ENOENT;
            if (a.Store == null) return Errno.EACCES;
            return a.Store(table, c, text);
        }

        private static string Line(long value) => string.Concat(value.ToString(), "\n");

        private static Attribute[] Build()
        {
            return new Attribute[]
            {
                new Attribute("id", Attribute.ReadOnly, (t, c) => Line(c.Id), null),
                new Attribute("num_tasks", Attribute.ReadOnly, (t, c) => Line(c.NumTasks), null),
                new Attribute("num_files", Attribute.ReadOnly, (t, c) => Line(c.NumFiles), null),
                new Attribute("num_anon_pages", Attribute.ReadOnly, (t, c) => Line(c.AnonPages), null),
                new Attribute("num_file_pages", Attribute.ReadOnly, (t, c) => Line(c.FilePages), null),
                new Attribute("num_mapped_pages", Attribute.ReadOnly, (t, c) => Line(c.MappedPages), null),
                new Attribute("num_active_pages", Attribute.ReadOnly, (t, c) => Line(t.Vm.Lru.ActiveCount(c.Id)), null),
                new Attribute("page_usage", Attribute.ReadOnly, (t, c) => Line(c.PageUsage), null),
                new Attribute("max_page_usage", Attribute.ReadWrite, (t, c) => Line(c.MaxPageUsage), StoreMaxPageUsage),
                new Attribute("page_limit", Attribute.ReadWrite, (t, c) => Line(c.PageLimit), StorePageLimit),
                new Attribute("task_limit", Attribute.ReadWrite, (t, c) => Line(c.TaskLimit), StoreTaskLimit),
                new Attribute("page_limit_hits", Attribute.ReadOnly, (t, c) => Line(c.PageLimitHits), null),
                new Attribute("task_limit_hits", Attribute.ReadOnly, (t, c) => Line(c.TaskLimitHits), null),
                new Attribute("freeing", Attribute.ReadOnly, (t, c) => c.Freeing ? "1\n" : "0\n", null),
                new Attribute("showtasks", Attribute.ReadOnly, ShowTasks, null),
                new Attribute("addtask", Attribute.WriteOnly, null, (t, c, text) => t.AddTask(c, text)),
                new Attribute("rmtask", Attribute.WriteOnly, null, (t, c, text) => t.RemoveTask(c, text)),
            };
        }

        private static string ShowTasks(ContainerTable table, Container c)
        {
            string s = "";
            for (int i = 0; i < c.NumTasks; i++) s = string.Concat(s, c.TaskAt(i).ToString(), "\n");
            return s;
        }

        private static Errno StorePageLimit(ContainerTable table, Container c, string text)
        {
            Errno e = Numbers.ParseLimit(text, out long value);
            if (e == Errno.None) table.SetPageLimit(c, value);
            return e;
        }

        private static Errno StoreTaskLimit(ContainerTable table, Container c, string text)
        {
            Errno e = Numbers.ParseLimit(text, out long value);
            if (e == Errno.None) c.TaskLimit = value;
            return e;
        }

        // Only 0, which restarts the peak from the current usage (memcg's memory.max_usage_in_bytes).
        private static Errno StoreMaxPageUsage(ContainerTable table, Container c, string text)
        {
            Errno e = Numbers.ParseLimit(text, out long value);
            if (e != Errno.None) return e;
            if (value != 0) return Errno.EINVAL;
            c.MaxPageUsage = c.PageUsage;
            return Errno.None;
        }
    }
}
