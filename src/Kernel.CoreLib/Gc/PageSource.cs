// Where the collector's memory comes from: two function pointers set once by Init — the kernel's
// page allocator (count -> zeroed, page-aligned memory or null; free(pointer, count) with the same
// count). Object pages and metadata pages (page-map nodes, descriptors, the mark stack, the size
// class table) are counted apart. Up to MaxCached empty small-object pages are kept on a list
// linked through their first word instead of going back at once; they are NOT zeroed (small
// slots are zeroed when allocated). Metadata pages are never returned.
namespace Internal.Runtime.Gc
{
    internal static unsafe class PageSource
    {
        public const nuint PageSize = 4096;
        public const int PageShift = 12;
        public const nuint DefaultMaxCached = 8;

        private static delegate*<nuint, void*> s_alloc;
        private static delegate*<void*, nuint, void> s_free;
        private static byte* s_cache;
        private static nuint s_cached, s_maxCached;
        private static nuint s_objectPages, s_metaPages;

        public static nuint ObjectPages => s_objectPages;
        public static nuint MetaPages => s_metaPages;
        public static nuint CachedPages => s_cached;

        public static void Init(delegate*<nuint, void*> alloc, delegate*<void*, nuint, void> free, nuint maxCached)
        {
            s_alloc = alloc;
            s_free = free;
            s_cache = null;
            s_cached = 0;
            s_maxCached = maxCached;
            s_objectPages = 0;
            s_metaPages = 0;
        }

        public static byte* AllocMeta(nuint count)
        {
            byte* p = (byte*)s_alloc(count);
            if (p != null) s_metaPages += count;
            return p;
        }

        // One page for small objects: from the cache first. Contents undefined.
        public static byte* AllocSmallPage()
        {
            byte* p = s_cache;
            if (p != null)
            {
                s_cache = *(byte**)p;
                s_cached--;
            }
            else
            {
                p = (byte*)s_alloc(1);
                if (p == null) return null;
            }
            s_objectPages++;
            return p;
        }

        public static void ReleaseSmallPage(byte* p)
        {
            s_objectPages--;
            if (s_cached < s_maxCached)
            {
                *(byte**)p = s_cache;
                s_cache = p;
                s_cached++;
                return;
            }
            s_free(p, 1);
        }

        // A zeroed run for one large object (never from the cache).
        public static byte* AllocRun(nuint count)
        {
            byte* p = (byte*)s_alloc(count);
            if (p != null) s_objectPages += count;
            return p;
        }

        public static void FreeRun(byte* p, nuint count)
        {
            s_objectPages -= count;
            s_free(p, count);
        }

        // Gives every cached page back (e.g. when the kernel is short of memory).
        public static void DrainCache()
        {
            while (s_cache != null)
            {
                byte* p = s_cache;
                s_cache = *(byte**)p;
                s_cached--;
                s_free(p, 1);
            }
        }
    }
}
