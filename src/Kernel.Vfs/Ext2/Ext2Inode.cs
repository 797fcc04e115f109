// One ext2 inode in memory (Linux's ext2_inode_info): the on-disk fields, read from the inode table
// when the inode is first looked up and written back into its table block (a buffer) whenever an
// operation changes them, bytes this kernel does not know (the rest of a 256-byte inode) kept as
// they are. A regular file has a PageCache (its data) with an Ext2Backing (its pages to and from
// the disk); the block map, the directory and the file operations are the other parts of this
// partial class (BlockMap.cs, Directory.cs, FileData.cs).
//
// Life: an inode stays in memory while the file system is mounted (Ext2Fs hashes it by number).
// Removing the last name of an inode frees it on disk at once, or at the last close if it is open
// (its pages then live until that close, as Linux's orphans).
// Invariants: Size is the cache's Size (capped at PageCache.MaxPages pages); Blocks counts, in
// 512-byte units, every block the inode owns (data, indirect, the attribute block); OnDirtyList
// while the cache has dirty pages. Every method that touches the disk expects the file system's
// lock held (the VFS entry points take it), except the Backing's ReadPage (page faults).
using Kernel.Abi;
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Vfs.Ext2
{
    internal sealed unsafe partial class Ext2Inode : Inode
    {
        internal readonly Ext2Fs X;
        internal readonly uint Number;
        internal ushort IMode;
        internal uint IUid, IGid, IAtime, ICtime, IMtime, IDtime, IFlags, IFileAcl;
        internal ulong ISize, IBlocks;
        internal ushort ILinks;
        internal readonly uint[] IBlock = new uint[Ext2Const.NBlocks];
        private PageCache _cache;
        private int _opens;
        internal Ext2Inode HashNext;
        internal ulong DirtiedMs;
        internal bool OnDirtyList;
        private static uint s_generation = 0x5eed;

        private Ext2Inode(Ext2Fs fs, uint ino, ushort mode)
            : base(fs, KindOf(mode), (ushort)(mode & 0xFFF), ino)
        {
            X = fs;
            Number = ino;
            IMode = mode;
        }

        private static InodeKind KindOf(ushort mode)
        {
            switch (mode & Ext2Const.TypeMask)
            {
                case Ext2Const.Dir: return InodeKind.Directory;
                case Ext2Const.Lnk: return InodeKind.Symlink;
                case Ext2Const.Chr: return InodeKind.CharDevice;
                case Ext2Const.Blk: return InodeKind.BlockDevice;
                case Ext2Const.Fifo: return InodeKind.Fifo;
                case Ext2Const.Sock: return InodeKind.Socket;
                default: return InodeKind.Regular;
            }
        }

        public override ulong Size => ISize;
        public override int Links => ILinks;
        public override uint Uid => IUid;
        public override uint Gid => IGid;
        public override long MTime => IMtime;
        public override long ATime => IAtime;
        public override long CTime => ICtime;
        public override ulong Blocks => IBlocks;
        public override PageCache Mapping => _cache;
        internal PageCache Cache => _cache;
        internal bool IsOpen => _opens > 0;

        public override int DeviceMajor
        {
            get
            {
                if (!IsDevice) return 0;
                if (IBlock[0] != 0) return (int)((IBlock[0] >> 8) & 0xFF);
                return (int)((IBlock[1] & 0xFFF00) >> 8);
            }
        }

        public override int DeviceMinor
        {
            get
            {
                if (!IsDevice) return 0;
                if (IBlock[0] != 0) return (int)(IBlock[0] & 0xFF);
                return (int)((IBlock[1] & 0xFF) | ((IBlock[1] >> 12) & 0xFFF00));
            }
        }

        // Reads inode ino from its table. EUCLEAN for an inode not in use or of no known kind.
        internal static Errno Load(Ext2Fs fs, uint ino, out Ext2Inode node)
        {
            node = null;
            fs.InodeLocation(ino, out uint block, out uint offset);
            Errno e = fs.Buffers.Get(block, out Buf b);
            if (e != Errno.None) return e;
            byte* p = b.Data + offset;
            ushort mode = Le.U16(p + InodeOff.Mode);
            ushort links = Le.U16(p + InodeOff.Links);
            uint flags = Le.U32(p + InodeOff.Flags);
            ushort type = (ushort)(mode & Ext2Const.TypeMask);
            bool known = type == Ext2Const.Reg || type == Ext2Const.Dir || type == Ext2Const.Lnk || type == Ext2Const.Chr ||
                type == Ext2Const.Blk || type == Ext2Const.Fifo || type == Ext2Const.Sock;
            if (links == 0 || !known)
            {
                fs.Buffers.Put(ref b);
                return fs.Corrupt(string.Concat("inode ", ino.ToString(), links == 0 ? " is not in use" : " has an unknown mode ", links == 0 ? "" : Ext2Fs.Hex(mode)));
            }
            if ((flags & Ext2Const.ExtentsFlag) != 0)
            {
                fs.Buffers.Put(ref b);
                return fs.Corrupt(string.Concat("inode ", ino.ToString(), " uses extents"));
            }
            Ext2Inode n = new Ext2Inode(fs, ino, mode);
            n.ILinks = links;
            n.IUid = Le.U16(p + InodeOff.Uid) | ((uint)Le.U16(p + InodeOff.UidHigh) << 16);
            n.IGid = Le.U16(p + InodeOff.Gid) | ((uint)Le.U16(p + InodeOff.GidHigh) << 16);
            n.ISize = Le.U32(p + InodeOff.Size);
            if (type == Ext2Const.Reg) n.ISize |= (ulong)Le.U32(p + InodeOff.SizeHigh) << 32;
            n.IAtime = Le.U32(p + InodeOff.Atime);
            n.ICtime = Le.U32(p + InodeOff.Ctime);
            n.IMtime = Le.U32(p + InodeOff.Mtime);
            n.IDtime = Le.U32(p + InodeOff.Dtime);
            n.IBlocks = Le.U32(p + InodeOff.Blocks) | ((ulong)Le.U16(p + InodeOff.BlocksHigh) << 32);
            n.IFlags = flags;
            for (int i = 0; i < Ext2Const.NBlocks; i++) n.IBlock[i] = Le.U32(p + InodeOff.Block + 4 * i);
            n.IFileAcl = Le.U32(p + InodeOff.FileAcl);
            fs.Buffers.Put(ref b);
            if (type == Ext2Const.Dir && (n.ISize & (fs.BlockSize - 1)) != 0)
                return fs.Corrupt(string.Concat("directory inode ", ino.ToString(), " has a size (", n.ISize.ToString(), ") that is not a multiple of the block size"));
            if (type == Ext2Const.Reg) n.AttachCache();
            node = n;
            return Errno.None;
        }

        // A new inode, in use in the bitmap already: its slot zeroed and written.
        internal static Errno Create(Ext2Fs fs, uint ino, ushort mode, out Ext2Inode node)
        {
            node = new Ext2Inode(fs, ino, mode);
            uint now = fs.Host.Now;
            node.IAtime = node.ICtime = node.IMtime = now;
            node.ILinks = 1;
            fs.InodeLocation(ino, out uint block, out uint offset);
            Errno e = fs.Buffers.Get(block, out Buf b);
            if (e != Errno.None) return e;
            byte* p = b.Data + offset;
            for (int i = 0; i < fs.Super.InodeSize; i++) p[i] = 0;
            // As mke2fs and Linux write a large inode: the extra fields they know (times) in use.
            if (fs.Super.InodeSize >= Ext2Const.GoodOldInodeSize + 32) Le.Put16(p + InodeOff.ExtraIsize, 32);
            Le.Put32(p + InodeOff.Generation, s_generation++);
            fs.Buffers.MarkDirty(b);
            fs.Buffers.Put(ref b);
            if ((mode & Ext2Const.TypeMask) == Ext2Const.Reg) node.AttachCache();
            fs.Hash(node);
            return node.Store();
        }

        private void AttachCache()
        {
            _cache = PageCache.Create(X.Vm);
            _cache.Backing = new Ext2Backing(this);
            _cache.Size = ISize < PageCache.MaxPages * Paging.Size ? ISize : PageCache.MaxPages * Paging.Size;
        }

        // The fields into the inode's table block.
        internal Errno Store()
        {
            X.InodeLocation(Number, out uint block, out uint offset);
            Errno e = X.Buffers.Get(block, out Buf b);
            if (e != Errno.None) return e;
            byte* p = b.Data + offset;
            Le.Put16(p + InodeOff.Mode, IMode);
            Le.Put16(p + InodeOff.Uid, IUid & 0xFFFF);
            Le.Put16(p + InodeOff.UidHigh, IUid >> 16);
            Le.Put16(p + InodeOff.Gid, IGid & 0xFFFF);
            Le.Put16(p + InodeOff.GidHigh, IGid >> 16);
            Le.Put32(p + InodeOff.Size, (uint)ISize);
            if ((IMode & Ext2Const.TypeMask) == Ext2Const.Reg) Le.Put32(p + InodeOff.SizeHigh, (uint)(ISize >> 32));
            Le.Put32(p + InodeOff.Atime, IAtime);
            Le.Put32(p + InodeOff.Ctime, ICtime);
            Le.Put32(p + InodeOff.Mtime, IMtime);
            Le.Put32(p + InodeOff.Dtime, IDtime);
            Le.Put16(p + InodeOff.Links, ILinks);
            Le.Put32(p + InodeOff.Blocks, (uint)IBlocks);
            Le.Put16(p + InodeOff.BlocksHigh, (uint)(IBlocks >> 32));
            Le.Put32(p + InodeOff.Flags, IFlags);
            for (int i = 0; i < Ext2Const.NBlocks; i++) Le.Put32(p + InodeOff.Block + 4 * i, IBlock[i]);
            Le.Put32(p + InodeOff.FileAcl, IFileAcl);
            X.Buffers.MarkDirty(b);
            X.Buffers.Put(ref b);
            return Errno.None;
        }

        internal void Touch(bool modified)
        {
            uint now = X.Host.Now;
            ICtime = now;
            if (modified) IMtime = now;
        }

        public override void Opened()
        {
            _opens++;
            X.OpenFiles++;
        }

        public override void Closed()
        {
            if (_opens == 0) return;
            _opens--;
            X.OpenFiles--;
            if (_opens > 0 || ILinks > 0) return;
            X.Lock.Lock();
            if (ILinks == 0 && _opens == 0 && X.IsHashed(this)) Delete();
            X.Lock.Unlock();
        }

        // The last name went: freed now, or at the last close.
        internal void Unlinked()
        {
            if (ILinks == 0 && _opens == 0) Delete();
        }

        // Frees the inode on disk: its pages, its blocks, its attribute block, its bitmap bit.
        private void Delete()
        {
            bool directory = IsDirectory;
            if (_cache != null)
            {
                WaitForPageIo(0, Paging.PagesFor(_cache.Size));
                _cache.Release();
                _cache = null;
            }
            if (OwnsBlocks()) FreeFrom(0);
            for (int i = 0; i < Ext2Const.NBlocks; i++) IBlock[i] = 0;
            if (IFileAcl != 0)
            {
                ReleaseAttributeBlock(IFileAcl);
                IFileAcl = 0;
            }
            ISize = 0;
            IBlocks = 0;
            IDtime = X.Host.Now;
            Store();
            X.FreeInode(Number, directory);
            X.Unhash(this);
            X.NotDirty(this);
        }

        // Regular files, directories and long symbolic links map blocks; a fast symbolic link keeps
        // its target, and a device node its numbers, in i_block.
        private bool OwnsBlocks()
        {
            ushort type = (ushort)(IMode & Ext2Const.TypeMask);
            if (type == Ext2Const.Reg || type == Ext2Const.Dir) return true;
            return type == Ext2Const.Lnk && !IsFastSymlink;
        }

        internal bool IsFastSymlink
        {
            get
            {
                ulong ea = IFileAcl != 0 ? X.BlockSize / 512 : 0;
                return IBlocks <= ea;
            }
        }

        // An extended attribute block loses a user (Linux's ext2_xattr_delete_inode): its
        // reference count drops, and it is freed with the last.
        private void ReleaseAttributeBlock(uint block)
        {
            if (!X.ValidBlock(block))
            {
                X.Corrupt(string.Concat("inode ", Number.ToString(), ": attribute block ", block.ToString(), " out of range"));
                return;
            }
            if (X.Buffers.Get(block, out Buf b) != Errno.None) return;
            if (Le.U32(b.Data) != Ext2Const.XattrMagic)
            {
                X.Buffers.Put(ref b);
                X.Corrupt(string.Concat("inode ", Number.ToString(), ": attribute block ", block.ToString(), " has a bad magic number"));
                return;
            }
            uint refs = Le.U32(b.Data + 4);
            if (refs > 1)
            {
                Le.Put32(b.Data + 4, refs - 1);
                X.Buffers.MarkDirty(b);
                X.Buffers.Put(ref b);
                return;
            }
            X.Buffers.Put(ref b);
            X.FreeBlock(block);
        }

        // Unmount: the pages go (written back before), the inode with them.
        internal void Forget()
        {
            if (_cache != null)
            {
                _cache.Release();
                _cache = null;
            }
        }

        // Waits until no page in [first, end) is being read or written (before they are dropped and
        // their blocks freed, so that no I/O lands in a block that has another owner by then).
        internal void WaitForPageIo(ulong first, ulong end)
        {
            if (_cache == null) return;
            ulong i = first;
            while (i < end)
            {
                uint pfn = _cache.Find(i);
                if (pfn != Page.NoFrame && (X.Vm.Pages[pfn].Flags & (PageFlags.Locked | PageFlags.Writeback)) != 0)
                {
                    X.Vm.PageWait.Wait();
                    continue;
                }
                i++;
            }
        }
    }
}
