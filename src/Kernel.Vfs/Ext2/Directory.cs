// ext2 directories (Linux's fs/ext2/dir.c and namei.c): blocks of variable-length entries read
// and changed in the buffer cache. Each block is checked before it is used, as ext2_check_page
// does (an entry shorter than 12 bytes or than its name, not 4-aligned, running past its block, or
// naming an inode past the last: EUCLEAN and dmesg). A directory is never sparse.
//
// Adding an entry takes the first entry with room to spare (its record is split) or an unused
// one; otherwise a new block is appended. Removing merges the entry into the one before it in its
// block, or marks it unused when it is the block's first. An indexed directory (dir_index) is
// scanned linearly — its index blocks look like empty entries — and changing it clears the
// index flag, as Linux's ext2 does. Every change checks the room it needs first (an inode, the
// blocks of a new directory block, of the new directory, of a long symbolic link) so that ENOSPC
// leaves nothing half-made. The entry points take the file system's lock.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Vfs.Ext2
{
    internal sealed unsafe partial class Ext2Inode
    {
        private struct Listed
        {
            public string Name;
            public uint Ino;
        }

        // Where an entry is, or where a new one goes.
        private struct Slot
        {
            public uint Block;      // directory block index
            public int Offset;      // of the entry in it
            public int Prev;        // the entry before it in its block, -1 when first
            public uint Ino;        // the entry's inode (found entries)
            public bool Append;     // no room: a new block at the end
        }

        private Vector<Listed> _listing;

        private uint DirBlocks => (uint)(ISize >> X.BlockShift);

        // Directory block fb, mapped, read and checked; pinned.
        private Errno DirBlock(uint fb, out Buf buf)
        {
            buf = default;
            Errno e = Map(fb, out uint disk);
            if (e != Errno.None) return e;
            if (disk == 0) return X.Corrupt(string.Concat("directory inode ", Number.ToString(), " has a hole at block ", fb.ToString()));
            e = X.Buffers.Get(disk, out buf);
            if (e != Errno.None) return e;
            e = CheckBlock(buf.Data, fb);
            if (e != Errno.None) X.Buffers.Put(ref buf);
            return e;
        }

        // A walk over the directory's entries in order, one block pinned at a time (ext2's
        // for-each-entry loop). A fresh cursor starts at the first entry; NextEntry unpins the
        // last block at the end or on an error, EndWalk when the caller stops early.
        private struct DirCursor
        {
            public uint Block;      // directory block index
            public int Offset;      // of the current entry in it
            public int Prev;        // the entry before it in its block, -1 when first
            public byte* Entry;     // the current entry, in Buf
            public Buf Buf;
            public bool Pinned;
        }

        // Moves c to the next entry; false at the end (e: None) or when a block could not be had.
        // A checked block's records are at least 12 bytes and end at its end, so this terminates.
        private bool NextEntry(ref DirCursor c, out Errno e)
        {
            e = Errno.None;
            if (c.Pinned)
            {
                c.Prev = c.Offset;
                c.Offset += Le.U16(c.Entry + 4);
                if (c.Offset < (int)X.BlockSize)
                {
                    c.Entry = c.Buf.Data + c.Offset;
                    return true;
                }
                EndWalk(ref c);
                c.Block++;
            }
            if (c.Block >= DirBlocks) return false;
            e = DirBlock(c.Block, out c.Buf);
            if (e != Errno.None) return false;
            c.Pinned = true;
            c.Offset = 0;
            c.Prev = -1;
            c.Entry = c.Buf.Data;
            return true;
        }

        private void EndWalk(ref DirCursor c)
        {
            if (!c.Pinned) return;
            X.Buffers.Put(ref c.Buf);
            c.Pinned = false;
        }

        private static bool IsDotOrDotDot(byte* entry) =>
            (entry[6] == 1 && entry[8] == '.') || (entry[6] == 2 && entry[8] == '.' && entry[9] == '.');

        private Errno CheckBlock(byte* d, uint fb)
        {
            int size = (int)X.BlockSize;
            int off = 0;
            while (off < size)
            {
                int rec = Le.U16(d + off + 4);
                int nameLen = d[off + 6];
                uint ino = Le.U32(d + off);
                string why = null;
                if (rec < 12) why = "rec_len is smaller than minimal";
                else if ((rec & 3) != 0) why = "unaligned directory entry";
                else if (rec < Ext2Const.RecLen(nameLen)) why = "rec_len is too small for name_len";
                else if (off + rec > size) why = "directory entry across blocks";
                else if (ino > X.Super.InodesCount) why = "inode out of bounds";
                if (why != null)
                    return X.Corrupt(string.Concat("bad entry in directory inode ", Number.ToString(), ": ", why,
                        string.Concat(" - block ", fb.ToString(), ", offset ", off.ToString())));
                off += rec;
            }
            return Errno.None;
        }

        private static bool NameIs(byte* entry, string name)
        {
            if (entry[6] != name.Length) return false;
            for (int i = 0; i < name.Length; i++) if (entry[8 + i] != (byte)name[i]) return false;
            return true;
        }

        private static string NameOf(byte* entry)
        {
            int n = entry[6];
            char[] c = new char[n];
            for (int i = 0; i < n; i++) c[i] = (char)entry[8 + i];
            return new string(c, 0, n);
        }

        // Finds name; ENOENT when absent.
        private Errno Find(string name, out Slot slot)
        {
            slot = default;
            var c = new DirCursor();
            Errno e;
            while (NextEntry(ref c, out e))
            {
                if (Le.U32(c.Entry) == 0 || !NameIs(c.Entry, name)) continue;
                slot.Block = c.Block;
                slot.Offset = c.Offset;
                slot.Prev = c.Prev;
                slot.Ino = Le.U32(c.Entry);
                EndWalk(ref c);
                return Errno.None;
            }
            return e != Errno.None ? e : Errno.ENOENT;
        }

        // Where an entry for name would go; EEXIST when the name is taken. blocks: the blocks that
        // placing it needs (a new directory block and its indirect blocks).
        private Errno FindRoom(string name, out Slot slot, out uint blocks)
        {
            slot = default;
            blocks = 0;
            int need = Ext2Const.RecLen(name.Length);
            bool found = false;
            var c = new DirCursor();
            Errno e;
            while (NextEntry(ref c, out e))
            {
                uint ino = Le.U32(c.Entry);
                if (ino != 0 && NameIs(c.Entry, name))
                {
                    EndWalk(ref c);
                    return Errno.EEXIST;
                }
                int used = ino == 0 ? 0 : Ext2Const.RecLen(c.Entry[6]);
                if (!found && Le.U16(c.Entry + 4) - used >= need)
                {
                    found = true;
                    slot.Block = c.Block;
                    slot.Offset = c.Offset;
                }
            }
            if (e != Errno.None) return e;
            if (found) return Errno.None;
            slot.Append = true;
            slot.Block = DirBlocks;
            return Needed(slot.Block, out blocks);
        }

        private void WriteEntry(byte* d, uint ino, int rec, string name, ushort mode)
        {
            Le.Put32(d, ino);
            Le.Put16(d + 4, (uint)rec);
            d[6] = (byte)name.Length;
            d[7] = X.Filetype ? Ext2Const.FileType(mode) : (byte)0;
            for (int i = 0; i < name.Length; i++) d[8 + i] = (byte)name[i];
        }

        // Puts the entry where FindRoom said.
        private Errno Insert(Slot slot, string name, uint ino, ushort mode)
        {
            int need = Ext2Const.RecLen(name.Length);
            if (slot.Append)
            {
                Errno e = Allocate(slot.Block, out uint disk, out bool _);
                if (e != Errno.None) return e;
                e = X.Buffers.GetNew(disk, out Buf nb);
                if (e != Errno.None) return e;
                WriteEntry(nb.Data, ino, (int)X.BlockSize, name, mode);
                X.Buffers.MarkDirty(nb);
                X.Buffers.Put(ref nb);
                ISize += X.BlockSize;
                return Errno.None;
            }
            Errno r = DirBlock(slot.Block, out Buf buf);
            if (r != Errno.None) return r;
            byte* d = buf.Data + slot.Offset;
            int rec = Le.U16(d + 4);
            if (Le.U32(d) == 0) WriteEntry(d, ino, rec, name, mode);
            else
            {
                int used = Ext2Const.RecLen(d[6]);
                Le.Put16(d + 4, (uint)used);
                WriteEntry(d + used, ino, rec - used, name, mode);
            }
            X.Buffers.MarkDirty(buf);
            X.Buffers.Put(ref buf);
            return Errno.None;
        }

        private Errno RemoveAt(Slot slot)
        {
            Errno e = DirBlock(slot.Block, out Buf buf);
            if (e != Errno.None) return e;
            byte* d = buf.Data + slot.Offset;
            if (slot.Prev >= 0)
            {
                byte* p = buf.Data + slot.Prev;
                Le.Put16(p + 4, (uint)(Le.U16(p + 4) + Le.U16(d + 4)));
            }
            else Le.Put32(d, 0);
            X.Buffers.MarkDirty(buf);
            X.Buffers.Put(ref buf);
            return Errno.None;
        }

        private Errno Repoint(Slot slot, uint ino, ushort mode)
        {
            Errno e = DirBlock(slot.Block, out Buf buf);
            if (e != Errno.None) return e;
            byte* d = buf.Data + slot.Offset;
            Le.Put32(d, ino);
            d[7] = X.Filetype ? Ext2Const.FileType(mode) : (byte)0;
            X.Buffers.MarkDirty(buf);
            X.Buffers.Put(ref buf);
            return Errno.None;
        }

        // Whether the directory holds nothing but "." and "..".
        private Errno IsEmpty(out bool empty)
        {
            empty = false;
            var c = new DirCursor();
            Errno e;
            while (NextEntry(ref c, out e))
            {
                if (Le.U32(c.Entry) != 0 && !IsDotOrDotDot(c.Entry))
                {
                    EndWalk(ref c);
                    return Errno.None;
                }
            }
            empty = e == Errno.None;
            return e;
        }

        // The ".." entry (the second of block 0) now names parent.
        private Errno SetParent(uint parent)
        {
            Errno e = DirBlock(0, out Buf buf);
            if (e != Errno.None) return e;
            int off = Le.U16(buf.Data + 4);
            byte* d = buf.Data + off;
            if (off >= (int)X.BlockSize || !(d[6] == 2 && d[8] == '.' && d[9] == '.'))
            {
                X.Buffers.Put(ref buf);
                return X.Corrupt(string.Concat("directory inode ", Number.ToString(), " has no '..' entry"));
            }
            Le.Put32(d, parent);
            X.Buffers.MarkDirty(buf);
            X.Buffers.Put(ref buf);
            return Errno.None;
        }

        // The directory changed: times, the index flag gone, the listing stale, the inode written.
        private void Changed()
        {
            _listing = null;
            IFlags &= ~Ext2Const.IndexFlag;
            Touch(true);
            Store();
        }

        private Errno BuildListing()
        {
            Vector<Listed> list = new Vector<Listed>(16);
            var c = new DirCursor();
            Errno e;
            while (NextEntry(ref c, out e))
            {
                uint ino = Le.U32(c.Entry);
                if (ino == 0 || IsDotOrDotDot(c.Entry)) continue;
                Listed l;
                l.Name = NameOf(c.Entry);
                l.Ino = ino;
                list.Add(l);
            }
            if (e != Errno.None) return e;
            _listing = list;
            return Errno.None;
        }

        public override int EntryCount
        {
            get
            {
                if (!IsDirectory) return 0;
                X.Lock.Lock();
                Errno e = _listing == null ? BuildListing() : Errno.None;
                int n = e == Errno.None ? _listing.Count : 0;
                X.Lock.Unlock();
                return n;
            }
        }

        public override Errno CountEntries(out int count)
        {
            count = 0;
            if (!IsDirectory) return Errno.ENOTDIR;
            X.Lock.Lock();
            Errno e = _listing == null ? BuildListing() : Errno.None;
            if (e == Errno.None) count = _listing.Count;
            X.Lock.Unlock();
            return e;
        }

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (!IsDirectory) return false;
            X.Lock.Lock();
            Errno e = _listing == null ? BuildListing() : Errno.None;
            if (e == Errno.None && index >= 0 && index < _listing.Count)
            {
                Listed l = _listing[index];
                e = X.GetInode(l.Ino, out Ext2Inode c);
                if (e == Errno.None)
                {
                    name = l.Name;
                    child = c;
                }
            }
            X.Lock.Unlock();
            return child != null;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            child = null;
            if (!IsDirectory) return Errno.ENOTDIR;
            X.Lock.Lock();
            Errno e = Find(name, out Slot slot);
            if (e == Errno.None)
            {
                e = X.GetInode(slot.Ino, out Ext2Inode c);
                child = c;
            }
            X.Lock.Unlock();
            return e;
        }

        public override Errno Create(string name, out Inode child) =>
            Make(name, (ushort)(Ext2Const.Reg | ModeFile), null, out child);

        public override Errno Mkdir(string name, out Inode child) =>
            Make(name, (ushort)(Ext2Const.Dir | ModeDirectory), null, out child);

        public override Errno Symlink(string name, string target, out Inode child)
        {
            child = null;
            if (!IsDirectory) return Errno.ENOTDIR;
            if (target == null || target.Length == 0) return Errno.ENOENT;
            if (target.Length >= (int)X.BlockSize) return Errno.ENAMETOOLONG;
            return Make(name, (ushort)(Ext2Const.Lnk | 0x1FF), target, out child);
        }

        private Errno Make(string name, ushort mode, string target, out Inode child)
        {
            child = null;
            if (!IsDirectory) return Errno.ENOTDIR;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = MakeLocked(name, mode, target, out Ext2Inode node);
            X.Lock.Unlock();
            child = node;
            return e;
        }

        private Errno MakeLocked(string name, ushort mode, string target, out Ext2Inode node)
        {
            node = null;
            if (ILinks == 0) return Errno.ENOENT;   // removed while we were on our way here
            bool directory = (mode & Ext2Const.TypeMask) == Ext2Const.Dir;
            bool slowLink = target != null && target.Length > Ext2Const.FastSymlinkMax;
            Errno e = FindRoom(name, out Slot slot, out uint blocks);
            if (e != Errno.None) return e;
            if (directory || slowLink) blocks++;
            if (X.Super.FreeBlocks < blocks || X.Super.FreeInodes == 0) return Errno.ENOSPC;
            if (directory && ILinks >= Ext2Const.LinkMax) return Errno.EMLINK;
            e = X.AllocInode(Number, directory, out uint ino);
            if (e != Errno.None) return e;
            e = Ext2Inode.Create(X, ino, mode, out node);
            if (e != Errno.None) return e;
            if (directory)
            {
                e = node.Allocate(0, out uint disk, out bool _);
                if (e != Errno.None) return e;
                e = X.Buffers.GetNew(disk, out Buf b);
                if (e != Errno.None) return e;
                WriteEntry(b.Data, ino, 12, ".", mode);
                WriteEntry(b.Data + 12, Number, (int)X.BlockSize - 12, "..", IMode);
                X.Buffers.MarkDirty(b);
                X.Buffers.Put(ref b);
                node.ISize = X.BlockSize;
                node.ILinks = 2;
            }
            else if (target != null)
            {
                if (slowLink)
                {
                    e = node.Allocate(0, out uint disk, out bool _);
                    if (e != Errno.None) return e;
                    e = X.Buffers.GetNew(disk, out Buf b);
                    if (e != Errno.None) return e;
                    for (int i = 0; i < target.Length; i++) b.Data[i] = (byte)target[i];
                    X.Buffers.MarkDirty(b);
                    X.Buffers.Put(ref b);
                }
                else
                    for (int i = 0; i < target.Length; i++) node.IBlock[i >> 2] |= (uint)(byte)target[i] << (8 * (i & 3));
                node.ISize = (ulong)target.Length;
            }
            e = node.Store();
            if (e != Errno.None) return e;
            e = Insert(slot, name, ino, mode);
            if (e != Errno.None) return e;
            if (directory) ILinks++;
            Changed();
            return Errno.None;
        }

        public override Errno Unlink(string name)
        {
            if (!IsDirectory) return Errno.ENOTDIR;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = Find(name, out Slot slot);
            Ext2Inode child = null;
            if (e == Errno.None) e = X.GetInode(slot.Ino, out child);
            if (e == Errno.None && child.IsDirectory) e = Errno.EISDIR;
            if (e == Errno.None) e = RemoveAt(slot);
            if (e == Errno.None)
            {
                Changed();
                if (child.ILinks > 0) child.ILinks--;
                child.Touch(false);
                child.Store();
                child.Unlinked();
            }
            X.Lock.Unlock();
            return e;
        }

        public override Errno Rmdir(string name)
        {
            if (!IsDirectory) return Errno.ENOTDIR;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = Find(name, out Slot slot);
            Ext2Inode child = null;
            bool empty = false;
            if (e == Errno.None) e = X.GetInode(slot.Ino, out child);
            if (e == Errno.None && !child.IsDirectory) e = Errno.ENOTDIR;
            if (e == Errno.None) e = child.IsEmpty(out empty);
            if (e == Errno.None && !empty) e = Errno.ENOTEMPTY;
            if (e == Errno.None) e = RemoveAt(slot);
            if (e == Errno.None)
            {
                if (ILinks > 2) ILinks--;
                Changed();
                child.ILinks = 0;
                child._listing = null;
                child.Touch(false);
                child.Unlinked();
            }
            X.Lock.Unlock();
            return e;
        }

        public override Errno Link(string name, Inode target)
        {
            if (!IsDirectory) return Errno.ENOTDIR;
            Ext2Inode t = target as Ext2Inode;
            if (t == null || t.X != X) return Errno.EXDEV;
            if (t.IsDirectory) return Errno.EPERM;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = LinkLocked(name, t);
            X.Lock.Unlock();
            return e;
        }

        private Errno LinkLocked(string name, Ext2Inode t)
        {
            if (ILinks == 0 || t.ILinks == 0) return Errno.ENOENT;
            if (t.ILinks >= Ext2Const.LinkMax) return Errno.EMLINK;
            Errno e = FindRoom(name, out Slot slot, out uint blocks);
            if (e != Errno.None) return e;
            if (X.Super.FreeBlocks < blocks) return Errno.ENOSPC;
            e = Insert(slot, name, t.Number, t.IMode);
            if (e != Errno.None) return e;
            t.ILinks++;
            t.Touch(false);
            t.Store();
            Changed();
            return Errno.None;
        }

        public override Errno Rename(string name, Inode newDir, string newName)
        {
            if (!IsDirectory) return Errno.ENOTDIR;
            Ext2Inode nd = newDir as Ext2Inode;
            if (nd == null || nd.X != X) return Errno.EXDEV;
            if (!nd.IsDirectory) return Errno.ENOTDIR;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = RenameLocked(name, nd, newName);
            X.Lock.Unlock();
            return e;
        }

        private Errno RenameLocked(string name, Ext2Inode nd, string newName)
        {
            Errno e = Find(name, out Slot from);
            if (e != Errno.None) return e;
            e = X.GetInode(from.Ino, out Ext2Inode src);
            if (e != Errno.None) return e;
            if (nd == this && name == newName) return Errno.None;
            if (nd.ILinks == 0) return Errno.ENOENT;
            bool moveDir = src.IsDirectory && nd != this;
            Ext2Inode dst = null;
            e = nd.Find(newName, out Slot to);
            if (e == Errno.None)
            {
                e = X.GetInode(to.Ino, out dst);
                if (e != Errno.None) return e;
                if (dst == src) return Errno.None;   // two names of one inode: nothing to do
                if (src.IsDirectory)
                {
                    if (!dst.IsDirectory) return Errno.ENOTDIR;
                    e = dst.IsEmpty(out bool empty);
                    if (e != Errno.None) return e;
                    if (!empty) return Errno.ENOTEMPTY;
                }
                else if (dst.IsDirectory) return Errno.EISDIR;
                e = nd.Repoint(to, src.Number, src.IMode);
                if (e != Errno.None) return e;
                if (dst.IsDirectory)
                {
                    dst.ILinks = 0;
                    dst._listing = null;
                    if (nd.ILinks > 2) nd.ILinks--;
                }
                else dst.ILinks--;
                dst.Touch(false);
            }
            else if (e == Errno.ENOENT)
            {
                e = nd.FindRoom(newName, out to, out uint blocks);
                if (e != Errno.None) return e;
                if (X.Super.FreeBlocks < blocks) return Errno.ENOSPC;
                if (moveDir && nd.ILinks >= Ext2Const.LinkMax) return Errno.EMLINK;
                e = nd.Insert(to, newName, src.Number, src.IMode);
                if (e != Errno.None) return e;
            }
            else return e;
            // The old entry (found again: inserting into this same directory may have moved it).
            e = Find(name, out from);
            if (e == Errno.None) e = RemoveAt(from);
            if (e != Errno.None) return e;
            if (moveDir)
            {
                e = src.SetParent(nd.Number);
                nd.ILinks++;
                if (ILinks > 2) ILinks--;
            }
            src.Touch(false);
            src.Store();
            Changed();
            if (nd != this) nd.Changed();
            if (dst != null)
            {
                dst.Store();
                dst.Unlinked();
            }
            return e;
        }
    }
}
