// The `containers` table, like systemd-cgtop: one line per container with its name, id, tasks
// and memory in pages — usage (anon + file), page_limit, max_page_usage, page_limit_hits, the
// pages on swap (num_swap_pages) and the OOM kills —
// sorted by usage, largest first (ties by name). The figures are the configfs attributes'.
// Portable: the kernel gathers the rows (under the interrupt lock, one consistent picture) and
// this formats them. No state outside a call.
using Kernel.Collections;

namespace Kernel.Shell
{
    public struct ContainerRow
    {
        public string Name;
        public int Id, Tasks;
        public long Usage, Limit, Max, Hits, Swap, Oom;
    }

    public static class ContainerView
    {
        public const string Header = "NAME                   ID  TASKS      USAGE      LIMIT        MAX       HITS       SWAP    OOM";

        // The lines to print (header first), sorted.
        public static string[] Format(ContainerRow[] rows)
        {
            ContainerRow[] sorted = new ContainerRow[rows.Length];
            for (int i = 0; i < rows.Length; i++) sorted[i] = rows[i];
            Sorting.Sort(sorted, Compare);
            Vector<string> lines = new Vector<string>(rows.Length + 1);
            lines.Add(Header);
            for (int i = 0; i < sorted.Length; i++)
            {
                ContainerRow r = sorted[i];
                lines.Add(string.Concat(
                    Numbers.PadRight(r.Name, 20),
                    string.Concat(" ", Numbers.PadLeft(r.Id.ToString(), 4), " ", Numbers.PadLeft(r.Tasks.ToString(), 6)),
                    string.Concat(" ", Numbers.PadLeft(r.Usage.ToString(), 10), " ", Numbers.PadLeft(r.Limit.ToString(), 10)),
                    string.Concat(" ", Numbers.PadLeft(r.Max.ToString(), 10), " ", Numbers.PadLeft(r.Hits.ToString(), 10)),
                    string.Concat(" ", Numbers.PadLeft(r.Swap.ToString(), 10), " ", Numbers.PadLeft(r.Oom.ToString(), 6))));
            }
            return lines.ToArray();
        }

        private static int Compare(ContainerRow a, ContainerRow b)
        {
            if (a.Usage != b.Usage) return a.Usage > b.Usage ? -1 : 1;
            return Sorting.CompareOrdinal(a.Name, b.Name);
        }
    }
}
