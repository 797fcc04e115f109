// Block and inode allocation (Linux's fs/ext2/balloc.c and ialloc.c, simplified): the bitmaps
// (bit i of group g's block bitmap is block FirstDataBlock + g × BlocksPerGroup + i; bit i of its
// inode bitmap is inode g × InodesPerGroup + i + 1) and the free counts in the group descriptors
// and the superblock, changed together, under the file system's lock.
//
// Blocks: the first free bit at or after a goal (the block after the file's last one, or its
// group's first), in the goal's group, then in the following groups. Inodes: a directory goes to a
// group with at least the average number of free inodes and the most free blocks (spreading the
// tree, as Linux's find_group_dir); anything else to its parent's group, or the next with room.
// A bitmap that disagrees with its count (a full bitmap in a group said to have room, a freed bit
// already clear, a "free" block inside the group's metadata) is corruption: EUCLEAN and dmesg.
// Callers check that enough blocks are free before they start a change (ENOSPC then leaves
// nothing half-allocated).
using Kernel.Abi;

namespace Kernel.Vfs.Ext2
{
    public sealed unsafe partial class Ext2Fs
    {
        internal Errno AllocBlock(uint goal, out uint block)
        {
            block = 0;
            if (Super.FreeBlocks == 0) return Errno.ENOSPC;
            if (!ValidBlock(goal)) goal = Super.FirstDataBlock;
            uint g0 = (goal - Super.FirstDataBlock) / Super.BlocksPerGroup;
            for (uint i = 0; i < GroupCount; i++)
            {
                uint g = (g0 + i) % GroupCount;
                if (Groups[g].FreeBlocks == 0) continue;
                uint start = i == 0 ? goal - GroupFirst(g) : 0;
                Errno e = Buffers.Get(Groups[g].BlockBitmap, out Buf b);
                if (e != Errno.None) return e;
                uint bits = GroupBlocks(g);
                int bit = FindZero(b.Data, start, bits);
                if (bit < 0 && start > 0) bit = FindZero(b.Data, 0, start);
                if (bit < 0)
                {
                    Buffers.Put(ref b);
                    Corrupt(string.Concat("group ", g.ToString(), ": block bitmap full but ", Groups[g].FreeBlocks.ToString(), " blocks counted free"));
                    continue;
                }
                uint found = GroupFirst(g) + (uint)bit;
                if (IsGroupMetadata(g, found))
                {
                    Buffers.Put(ref b);
                    return Corrupt(string.Concat("group ", g.ToString(), ": block ", found.ToString(), " of the group's metadata is marked free"));
                }
                b.Data[bit >> 3] |= (byte)(1 << (bit & 7));
                Buffers.MarkDirty(b);
                Buffers.Put(ref b);
                Groups[g].FreeBlocks--;
                Super.FreeBlocks--;
                SuperChanged();
                block = found;
                return WriteGroup(g);
            }
            return Errno.ENOSPC;
        }

        internal Errno FreeBlock(uint block)
        {
            if (!ValidBlock(block)) return Corrupt(string.Concat("freeing block ", block.ToString(), ", out of range"));
            uint g = (block - Super.FirstDataBlock) / Super.BlocksPerGroup;
            int bit = (int)(block - GroupFirst(g));
            if (IsGroupMetadata(g, block)) return Corrupt(string.Concat("freeing block ", block.ToString(), " of group ", g.ToString(), "'s metadata"));
            Errno e = Buffers.Get(Groups[g].BlockBitmap, out Buf b);
            if (e != Errno.None) return e;
            byte mask = (byte)(1 << (bit & 7));
            if ((b.Data[bit >> 3] & mask) == 0)
            {
                Buffers.Put(ref b);
                return Corrupt(string.Concat("freeing block ", block.ToString(), ", already free"));
            }
            b.Data[bit >> 3] &= (byte)~mask;
            Buffers.MarkDirty(b);
            Buffers.Put(ref b);
            Buffers.Forget(block);
            Groups[g].FreeBlocks++;
            Super.FreeBlocks++;
            SuperChanged();
            return WriteGroup(g);
        }

        // The bitmaps and inode table of group g (a block the bitmap must never call free).
        private bool IsGroupMetadata(uint g, uint block) =>
            block == Groups[g].BlockBitmap || block == Groups[g].InodeBitmap ||
            (block >= Groups[g].InodeTable && block < Groups[g].InodeTable + InodeTableBlocks);

        internal Errno AllocInode(uint parentIno, bool directory, out uint ino)
        {
            ino = 0;
            if (Super.FreeInodes == 0) return Errno.ENOSPC;
            uint parentGroup = (parentIno - 1) / Super.InodesPerGroup;
            uint g = directory ? GroupForDirectory() : GroupNear(parentGroup);
            for (uint i = 0; i < GroupCount; i++, g = (g + 1) % GroupCount)
            {
                if (Groups[g].FreeInodes == 0) continue;
                Errno e = Buffers.Get(Groups[g].InodeBitmap, out Buf b);
                if (e != Errno.None) return e;
                uint start = g == 0 ? Super.FirstIno - 1 : 0;
                int bit = FindZero(b.Data, start, Super.InodesPerGroup);
                if (bit < 0)
                {
                    Buffers.Put(ref b);
                    Corrupt(string.Concat("group ", g.ToString(), ": inode bitmap full but ", Groups[g].FreeInodes.ToString(), " inodes counted free"));
                    continue;
                }
                b.Data[bit >> 3] |= (byte)(1 << (bit & 7));
                Buffers.MarkDirty(b);
                Buffers.Put(ref b);
                Groups[g].FreeInodes--;
                if (directory) Groups[g].UsedDirs++;
                Super.FreeInodes--;
                SuperChanged();
                ino = g * Super.InodesPerGroup + (uint)bit + 1;
                return WriteGroup(g);
            }
            return Errno.ENOSPC;
        }

        internal Errno FreeInode(uint ino, bool directory)
        {
            uint g = (ino - 1) / Super.InodesPerGroup;
            int bit = (int)((ino - 1) % Super.InodesPerGroup);
            Errno e = Buffers.Get(Groups[g].InodeBitmap, out Buf b);
            if (e != Errno.None) return e;
            byte mask = (byte)(1 << (bit & 7));
            if ((b.Data[bit >> 3] & mask) == 0)
            {
                Buffers.Put(ref b);
                return Corrupt(string.Concat("freeing inode ", ino.ToString(), ", already free"));
            }
            b.Data[bit >> 3] &= (byte)~mask;
            Buffers.MarkDirty(b);
            Buffers.Put(ref b);
            Groups[g].FreeInodes++;
            if (directory && Groups[g].UsedDirs > 0) Groups[g].UsedDirs--;
            Super.FreeInodes++;
            SuperChanged();
            return WriteGroup(g);
        }

        private uint GroupForDirectory()
        {
            uint average = Super.FreeInodes / GroupCount;
            uint best = 0, bestBlocks = 0;
            bool found = false;
            for (uint g = 0; g < GroupCount; g++)
            {
                if (Groups[g].FreeInodes == 0 || Groups[g].FreeInodes < average) continue;
                if (!found || Groups[g].FreeBlocks > bestBlocks)
                {
                    best = g;
                    bestBlocks = Groups[g].FreeBlocks;
                    found = true;
                }
            }
            return best;
        }

        private uint GroupNear(uint parent)
        {
            if (parent >= GroupCount) parent = 0;
            if (Groups[parent].FreeInodes > 0 && Groups[parent].FreeBlocks > 0) return parent;
            for (uint i = 1; i < GroupCount; i++)
            {
                uint g = (parent + i) % GroupCount;
                if (Groups[g].FreeInodes > 0 && Groups[g].FreeBlocks > 0) return g;
            }
            return parent;
        }

        // The first clear bit in [from, to) of a bitmap, or -1.
        private static int FindZero(byte* map, uint from, uint to)
        {
            uint i = from;
            while (i < to)
            {
                if ((i & 63) == 0 && i + 64 <= to && *(ulong*)(map + (i >> 3)) == ulong.MaxValue) { i += 64; continue; }
                if ((map[i >> 3] & (1 << (int)(i & 7))) == 0) return (int)i;
                i++;
            }
            return -1;
        }
    }
}
