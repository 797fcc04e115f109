// The LRU lists the reclaimer scans (Linux's lruvec): per group — 0 the root, later one per memory
// container — an active and an inactive list of user frames, each doubly linked through
// Page.LruNext/LruPrev as pfns (NoFrame at both ends), newest at the head, oldest at the tail.
//
// New anonymous pages go to the head of the *inactive* list, as in Linux since 5.9 (workingset
// protection for anon pages): a page has to be referenced again while inactive to be promoted.
// Age does second-chance aging of the active list; ScanInactive picks reclaim candidates.
// Referenced means "some PTE mapping the frame had its Accessed bit set": the AccessedTester finds
// and clears those bits (AnonRmap, for anonymous pages).
//
// Invariants: a frame is on at most one list, and has Active or Inactive exactly when it is on
// the active or inactive list of group Page.ContainerId (Add records the group there); each
// list's count is its length; a frame on a list is never Free. Not locked: the kernel calls it
// with interrupts off.
namespace Kernel.Mm
{
    // Tests and clears the referenced state of a frame (all its PTEs' Accessed bits).
    public abstract class AccessedTester
    {
        public abstract bool TestAndClearAccessed(uint pfn);
    }

    public sealed unsafe class Lru
    {
        // List indices into the per-group arrays: list = group * 2 + (active ? 1 : 0).
        private readonly Page* _pages;
        private readonly uint _frames;
        private readonly PanicHandler _panic;
        private readonly int _groups;
        private readonly uint[] _head;
        private readonly uint[] _tail;
        private readonly uint[] _count;

        public Lru(FrameDatabase frames, int groups, PanicHandler panic)
        {
            _pages = frames.Pages;
            _frames = frames.Count;
            _panic = panic;
            _groups = groups < 1 ? 1 : groups;
            _head = new uint[_groups * 2];
            _tail = new uint[_groups * 2];
            _count = new uint[_groups * 2];
            for (int i = 0; i < _groups * 2; i++) _head[i] = _tail[i] = Page.NoFrame;
        }

        public int Groups => _groups;
        public uint ActiveCount(int group) => Valid(group) ? _count[group * 2 + 1] : 0;
        public uint InactiveCount(int group) => Valid(group) ? _count[group * 2] : 0;
        // Newest (head) and oldest (tail) frame of a list, NoFrame when empty; walk with LruNext.
        public uint Head(int group, bool active) => Valid(group) ? _head[group * 2 + (active ? 1 : 0)] : Page.NoFrame;
        public uint Tail(int group, bool active) => Valid(group) ? _tail[group * 2 + (active ? 1 : 0)] : Page.NoFrame;

        public bool IsOnList(uint pfn) => pfn < _frames && (_pages[pfn].Flags & (PageFlags.Active | PageFlags.Inactive)) != 0;

        // Puts a frame that is on no list at the head of group's inactive list.
        public void Add(uint pfn, int group)
        {
            if (pfn >= _frames || !Valid(group) || (_pages[pfn].Flags & (PageFlags.Active | PageFlags.Inactive | PageFlags.Free)) != 0)
            {
                _panic.Panic("mm: lru add of pfn " + pfn.ToString() + " to group " + group.ToString());
                return;
            }
            _pages[pfn].ContainerId = (ushort)group;
            Push(pfn, group * 2);
        }

        // Takes a frame off its list; false if it was on none.
        public bool Remove(uint pfn)
        {
            if (!IsOnList(pfn)) return false;
            Unlink(pfn, ListOf(pfn));
            return true;
        }

        // Moves a listed frame to the head of the same list (active or inactive) of another group,
        // and records the group in Page.ContainerId (rmdir hands a container's pages to the root).
        public void MoveToGroup(uint pfn, int group)
        {
            if (!IsOnList(pfn) || !Valid(group))
            {
                _panic.Panic("mm: lru move of pfn " + pfn.ToString() + " to group " + group.ToString());
                return;
            }
            int list = ListOf(pfn);
            Unlink(pfn, list);
            _pages[pfn].ContainerId = (ushort)group;
            Push(pfn, group * 2 + (list & 1));
        }

        // Moves a listed frame to the head of its group's active list.
        public void Activate(uint pfn) => MoveTo(pfn, true);

        // Moves a listed frame to the head of its group's inactive list.
        public void Deactivate(uint pfn) => MoveTo(pfn, false);

        // Second-chance aging: looks at up to `count` frames from the tail of group's active list;
        // referenced ones (their Accessed bits now cleared) go back to the head, the others to the
        // head of the inactive list. Returns how many were deactivated.
        public int Age(int group, int count, AccessedTester tester)
        {
            if (!Valid(group)) return 0;
            int list = group * 2 + 1;
            uint n = _count[list];
            if ((uint)count < n) n = (uint)count;
            int deactivated = 0;
            for (uint i = 0; i < n; i++)
            {
                uint pfn = _tail[list];
                Unlink(pfn, list);
                if (tester.TestAndClearAccessed(pfn)) Push(pfn, list);
                else
                {
                    Push(pfn, list - 1);
                    deactivated++;
                }
            }
            return deactivated;
        }

        // Looks at up to `count` frames from the tail of group's inactive list: referenced ones are
        // activated; the others are written to candidates (oldest first) and left where they are,
        // for the reclaimer to take off. Stops early when candidates is full. Returns how many.
        public int ScanInactive(int group, int count, AccessedTester tester, uint[] candidates)
        {
            if (!Valid(group)) return 0;
            int list = group * 2;
            int found = 0;
            uint pfn = _tail[list];
            for (int i = 0; i < count && pfn != Page.NoFrame && found < candidates.Length; i++)
            {
                uint prev = _pages[pfn].LruPrev;
                if (tester.TestAndClearAccessed(pfn))
                {
                    Unlink(pfn, list);
                    Push(pfn, list + 1);
                }
                else candidates[found++] = pfn;
                pfn = prev;
            }
            return found;
        }

        // Checks links, flags and counts of every list; the first problem found, or true.
        public bool Verify(out string problem)
        {
            for (int list = 0; list < _groups * 2; list++)
            {
                PageFlags want = (list & 1) != 0 ? PageFlags.Active : PageFlags.Inactive;
                uint n = 0, prev = Page.NoFrame;
                for (uint pfn = _head[list]; pfn != Page.NoFrame; pfn = _pages[pfn].LruNext)
                {
                    string where = "lru list " + list.ToString() + ", pfn " + pfn.ToString() + ": ";
                    if (pfn >= _frames || n == _count[list]) { problem = where + "past the count or the database"; return false; }
                    Page* p = _pages + pfn;
                    if ((p->Flags & (PageFlags.Active | PageFlags.Inactive | PageFlags.Free)) != want) { problem = where + "wrong flags"; return false; }
                    if (p->ContainerId != list >> 1) { problem = where + "ContainerId is not the group"; return false; }
                    if (p->LruPrev != prev) { problem = where + "back link broken"; return false; }
                    prev = pfn;
                    n++;
                }
                if (n != _count[list] || _tail[list] != prev) { problem = "lru list " + list.ToString() + ": count or tail wrong"; return false; }
            }
            problem = null;
            return true;
        }

        private void MoveTo(uint pfn, bool active)
        {
            if (!IsOnList(pfn))
            {
                _panic.Panic("mm: lru move of unlisted pfn " + pfn.ToString());
                return;
            }
            int list = ListOf(pfn);
            Unlink(pfn, list);
            Push(pfn, (list & ~1) + (active ? 1 : 0));
        }

        private int ListOf(uint pfn) => _pages[pfn].ContainerId * 2 + ((_pages[pfn].Flags & PageFlags.Active) != 0 ? 1 : 0);

        private bool Valid(int group) => (uint)group < (uint)_groups;

        private void Push(uint pfn, int list)
        {
            Page* p = _pages + pfn;
            p->Flags |= (list & 1) != 0 ? PageFlags.Active : PageFlags.Inactive;
            p->LruPrev = Page.NoFrame;
            p->LruNext = _head[list];
            if (_head[list] != Page.NoFrame) _pages[_head[list]].LruPrev = pfn;
            else _tail[list] = pfn;
            _head[list] = pfn;
            _count[list]++;
        }

        private void Unlink(uint pfn, int list)
        {
            Page* p = _pages + pfn;
            if (p->LruPrev != Page.NoFrame) _pages[p->LruPrev].LruNext = p->LruNext;
            else _head[list] = p->LruNext;
            if (p->LruNext != Page.NoFrame) _pages[p->LruNext].LruPrev = p->LruPrev;
            else _tail[list] = p->LruPrev;
            p->LruNext = p->LruPrev = Page.NoFrame;
            p->Flags &= ~(PageFlags.Active | PageFlags.Inactive);
            _count[list]--;
        }
    }
}
