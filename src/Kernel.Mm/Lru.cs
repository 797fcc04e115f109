// The LRU lists the reclaimer scans (Linux's lruvec): per group — 0 the root, then one per memory
// container id — an active and an inactive FrameList of user frames, newest at the head, oldest
// at the tail. A frame's group is its Page.ContainerId, which only the Charger writes: the LRU
// reads it (Add files the frame under it; the Charger takes a frame off before it re-charges it).
//
// New anonymous pages go to the head of the *inactive* list, as in Linux since 5.9 (workingset
// protection for anon pages): a page has to be referenced again while inactive to be promoted.
// Age does second-chance aging of the active list; ScanInactive picks reclaim candidates.
// Referenced means "some PTE mapping the frame had its Accessed bit set": the AccessedTester finds
// and clears those bits (AnonRmap, for anonymous pages).
//
// Invariants: a frame is on at most one list, and has Active or Inactive exactly when it is on
// the active or inactive list of group Page.ContainerId; each list's count is its length; a frame
// on a list is never Free. Not locked: the kernel calls it with interrupts off.
namespace Kernel.Mm
{
    // Tests and clears the referenced state of a frame (all its PTEs' Accessed bits).
    public abstract class AccessedTester
    {
        public abstract bool TestAndClearAccessed(uint pfn);
    }

    public enum LruList { Inactive = 0, Active = 1 }

    public sealed unsafe class Lru
    {
        // Lists by index: group * 2 + (int)LruList.
        private readonly Page* _pages;
        private readonly uint _frames;
        private readonly PanicHandler _panic;
        private readonly int _groups;
        private readonly FrameList[] _lists;

        public Lru(FrameDatabase frames, int groups, PanicHandler panic)
        {
            _pages = frames.Pages;
            _frames = frames.Count;
            _panic = panic;
            _groups = groups < 1 ? 1 : groups;
            _lists = new FrameList[_groups * 2];
            for (int i = 0; i < _lists.Length; i++) _lists[i] = FrameList.Empty;
        }

        public int Groups => _groups;
        public uint ActiveCount(int group) => Valid(group) ? _lists[Index(group, LruList.Active)].Count : 0;
        public uint InactiveCount(int group) => Valid(group) ? _lists[Index(group, LruList.Inactive)].Count : 0;
        // Newest (head) and oldest (tail) frame of a list, NoFrame when empty; walk with LruNext.
        public uint Head(int group, LruList list) => Valid(group) ? _lists[Index(group, list)].Head : Page.NoFrame;
        public uint Tail(int group, LruList list) => Valid(group) ? _lists[Index(group, list)].Tail : Page.NoFrame;

        public bool IsOnList(uint pfn) => pfn < _frames && (_pages[pfn].Flags & (PageFlags.Active | PageFlags.Inactive)) != 0;

        // Puts a frame that is on no list at the head of `list` of its group (Page.ContainerId).
        public void Add(uint pfn, LruList list = LruList.Inactive)
        {
            if (pfn >= _frames || !Valid(_pages[pfn].ContainerId) || (_pages[pfn].Flags & (PageFlags.Active | PageFlags.Inactive | PageFlags.Free)) != 0)
            {
                _panic.Panic("lru: add of pfn " + pfn.ToString());
                return;
            }
            Push(pfn, Index(_pages[pfn].ContainerId, list));
        }

        // Takes a frame off its list; false if it was on none. `was` tells which list it was on.
        public bool Remove(uint pfn, out LruList was)
        {
            was = LruList.Inactive;
            if (!IsOnList(pfn)) return false;
            int list = ListOf(pfn);
            was = (LruList)(list & 1);
            Unlink(pfn, list);
            return true;
        }

        public bool Remove(uint pfn) => Remove(pfn, out LruList _);

        // Moves a listed frame to the head of its group's active list.
        public void Activate(uint pfn) => MoveTo(pfn, LruList.Active);

        // A read or write used the frame (Linux's mark_page_accessed): the second use while it is
        // inactive activates it; the first only sets Referenced.
        public void MarkAccessed(uint pfn)
        {
            if (!IsOnList(pfn)) return;
            Page* p = _pages + pfn;
            if ((p->Flags & PageFlags.Referenced) == 0) { p->Flags |= PageFlags.Referenced; return; }
            p->Flags &= ~PageFlags.Referenced;
            if ((p->Flags & PageFlags.Inactive) != 0) MoveTo(pfn, LruList.Active);
        }

        // Moves a listed frame to the head of its group's inactive list.
        public void Deactivate(uint pfn) => MoveTo(pfn, LruList.Inactive);

        // Second-chance aging: looks at up to `count` frames from the tail of group's active list;
        // referenced ones (their Accessed bits now cleared) go back to the head, the others to the
        // head of the inactive list. Returns how many were deactivated.
        public int Age(int group, int count, AccessedTester tester)
        {
            if (!Valid(group)) return 0;
            int active = Index(group, LruList.Active), inactive = Index(group, LruList.Inactive);
            uint n = _lists[active].Count;
            if ((uint)count < n) n = (uint)count;
            int deactivated = 0;
            for (uint i = 0; i < n; i++)
            {
                uint pfn = _lists[active].Tail;
                Unlink(pfn, active);
                if (tester.TestAndClearAccessed(pfn)) Push(pfn, active);
                else
                {
                    Push(pfn, inactive);
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
            int inactive = Index(group, LruList.Inactive);
            int found = 0;
            uint pfn = _lists[inactive].Tail;
            for (int i = 0; i < count && pfn != Page.NoFrame && found < candidates.Length; i++)
            {
                uint prev = _pages[pfn].LruPrev;
                if (tester.TestAndClearAccessed(pfn))
                {
                    Unlink(pfn, inactive);
                    Push(pfn, inactive + 1);
                }
                else candidates[found++] = pfn;
                pfn = prev;
            }
            return found;
        }

        // The first broken link, flag or count of any list, or null.
        public string Verify()
        {
            for (int list = 0; list < _lists.Length; list++)
            {
                string links = _lists[list].Verify(_pages, _frames);
                if (links != null) return "lru list " + list.ToString() + ": " + links;
                PageFlags want = (list & 1) != 0 ? PageFlags.Active : PageFlags.Inactive;
                for (uint pfn = _lists[list].Head; pfn != Page.NoFrame; pfn = _pages[pfn].LruNext)
                {
                    Page* p = _pages + pfn;
                    string where = "lru list " + list.ToString() + ", pfn " + pfn.ToString() + ": ";
                    if ((p->Flags & (PageFlags.Active | PageFlags.Inactive | PageFlags.Free)) != want) return where + "wrong flags";
                    if (p->ContainerId != list >> 1) return where + "ContainerId is not the group";
                }
            }
            return null;
        }

        private void MoveTo(uint pfn, LruList to)
        {
            if (!IsOnList(pfn))
            {
                _panic.Panic("lru: move of unlisted pfn " + pfn.ToString());
                return;
            }
            int list = ListOf(pfn);
            Unlink(pfn, list);
            Push(pfn, (list & ~1) + (int)to);
        }

        private static int Index(int group, LruList list) => group * 2 + (int)list;

        private int ListOf(uint pfn) => Index(_pages[pfn].ContainerId, (_pages[pfn].Flags & PageFlags.Active) != 0 ? LruList.Active : LruList.Inactive);

        private bool Valid(int group) => (uint)group < (uint)_groups;

        private void Push(uint pfn, int list)
        {
            _pages[pfn].Flags |= (list & 1) != 0 ? PageFlags.Active : PageFlags.Inactive;
            _lists[list].PushHead(_pages, pfn);
        }

        private void Unlink(uint pfn, int list)
        {
            _lists[list].Unlink(_pages, pfn);
            _pages[pfn].Flags &= ~(PageFlags.Active | PageFlags.Inactive);
        }
    }
}
