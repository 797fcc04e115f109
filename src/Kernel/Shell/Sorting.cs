// A stable merge sort over arrays (the kernel has no BCL Array.Sort): O(n log n) comparisons,
// one scratch array of n elements. Used by globbing (sorted matches), ls and sort(1).
namespace Kernel.Shell
{
    // Negative when a sorts before b, zero when they are equal, positive otherwise.
    public delegate int Order<T>(T a, T b);

    public static class Sorting
    {
        public static readonly Order<string> Ordinal = CompareOrdinal;

        // Byte order (the C locale), shorter first on a common prefix.
        public static int CompareOrdinal(string a, string b)
        {
            int n = a.Length < b.Length ? a.Length : b.Length;
            for (int i = 0; i < n; i++)
                if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
            return a.Length - b.Length;
        }

        public static void Sort<T>(T[] items, Order<T> order)
        {
            if (items.Length < 2) return;
            T[] scratch = new T[items.Length];
            for (int width = 1; width < items.Length; width *= 2)
            {
                for (int lo = 0; lo < items.Length; lo += 2 * width)
                {
                    int mid = lo + width, hi = lo + 2 * width;
                    if (mid > items.Length) mid = items.Length;
                    if (hi > items.Length) hi = items.Length;
                    int a = lo, b = mid, k = lo;
                    while (a < mid && b < hi) scratch[k++] = order(items[b], items[a]) < 0 ? items[b++] : items[a++];
                    while (a < mid) scratch[k++] = items[a++];
                    while (b < hi) scratch[k++] = items[b++];
                }
                T[] t = items;
                for (int i = 0; i < items.Length; i++) t[i] = scratch[i];
            }
        }
    }
}
