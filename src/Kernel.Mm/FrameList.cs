// A doubly linked list of frames threaded through their records (Linux's list_head in struct
// page): the LRU lists and the buddy allocator's free areas are both FrameLists. Links are pfns in
// Page.LruNext/LruPrev, NoFrame at both ends; the newest frame is at the head. A frame is on at
// most one list at a time (a free frame is never on an LRU list), which is why the two users can
// share the same two link fields.
//
// Invariants: Count is the length; Head/Tail are NoFrame exactly when Count is 0; a listed
// frame's LruPrev is NoFrame only at the head and its LruNext only at the tail.
namespace Kernel.Mm
{
    public unsafe struct FrameList
    {
        public uint Head;
        public uint Tail;
        public uint Count;

        public static FrameList Empty => new FrameList { Head = Page.NoFrame, Tail = Page.NoFrame };

        public bool IsEmpty => Count == 0;

        public void PushHead(Page* pages, uint pfn)
        {
            Page* p = pages + pfn;
            p->LruPrev = Page.NoFrame;
            p->LruNext = Head;
            if (Head != Page.NoFrame) pages[Head].LruPrev = pfn;
            else Tail = pfn;
            Head = pfn;
            Count++;
        }

        public void Unlink(Page* pages, uint pfn)
        {
            Page* p = pages + pfn;
            if (p->LruPrev != Page.NoFrame) pages[p->LruPrev].LruNext = p->LruNext;
            else Head = p->LruNext;
            if (p->LruNext != Page.NoFrame) pages[p->LruNext].LruPrev = p->LruPrev;
            else Tail = p->LruPrev;
            p->LruNext = p->LruPrev = Page.NoFrame;
            Count--;
        }

        // The first broken link or count, or null.
        public string Verify(Page* pages, uint frames)
        {
            uint n = 0, prev = Page.NoFrame;
            for (uint pfn = Head; pfn != Page.NoFrame; pfn = pages[pfn].LruNext)
            {
                if (pfn >= frames || n == Count) return "pfn " + pfn.ToString() + " past the count or the database";
                if (pages[pfn].LruPrev != prev) return "pfn " + pfn.ToString() + ": back link broken";
                prev = pfn;
                n++;
            }
            if (n != Count || Tail != prev) return "count or tail wrong";
            return null;
        }
    }
}
