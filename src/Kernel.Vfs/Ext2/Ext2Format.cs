// The ext2 on-disk format (from "The Second Extended File System" by Dave Poirier and Linux's
// Documentation/filesystems/ext2.rst): every number little-endian.
//
//   byte 1024  the superblock (1024 bytes; backups at the start of groups 0, 1 and powers of 3, 5, 7
//              with sparse_super): counts, sizes, features
//   block s_first_data_block + 1 (0 with 4 KiB blocks, 1 with 1 KiB)  the group descriptor table,
//              32 bytes a group: block bitmap, inode bitmap, inode table, free blocks, free inodes,
//              directories
//   then, per group: its bitmaps (one block each), its inode table, its data blocks.
//
// An inode (s_inode_size bytes, 128 in revision 0): mode, uid, size, times, links, 512-byte units
// allocated, flags, i_block[15] (12 direct block numbers, then one single, one double and one
// triple indirect block, each a block of 32-bit block numbers; 0 is a hole), the extended
// attribute block, size_high. A symbolic link shorter than 60 bytes keeps its target in i_block.
// Bytes past 128 (256-byte inodes: extra times, in-inode attributes) are kept as they are.
// A directory is blocks of entries: inode (0: unused), rec_len (to the next entry, a multiple of 4,
// never crossing the block), name_len, file_type (with the filetype feature), the name.
//
// This file holds the offsets, the constants, and the superblock as parsed at mount.
namespace Kernel.Vfs.Ext2
{
    internal static unsafe class Le
    {
        public static ushort U16(byte* p) => (ushort)(p[0] | (p[1] << 8));
        public static uint U32(byte* p) => (uint)(p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24));

        public static void Put16(byte* p, uint v)
        {
            p[0] = (byte)v;
            p[1] = (byte)(v >> 8);
        }

        public static void Put32(byte* p, uint v)
        {
            p[0] = (byte)v;
            p[1] = (byte)(v >> 8);
            p[2] = (byte)(v >> 16);
            p[3] = (byte)(v >> 24);
        }
    }

    internal static class Ext2Const
    {
        public const int SuperOffset = 1024;
        public const ushort Magic = 0xEF53;
        public const uint RootIno = 2;
        public const int GoodOldInodeSize = 128;
        public const uint GoodOldFirstIno = 11;
        public const int GroupDescSize = 32;
        public const int DirectBlocks = 12;
        public const int IndBlock = 12, DindBlock = 13, TindBlock = 14, NBlocks = 15;
        public const int FastSymlinkMax = 59;     // bytes of target kept in i_block (60 with its NUL)
        public const ushort LinkMax = 32000;
        public const int NameMax = 255;

        // s_state
        public const ushort StateValid = 1, StateErrors = 2;

        // Features (s_feature_compat, _incompat, _ro_compat).
        public const uint CompatDirPrealloc = 0x1, CompatImagicInodes = 0x2, CompatHasJournal = 0x4,
            CompatExtAttr = 0x8, CompatResizeInode = 0x10, CompatDirIndex = 0x20;
        public const uint IncompatCompression = 0x1, IncompatFiletype = 0x2, IncompatRecover = 0x4,
            IncompatJournalDev = 0x8, IncompatMetaBg = 0x10, IncompatExtents = 0x40, Incompat64Bit = 0x80,
            IncompatMmp = 0x100, IncompatFlexBg = 0x200;
        public const uint RoCompatSparseSuper = 0x1, RoCompatLargeFile = 0x2, RoCompatBtreeDir = 0x4;
        public const uint IncompatSupported = IncompatFiletype;
        public const uint RoCompatSupported = RoCompatSparseSuper | RoCompatLargeFile | RoCompatBtreeDir;

        // i_mode
        public const ushort TypeMask = 0xF000, Fifo = 0x1000, Chr = 0x2000, Dir = 0x4000, Blk = 0x6000,
            Reg = 0x8000, Lnk = 0xA000, Sock = 0xC000;
        // i_flags
        public const uint IndexFlag = 0x1000, HugeFileFlag = 0x40000, ExtentsFlag = 0x80000;
        // Directory entry file types.
        public const byte FtUnknown = 0, FtReg = 1, FtDir = 2, FtChr = 3, FtBlk = 4, FtFifo = 5, FtSock = 6, FtSymlink = 7;

        // Extended attribute block header: magic, reference count.
        public const uint XattrMagic = 0xEA020000;

        public static byte FileType(ushort mode)
        {
            switch (mode & TypeMask)
            {
                case Reg: return FtReg;
                case Dir: return FtDir;
                case Chr: return FtChr;
                case Blk: return FtBlk;
                case Fifo: return FtFifo;
                case Sock: return FtSock;
                case Lnk: return FtSymlink;
                default: return FtUnknown;
            }
        }

        // The bytes a directory entry with a name of n bytes needs (8 + n, rounded up to 4).
        public static int RecLen(int nameLen) => (8 + nameLen + 3) & ~3;
    }

    // Inode field offsets.
    internal static class InodeOff
    {
        public const int Mode = 0, Uid = 2, Size = 4, Atime = 8, Ctime = 12, Mtime = 16, Dtime = 20, Gid = 24,
            Links = 26, Blocks = 28, Flags = 32, Block = 40, Generation = 100, FileAcl = 104, SizeHigh = 108,
            BlocksHigh = 116, UidHigh = 120, GidHigh = 122, ExtraIsize = 128;
    }

    // The superblock's fields, as read at mount. The counters are kept by Ext2Fs and written back
    // into the superblock's buffer at sync.
    internal sealed unsafe class Ext2Super
    {
        public uint InodesCount, BlocksCount, RBlocksCount, FreeBlocks, FreeInodes, FirstDataBlock;
        public uint LogBlockSize, BlocksPerGroup, InodesPerGroup, Mtime, Wtime;
        public ushort MntCount, Magic, State, Errors;
        public uint RevLevel, FirstIno;
        public ushort InodeSize, ReservedGdtBlocks;
        public uint Compat, Incompat, RoCompat;
        public string VolumeName;

        public uint BlockSize => 1024u << (int)LogBlockSize;

        // p: the superblock's 1024 bytes.
        public static Ext2Super Parse(byte* p)
        {
            Ext2Super s = new Ext2Super();
            s.InodesCount = Le.U32(p + 0);
            s.BlocksCount = Le.U32(p + 4);
            s.RBlocksCount = Le.U32(p + 8);
            s.FreeBlocks = Le.U32(p + 12);
            s.FreeInodes = Le.U32(p + 16);
            s.FirstDataBlock = Le.U32(p + 20);
            s.LogBlockSize = Le.U32(p + 24);
            s.BlocksPerGroup = Le.U32(p + 32);
            s.InodesPerGroup = Le.U32(p + 40);
            s.Mtime = Le.U32(p + 44);
            s.Wtime = Le.U32(p + 48);
            s.MntCount = Le.U16(p + 52);
            s.Magic = Le.U16(p + 56);
            s.State = Le.U16(p + 58);
            s.Errors = Le.U16(p + 60);
            s.RevLevel = Le.U32(p + 76);
            if (s.RevLevel == 0)
            {
                s.FirstIno = Ext2Const.GoodOldFirstIno;
                s.InodeSize = Ext2Const.GoodOldInodeSize;
            }
            else
            {
                s.FirstIno = Le.U32(p + 84);
                s.InodeSize = Le.U16(p + 88);
                s.Compat = Le.U32(p + 92);
                s.Incompat = Le.U32(p + 96);
                s.RoCompat = Le.U32(p + 100);
                s.ReservedGdtBlocks = Le.U16(p + 206);
            }
            char[] name = new char[16];
            int n = 0;
            while (n < 16 && s.RevLevel != 0 && p[120 + n] != 0) { name[n] = (char)p[120 + n]; n++; }
            s.VolumeName = new string(name, 0, n);
            return s;
        }

        // Why this superblock cannot be mounted at all, or null. deviceBlocks: the device's size in
        // blocks of this superblock's size.
        public string Invalid(ulong deviceBytes)
        {
            if (Magic != Ext2Const.Magic) return "bad magic number in superblock";
            if (LogBlockSize > 2) return string.Concat("unsupported block size ", (1024UL << (int)(LogBlockSize > 20 ? 20 : LogBlockSize)).ToString());
            if (RevLevel > 1) return string.Concat("unsupported revision level ", RevLevel.ToString());
            if (BlocksPerGroup == 0 || BlocksPerGroup > BlockSize * 8) return "bad blocks per group";
            if (InodesPerGroup == 0 || InodesPerGroup > BlockSize * 8) return "bad inodes per group";
            if (InodeSize < Ext2Const.GoodOldInodeSize || InodeSize > BlockSize || (InodeSize & (InodeSize - 1)) != 0)
                return string.Concat("unsupported inode size ", InodeSize.ToString());
            if (FirstDataBlock >= BlocksCount || BlocksCount == 0) return "bad block count";
            if (FirstDataBlock != (BlockSize == 1024 ? 1u : 0u)) return "bad first data block";
            if ((ulong)BlocksCount * BlockSize > deviceBytes)
                return string.Concat("block count ", BlocksCount.ToString(), " exceeds the device");
            ulong groups = (BlocksCount - FirstDataBlock + BlocksPerGroup - 1) / BlocksPerGroup;
            if ((ulong)InodesPerGroup * groups != InodesCount) return "inode count does not match the groups";
            if (FirstIno < 3 || FirstIno > InodesCount) return "bad first inode";
            return null;
        }
    }
}
